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

__all__ = ["SortedActions", "codes", "sort_actions", "window_pairs"]


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
    order = np.lexsort((account, ts, target))  # account last: a stable, input-order-free tie break
    return SortedActions(target[order], ts[order], account[order], order)


_KEY_BITS = 62  # the combined (target, time) key must stay below 2**_KEY_BITS


def _window_ends(acts: SortedActions, window_s: int) -> np.ndarray:
    """For each action, one past the last action on the same target at most window_s later.

    One binary search over a combined (target, time) key; targets are taken in slices small
    enough that the key fits in 64 bits (it always does for second timestamps in practice).
    """
    n = len(acts.ts)
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


def window_pairs(acts: SortedActions, *, window_s: int | None, max_pairs: int = 2_000_000
                 ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Blocks of (i, j) positions in `acts`, i < j, same target, ts[j] - ts[i] <= window_s
    (inclusive; None means any time), by different accounts. Each pair comes exactly once."""
    n = len(acts.ts)
    if n < 2:
        return
    if window_s is None:
        # the end of each target's run of actions
        ends = np.flatnonzero(np.diff(acts.target)) + 1
        bounds = np.append(ends, n)
        run_end = np.repeat(bounds, np.diff(np.insert(bounds, 0, 0)))
        right = run_end
    else:
        right = _window_ends(acts, window_s)
    counts = right - np.arange(n) - 1
    starts = np.cumsum(counts) - counts  # first pair number of each i
    lo = 0
    while lo < n:
        # the largest block of consecutive i whose pairs fit in max_pairs (at least one i)
        hi = int(np.searchsorted(starts, starts[lo] + max_pairs, side="right"))
        hi = max(hi, lo + 1)
        c = counts[lo:hi]
        m = int(c.sum())
        if m:
            i = np.repeat(np.arange(lo, hi), c)
            offset = np.arange(m) - np.repeat(starts[lo:hi] - starts[lo], c)
            j = i + 1 + offset
            keep = acts.account[i] != acts.account[j]
            yield i[keep], j[keep]
        lo = hi
