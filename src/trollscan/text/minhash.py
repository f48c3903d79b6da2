"""Near-duplicate candidates: MinHash LSH over character shingles, vectorised with numpy.

All texts live in one flat array of code points (see `normalise.normalised_codes`). Every shingle
of `k` code points gets a 32-bit hash by a polynomial over the window and a mixing finaliser; a
text's signature is a one-permutation MinHash: the hash's top bits pick one of `num_perm` bins, the
smallest of the other bits per bin is kept (`np.minimum.at`; each shingle is drawn four times, under
four salts, so that short texts leave few bins empty), and an empty bin borrows the next filled bin to
its right, mixed with the distance (densification by rotation, Shrivastava and Li 2014), so that two
texts agree on a bin with probability close to the Jaccard similarity of their shingle sets. Signatures are cut
into `bands` bands; texts whose band values are equal fall into one bucket, and each bucket gives
candidate pairs: its first text with every other one, and each text with the next (linear in the
bucket's size, never quadratic). Candidates are then verified exactly by the caller.
"""

from __future__ import annotations

import numpy as np

from ..errors import BadParameter

__all__ = ["shingle_hashes", "signatures", "lsh_candidates", "band_probability", "estimated_similarity"]

_MAX = np.uint32(0xFFFFFFFF)
_C1, _C2 = np.uint32(0x85EBCA6B), np.uint32(0xC2B2AE35)


def _mix(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, in place."""
    x ^= x >> np.uint32(16)
    x *= _C1
    x ^= x >> np.uint32(13)
    x *= _C2
    x ^= x >> np.uint32(16)
    return x


def shingle_hashes(codes: np.ndarray, lengths: np.ndarray, *, k: int = 4, seed: int = 1,
                   max_len: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The 32-bit hash of every k-code-point window inside each text (inside its first `max_len`
    code points), and the text each belongs to. A text shorter than `k` has no shingles."""
    if k < 1:
        raise BadParameter(f"The 'k' parameter of shingle_hashes must be an int >= 1; got {k}.")
    lengths = np.asarray(lengths, dtype=np.int64)
    n = len(codes)
    if n < k:
        return np.zeros(0, np.uint32), np.zeros(0, np.int32)
    rng = np.random.default_rng(seed)
    mult = rng.integers(1, 2**32, size=k, dtype=np.uint64).astype(np.uint32) | np.uint32(1)
    c = np.ascontiguousarray(codes, dtype=np.uint32)
    m = n - k + 1
    h = c[:m] * mult[0]
    for j in range(1, k):
        h += c[j:j + m] * mult[j]
    ends = np.cumsum(lengths)
    starts = ends - lengths
    used = lengths if max_len is None else np.minimum(lengths, max_len)
    valid = np.zeros(m + 1, dtype=np.int32)  # +1 at a text's first window, -1 after its last
    full = used >= k
    np.add.at(valid, starts[full], 1)
    np.add.at(valid, np.minimum(starts[full] + used[full] - k + 1, m), -1)
    keep = np.cumsum(valid[:m], dtype=np.int32) > 0
    text = np.repeat(np.arange(len(lengths), dtype=np.int32), np.maximum(used - k + 1, 0))
    return _mix(h[keep]), text


def signatures(hashes: np.ndarray, text: np.ndarray, n_texts: int, *, num_perm: int = 64, copies: int = 4,
               seed: int = 1) -> np.ndarray:
    """One-permutation MinHash signatures, densified: (n_texts, num_perm) uint32. A text without
    shingles gets a row of 0xFFFFFFFF (the caller leaves it out)."""
    if num_perm < 2 or num_perm & (num_perm - 1):
        raise BadParameter(f"The 'num_perm' parameter must be a power of two >= 2; got {num_perm}.")
    bits = num_perm.bit_length() - 1
    hashes = np.asarray(hashes, dtype=np.uint32)
    base = text.astype(np.int64) * num_perm
    sig = np.full(n_texts * num_perm, _MAX, dtype=np.uint32)
    # Each shingle is drawn `copies` times (a shingle and a copy number are one item: the Jaccard of
    # the items is that of the shingles), so that fewer bins of a short text stay empty.
    salts = np.random.default_rng(seed + 31).integers(0, 2**32, size=copies, dtype=np.uint64).astype(np.uint32)
    for salt in salts:
        h = _mix(hashes ^ salt)
        # The top bits choose the bin, the others are the value (the bin's bits are equal within it).
        np.minimum.at(sig, base + (h >> np.uint32(32 - bits)), h << np.uint32(bits))
    sig = sig.reshape(n_texts, num_perm)
    return _densify(sig, seed)


def _densify(sig: np.ndarray, seed: int) -> np.ndarray:
    """Fill each empty bin from the next filled bin to its right (cyclically), mixed with the
    distance, so that two texts agree on an empty bin only if they agree on its source and on how
    far it is ("densified one-permutation hashing by rotation", Shrivastava and Li 2014). A row
    without any filled bin stays empty."""
    n, p = sig.shape
    filled = sig != _MAX
    if filled.all() or not n:
        return sig
    # Bins as rows (p, n), scanned from the right twice round: whole rows at a time.
    filled_t = np.ascontiguousarray(filled.T)
    sig_t = np.ascontiguousarray(sig.T)
    out = sig_t.copy()
    salt = np.uint32(np.random.default_rng(seed + 7919).integers(1, 2**32, dtype=np.uint64) | 1)
    where = np.full(n, 3 * p, dtype=np.int64)  # the nearest filled bin at or after, in the doubled row
    value = np.full(n, _MAX, dtype=np.uint32)
    for j in range(2 * p - 1, -1, -1):
        b = j % p
        where = np.where(filled_t[b], j, where)
        value = np.where(filled_t[b], sig_t[b], value)
        if j < p:
            empty = ~filled_t[b] & (where < 3 * p)
            out[b, empty] = value[empty] ^ ((where[empty] - j).astype(np.uint32) * salt)
    return np.ascontiguousarray(out.T)


def band_probability(similarity: float, *, bands: int, rows: int) -> float:
    """The chance that two texts of this Jaccard similarity share at least one band."""
    return 1.0 - (1.0 - similarity ** rows) ** bands


def lsh_candidates(sig: np.ndarray, *, bands: int, seed: int = 1) -> np.ndarray:
    """Candidate pairs (i < j, as an (m, 2) int64 array, unique) of texts sharing a band bucket."""
    n, p = sig.shape
    if bands < 1 or p % bands:
        raise BadParameter(f"The 'bands' parameter must divide num_perm ({p}); got {bands}.")
    rows = p // bands
    mult = np.random.default_rng(seed + 104729).integers(1, 2**63, size=rows, dtype=np.uint64) | np.uint64(1)
    live = np.flatnonzero(sig[:, 0] != _MAX)
    pairs = []
    for b in range(bands):
        block = sig[live, b * rows:(b + 1) * rows].astype(np.uint64)
        key = block[:, 0] * mult[0]
        for j in range(1, rows):
            key += block[:, j] * mult[j]
        order = np.argsort(key, kind="stable")
        k = key[order]
        same = k[1:] == k[:-1]
        if not same.any():
            continue
        idx = live[order]
        nxt = np.flatnonzero(same) + 1
        pairs.append(np.column_stack([idx[nxt - 1], idx[nxt]]))  # each text with the one before
        start = np.flatnonzero(np.concatenate([[True], ~same]))
        bucket = np.cumsum(np.concatenate([[True], ~same]), dtype=np.int32) - 1
        lead = idx[start[bucket[nxt]]]
        far = lead != idx[nxt - 1]
        pairs.append(np.column_stack([lead[far], idx[nxt][far]]))  # and with the bucket's first text
    if not pairs:
        return np.zeros((0, 2), dtype=np.int64)
    found = np.concatenate(pairs).astype(np.int64)
    key = np.minimum(found[:, 0], found[:, 1]) * n + np.maximum(found[:, 0], found[:, 1])
    key.sort()
    key = key[np.concatenate([[True], key[1:] != key[:-1]])]
    return np.column_stack([key // n, key % n])


def estimated_similarity(sig: np.ndarray, pairs: np.ndarray, *, block: int = 1 << 16) -> np.ndarray:
    """Per pair, the share of signature bins the two texts agree on (an estimate of their Jaccard)."""
    out = np.empty(len(pairs))
    for start in range(0, len(pairs), block):
        p = pairs[start:start + block]
        out[start:start + block] = (sig[p[:, 0]] == sig[p[:, 1]]).mean(axis=1)
    return out
