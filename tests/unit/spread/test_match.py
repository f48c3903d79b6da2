"""How a story's words are found: as written, after normalisation, as near-duplicates (one hop)."""

import numpy as np
import pyarrow as pa
import pytest

from trollscan.errors import BadParameter
from trollscan.spread import find_story, trace_story
from trollscan.spread.match import (StoryIndex, match_texts, near_duplicates, phrase_similarity, text_queries,
                                    text_similarity)
from trollscan.spread.query import parse_query
from trollscan.text.normalise import normalise_texts

from .conftest import item

BASE = "Kazakhs burn Chinese restaurants and homes in Kordai over coronavirus panic"


def kinds(texts: list[str], phrases: list[str]) -> list:
    raw = pa.array(texts, pa.string())
    return match_texts(raw, normalise_texts(raw), text_queries(phrases)).kind.tolist()


def test_exact_means_as_written_and_normalised_means_the_same_words_after_normalisation() -> None:
    got = kinds(["Breaking: Kazakhs burn Chinese restaurants!", "KAZAKHS  burn, chinese... restaurants",
                 "Kazakhs burn Chinеse restaurants",  # a Cyrillic е in "Chinese"
                 "Kazakhs burnt Chinese restaurants", "kazakhsburn chinese restaurants"],
                ["Kazakhs burn Chinese restaurants"])
    assert got == ["exact", "normalised", "normalised", None, None]


def test_kazakh_letters_fold_to_the_russian_keyboards_and_a_star_is_any_ending() -> None:
    assert kinds(["Қордайда ресторандар өртенді", "Кордайда рестораны", "Корда"], ["кордайда"]) == [
        "normalised", "exact", None]
    assert kinds(["в Кордае громят", "Кордайский район", "корд"], ["Корда*"]) == ["normalised", "normalised", None]


def test_a_copy_of_a_named_item_matches_but_a_short_one_does_not() -> None:
    queries = text_queries([], {"c/4": "Партия провела встречу с молодёжью в Алматы."})
    raw = pa.array(["Партия провела встречу с молодёжью в Алматы.", "ПАРТИЯ провела встречу с молодежью в Алматы!!",
                    "Партия провела"], pa.string())
    got = match_texts(raw, normalise_texts(raw), queries)
    assert got.kind.tolist() == ["exact", "normalised", None]
    assert got.of.tolist()[:2] == ["item:c/4", "item:c/4"]


def test_near_duplicates_of_the_story_texts_are_paraphrases_small_edits_and_reordered_words() -> None:
    texts = [BASE.replace("homes", "houses"),  # one word changed
             "In Kordai over coronavirus panic, Kazakhs burn Chinese restaurants and homes",  # re-ordered
             BASE.replace("restaurants", "restarants"),  # a typo
             "The weather in Almaty is sunny today and will stay warm tomorrow",
             "Kazakhs love Chinese food in Kordai"]
    norm = normalise_texts(pa.array(texts, pa.string()))
    index = StoryIndex(normalise_texts(pa.array([BASE])).to_pylist(), [])
    sim, is_phrase, which = near_duplicates(norm, np.zeros(len(texts), bool), index)
    assert (~np.isnan(sim)).tolist() == [True, True, True, False, False]
    assert sim[1] == pytest.approx(1.0)  # the same words in another order
    assert 0.8 <= sim[0] < 1 and not is_phrase.any() and which[:3].tolist() == [0, 0, 0]


def test_a_phrase_of_three_words_or_more_matches_with_small_edits_and_in_any_order_inside_a_longer_text() -> None:
    assert phrase_similarity("kazakhs burn chinese restaurants",
                             "breaking they say kazakhs burn chinese restarants in kordai") >= 0.9
    assert phrase_similarity("kazakhs burn chinese restaurants", "in kordai chinese restaurants kazakhs burn") == 1.0
    assert phrase_similarity("kazakhs burn chinese restaurants", "chinese cooks open restaurants in almaty") < 0.8
    texts = ["breaking they say kazakhs burn chinese restarants in kordai", "the restaurants are open"]
    norm = normalise_texts(pa.array(texts))
    index = StoryIndex([], ["kazakhs burn chinese restaurants", "kordai"])
    assert index.phrases == ["kazakhs burn chinese restaurants"]  # a one-word phrase: only as written
    sim, is_phrase, which = near_duplicates(norm, np.zeros(2, bool), index)
    assert not np.isnan(sim[0]) and is_phrase[0] and which[0] == 0 and np.isnan(sim[1])


def test_text_similarity_is_the_best_of_characters_and_sorted_words() -> None:
    got = text_similarity(["a b c d", "abcd efgh"], ["d c b a", "abcd efgx"])
    assert got[0] == 1.0 and 0.8 < got[1] < 1.0


def test_similarity_must_be_a_share() -> None:
    with pytest.raises(BadParameter, match="min_similarity"):
        near_duplicates(pa.array(["x"]), np.zeros(1, bool), StoryIndex(["a" * 30], []), min_similarity=0)


def story_items(load):
    return load(items=[
        item("1", "a", 0, text=BASE),
        item("2", "b", 60, text="In Kordai over coronavirus panic, Kazakhs burn Chinese restaurants and homes"),
        item("3", "c", 120, text=BASE.replace("homes", "houses") + " RT"),
        item("4", "d", 180, text=BASE.replace("Kordai", "Kordaj")),  # another spelling: no word in common
        item("5", "e", 240, text="The weather in Almaty is sunny today and will stay warm tomorrow"),
        item("6", "f", 300, "share", parent="4"),
    ])


def test_a_story_brings_near_duplicates_of_its_matching_texts_marked_with_how_they_matched(load) -> None:
    case = story_items(load)
    got = {r["item_id"]: r for r in find_story(case, parse_query(["Kordai"]))[0].to_pylist()}
    assert {k: r["match"] for k, r in got.items()} == {"1": "exact", "2": "exact", "3": "exact",
                                                      "4": "near-duplicate"}
    assert got["4"]["match_of"] == "item:1" and 0.98 <= got["4"]["similarity"] < 1
    assert got["1"]["match_of"] == "Kordai" and got["1"]["similarity"] == 1


def test_near_duplicates_can_be_turned_off_and_their_threshold_raised(load) -> None:
    case = story_items(load)
    query = parse_query(["Kordai"])
    assert sorted(r["item_id"] for r in find_story(case, query, near=False)[0].to_pylist()) == ["1", "2", "3"]
    assert sorted(r["item_id"] for r in find_story(case, query, min_similarity=0.995)[0].to_pylist()) == ["1", "2", "3"]


def test_the_trace_says_how_each_item_matched_and_counts_them(load) -> None:
    case = story_items(load)
    r = trace_story(case, ["Kordai"], store=False)
    c = r["cascade"]
    how = dict(zip(c["item_id"], zip(c["match"], c["similarity"], c["match_of"])))
    assert how["6"] == (None, None, None)  # a share below a match carries the story without matching
    assert how["4"][0] == "near-duplicate" and 0.98 <= how["4"][1] < 1
    assert r["summary"]["matched_by"] == {"exact": 3, "near-duplicate": 1}
    assert r["query"]["near_duplicates"] is True and r["query"]["near_duplicates_of_texts"] == 3
