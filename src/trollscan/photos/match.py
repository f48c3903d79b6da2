"""Which pictures are copies of one another: candidates from the hashes, then a check on the pixels.

1. PDQ: a picture's PDQ hash as is against every stored PDQ variant (the 8 rotations and mirrors).
   Within `max_pdq_distance` bits (31 of 256, Meta's own line) is a match without looking further.
2. Low hashes: the whole picture against every view of the others (crops included), and each crop
   view against the others' whole pictures in their 8 variants, within `max_low_distance` bits of
   64. These are only candidates: `align` then finds where one picture sits in the other and the
   pair is a match when, aligned, PDQ is within `max_pdq_distance` or the tiles agree
   (`min_correlation`: a caption or a sticker spoils a few tiles, a different photo most).

Low-quality hashes (PDQ quality under `min_quality`: flat, blank or tiny pictures) never match by
similarity; the same bytes on two accounts (same sha256) are handled by the detectors directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .align import align, turned
from .decode import Decoded, decode
from .hashing import DIHEDRAL, FULL, low_rows, pdq_rows
from .index import HammingIndex

__all__ = ["Hashed", "hash_image", "MATCH_SCHEMA", "find_matches", "describe"]


@dataclass(frozen=True)
class Hashed:
    """What is stored about one image: its size, format, PDQ quality and hashes by view."""

    key: str  # sha256 of the file
    width: int
    height: int
    format: str
    quality: int
    hashes: dict[str, bytes]  # view -> packed hash (pdq:0..7, low:full:0..7, low:crop..)


def hash_image(key: str, data: bytes) -> tuple[Hashed, Decoded]:
    """Decode and hash one image (raises BadFile or TooLarge with the reason)."""
    decoded = decode(data)
    pdq, quality = pdq_rows(decoded)
    return Hashed(key, decoded.width, decoded.height, decoded.format, quality, dict(pdq + low_rows(decoded))), decoded


MATCH_SCHEMA = pa.schema([
    ("sha_a", pa.string()), ("sha_b", pa.string()),
    ("distance", pa.int32()),  # PDQ bits that differ (aligned, for method 'aligned')
    ("method", pa.string()),  # pdq | aligned
    ("transformation", pa.string()),  # e.g. "mirrored, cropped"; "" for a plain re-encoded copy
    ("copy", pa.string()),  # which side shows part of the other: a, b, or "" (neither is cropped)
    ("area", pa.float64()),  # share of the larger picture the smaller shows
    ("correlation", pa.float64()),  # aligned tile agreement (1 for method pdq)
    ("tiles", pa.int32()),  # of the 16 tiles of the aligned pictures, those that agree (null for method pdq)
    ("basis", pa.string()),  # what decided: pdq (whole pictures), aligned_pdq (PDQ where they overlap), tiles
])


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


def _candidates(images: list[Hashed], sides: list[int], *, max_pdq_distance: int, max_low_distance: int,
                min_quality: int, skip_within: tuple[int, ...], max_candidates: int) -> tuple[dict, dict]:
    """PDQ matches {(i, j): (distance, turn)}: i is j turned; and low candidates {(i, j): (distance,
    view, turn, owner of the crop view: '' none, 'i' or 'j')}, i the querying picture."""
    trusted = [img.quality >= min_quality for img in images]

    def allowed(i: int, j: int) -> bool:
        return i != j and trusted[i] and trusted[j] and not (sides[i] == sides[j] and sides[i] in skip_within)

    pdq, owner, views = _stack(images, "pdq:")
    index = HammingIndex(32)
    index.add(pdq, np.arange(len(owner)))
    plain = [n for n, v in enumerate(views) if v == "pdq:0"]
    found: dict[tuple[int, int], tuple[int, int]] = {}
    for q, hit, d in zip(*index.search(pdq[plain], max_pdq_distance)):
        i, j = int(owner[plain[q]]), int(owner[hit])
        if allowed(i, j) and ((i, j) not in found or d < found[(i, j)][0]):
            found[(i, j)] = (int(d), int(views[hit].split(":")[1]))
    low, low_owner, low_views = _stack(images, "low:")
    index = HammingIndex(8)
    index.add(low, np.arange(len(low_owner)))
    is_full = np.array([v.startswith("low:full:") for v in low_views], bool)
    turn = np.array([int(v.rsplit(":", 1)[1]) if v.startswith("low:full:") else 0 for v in low_views], np.int64)
    queries = np.array([n for n, v in enumerate(low_views) if v == "low:full:0" or not v.startswith("low:full:")],
                       np.int64)
    q, hit, d = index.search(low[queries], max_low_distance)
    qn = queries[q]
    i, j = low_owner[qn], low_owner[hit]
    ok = (is_full[qn] | is_full[hit]) & (i != j)  # crop against crop is not compared
    ok &= np.array([allowed(int(x), int(y)) for x, y in zip(i, j)], bool) if len(i) else ok
    qn, hit, d, i, j = qn[ok], hit[ok], d[ok], i[ok], j[ok]
    order = np.lexsort((hit, qn, d, j, i))  # per pair, the closest first
    candidates: dict[tuple[int, int], tuple[int, str, int, str]] = {}
    per_query: dict[int, int] = {}
    for n in order[np.argsort(d[order], kind="stable")]:  # closest pairs first; see max_candidates
        key = (int(i[n]), int(j[n]))
        if key in candidates or key[::-1] in candidates or key in found or key[::-1] in found:
            continue
        if min(per_query.get(key[0], 0), per_query.get(key[1], 0)) >= max_candidates:
            continue  # both pictures already have their closest candidates (an original with many copies still
            # gets each copy: the copy has room)
        per_query[key[0]] = per_query.get(key[0], 0) + 1
        per_query[key[1]] = per_query.get(key[1], 0) + 1
        a, b = int(qn[n]), int(hit[n])
        if is_full[b]:  # T_k(j) matches i's whole picture, or the crop view of i
            candidates[key] = (int(d[n]), FULL, int(turn[b]), "") if is_full[a] else \
                (int(d[n]), low_views[a][4:], int(turn[b]), "i")
        else:  # i's whole picture matches a crop view of j
            candidates[key] = (int(d[n]), low_views[b][4:], 0, "j")
    return found, candidates


def describe(turn: int, cropped: bool, colour_a: tuple | None, colour_b: tuple | None, altered: bool) -> str:
    """The transformation in words: 'mirrored, cropped, recoloured'; '' for a plain re-encoded copy."""
    words = [DIHEDRAL[turn]] if turn else []
    if cropped:
        words.append("cropped")
    if colour_a and colour_b and not cropped and not altered:  # a crop or a caption changes the colours too
        shares = max(abs(a - b) for a, b in zip(colour_a[:3], colour_b[:3]))
        if shares > 0.015 or abs(colour_a[3] - colour_b[3]) > 0.08:
            words.append("recoloured")
    if altered:
        words.append("partly covered or altered")
    return ", ".join(words)


def find_matches(images: list[Hashed], pixels: Callable[[int], Decoded | None], *, sides: list[int] | None = None,
                 skip_within: tuple[int, ...] = (), max_pdq_distance: int = 31, max_low_distance: int = 16,
                 min_correlation: float = 0.92, min_quality: int = 50, max_candidates: int = 2,
                 min_area: float = 0.6) -> pa.Table:
    """Pairs of `images` that show one photo, one row per unordered pair (MATCH_SCHEMA).

    `pixels(i)` gives image i decoded (None when its file is gone): only candidates from the low
    hashes need it. Two images on one side listed in `skip_within` (say, two gallery photos) are not compared.
    An aligned pair where the smaller picture shows less than `min_area` of the larger is not claimed.
    Low-hash candidates are checked closest first, and a pair is skipped once both of its pictures
    have `max_candidates` candidates already (this bounds the pixel checks to about 2 x that per picture).
    """
    sides = sides or [0] * len(images)
    found, candidates = _candidates(images, sides, max_pdq_distance=max_pdq_distance,
                                    max_low_distance=max_low_distance, min_quality=min_quality, skip_within=skip_within,
                                    max_candidates=max_candidates)
    rows: dict[tuple[int, int], dict] = {}
    cache: dict[int, Decoded | None] = {}

    def get(i: int) -> Decoded | None:
        if i not in cache:
            cache[i] = pixels(i)
        return cache[i]

    for (i, j), (d, turn) in sorted(found.items()):
        a, b = get(i), get(j)
        text = describe(turn, False, a.colour if a else None, b.colour if b else None, False)
        _keep(rows, i, j, {"distance": d, "method": "pdq", "transformation": text, "copy": "",
                           "area": 1.0, "correlation": 1.0, "tiles": None, "basis": "pdq"})
    for (i, j), (_low_d, view, turn, owner) in sorted(candidates.items()):
        if (min(i, j), max(i, j)) in rows and rows[(min(i, j), max(i, j))]["method"] == "pdq":
            continue
        a, b = get(i), get(j)
        if a is None or b is None:
            continue
        if owner == "j":  # i's whole picture is a crop of j
            small, big, copy = a.grey, b.grey, "i"
        else:  # T_turn(j) is i, or a crop of i (perhaps cropped a little either way when view is full)
            small, big, copy = turned(b.grey, turn), a.grey, owner and "j"
        fit = align(small, big, view)
        if fit.area < min_area or (fit.pdq_distance > max_pdq_distance and fit.correlation < min_correlation):
            continue
        cropped = fit.area < 0.93
        if not cropped:
            copy = ""
        elif not copy:
            copy = "j"
        text = describe(turn, cropped, a.colour, b.colour, fit.pdq_distance > max_pdq_distance and fit.tiles < 1)
        _keep(rows, i, j, {"distance": fit.pdq_distance, "method": "aligned", "transformation": text, "copy": copy,
                           "area": fit.area, "correlation": fit.correlation, "tiles": round(fit.tiles * 16),
                           "basis": "aligned_pdq" if fit.pdq_distance <= max_pdq_distance else "tiles"})
    out = []
    for (i, j), r in sorted(rows.items()):
        out.append({"sha_a": images[i].key, "sha_b": images[j].key, **r})
    return pa.Table.from_pylist(out, schema=MATCH_SCHEMA)


def _keep(rows: dict, i: int, j: int, row: dict) -> None:
    """Keep the closer finding of a pair, stored as (lower, higher) index with `copy` as 'a' / 'b'."""
    lo, hi = min(i, j), max(i, j)
    side = {"i": i, "j": j}.get(row["copy"])
    row["copy"] = "" if side is None else ("a" if side == lo else "b")
    if (lo, hi) not in rows or row["distance"] < rows[(lo, hi)]["distance"]:
        rows[(lo, hi)] = row

