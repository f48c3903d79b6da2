import numpy as np
import pyarrow as pa
import pytest

from trollscan.coordination import LAYERS, co_action, pair_evidence, render_window
from trollscan.coordination.edges import co_action_edges


def _edges(rows, **kw):
    acc = pa.array([r[0] for r in rows])
    tgt = pa.array([r[1] for r in rows])
    ts = np.array([r[2] for r in rows], dtype=np.int64)
    return co_action_edges(acc, tgt, ts, **kw)


def test_window_is_inclusive_and_pairs_are_not_anchored_at_the_first_action() -> None:
    rows = [("a", "t", 0), ("b", "t", 50), ("c", "t", 100), ("a", "u", 0), ("b", "u", 60), ("c", "u", 110)]
    edges = _edges(rows, window_s=60, min_targets=1, fdr=None).edges.to_pylist()
    got = {(e["account_a"], e["account_b"]): e["n_targets"] for e in edges}
    assert got == {("a", "b"): 2, ("b", "c"): 2}


def test_a_pair_on_one_viral_post_weighs_less_than_on_obscure_ones() -> None:
    viral = [(f"x{i}", "viral", i) for i in range(200)] + [("a", "viral", 5), ("b", "viral", 6)]
    obscure = [("c", "o1", 0), ("d", "o1", 3)]
    edges = {(e["account_a"], e["account_b"]): e["weight"]
             for e in _edges(viral + obscure, window_s=60, min_targets=1, fdr=None).edges.to_pylist()}
    # rarity 1/log2(1 + accounts on the target), over sqrt((targets of a + 5) * (targets of b + 5))
    assert edges[("c", "d")] == pytest.approx(1 / np.log2(1 + 2) / 6)
    assert edges[("a", "b")] == pytest.approx(1 / np.log2(1 + 202) / 6)


def test_the_null_model_keeps_a_planted_group_and_drops_chance_pairs() -> None:
    rng = np.random.default_rng(3)
    rows = []
    for i in range(6000):  # organic: 600 accounts acting on 1,500 posts at random times
        rows.append((f"org{rng.integers(600)}", f"post{rng.integers(1500)}", int(rng.integers(0, 30 * 86400))))
    group = [f"farm{i}" for i in range(8)]
    for k in range(30):  # the farm: 8 accounts on 30 posts within a minute
        t0 = int(rng.integers(0, 30 * 86400))
        for g in group:
            rows.append((g, f"post{k * 50}", t0 + int(rng.integers(0, 60))))
    result = _edges(rows, window_s=60, min_targets=2, fdr=0.01)
    kept = {(e["account_a"], e["account_b"]) for e in result.edges.to_pylist()}
    farm_pairs = {(a, b) for a in group for b in group if a < b}
    assert farm_pairs <= kept
    assert len(kept - farm_pairs) <= 0.01 * len(kept) + 1


def test_no_edges_when_no_pair_repeats() -> None:
    rows = [("a", "t1", 0), ("b", "t1", 5), ("c", "t2", 0), ("d", "t2", 5)]
    assert _edges(rows, window_s=60, min_targets=2, fdr=0.01).edges.num_rows == 0


def test_evidence_names_both_accounts_the_items_and_the_dates() -> None:
    actions = pa.table({"account_id": ["1", "2", "1", "2"], "target": ["p1", "p1", "p2", "p2"],
                        "ts": pa.array([1549512000, 1549512030, 1549598400, 1549598410], pa.int64()),
                        "item_id": ["c1", "c2", "c3", "c4"]})
    layer = LAYERS["co_reply"]
    result, linked = co_action(actions, layer, window_s=60, min_targets=2, fdr=None)
    ev = pair_evidence("facebook", layer, result, linked, {"1": "@aisulu_8080", "2": "@madina_8181"},
                       window_s=60).to_pylist()
    assert len(ev) == 1
    assert ev[0]["sentence"] == ("@aisulu_8080 and @madina_8181 commented on the same 2 posts within 60 seconds "
                                 "of each other, between 7 and 8 Feb 2019.")
    assert ev[0]["item_ids"] == ["c1", "c2", "c3", "c4"]
    assert ev[0]["account_ids"] == ["1", "2"]


@pytest.mark.parametrize("window,text", [(None, ""), (60, " within 60 seconds of each other"),
                                         (600, " within 10 minutes of each other"),
                                         (7200, " within 2 hours of each other")])
def test_window_phrases(window, text) -> None:
    assert render_window(window) == text


def test_targets_with_too_many_actions_are_left_out_and_counted() -> None:
    rows = [("a", "t1", 0), ("b", "t1", 5), ("a", "t2", 100), ("b", "t2", 101)]
    rows += [(f"x{i}", "viral", i) for i in range(30)] + [("a", "viral", 1), ("b", "viral", 2)]
    result = _edges(rows, window_s=60, min_targets=2, fdr=None, max_target_actions=10)
    assert result.crowded == 1
    assert [(e["account_a"], e["account_b"], e["n_targets"]) for e in result.edges.to_pylist()] == [("a", "b", 2)]
    assert result.links.to_pylist() == [{"account_a": "a", "account_b": "b", "row_a": 0, "row_b": 1},
                                        {"account_a": "a", "account_b": "b", "row_a": 2, "row_b": 3}]
