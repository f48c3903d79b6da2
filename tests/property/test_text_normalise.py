"""Normalisation invariants: idempotent, one text at a time equals all at once, and blind to
what copy-pasters vary (case, punctuation, emoji, spacing, look-alike letters)."""

import unicodedata

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from trollscan.text.normalise import normalise, normalise_texts

REGION = ("абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі" "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯӘҒҚҢӨҰҮҺІ"
          "ѕјԁԛԝӂabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
NOISE = " \t\n.,!?;:-—«»\"'()…👍🙏😂🇰🇿\u200b\u00ad\u0301️@#"
region_text = st.text(alphabet=REGION + NOISE, max_size=60)
any_text = st.text(max_size=40)
words = st.lists(st.text(alphabet=REGION, min_size=1, max_size=8), min_size=1, max_size=6)


@settings(max_examples=150, deadline=None)
@given(st.one_of(region_text, any_text), st.booleans(), st.booleans())
def test_normalising_twice_equals_normalising_once(text, fold, translit) -> None:
    once = normalise(text, fold_letters=fold, transliterate=translit)
    assert normalise(once, fold_letters=fold, transliterate=translit) == once


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.none(), region_text, any_text), max_size=12), st.booleans())
def test_a_batch_equals_its_texts_one_by_one(texts, translit) -> None:
    batch = normalise_texts(pa.array(texts, pa.string()), transliterate=translit).to_pylist()
    assert batch == [None if t is None else normalise(t, transliterate=translit) for t in texts]


@settings(max_examples=100, deadline=None)
@given(st.one_of(region_text, any_text))
def test_output_is_lower_case_words_separated_by_single_spaces(text) -> None:
    out = normalise(text)
    assert out == out.strip() and "  " not in out
    assert all(ch == " " or ch.isalnum() for ch in out)


@settings(max_examples=100, deadline=None)
@given(words, st.lists(st.sampled_from(list(" ,.!?👍 ...  —") + ["!!!", " 🙏 ", ")))"]), min_size=1, max_size=6))
def test_case_punctuation_and_emoji_change_nothing(ws, seps) -> None:
    plain = " ".join(ws)
    noisy = "".join(w + seps[i % len(seps)] for i, w in enumerate(ws)).upper()
    assert normalise(noisy) == normalise(plain)


@settings(max_examples=120, deadline=None)
@given(st.one_of(region_text, any_text, st.text(alphabet="ﬁ①…№ａＡｈｔｐ:/@\u00a0\u0301\u0306иeᄀ가ᅡ", max_size=20)))
def test_compatibility_forms_change_nothing(text) -> None:
    assert normalise(unicodedata.normalize("NFKC", text)) == normalise(text)
