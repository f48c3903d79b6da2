"""Which pairs of pictures might be one photo, from their stored hashes alone (no pixels).

1. PDQ: a picture's PDQ hash as is against every stored PDQ variant (the 8 rotations and mirrors).
   Within `max_pdq_distance` bits it is a match without looking further.
2. Low hashes: the whole picture against every view of the others (crops included), each crop view
   against the others' whole pictures in their 8 variants, and each crop view against the same crop
   view of the others. Within `max_low_distance` bits these are candidates for `align`; each picture
   keeps its closest `max_candidates` (a pair is dropped only once both of its pictures have theirs).

`fresh` makes it incremental: only the codes of fresh pictures are looked up (against everything
stored), so pairs of two earlier pictures, decided before, cost nothing. Hamming distance is
symmetric, so every view of a fresh picture is looked up and a pair found from either side is read
the way the full search would have read it. An earlier picture takes a fresh one as a candidate when
it is closer than the farthest of the candidates it kept (its `reach`, stored with its decisions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .hashing import FULL
from .index import HammingIndex

if TYPE_CHECKING:
    from .match import Hashed

__all__ = ["find_candidates"]


def _stack(images: list[Hashed], prefix: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    rows, owners, views = [], [], []
    for i, img in enumerate(images):
        for view, code in img.hashes.items():
            if view.startswith(prefix):
                rows.append(np.frombuffer(code, np.uint8))
                owners.append(i)
                views.append(view)
    width = 32 if prefix == "pdq:" else 8
    return (np.stack(rows) if rows else np.zeros((0, width), np.uint8)), np.asarray(owners, np.int64), views


def _first_per_pair(i: np.ndarray, j: np.ndarray, order: np.ndarray, n: int) -> np.ndarray:
    """The positions of `order` that come first for their unordered pair (i, j), in `order`'s order."""
    pair = np.minimum(i, j)[order] * n + np.maximum(i, j)[order]
    _, first = np.unique(pair, return_index=True)
    return order[np.sort(first)]


def find_candidates(images: list[Hashed], sides: list[int], *, max_pdq_distance: int, max_low_distance: int,
                    min_quality: int, skip_within: tuple[int, ...], max_candidates: int,
                    fresh: np.ndarray | None = None, reach: np.ndarray | None = None
                    ) -> tuple[dict, dict, np.ndarray]:
    """PDQ matches {(i, j): (distance, turn)}: i is j turned; low candidates {(i, j): (distance,
    view, turn, owner of the crop view: '' none, 'i' or 'j')}: i's whole picture (or its crop view,
    owner 'i') against j's `view` turned `turn`, or i's whole against j's crop view `view` (owner 'j');
    and each picture's reach: the low distance of the farthest of its `max_candidates` closest
    candidates (max_low_distance + 1 while it has fewer), under which it takes more.

    With `fresh` (one flag per picture) only pairs with a fresh picture are looked for, and an earlier
    picture takes a fresh one as a candidate when it is closer than its `reach` from the earlier run
    (as it would have been in a full search, which goes closest first)."""
    n = len(images)
    trusted = np.array([img.quality >= min_quality for img in images], bool)
    side = np.asarray(sides, np.int64)
    skipped = np.isin(side, np.asarray(skip_within, np.int64))
    new = np.ones(n, bool) if fresh is None else np.asarray(fresh, bool)

    def allowed(i: np.ndarray, j: np.ndarray) -> np.ndarray:
        return (i != j) & trusted[i] & trusted[j] & ~((side[i] == side[j]) & skipped[i])

    pdq, owner, views = _stack(images, "pdq:")
    turn = np.array([int(v[4:]) for v in views], np.int64)
    index = HammingIndex(32)
    index.add(pdq, np.arange(len(owner)))
    queries = np.flatnonzero(turn == 0) if fresh is None else np.flatnonzero(new[owner])
    q, b, d = index.search(pdq[queries], max_pdq_distance)
    a = queries[q]
    plain = turn[a] == 0  # read each hit as "a plain hash against a variant"
    i, j, k = np.where(plain, owner[a], owner[b]), np.where(plain, owner[b], owner[a]), np.where(plain, turn[b], turn[a])
    ok = (plain | (turn[b] == 0)) & allowed(i, j)
    i, j, k, d = i[ok], j[ok], k[ok], d[ok]
    order = np.lexsort((d, j, i))
    first = order[np.unique(i[order] * n + j[order], return_index=True)[1]]  # per ordered pair, the closest
    found = {(int(x), int(y)): (int(dist), int(t)) for x, y, dist, t in zip(i[first], j[first], d[first], k[first])}

    low, low_owner, low_views = _stack(images, "low:")
    index = HammingIndex(8)
    index.add(low, np.arange(len(low_owner)))
    full = np.array([v.startswith("low:full:") for v in low_views], bool)
    low_turn = np.array([int(v.rsplit(":", 1)[1]) if v.startswith("low:full:") else 0 for v in low_views], np.int64)
    names = {v: m for m, v in enumerate(sorted(set(low_views)))}
    view_id = np.array([names[v] for v in low_views], np.int64)
    asks = (full & (low_turn == 0)) | ~full  # the codes a full search looks up: the whole picture as is, crops

    def valid(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Code x looked up, code y found: whole against anything, crop against a whole or the same crop."""
        return asks[x] & (full[x] | full[y] | (view_id[x] == view_id[y]))

    queries = np.flatnonzero(asks) if fresh is None else np.flatnonzero(new[low_owner])
    q, b, d = index.search(low[queries], max_low_distance)
    a = queries[q]
    forward = valid(a, b)
    backward = ~forward & valid(b, a)  # found from the fresh side, read from the other
    qn, hit = np.where(forward, a, b), np.where(forward, b, a)
    i, j = low_owner[qn], low_owner[hit]
    ok = (forward | backward) & allowed(i, j)
    qn, hit, d, i, j = qn[ok], hit[ok], d[ok], i[ok], j[ok]
    lo, hi = np.minimum(i, j), np.maximum(i, j)  # pairs in one order whichever side found them
    order = np.lexsort((hit, qn, d, hi, lo))
    order = _first_per_pair(i, j, order[np.argsort(d[order], kind="stable")], n)  # closest pairs first
    if found:
        done = np.array([min(x, y) * n + max(x, y) for x, y in found], np.int64)
        order = order[~np.isin(np.minimum(i, j)[order] * n + np.maximum(i, j)[order], done)]
    candidates: dict[tuple[int, int], tuple[int, str, int, str]] = {}
    kept: list[list[int]] = [[] for _ in range(n)]  # the distances of each picture's candidates, closest first
    before = np.full(n, max_low_distance + 1, np.int64) if reach is None else np.asarray(reach, np.int64)

    def room(p: int, dist: int) -> bool:
        if new[p]:
            return len(kept[p]) < max_candidates
        # an earlier picture: closer than the candidates it kept then (taken as all that far: it gets
        # at least the candidates a full search would give it), and no more than max_candidates new ones
        return dist < before[p] and len(kept[p]) < max_candidates

    for m in order:
        x, y, dist = int(i[m]), int(j[m]), int(d[m])
        if not room(x, dist) and not room(y, dist):
            continue  # both pictures already have their closest candidates (an original with many copies
            # still gets each copy: the copy has room)
        kept[x].append(dist)
        kept[y].append(dist)
        u, v = int(qn[m]), int(hit[m])
        if not full[u] and not full[v]:  # the same crop view of both: whole against whole
            candidates[(x, y)] = (dist, FULL, 0, "")
        elif full[v]:  # T_k(j) matches i's whole picture, or the crop view of i
            candidates[(x, y)] = (dist, FULL, int(low_turn[v]), "") if full[u] else \
                (dist, low_views[u][4:], int(low_turn[v]), "i")
        else:  # i's whole picture matches a crop view of j
            candidates[(x, y)] = (dist, low_views[v][4:], 0, "j")
    after = before.copy()
    for p in range(n):
        if len(kept[p]) >= max_candidates:  # (for an earlier picture: at most its reach, since its own
            after[p] = min(after[p], kept[p][max_candidates - 1])  # earlier candidates may be closer still)
        elif new[p]:
            after[p] = max_low_distance + 1
    return found, candidates, after
