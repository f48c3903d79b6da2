import pytest

from trollscan.errors import BadParameter
from trollscan.spread.query import MAX_TERM_CHARS, parse_query


def test_terms_are_sorted_into_links_hashtags_items_and_phrases() -> None:
    q = parse_query(["https://Example.com/a?utm_source=x", "www.site.kz/b", "#Kordai", "item:123", "Кордай громят",
                     "kordai*"])
    assert q.urls == ("https://Example.com/a?utm_source=x", "https://www.site.kz/b")
    assert q.hashtags == ("kordai",)
    assert q.item_ids == ("123",)
    assert q.phrases == ("Кордай громят", "kordai*")
    assert q.terms[0] == "https://Example.com/a?utm_source=x"


def test_a_single_string_is_one_term() -> None:
    assert parse_query("#tag").hashtags == ("tag",)


@pytest.mark.parametrize("terms", [[], [""], ["  "], ["ok", ""]])
def test_an_empty_query_is_refused_with_a_hint(terms) -> None:
    with pytest.raises(BadParameter) as exc:
        parse_query(terms)
    assert exc.value.message == "The story query is empty."
    assert "#hashtag" in exc.value.hint


def test_an_oversized_term_is_refused() -> None:
    with pytest.raises(BadParameter, match="characters long"):
        parse_query(["x" * (MAX_TERM_CHARS + 1)])


def test_item_prefix_needs_an_id() -> None:
    with pytest.raises(BadParameter, match="names no item"):
        parse_query(["item:"])
