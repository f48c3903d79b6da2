"""Talking-point families: texts from different accounts that say the same thing in other words.

Input is one vector per text from an embedding model (`semantic.py`; all zeros: no vector, never
compared). Identical vectors are compared once. Two texts are alike when their vectors' cosine is
at least `min_cosine`; pairs inside one near-duplicate family (`exclude`: the copied-words families
of `families.py`, which already report them) are never linked here, so no pair is reported twice;
nor are two texts that share most of their words (`max_shared_words`: a sentence copied inside a
longer text, which the Indel similarity of `families.py` misses), since those are not other words.
A member that shares some words with its family's first text stays only when the words that
differ are alike in meaning too (`min_other_cosine`): "спасибо всем за поздравления" around two
different pieces of news is not one talking point.

Neighbour search is bounded in time and memory:
- up to `exact_limit` distinct vectors: every pair, by blocked matrix products (exact);
- more: an inverted file. Spherical k-means (seeded) cuts the vectors into sqrt(n) / 2 cells;
  each vector is compared with the vectors of its `probes` nearest cells, in tiles of at most
  `_TILE` x `_TILE`: about 4 x probes x sqrt(n) comparisons per vector, so time grows as n^1.5.
  Pairs in cells it does not probe are missed (bench/text.py measures the recall against the
  exact search).
Each vector keeps at most `max_neighbours` partners (its most similar), so a crowd of thousands of
texts about the same traffic jam cannot fill memory.

Families are stars around a first appearance, never chains: texts are taken in time order; a text
alike to an earlier family head joins the most alike of them, else it heads a family of its own.
So every member is within `min_cosine` of its family's first text, and each member carries that
cosine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import BadParameter

__all__ = ["TalkingPointResult", "talking_points", "similar_pairs", "TALKING_POINT_SCHEMA", "MIN_COSINE",
           "MAX_SHARED_WORDS", "MIN_OTHER_COSINE"]

TALKING_POINT_SCHEMA = pa.schema([
    ("family_id", pa.int64()),  # 1, 2, ... by first appearance
    ("row", pa.int64()),  # the input row
    ("similarity", pa.float64()),  # cosine to the family's first text (1 for the first text's copies)
])
_TILE = 4096
_HELD_PAIRS = 2_000_000  # candidate pairs held before each row's best are kept (about 40 MB)
MAX_SHARED_WORDS = 0.6
MIN_OTHER_COSINE = 0.25  # planted talking points keep 80 % of their alike pairs; template chatter 16 %
# The least cosine of a member to its family's first text: on bench/text.py's planted talking points
# (navec), 0.89 of the pairs it groups belong together; 0.5 gives 0.91 and half the recall.
MIN_COSINE = 0.45


@dataclass(frozen=True)
class TalkingPointResult:
    members: pa.Table  # TALKING_POINT_SCHEMA, ordered by family, then time
    texts: int  # texts with a vector
    distinct: int  # distinct vectors among them
    candidates: int  # pairs of distinct vectors at or above min_cosine (after max_neighbours)


def talking_points(vectors: np.ndarray, order: np.ndarray | None = None, *, exclude: np.ndarray | None = None,
                   words: pa.Array | None = None, max_shared_words: float = MAX_SHARED_WORDS,
                   embed: Callable[[list[str]], np.ndarray] | None = None, min_other_cosine: float = MIN_OTHER_COSINE,
                   min_cosine: float = MIN_COSINE, max_neighbours: int = 50, exact_limit: int = 5_000, probes: int = 6,
                   seed: int = 1) -> TalkingPointResult:
    """Families of texts that make the same point in other words (module docstring).

    `vectors`: (n, d) unit rows or zero rows; `order`: each row's rank in time (default: row order);
    `exclude`: per row a near-duplicate family number (-1: none); rows of one family are not linked;
    `words`: per row its normalised text: two texts whose shared words are more than
    `max_shared_words` of the shorter one's words are not linked (mostly the same words, one
    sentence inside a longer text: copied words, not other words); with `embed` (the model's), two
    texts that share words are linked only when the words that differ are alike in meaning too, at
    cosine `min_other_cosine` or more (the same frame around different news is not one point).

    Reads:    one embedding per text
    Evidence: the members of each family and their cosine to its first text
    Misleads: everyday topics many real people write about (traffic, prices, the weather, a match);
              a news event everyone comments on; short texts, where a few words decide the vector.
    """
    if not -1 < min_cosine <= 1:
        raise BadParameter(f"The 'min_cosine' parameter must be in (-1, 1]; got {min_cosine}.")
    if max_neighbours < 1:
        raise BadParameter(f"The 'max_neighbours' parameter must be an int >= 1; got {max_neighbours}.")
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(vectors)
    rank = np.arange(n) if order is None else np.asarray(order, dtype=np.int64)
    label = np.full(n, -1, dtype=np.int64) if exclude is None else np.asarray(exclude, dtype=np.int64)
    rows = np.flatnonzero(vectors.any(axis=1))
    rows = rows[np.argsort(rank[rows], kind="stable")]  # in time order
    if not len(rows):
        return TalkingPointResult(TALKING_POINT_SCHEMA.empty_table(), 0, 0, 0)
    # Identical vectors (the same words) are one: keyed by two random projections, exact in float64.
    project = np.random.default_rng(seed).standard_normal((vectors.shape[1], 2))
    key = np.concatenate([vectors[rows[s:s + 65_536]].astype(np.float64) @ project for s in range(0, len(rows), 65_536)])
    _, first, uid = np.unique(key, axis=0, return_index=True, return_inverse=True)
    uid = uid.reshape(-1)
    by_time = np.argsort(first, kind="stable")  # distinct vectors numbered by first appearance
    renumber = np.empty_like(by_time)
    renumber[by_time] = np.arange(len(by_time))
    uid = renumber[uid]
    heads_of = rows[first[by_time]]
    distinct = vectors if np.array_equal(heads_of, np.arange(n)) else vectors[heads_of]  # no copy when all differ
    pairs, cosine = similar_pairs(distinct, min_cosine=min_cosine, exclude=label[heads_of],
                                  max_neighbours=max_neighbours, exact_limit=exact_limit, probes=probes, seed=seed)
    texts = words.take(pa.array(heads_of)) if words is not None else None
    if texts is not None and len(pairs):
        other = _shared_words(texts, pairs) <= max_shared_words
        pairs, cosine = pairs[other], cosine[other]
    head, sim = _stars(len(distinct), pairs, cosine)
    if texts is not None and embed is not None:  # each member against its family's first text
        joined = np.flatnonzero(head != np.arange(len(head)))
        check = np.column_stack([head[joined], joined])
        some = _shared_words(texts, check) > 0
        failed = joined[some][_differing_alike(texts, check[some], embed) < min_other_cosine]
        head[failed], sim[failed] = failed, 1.0
    members = _members(rows, uid, head, sim)
    return TalkingPointResult(members, texts=len(rows), distinct=len(distinct), candidates=len(pairs))


def similar_pairs(x: np.ndarray, *, min_cosine: float, exclude: np.ndarray | None = None, max_neighbours: int = 50,
                  exact_limit: int = 5_000, probes: int = 6, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) of rows of `x` (unit vectors) with cosine >= `min_cosine`, and their cosines;
    rows with the same `exclude` number >= 0 are not paired; each row keeps its `max_neighbours`
    most similar partners. Exact up to `exact_limit` rows, an inverted file above (module docstring)."""
    n = len(x)
    label = np.full(n, -1, dtype=np.int64) if exclude is None else exclude
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    if n <= exact_limit:
        everyone = np.arange(n)
        found.append(_tile_pairs(x, everyone, everyone, label, min_cosine, max_neighbours))
    else:
        cells = max(2, int(np.sqrt(n) / 2))
        centres = _kmeans(x, cells, seed=seed)
        near = _nearest(x, centres, min(probes, cells))
        by_home = np.argsort(near[:, 0], kind="stable")  # rows of each cell, and rows probing each cell
        home_at = np.searchsorted(near[:, 0][by_home], np.arange(cells + 1))
        by_probe = np.argsort(near.ravel(), kind="stable")
        probe_at = np.searchsorted(near.ravel()[by_probe], np.arange(cells + 1))
        held = kept = 0
        for cell in range(cells):
            inside = by_home[home_at[cell]:home_at[cell + 1]]
            asking = np.sort(by_probe[probe_at[cell]:probe_at[cell + 1]] // near.shape[1])
            if len(inside) and len(asking):
                found.append(_tile_pairs(x, asking, inside, label, min_cosine, max_neighbours))
                held += len(found[-1][0])
                if held > kept + _HELD_PAIRS:  # keep memory bounded: each row's best so far
                    found = [_best(*map(np.concatenate, zip(*found)), max_neighbours)]
                    held = kept = len(found[0][0])
    a, b, s = _best(*map(np.concatenate, zip(*found)), max_neighbours) if found else (np.zeros(0, np.int64),) * 3
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    pair_key = lo * n + hi
    _, keep = np.unique(pair_key, return_index=True)
    return np.column_stack([lo[keep], hi[keep]]).astype(np.int64), s[keep].astype(np.float64)


def _differing_alike(texts: pa.Array, pairs: np.ndarray, embed: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """Per pair of texts: the cosine of the words each has and the other lacks (-1 when either
    side has too few known words to place: the rest is the same words)."""
    if not len(pairs):
        return np.zeros(0)
    words = [t.split() for t in texts.to_pylist()]
    sets = [set(w) for w in words]
    left, right = [], []
    for a, b in pairs.tolist():
        left.append(" ".join(w for w in words[a] if w not in sets[b]))
        right.append(" ".join(w for w in words[b] if w not in sets[a]))
    va, vb = embed(left), embed(right)
    placed = va.any(axis=1) & vb.any(axis=1)
    return np.where(placed, (va * vb).sum(axis=1), -1.0)


def _shared_words(texts: pa.Array, pairs: np.ndarray) -> np.ndarray:
    """Per pair of texts (rows of `texts`, normalised): the share of the shorter text's distinct
    words that the other text has too."""
    words = pc.utf8_split_whitespace(pc.fill_null(texts, ""))
    lengths = pc.list_value_length(words).to_numpy(zero_copy_only=False).astype(np.int64)
    ids = pc.dictionary_encode(pc.list_flatten(words)).indices.to_numpy(zero_copy_only=False).astype(np.int64)
    vocabulary = int(ids.max()) + 1 if len(ids) else 1
    keys = np.unique(np.repeat(np.arange(len(lengths)), lengths) * vocabulary + ids)  # (text, word), distinct
    text_of = keys // vocabulary
    count = np.bincount(text_of, minlength=len(lengths))
    start = np.concatenate([[0], np.cumsum(count)])[:-1]
    out = np.zeros(len(pairs))
    for p0 in range(0, len(pairs), 262_144):  # a chunk of pairs at a time: one row per word looked up
        a, b = pairs[p0:p0 + 262_144, 0], pairs[p0:p0 + 262_144, 1]
        small = np.where(count[a] <= count[b], a, b)  # look the shorter one's words up in the other
        big = np.where(count[a] <= count[b], b, a)
        owner = np.repeat(np.arange(len(a)), count[small])
        at = start[small][owner] + np.arange(len(owner)) - np.repeat(np.cumsum(count[small]) - count[small], count[small])
        wanted = big[owner] * vocabulary + keys[at] % vocabulary
        found = keys[np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)] == wanted
        out[p0:p0 + len(a)] = np.bincount(owner, weights=found, minlength=len(a)) / np.maximum(count[small], 1)
    return out


def _tile_pairs(x: np.ndarray, queries: np.ndarray, others: np.ndarray, label: np.ndarray, min_cosine: float,
                k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(query row, other row, cosine) of alike pairs between two row sets, at most `k` per query."""
    parts = []
    for q0 in range(0, len(queries), _TILE):
        q = queries[q0:q0 + _TILE]
        for o0 in range(0, len(others), _TILE):
            o = others[o0:o0 + _TILE]
            s = x[q] @ x[o].T
            s[q[:, None] == o[None, :]] = -2.0
            same = (label[q][:, None] == label[o][None, :]) & (label[q][:, None] >= 0)
            s[same] = -2.0
            if k < s.shape[1]:  # each query's k best of the tile, found without sorting the tile
                top = np.argpartition(-s, k - 1, axis=1)[:, :k]
                best = np.take_along_axis(s, top, axis=1)
                i, jj = np.nonzero(best >= min_cosine)
                j, found = top[i, jj], best[i, jj]
            else:
                i, j = np.nonzero(s >= min_cosine)
                found = s[i, j]
            if len(i):
                parts.append(_best(q[i], o[j], found, k))
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
    return _best(*map(np.concatenate, zip(*parts)), k)


def _best(a: np.ndarray, b: np.ndarray, s: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """At most `k` rows per `a`, the highest `s` (ties: lower `b`)."""
    if not len(a):
        return a, b, s
    order = np.lexsort((b, -s, a))
    a, b, s = a[order], b[order], s[order]
    start = np.flatnonzero(np.concatenate([[True], a[1:] != a[:-1]]))
    pos = np.arange(len(a)) - np.repeat(start, np.diff(np.concatenate([start, [len(a)]])))
    keep = pos < k
    return a[keep], b[keep], s[keep]


def _kmeans(x: np.ndarray, cells: int, *, seed: int, iterations: int = 6) -> np.ndarray:
    """Spherical k-means centres (cells x d) from a seeded sample of at most 40 rows per cell."""
    rng = np.random.default_rng(seed)
    sample = x[np.sort(rng.choice(len(x), size=min(len(x), 40 * cells), replace=False))]
    centres = sample[np.sort(rng.choice(len(sample), size=cells, replace=False))].copy()
    for _ in range(iterations):
        home = _nearest(sample, centres, 1)[:, 0]
        sums = np.zeros_like(centres)
        np.add.at(sums, home, sample)
        norm = np.linalg.norm(sums, axis=1)
        moved = norm > 0  # an empty cell keeps its centre
        centres[moved] = sums[moved] / norm[moved, None]
    return centres


def _nearest(x: np.ndarray, centres: np.ndarray, k: int) -> np.ndarray:
    """Per row, its `k` nearest centres (highest dot product first)."""
    out = np.empty((len(x), k), dtype=np.int64)
    for s in range(0, len(x), 16_384):
        d = x[s:s + 16_384] @ centres.T
        top = np.argpartition(-d, k - 1, axis=1)[:, :k] if k < d.shape[1] else np.tile(np.arange(d.shape[1]), (len(d), 1))
        out[s:s + len(d)] = np.take_along_axis(top, np.argsort(-np.take_along_axis(d, top, axis=1), axis=1), axis=1)
    return out


def _stars(n: int, pairs: np.ndarray, cosine: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per distinct text (numbered in time order): the head of its family (itself when it heads
    one) and its cosine to that head. A text joins the most alike earlier head, else heads."""
    head = np.arange(n)
    sim = np.ones(n)
    if not len(pairs):
        return head, sim
    order = np.lexsort((-cosine, pairs[:, 1]))  # by the later text, most alike first
    early, late, cos = pairs[order, 0].tolist(), pairs[order, 1].tolist(), cosine[order].tolist()
    is_head = np.ones(n, dtype=bool)
    for e, l, c in zip(early, late, cos):
        if head[l] != l or not is_head[e]:  # `late` already joined; or `early` is no head
            continue
        head[l], sim[l], is_head[l] = e, c, False
    return head, sim


def _members(rows: np.ndarray, uid: np.ndarray, head: np.ndarray, sim: np.ndarray) -> pa.Table:
    """Rows of families with two or more distinct texts, numbered by first appearance."""
    family_of = head[uid]
    size = np.bincount(head, minlength=len(head))  # distinct texts per family
    keep = np.flatnonzero(size[family_of] >= 2)
    if not len(keep):
        return TALKING_POINT_SCHEMA.empty_table()
    heads = np.unique(family_of[keep])  # heads are numbered in time order already
    number = np.zeros(len(head), dtype=np.int64)
    number[heads] = np.arange(1, len(heads) + 1)
    fam = number[family_of[keep]]
    table = pa.table({"family_id": fam, "row": rows[keep].astype(np.int64), "similarity": sim[uid[keep]]},
                     schema=TALKING_POINT_SCHEMA)
    return table.take(pa.array(np.lexsort((np.arange(len(keep)), fam))))
