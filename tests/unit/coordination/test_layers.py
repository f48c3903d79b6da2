import duckdb
import pytest

from trollscan.coordination.layers import TEXT_SQL, URL_SQL


@pytest.mark.parametrize("url,normal", [
    ("HTTPS://Tengrinews.KZ/news/1?utm_source=fb&id=5&fbclid=abc#top", "https://tengrinews.kz/news/1?id=5"),
    ("https://bit.ly/3xYz", "https://bit.ly/3xYz"),
    ("http://a.kz/x/?utm_medium=x", "http://a.kz/x"),
    ("https://a.kz/p?ref=home&q=1", "https://a.kz/p?q=1"),
])
def test_urls_lose_tracking_but_shorteners_stay(url, normal) -> None:
    assert duckdb.connect().execute(f"SELECT {URL_SQL} FROM (SELECT ? AS url)", [url]).fetchall()[0][0] == normal


@pytest.mark.parametrize("text", ["Спасибо Фонду за заботу о молодёжи!!! 🇰🇿 https://t.co/x @aidos_77",
                                  "спасибо  фонду, за заботу о молодёжи"])
def test_copied_text_normalises_to_one_key(text) -> None:
    got = duckdb.connect().execute(f"SELECT {TEXT_SQL} FROM (SELECT ? AS text)", [text]).fetchall()[0][0]
    assert got == "спасибо фонду за заботу о молодёжи"


def test_kazakh_letters_survive_normalisation() -> None:
    got = duckdb.connect().execute(f"SELECT {TEXT_SQL} FROM (SELECT ? AS text)", ["Рахмет, бәрекелді!"]).fetchall()
    assert got[0][0] == "рахмет бәрекелді"


def test_spark_spelling_doubles_backslashes_and_drops_the_global_flag() -> None:
    from trollscan.coordination.layers import spark_dialect

    assert spark_dialect(r"regexp_replace(x, '([?&])\s+', '\1', 'g')") == r"regexp_replace(x, '([?&])\\s+', '$1')"


def test_every_layer_has_a_spark_query() -> None:
    from trollscan.coordination.layers import LAYERS

    assert [name for name, layer in LAYERS.items() if not layer.spark_sql] == []
