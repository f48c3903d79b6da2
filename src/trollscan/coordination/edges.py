"""Account pairs that act on the same targets within a time window, scored against a null model.

Score of a pair (a, b): the sum, over the distinct targets both acted on within the window, of the
target's rarity 1 / log2(1 + k) (k: accounts acting on the target), divided by
sqrt((d_a + 5) * (d_b + 5)) (d: distinct targets each account acted on in the layer; the 5 keeps
accounts with a handful of actions from scoring high on one or two chance meetings). Two accounts that again and again act
on the same obscure items within seconds score high; a pair that met on one viral post among
thousands, or two hyperactive accounts that meet everywhere by chance, score low.

The null model keeps every target's timing and every account's number of actions, but gives the
actions to accounts at random (seeded). Edges are kept from the lowest score at which the null
model, averaged over its rounds, explains at most `fdr` of the edges kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..store.engine import Engine, memory_engine
from .window import SortedActions, codes, sort_actions, window_pairs

__all__ = ["CoActionResult", "co_action_edges", "strength", "shuffle_keys"]


# Added to each account's number of targets before normalising: two accounts with two actions each
# that met twice by chance must not outscore a pair that met twenty times.
_SHRINK = 5.0


@dataclass(frozen=True)
class CoActionResult:
    edges: pa.Table  # account_a, account_b, weight, n_targets, n_items, first_ts, last_ts
    links: pa.Table  # account_a, account_b, row_a, row_b: input rows of the actions linking each edge
    threshold: float  # the score from which edges are kept
    candidates: int  # pairs repeating at least min_targets times, before the threshold
    null_mean: float  # null pairs scoring >= threshold, mean per round
    crowded: int = 0  # targets left out for having more than max_target_actions actions


_MAX_SCORE = 1.0 / np.log2(3)  # two accounts acting only together, on targets nobody else touched


def strength(weight):
    """A pair score as a strength from 0 to 1: relative to the highest score, capped at 1."""
    return pc.min_element_wise(pc.divide(weight, _MAX_SCORE), 1.0)


# Rarity travels as an integer number of 1e-12 units so that sums do not depend on the order a
# parallel engine adds them in: the same input always gives bit-identical scores.
_RARITY_UNIT = 1e12
_PAIR_SCHEMA = pa.schema([("pk", pa.int64()), ("t", pa.int64()), ("r", pa.int64()),
                          ("ts_i", pa.int64()), ("ts_j", pa.int64()), ("row_lo", pa.int64()), ("row_hi", pa.int64())])

# Per account pair: distinct targets, co-actions, summed target rarity, first and last time;
# only pairs repeating at least $min times. {count} is n_targets or n_items (the layer's rule).
PAIRS_SQL = """
SELECT pk, count(*) AS n_targets, CAST(sum(n) AS BIGINT) AS n_items, CAST(sum(r) AS BIGINT) AS rarity, min(first) AS first_ts,
       max(last) AS last_ts
FROM (SELECT pk, t, count(*) AS n, any_value(r) AS r, min(ts_i) AS first, max(ts_j) AS last FROM pairs GROUP BY pk, t)
GROUP BY pk HAVING {count} >= $min
"""
# For each kept pair, the first $limit action pairs that link it: earliest first, then by the
# input row of the action of account_a (the lower id as text) and of account_b.
LINKS_SQL = """
SELECT pk, ts, row_lo, row_hi FROM (
    SELECT p.pk, least(p.ts_i, p.ts_j) AS ts, p.row_lo, p.row_hi,
           row_number() OVER (PARTITION BY p.pk ORDER BY least(p.ts_i, p.ts_j),
                              CASE WHEN k.swapped THEN p.row_hi ELSE p.row_lo END,
                              CASE WHEN k.swapped THEN p.row_lo ELSE p.row_hi END) AS rank
    FROM pairs p JOIN kept k ON p.pk = k.pk)
WHERE rank <= $limit
"""


def _pair_stream(acts: SortedActions, width: int, rarity: np.ndarray, *, window_s: int | None
                 ) -> pa.RecordBatchReader:
    """Every action pair of the window as a stream of record batches (one block at a time)."""
    units = np.round(rarity * _RARITY_UNIT).astype(np.int64)

    def batches():
        for i, j in window_pairs(acts, window_s=window_s):
            ai, aj = acts.account[i], acts.account[j]
            lower_first = ai < aj
            row_i, row_j = acts.order[i], acts.order[j]
            yield pa.record_batch([
                np.minimum(ai, aj) * width + np.maximum(ai, aj), acts.target[i], units[acts.target[i]],
                acts.ts[i], acts.ts[j], np.where(lower_first, row_i, row_j), np.where(lower_first, row_j, row_i),
            ], schema=_PAIR_SCHEMA)
    return pa.RecordBatchReader.from_batches(_PAIR_SCHEMA, batches())


def _pairs(engine: Engine, acts: SortedActions, width: int, rarity: np.ndarray, *, window_s: int | None,
           min_repeats: int, repeats: str) -> pa.Table:
    sql = PAIRS_SQL.replace("{count}", "count(*)" if repeats == "targets" else "CAST(sum(n) AS BIGINT)")
    return engine(sql, {"pairs": _pair_stream(acts, width, rarity, window_s=window_s)}, {"min": min_repeats})


def _score(pairs: pa.Table, degree: np.ndarray, width: int, repeats: str) -> pa.Table:
    """The pairs with their score as `weight`."""
    pk = pairs["pk"].to_numpy()
    a, b = pk // width, pk % width
    raw = pairs["rarity"].to_numpy() / _RARITY_UNIT
    if repeats == "items":  # one shared target (an IP address): each co-action on it counts
        raw = raw * pairs["n_items"].to_numpy() / np.maximum(pairs["n_targets"].to_numpy(), 1)
    weight = raw / np.sqrt((degree[a] + _SHRINK) * (degree[b] + _SHRINK))
    return pairs.append_column("weight", pa.array(weight))


def co_action_edges(
    account,
    target,
    ts: np.ndarray,
    *,
    window_s: int | None,
    min_targets: int = 2,
    fdr: float | None = 0.01,
    null_rounds: int = 2,
    seed: int = 1,
    repeats: str = "targets",
    links_per_edge: int = 10,
    max_target_actions: int = 5000,
    engine: Engine | None = None,
) -> CoActionResult:
    """Edges between accounts (named as in `account`) from actions (account, target, ts).

    `window_s`: seconds (inclusive) within which two actions on one target count together; None
    for any time. `min_targets`: distinct targets a pair must share (with `repeats="items"`: the
    co-actions, for layers whose target is one shared thing such as an IP address). `fdr`: the
    share of kept edges the null model may explain; None keeps every pair with `min_targets`.
    `max_target_actions`: targets with more actions are left out (a post with thousands of
    comments links its commenters too weakly to matter, and would cost millions of pairs).
    `engine`: where the pairs are counted (the case's engine in a scan; an in-memory one if None).
    """
    acc, names = codes(account)
    tgt, _ = codes(target)
    ts = np.asarray(ts, dtype=np.int64)
    per_target = np.bincount(tgt, minlength=int(tgt.max(initial=-1)) + 1)
    crowded = per_target > max_target_actions
    rows = np.arange(len(tgt))
    if crowded.any():
        keep = ~crowded[tgt]
        rows, acc, tgt, ts = rows[keep], acc[keep], tgt[keep], ts[keep]
    width = max(len(names), 1)
    distinct = np.unique(tgt * width + acc)  # (target, account) once
    k = np.bincount(distinct // width, minlength=int(tgt.max(initial=-1)) + 1)
    degree = np.bincount(distinct % width, minlength=width).astype(np.float64)
    rarity = 1.0 / np.log2(1.0 + np.maximum(k, 1))
    acts = sort_actions(tgt, ts, acc)
    engine = engine or memory_engine()
    count = {"min_repeats": min_targets, "repeats": repeats, "window_s": window_s}
    observed = _score(_pairs(engine, acts, width, rarity, **count), degree, width, repeats)
    threshold, null_mean = 0.0, 0.0
    if fdr is not None and observed.num_rows:
        nulls = []
        for round_ in range(null_rounds):
            shuffled = acc[np.argsort(np.lexsort((np.arange(len(acc)), shuffle_keys(len(acc), seed, round_))),
                                      kind="stable")]
            s_distinct = np.unique(tgt * width + shuffled)
            s_degree = np.bincount(s_distinct % width, minlength=width).astype(np.float64)
            null = _score(_pairs(engine, sort_actions(tgt, ts, shuffled), width, rarity, **count),
                          s_degree, width, repeats)
            nulls.append(np.sort(null["weight"].to_numpy()))
        threshold, null_mean = _fdr_threshold(np.sort(observed["weight"].to_numpy()), nulls, fdr)
    kept = observed.filter(pc.greater_equal(observed["weight"], threshold))
    pk = kept["pk"].to_numpy()
    a_names, b_names = names.take(pa.array(pk // width)), names.take(pa.array(pk % width))
    swap = pc.greater(a_names, b_names)  # account_a < account_b as text, whatever the codes were
    edges = pa.table({
        "pk": kept["pk"], "swapped": swap,
        "account_a": pc.if_else(swap, b_names, a_names), "account_b": pc.if_else(swap, a_names, b_names),
        "weight": kept["weight"], "n_targets": kept["n_targets"], "n_items": kept["n_items"],
        "first_ts": kept["first_ts"], "last_ts": kept["last_ts"],
    }).sort_by([("weight", "descending"), ("account_a", "ascending"), ("account_b", "ascending")])
    links = _links(engine, acts, width, rarity, edges, window_s=window_s, limit=links_per_edge)
    if crowded.any():  # back to the caller's row numbers
        links = links.set_column(2, "row_a", pa.array(rows[links["row_a"].to_numpy()]))
        links = links.set_column(3, "row_b", pa.array(rows[links["row_b"].to_numpy()]))
    return CoActionResult(edges.drop_columns(["pk", "swapped"]), links, threshold, observed.num_rows, null_mean,
                          int(crowded.sum()))


# The null model's shuffle is a permutation by a keyed hash of the row position, written in plain
# 64-bit integer arithmetic (no overflow: every product stays below 2**62) so that numpy, DuckDB and
# Spark SQL compute the very same permutation. See SHUFFLE_SQL in relational.py.
_P = 2_147_483_647


def shuffle_keys(n: int, seed: int, round_: int) -> np.ndarray:
    """A pseudo-random sort key per row position 0..n-1 (ties broken by position)."""
    x = (np.arange(n, dtype=np.int64) % _P * 48271 + (seed * 1009 + round_ * 7919) % _P) % _P
    x = (x * x + 12345) % _P
    x = (x * 69621 + 1) % _P
    return (x * x + 54321) % _P


def _fdr_threshold(observed: np.ndarray, nulls: list[np.ndarray], fdr: float) -> tuple[float, float]:
    """The lowest score s with mean(#null >= s) <= fdr * #observed >= s (all sorted ascending)."""
    candidates = np.unique(observed)
    n_obs = len(observed) - np.searchsorted(observed, candidates, side="left")
    n_null = np.mean([len(x) - np.searchsorted(x, candidates, side="left") for x in nulls], axis=0)
    ok = np.flatnonzero(n_null <= fdr * n_obs)
    if not len(ok):
        return float("inf"), 0.0
    return float(candidates[ok[0]]), float(n_null[ok[0]])


def _links(engine: Engine, acts: SortedActions, width: int, rarity: np.ndarray, edges: pa.Table, *,
           window_s: int | None, limit: int) -> pa.Table:
    """For each edge, the input rows of up to `limit` action pairs that link it, earliest first;
    row_a is the action of account_a, row_b that of account_b."""
    if not edges.num_rows:
        return pa.table({"account_a": pa.array([], pa.string()), "account_b": pa.array([], pa.string()),
                         "row_a": pa.array([], pa.int64()), "row_b": pa.array([], pa.int64())})
    found = engine(LINKS_SQL, {"pairs": _pair_stream(acts, width, rarity, window_s=window_s),
                               "kept": edges.select(["pk", "swapped"])}, {"limit": limit})
    by_pk = edges.sort_by("pk")
    at = np.searchsorted(by_pk["pk"].to_numpy(), found["pk"].to_numpy())
    swapped = by_pk["swapped"].to_numpy(zero_copy_only=False)[at]  # account_a is the higher code
    lo, hi = found["row_lo"].to_numpy(), found["row_hi"].to_numpy()
    links = pa.table({
        "account_a": by_pk["account_a"].take(pa.array(at)), "account_b": by_pk["account_b"].take(pa.array(at)),
        "row_a": np.where(swapped, hi, lo), "row_b": np.where(swapped, lo, hi), "ts": found["ts"],
    })
    order = [("account_a", "ascending"), ("account_b", "ascending"), ("ts", "ascending"), ("row_a", "ascending"),
             ("row_b", "ascending")]
    return links.sort_by(order).drop_columns(["ts"])
