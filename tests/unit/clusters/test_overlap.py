"""One fact seen by two layers weighs once in the account graph."""

import pyarrow as pa
import pytest

import trollscan.clusters as clusters
from trollscan.clusters import find_groups
from trollscan.coordination.edges import strength


def _edge(a: str, b: str, layer: str, weight: float) -> dict:
    return {"platform": "vk", "layer": layer, "account_a": a, "account_b": b, "weight": weight,
            "first_at": None, "last_at": None}


def _s(weight: float) -> float:
    return strength(pa.array([weight])).to_pylist()[0]


TRIANGLE = [("a", "b"), ("b", "c"), ("a", "c")]


def test_exact_copies_found_by_both_layers_count_once_at_the_stronger() -> None:
    edges = [_edge(x, y, "same_text", 0.3) for x, y in TRIANGLE] + \
            [_edge(x, y, "same_text_family", 0.2) for x, y in TRIANGLE]
    [group] = find_groups(pa.Table.from_pylist(edges))
    assert group.members == ["a", "b", "c"]
    assert group.strength == pytest.approx(_s(0.3))  # not _s(0.3) + _s(0.2)
    assert sorted(group.layers) == ["same_text", "same_text_family"]  # both still named as binding it


def test_a_pair_found_by_one_of_the_two_layers_counts_in_full() -> None:
    edges = [_edge("a", "b", "same_text", 0.3), _edge("b", "c", "same_text_family", 0.2),
             _edge("a", "c", "same_text_family", 0.2)]
    [group] = find_groups(pa.Table.from_pylist(edges))
    assert group.strength == pytest.approx((_s(0.3) + 2 * _s(0.2)) / 3)


def test_other_layers_still_add_to_the_copies() -> None:
    edges = [_edge(x, y, "same_text", 0.3) for x, y in TRIANGLE] + \
            [_edge(x, y, "same_text_family", 0.2) for x, y in TRIANGLE] + \
            [_edge(x, y, "co_reply", 0.1) for x, y in TRIANGLE]
    [group] = find_groups(pa.Table.from_pylist(edges))
    assert group.strength == pytest.approx(_s(0.3) + _s(0.1))


def test_without_the_rule_the_copies_count_twice(monkeypatch) -> None:
    """The rule is what makes the difference (the eval's 'before' runs this way)."""
    monkeypatch.setattr(clusters, "OVERLAPPING_LAYERS", {})
    edges = [_edge(x, y, "same_text", 0.3) for x, y in TRIANGLE] + \
            [_edge(x, y, "same_text_family", 0.2) for x, y in TRIANGLE]
    [group] = find_groups(pa.Table.from_pylist(edges))
    assert group.strength == pytest.approx(_s(0.3) + _s(0.2))
