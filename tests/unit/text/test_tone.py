"""The tone of a comment: praise, attack or neutral, with the words that decided it."""

from __future__ import annotations

import pyarrow as pa
import pytest

from trollscan.text.tone import ATTACK, PRAISE, read_tone, read_tones


@pytest.mark.parametrize("text, label, words", [
    ("Поддерживаю полностью!", "praise", ("поддерж",)),
    ("Не поддерживаю.", "attack", ("не поддерж",)),
    ("Спасибо Фонду, так держать!", "praise", ("спасибо", "так держ")),
    ("Позор! Хватит врать 😡", "attack", ("позор", "хватит", "врать", "😡")),
    ("Колдаймын, барекелди!", "praise", ("қолдаймын", "бәрекелді")),  # Kazakh typed without its letters
    ("Бұл дұрыс емес", "attack", ("дұрыс емес",)),  # Kazakh: "this is not right"
    ("Колдойм! Алга!", "praise", ("колдойм",)),  # Kyrgyz: I support, forward (алга = Kazakh алға)
    ("Колдобойм", "attack", ("колдобой",)),  # Kyrgyz: I do not support (the longer stem wins)
    ("I don't support this", "attack", ("not support",)),
    ("Great work, well done", "praise", ("great", "well done")),
    ("Shame on these liars", "attack", ("shame", "liar")),
    ("Сегодня снова пробки на Абая", "neutral", ()),
    ("", "neutral", ()),
])
def test_tone_reads_praise_attack_and_negation_in_the_regions_languages(text, label, words):
    tone = read_tone(text)
    assert tone.label == label
    assert set(words) <= set(tone.decided_by)


def test_one_typo_in_a_long_stem_is_forgiven_but_short_words_must_match_whole():
    assert read_tone("Подерживаю!").decided_by == ("поддерж",)
    assert read_tone("Калдойм").label == "praise"
    assert read_tone("ворота закрыты").label == "neutral"  # "вор" is a whole word only


def test_a_real_word_one_letter_from_a_praise_stem_is_not_a_typo():
    assert read_tone("такие проекты нужны молодёжи").label == "neutral"  # youth, not "молодец"
    assert read_tone("Молодежь города").label == "neutral"
    assert read_tone("Малодец!").label == "praise"  # no such word: a typo


def test_a_negated_attack_word_praises_no_one_and_a_negator_inside_a_phrase_negates_nothing_after_it():
    assert read_tone("это не позор").label == "neutral"
    tone = read_tone("не верьте провокаторам")
    assert tone.label == "attack" and tone.attack == 2


def test_mixed_comments_follow_the_majority_and_ties_are_neutral():
    assert read_tone("Спасибо, но это позор").label == "neutral"
    assert read_tone("Спасибо! Молодцы! Но позор тем, кто мешает").label == "praise"


def test_batch_reading_equals_one_by_one_and_handles_nulls():
    texts = ["Поддерживаю 👍", None, "Позор", "Hello", "I don't agree", "Хватит врать"]
    batch = read_tones(pa.array(texts, pa.string()))
    assert batch == [read_tone(t) for t in texts]
    assert [t.label for t in batch] == ["praise", "neutral", "attack", "neutral", "attack", "attack"]


def test_the_lexicon_covers_russian_kazakh_kyrgyz_and_english_on_both_sides():
    assert set(PRAISE) == set(ATTACK) == {"ru", "kk", "ky", "en"}
    assert all(PRAISE[lang] and ATTACK[lang] for lang in PRAISE)
