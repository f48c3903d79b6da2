"""Canonical tables as CSV, JSON Lines or Parquet: one file per table, named for it or shaped like it.

Columns are the data model's (docs/data-model.md). Source columns the model lacks are kept in
`extra` (accounts, items) and listed in the summary; for other tables they are an error.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import orjson
import pyarrow as pa
import pyarrow.csv as pv
import pyarrow.json as pj
import pyarrow.parquet as pq

from .. import settings
from ..errors import BadFile, BadRecord, MissingColumns, TooLarge, UnknownFormat
from ..store.schema import TABLES
from .base import REC, RESTART, Adapter, Chunk, Context, rebatch
from .source import Source

__all__ = ["CSV", "JSONL", "PARQUET", "table_for", "csv_header", "read_csv_text", "json_lines"]

_NOT_REQUIRED = {"platform", "source_id", "source_record"}


def table_for(file_name: str, columns: list[str]) -> str | None:
    """The canonical table a file holds: from its name (items.csv, accounts_2019.parquet) or its columns."""
    stem = file_name.lower().split(".")[0]
    for name in TABLES:
        if stem == name or stem.startswith((name + "_", name + "-")):
            return name
    cols = {c.strip().lower() for c in columns}
    fits = []
    for table in TABLES.values():
        required = {c.name for c in table.columns if c.required} - _NOT_REQUIRED
        if required <= cols:
            known = cols & set(table.names)
            fits.append((len(known) / max(len(cols), 1), len(known), table.name))
    fits.sort(reverse=True)
    if fits and fits[0][0] >= 0.5 and (len(fits) == 1 or fits[0][:2] != fits[1][:2]):
        return fits[0][2]
    return None


def csv_header(source: Source) -> tuple[list[str], str]:
    """The header row and the delimiter (comma, semicolon as Excel writes in ru/kk locales, or tab)."""
    text = source.text_head()
    first = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first.count)
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    except (StopIteration, csv.Error):
        return [], delimiter
    return [h.strip() for h in header], delimiter


def _plan(source: Source, table: str, columns: list[str]) -> tuple[dict[str, str], tuple[str, ...]]:
    """Map source columns to staged names: canonical ones keep theirs, others become _x0, _x1..."""
    spec = TABLES[table]
    seen: set[str] = set()
    mapping, extra = {}, []
    for name in columns:
        key = name.strip().lower()
        if key in seen:
            raise MissingColumns(f"{source.name}: the column {name!r} appears twice.", "Rename one of them.")
        seen.add(key)
        if key in spec.names and key not in ("source_id", "source_record"):
            mapping[name] = key
        else:
            mapping[name] = f"_x{len(extra)}"
            extra.append(name)
    if extra and "extra" not in spec.names:
        raise MissingColumns(
            f"{source.name}: columns {extra} are not columns of the {table} table.",
            f"The {table} table has: {', '.join(c for c in spec.names if c not in _NOT_REQUIRED)}.",
        )
    return mapping, tuple(extra)


def _with_platform(data: pa.Table, ctx: Context) -> pa.Table:
    if ctx.platform and "platform" not in data.column_names:
        data = data.append_column("platform", pa.array([ctx.platform] * data.num_rows, pa.string()))
    return data


def _note_extra(ctx: Context, table: str, extra: tuple[str, ...]) -> None:
    if extra:
        ctx.notes.append(f"columns kept in {table}.extra (not in the data model): {', '.join(extra)}")


def read_csv_text(source: Source, columns: list[str], delimiter: str) -> Iterator[pa.RecordBatch]:
    """Stream a CSV file as string columns, in batches of about `batch_rows` rows."""
    bad: list = []

    def on_invalid(row) -> str:
        bad.append(row)
        return "error"

    reader_options = pv.ReadOptions(
        block_size=settings.get("read_block_bytes"),
        encoding="utf8" if source.encoding in ("utf-8", "utf-8-sig") else source.encoding,
    )
    parse = pv.ParseOptions(delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid)
    convert = pv.ConvertOptions(column_types={c: pa.string() for c in columns}, strings_can_be_null=True,
                                quoted_strings_can_be_null=True, null_values=[""])
    try:
        reader = pv.open_csv(source.open_binary(), read_options=reader_options, parse_options=parse,
                             convert_options=convert)
        yield from rebatch(reader, settings.get("batch_rows"))
    except pa.ArrowInvalid as exc:
        raise _csv_error(source, exc, bad, delimiter) from None


def _first_ragged_line(source: Source, delimiter: str) -> int | None:
    """The physical line where the first record with the wrong number of fields ends (slow path)."""
    with source.open_text() as f:
        reader = csv.reader(f, delimiter=delimiter)
        width = len(next(reader, []))
        for record in reader:
            if record and len(record) != width:
                return reader.line_num
    return None


def _csv_error(source: Source, exc: Exception, bad: list, delimiter: str) -> Exception:
    text = str(exc)
    if bad:
        row = bad[0]
        found = _first_ragged_line(source, delimiter)
        where = f"line {found}" if found else "a row"
        return BadRecord(
            f"{source.name}, {where}: expected {row.expected_columns} fields, found {row.actual_columns}.",
            "A field holding the delimiter, a quote or a line break must be quoted.",
        )
    if "UTF8" in text or "UTF-8" in text or "decode" in text:
        found = source.first_bad_line()
        where = f"line {found[0]}" if found else "somewhere"
        reason = found[1] if found else "the text is not valid"
        return BadFile(f"{source.name}, {where}: {reason}; the file mixes encodings.",
                       "Re-save it as UTF-8, or pass --encoding if the whole file uses another one.")
    if "straddling" in text or "block" in text:
        return TooLarge(f"{source.name}: a record is longer than {settings.get('read_block_bytes'):,} bytes "
                        "(or a quote is never closed).",
                        "Check for an unclosed quote; if the record is genuine, raise TROLLSCAN_READ_BLOCK_BYTES.")
    return BadFile(f"{source.name}: cannot be read as CSV ({text.splitlines()[0]}).")


def _sniff_csv(source: Source) -> bool:
    if source.suffix not in (".csv", ".tsv", ".txt"):
        return False
    header, _ = csv_header(source)
    return table_for(source.inner_name, header) is not None


def _read_csv(source: Source, ctx: Context) -> Iterator[Chunk]:
    header, delimiter = csv_header(source)
    table = _which(source, header)
    mapping, extra = _plan(source, table, header)
    _note_extra(ctx, table, extra)
    record = 2
    for batch in read_csv_text(source, header, delimiter):
        data = pa.Table.from_batches([batch]).rename_columns([mapping[c] for c in batch.schema.names])
        data = data.append_column(REC, pa.array(range(record, record + data.num_rows), pa.int64()))
        record += data.num_rows
        yield Chunk(table, _with_platform(data, ctx), extra)


def _which(source: Source, columns: list[str]) -> str:
    table = table_for(source.inner_name, columns)
    if table is None:
        raise UnknownFormat(
            f"{source.name}: cannot tell which table this file holds (columns: {', '.join(columns[:12])}).",
            "Name the file for its table (accounts.csv, items.csv, relations.csv, media.csv, "
            "access_log.csv, snapshots.csv, labels.csv) or use the data model's column names.",
        )
    return table


# -- JSON Lines -----------------------------------------------------------------------------------

def _sniff_jsonl(source: Source) -> bool:
    if source.suffix not in (".jsonl", ".ndjson", ".json"):
        return False
    first = source.head.split(b"\n", 1)[0].strip()
    try:
        obj = orjson.loads(first)
    except orjson.JSONDecodeError:
        return False
    return isinstance(obj, dict) and table_for(source.inner_name, list(obj)) is not None


class _Slow(Exception):
    """The fast JSON reader cannot take this file; the exact line-by-line reader will."""


class _NoBlankLines(io.RawIOBase):
    """Passes bytes through, and stops at a blank line: the fast reader would miscount lines."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.last = b"\n"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self.inner.read(len(buffer))
        if _BLANK.search(self.last + data):
            raise _Slow("blank line")
        self.last = data[-1:] or self.last
        buffer[: len(data)] = data
        return len(data)


_BLANK = re.compile(rb"\n[ \t\r]*\n")


def _read_jsonl(source: Source, ctx: Context) -> Iterator[Chunk]:
    """Arrow's parallel JSON reader when the file allows (one object per line, stable types),
    else the exact line-by-line reader, which also names the first broken line."""
    if source.encoding in ("utf-8", "utf-8-sig"):
        try:
            yield from _read_jsonl_fast(source, ctx)
            return
        except (_Slow, pa.ArrowInvalid, pa.ArrowNotImplementedError):
            ctx.notes.clear()
            ctx.skipped.clear()
            yield RESTART
    yield from _read_jsonl_exact(source, ctx)


def _read_jsonl_fast(source: Source, ctx: Context) -> Iterator[Chunk]:
    stream = io.BufferedReader(_NoBlankLines(source.open_binary()), buffer_size=1 << 20)
    if source.encoding == "utf-8-sig":
        stream.read(3)
    reader = pj.open_json(stream, read_options=pj.ReadOptions(block_size=settings.get("read_block_bytes")),
                          parse_options=pj.ParseOptions(newlines_in_values=False))
    record, table, mapping, extra = 1, None, None, ()
    for batch in rebatch(reader, settings.get("batch_rows")):
        if table is None:
            table = _which(source, batch.schema.names)
            mapping, extra = _plan(source, table, batch.schema.names)
            if extra:
                raise _Slow("columns kept in extra are built by the exact reader")
        data = pa.Table.from_batches([batch]).rename_columns([mapping[c] for c in batch.schema.names])
        data = data.append_column(REC, pa.array(range(record, record + data.num_rows), pa.int64()))
        record += data.num_rows
        yield Chunk(table, _with_platform(data, ctx))


def _read_jsonl_exact(source: Source, ctx: Context) -> Iterator[Chunk]:
    batch_rows = settings.get("batch_rows")
    table = mapping = None
    extra: list[str] = []
    rows: list[dict] = []
    for number, obj in json_lines(source):
        if not isinstance(obj, dict):
            raise BadRecord(f"{source.name}, line {number}: a JSON {type(obj).__name__}, not an object.",
                            "Each line must be one JSON object with the table's columns.")
        if table is None:
            table = _which(source, list(obj))
            mapping, extra_t = _plan(source, table, list(obj))
            extra = list(extra_t)
        row = {REC: number}
        for key, value in obj.items():
            name = mapping.get(key)
            if name is None:  # a field first seen after line 1
                name = mapping[key] = _plan(source, table, [key])[0][key]
                if name.startswith("_x"):
                    name = mapping[key] = f"_x{len(extra)}"
                    extra.append(key)
            row[name] = value
        rows.append(row)
        if len(rows) >= batch_rows:
            yield Chunk(table, _with_platform(_json_rows(table, rows), ctx), tuple(extra))
            rows = []
    if rows:
        yield Chunk(table, _with_platform(_json_rows(table, rows), ctx), tuple(extra))
    if table:
        _note_extra(ctx, table, tuple(extra))


def json_lines(source: Source) -> Iterator[tuple[int, object]]:
    """(line number, parsed value) for each non-blank line; a broken line raises, naming itself."""
    limit = settings.get("read_block_bytes")
    with source.open_binary() as f:
        for number, line in enumerate(f, start=1):
            if len(line) > limit:
                raise TooLarge(f"{source.name}, line {number}: a record of {len(line):,} bytes is longer "
                               f"than the {limit:,} accepted.",
                               "If it is genuine, raise TROLLSCAN_READ_BLOCK_BYTES.")
            if not line.strip():
                continue
            if source.encoding not in ("utf-8", "utf-8-sig"):
                line = line.decode(source.encoding).encode("utf-8")
            try:
                yield number, orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                reason = "the line is cut short (truncated JSON)" if not line.rstrip().endswith(
                    (b"}", b"]")) else str(exc).split(":")[0]
                if b"\\" not in line and _bad_utf8(line):
                    reason = "the line is not valid UTF-8"
                raise BadRecord(f"{source.name}, line {number}: not valid JSON: {reason}.",
                                "Each line must be one complete JSON object.") from None


def _bad_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
        return False
    except UnicodeDecodeError:
        return True


def _json_rows(table: str, rows: list[dict]) -> pa.Table:
    """Columns from JSON rows: lists stay lists, objects become JSON text, scalars become text."""
    spec = TABLES[table]
    names = sorted({k for r in rows for k in r if k != REC})
    columns = {}
    for name in names:
        values = [r.get(name) for r in rows]
        is_list = name in spec.names and spec.column(name).type == "VARCHAR[]"
        if is_list and all(v is None or isinstance(v, list) for v in values):
            columns[name] = pa.array([_as_list(v) for v in values], pa.list_(pa.string()))
        else:
            columns[name] = pa.array([_as_text(v) for v in values], pa.string())
    columns[REC] = pa.array([r[REC] for r in rows], pa.int64())
    return pa.table(columns)


def _as_text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    return orjson.dumps(value).decode()


def _as_list(value: object) -> list[str] | None:
    if value is None:
        return None
    return [x if isinstance(x, str) else _as_text(x) for x in value]


# -- Parquet ----------------------------------------------------------------------------------------

def _sniff_parquet(source: Source) -> bool:
    return source.head[:4] == b"PAR1"


def _read_parquet(source: Source, ctx: Context) -> Iterator[Chunk]:
    try:
        # Pre-buffered column ranges stay cached while the file is read: memory grew with the file.
        pf = pq.ParquetFile(source.path, pre_buffer=False)
    except (pa.ArrowInvalid, OSError) as exc:
        raise BadFile(f"{source.name}: not a readable Parquet file ({exc}).") from None
    names = pf.schema_arrow.names
    table = _which(source, names)
    mapping, extra = _plan(source, table, names)
    _note_extra(ctx, table, extra)
    record = 1
    done = 0
    try:
        for batch in pf.iter_batches(batch_size=settings.get("batch_rows")):
            data = pa.Table.from_batches([batch]).rename_columns([mapping[c] for c in batch.schema.names])
            data = data.append_column(REC, pa.array(range(record, record + data.num_rows), pa.int64()))
            record += data.num_rows
            done += batch.nbytes
            if source.progress:
                source.progress(min(source.size, int(source.size * record / max(pf.metadata.num_rows, 1))))
            yield Chunk(table, _with_platform(data, ctx), extra)
    except (pa.ArrowInvalid, OSError) as exc:
        raise BadFile(f"{source.name}, near row {record}: the Parquet data is damaged ({exc}).") from None


CSV = Adapter("canonical-csv", "trollscan's canonical tables as CSV (one table per file)", "row",
              _sniff_csv, _read_csv)
JSONL = Adapter("canonical-jsonl", "trollscan's canonical tables as JSON Lines (one table per file)", "line",
                _sniff_jsonl, _read_jsonl)
PARQUET = Adapter("canonical-parquet", "trollscan's canonical tables as Parquet (one table per file)", "row",
                  _sniff_parquet, _read_parquet)
