"""Photo files and their hashes in a case: which media still need hashing, reading their bytes
safely, and writing `images` / `image_hashes` / `gallery` rows in one transaction."""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa

from ..errors import BadFile, TooLarge
from .case import Case, fetch_arrow, transaction

__all__ = ["read_media_files", "read_image_bytes", "write_image_hashes", "read_image_hashes", "read_images",
           "write_gallery", "read_gallery", "read_photo_media", "image_files", "file_sha256", "LINK_SKIPPED",
           "OUTSIDE_SKIPPED", "read_photo_matches", "write_photo_matches"]

_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".jpe", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".jfif"}


def read_media_files(case: Case, hasher: str, *, all_files: bool = False) -> list[dict]:
    """Distinct photo files of the case's media (sha256, absolute path): those not yet hashed by
    `hasher`, or every one with `all_files`. A media path is relative to the folder of the file it
    was ingested from; paths leading outside that folder are left out (a hostile export could name
    /dev/zero or ~/.ssh)."""
    rows = case.con.execute(
        "SELECT m.sha256, m.path, s.path FROM media m JOIN sources s USING (source_id) "
        "LEFT JOIN images i ON i.sha256 = m.sha256 "
        "WHERE m.sha256 IS NOT NULL AND m.path IS NOT NULL AND m.kind IN ('avatar', 'photo') "
        "AND ($all OR i.sha256 IS NULL OR i.hasher <> $hasher) "
        "ORDER BY m.sha256, m.path", {"all": all_files, "hasher": hasher}).fetchall()
    seen, out = set(), []
    for sha, rel, source in rows:
        if sha in seen:
            continue
        folder = Path(source).resolve().parent
        full = (folder / rel).resolve()
        if full.is_relative_to(folder):
            seen.add(sha)
            out.append({"sha256": sha, "path": str(full)})
    return out


def read_image_bytes(path: str | Path, *, max_bytes: int = 50 << 20) -> bytes:
    """The bytes of a regular file, at most `max_bytes` (BadFile / TooLarge otherwise)."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise BadFile(f"cannot read the file: {exc.strerror or type(exc).__name__}") from None
    if not stat.S_ISREG(info.st_mode):
        raise BadFile("not a regular file")
    if info.st_size > max_bytes:
        raise TooLarge(f"file of {info.st_size:,} bytes, more than the {max_bytes:,} accepted")
    try:
        with open(path, "rb") as f:
            return f.read(max_bytes + 1)
    except OSError as exc:
        raise BadFile(f"cannot read the file: {exc.strerror or type(exc).__name__}") from None


LINK_SKIPPED = "a symbolic link (links are not followed)"
OUTSIDE_SKIPPED = "outside the folder (through a linked folder)"


def image_files(folder: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Image files under `folder` (by name; the content is checked when decoded), sorted, as
    resolved paths inside the resolved folder; and the files skipped (path relative to `folder`,
    reason). Hidden files are left out; symbolic links are skipped, and so is anything that
    resolves outside the folder (a link could name /dev/zero or a private file elsewhere)."""
    folder = Path(folder)
    root = folder.resolve()
    files, skipped = [], []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or path.suffix.lower() not in _IMAGE_SUFFIXES:
            continue
        if path.is_symlink():
            skipped.append((rel, LINK_SKIPPED))
            continue
        full = path.resolve()
        if not full.is_relative_to(root):
            skipped.append((rel, OUTSIDE_SKIPPED))
        elif full.is_file():
            files.append(full)
    return files, skipped


def write_image_hashes(case: Case, images: list[dict], hashes: list[dict], hasher: str) -> None:
    """Replace the rows of these images (images: sha256, width, height, format, error; hashes:
    sha256, view, pdq, quality) in one transaction."""
    if not images:
        return
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    image_table = pa.table({
        "sha256": pa.array([r["sha256"] for r in images], pa.string()),
        "width": pa.array([r.get("width") for r in images], pa.int32()),
        "height": pa.array([r.get("height") for r in images], pa.int32()),
        "format": pa.array([r.get("format") for r in images], pa.string()),
        "error": pa.array([r.get("error") for r in images], pa.string()),
    })
    hash_table = pa.table({
        "sha256": pa.array([r["sha256"] for r in hashes], pa.string()),
        "view": pa.array([r["view"] for r in hashes], pa.string()),
        "pdq": pa.array([r["pdq"] for r in hashes], pa.binary()),
        "quality": pa.array([r["quality"] for r in hashes], pa.int32()),
    })
    con = case.con
    try:
        with transaction(con):
            con.register("_images_in", image_table)
            con.register("_hashes_in", hash_table)
            con.execute("DELETE FROM image_hashes WHERE sha256 IN (SELECT sha256 FROM _images_in)")
            con.execute("DELETE FROM images WHERE sha256 IN (SELECT sha256 FROM _images_in)")
            con.execute("INSERT INTO images SELECT sha256, width, height, format, error, ?, ? FROM _images_in",
                        [now, hasher])
            con.execute("INSERT INTO image_hashes SELECT sha256, view, pdq, quality FROM _hashes_in")
    finally:
        con.unregister("_images_in")
        con.unregister("_hashes_in")


def read_image_hashes(case: Case) -> pa.Table:
    """Every stored hash: sha256, view, pdq (bytes), quality."""
    return fetch_arrow(case.con, "SELECT sha256, view, pdq, quality FROM image_hashes ORDER BY sha256, view")


def read_images(case: Case) -> pa.Table:
    """Every hashed image: sha256, width, height, format, error, hasher."""
    return fetch_arrow(case.con, "SELECT sha256, width, height, format, error, hasher FROM images ORDER BY sha256")


_CHECK_COLUMNS = ("sha_a", "sha_b", "distance", "method", "transformation", "copy", "area", "correlation", "tiles",
                  "basis", "angle", "matched")


def read_photo_matches(case: Case, settings: str) -> pa.Table:
    """The image pairs decided earlier under `settings` (photos.CHECK_SCHEMA columns): matched or not."""
    return fetch_arrow(case.con, f"SELECT {', '.join(_CHECK_COLUMNS)} FROM photo_matches WHERE settings = ? "
                                 "ORDER BY sha_a, sha_b", [settings])


def write_photo_matches(case: Case, checked: pa.Table, settings: str) -> None:
    """Store pairs decided under `settings` (CHECK_SCHEMA), replacing what was stored for them, in one
    transaction. Pairs decided under other settings (other thresholds, an older hasher or checker)
    are dropped: they would have to be decided again anyway."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    con = case.con
    try:
        with transaction(con):
            con.register("_checked_in", checked.select(list(_CHECK_COLUMNS)))
            con.execute("DELETE FROM photo_matches WHERE settings <> ?", [settings])
            con.execute("DELETE FROM photo_matches WHERE (sha_a, sha_b) IN (SELECT (sha_a, sha_b) FROM _checked_in)")
            con.execute(f"INSERT INTO photo_matches (settings, checked_at, {', '.join(_CHECK_COLUMNS)}) "
                        f"SELECT ?, ?, {', '.join(_CHECK_COLUMNS)} FROM _checked_in", [settings, now])
    finally:
        con.unregister("_checked_in")


def write_gallery(case: Case, rows: list[dict]) -> int:
    """Add gallery rows (sha256, path, label), skipping ones already there; the number added."""
    if not rows:
        return 0
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    table = pa.table({"sha256": pa.array([r["sha256"] for r in rows], pa.string()),
                      "path": pa.array([r["path"] for r in rows], pa.string()),
                      "label": pa.array([r["label"] for r in rows], pa.string())})
    con = case.con
    try:
        with transaction(con):
            con.register("_gallery_in", table)
            before = con.execute("SELECT count(*) FROM gallery").fetchall()[0][0]
            con.execute("INSERT INTO gallery SELECT DISTINCT g.sha256, g.path, g.label, ? FROM _gallery_in g "
                        "WHERE NOT EXISTS (SELECT 1 FROM gallery o WHERE o.sha256 = g.sha256 AND o.label = g.label "
                        "AND o.path = g.path)", [now])
            added = con.execute("SELECT count(*) FROM gallery").fetchall()[0][0] - before
    finally:
        con.unregister("_gallery_in")
    return added


def read_gallery(case: Case) -> pa.Table:
    """The reference photos: sha256, path, label (one row per photo and label)."""
    return fetch_arrow(case.con, "SELECT DISTINCT sha256, path, label FROM gallery ORDER BY sha256, label, path")


def read_photo_media(case: Case) -> pa.Table:
    """Avatars and photos with a file hash: platform, media_id, kind, account_id, item_id, sha256,
    uploaded_at; ordered by every column, so that the same case always gives the same rows in the
    same order (the detectors keep the first of equally good findings)."""
    return fetch_arrow(case.con, (
        "SELECT DISTINCT platform, media_id, kind, account_id, item_id, sha256, uploaded_at FROM media "
        "WHERE sha256 IS NOT NULL AND account_id IS NOT NULL AND kind IN ('avatar', 'photo') "
        "ORDER BY platform, account_id, kind, sha256, media_id, item_id NULLS FIRST, uploaded_at NULLS FIRST"))


def file_sha256(data: bytes) -> str:
    """The sha256 of file bytes, as `media.sha256` and `images.sha256` hold it."""
    return hashlib.sha256(data).hexdigest()
