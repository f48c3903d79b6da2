"""CooRTweet 2.1.3 compatibility: one test per rule of the reference's checklist (§4.4), each on a
tiny input worked out by hand, and a property test against a plain double-loop reading of §4.1-4.2."""

from __future__ import annotations

from collections import Counter

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trollscan.coordination import coortweet
from trollscan.coordination.coortweet import (
    PAIR_COLUMNS,
    connected_components,
    detect_groups,
    flag_speed_share,
    generate_coordinated_network,
    r_quantile,
)
from trollscan.errors import BadParameter


def _groups(rows, **kw) -> list[tuple]:
    """rows: (object_id, account_id, content_id, timestamp_share); the pairs as tuples."""
    cols = list(zip(*rows)) if rows else [[], [], [], []]
    table = detect_groups(*[list(c) for c in cols], **kw)
    assert tuple(table.column_names) == PAIR_COLUMNS
    return [tuple(r.values()) for r in table.to_pylist()]


def _edges(rows, *, time_window=60, min_participation=2, **kw) -> dict[tuple[str, str], dict]:
    pairs = detect_groups(*[list(c) for c in zip(*rows)], time_window=time_window,
                          min_participation=min_participation)
    net = generate_coordinated_network(pairs, **kw)
    return {(e.pop("account_id"), e.pop("account_id_y")): e for e in net.edges.to_pylist()}


# -- detect_groups: the pairs ------------------------------------------------------------------

def test_pairs_are_all_pairs_within_the_window_not_anchored_at_the_first_share() -> None:
    rows = [("o", "A", "a1", 0), ("o", "B", "b1", 50), ("o", "C", "c1", 100)]
    assert _groups(rows, time_window=60, min_participation=0) == [
        ("o", "a1", "b1", 50, "A", "B"), ("o", "b1", "c1", 50, "B", "C")]  # no A-C: 100 s apart


def test_window_is_inclusive_at_exactly_the_window() -> None:
    rows = [("o", "A", "a1", 0), ("o", "B", "b1", 60), ("o", "C", "c1", 121)]
    assert _groups(rows, time_window=60, min_participation=0) == [("o", "a1", "b1", 60, "A", "B")]


def test_window_zero_pairs_only_simultaneous_shares() -> None:
    rows = [("o", "A", "a1", 5), ("o", "B", "b1", 5), ("o", "C", "c1", 6)]
    assert _groups(rows, time_window=0, min_participation=0) == [("o", "a1", "b1", 0, "A", "B")]


def test_pairs_are_oriented_older_to_newer() -> None:
    rows = [("o", "A", "a1", 40), ("o", "B", "b1", 10)]  # A's row comes first but is newer
    assert _groups(rows, min_participation=0, time_window=60) == [("o", "b1", "a1", 30, "B", "A")]


def test_simultaneous_shares_keep_the_row_order_after_regrouping_by_account() -> None:
    # B's share of o is the first row, but A appears first (row 0), so CooRTweet's rows are
    # a0, a1, b1, b2 and a1 is the "older" of the two shares at t=100
    rows = [("x", "A", "a0", 0), ("o", "B", "b1", 100), ("o", "A", "a1", 100), ("y", "B", "b2", 900)]
    assert _groups(rows, time_window=60, min_participation=1) == [("o", "a1", "b1", 0, "A", "B")]
    # without A's earlier row B comes first
    rows = [("o", "B", "b1", 100), ("o", "A", "a1", 100), ("x", "A", "a0", 0), ("y", "B", "b2", 900)]
    assert _groups(rows, time_window=60, min_participation=1) == [("o", "b1", "a1", 0, "B", "A")]


def test_rows_come_in_coortweets_order() -> None:
    # objects in order of appearance; within one, by the later row then the earlier row
    rows = [("p", "A", "a1", 0), ("o", "A", "a2", 0), ("o", "B", "b1", 1), ("p", "B", "b2", 2),
            ("o", "C", "c1", 3), ("p", "C", "c2", 4)]
    assert [(r[0], r[1], r[2]) for r in _groups(rows, time_window=60)] == [
        ("p", "a1", "b2"), ("p", "a1", "c2"), ("p", "b2", "c2"),
        ("o", "a2", "b1"), ("o", "a2", "c1"), ("o", "b1", "c1")]


# -- loops -------------------------------------------------------------------------------------

def test_an_account_sharing_an_object_twice_never_links_to_itself() -> None:
    rows = [("o", "A", "a1", 0), ("o", "A", "a2", 10), ("o", "B", "b1", 20), ("x", "B", "b2", 900)]
    assert _groups(rows, time_window=60) == [("o", "a1", "b1", 20, "A", "B"), ("o", "a2", "b1", 10, "A", "B")]


def test_without_loop_removal_same_account_and_same_content_pairs_stay() -> None:
    rows = [("o", "A", "a1", 0), ("o", "A", "a2", 10), ("o", "B", "a1", 20)]  # a1 twice: duplicated id
    assert _groups(rows, time_window=60, min_participation=0, remove_loops=False) == [
        ("o", "a1", "a2", 10, "A", "A"), ("o", "a1", "a1", 20, "A", "B"), ("o", "a2", "a1", 10, "A", "B")]
    assert _groups(rows, time_window=60, min_participation=0) == [("o", "a2", "a1", 10, "A", "B")]


def test_pairs_of_one_duplicated_content_id_are_removed() -> None:
    rows = [("o", "A", "dup", 0), ("o", "B", "dup", 5), ("o", "C", "c1", 10)]
    assert _groups(rows, time_window=60, min_participation=0) == [
        ("o", "dup", "c1", 10, "A", "C"), ("o", "dup", "c1", 5, "B", "C")]


def test_the_original_post_listed_as_a_share_of_itself_pairs_with_nobody() -> None:
    # t1 is the retweeted tweet itself, by its author A; either side of a pair may be it
    rows = [("t1", "A", "t1", 0), ("t1", "B", "b1", 5), ("t1", "C", "c1", 10)]
    assert _groups(rows, time_window=60, min_participation=0) == [("t1", "b1", "c1", 5, "B", "C")]


# -- min_participation: both filters ---------------------------------------------------------

def test_prefilter_counts_every_row_of_an_account() -> None:
    # B has one row in all: dropped before pairing; C's second row is a share nobody else made
    rows = [("o", "A", "a1", 0), ("o", "B", "b1", 5), ("o", "C", "c1", 10), ("x", "C", "c2", 5000),
            ("p", "A", "a2", 0), ("p", "C", "c3", 1)]
    assert [(r[4], r[5]) for r in _groups(rows, time_window=60)] == [("A", "C"), ("A", "C")]


def test_prefilter_counts_duplicate_rows() -> None:
    rows = [("o", "A", "a1", 0), ("o", "A", "a1", 0), ("o", "B", "b1", 5), ("o", "B", "b1", 5)]
    # both pass on two (identical) rows; four A-B share pairs survive (no pair has equal ids)
    assert _groups(rows, time_window=60) == [("o", "a1", "b1", 5, "A", "B")] * 4


def test_postfilter_keeps_a_single_coordinated_share_whose_partner_passes() -> None:
    # A: two coordinated shares (o, p). B: one (o) and one unrelated row. D, E: one each.
    rows = [("o", "A", "a1", 0), ("o", "B", "b1", 10), ("p", "A", "a2", 100), ("p", "C", "c1", 105),
            ("p", "C", "c2", 106), ("x", "B", "b2", 5000),
            ("q", "D", "d1", 0), ("q", "E", "e1", 1), ("y", "D", "d2", 9000), ("z", "E", "e2", 9999)]
    got = [(r[0], r[4], r[5]) for r in _groups(rows, time_window=60)]
    assert ("o", "A", "B") in got  # B has one coordinated share: kept, as A passes (OR)
    assert ("q", "D", "E") not in got  # neither D nor E passes
    assert got == [("o", "A", "B"), ("p", "A", "C"), ("p", "A", "C")]


def test_postfilter_counts_shares_not_distinct_objects() -> None:
    # A's two coordinated shares are of one object; B has one row in the pairs
    rows = [("o", "A", "a1", 0), ("o", "A", "a2", 30), ("o", "B", "b1", 20), ("x", "B", "b2", 5000)]
    assert [(r[1], r[2]) for r in _groups(rows, time_window=60)] == [("a1", "b1"), ("b1", "a2")]
    # with min_participation 3 (and three rows each) A's two shares are not enough, nor B's one
    rows += [("y", "A", "a3", 7000), ("w", "B", "b3", 8000)]
    assert _groups(rows, time_window=60, min_participation=3) == []


def test_min_participation_zero_turns_both_filters_off() -> None:
    rows = [("q", "D", "d1", 0), ("q", "E", "e1", 1)]
    assert _groups(rows, time_window=60, min_participation=0) == [("q", "d1", "e1", 1, "D", "E")]
    assert _groups(rows, time_window=60, min_participation=1) == [("q", "d1", "e1", 1, "D", "E")]
    assert _groups(rows, time_window=60, min_participation=2) == []


def test_postfilter_matches_content_ids_by_value_across_accounts() -> None:
    # D's share "s" has the id of a row of A. C = {a1, b1, c1, s}; A has two rows in C (a1 and
    # its own "s") and passes, B, C and D one each. The C-D pair stays because its content id
    # "s" is one of the passing account's ids, though neither C nor D passes.
    rows = [("o", "A", "a1", 0), ("x", "A", "s", 9000), ("o", "B", "b1", 5), ("w", "B", "b2", 20000),
            ("q", "C", "c1", 0), ("y", "C", "c2", 7000), ("q", "D", "s", 3), ("z", "D", "d2", 8000)]
    assert _groups(rows, time_window=60) == [("o", "a1", "b1", 5, "A", "B"), ("q", "c1", "s", 3, "C", "D")]
    # with another id for A's row, A has one row in C and nobody passes
    rows[1] = ("x", "A", "a9", 9000)
    assert _groups(rows, time_window=60) == []


# -- generate_coordinated_network --------------------------------------------------------------

def test_weight_counts_share_pairs_not_objects() -> None:
    # A shares o twice within B's window: weight 2 from one object
    rows = [("o", "A", "a1", 0), ("o", "A", "a2", 30), ("o", "B", "b1", 20), ("x", "B", "b2", 5000)]
    edge = _edges(rows, objects=True)[("A", "B")]
    assert edge["weight"] == 2
    assert edge["object_ids"] == "o"
    assert edge["avg_time_delta"] == 15.0


def test_content_counts_are_per_side_of_the_pair_not_per_account() -> None:
    # pairs a1->b1 (A older) and b1->a2 (B older): older side {a1, b1}, newer side {b1, a2},
    # where per account it would be A: 2, B: 1
    rows = [("o", "A", "a1", 0), ("o", "A", "a2", 30), ("o", "B", "b1", 20), ("x", "B", "b2", 5000)]
    edge = _edges(rows)[("A", "B")]
    assert (edge["n_content_id"], edge["n_content_id_y"], edge["edge_symmetry_score"]) == (2, 2, 1.0)


def test_edge_symmetry_score_is_min_over_max_of_the_side_counts() -> None:
    # A always first: older side {a1, a2, a3}, newer side {b1}
    rows = [("o", "A", "a1", 0), ("o", "A", "a2", 1), ("o", "A", "a3", 2), ("o", "B", "b1", 10)]
    edge = _edges(rows, min_participation=1)[("A", "B")]
    assert (edge["weight"], edge["n_content_id"], edge["n_content_id_y"]) == (3, 3, 1)
    assert edge["edge_symmetry_score"] == pytest.approx(1 / 3)


def test_account_pair_is_ordered_by_bytes_not_by_locale() -> None:
    rows = [("o", "a", "x1", 0), ("o", "B", "y1", 5), ("p", "a", "x2", 0), ("p", "B", "y2", 5)]
    assert list(_edges(rows)) == [("B", "a")]  # "B" (0x42) < "a" (0x61)


def test_threshold_is_strictly_above_the_type7_quantile() -> None:
    # weights: A-B 2, C-D 2, E-F 2, G-H 1; median of (1, 2, 2, 2) is 2, and 2 > 2 is false
    rows = []
    for x, y in ["AB", "CD", "EF"]:
        rows += [("o" + x, x, x + "1", 0), ("o" + x, y, y + "1", 1), ("p" + x, x, x + "2", 0), ("p" + x, y, y + "2", 1)]
    rows += [("oG", "G", "g1", 0), ("oG", "H", "h1", 1), ("xG", "G", "g2", 999), ("xH", "H", "h2", 999)]
    edges = _edges(rows, min_participation=1)
    assert {k: e["weight"] for k, e in edges.items()} == {("A", "B"): 2, ("C", "D"): 2, ("E", "F"): 2, ("G", "H"): 1}
    assert all(e["weight_threshold"] == 0 for e in edges.values())
    # at edge_weight 0.25: index 1.75 between 1 and 2 -> 1.75; the three weight-2 edges pass
    flagged = {k for k, e in _edges(rows, min_participation=1, edge_weight=0.25).items() if e["weight_threshold"] == 1}
    assert flagged == {("A", "B"), ("C", "D"), ("E", "F")}


@pytest.mark.parametrize("values,p,expected", [
    ([1, 1, 1, 2, 5], 0.5, 1.0), ([1, 2, 3, 4], 0.5, 2.5), ([1, 2], 0.25, 1.25), ([3, 1, 2], 1.0, 3.0),
    ([3, 1, 2], 0.0, 1.0), ([7], 0.9, 7.0), ([1, 2, 2, 2], 0.5, 2.0), ([1, 1, 1, 10], 0.9, 7.3),
])
def test_r_quantile_type7(values, p, expected) -> None:
    assert r_quantile(values, p) == pytest.approx(expected, abs=1e-12)


def test_r_quantile_of_nothing_is_none() -> None:
    assert r_quantile([], 0.5) is None


def test_subgraph_one_keeps_flagged_edges_and_drops_isolated_accounts() -> None:
    rows = [("o", "A", "a1", 0), ("o", "B", "b1", 1), ("p", "A", "a2", 0), ("p", "B", "b2", 1),
            ("q", "B", "b3", 0), ("q", "C", "c1", 1), ("r", "C", "c2", 9000)]
    pairs = detect_groups(*[list(c) for c in zip(*rows)], time_window=60)
    full = generate_coordinated_network(pairs)
    assert full.vertices["account_id"].to_pylist() == ["A", "B", "C"]
    assert full.threshold == 1.5
    sub = generate_coordinated_network(pairs, subgraph=1)
    assert [(e["account_id"], e["account_id_y"], e["weight"]) for e in sub.edges.to_pylist()] == [("A", "B", 2)]
    assert sub.vertices["account_id"].to_pylist() == ["A", "B"]


def test_components_are_numbered_by_first_vertex() -> None:
    rows = [("o", "A", "a1", 0), ("o", "B", "b1", 1), ("p", "C", "c1", 0), ("p", "D", "d1", 1),
            ("q", "B", "b2", 0), ("q", "E", "e1", 1), ("x", "C", "c2", 900), ("y", "D", "d2", 900),
            ("z", "E", "e2", 900), ("w", "A", "a2", 900)]
    pairs = detect_groups(*[list(c) for c in zip(*rows)], time_window=60, min_participation=1)
    comp = connected_components(generate_coordinated_network(pairs))
    assert dict(zip(comp["account_id"].to_pylist(), comp["component"].to_pylist())) == {
        "A": 1, "B": 1, "C": 2, "E": 1, "D": 2}


def test_empty_input_gives_empty_pairs_and_graph() -> None:
    pairs = detect_groups([], [], [], pa.array([], pa.int64()))
    assert pairs.num_rows == 0 and tuple(pairs.column_names) == PAIR_COLUMNS
    net = generate_coordinated_network(pairs, objects=True)
    assert net.edges.num_rows == 0 and net.vertices.num_rows == 0 and net.threshold is None


# -- fast_net ----------------------------------------------------------------------------------

def test_fast_net_flags_pairs_in_the_narrow_window_and_thresholds_each_graph() -> None:
    rows = [("o", "A", "a1", 0), ("o", "B", "b1", 5), ("p", "A", "a2", 0), ("p", "B", "b2", 50),
            ("q", "B", "b3", 0), ("q", "C", "c1", 40), ("r", "C", "c2", 9000)]
    cols = [list(c) for c in zip(*rows)]
    pairs = detect_groups(*cols, time_window=60)
    flagged = flag_speed_share(pairs, cols[1], cols[2], time_window=10, min_participation=1)
    assert [(r["content_id"], r["content_id_y"], r["time_window_10"]) for r in flagged.to_pylist()] == [
        ("a1", "b1", 1), ("a2", "b2", 0), ("b3", "c1", 0)]  # sorted by content ids, as setkey does
    net = generate_coordinated_network(flagged, fast_net=True)
    edges = {(e["account_id"], e["account_id_y"]): e for e in net.edges.to_pylist()}
    assert (edges[("A", "B")]["weight_full"], edges[("A", "B")]["weight_fast"]) == (2, 1)
    assert edges[("B", "C")]["weight_fast"] is None and edges[("B", "C")]["weight_threshold_fast"] is None
    assert (net.threshold, net.threshold_fast) == (1.5, 1.0)
    assert edges[("A", "B")]["weight_threshold_full"] == 1 and edges[("A", "B")]["weight_threshold_fast"] == 0
    # the fast filter needs min_participation shares in the fast pairs: A and B have one each
    again = flag_speed_share(pairs, cols[1], cols[2], time_window=10, min_participation=2)
    assert again["time_window_10"].to_pylist() == [0, 0, 0]


def test_subgraph_three_is_the_fast_coordinated_accounts_and_their_neighbours() -> None:
    rows = [("o", "A", "a1", 0), ("o", "B", "b1", 1), ("p", "A", "a2", 0), ("p", "B", "b2", 1),
            ("q", "C", "c1", 0), ("q", "D", "d1", 50), ("s", "B", "b3", 0), ("s", "C", "c2", 50),
            ("u", "D", "d2", 0), ("u", "E", "e1", 5)]
    cols = [list(c) for c in zip(*rows)]
    pairs = flag_speed_share(detect_groups(*cols, time_window=60, min_participation=1), cols[1], cols[2],
                             time_window=10, min_participation=1)
    net = generate_coordinated_network(pairs, fast_net=True, subgraph=3)
    # fast weights A-B 2, D-E 1: median 1.5, so A-B is fast-coordinated; with A and B comes their
    # neighbour C and the edges among the three; D and E stay out
    assert dict(zip(net.vertices["account_id"].to_pylist(), net.vertices["color_v"].to_pylist())) == {
        "A": 1, "B": 1, "C": 0}
    assert {(e["account_id"], e["account_id_y"]) for e in net.edges.to_pylist()} == {("A", "B"), ("B", "C")}
    two = generate_coordinated_network(pairs, fast_net=True, subgraph=2)
    assert two.vertices["account_id"].to_pylist() == ["A", "B"]


# -- parameters --------------------------------------------------------------------------------

@pytest.mark.parametrize("kw,fragment", [
    ({"time_window": -1}, "'time_window' parameter of detect_groups must be an int >= 0; got -1"),
    ({"time_window": 1.5}, "'time_window'"), ({"min_participation": -2}, "'min_participation'"),
])
def test_bad_detect_groups_parameters_are_named(kw, fragment) -> None:
    with pytest.raises(BadParameter, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        detect_groups(["o"], ["A"], ["a"], [0], **kw)


def test_missing_values_and_fractional_times_are_refused() -> None:
    with pytest.raises(BadParameter, match="'account_id' column of detect_groups has 1 missing"):
        detect_groups(["o", "o"], ["A", None], ["a", "b"], [0, 1])
    with pytest.raises(BadParameter, match="whole seconds"):
        detect_groups(["o"], ["A"], ["a"], [0.5])


@pytest.mark.parametrize("kw,fragment", [
    ({"edge_weight": 1.5}, "quantile in \\[0, 1\\]; got 1.5"), ({"subgraph": 4}, "0, 1, 2 or 3; got 4"),
    ({"fast_net": True}, "flag_speed_share"), ({"subgraph": 2}, "flag_speed_share"),
])
def test_bad_network_parameters_are_named(kw, fragment) -> None:
    pairs = detect_groups(["o", "o"], ["A", "B"], ["a", "b"], [0, 1], min_participation=0)
    with pytest.raises(BadParameter, match=fragment):
        generate_coordinated_network(pairs, **kw)


def test_public_names_are_listed_in_all() -> None:
    for name in coortweet.__all__:
        assert hasattr(coortweet, name)
    public = {n for n, v in vars(coortweet).items() if not n.startswith("_") and callable(v)
              and getattr(v, "__module__", None) == coortweet.__name__}
    assert public <= set(coortweet.__all__)


# -- against a plain reading of the spec -------------------------------------------------------

def reference_detect_groups(rows, time_window, min_participation, remove_loops):
    """§4.1 as written, with loops over rows (object, account, content, ts)."""
    counts = Counter(r[1] for r in rows)
    kept = [r for r in rows if counts[r[1]] >= min_participation]
    accounts = list(dict.fromkeys(r[1] for r in kept))
    x = [r for a in accounts for r in kept if r[1] == a]
    out = []
    for obj in dict.fromkeys(r[0] for r in x):
        group = [r for r in x if r[0] == obj]
        for j in range(len(group)):
            for i in range(j):
                dt = group[i][3] - group[j][3]
                if abs(dt) <= time_window:
                    out.append((obj, group[i], group[j], dt))
    if remove_loops:
        out = [p for p in out if p[1][1] != p[2][1] and p[1][2] != p[2][2] and p[0] != p[1][2] and p[0] != p[2][2]]
    if min_participation >= 1:
        c = {p[1][2] for p in out} | {p[2][2] for p in out}
        in_c = Counter(r[1] for r in x if r[2] in c)
        passing = {r[2] for r in x if r[2] in c and in_c[r[1]] >= min_participation}
        out = [p for p in out if p[1][2] in passing or p[2][2] in passing]
    result = []
    for obj, a, b, dt in out:
        if dt > 0:
            a, b = b, a
        result.append((obj, a[2], b[2], abs(dt), a[1], b[1]))
    return result


def reference_network(pairs, edge_weight):
    agg: dict[tuple, list] = {}
    for obj, c1, c2, dt, a1, a2 in pairs:
        agg.setdefault((min(a1, a2), max(a1, a2)), []).append((obj, c1, c2, dt))
    weights = sorted(len(v) for v in agg.values())
    thr = None
    if weights:
        h = (len(weights) - 1) * edge_weight
        lo = int(h)
        thr = weights[lo] + (h - lo) * (weights[min(lo + 1, len(weights) - 1)] - weights[lo])
    out = {}
    for key, v in agg.items():
        n1, n2 = len({r[1] for r in v}), len({r[2] for r in v})
        out[key] = {"weight": len(v), "avg_time_delta": sum(r[3] for r in v) / len(v), "n_content_id": n1,
                    "n_content_id_y": n2, "edge_symmetry_score": min(n1, n2) / max(n1, n2),
                    "object_ids": ",".join(dict.fromkeys(r[0] for r in v)),
                    "weight_threshold": int(len(v) > thr + 1e-9)}
    return out


share = st.tuples(st.sampled_from(["o1", "o2", "o3", "c1"]), st.sampled_from(["A", "B", "a", "C", "D"]),
                  st.sampled_from([f"c{i}" for i in range(1, 9)]), st.integers(0, 150))


@settings(max_examples=300, deadline=None)
@given(st.lists(share, max_size=30), st.integers(0, 80), st.integers(0, 3), st.booleans(),
       st.sampled_from([0.0, 0.25, 0.5, 0.9, 1.0]))
def test_equals_a_plain_double_loop_reading_of_the_spec(rows, time_window, min_participation, remove_loops,
                                                        edge_weight) -> None:
    expected = reference_detect_groups(rows, time_window, min_participation, remove_loops)
    assert _groups(rows, time_window=time_window, min_participation=min_participation,
                   remove_loops=remove_loops) == expected
    if remove_loops:  # the network of CooRTweet's loop-free pairs
        cols = [list(c) for c in zip(*rows)] if rows else [[], [], [], []]
        pairs = detect_groups(*cols, time_window=time_window, min_participation=min_participation)
        net = generate_coordinated_network(pairs, edge_weight=edge_weight, objects=True)
        got = {(e.pop("account_id"), e.pop("account_id_y")): e for e in net.edges.to_pylist()}
        want = reference_network(expected, edge_weight)
        assert list(got) == list(want)  # igraph's edge order: first appearance
        for key, e in want.items():
            assert got[key] == pytest.approx(e)


def reference_flag_speed_share(rows, pairs, time_window, min_participation):
    fast = [p for p in pairs if p[3] <= time_window]
    c = {p[1] for p in fast} | {p[2] for p in fast}
    in_c = Counter(r[1] for r in rows if r[2] in c)
    passing = {r[2] for r in rows if r[2] in c and in_c[r[1]] >= min_participation}
    keys = {(p[1], p[2]) for p in fast if p[1] in passing or p[2] in passing}
    return sorted([p + (int((p[1], p[2]) in keys),) for p in pairs], key=lambda p: (p[1], p[2]))


@settings(max_examples=200, deadline=None)
@given(st.lists(share, max_size=30), st.integers(0, 80), st.integers(0, 40), st.integers(0, 3))
def test_fast_net_equals_a_plain_reading_of_the_spec(rows, time_window, fast_window, min_participation) -> None:
    cols = [list(c) for c in zip(*rows)] if rows else [[], [], [], []]
    pairs = detect_groups(*cols, time_window=time_window, min_participation=min_participation)
    flagged = flag_speed_share(pairs, cols[1], cols[2], time_window=fast_window, min_participation=min_participation)
    expected = reference_flag_speed_share(rows, [tuple(r.values()) for r in pairs.to_pylist()], fast_window,
                                          min_participation)
    assert [tuple(r.values()) for r in flagged.to_pylist()] == expected
    net = generate_coordinated_network(flagged, fast_net=True)
    got = {(e["account_id"], e["account_id_y"]): (e["weight_full"], e["weight_fast"]) for e in net.edges.to_pylist()}
    full = reference_network([p[:6] for p in expected], 0.5)
    fast = reference_network([p[:6] for p in expected if p[6]], 0.5)
    assert got == {k: (e["weight"], fast[k]["weight"] if k in fast else None) for k, e in full.items()}
    for e in net.edges.to_pylist():
        key = (e["account_id"], e["account_id_y"])
        assert e["weight_threshold_fast"] == (fast[key]["weight_threshold"] if key in fast else None)
        assert e["weight_threshold_full"] == full[key]["weight_threshold"]


def test_fast_filter_drops_pairs_whose_content_ids_are_not_in_the_data() -> None:
    # CooRTweet filters the fast pairs even at min_participation 0, looking their ids up in the data
    pairs = detect_groups(["o", "o"], ["A", "B"], ["a", "b"], [0, 1], min_participation=0)
    flagged = flag_speed_share(pairs, ["A"], ["x"], time_window=10, min_participation=0)
    assert flagged["time_window_10"].to_pylist() == [0]
    flagged = flag_speed_share(pairs, ["A"], ["a"], time_window=10, min_participation=0)
    assert flagged["time_window_10"].to_pylist() == [1]
