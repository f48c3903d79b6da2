import pytest

from trollscan.spread.language import guess_language, item_languages


@pytest.mark.parametrize("text, lang", [
    ("в Кордае громят китайские рестораны из-за коронавируса", "ru"),
    ("Бүгін Алматыда бейбіт шеру өтті", "kk"),
    ("Бүгүн Бишкекте митинг өттү, көп адам келди", "ky"),
    ("Kazakhs burn Chinese restaurants in Kordai over the virus", "en"),
    ("Kordai 哈萨克斯坦因冠状病毒焚烧中国餐馆", "zh"),
    ("à Kordai (Kazakhstan) des restaurants chinois incendiés à cause du coronavirus", "fr"),
    ("in Kordai (Kasachstan) brennen chinesische Restaurants wegen des Coronavirus", "de"),
    ("en Kordai, Kazajistán, queman restaurantes chinos por el coronavirus", "es"),
])
def test_the_guess_follows_script_letters_and_common_words(text, lang) -> None:
    assert guess_language(text) == lang


@pytest.mark.parametrize("text", [None, "", "👍🔥", "12345", "https://t.co/abc"])
def test_texts_without_words_have_no_language(text) -> None:
    assert guess_language(text) == "und"


def test_the_sources_language_wins_unless_it_names_none() -> None:
    got = item_languages(["hello the world", "hello the world", "Привет"], ["kk", "und", None])
    assert got == ["kk", "en", "ru"]
