import pyarrow as pa
import pytest

from trollscan.errors import BadParameter
from trollscan.spread.groups import bot_cadence, spreader_groups


def pairs(edges: list[tuple[str, str, float]]) -> pa.Table:
    return pa.table({"platform": ["twitter"] * len(edges), "account_a": [a for a, _, _ in edges],
                     "account_b": [b for _, b, _ in edges], "weight": [w for _, _, w in edges]})


def clique(names: list[str], w: float = 3.0) -> list[tuple[str, str, float]]:
    return [(a, b, w) for i, a in enumerate(names) for b in names[i + 1:]]


def test_two_cliques_joined_by_a_weak_link_are_two_groups_largest_first() -> None:
    big, small = [f"r{k}" for k in range(6)], [f"p{k}" for k in range(4)]
    got = spreader_groups(pairs(clique(big) + clique(small) + [("r0", "p0", 0.2)]))
    assert {a for (_p, a), g in got.items() if g == 1} == set(big)
    assert {a for (_p, a), g in got.items() if g == 2} == set(small)


def test_communities_below_the_minimum_size_are_left_out() -> None:
    got = spreader_groups(pairs(clique(["a", "b", "c"]) + [("x", "y", 5.0)]), min_size=3)
    assert set(got) == {("twitter", "a"), ("twitter", "b"), ("twitter", "c")}


def test_no_pairs_no_groups_and_bad_parameters_are_refused() -> None:
    assert spreader_groups(pairs([])) == {}
    with pytest.raises(BadParameter, match="'min_size' parameter of spreader_groups"):
        spreader_groups(pairs([]), min_size=1)


def test_the_same_seed_gives_the_same_groups() -> None:
    edges = pairs(clique([f"a{k}" for k in range(5)]) + clique([f"b{k}" for k in range(5)]) + [("a0", "b0", 1.0)])
    assert spreader_groups(edges, seed=4) == spreader_groups(edges, seed=4)


def cadence(**row) -> pa.Table:
    base = {"platform": "twitter", "account_id": "x", "items": 40, "hours": 20, "night_share": 0.3,
            "max_per_minute": 1, "median_gap_s": 3600.0, "per_day": 4.0}
    return pa.Table.from_pylist([base | row])


def test_around_the_clock_posting_is_bot_like_and_a_daytime_rhythm_is_not() -> None:
    assert "at night" in bot_cadence(cadence())[("twitter", "x")]
    assert bot_cadence(cadence(night_share=0.03)) == {}
    assert bot_cadence(cadence(hours=3)) == {}  # a night out, not a schedule


def test_bursts_and_volume_are_bot_like_but_few_items_prove_nothing() -> None:
    assert bot_cadence(cadence(night_share=0.0, max_per_minute=9)) == {("twitter", "x"): "9 items in one minute"}
    assert bot_cadence(cadence(night_share=0.0, per_day=400.0)) == {("twitter", "x"): "400 items a day"}
    assert bot_cadence(cadence(items=3, max_per_minute=3, night_share=1.0)) == {}
