"""Opening an input file: compression, decompression-bomb guard, encoding, progress."""

from __future__ import annotations

import bz2
import codecs
import gzip
import hashlib
import io
import lzma
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

import zstandard

from .. import settings
from ..errors import BadFile, TooLarge

__all__ = ["Source", "COMPRESSIONS"]

# magic bytes -> (name, file suffix, opener of a decompressing stream over a binary stream)
COMPRESSIONS: dict[bytes, tuple[str, str, Callable[[BinaryIO], BinaryIO]]] = {
    b"\x1f\x8b": ("gzip", ".gz", lambda f: gzip.GzipFile(fileobj=f, mode="rb")),
    b"BZh": ("bzip2", ".bz2", lambda f: bz2.BZ2File(f, mode="rb")),
    b"\xfd7zXZ\x00": ("xz", ".xz", lambda f: lzma.LZMAFile(f, mode="rb")),
    b"\x28\xb5\x2f\xfd": ("zstd", ".zst",
                          lambda f: zstandard.ZstdDecompressor().stream_reader(f, read_across_frames=True)),
}


class _Counting(io.RawIOBase):
    """Counts the bytes read from the file on disk and reports them for the progress bar."""

    def __init__(self, raw: BinaryIO, progress: Callable[[int], None] | None) -> None:
        self.raw = raw
        self.count = 0
        self.progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        n = self.raw.readinto(buffer)
        self.count += n or 0
        if self.progress is not None:
            self.progress(self.count)
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


class _Guarded(io.RawIOBase):
    """Stops a decompressed stream that grows far beyond its compressed size (a zip bomb)."""

    def __init__(self, inner: BinaryIO, counting: _Counting, name: str) -> None:
        self.inner = inner
        self.counting = counting
        self.name = name
        self.out = 0
        self.ratio = settings.get("max_expand_ratio")
        self.floor = settings.get("max_expand_floor_bytes")
        self.ceiling = settings.get("max_decompressed_bytes")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self.inner.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.out += n
        if self.out > self.ceiling or (
            self.out > self.floor and self.out > self.ratio * max(self.counting.count, 1)
        ):
            raise TooLarge(
                f"{self.name}: decompresses to more than {self.out:,} bytes from "
                f"{self.counting.count:,} compressed bytes; this looks like a decompression bomb.",
                "If the file is genuine, raise TROLLSCAN_MAX_EXPAND_RATIO or "
                "TROLLSCAN_MAX_DECOMPRESSED_BYTES, or decompress it yourself first.",
            )
        return n

    def close(self) -> None:
        self.inner.close()
        super().close()


class Source:
    """One input file. Every reader opens it through here."""

    def __init__(
        self,
        path: Path,
        *,
        encoding: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.name = str(path)
        self.progress = progress
        if not self.path.exists():
            raise BadFile(f"{self.name}: no such file.", "Check the path and its spelling.")
        if not self.path.is_file():
            raise BadFile(f"{self.name}: not a regular file.", "Give a file or a folder of files.")
        try:
            with self.path.open("rb") as f:
                magic = f.read(8)
        except OSError as exc:
            raise BadFile(f"{self.name}: cannot be read ({exc.strerror}).", "Check its permissions.") from None
        self.size = self.path.stat().st_size
        self.compression = None
        self._decompress = None
        for prefix, (name, _suffix, opener) in COMPRESSIONS.items():
            if magic.startswith(prefix):
                self.compression, self._decompress = name, opener
        self._forced_encoding = encoding

    @property
    def inner_name(self) -> str:
        """The file name without a compression suffix: items.csv.gz -> items.csv."""
        name = self.path.name
        for _name, suffix, _opener in COMPRESSIONS.values():
            if name.lower().endswith(suffix):
                return name[: -len(suffix)]
        return name

    @property
    def suffix(self) -> str:
        return Path(self.inner_name).suffix.lower()

    def open_binary(self, *, progress: bool = True) -> BinaryIO:
        """The decompressed bytes of the file, guarded against bombs."""
        raw = self.path.open("rb")
        counting = _Counting(raw, self.progress if progress else None)
        if self._decompress is None:
            return io.BufferedReader(counting, buffer_size=1 << 20)
        try:
            inner = self._decompress(io.BufferedReader(counting, buffer_size=1 << 20))
        except Exception as exc:  # a corrupt header
            raw.close()
            raise BadFile(f"{self.name}: the {self.compression} stream is damaged ({exc}).") from None
        return io.BufferedReader(_Guarded(inner, counting, self.name), buffer_size=1 << 20)

    @cached_property
    def head(self) -> bytes:
        """The first bytes of the decompressed content, for format detection."""
        try:
            with self.open_binary(progress=False) as f:
                return f.read(settings.get("sniff_bytes"))
        except (OSError, EOFError, lzma.LZMAError, zstandard.ZstdError) as exc:
            raise BadFile(f"{self.name}: the {self.compression} stream is damaged ({exc}).") from None

    @cached_property
    def encoding(self) -> str:
        """utf-8 (with or without BOM), else cp1251, the other encoding of the region's exports."""
        if self._forced_encoding:
            try:
                codecs.lookup(self._forced_encoding)
            except LookupError:
                raise BadFile(f"Unknown encoding {self._forced_encoding!r}.",
                              "Use a Python codec name such as utf-8 or cp1251.") from None
            return self._forced_encoding
        head = self.head
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        try:
            head.decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut by the end of the sample
                return "utf-8"
            before = head[: exc.start]
            if not before.isascii():  # real UTF-8 text, then bytes that are not: two encodings
                line = before.count(b"\n") + 1
                raise BadFile(
                    f"{self.name}, line {line}: byte {head[exc.start]:#04x} is not valid utf-8; "
                    "the file mixes encodings.",
                    "Re-save it as UTF-8, or pass --encoding if the whole file uses another one.",
                ) from None
        try:
            head.decode("cp1251")
            return "cp1251"
        except UnicodeDecodeError:
            raise BadFile(
                f"{self.name}: the text is neither UTF-8 nor cp1251.",
                "Pass --encoding with the file's encoding (for example --encoding koi8-r).",
            ) from None

    def text_head(self) -> str:
        return self.head.decode(self.encoding, errors="replace")

    def open_text(self) -> io.TextIOWrapper:
        return io.TextIOWrapper(self.open_binary(), encoding=self.encoding, errors="strict", newline="")

    def sha256(self) -> str:
        with self.path.open("rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()

    def first_bad_line(self) -> tuple[int, str] | None:
        """Line number and reason of the first line that is not valid in the file's encoding."""
        with self.open_binary(progress=False) as f:
            for number, line in enumerate(f, start=1):
                try:
                    line.decode(self.encoding)
                except UnicodeDecodeError as exc:
                    return number, f"byte {line[exc.start]:#04x} is not valid {self.encoding}"
        return None
