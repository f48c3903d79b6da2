"""The photo step of a scan, the reporter's gallery, and matching two folders without a case.

Hashing is the slow part and is done once per file: a scan hashes only the media files no earlier
scan hashed (with this hasher), then compares every stored hash through the index, checks the
candidate pairs on their pixels, and stores the findings of `photos.same_photo` (with account-pair
edges in layer `same_photo`) and `photos.gallery`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from ..errors import BadFile, BadParameter, TooLarge
from ..photos import (COMPATIBLE, HASHER, Decoded, Hashed, check_settings, decode, find_matches, gallery_match,
                      hash_image, match_images, pairs_decided, same_photo)
from ..store import Case
from ..store.images import (file_sha256, image_files, read_gallery, read_image_bytes, read_image_hashes,
                            read_images, read_media_files, read_photo_matches, read_photo_media, write_gallery,
                            write_image_hashes, write_photo_matches)
from ..store.results import read_names, write_results
from .summary import LayerSummary

__all__ = ["PhotoSummary", "scan_photos", "add_gallery", "match_folders", "hash_files"]

_BATCH = 500  # images written per transaction


@dataclass
class PhotoSummary(LayerSummary):
    hashed: int = 0  # files hashed by this run
    skipped: Counter = field(default_factory=Counter)  # reason -> files that could not be hashed
    missing: int = 0  # media files not found on disk
    low_quality: int = 0  # images whose PDQ quality is too low to compare by similarity
    gallery: int = 0  # findings of photos.gallery
    verified: int = 0  # image pairs decided by this run (the others were decided by earlier scans)


def _check(minimum: int | float, name: str, value: int | float, maximum: int | float) -> None:
    if not minimum <= value <= maximum:
        raise BadParameter(f"The '{name}' parameter of the photo matcher must be between {minimum} and {maximum}; "
                           f"got {value}.")


def _options(max_pdq_distance: int, max_low_distance: int, min_correlation: float, min_quality: int) -> dict:
    _check(0, "max_pdq_distance", max_pdq_distance, 128)
    _check(0, "max_low_distance", max_low_distance, 32)
    _check(0.0, "min_correlation", min_correlation, 1.0)
    _check(0, "min_quality", min_quality, 100)
    return {"max_pdq_distance": max_pdq_distance, "max_low_distance": max_low_distance,
            "min_correlation": min_correlation, "min_quality": min_quality}


def hash_files(files: list[dict], *, expect_sha: bool = True) -> tuple[list[dict], list[dict], Counter, int]:
    """Hash files (dicts with path and, when `expect_sha`, the sha256 the case knows them by):
    images rows, image_hashes rows, skip reasons, and how many files were missing."""
    images, hashes, skipped, missing = [], [], Counter(), 0
    for f in files:
        try:
            data = read_image_bytes(f["path"])
        except (BadFile, TooLarge) as exc:
            if not Path(f["path"]).exists():
                missing += 1
                continue
            data, reason = None, exc.message
        sha = file_sha256(data) if data is not None else f.get("sha256")
        if data is not None and expect_sha and sha != f["sha256"]:
            missing += 1  # the file changed since it was ingested: not the photo the case knows
            continue
        if data is not None:
            try:
                hashed, _ = hash_image(sha, data)
            except (BadFile, TooLarge) as exc:
                reason = exc.message
            else:
                images.append({"sha256": sha, "width": hashed.width, "height": hashed.height,
                               "format": hashed.format, "error": None, "path": f["path"]})
                hashes += [{"sha256": sha, "view": v, "pdq": code, "quality": hashed.quality}
                           for v, code in hashed.hashes.items()]
                continue
        skipped[reason] += 1
        images.append({"sha256": sha, "width": None, "height": None, "format": None, "error": reason,
                       "path": f["path"]})
    return images, hashes, skipped, missing


def _stored(case: Case) -> list[Hashed]:
    info = {r["sha256"]: r for r in read_images(case).to_pylist()}
    by_sha: dict[str, dict[str, bytes]] = {}
    quality: dict[str, int] = {}
    h = read_image_hashes(case)
    for sha, view, code, q in zip(*(h[c].to_pylist() for c in ("sha256", "view", "pdq", "quality"))):
        by_sha.setdefault(sha, {})[view] = code
        quality[sha] = q
    return [Hashed(sha, info[sha]["width"], info[sha]["height"], info[sha]["format"], quality[sha], views)
            for sha, views in sorted(by_sha.items()) if sha in info and info[sha]["hasher"] in COMPATIBLE]


def _loader(paths: dict[str, str], images: list[Hashed]) -> Callable[[int], Decoded | None]:
    def pixels(i: int) -> Decoded | None:
        path = paths.get(images[i].key)
        if path is None:
            return None
        try:
            return decode(read_image_bytes(path))
        except (BadFile, TooLarge):
            return None
    return pixels


def scan_photos(case: Case, fingerprint: str, *, progress: Callable[[str], None] | None = None,
                max_pdq_distance: int = 31, max_low_distance: int = 16, min_correlation: float = 0.92,
                min_quality: int = 50, max_accounts: int = 50) -> PhotoSummary:
    """Hash the case's new photo files, then find photos shared by accounts and gallery matches.

    Image pairs decided by an earlier scan with the same settings (table `photo_matches`) are not
    decided again: a scan after new photos arrive checks only the pairs they bring."""
    options = _options(max_pdq_distance, max_low_distance, min_correlation, min_quality)
    _check(2, "max_accounts", max_accounts, 10**9)
    started = time.perf_counter()
    summary = PhotoSummary("photos", None)
    todo = read_media_files(case, HASHER)
    for n in range(0, len(todo), _BATCH):
        if progress:
            progress(f"photos: hashing {n:,} of {len(todo):,}")
        images, hashes, skipped, missing = hash_files(todo[n:n + _BATCH])
        write_image_hashes(case, images, hashes, HASHER)
        summary.hashed += len(images) - sum(skipped.values())
        summary.skipped.update(skipped)
        summary.missing += missing
    if progress:
        progress("photos: matching")
    stored = _stored(case)
    gallery = read_gallery(case)
    gallery_shas = set(gallery["sha256"].to_pylist())
    media = read_photo_media(case)
    case_shas = set(media["sha256"].to_pylist())
    stored = [h for h in stored if h.key in case_shas or h.key in gallery_shas]
    paths = {r["sha256"]: r["path"] for r in read_media_files(case, HASHER, all_files=True)}
    paths.update({s: p for s, p in zip(gallery["sha256"].to_pylist(), gallery["path"].to_pylist()) if s not in paths})
    sides = [0 if h.key in case_shas else 1 for h in stored]
    settings = check_settings(**options)
    matches, checked = match_images(stored, _loader(paths, stored), sides=sides, skip_within=(1,),
                                    known=read_photo_matches(case, settings), **options)
    write_photo_matches(case, checked, settings)
    summary.verified = pairs_decided(checked)
    summary.low_quality = sum(h.quality < min_quality for h in stored)
    summary.actions, summary.candidates = len(stored), matches.num_rows
    names = {}
    for platform in sorted(set(media["platform"].to_pylist())):
        ids = [a for p, a in zip(media["platform"].to_pylist(), media["account_id"].to_pylist()) if p == platform]
        names.update({(platform, k): v for k, v in read_names(case, platform, ids).items()})
    edges, evidence, summary.crowded = same_photo(media, matches, names, max_accounts=max_accounts)
    found = gallery_match(media, gallery, matches, names)
    summary.seconds = time.perf_counter() - started
    params = dict(options, max_accounts=max_accounts, hasher=HASHER)
    write_results(case, detector="photos.same_photo", params=params, input_hash=fingerprint,
                  seconds=summary.seconds, edges=edges if edges.num_rows else None, evidence=evidence)
    write_results(case, detector="photos.gallery", params=params, input_hash=fingerprint,
                  seconds=summary.seconds, edges=None, evidence=found)
    summary.edges, summary.gallery = edges.num_rows, found.num_rows
    ranked = pa.concat_tables([found, evidence]).sort_by([("strength", "descending")])
    summary.top = ranked["sentence"].to_pylist()[:3]
    return summary


def add_gallery(case: Case, folder: Path, label: str) -> tuple[int, int, Counter]:
    """Hash the images under `folder` into the case as reference photos labelled `label`:
    (photos added, files seen, reasons files were skipped). Links, and paths that lead outside the
    folder, are skipped with their reason."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BadParameter(f"{folder} is not a folder.", "Give the folder that holds the reference photos.")
    if not label.strip():
        raise BadParameter("The gallery label is empty.", 'Say whose photos they are: --label "real owner: ...".')
    found, passed_over = image_files(folder)
    files = [{"path": str(p)} for p in found]
    images, hashes, skipped, _missing = hash_files(files, expect_sha=False)
    skipped.update(reason for _path, reason in passed_over)
    write_image_hashes(case, [r for r in images if r["sha256"] is not None], hashes, HASHER)
    rows = [{"sha256": r["sha256"], "path": r["path"], "label": label.strip()} for r in images if r["error"] is None]
    return write_gallery(case, rows), len(files) + len(passed_over), skipped


def match_folders(query_dir: Path, gallery_dir: Path, *, max_pdq_distance: int = 31, max_low_distance: int = 16,
                  min_correlation: float = 0.92, min_quality: int = 50) -> tuple[list[dict], Counter]:
    """One row per image under `query_dir`: its best match under `gallery_dir` or none, with the
    distance, the transformation seen and the decision; and the reasons gallery files were skipped.
    Links and paths leading outside either folder are skipped (a query row says why). No case is needed."""
    options = _options(max_pdq_distance, max_low_distance, min_correlation, min_quality)
    for folder in (query_dir, gallery_dir):
        if not Path(folder).is_dir():
            raise BadParameter(f"{folder} is not a folder.", "Give two folders of images.")
    listed = [image_files(Path(d)) for d in (query_dir, gallery_dir)]
    sides_files = [[str(p) for p in found] for found, _skipped in listed]
    hashed: dict[str, Hashed] = {}
    state: dict[str, str] = {}  # path -> sha256, or the reason it was skipped
    paths: dict[str, str] = {}
    side_of: dict[str, int] = {}
    for side, files in enumerate(sides_files):
        for path in files:
            try:
                data = read_image_bytes(path)
                sha = file_sha256(data)
                if sha not in hashed:
                    hashed[sha], _ = hash_image(sha, data)
            except (BadFile, TooLarge) as exc:
                state[path] = "skipped: " + exc.message
                continue
            state[path] = sha
            paths.setdefault(sha, path)
            side_of[sha] = min(side_of.get(sha, side), side)
    images = sorted(hashed.values(), key=lambda h: h.key)
    matches = find_matches(images, _loader(paths, images), sides=[side_of[h.key] for h in images],
                           skip_within=(0, 1), **options)
    gallery_paths: dict[str, list[str]] = {}
    for path in sides_files[1]:
        if not state[path].startswith("skipped"):
            gallery_paths.setdefault(state[path], []).append(path)
    best: dict[str, dict] = {}
    for m in matches.to_pylist():
        for q, g in ((m["sha_a"], m["sha_b"]), (m["sha_b"], m["sha_a"])):
            if g in gallery_paths and (q not in best or m["distance"] < best[q]["distance"]):
                best[q] = m | {"gallery": g}
    rows = [{"query": str(rel), "match": "", "distance": "", "transformation": "", "method": "",
             "decision": f"skipped: {reason}"} for rel, reason in listed[0][1]]
    for path in sides_files[0]:
        sha = state[path]
        row = {"query": _rel(path, query_dir), "match": "", "distance": "",
               "transformation": "", "method": "", "decision": "no match"}
        if sha.startswith("skipped"):
            row["decision"] = sha
        elif sha in gallery_paths:
            row.update(match=_rel(gallery_paths[sha][0], gallery_dir), distance=0, transformation="none (the same file)",
                       method="exact", decision="match")
        elif hashed[sha].quality < min_quality:
            row["decision"] = f"not compared: low-quality hash (PDQ quality {hashed[sha].quality} < {min_quality})"
        elif sha in best:
            m = best[sha]
            row.update(match=_rel(gallery_paths[m["gallery"]][0], gallery_dir), distance=m["distance"],
                       transformation=m["transformation"] or "re-encoded", method=m["method"], decision="match")
        rows.append(row)
    rows.sort(key=lambda r: r["query"])
    return rows, Counter(reason for _rel_path, reason in listed[1][1])


def _rel(path: str, folder: Path) -> str:
    return str(Path(path).relative_to(Path(folder).resolve()))  # image_files keeps paths inside the folder
