"""Crowded targets: a burst in which too many accounts met is left out, the same for every engine,
and leaving targets out never changes what the other targets show."""

import numpy as np
import pyarrow as pa
import pytest

from trollscan.coordination.edges import co_action_edges, crowded_targets
from trollscan.coordination.relational import co_action_relational
from trollscan.coordination.window import codes, pairs_per_target, sort_actions, window_ends
from trollscan.store.engine import duckdb_views


def _table(rows) -> pa.Table:
    return pa.table({"account": [r[0] for r in rows], "target": [r[1] for r in rows],
                     "ts": pa.array([r[2] for r in rows], pa.int64()), "row": pa.array(np.arange(len(rows)), pa.int64())})


def _farm_and_bursts(seed: int = 5) -> list[tuple[str, str, int]]:
    """A pair acting together on 3 quiet posts; a viral post with 40 reactions in one burst; a
    popular post with 40 reactions spread over a day; three reactions in the same second; noise."""
    rng = np.random.default_rng(seed)
    rows = [(f"org{rng.integers(60)}", f"post{rng.integers(90)}", int(rng.integers(0, 5 * 86400))) for _ in range(400)]
    rows += [(who, f"quiet{k}", 10_000 * k + d) for k in range(3) for who, d in (("a", 0), ("b", 20))]
    rows += [(f"org{i}", "burst", 50_000 + i) for i in range(38)] + [("a", "burst", 50_010), ("b", "burst", 50_012)]
    rows += [(f"org{i}", "spread", 90_000 + 2_000 * i) for i in range(40)]
    rows += [(f"org{i}", "tie", 70_000) for i in range(3)] + [("org1", "tie", 70_001)]  # 3 pairs in one second
    return rows


def test_pairs_per_target_counts_pairs_within_the_window_whoever_acted() -> None:
    acc, _ = codes(pa.array(["a", "a", "b", "c", "a"]))
    tgt, _ = codes(pa.array(["t", "t", "t", "t", "u"]))
    ts = np.array([0, 10, 10, 200, 0], dtype=np.int64)
    acts = sort_actions(tgt, ts, acc)
    # t: (0,10) (0,10) (10,10) within 60 s; the action at 200 meets nobody; u has one action
    assert pairs_per_target(acts, window_ends(acts, 60), 2).tolist() == [3, 0]
    assert pairs_per_target(acts, window_ends(acts, None), 2).tolist() == [6, 0]


def test_a_burst_is_left_out_and_a_target_as_popular_but_spread_out_is_kept() -> None:
    rows = _farm_and_bursts()
    t = _table(rows)
    result = co_action_edges(t["account"], t["target"], t["ts"].to_numpy(), window_s=60, fdr=None,
                             max_target_pairs=300)
    assert result.crowded == 1  # the burst: 40 reactions within 40 s make 780 pairs; spread: none
    ab = [e for e in result.edges.to_pylist() if (e["account_a"], e["account_b"]) == ("a", "b")]
    assert ab and ab[0]["n_targets"] == 3  # the quiet posts only
    linked_targets = {rows[r][1] for r in result.links.filter(pa.compute.equal(result.links["account_a"], "a"))["row_a"]
                      .to_pylist()}
    assert "burst" not in linked_targets


def test_leaving_a_burst_out_changes_nothing_else() -> None:
    """Without the burst in the input, or with it left out as crowded: the same edges and links."""
    rows = _farm_and_bursts()
    t = _table(rows)
    without = [r for r in rows if r[1] != "burst"]
    w = _table(without)
    capped = co_action_edges(t["account"], t["target"], t["ts"].to_numpy(), window_s=60, fdr=0.05, max_target_pairs=300)
    absent = co_action_edges(w["account"], w["target"], w["ts"].to_numpy(), window_s=60, fdr=0.05)
    assert capped.edges.equals(absent.edges)
    burst_rows = np.flatnonzero(np.array([r[1] == "burst" for r in rows]))
    to_w = np.cumsum([r[1] != "burst" for r in rows]) - 1  # row in `rows` -> row in `without`
    assert not np.isin(capped.links["row_a"].to_numpy(), burst_rows).any()
    assert to_w[capped.links["row_a"].to_numpy()].tolist() == absent.links["row_a"].to_pylist()
    assert to_w[capped.links["row_b"].to_numpy()].tolist() == absent.links["row_b"].to_pylist()


def test_crowded_targets_keeps_the_sort_of_the_kept_actions() -> None:
    rows = _farm_and_bursts(seed=9)
    acc, _ = codes(pa.array([r[0] for r in rows]))
    tgt, _ = codes(pa.array([r[1] for r in rows]))
    ts = np.array([r[2] for r in rows], dtype=np.int64)
    kept, acts, right, crowded = crowded_targets(acc, tgt, ts, window_s=60, max_target_actions=5000,
                                                 max_target_pairs=300)
    fresh = sort_actions(tgt[kept], ts[kept], acc[kept])
    assert crowded == 1
    for a, b in zip((acts.target, acts.ts, acts.account, acts.order), (fresh.target, fresh.ts, fresh.account, fresh.order)):
        assert np.array_equal(a, b)
    assert np.array_equal(right, window_ends(fresh, 60))


@pytest.mark.parametrize("options", [
    dict(window_s=60, fdr=None, max_target_pairs=300),
    dict(window_s=60, fdr=0.05, max_target_pairs=300, max_target_actions=39),
    dict(window_s=None, fdr=None, max_target_pairs=500),
    dict(window_s=0, fdr=0.2, max_target_pairs=2),
])
def test_relational_leaves_out_the_same_targets_as_the_kernel(options) -> None:
    t = _table(_farm_and_bursts())
    kernel = co_action_edges(t["account"], t["target"], t["ts"].to_numpy(), **options)
    run, define = duckdb_views()
    define("actions", t, {})
    relational = co_action_relational(run, define, **options)
    assert relational.crowded == kernel.crowded and kernel.crowded >= 1
    assert relational.edges.equals(kernel.edges)
    assert relational.links.equals(kernel.links)
    assert (relational.threshold, relational.candidates) == (kernel.threshold, kernel.candidates)


def _slogan_and_farm(seed: int = 4) -> list[tuple[str, str, int]]:
    """At any time: a slogan 30 accounts wrote (a and b among them), two texts only a and b
    wrote, one text c and d wrote three times each, and noise."""
    rng = np.random.default_rng(seed)
    rows = [(f"org{rng.integers(80)}", f"text{rng.integers(120)}", int(rng.integers(0, 30 * 86400)))
            for _ in range(500)]
    rows += [(f"org{i}", "slogan", 1_000 * i) for i in range(28)] + [("a", "slogan", 5), ("b", "slogan", 9)]
    rows += [(who, f"copied{k}", 40_000 * k + d) for k in range(2) for who, d in (("a", 0), ("b", 7_000))]
    rows += [(who, "repeated", 90_000 + d) for who in ("c", "d") for d in (0, 10, 20)]
    return rows


def test_a_text_too_many_accounts_wrote_is_left_out_counted_apart_and_changes_nothing_else() -> None:
    rows = _slogan_and_farm()
    t = _table(rows)
    w = _table([r for r in rows if r[1] != "slogan"])
    bounded = co_action_edges(t["account"], t["target"], t["ts"].to_numpy(), window_s=None, fdr=0.05,
                              max_target_accounts=20)
    absent = co_action_edges(w["account"], w["target"], w["ts"].to_numpy(), window_s=None, fdr=0.05)
    unbounded = co_action_edges(t["account"], t["target"], t["ts"].to_numpy(), window_s=None, fdr=0.05)
    assert (bounded.crowded, bounded.many_accounts) == (1, 1) and unbounded.many_accounts == 0
    assert bounded.edges.equals(absent.edges) and not unbounded.edges.equals(absent.edges)
    assert bounded.links.num_rows == absent.links.num_rows
    ab = [e for e in bounded.edges.to_pylist() if (e["account_a"], e["account_b"]) == ("a", "b")]
    assert ab and ab[0]["n_targets"] == 2  # the two copied texts, not the slogan


def test_the_account_bound_counts_accounts_not_actions() -> None:
    """Three texts each written by the same two accounts again and again stay in under a bound of 2."""
    rows = [(who, f"t{k}", 100 * k + i) for k in range(3) for who in ("a", "b") for i in range(5)]
    t = _table(rows)
    result = co_action_edges(t["account"], t["target"], t["ts"].to_numpy(), window_s=None, fdr=None,
                             max_target_accounts=2)
    assert result.crowded == 0 and result.edges.to_pylist()[0]["n_targets"] == 3


@pytest.mark.parametrize("options", [
    dict(window_s=None, fdr=0.05, max_target_accounts=20),
    dict(window_s=None, fdr=None, max_target_accounts=5, max_target_pairs=400),
    dict(window_s=10_000, fdr=None, min_targets=1, max_target_accounts=2),
])
def test_relational_leaves_out_the_same_texts_as_the_kernel(options) -> None:
    t = _table(_slogan_and_farm())
    kernel = co_action_edges(t["account"], t["target"], t["ts"].to_numpy(), **options)
    run, define = duckdb_views()
    define("actions", t, {})
    relational = co_action_relational(run, define, **options)
    assert kernel.many_accounts >= 1 and kernel.edges.num_rows > 0
    assert (relational.crowded, relational.many_accounts) == (kernel.crowded, kernel.many_accounts)
    assert relational.edges.equals(kernel.edges)
    assert relational.links.equals(kernel.links)
    assert (relational.threshold, relational.candidates) == (kernel.threshold, kernel.candidates)


def test_a_scan_counts_the_slogans_same_text_left_out_and_stores_the_bound(case, tmp_path) -> None:
    import json

    from trollscan.errors import BadParameter
    from trollscan.ingest import ingest_files
    from trollscan.scan import scan_coaction
    from trollscan.store.results import read_query

    copied = ["Спасибо Фонду за заботу о молодёжи!", "Нурлы жол это наш общий путь вперёд"]
    rows = [(a, f"{a}{k}", text, f"2019-02-0{k + 1} 10:00:00") for a in ("a", "b") for k, text in enumerate(copied)]
    rows += [(a, f"{a}s", "С праздником всех, дорогие друзья!", "2019-02-05 12:00:00") for a in "abcde"]
    items = tmp_path / "items.csv"
    items.write_text("platform,item_id,account_id,kind,text,created_at\n" + "".join(
        f"vk,{i},{a},post,\"{text}\",{at}\n" for a, i, text, at in rows))
    ingest_files(case, [items])
    summary = scan_coaction(case, layers=["same_text"], fdr=None, max_target_accounts=4)[0]
    assert (summary.crowded, summary.many_accounts, summary.edges) == (1, 1, 1)  # only a-b, on the two texts
    params = read_query(case, "SELECT params FROM runs WHERE detector = 'coaction.same_text'")["params"][0].as_py()
    assert json.loads(params)["max_target_accounts"] == 4
    assert scan_coaction(case, layers=["same_text"], fdr=None, max_target_accounts=5)[0].many_accounts == 0
    with pytest.raises(BadParameter, match="'max_target_accounts' parameter of scan must be an int >= 2; got 1"):
        scan_coaction(case, layers=["same_text"], max_target_accounts=1)
