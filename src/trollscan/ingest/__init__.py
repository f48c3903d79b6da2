"""Ingest: one adapter per source format, each turning a file into canonical tables."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import BadFile, BadParameter, TrollscanError, UnknownFormat
from ..store import Case, Load, LoadSummary
from ..store.schema import PLATFORMS
from . import canonical, comment_log, io_archive, sheet, telegram, twarc2
from .base import RESTART, Adapter, Chunk, Context, read_ahead
from .source import Source

__all__ = ["ADAPTERS", "MEDIA_SUFFIXES", "register", "adapter_named", "detect", "expand", "ingest_files", "Adapter", "Chunk", "Context"]

# Most specific first: detection takes the first adapter whose sniff says yes.
ADAPTERS: list[Adapter] = []


def register(adapter: Adapter) -> Adapter:
    ADAPTERS.append(adapter)
    return adapter


register(io_archive.IO_ARCHIVE)
register(twarc2.TWARC2)
register(twarc2.TWARC2_FLAT)
register(telegram.TELEGRAM)
register(comment_log.COMMENT_LOG)
register(canonical.PARQUET)
register(canonical.CSV)
register(canonical.JSONL)
register(sheet.SHEET_CSV)  # the loosest detectors come last
register(sheet.SHEET_XLSX)


def adapter_named(name: str) -> Adapter:
    for adapter in ADAPTERS:
        if adapter.name == name:
            return adapter
    raise BadParameter(f"Unknown format {name!r}.",
                       f"Known formats: {', '.join(a.name for a in ADAPTERS)}.")


def detect(source: Source) -> Adapter:
    """The adapter for `source`, from its content and name."""
    if not source.head.strip():
        raise BadFile(f"{source.name}: the file is empty.", "Check that the export finished.")
    for adapter in ADAPTERS:
        if adapter.sniff(source):
            return adapter
    raise UnknownFormat(
        f"{source.name}: not a format trollscan knows.",
        "Run `trollscan formats` to list them, or pass --format NAME if you know which it is.",
    )


# Files inside a folder that are media an export refers to (Telegram's photos/, Instaloader's
# pictures): the adapters hash them when they read the export, so they are not loaded on their own.
MEDIA_SUFFIXES = frozenset(
    ".jpg .jpeg .png .gif .webp .bmp .tif .tiff .heic .mp4 .mov .webm .mkv .avi .ogg .oga .opus .mp3 .m4a "
    ".wav .tgs .webm".split())


def expand(paths: Iterable[Path]) -> tuple[list[Path], int]:
    """Files to load, and how many media files in the folders given were left to their exports.

    Each file given is loaded; in each folder given, every file but hidden ones and media files.
    """
    files: list[Path] = []
    media = 0
    for path in map(Path, paths):
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.is_file()
                            and not any(part.startswith(".") for part in p.relative_to(path).parts))
            data = [p for p in inside if p.suffix.lower() not in MEDIA_SUFFIXES]
            media += len(inside) - len(data)
            if not data:
                raise BadFile(f"{path}: the folder holds no data files." if inside
                              else f"{path}: the folder holds no files.")
            files.extend(data)
        else:
            files.append(path)
    return files, media


def ingest_files(
    case: Case,
    paths: Iterable[Path],
    *,
    format: str | None = None,
    platform: str | None = None,
    date_format: str | None = None,
    timezone: str | None = None,
    encoding: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> LoadSummary:
    """Load files into `case` in one transaction: all of them, or none if any fails.

    `timezone` is the zone of times written without an offset (default UTC).

    `progress(file, bytes_done, bytes_total)` is called as files are read.
    """
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise BadParameter(f"The time zone {timezone!r} is not known.",
                               "Use an IANA name such as Asia/Almaty or Asia/Bishkek.") from None
    if platform is not None and platform not in PLATFORMS:
        raise BadParameter(f"Unknown platform {platform!r}.", f"Use one of: {', '.join(PLATFORMS)}.")
    forced = adapter_named(format) if format else None
    files, media = expand(paths)
    sources = [Source(f, encoding=encoding) for f in files]  # missing files fail before any work
    with Load(case, date_format=date_format, tz=timezone) as load:
        if media:
            load.summary.notes.append(f"{media:,} media file(s) in the folders were left to the exports "
                                      "that refer to them.")
        for source in sources:
            adapter = forced or detect(source)
            if progress is not None:
                source.progress = lambda done, s=source: progress(s.name, done, s.size)
            if not load.begin_file(path=source.name, sha256=source.sha256(), size=source.size,
                                   fmt=adapter.name, locate=adapter.locate):
                continue
            ctx = Context(hash_key=case.hash_key, platform=platform, date_format=date_format)
            try:
                for chunk in read_ahead(adapter.read(source, ctx)):
                    if chunk is RESTART:  # the reader has reset ctx itself
                        load.reset_file()
                    else:
                        load.add(chunk.table, chunk.data, extra=chunk.extra)
            except TrollscanError:
                raise
            except (OSError, EOFError, ValueError) as exc:
                raise BadFile(f"{source.name}: cannot be read as {adapter.name} ({exc}).",
                              "Check that the file is complete and of the format named.") from None
            load.end_file(skipped=ctx.skipped, notes=ctx.notes)
        return load.commit()
