import pyarrow as pa

from trollscan.text.normalise import from_codes, normalise, normalise_texts, to_codes


def test_latin_lookalikes_in_a_cyrillic_word_become_cyrillic() -> None:
    assert normalise("Cпасибо Eлбасы, HAPOД") == "спасибо елбасы народ"
    assert normalise("Cпасибо") == normalise("Спасибо")


def test_cyrillic_lookalikes_in_a_latin_word_become_latin() -> None:
    assert normalise("сoronavirus in Kоrdai") == "coronavirus in kordai"
    assert normalise("wіn") == "win"  # Kazakh/Ukrainian і inside a Latin word


def test_kazakh_and_kyrgyz_letters_fold_to_the_russian_keyboard() -> None:
    assert normalise("Рақмет! Бәрекелді") == normalise("Ракмет! Барекелди") == "ракмет барекелди"
    assert normalise("Үчүн ӨЗ ЖОЛУҢ ёлка") == "учун оз жолун елка"
    assert normalise("Рақмет", fold_letters=False) == "рақмет"


def test_links_mentions_punctuation_emoji_and_spacing_are_removed() -> None:
    text = "  @nurbot_88 Спасибо!!! 👍🇰🇿\nhttps://t.co/AbC?x=1   www.example.kz/a  Молодцы)))  "
    assert normalise(text) == "спасибо молодцы"


def test_invisible_characters_do_not_split_words() -> None:
    assert normalise("спа\u200bси\u00adбо\u2060") == "спасибо"
    assert normalise("с\u0306пасибо") == "спасибо"  # a stray combining mark


def test_runs_of_three_letters_collapse_but_doubled_letters_stay() -> None:
    assert normalise("Спасибоооо!!! Ураааа") == "спасибо ура"
    assert normalise("сообщение программа ввод 1000") == "сообщение программа ввод 1000"


def test_full_width_forms_and_other_digits_become_plain() -> None:
    assert normalise("ｓｐａｓｉｂｏ ١٢٣") == "spasibo 123"


def test_transliteration_matches_a_text_typed_in_latin_letters() -> None:
    assert normalise("Спасибо, Елбасы! Жақсы", transliterate=True) == "spasibo elbasy zhaksy"
    assert normalise("spasibo elbasy zhaksy", transliterate=True) == "spasibo elbasy zhaksy"
    assert normalise("объявление щука", transliterate=True) == "obyavlenie shuka"


def test_nulls_stay_null_and_empty_texts_stay_empty() -> None:
    assert normalise_texts(pa.array([None, "", "👍", "Ок"])).to_pylist() == [None, "", "", "ок"]
    assert normalise_texts(pa.array([], pa.string())).to_pylist() == []


def test_a_chunked_array_is_normalised_like_one_array() -> None:
    chunked = pa.chunked_array([pa.array(["Привет!"]), pa.array(["МИР 🙏"])])
    assert normalise_texts(chunked).to_pylist() == ["привет", "мир"]


def test_hostile_text_is_reduced_to_its_letters() -> None:
    hostile = "\u202eтекст\u202c \x00\x1f\x7f <script>alert(1)</script> 𝕊𝕡𝕒𝕞 \U0010ffff"
    assert normalise(hostile) == "текст script alert 1 script spam"


def test_codes_round_trip() -> None:
    arr = pa.array(["Қазақстан 🇰🇿", "", "a\U0001f600b"])
    codes, lengths = to_codes(arr)
    assert lengths.tolist() == [12, 0, 3]
    assert from_codes(codes, lengths).to_pylist() == arr.to_pylist()
