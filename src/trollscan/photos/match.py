"""Which pictures are copies of one another: candidates from the hashes, then a check on the pixels.

1. PDQ: a picture's PDQ hash as is against every stored PDQ variant (the 8 rotations and mirrors).
   Within `max_pdq_distance` bits (31 of 256, Meta's own line) is a match without looking further.
2. Low hashes: the whole picture against every view of the others (crops included), and each crop
   view against the others' whole pictures in their 8 variants, within `max_low_distance` bits of
   64. These are only candidates: `align` then finds where one picture sits in the other and the
   pair is a match when, aligned, PDQ is within `max_pdq_distance` or the median of 64 small tiles
   agrees at `min_correlation` (a caption or a sticker spoils a few tiles, a different photo most).
   A tilted copy is aligned with its angle (see `align`).

Low-quality hashes (PDQ quality under `min_quality`: flat, blank or tiny pictures) never match by
similarity; the same bytes on two accounts (same sha256) are handled by the detectors directly.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .align import Alignment, align, turned
from .candidates import find_candidates
from .decode import Decoded, decode
from .hashing import DIHEDRAL, FULL, HASHER, low_rows, pdq_rows

__all__ = ["Hashed", "hash_image", "MATCH_SCHEMA", "CHECK_SCHEMA", "CHECKER", "find_matches", "match_images",
           "check_settings", "describe", "check_pair", "pairs_decided"]


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
    ("correlation", pa.float64()),  # aligned: median correlation of the 64 small tiles (1 for method pdq)
    ("tiles", pa.int32()),  # of the 64 small tiles of the aligned pictures, those that agree (null for method pdq)
    ("basis", pa.string()),  # what decided: pdq (whole pictures), aligned_pdq (PDQ where they overlap), tiles
    ("angle", pa.float64()),  # degrees one picture is tilted against the other (0 for method pdq)
])


_RETRY_FROM = 0.6  # a failed alignment that fitted at least this well is tried again from another start
_WHOLE_TILES = 60  # of 64 small tiles: fewer agreeing, and the copy is called partly covered or altered


def describe(turn: int, cropped: bool, colour_a: tuple | None, colour_b: tuple | None, altered: bool, *,
             angle: float = 0.0) -> str:
    """The transformation in words: 'mirrored, tilted (4 degrees), cropped, recoloured'; '' for a plain
    re-encoded copy."""
    words = [DIHEDRAL[turn]] if turn else []
    if abs(angle) >= 0.75:
        words.append(f"tilted ({abs(angle):.0f} degree{'' if round(abs(angle)) == 1 else 's'})")
    if cropped:
        words.append("cropped")
    if colour_a and colour_b and not cropped and not altered:  # a crop or a caption changes the colours too
        shares = max(abs(a - b) for a, b in zip(colour_a[:3], colour_b[:3]))
        if shares > 0.015 or abs(colour_a[3] - colour_b[3]) > 0.08:
            words.append("recoloured")
    if altered:
        words.append("partly covered or altered")
    return ", ".join(words)


CHECK_SCHEMA = pa.schema([*MATCH_SCHEMA, ("matched", pa.bool_())])  # a pair decided: one photo, or not
CHECKER = "aligned+angle, 64 tiles/3"  # how pairs are decided: a change makes stored decisions stale


def check_settings(*, max_pdq_distance: int = 31, max_low_distance: int = 16, min_correlation: float = 0.92,
                   min_quality: int = 50, max_candidates: int = 2, min_area: float = 0.6) -> str:
    """What a stored decision depends on, as one string: the hasher, the checker, the thresholds that
    decide, and the options that choose which pairs are looked at (an image marked as compared is not
    looked up again, so other candidate options must compare everything again)."""
    return json.dumps({"hasher": HASHER, "checker": CHECKER, "max_pdq_distance": max_pdq_distance,
                       "max_low_distance": max_low_distance, "min_correlation": min_correlation,
                       "min_quality": min_quality, "max_candidates": max_candidates, "min_area": min_area},
                      sort_keys=True)


def find_matches(images: list[Hashed], pixels: Callable[[int], Decoded | None], **options) -> pa.Table:
    """Pairs of `images` that show one photo, one row per unordered pair (MATCH_SCHEMA); see match_images."""
    return match_images(images, pixels, **options)[0]


def match_images(images: list[Hashed], pixels: Callable[[int], Decoded | None], *, sides: list[int] | None = None,
                 skip_within: tuple[int, ...] = (), max_pdq_distance: int = 31, max_low_distance: int = 16,
                 min_correlation: float = 0.92, min_quality: int = 50, max_candidates: int = 2,
                 min_area: float = 0.6, known: pa.Table | None = None) -> tuple[pa.Table, pa.Table]:
    """Pairs of `images` that show one photo, one row per unordered pair (MATCH_SCHEMA); and the pairs
    decided by this call (CHECK_SCHEMA: `matched` false for a candidate that is not one photo).

    `pixels(i)` gives image i decoded (None when its file is gone): only candidates from the low
    hashes need it, and PDQ matches (for their colours). Two images on one side listed in
    `skip_within` (say, two gallery photos) are not compared. An aligned pair where the smaller
    picture shows less than `min_area` of the larger is not claimed. Low-hash candidates are checked
    closest first, and a pair is skipped once both of its pictures have `max_candidates` candidates
    already (this bounds the pixel checks to about 2 x that per picture).

    `known` (CHECK_SCHEMA, decided earlier with the same options) makes matching incremental: a pair
    in it is not decided again, its matches are kept, and pictures it marks as compared (a row pairing
    a picture with itself) are not looked up again, so a new photo costs only its own pairs. The second
    table returned holds such marks too, for every picture whose candidates were all decided.
    """
    sides = sides or [0] * len(images)
    decided, seen = _known(known)
    fresh = np.array([img.key not in seen for img in images], bool) if seen else None
    far = max_low_distance + 1
    reach = np.array([seen.get(img.key, far) for img in images], np.int64)
    found, candidates, reach_after = find_candidates(
        images, sides, max_pdq_distance=max_pdq_distance, max_low_distance=max_low_distance, min_quality=min_quality,
        skip_within=skip_within, max_candidates=max_candidates, fresh=fresh, reach=reach)
    waiting: set[int] = set()  # pictures with a candidate left undecided (a file is gone)
    rows: dict[tuple[int, int], dict] = {}
    checked: list[dict] = []
    cache: dict[int, Decoded | None] = {}

    def get(i: int) -> Decoded | None:
        if i not in cache:
            cache[i] = pixels(i)
        return cache[i]

    def recall(i: int, j: int) -> bool:
        """Use what an earlier run decided about the pair, if anything."""
        key = tuple(sorted((images[i].key, images[j].key)))
        if key not in decided:
            return False
        if decided[key] is not None:
            row = dict(decided[key])
            if row["copy"] in ("a", "b"):
                row["copy"] = "i" if (row["copy"] == "a") == (images[i].key == key[0]) else "j"
            _keep(rows, i, j, row)
        return True

    def note(i: int, j: int, row: dict | None) -> None:
        if row is not None:
            _keep(rows, i, j, row)
        lo, hi = min(i, j), max(i, j)
        kept = rows.get((lo, hi)) if row is not None else None
        checked.append({"sha_a": images[lo].key, "sha_b": images[hi].key, **(kept or {}), "matched": row is not None})

    for (i, j), (d, turn) in sorted(found.items()):
        if (min(i, j), max(i, j)) in rows or recall(i, j):
            continue
        a, b = get(i), get(j)
        text = describe(turn, False, a.colour if a else None, b.colour if b else None, False)
        note(i, j, {"distance": d, "method": "pdq", "transformation": text, "copy": "", "area": 1.0,
                    "correlation": 1.0, "tiles": None, "basis": "pdq", "angle": 0.0})
    for (i, j), (_low_d, view, turn, owner) in sorted(candidates.items()):
        if (min(i, j), max(i, j)) in rows or recall(i, j):
            continue
        a, b = get(i), get(j)
        if a is None or b is None:
            waiting.update((i, j))
            continue  # not decided: tried again when the files are back
        note(i, j, check_pair(a, b, view, turn, owner, max_pdq_distance=max_pdq_distance,
                              min_correlation=min_correlation, min_area=min_area))
    position = {img.key: n for n, img in enumerate(images)}
    for key in sorted(decided):  # earlier matches whose pair is no candidate now (a new photo took its place)
        i, j = position.get(key[0]), position.get(key[1])
        if decided[key] is None or i is None or j is None or (min(i, j), max(i, j)) in rows:
            continue
        if not (sides[i] == sides[j] and sides[i] in skip_within):
            recall(i, j)
    checked += [{"sha_a": img.key, "sha_b": img.key, "matched": False, "distance": int(reach_after[n])}
                for n, img in enumerate(images)  # compared with all the others, or its reach changed
                if n not in waiting and (img.key not in seen or reach_after[n] != reach[n])]
    out = [{"sha_a": images[i].key, "sha_b": images[j].key, **r} for (i, j), r in sorted(rows.items())]
    return pa.Table.from_pylist(out, schema=MATCH_SCHEMA), pa.Table.from_pylist(checked, schema=CHECK_SCHEMA)


def pairs_decided(checked: pa.Table) -> int:
    """How many pairs of two pictures a CHECK_SCHEMA table holds (a row pairing a picture with itself
    only records that it was compared with the others)."""
    return sum(a != b for a, b in zip(checked["sha_a"].to_pylist(), checked["sha_b"].to_pylist()))


def _known(known: pa.Table | None) -> tuple[dict[tuple[str, str], dict | None], dict[str, int]]:
    """(lower sha, higher sha) -> the match row oriented that way, or None for a pair that is not one
    photo; and the pictures already compared with all the others (rows pairing a picture with itself),
    with their reach (see candidates.find_candidates) in `distance`."""
    out: dict[tuple[str, str], dict | None] = {}
    seen: dict[str, int] = {}
    for r in ([] if known is None else known.to_pylist()):
        matched = r.pop("matched")
        a, b = r.pop("sha_a"), r.pop("sha_b")
        if a == b:
            seen[a] = 10**6 if r["distance"] is None else int(r["distance"])
            continue
        if a > b:
            a, b = b, a
            r["copy"] = {"a": "b", "b": "a"}.get(r["copy"] or "", "")
        out[(a, b)] = r if matched else None
    return out, seen


def _accepted(fit: Alignment, *, max_pdq_distance: int, min_correlation: float, min_area: float) -> bool:
    return fit.area >= min_area and (fit.pdq_distance <= max_pdq_distance or fit.correlation >= min_correlation)


def check_pair(a: Decoded, b: Decoded, view: str, turn: int, owner: str, *, max_pdq_distance: int = 31,
               min_correlation: float = 0.92, min_area: float = 0.6) -> dict | None:
    """Check one low-hash candidate on its pixels: a row of MATCH_SCHEMA without the two keys (`copy`
    as 'i' for a, 'j' for b, or ''), or None when the pictures are not one photo.

    `view`, `turn` and `owner` say what matched: the whole of a against `view` of b turned `turn`
    (owner ''), a's crop view `view` against b's whole turned (owner 'i'), or a's whole against
    b's crop view (owner 'j'). Two whole pictures are tried both ways round: either may be the crop."""
    b_turned = turned(b.grey, turn)
    if owner == "j":  # a's whole picture is a crop of b
        tries = [(a.grey, b.grey, "i", view)]
    else:  # T_turn(b) is a, or a crop of a (perhaps cropped a little either way when view is full)
        tries = [(b_turned, a.grey, owner and "j", view)]
    if view != FULL:  # from the crop view the search can settle on a part that leaves a caption out
        tries.append(tries[0][:3] + (FULL,))
    tries.append((a.grey, b_turned, "i", FULL) if tries[0][1] is a.grey else (b_turned, a.grey, "j", FULL))
    for small, big, copy, where in tries:
        fit = align(small, big, where)
        if _accepted(fit, max_pdq_distance=max_pdq_distance, min_correlation=min_correlation, min_area=min_area):
            break
        if fit.fit < _RETRY_FROM:  # not even loosely alike: another start would not help
            return None
    else:
        return None
    cropped = fit.area < 0.93
    if not cropped:
        copy = ""
    elif not copy:
        copy = "j"
    altered = fit.pdq_distance > max_pdq_distance and fit.tiles < _WHOLE_TILES
    return {"distance": fit.pdq_distance, "method": "aligned",
            "transformation": describe(turn, cropped, a.colour, b.colour, altered, angle=fit.angle),
            "copy": copy, "area": fit.area, "correlation": fit.correlation, "tiles": fit.tiles,
            "basis": "aligned_pdq" if fit.pdq_distance <= max_pdq_distance else "tiles",
            "angle": fit.angle}


def _keep(rows: dict, i: int, j: int, row: dict) -> None:
    """Keep the closer finding of a pair, stored as (lower, higher) index with `copy` as 'a' / 'b'."""
    lo, hi = min(i, j), max(i, j)
    side = {"i": i, "j": j}.get(row["copy"])
    row["copy"] = "" if side is None else ("a" if side == lo else "b")
    if (lo, hi) not in rows or row["distance"] < rows[(lo, hi)]["distance"]:
        rows[(lo, hi)] = row

