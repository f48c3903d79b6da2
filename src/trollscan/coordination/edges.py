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

from .. import settings
from .window import SortedActions, sort_actions, window_pairs

__all__ = ["CoActionResult", "co_action_edges"]

_EMPTY = pa.schema([("pk", pa.int64()), ("n_targets", pa.int64()), ("n_items", pa.int64()),
                    ("rarity", pa.float64()), ("first_ts", pa.int64()), ("last_ts", pa.int64())])


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


def _codes(values) -> tuple[np.ndarray, pa.Array]:
    """Integer codes of the values, and the values of the codes."""
    encoded = pc.dictionary_encode(pc.cast(values, pa.string()))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks() if encoded.num_chunks else pa.DictionaryArray.from_arrays(
            pa.array([], pa.int32()), pa.array([], pa.string()))
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), encoded.dictionary


def _pairs(acts: SortedActions, width: int, rarity: np.ndarray, repeated: np.ndarray, *,
           window_s: int | None, passes: int, keep) -> pa.Table:
    """One row per account pair that `keep` accepts: distinct targets, co-actions, summed rarity,
    first and last time.

    The pairs are counted in `passes` passes, each over the account pairs of one hash partition
    (pk % passes), so memory holds one partition's pairs, not all of them; `keep` (a filter on
    each partition's result) drops the pairs that repeat too little before the next pass.
    `repeated[t]` says whether some account acted more than once on target t: only the pairs on
    such targets need counting per (pair, target) before counting per pair.
    """
    kept = []
    for part in range(passes):
        simple, multiple = [], []
        for i, j in window_pairs(acts, window_s=window_s):
            ai, aj = acts.account[i], acts.account[j]
            pk = np.minimum(ai, aj) * width + np.maximum(ai, aj)
            if passes > 1:
                mine = pk % passes == part
                i, j, pk = i[mine], j[mine], pk[mine]
            t = acts.target[i]
            rep = repeated[t]
            once = ~rep
            simple.append(pa.table({"pk": pk[once], "r": rarity[t[once]], "ts_i": acts.ts[i[once]],
                                    "ts_j": acts.ts[j[once]]}).group_by("pk", use_threads=False).aggregate(
                [("r", "count"), ("r", "sum"), ("ts_i", "min"), ("ts_j", "max")]).rename_columns(
                ["pk", "n", "r", "first", "last"]))
            if rep.any():
                multiple.append(pa.table({"pk": pk[rep], "t": t[rep], "ts_i": acts.ts[i[rep]],
                                          "ts_j": acts.ts[j[rep]]}).group_by(["pk", "t"], use_threads=False).aggregate(
                    [("ts_i", "count"), ("ts_i", "min"), ("ts_j", "max")]))
        parts = [p.append_column("n_targets", p["n"]) for p in simple]
        if multiple:
            per_target = pa.concat_tables(multiple).group_by(["pk", "t"], use_threads=False).aggregate(
                [("ts_i_count", "sum"), ("ts_i_min", "min"), ("ts_j_max", "max")]).rename_columns(
                ["pk", "t", "n", "first", "last"])
            per_target = per_target.append_column("r", pa.array(rarity[per_target["t"].to_numpy()]))
            per_target = per_target.append_column("n_targets", pa.array(np.ones(per_target.num_rows, np.int64)))
            parts.append(per_target.select(["pk", "n", "r", "first", "last", "n_targets"]))
        if not parts:
            continue
        merged = pa.concat_tables(parts)
        if len(parts) > 1:
            merged = merged.group_by("pk", use_threads=False).aggregate(
                [("n_targets", "sum"), ("n", "sum"), ("r", "sum"), ("first", "min"), ("last", "max")])
            merged = merged.rename_columns(["pk", "n_targets", "n", "r", "first", "last"])
        kept.append(keep(pa.table({"pk": merged["pk"], "n_targets": merged["n_targets"], "n_items": merged["n"],
                                   "rarity": merged["r"], "first_ts": merged["first"], "last_ts": merged["last"]})))
    return pa.concat_tables(kept) if kept else keep(_EMPTY.empty_table())


def _passes(acts: SortedActions, window_s: int | None) -> int:
    """Enough passes that one holds about `coaction_pairs_per_pass` pairs."""
    total = sum(len(i) for i, _ in window_pairs(acts, window_s=window_s))
    return max(1, -(-total // settings.get("coaction_pairs_per_pass")))


def _score(pairs: pa.Table, degree: np.ndarray, width: int, min_repeats: int, repeats: str) -> pa.Table:
    """The pairs repeating at least `min_repeats` times, with their score as `weight`."""
    count = pairs["n_targets"] if repeats == "targets" else pairs["n_items"]
    pairs = pairs.filter(pc.greater_equal(count, min_repeats))
    pk = pairs["pk"].to_numpy()
    a, b = pk // width, pk % width
    raw = pairs["rarity"].to_numpy()
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
) -> CoActionResult:
    """Edges between accounts (named as in `account`) from actions (account, target, ts).

    `window_s`: seconds (inclusive) within which two actions on one target count together; None
    for any time. `min_targets`: distinct targets a pair must share (with `repeats="items"`: the
    co-actions, for layers whose target is one shared thing such as an IP address). `fdr`: the
    share of kept edges the null model may explain; None keeps every pair with `min_targets`.
    """
    acc, names = _codes(account)
    tgt, _ = _codes(target)
    ts = np.asarray(ts, dtype=np.int64)
    width = max(len(names), 1)
    distinct = np.unique(tgt * width + acc)  # (target, account) once
    n_targets = int(tgt.max(initial=-1)) + 1
    k = np.bincount(distinct // width, minlength=n_targets)
    repeated = k < np.bincount(tgt, minlength=n_targets)  # some account acted twice on the target
    degree = np.bincount(distinct % width, minlength=width).astype(np.float64)
    rarity = 1.0 / np.log2(1.0 + np.maximum(k, 1))
    acts = sort_actions(tgt, ts, acc)
    passes = _passes(acts, window_s) if len(ts) else 1
    observed = _pairs(acts, width, rarity, repeated, window_s=window_s, passes=passes,
                      keep=lambda p: _score(p, degree, width, min_targets, repeats))
    threshold, null_mean = 0.0, 0.0
    if fdr is not None and observed.num_rows:
        rng = np.random.default_rng(seed)
        nulls = []
        for _ in range(null_rounds):
            shuffled = rng.permutation(acc)
            s_distinct = np.unique(tgt * width + shuffled)
            s_degree = np.bincount(s_distinct % width, minlength=width).astype(np.float64)
            s_repeated = np.bincount(s_distinct // width, minlength=n_targets) < np.bincount(tgt, minlength=n_targets)
            null = _pairs(sort_actions(tgt, ts, shuffled), width, rarity, s_repeated, window_s=window_s,
                          passes=passes, keep=lambda p, d=s_degree: _score(p, d, width, min_targets, repeats))
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
    links = _links(acts, width, edges, window_s=window_s, limit=links_per_edge)
    return CoActionResult(edges.drop_columns(["pk", "swapped"]), links, threshold, observed.num_rows, null_mean)


def _fdr_threshold(observed: np.ndarray, nulls: list[np.ndarray], fdr: float) -> tuple[float, float]:
    """The lowest score s with mean(#null >= s) <= fdr * #observed >= s (all sorted ascending)."""
    candidates = np.unique(observed)
    n_obs = len(observed) - np.searchsorted(observed, candidates, side="left")
    n_null = np.mean([len(x) - np.searchsorted(x, candidates, side="left") for x in nulls], axis=0)
    ok = np.flatnonzero(n_null <= fdr * n_obs)
    if not len(ok):
        return float("inf"), 0.0
    return float(candidates[ok[0]]), float(n_null[ok[0]])


def _links(acts: SortedActions, width: int, edges: pa.Table, *, window_s: int | None, limit: int) -> pa.Table:
    """For each edge, the input rows of up to `limit` action pairs that link it, earliest first;
    row_a is the action of account_a, row_b that of account_b."""
    if not edges.num_rows:
        return pa.table({"account_a": pa.array([], pa.string()), "account_b": pa.array([], pa.string()),
                         "row_a": pa.array([], pa.int64()), "row_b": pa.array([], pa.int64())})
    by_pk = edges.sort_by("pk")
    wanted = by_pk["pk"].to_numpy()
    hits = []
    for i, j in window_pairs(acts, window_s=window_s):
        ai, aj = acts.account[i], acts.account[j]
        pk = np.minimum(ai, aj) * width + np.maximum(ai, aj)
        at = np.minimum(np.searchsorted(wanted, pk), len(wanted) - 1)
        hit = wanted[at] == pk
        lower_first = ai[hit] < aj[hit]
        row_lo = np.where(lower_first, acts.order[i[hit]], acts.order[j[hit]])
        row_hi = np.where(lower_first, acts.order[j[hit]], acts.order[i[hit]])
        hits.append((at[hit], np.minimum(acts.ts[i[hit]], acts.ts[j[hit]]), row_lo, row_hi))
    edge, when, row_lo, row_hi = (np.concatenate(x) for x in zip(*hits))
    order = np.lexsort((row_lo, when, edge))  # by edge, then time
    edge, row_lo, row_hi = edge[order], row_lo[order], row_hi[order]
    keep = np.arange(len(edge)) - np.searchsorted(edge, edge, side="left") < limit
    edge, row_lo, row_hi = edge[keep], row_lo[keep], row_hi[keep]
    swapped = by_pk["swapped"].to_numpy(zero_copy_only=False)[edge]  # account_a is the higher code
    return pa.table({
        "account_a": by_pk["account_a"].take(pa.array(edge)), "account_b": by_pk["account_b"].take(pa.array(edge)),
        "row_a": np.where(swapped, row_hi, row_lo), "row_b": np.where(swapped, row_lo, row_hi),
    })
