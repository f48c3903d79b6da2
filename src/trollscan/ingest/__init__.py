"""Ingest: one adapter per source format, each turning a file into canonical tables."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import BadFile, BadParameter, TrollscanError, UnknownFormat
from ..store import Case, Load, LoadSummary
from ..store.schema import PLATFORMS
from . import (
    canonical,
    comment_log,
    crowdtangle,
    entities_sheet,
    instaloader,
    io_archive,
    meta_content_library,
    sheet,
    telegram,
    twarc2,
    vk,
    zeeschuimer,
)
from .base import RESTART, Adapter, Chunk, Context, read_ahead
from .media_link import MEDIA_SUFFIXES
from .source import Source

__all__ = ["ADAPTERS", "MEDIA_SUFFIXES", "Adapter", "Chunk", "Context", "adapter_named", "detect", "expand", "ingest_files", "register"]

# Most specific first: detection takes the first adapter whose sniff says yes.
ADAPTERS: list[Adapter] = []


def register(adapter: Adapter) -> Adapter:
    ADAPTERS.append(adapter)
    return adapter


register(io_archive.IO_ARCHIVE)
register(twarc2.TWARC2)
register(twarc2.TWARC2_FLAT)
register(telegram.TELEGRAM)
register(vk.VK)
register(crowdtangle.CROWDTANGLE_API)
register(zeeschuimer.ZEESCHUIMER)
register(instaloader.INSTALOADER)
register(instaloader.INSTALOADER_COMMENTS)
register(meta_content_library.MCL_JSON)
register(crowdtangle.CROWDTANGLE_CSV)
register(meta_content_library.MCL_CSV)
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


# Files often dropped into an export folder by mistake, told by their first bytes.
_NOT_DATA = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
             (b"%PDF", "a PDF document"), (b"\x00\x00\x00\x18ftyp", "a video"),
             (b"\x00\x00\x00\x20ftyp", "a video"), (b"\x1aE\xdf\xa3", "a video"))


def detect(source: Source) -> Adapter:
    """The adapter for `source`, from its content and name."""
    if not source.head.strip():
        raise BadFile(f"{source.name}: the file is empty.", "Check that the export finished.")
    kind = next((kind for magic, kind in _NOT_DATA if source.head.startswith(magic)), None)
    if kind is not None:  # whatever its name says
        raise UnknownFormat(f"{source.name}: this is {kind}, not an export trollscan reads.",
                            "Photos are linked from the exports that name them; give the data files.")
    for adapter in ADAPTERS:
        if adapter.sniff(source):
            return adapter
    if entities_sheet.looks_like_entities_sheet(source):
        raise UnknownFormat(f"{source.name}: this is a sheet of people, companies and their ties, not an export.",
                            f"Add it with `trollscan entities add {source.name}`.")
    raise UnknownFormat(
        f"{source.name}: not a format trollscan knows.",
        "Run `trollscan formats` to list them, or pass --format NAME if you know which it is.",
    )


def expand(paths: Iterable[Path]) -> tuple[list[Path], int, int]:
    """Files to load, how many media files in the folders given were left to their exports, and how
    many Instaloader caption and id files were left out.

    Each file given is loaded; in each folder given, every file but hidden ones, media files and the
    caption and id files Instaloader writes beside its JSON (they repeat what the JSON holds).
    """
    files: list[Path] = []
    media = companions = 0
    for path in map(Path, paths):
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.is_file()
                            and not any(part.startswith(".") for part in p.relative_to(path).parts))
            data = [p for p in inside if p.suffix.lower() not in MEDIA_SUFFIXES]
            media += len(inside) - len(data)
            kept = [p for p in data if not instaloader.companion_file(p)]
            companions += len(data) - len(kept)
            data = kept
            if not data:
                raise BadFile(f"{path}: the folder holds no data files." if inside
                              else f"{path}: the folder holds no files.")
            files.extend(data)
        else:
            files.append(path)
    return files, media, companions


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
    files, media, companions = expand(paths)
    sources = [Source(f, encoding=encoding) for f in files]  # missing files fail before any work
    with Load(case, date_format=date_format, tz=timezone) as load:
        if media:
            load.summary.notes.append(f"{media:,} media file(s) in the folders were left to the exports "
                                      "that refer to them.")
        if companions:
            load.summary.notes.append(f"{companions:,} Instaloader caption or id file(s) were left out (the JSON "
                                      "beside each holds the same).")
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
