"""Account pairs that act on the same targets within a time window, scored against a null model.

A pair's score adds, over the distinct targets both acted on within the window, the target's
rarity 1 / log2(1 + k), k being the number of accounts acting on the target: two accounts that
again and again act on the same obscure items within seconds score high; a pair that met on one
viral post among thousands scores little. The null model keeps every target's timing and every
account's number of actions but gives the actions to accounts at random (seeded); the score
threshold is the lowest at which the null model explains at most `fdr` of the edges kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .window import SortedActions, sort_actions, window_pairs

__all__ = ["CoActionResult", "co_action_edges", "linking_pairs"]


@dataclass(frozen=True)
class CoActionResult:
    edges: pa.Table  # account_a, account_b, weight, n_targets, n_items, first_ts, last_ts
    threshold: float  # the score from which edges are kept
    candidates: int  # pairs with >= min_targets targets before the threshold
    null_mean: float  # mean number of null pairs scoring >= threshold, per round


def _codes(values: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Integer codes of the values, and the values of the codes."""
    values = pc.cast(values, pa.string())
    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks() if encoded.num_chunks else pa.DictionaryArray.from_arrays(
            pa.array([], pa.int32()), pa.array([], pa.string()))
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), encoded.dictionary


def _pair_table(acts: SortedActions, *, window_s: int | None) -> pa.Table:
    """One row per (account pair, target): co-actions and first/last time, over all blocks."""
    parts = []
    for i, j in window_pairs(acts, window_s=window_s):
        a = np.minimum(acts.account[i], acts.account[j])
        b = np.maximum(acts.account[i], acts.account[j])
        block = pa.table({"a": a, "b": b, "t": acts.target[i], "ts_i": acts.ts[i], "ts_j": acts.ts[j]})
        parts.append(block.group_by(["a", "b", "t"], use_threads=True).aggregate(
            [("ts_i", "count"), ("ts_i", "min"), ("ts_j", "max")]))
    if not parts:
        return pa.table({"a": pa.array([], pa.int64()), "b": pa.array([], pa.int64()),
                         "t": pa.array([], pa.int64()), "n": pa.array([], pa.int64()),
                         "first": pa.array([], pa.int64()), "last": pa.array([], pa.int64())})
    table = pa.concat_tables(parts).group_by(["a", "b", "t"]).aggregate(
        [("ts_i_count", "sum"), ("ts_i_min", "min"), ("ts_j_max", "max")])
    return table.rename_columns(["a", "b", "t", "n", "first", "last"])


def _edges(pairs: pa.Table, rarity: np.ndarray, min_targets: int, repeats: str) -> pa.Table:
    w = rarity[pairs["t"].to_numpy()]
    if repeats == "items":  # one shared target (an IP): each co-action on it counts
        w = w * pairs["n"].to_numpy()
    w = pa.array(w)
    per_pair = pairs.append_column("w", w).group_by(["a", "b"]).aggregate(
        [("t", "count"), ("n", "sum"), ("w", "sum"), ("first", "min"), ("last", "max")])
    per_pair = per_pair.rename_columns(["a", "b", "n_targets", "n_items", "weight", "first_ts", "last_ts"])
    count = per_pair["n_targets"] if repeats == "targets" else per_pair["n_items"]
    return per_pair.filter(pc.greater_equal(count, min_targets))


def co_action_edges(
    account: pa.Array,
    target: pa.Array,
    ts: np.ndarray,
    *,
    window_s: int | None,
    min_targets: int = 2,
    fdr: float | None = 0.01,
    null_rounds: int = 2,
    seed: int = 1,
    repeats: str = "targets",
) -> CoActionResult:
    """Edges between accounts (as their values in `account`) from actions (account, target, ts).

    `window_s`: seconds (inclusive) within which two actions on one target count together; None
    for any time. `min_targets`: distinct targets a pair must share (with `repeats="items"`: the
    co-actions, for layers whose target is one shared thing such as an IP address). `fdr`: the share of kept
    edges the null model may explain (None keeps every pair with `min_targets`).
    """
    acc, acc_names = _codes(account)
    tgt, _ = _codes(target)
    ts = np.asarray(ts, dtype=np.int64)
    # rarity of a target: fewer accounts, more telling
    k = np.bincount(np.unique(tgt * (acc.max(initial=0) + 1) + acc) // (acc.max(initial=0) + 1),
                    minlength=int(tgt.max(initial=-1)) + 1)
    rarity = 1.0 / np.log2(1.0 + np.maximum(k, 1))
    observed = _edges(_pair_table(sort_actions(tgt, ts, acc), window_s=window_s), rarity, min_targets, repeats)
    threshold, null_mean = 0.0, 0.0
    if fdr is not None and observed.num_rows:
        rng = np.random.default_rng(seed)
        null_scores = []
        for _ in range(null_rounds):
            shuffled = rng.permutation(acc)
            null = _edges(_pair_table(sort_actions(tgt, ts, shuffled), window_s=window_s),
                          rarity, min_targets, repeats)
            null_scores.append(np.sort(null["weight"].to_numpy()))
        threshold, null_mean = _fdr_threshold(np.sort(observed["weight"].to_numpy()), null_scores, fdr)
    kept = observed.filter(pc.greater_equal(observed["weight"], threshold))
    names = acc_names
    a_names = names.take(kept["a"])
    b_names = names.take(kept["b"])
    # account_a < account_b as text, whatever the codes were
    swap = pc.greater(a_names, b_names)
    edges = pa.table({
        "account_a": pc.if_else(swap, b_names, a_names),
        "account_b": pc.if_else(swap, a_names, b_names),
        "weight": kept["weight"],
        "n_targets": kept["n_targets"],
        "n_items": kept["n_items"],
        "first_ts": kept["first_ts"],
        "last_ts": kept["last_ts"],
    }).sort_by([("weight", "descending"), ("account_a", "ascending"), ("account_b", "ascending")])
    return CoActionResult(edges, threshold, observed.num_rows, null_mean)


def _fdr_threshold(observed: np.ndarray, nulls: list[np.ndarray], fdr: float) -> tuple[float, float]:
    """The lowest score s with mean(#null >= s) <= fdr * #observed >= s (scores sorted ascending)."""
    for s in np.unique(observed):
        n_obs = len(observed) - np.searchsorted(observed, s, side="left")
        n_null = np.mean([len(x) - np.searchsorted(x, s, side="left") for x in nulls])
        if n_null <= fdr * n_obs:
            return float(s), float(n_null)
    return float("inf"), 0.0


def linking_pairs(account: pa.Array, target: pa.Array, ts: np.ndarray, *, window_s: int | None,
                  pairs: set[tuple[str, str]], limit: int = 50) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """For the given account pairs (a < b), the input rows of the actions that link them: up to
    `limit` (row of a's action, row of b's action) per pair, earliest first."""
    acc, names = _codes(account)
    tgt, _ = _codes(target)
    acts = sort_actions(tgt, np.asarray(ts, dtype=np.int64), acc)
    name_of = names.to_pylist()
    wanted = {}
    index = {n: c for c, n in enumerate(name_of)}
    for a, b in pairs:
        if a in index and b in index:
            wanted[(min(index[a], index[b]), max(index[a], index[b]))] = (a, b)
    out: dict[tuple[str, str], list[tuple[int, int]]] = {p: [] for p in wanted.values()}
    if not wanted:
        return out
    codes = np.array(sorted(wanted), dtype=np.int64)
    width = int(acc.max()) + 1
    wanted_keys = codes[:, 0] * width + codes[:, 1]
    for i, j in window_pairs(acts, window_s=window_s):
        lo = np.minimum(acts.account[i], acts.account[j])
        hi = np.maximum(acts.account[i], acts.account[j])
        hit = np.isin(lo * width + hi, wanted_keys)
        for x, y in zip(i[hit], j[hit]):
            key = wanted[(min(acts.account[x], acts.account[y]), max(acts.account[x], acts.account[y]))]
            rows = out[key]
            if len(rows) < limit:
                first, second = (x, y) if name_of[acts.account[x]] == key[0] else (y, x)
                rows.append((int(acts.order[first]), int(acts.order[second])))
    return out
