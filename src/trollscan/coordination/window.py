"""The co-action kernel: pairs of actions on the same target within a time window.

Actions are sorted by (target, time) once; for each action a binary search finds the last action
on the same target no more than `window_s` later, and the pairs in between are produced in
vectorised blocks of bounded size. Cost: one sort plus time proportional to the pairs found;
memory: the actions plus one block of pairs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["SortedActions", "codes", "sort_actions", "window_ends", "pairs_per_target", "window_pairs"]


@dataclass(frozen=True)
class SortedActions:
    """Actions as integer codes, sorted by target then time. `order` maps back to input rows."""

    target: np.ndarray  # int64 target code
    ts: np.ndarray  # int64 seconds
    account: np.ndarray  # int64 account code
    order: np.ndarray  # input row of each sorted action


def codes(values) -> tuple[np.ndarray, pa.Array]:
    """Integer codes of the values, numbered by first appearance, and the values of the codes."""
    encoded = pc.dictionary_encode(pc.cast(values, pa.string()))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks() if encoded.num_chunks else pa.DictionaryArray.from_arrays(
            pa.array([], pa.int32()), pa.array([], pa.string()))
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), encoded.dictionary


def sort_actions(target: np.ndarray, ts: np.ndarray, account: np.ndarray) -> SortedActions:
    """Sorted by target, time, account (a tie break free of input order), then input row."""
    if len(target) and int(target.min()) >= 0 and int(account.min()) >= 0:
        t0 = int(ts.min())
        n_t, n_ts, n_a = int(target.max()) + 1, int(ts.max()) - t0 + 1, int(account.max()) + 1
        if n_t * n_ts * n_a < 2 ** 63:  # one stable sort of a combined key: the same order, a few times faster
            order = np.argsort((target * n_ts + (ts - t0)) * n_a + account, kind="stable")
            return SortedActions(target[order], ts[order], account[order], order)
    order = np.lexsort((account, ts, target))
    return SortedActions(target[order], ts[order], account[order], order)


_KEY_BITS = 62  # the combined (target, time) key must stay below 2**_KEY_BITS


def window_ends(acts: SortedActions, window_s: int | None) -> np.ndarray:
    """For each action, one past the last action on the same target at most window_s later (None:
    the end of the target's run of actions).

    One binary search over a combined (target, time) key; targets are taken in slices small
    enough that the key fits in 64 bits (it always does for second timestamps in practice).
    The ends depend on targets and times only, not on accounts: the null model's shuffled actions
    have the same ends as the observed ones.
    """
    n = len(acts.ts)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if window_s is None:
        bounds = np.append(np.flatnonzero(np.diff(acts.target)) + 1, n)
        return np.repeat(bounds, np.diff(np.insert(bounds, 0, 0))).astype(np.int64)
    span = int(acts.ts.max() - acts.ts.min()) + window_s + 1
    per_slice = max(1, (1 << _KEY_BITS) // span)
    right = np.empty(n, dtype=np.int64)
    t0, t_end = int(acts.target[0]), int(acts.target[-1])
    while t0 <= t_end:
        lo = int(np.searchsorted(acts.target, t0, side="left"))
        hi = int(np.searchsorted(acts.target, t0 + per_slice, side="left"))
        key = (acts.target[lo:hi] - t0) * span + (acts.ts[lo:hi] - acts.ts.min())
        right[lo:hi] = lo + np.searchsorted(key, key + window_s, side="right")
        t0 += per_slice
    return right


def pairs_per_target(acts: SortedActions, right: np.ndarray, n_targets: int) -> np.ndarray:
    """Per target code: the pairs of its actions within the window (`right` from `window_ends`),
    whoever acted, the same account twice included."""
    counts = right - np.arange(len(right)) - 1
    return np.bincount(acts.target, weights=counts, minlength=n_targets).astype(np.int64)


def window_pairs(acts: SortedActions, *, window_s: int | None, max_pairs: int = 2_000_000,
                 right: np.ndarray | None = None, whole_targets: bool = False
                 ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Blocks of (i, j) positions in `acts`, i < j, same target, ts[j] - ts[i] <= window_s
    (inclusive; None means any time), by different accounts. Each pair comes exactly once.
    `right`: the `window_ends` of `acts`, when already known. `whole_targets`: every target's
    pairs in one block (a block then holds more than `max_pairs` when one target does)."""
    n = len(acts.ts)
    if n < 2:
        return
    if right is None:
        right = window_ends(acts, window_s)
    counts = right - np.arange(n) - 1
    starts = np.cumsum(counts) - counts  # first pair number of each i
    if whole_targets:
        bounds = np.append(np.flatnonzero(np.diff(acts.target)) + 1, n)  # one past each target's last action
    lo = 0
    while lo < n:
        # the largest block of consecutive i whose pairs fit in max_pairs (at least one i)
        hi = int(np.searchsorted(starts, starts[lo] + max_pairs, side="right"))
        hi = max(hi, lo + 1)
        if whole_targets and hi < n:  # end at a target's end: the last whole one, or the first one's
            at = int(np.searchsorted(bounds, hi, side="right"))
            fits = int(bounds[at - 1]) if at else 0
            hi = fits if fits > lo else int(bounds[np.searchsorted(bounds, lo, side="right")])
        c = counts[lo:hi]
        m = int(c.sum())
        if m:
            i = np.repeat(np.arange(lo, hi), c)
            offset = np.arange(m) - np.repeat(starts[lo:hi] - starts[lo], c)
            j = i + 1 + offset
            keep = acts.account[i] != acts.account[j]
            yield i[keep], j[keep]
        lo = hi
