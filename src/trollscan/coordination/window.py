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

__all__ = ["SortedActions", "sort_actions", "window_pairs"]


@dataclass(frozen=True)
class SortedActions:
    """Actions as integer codes, sorted by target then time. `order` maps back to input rows."""

    target: np.ndarray  # int64 target code
    ts: np.ndarray  # int64 seconds
    account: np.ndarray  # int64 account code
    order: np.ndarray  # input row of each sorted action


def sort_actions(target: np.ndarray, ts: np.ndarray, account: np.ndarray) -> SortedActions:
    order = np.lexsort((account, ts, target))  # account last: a stable, input-order-free tie break
    return SortedActions(target[order], ts[order], account[order], order)


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
        span = int(acts.ts.max() - acts.ts.min()) + window_s + 1
        key = (acts.target - acts.target.min()) * span + (acts.ts - acts.ts.min())
        right = np.searchsorted(key, key + window_s, side="right")
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
