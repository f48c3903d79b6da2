"""The cascade of a story: who took it from whom.

Where the platform gives a parent (a reshare, quote or reply of an item that carries the story),
the link is the platform's. Where it does not (an own post, a copy, a forward without its source),
the parent is inferred and marked so: the latest earlier item of an account the author follows
("inferred:follow"), else of an account it shares things with ("inferred:co-sharing"), else the
story's first item on the platform ("inferred:time"). An item whose platform parent is not in the
case (deleted, or not collected) is a "missing-parent" root: its parent existed, earlier.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["build_cascade", "epoch_seconds", "PLATFORM_LINKS"]

PLATFORM_LINKS = ("share", "quote", "reply", "comment", "post", "reaction")
_NONE = -1


def epoch_seconds(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Timestamps as float seconds since the epoch; NaN where missing."""
    us = pc.cast(pc.cast(column, pa.timestamp("us")), pa.int64())
    return pc.fill_null(pc.cast(us, pa.float64()), float("nan")).to_numpy(zero_copy_only=False) / 1e6


def _codes(*columns: pa.Array) -> tuple[np.ndarray, ...]:
    """Integer codes of the values of several string columns over one shared dictionary."""
    lengths = [len(c) for c in columns]
    joined = pa.concat_arrays([c.cast(pa.string()) for c in columns])
    codes = pc.dictionary_encode(joined).indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return tuple(np.split(codes, np.cumsum(lengths)[:-1]))


def _key(table: pa.Table, account: str) -> pa.Array:
    """platform + NUL + account id, one string per row."""
    if not table.num_rows:
        return pa.array([], pa.string())
    return pc.binary_join_element_wise(table["platform"].combine_chunks(), table[account].combine_chunks(),
                                       "\x00")


def _latest_before(item_acct: np.ndarray, item_ts: np.ndarray, tiebreak: np.ndarray, q_acct: np.ndarray,
                   q_ts: np.ndarray) -> np.ndarray:
    """For each query (account, time): the index of that account's latest item strictly before the
    time, or -1."""
    if not len(q_acct) or not len(item_acct):
        return np.full(len(q_acct), _NONE, np.int64)
    dated = np.flatnonzero(~np.isnan(item_ts))
    t0 = np.nanmin(item_ts) if len(dated) else 0.0
    span = int(np.nanmax(item_ts) - t0) + 2 if len(dated) else 2
    ticks = np.round((item_ts[dated] - t0)).astype(np.int64)
    keys = item_acct[dated] * span + ticks
    order = np.lexsort((-tiebreak[dated], keys))  # equal keys: the lowest tiebreak last, so it is found
    keys = keys[order]
    q = q_acct * span + np.round(q_ts - t0).astype(np.int64)
    pos = np.searchsorted(keys, q, side="left") - 1
    ok = pos >= 0
    found = np.full(len(q), _NONE, np.int64)
    hit = dated[order[pos[ok]]]
    same = item_acct[hit] == q_acct[ok]
    found[np.flatnonzero(ok)[same]] = hit[same]
    return found


def _pick_latest(orphan: np.ndarray, cand: np.ndarray, ts: np.ndarray, tiebreak: np.ndarray, n: int) -> np.ndarray:
    """Per orphan index, the candidate item with the latest time (ties: the lowest `tiebreak`)."""
    best = np.full(n, _NONE, np.int64)
    keep = cand >= 0
    orphan, cand = orphan[keep], cand[keep]
    if not len(cand):
        return best
    order = np.lexsort((-tiebreak[cand], ts[cand], orphan))  # per orphan ascending time; last is the latest
    orphan, cand = orphan[order], cand[order]
    last = np.r_[orphan[1:] != orphan[:-1], True]
    best[orphan[last]] = cand[last]
    return best


def _infer(story: pa.Table, follows: pa.Table, pairs: pa.Table, ts: np.ndarray, orphans: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray]:
    n = story.num_rows
    platform = story["platform"].to_numpy(zero_copy_only=False)
    empty = pa.array([], pa.string())
    if pairs.num_rows:
        pa_, pb_ = _key(pairs, "account_a"), _key(pairs, "account_b")
        p_from, p_to = pa.concat_arrays([pa_, pb_]), pa.concat_arrays([pb_, pa_])
    else:
        p_from = p_to = empty
    acct, ff, ft, pf, pt = _codes(_key(story, "account_id"), _key(follows, "account_id"), _key(follows, "other_id"),
                                  p_from, p_to)
    tiebreak = pc.rank(_key(story, "item_id"), sort_keys="ascending", tiebreaker="dense").to_numpy(
        zero_copy_only=False).astype(np.int64) if n else np.zeros(0, np.int64)
    parent = np.full(n, _NONE, np.int64)
    how = np.full(n, None, object)
    todo = orphans[~np.isnan(ts[orphans])]
    for label, src, dst in (("inferred:follow", ff, ft), ("inferred:co-sharing", pf, pt)):
        if not len(todo) or not len(src):
            continue
        # every (orphan, account it could have seen) pair
        order = np.argsort(src, kind="stable")
        src_sorted, dst_sorted = src[order], dst[order]
        lo = np.searchsorted(src_sorted, acct[todo], "left")
        hi = np.searchsorted(src_sorted, acct[todo], "right")
        counts = hi - lo
        q_orphan = np.repeat(todo, counts)
        starts = np.repeat(lo - np.cumsum(np.r_[0, counts[:-1]]), counts)
        q_acct = dst_sorted[np.arange(len(q_orphan)) + starts] if len(q_orphan) else np.zeros(0, np.int64)
        cand = _latest_before(acct, ts, tiebreak, q_acct, ts[q_orphan])
        best = _pick_latest(q_orphan, cand, ts, tiebreak, n)
        got = todo[best[todo] >= 0]
        parent[got] = best[got]
        how[got] = label
        todo = todo[best[todo] < 0]
    # the rest: the story's first item on the platform, when it came earlier
    if len(todo):
        first = {}
        dated = np.flatnonzero(~np.isnan(ts))
        for i in dated[np.lexsort((tiebreak[dated], ts[dated]))]:
            first.setdefault(platform[i], i)
        for i in todo:
            f = first.get(platform[i], _NONE)
            if f != _NONE and f != i and ts[f] < ts[i]:
                parent[i] = f
                how[i] = "inferred:time"
    return parent, how


def _depths(parent: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Depth and root of every node, by pointer doubling; the parent links of nodes caught in a
    cycle (corrupt data) are cut. Returns (parent, depth, root)."""
    n = len(parent)
    parent = parent.copy()
    for _attempt in range(2):
        jump, depth = parent.copy(), (parent >= 0).astype(np.int64)
        for _step in range(64):
            live = np.flatnonzero(jump >= 0)
            if not len(live):
                break
            depth[live] = depth[live] + depth[jump[live]]
            jump[live] = jump[jump[live]]
        stuck = jump >= 0
        if not stuck.any():
            break
        parent[stuck] = _NONE
    root = np.where(parent >= 0, parent, np.arange(n))
    for _step in range(64):
        nxt = root[root]
        if np.array_equal(nxt, root):
            break
        root = nxt
    return parent, depth, root


def build_cascade(story: pa.Table, follows: pa.Table, pairs: pa.Table) -> pa.Table:
    """The story's tree, one row per item of `story` (in its order): parent (row index or -1),
    link (the platform's link kind, an "inferred:*" basis, "missing-parent", or "origin"),
    depth, root (row index), descendants (items below it).

    Reads:    story(platform, item_id, kind, account_id, created_at, parent_id, parent_state);
              follows(platform, account_id, other_id); pairs(platform, account_a, account_b)
    Misleads: an inferred parent is a plausible source (someone the author could have seen),
              not a proof; an early item missing from the collection shifts every inference after it.
    """
    n = story.num_rows
    ts = epoch_seconds(story["created_at"]) if n else np.zeros(0)
    state = story["parent_state"].to_numpy(zero_copy_only=False) if n else np.zeros(0, object)
    kind = story["kind"].to_numpy(zero_copy_only=False) if n else np.zeros(0, object)
    parent = np.full(n, _NONE, np.int64)
    link = np.full(n, "origin", object)
    linked = np.flatnonzero(state == "story")
    if len(linked):
        where = pc.index_in(_key(story, "parent_id"), value_set=_key(story, "item_id"))
        parent[linked] = where.to_numpy(zero_copy_only=False)[linked].astype(np.int64)
        link[linked] = kind[linked]
    missing = np.flatnonzero(state == "missing")
    link[missing] = "missing-parent"
    orphans = np.flatnonzero((state != "story") & (state != "missing"))
    inferred, how = _infer(story, follows, pairs, ts, orphans)
    got = orphans[inferred[orphans] >= 0]
    parent[got] = inferred[got]
    link[got] = how[got]
    parent, depth, root = _depths(parent)
    link[(parent < 0) & (link != "missing-parent")] = "origin"
    descendants = np.zeros(n, np.int64)
    order = np.argsort(-depth, kind="stable")
    levels = depth[order]
    bounds = np.flatnonzero(np.r_[True, levels[1:] != levels[:-1], True])
    for a, b in zip(bounds[:-1], bounds[1:]):
        nodes = order[a:b]
        nodes = nodes[parent[nodes] >= 0]
        np.add.at(descendants, parent[nodes], descendants[nodes] + 1)
    return pa.table({"parent": pa.array(parent, pa.int64()), "link": pa.array(link.tolist(), pa.string()),
                     "depth": pa.array(depth, pa.int64()), "root": pa.array(root, pa.int64()),
                     "descendants": pa.array(descendants, pa.int64())})
