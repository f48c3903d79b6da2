"""Photos and videos an export refers to: one `media` row each, linked to the file when it is on disk.

An export names its photos by URL (VK, Zeeschuimer, CrowdTangle) or by file (Instaloader). When the
reporter keeps the files next to the export (in its folder or one folder below), the media row gets
the file's path, relative to the export's folder, its sha256 (which is also its media_id) and size.
Otherwise the row keeps the URL and its media_id is the sha256 of the URL. Nothing is ever fetched
from the network; files outside the export's folder (through `..` or a link) are never read.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from .base import REC

__all__ = ["MEDIA_SUFFIXES", "MediaFiles", "url_media_id"]

# Files that are media an export refers to (Telegram's photos/, Instaloader's pictures): the adapters
# hash them when they read the export, so they are not loaded on their own.
MEDIA_SUFFIXES = frozenset(
    [".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".heic", ".mp4", ".mov", ".webm", ".mkv", ".avi", ".ogg", ".oga", ".opus", ".mp3", ".m4a", ".wav", ".tgs"])

_PHOTO = frozenset([".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".heic"])


def url_media_id(url: str) -> str:
    """The media_id of a file known only by its URL: the sha256 of the URL."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


@lru_cache(maxsize=8)
def _index(folder: Path, _stamp: int) -> dict[str, tuple[Path, ...]]:
    """file name (lower case) -> the media files of that name in `folder` and the folders just below.

    Cached per folder and its modification time: the files of one export folder (Instaloader's
    thousands of posts) share one index instead of each listing the folder again.
    """
    found: dict[str, list[Path]] = {}
    try:
        children = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    except OSError:
        return {}
    for level in (folder, *(p for p in children if p.is_dir())):
        try:
            entries = children if level == folder else sorted(level.iterdir())
        except OSError:
            continue
        for path in entries:
            if path.suffix.lower() in MEDIA_SUFFIXES and not path.name.startswith("."):
                found.setdefault(path.name.lower(), []).append(path)
    return {name: tuple(paths) for name, paths in found.items()}


@lru_cache(maxsize=65_536)
def _digest(path: Path, _mtime_ns: int, _size: int) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


class MediaFiles:
    """The media files lying in an export's folder and the folders just below it, found by name."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder).resolve()

    @property
    def index(self) -> dict[str, tuple[Path, ...]]:
        try:
            stamp = self.folder.stat().st_mtime_ns
        except OSError:
            return {}
        return _index(self.folder, stamp)

    def named(self, name: str) -> Path | None:
        """The one file of this name next to the export (None when there is none, or several)."""
        found = self.index.get(name.lower(), ())
        return found[0] if len(found) == 1 else None

    def for_url(self, url: str) -> Path | None:
        """The file a URL names, when it lies next to the export under the URL's last path segment."""
        try:
            name = PurePosixPath(unquote(urlsplit(url).path)).name
        except ValueError:
            return None
        if not name or PurePosixPath(name).suffix.lower() not in MEDIA_SUFFIXES:
            return None
        return self.named(name)

    def digest(self, path: Path) -> tuple[str, int] | None:
        """sha256 and size of a file inside the export's folder; None for anything outside it."""
        full = path.resolve()
        if not full.is_relative_to(self.folder) or not full.is_file():
            return None
        stat = full.stat()
        return _digest(full, stat.st_mtime_ns, stat.st_size), stat.st_size

    def row(self, *, platform: str, kind: str, rec: int, url: str | None = None, path: Path | None = None,
            account_id: str | None = None, item_id: str | None = None,
            uploaded_at: str | None = None) -> dict | None:
        """A media row for a URL and/or a file; the file is looked up by the URL when not given."""
        if path is None and url:
            path = self.for_url(url)
        on_disk = self.digest(path) if path is not None else None
        if on_disk is None and not url:
            return None
        if kind == "photo" and path is not None and path.suffix.lower() not in _PHOTO:
            kind = "video"
        row = {REC: rec, "platform": platform, "kind": kind, "account_id": account_id, "item_id": item_id,
               "url": url, "uploaded_at": uploaded_at}
        if on_disk is not None:
            digest, size = on_disk
            row.update(media_id=digest, sha256=digest, bytes=size,
                       path=path.resolve().relative_to(self.folder).as_posix())
        else:
            row["media_id"] = url_media_id(url)
        return row
