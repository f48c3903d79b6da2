"""Template families: texts with the same or nearly the same words, with their first appearance.

Texts are normalised (`normalise.py`); texts of fewer than `min_chars` normalised characters are
left out (greetings and "+1" say nothing about who wrote them). Identical normalised texts are one
text to the index. Near duplicates are found with MinHash LSH over character shingles
(`minhash.py`), indexed with bands loose enough to catch pairs well below the verification
threshold, and every candidate pair is then verified exactly: the normalised texts' Indel similarity
(rapidfuzz's `ratio`: 1 - insertions and deletions needed / total length) must be at least
`min_similarity`. A family is a connected set of verified pairs; its first text is its earliest
item, and each member carries its exact similarity to that first text.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process

from ..errors import BadParameter
from .minhash import estimated_similarity, lsh_candidates, shingle_hashes, signatures
from .normalise import from_codes, normalised_codes

__all__ = ["FamilyResult", "text_families", "connected_labels", "verify_pairs", "FAMILY_SCHEMA"]

FAMILY_SCHEMA = pa.schema([
    ("family_id", pa.int64()),  # 1, 2, ... by first appearance
    ("row", pa.int64()),  # the input row
    ("normalised", pa.string()),
    ("similarity", pa.float64()),  # to the family's first text, 0-1
])


_MIN_ESTIMATE = 0.2  # estimated Jaccard below which a candidate is not verified
_CHUNK = 1 << 17  # texts encoded at a time (per worker)


@dataclass(frozen=True)
class FamilyResult:
    members: pa.Table  # FAMILY_SCHEMA, ordered by family, then time
    texts: int  # texts long enough to compare
    distinct: int  # distinct normalised texts among them
    candidates: int  # pairs the index proposed
    verified: int  # pairs at or above min_similarity


def text_families(text: pa.Array | pa.ChunkedArray, order: np.ndarray | None = None, *, min_chars: int = 20,
                  min_similarity: float = 0.8, shingle: int = 4, num_perm: int = 64, bands: int = 16,
                  max_chars: int = 2000, fold_letters: bool = True, transliterate: bool = False,
                  seed: int = 1, workers: int = 1) -> FamilyResult:
    """Families of identical and near-identical texts among `text` (rows in time order, or in the
    order of `order`: each row's rank, earliest first).

    Reads:    texts (any language: shingles are characters, not words)
    Evidence: the members of each family and their similarity to its first text
    Misleads: slogans, prayers, song lyrics and chain letters that real people copy; quotes of a
              news headline; a platform's own templates (birthday wishes, "joined the group").
    """
    if not 0 < min_similarity <= 1:
        raise BadParameter(f"The 'min_similarity' parameter must be in (0, 1]; got {min_similarity}.")
    if min_chars < shingle or shingle < 1:
        raise BadParameter(f"The 'min_chars' parameter must be >= the shingle size {shingle}; got {min_chars}.")
    if workers < 1:
        raise BadParameter(f"The 'workers' parameter must be an int >= 1; got {workers}.")
    text = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
    n = len(text)

    def encode(start: int) -> tuple[pa.Array, np.ndarray]:
        codes, lengths = normalised_codes(text.slice(start, _CHUNK), fold_letters=fold_letters,
                                          transliterate=transliterate)
        hashes, owner = shingle_hashes(codes, lengths, k=shingle, seed=seed, max_len=max_chars)
        return from_codes(codes, lengths), signatures(hashes, owner, len(lengths), num_perm=num_perm, seed=seed)

    with ThreadPoolExecutor(max_workers=workers) as pool:  # numpy and Arrow release the GIL
        parts = list(pool.map(encode, range(0, n, _CHUNK)))
    if not parts:
        return FamilyResult(FAMILY_SCHEMA.empty_table(), 0, 0, 0, 0)
    norm = pa.concat_arrays([p[0].cast(pa.large_string()) for p in parts])
    sig = np.concatenate([p[1] for p in parts])
    rank = np.arange(n) if order is None else np.asarray(order, dtype=np.int64)
    by_time = np.argsort(rank, kind="stable")
    length = pc.utf8_length(norm).to_numpy(zero_copy_only=False)[by_time]
    rows = by_time[length >= min_chars]
    encoded = pc.dictionary_encode(norm.take(pa.array(rows)))
    uid = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    # In order of first appearance (each text's earliest item); compared on their first `max_chars`.
    distinct = pc.utf8_slice_codeunits(encoded.dictionary, 0, max_chars).to_pylist()
    first = np.flatnonzero(uid > np.maximum.accumulate(np.concatenate([[-1], uid[:-1]])))
    dsig = sig[rows[first]]
    cand = lsh_candidates(dsig, bands=bands, seed=seed)
    # Bucket neighbours that agree on few bins are far below any verified pair (those agree on
    # half the bins or more; see docs/text.md): they are left out before the exact check.
    likely = cand[estimated_similarity(dsig, cand) >= _MIN_ESTIMATE]
    pairs = verify_pairs(distinct, likely, min_similarity=min_similarity, workers=workers)
    label = connected_labels(len(distinct), pairs)
    members = _members(rows, uid, label, distinct, workers)
    return FamilyResult(members, texts=len(rows), distinct=len(distinct), candidates=len(cand),
                        verified=len(pairs))


def verify_pairs(texts: list[str], pairs: np.ndarray, *, min_similarity: float, workers: int = 1) -> np.ndarray:
    """The pairs whose texts' Indel similarity (rapidfuzz ratio / 100) is at least `min_similarity`."""
    if not len(pairs):
        return pairs
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    la, lb = lengths[pairs[:, 0]], lengths[pairs[:, 1]]
    # The ratio can reach at most 2 * shorter / (sum of lengths): skip pairs that cannot pass.
    pairs = pairs[2 * np.minimum(la, lb) >= min_similarity * (la + lb) - 1e-9]
    if not len(pairs):
        return pairs
    score = _ratios(texts, pairs, workers)
    return pairs[score >= min_similarity * 100 - 1e-9]


def _ratios(texts: list[str], pairs: np.ndarray, workers: int) -> np.ndarray:
    a = [texts[i] for i in pairs[:, 0].tolist()]
    b = [texts[i] for i in pairs[:, 1].tolist()]
    return process.cpdist(a, b, scorer=fuzz.ratio, workers=workers, dtype=np.float64)


def connected_labels(n: int, pairs: np.ndarray) -> np.ndarray:
    """Per node 0..n-1, the smallest node of its connected component (pairs: (m, 2) edges)."""
    parent = np.arange(n, dtype=np.int64)
    if not len(pairs):
        return parent
    a, b = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    while True:
        ra, rb = parent[a], parent[b]
        lo, hi = np.minimum(ra, rb), np.maximum(ra, rb)
        diff = lo != hi
        if not diff.any():
            break
        np.minimum.at(parent, hi[diff], lo[diff])  # hook the larger root under the smaller
        while True:  # pointer jumping until every node points at its root
            up = parent[parent]
            if np.array_equal(up, parent):
                break
            parent = up
    return parent


def _members(rows: np.ndarray, uid: np.ndarray, label: np.ndarray, distinct: list[str], workers: int) -> pa.Table:
    """Rows of families of two or more items, numbered by first appearance (rows are in time order)."""
    comp = label[uid]
    size = np.bincount(comp, minlength=len(label))
    keep = np.flatnonzero(size[comp] >= 2)
    if not len(keep):
        return FAMILY_SCHEMA.empty_table()
    comp_k = comp[keep]
    member_uid = uid[keep]
    # Rows are in time order: a family's number and head come from its first row.
    first_row = np.full(len(label), len(keep), dtype=np.int64)
    np.minimum.at(first_row, comp_k, np.arange(len(keep)))
    heads = np.flatnonzero(first_row < len(keep))
    family_no = np.zeros(len(label), dtype=np.int64)
    family_no[heads[np.argsort(first_row[heads], kind="stable")]] = np.arange(1, len(heads) + 1)
    fam = family_no[comp_k]
    head_uid = member_uid[first_row[comp_k]]
    sim = np.ones(len(keep))
    differ = head_uid != member_uid
    if differ.any():
        sim[differ] = _ratios(distinct, np.column_stack([head_uid[differ], member_uid[differ]]), workers) / 100.0
    table = pa.table({"family_id": fam, "row": rows[keep].astype(np.int64),
                      "normalised": pa.array([distinct[i] for i in member_uid.tolist()], pa.string()),
                      "similarity": sim},
                     schema=FAMILY_SCHEMA)
    return table.take(pa.array(np.lexsort((np.arange(len(keep)), fam))))
