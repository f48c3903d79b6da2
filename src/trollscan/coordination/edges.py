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
from .window import SortedActions, codes, pairs_per_target, sort_actions, window_ends, window_pairs

__all__ = ["CoActionResult", "co_action_edges", "crowded_targets", "strength", "shuffle_keys", "MAX_TARGET_PAIRS",
           "MAX_TARGET_ACCOUNTS", "accounts_per_target"]


# Added to each account's number of targets before normalising: two accounts with two actions each
# that met twice by chance must not outscore a pair that met twenty times.
_SHRINK = 5.0
# Targets whose actions make more pairs than this within the window are left out (`crowded_targets`):
# a million pairs is about 1,400 accounts all acting on one target within one window.
MAX_TARGET_PAIRS = 1_000_000
# In layers bounded by accounts (same_text, at any time), a target more accounts acted on is left
# out: a text 200 people wrote is a slogan or an everyday phrase, not a tie between any two of them.
# The text step bounds its families the same way (`scan_text(max_edge_accounts=200)`).
MAX_TARGET_ACCOUNTS = 200


@dataclass(frozen=True)
class CoActionResult:
    edges: pa.Table  # account_a, account_b, weight, n_targets, n_items, first_ts, last_ts
    links: pa.Table  # account_a, account_b, row_a, row_b: input rows of the actions linking each edge
    threshold: float  # the score from which edges are kept
    candidates: int  # pairs repeating at least min_targets times, before the threshold
    null_mean: float  # null pairs scoring >= threshold, mean per round
    crowded: int = 0  # targets left out: too many actions, pairs within the window or accounts
    many_accounts: int = 0  # of those, the targets more than max_target_accounts accounts acted on


_MAX_SCORE = 1.0 / np.log2(3)  # two accounts acting only together, on targets nobody else touched


def strength(weight):
    """A pair score as a strength from 0 to 1: relative to the highest score, capped at 1."""
    return pc.min_element_wise(pc.divide(weight, _MAX_SCORE), 1.0)


# Rarity travels as an integer number of 1e-12 units so that sums do not depend on the order a
# parallel engine adds them in: the same input always gives bit-identical scores.
_RARITY_UNIT = 1e12
_PAIR_SCHEMA = pa.schema([("pk", pa.int64()), ("t", pa.int64()), ("r", pa.int64()),
                          ("ts_i", pa.int64()), ("ts_j", pa.int64()), ("row_lo", pa.int64()), ("row_hi", pa.int64())])
# Per pair of accounts and target: the pair key, co-actions, the target's rarity, first and last time.
_COUNT_SCHEMA = pa.schema([("pk", pa.int64()), ("n", pa.int64()), ("r", pa.int64()), ("first", pa.int64()),
                           ("last", pa.int64())])

# Per account pair: distinct targets, co-actions, summed target rarity, first and last time;
# only pairs repeating at least $min times. {count} is n_targets or n_items (the layer's rule).
# The stream holds one row per pair and target already (`_pair_stream`).
PAIRS_SQL = """
SELECT pk, count(*) AS n_targets, CAST(sum(n) AS BIGINT) AS n_items, CAST(sum(r) AS BIGINT) AS rarity{times}
FROM pairs GROUP BY pk HAVING {count} >= $min
"""
_TIMES = ", min(first) AS first_ts, max(last) AS last_ts"
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


def _pair_stream(acts: SortedActions, width: int, rarity: np.ndarray, *, window_s: int | None,
                 right: np.ndarray | None = None, only: np.ndarray | None = None,
                 repeated: np.ndarray | None = None) -> pa.RecordBatchReader:
    """The action pairs of the window as a stream of record batches (one block at a time).

    Without `only`: one row per pair of accounts and target (`_COUNT_SCHEMA`); `repeated` marks the
    targets on which some account acted more than once, the only ones where a pair of accounts
    can meet more than once (those pairs are folded here, each target's pairs being in one block).
    With `only` (sorted pair keys): every action pair of those keys, with the input rows of its
    two actions (for the links)."""
    units = np.round(rarity * _RARITY_UNIT).astype(np.int64)
    schema = _COUNT_SCHEMA if only is None else _PAIR_SCHEMA

    def batches():
        for i, j in window_pairs(acts, window_s=window_s, right=right, whole_targets=only is None):
            ai, aj = acts.account[i], acts.account[j]
            pk = np.minimum(ai, aj) * width + np.maximum(ai, aj)
            if only is not None:
                at = np.minimum(np.searchsorted(only, pk), len(only) - 1)  # `only` holds the kept pairs: never empty
                hit = only[at] == pk
                if not hit.all():
                    i, j, ai, aj, pk = i[hit], j[hit], ai[hit], aj[hit], pk[hit]
                if not len(pk):
                    continue
                lower_first = ai < aj
                row_i, row_j = acts.order[i], acts.order[j]
                yield pa.record_batch([pk, acts.target[i], units[acts.target[i]], acts.ts[i], acts.ts[j],
                                       np.where(lower_first, row_i, row_j), np.where(lower_first, row_j, row_i)],
                                      schema=schema)
            elif len(pk):
                yield pa.record_batch(_fold(pk, acts.target[i], acts.ts[i], acts.ts[j], units, repeated), schema=schema)
    return pa.RecordBatchReader.from_batches(schema, batches())


def _fold(pk: np.ndarray, t: np.ndarray, ts_i: np.ndarray, ts_j: np.ndarray, units: np.ndarray,
          repeated: np.ndarray | None) -> list[np.ndarray]:
    """One row per (pair, target) of a block: pk, co-actions, rarity units, first and last time."""
    rep = repeated[t] if repeated is not None else np.ones(len(pk), dtype=bool)
    if not rep.any():
        return [pk, np.ones(len(pk), dtype=np.int64), units[t], ts_i, ts_j]
    single, multi = np.flatnonzero(~rep), np.flatnonzero(rep)
    o = multi[_by_target_and_pair(t[multi], pk[multi])]
    kp, kt = pk[o], t[o]
    start = np.flatnonzero(np.concatenate([[True], (kp[1:] != kp[:-1]) | (kt[1:] != kt[:-1])]))
    n = np.diff(np.append(start, len(o)))
    return [np.concatenate([pk[single], kp[start]]), np.concatenate([np.ones(len(single), dtype=np.int64), n]),
            units[np.concatenate([t[single], kt[start]])],
            np.concatenate([ts_i[single], np.minimum.reduceat(ts_i[o], start)]),
            np.concatenate([ts_j[single], np.maximum.reduceat(ts_j[o], start)])]


def _by_target_and_pair(t: np.ndarray, pk: np.ndarray) -> np.ndarray:
    """Positions sorted by (t, pk): one sort of a combined key where it fits in 64 bits (five times
    faster than a two-key lexsort on millions of pairs), else the lexsort."""
    if not len(t):
        return np.zeros(0, dtype=np.int64)
    t0, span = int(t.min()), int(pk.max()) + 1
    if (int(t.max()) - t0 + 1) * span < 2 ** 63:
        return np.argsort((t - t0) * span + pk, kind="stable")  # ties in the order lexsort keeps them
    return np.lexsort((pk, t))


def _pairs(engine: Engine, acts: SortedActions, width: int, rarity: np.ndarray, *, window_s: int | None,
           min_repeats: int, repeats: str, right: np.ndarray, repeated: np.ndarray, times: bool = True) -> pa.Table:
    """Per pair repeating `min_repeats` times: its counts, summed rarity and (`times`) first and last time."""
    # the null model needs scores only (`times` False): two columns fewer for millions of pairs
    sql = PAIRS_SQL.replace("{count}", "count(*)" if repeats == "targets" else "CAST(sum(n) AS BIGINT)").replace(
        "{times}", _TIMES if times else "")
    return engine(sql, {"pairs": _pair_stream(acts, width, rarity, window_s=window_s, right=right, repeated=repeated)},
                  {"min": min_repeats})


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
    max_target_pairs: int = MAX_TARGET_PAIRS,
    max_target_accounts: int | None = None,
    engine: Engine | None = None,
) -> CoActionResult:
    """Edges between accounts (named as in `account`) from actions (account, target, ts).

    `window_s`: seconds (inclusive) within which two actions on one target count together; None
    for any time. `min_targets`: distinct targets a pair must share (with `repeats="items"`: the
    co-actions, for layers whose target is one shared thing such as an IP address). `fdr`: the
    share of kept edges the null model may explain; None keeps every pair with `min_targets`.
    `max_target_actions`: targets with more actions are left out (a post with thousands of
    comments links its commenters too weakly to matter, and would cost millions of pairs).
    `max_target_pairs`: so are targets whose actions make more pairs than this within the window
    (a burst in which so many met that meeting there says nothing; see `crowded_targets`).
    `max_target_accounts`: so are targets more accounts than this acted on (None: no bound; for
    layers at any time, where the window bounds nothing: a text hundreds of accounts wrote).
    `engine`: where the pairs are counted (the case's engine in a scan; an in-memory one if None).
    """
    acc, names = codes(account)
    tgt, _ = codes(target)
    ts = np.asarray(ts, dtype=np.int64)
    many = None if max_target_accounts is None else accounts_per_target(acc, tgt) > max_target_accounts
    rows, acts, right, crowded = crowded_targets(acc, tgt, ts, window_s=window_s, max_target_actions=max_target_actions,
                                                 max_target_pairs=max_target_pairs, also=many)
    if len(rows) < len(tgt):
        acc, tgt, ts = acc[rows], tgt[rows], ts[rows]
    width = max(len(names), 1)
    distinct = _distinct(tgt * width + acc)  # (target, account) once
    k = np.bincount(distinct // width, minlength=int(tgt.max(initial=-1)) + 1)
    degree = np.bincount(distinct % width, minlength=width).astype(np.float64)
    rarity = 1.0 / np.log2(1.0 + np.maximum(k, 1))
    engine = engine or memory_engine()
    count = {"min_repeats": min_targets, "repeats": repeats, "window_s": window_s, "right": right}
    per_target = np.bincount(tgt, minlength=len(k))
    observed = _score(_pairs(engine, acts, width, rarity, repeated=per_target > k, **count), degree, width, repeats)
    threshold, null_mean, nulls = 0.0, 0.0, []
    if fdr is not None and observed.num_rows:
        for round_ in range(null_rounds):
            rank = np.empty(len(acc), dtype=np.int64)  # the position each row's key ranks at
            rank[_by_key(shuffle_keys(len(acc), seed, round_))] = np.arange(len(acc))
            shuffled = acc[rank]
            s_distinct = _distinct(tgt * width + shuffled)
            s_degree = np.bincount(s_distinct % width, minlength=width).astype(np.float64)
            s_repeated = per_target > np.bincount(s_distinct // width, minlength=len(k))
            null = _score(_pairs(engine, _resorted(acts, shuffled), width, rarity, repeated=s_repeated, times=False,
                                 **count), s_degree, width, repeats)
            nulls.append(np.sort(null["weight"].to_numpy()))
            del null, shuffled, s_distinct
        threshold, null_mean = _fdr_threshold(np.sort(observed["weight"].to_numpy()), nulls, fdr)
    kept = observed.filter(pc.greater_equal(observed["weight"], threshold))
    candidates = observed.num_rows
    del observed, nulls
    pk = kept["pk"].to_numpy()
    a_names, b_names = names.take(pa.array(pk // width)), names.take(pa.array(pk % width))
    swap = pc.greater(a_names, b_names)  # account_a < account_b as text, whatever the codes were
    edges = pa.table({
        "pk": kept["pk"], "swapped": swap,
        "account_a": pc.if_else(swap, b_names, a_names), "account_b": pc.if_else(swap, a_names, b_names),
        "weight": kept["weight"], "n_targets": kept["n_targets"], "n_items": kept["n_items"],
        "first_ts": kept["first_ts"], "last_ts": kept["last_ts"],
    }).sort_by([("weight", "descending"), ("account_a", "ascending"), ("account_b", "ascending")])
    links = _links(engine, acts, width, rarity, edges, window_s=window_s, right=right, limit=links_per_edge)
    if crowded:  # back to the caller's row numbers
        links = links.set_column(2, "row_a", pa.array(rows[links["row_a"].to_numpy()]))
        links = links.set_column(3, "row_b", pa.array(rows[links["row_b"].to_numpy()]))
    return CoActionResult(edges.drop_columns(["pk", "swapped"]), links, threshold, candidates, null_mean,
                          crowded, int(many.sum()) if many is not None else 0)


def crowded_targets(acc: np.ndarray, tgt: np.ndarray, ts: np.ndarray, *, window_s: int | None,
                    max_target_actions: int, max_target_pairs: int, also: np.ndarray | None = None
                    ) -> tuple[np.ndarray, SortedActions, np.ndarray, int]:
    """The actions kept once crowded targets are left out: (input rows kept, the kept actions
    sorted, their `window_ends`, the number of targets left out).

    A target is crowded when it has more than `max_target_actions` actions, or when its actions
    make more than `max_target_pairs` pairs within the window (the same account twice included),
    or when `also` (a mask by target code: too many accounts, `accounts_per_target`) marks it.
    On such a target so many accounts met within the window that meeting there says nothing
    about any two of them: its rarity is at most 1 / log2(1 + 1415) (about 0.095) at the default
    of a million pairs, and the null model, which keeps every target's timing, makes as many
    chance pairs there as were observed. Its pairs would also dominate the cost: in a simulated
    100,000-account case, 68 posts with 4,000-5,000 reactions each made 416 of the 426 million
    reaction pairs. Crowding depends on targets and times only, so the null model's shuffled
    actions leave out the same targets.
    """
    n_targets = int(tgt.max(initial=-1)) + 1
    crowded = np.bincount(tgt, minlength=n_targets) > max_target_actions
    if also is not None:
        crowded |= also
    keep = ~crowded[tgt]
    acts = sort_actions(tgt[keep], ts[keep], acc[keep]) if not keep.all() else sort_actions(tgt, ts, acc)
    right = window_ends(acts, window_s)
    busy = pairs_per_target(acts, right, n_targets) > max_target_pairs
    if busy.any():
        crowded |= busy
        before = np.flatnonzero(keep)  # input row of each action of `acts.order`
        keep = ~crowded[tgt]
        m = ~busy[acts.target]
        rank = np.cumsum(keep) - 1  # the position of a kept input row among the kept ones
        pos = np.concatenate([[0], np.cumsum(m)])
        acts = SortedActions(acts.target[m], acts.ts[m], acts.account[m], rank[before[acts.order[m]]])
        right = pos[right[m]]
    return np.flatnonzero(keep), acts, right, int(crowded.sum())


def accounts_per_target(acc: np.ndarray, tgt: np.ndarray) -> np.ndarray:
    """Per target code: the distinct accounts that acted on it."""
    width = int(acc.max(initial=-1)) + 1
    return np.bincount(_distinct(tgt * max(width, 1) + acc) // max(width, 1), minlength=int(tgt.max(initial=-1)) + 1)


def _by_key(keys: np.ndarray) -> np.ndarray:
    """Positions sorted by key, ties by position (keys below _P: key * n + position fits in 64 bits
    up to four billion rows)."""
    n = len(keys)
    if n and n * _P < 2 ** 63:
        return np.argsort(keys * n + np.arange(n, dtype=np.int64))
    return np.lexsort((np.arange(n), keys))


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (np.unique by one sort)."""
    x = np.sort(values)
    return x[np.concatenate([[True], x[1:] != x[:-1]])] if len(x) else x


def _resorted(acts: SortedActions, account: np.ndarray) -> SortedActions:
    """`acts` with each action given `account[input row]`, sorted as `sort_actions` would sort them:
    the order by target and time stays; only runs of actions at the same (target, time) re-sort,
    by account and then input row."""
    new = account[acts.order]
    same = (acts.target[1:] == acts.target[:-1]) & (acts.ts[1:] == acts.ts[:-1])
    if not same.any():
        return SortedActions(acts.target, acts.ts, new, acts.order)
    run = np.cumsum(np.concatenate([[True], ~same])) - 1
    tied = np.flatnonzero(np.concatenate([same, [False]]) | np.concatenate([[False], same]))
    perm = np.arange(len(new))
    perm[tied] = tied[np.lexsort((acts.order[tied], new[tied], run[tied]))]
    return SortedActions(acts.target, acts.ts, new[perm], acts.order[perm])


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
           window_s: int | None, right: np.ndarray, limit: int) -> pa.Table:
    """For each edge, the input rows of up to `limit` action pairs that link it, earliest first;
    row_a is the action of account_a, row_b that of account_b."""
    if not edges.num_rows:
        return pa.table({"account_a": pa.array([], pa.string()), "account_b": pa.array([], pa.string()),
                         "row_a": pa.array([], pa.int64()), "row_b": pa.array([], pa.int64())})
    only = np.sort(edges["pk"].to_numpy())  # only the kept pairs' actions reach the engine
    found = engine(LINKS_SQL, {"pairs": _pair_stream(acts, width, rarity, window_s=window_s, right=right, only=only),
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
