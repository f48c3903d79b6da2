"""Hamming-radius search over many binary hashes, growing as photos arrive.

Multi-index hashing (Norouzi, Punjani and Fleet, 2012): each code is cut into m 16-bit chunks.
Write the radius as r = s * m + a (0 <= a < m); two codes within distance r then agree within s
bits on one of the first a + 1 chunks, or within s - 1 bits on one of the others (had every chunk
differed by more, the total would exceed r). A query therefore probes, per chunk, the buckets
within that many bits of its own chunk, and checks only the codes found there. For PDQ (256 bits,
16 chunks) at radius 31 that is 17 buckets a chunk of 65,536; for the 64-bit low hashes (4 chunks)
at radius 16, 2,517 buckets in one chunk and 697 in each of the other three, about 7 % of the
codes. All queries of a block are probed at once, with numpy. Where probing would cost more than
a scan (small corpora, wide radii), the index scans all codes with numpy's popcount instead.
Added codes go to a small pending part, scanned directly, and are merged into the chunk tables
once it grows: adding never rebuilds what is there on every call.
"""

from __future__ import annotations

from functools import cache
from itertools import combinations

import numpy as np

from ..errors import BadParameter

__all__ = ["HammingIndex", "probe_depths"]

_MERGE_ROWS = 50_000
_BUCKETS = 65_536
_PROBES_PER_BLOCK = 4_000_000  # (query, bucket) pairs looked up at once
_CANDIDATES_PER_BLOCK = 4_000_000  # candidate codes checked at once
# Rough costs, in units of one 64-bit word compared by a scan: looking a bucket up, and checking a
# candidate found there (gathered, compared, deduplicated). Measured with bench/photos.py.
_PROBE_COST = 1.0
_CANDIDATE_COST = 6.0


@cache
def _masks(bits: int) -> np.ndarray:
    """Every 16-bit value with at most `bits` bits set (none for bits < 0)."""
    if bits < 0:
        return np.zeros(0, np.int64)
    out = [0]
    for k in range(1, bits + 1):
        out += [sum(1 << i for i in c) for c in combinations(range(16), k)]
    return np.asarray(out, dtype=np.int64)


def probe_depths(radius: int, n_chunks: int) -> list[int]:
    """Per chunk, how many bits a query's chunk may differ in the buckets it probes: s for the
    first a + 1 chunks and s - 1 for the rest, where radius = s * n_chunks + a."""
    s, a = divmod(radius, n_chunks)
    return [s if c <= a else s - 1 for c in range(n_chunks)]


class HammingIndex:
    """Codes of `n_bytes` bytes (a multiple of 2), each with an integer id."""

    def __init__(self, n_bytes: int) -> None:
        if n_bytes < 2 or n_bytes % 2:
            raise BadParameter(f"HammingIndex needs codes of an even number of bytes; got {n_bytes}.")
        self.n_bytes = n_bytes
        self._codes = np.zeros((0, n_bytes), np.uint8)
        self._ids = np.zeros(0, np.int64)
        self._order: np.ndarray | None = None  # per chunk, positions sorted by chunk value
        self._starts: np.ndarray | None = None  # per chunk, where each of the 65,536 values starts
        self._merged = 0  # codes [0, merged) are in the chunk tables; the rest are pending
        self.checked = 0  # codes compared with a query in the last search (a scan compares them all)
        self._columns: list[np.ndarray] | None = None  # the merged codes' word columns, made on first probe

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, codes: np.ndarray, ids: np.ndarray) -> None:
        """Add codes (n, n_bytes) uint8 with their ids."""
        codes = np.ascontiguousarray(codes, dtype=np.uint8).reshape(-1, self.n_bytes)
        self._codes = np.concatenate([self._codes, codes])
        self._ids = np.concatenate([self._ids, np.asarray(ids, np.int64).reshape(-1)])
        if len(self._ids) - self._merged > max(_MERGE_ROWS, self._merged // 4):
            self._merge()

    def _merge(self) -> None:
        chunks = self._codes.view(">u2").T.astype(np.uint16)  # (n_chunks, n), big-endian 16-bit chunks
        self._order = np.argsort(chunks, axis=1, kind="stable")
        self._starts = np.stack([np.searchsorted(c[o], np.arange(_BUCKETS + 1)) for c, o in zip(chunks, self._order)])
        self._merged = len(self._ids)

    def _words(self, codes: np.ndarray) -> np.ndarray:
        """Codes as native 64-bit words when they fit (bit counts do not depend on byte order), else bytes."""
        return np.ascontiguousarray(codes).view(np.uint64) if self.n_bytes % 8 == 0 else codes

    def _scan(self, queries: np.ndarray, radius: int, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Codes [lo, hi) against every query, in blocks, as 64-bit words with numpy's popcount."""
        words = self._words(self._codes[lo:hi])
        qwords = self._words(queries)
        block = max(1, 4_000_000 // max(1, len(words) * words.shape[1]))
        out_q, out_pos, out_d = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        for start in range(0, len(qwords), block):
            qb = qwords[start:start + block]
            d = np.zeros((len(qb), len(words)), np.int64)
            self.checked += d.size
            for w in range(words.shape[1]):
                d += np.bitwise_count(np.bitwise_xor(qb[:, w, None], words[None, :, w]))
            rows, positions = np.nonzero(d <= radius)
            out_q.append(rows + start)
            out_pos.append(positions + lo)
            out_d.append(d[rows, positions])
        return np.concatenate(out_q), np.concatenate(out_pos), np.concatenate(out_d)

    def _probing_pays(self, depths: list[int]) -> bool:
        """Whether probing the chunk tables costs less than scanning the merged codes (codes taken
        as spread evenly over the buckets)."""
        buckets = sum(len(_masks(b)) for b in depths)
        probe = buckets * _PROBE_COST + self._merged * buckets / _BUCKETS * _CANDIDATE_COST
        return probe < self._merged * self._words(self._codes[:1]).shape[1]

    def _probe(self, queries: np.ndarray, radius: int, depths: list[int]
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The merged codes within `radius` of each query, found through the chunk tables: (query
        row, position, distance), each pair once, by query row then position."""
        values = queries.view(">u2").astype(np.int64)  # (n_queries, n_chunks)
        buckets = sum(len(_masks(b)) for b in depths)
        block = max(1, min(len(queries), _PROBES_PER_BLOCK // max(buckets, 1),
                           int(_CANDIDATES_PER_BLOCK / max(1.0, self._merged * buckets / _BUCKETS))))
        out = [(np.zeros(0, np.int64),) * 3]
        for start in range(0, len(queries), block):
            out.append(self._probe_block(queries[start:start + block], values[start:start + block], radius, depths,
                                         start))
        return tuple(np.concatenate(part) for part in zip(*out))

    def _probe_block(self, queries: np.ndarray, values: np.ndarray, radius: int, depths: list[int], first: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        words, qwords = self._word_columns(), self._words(queries)
        found_row, found_pos, found_d = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        for c, bits in enumerate(depths):
            masks = _masks(bits)
            if not len(masks):
                continue
            probe = np.bitwise_xor(values[:, c, None], masks[None, :])  # (queries, buckets)
            lo = self._starts[c][probe].ravel()
            count = self._starts[c][probe + 1].ravel() - lo
            hit = np.flatnonzero(count)
            lo, count = lo[hit], count[hit]
            offsets = np.repeat(lo - (np.cumsum(count) - count), count) + np.arange(int(count.sum()))
            pos = self._order[c][offsets]
            row = np.repeat(hit // len(masks), count)
            self.checked += len(row)
            d = np.zeros(len(row), np.int64)
            for w, column in enumerate(words):
                d += np.bitwise_count(np.bitwise_xor(column[pos], qwords[row, w]))
            near = d <= radius
            found_row.append(row[near])
            found_pos.append(pos[near])
            found_d.append(d[near])
        row, pos, d = np.concatenate(found_row), np.concatenate(found_pos), np.concatenate(found_d)
        key, first_seen = np.unique(row * self._merged + pos, return_index=True)  # a code found via 2 chunks, once
        return key // self._merged + first, key % self._merged, d[first_seen]

    def _word_columns(self) -> list[np.ndarray]:
        """The merged codes as contiguous columns of 64-bit words (or bytes), for fast gathers."""
        if self._columns is None or len(self._columns[0]) != self._merged:
            words = self._words(self._codes[:self._merged])
            self._columns = [np.ascontiguousarray(words[:, w]) for w in range(words.shape[1])]
        return self._columns

    def search(self, queries: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every stored code within `radius` bits of each query: (query row, id, distance) arrays,
        ordered by query row, then the order the codes were added in."""
        queries = np.ascontiguousarray(queries, dtype=np.uint8).reshape(-1, self.n_bytes)
        self.checked = 0
        if not len(self._ids) or not len(queries) or radius < 0:
            empty = np.zeros(0, np.int64)
            return empty, empty, empty
        depths = probe_depths(radius, self.n_bytes // 2)
        if self._merged and self._probing_pays(depths):
            parts = [self._probe(queries, radius, depths), self._scan(queries, radius, self._merged, len(self._ids))]
        else:
            parts = [self._scan(queries, radius, 0, len(self._ids))]
        q, positions, d = (np.concatenate(p) for p in zip(*parts))
        order = np.lexsort((positions, q))
        return q[order], self._ids[positions[order]], d[order]
