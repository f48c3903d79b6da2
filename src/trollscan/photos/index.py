"""Hamming-radius search over many binary hashes, growing as photos arrive.

Multi-index hashing (Norouzi, Punjani and Fleet, 2012): each code is cut into 16-bit chunks; two
codes within distance r agree within floor(r / chunks) bits on at least one chunk (pigeonhole), so a
query probes, per chunk, the buckets within that many bits of its own chunk and checks only the
codes found there. For PDQ (256 bits, 16 chunks) at radius 31 that is 17 buckets a chunk out of
65,536. Where probing would touch more codes than a scan (short codes at a wide radius, small
corpora), the index scans all codes with numpy's popcount instead. Added codes go to a small
pending part, scanned directly, and are merged into the chunk tables once it grows: adding never
rebuilds what is there on every call.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from ..errors import BadParameter

__all__ = ["HammingIndex"]

_MERGE_ROWS = 50_000


def _masks(bits: int) -> np.ndarray:
    """Every 16-bit value with at most `bits` bits set."""
    out = [0]
    for k in range(1, bits + 1):
        out += [sum(1 << i for i in c) for c in combinations(range(16), k)]
    return np.asarray(out, dtype=np.int64)


class HammingIndex:
    """Codes of `n_bytes` bytes (a multiple of 2), each with an integer id."""

    def __init__(self, n_bytes: int) -> None:
        if n_bytes < 2 or n_bytes % 2:
            raise BadParameter(f"HammingIndex needs codes of an even number of bytes; got {n_bytes}.")
        self.n_bytes = n_bytes
        self._codes = np.zeros((0, n_bytes), np.uint8)
        self._ids = np.zeros(0, np.int64)
        self._chunks: np.ndarray | None = None  # (n_chunks, n) uint16 values of the merged part
        self._order: np.ndarray | None = None  # per chunk, positions sorted by chunk value
        self._starts: np.ndarray | None = None  # per chunk, where each of the 65,536 values starts
        self._merged = 0  # codes [0, merged) are in the chunk tables; the rest are pending

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
        self._starts = np.stack([np.searchsorted(c[o], np.arange(65_537)) for c, o in zip(chunks, self._order)])
        self._chunks = chunks
        self._merged = len(self._ids)

    def _distances(self, query: np.ndarray, positions: np.ndarray) -> np.ndarray:
        return np.bitwise_count(np.bitwise_xor(self._codes[positions], query)).sum(axis=1, dtype=np.int64)

    def _scan(self, queries: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every code against every query, in blocks, as 64-bit words with numpy's popcount."""
        words = self._codes.view(">u8") if self.n_bytes % 8 == 0 else self._codes
        qwords = queries.view(">u8") if self.n_bytes % 8 == 0 else queries
        block = max(1, 4_000_000 // max(1, len(words) * words.shape[1]))
        out_q, out_pos, out_d = [], [], []
        for start in range(0, len(qwords), block):
            qb = qwords[start:start + block]
            d = np.zeros((len(qb), len(words)), np.int64)
            for w in range(words.shape[1]):
                d += np.bitwise_count(np.bitwise_xor(qb[:, w, None], words[None, :, w]))
            rows, positions = np.nonzero(d <= radius)
            out_q.append(rows + start)
            out_pos.append(positions)
            out_d.append(d[rows, positions])
        return np.concatenate(out_q), np.concatenate(out_pos), np.concatenate(out_d)

    def search(self, queries: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every stored code within `radius` bits of each query: (query row, id, distance) arrays."""
        queries = np.ascontiguousarray(queries, dtype=np.uint8).reshape(-1, self.n_bytes)
        n_chunks = self.n_bytes // 2
        probe_bits = radius // n_chunks
        masks = _masks(probe_bits) if probe_bits <= 3 else None
        probing = masks is not None and self._merged and len(masks) * n_chunks * self._merged / 65_536 < self._merged / 8
        if not probing:
            if not len(self._ids) or not len(queries):
                empty = np.zeros(0, np.int64)
                return empty, empty, empty
            q, positions, d = self._scan(queries, radius)
            return q, self._ids[positions], d
        out_q, out_pos, out_d = [], [], []
        for row, query in enumerate(queries):
            values = query.view(">u2").astype(np.int64)
            found = [self._order[c][self._starts[c][p]:self._starts[c][p + 1]]
                     for c in range(n_chunks) for p in np.bitwise_xor(values[c], masks)
                     if self._starts[c][p + 1] > self._starts[c][p]]
            positions = np.concatenate(found + [np.arange(self._merged, len(self._ids))])
            if not len(positions):
                continue
            d = self._distances(query, positions)
            hit, first = np.unique(positions[d <= radius], return_index=True)  # a code found via 2 chunks, once
            out_q.append(np.full(len(hit), row, np.int64))
            out_pos.append(hit)
            out_d.append(d[d <= radius][first])
        if not out_q:
            empty = np.zeros(0, np.int64)
            return empty, empty, empty
        positions = np.concatenate(out_pos)
        return np.concatenate(out_q), self._ids[positions], np.concatenate(out_d)
