"""Loading canonical chunks into a case: one transaction, checked, idempotent.

Rows are staged per file as they stream in, converted and checked per file (so an error names
the file and the record), then de-duplicated and merged into the canonical tables when the whole
load commits. Nothing is visible in the case before the commit; a failure or a killed process
leaves the case as it was.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from .. import __version__, settings
from ..errors import BadFile, BadRecord, MissingColumns, TooLarge
from .aliases import join_aliases
from .arrow_types import type_text_columns
from .case import Case
from .parents import fill_parent_authors
from .convert import PARSE_LIST, PARSE_TS, PLATFORM_ALIASES, keep_one_per_key, quote as _q, show as _show
from .schema import TABLES, Column, Table

__all__ = ["Load", "LoadSummary", "FileSummary"]

REC = "_rec"

@dataclass
class FileSummary:
    path: str
    format: str
    source_id: int | None = None
    already: str | None = None  # when the same bytes were ingested before: when
    read: Counter = field(default_factory=Counter)  # table -> rows read
    added: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)  # reason -> records not loaded
    notes: list[str] = field(default_factory=list)


@dataclass
class LoadSummary:
    files: list[FileSummary] = field(default_factory=list)
    added: Counter = field(default_factory=Counter)  # table -> rows new to the case
    duplicates: Counter = field(default_factory=Counter)  # table -> repeated rows within the load
    existing: Counter = field(default_factory=Counter)  # table -> rows the case already had
    completed: Counter = field(default_factory=Counter)  # table -> existing rows given missing fields
    differing: Counter = field(default_factory=Counter)  # table -> rows that differ from the case's
    notes: list[str] = field(default_factory=list)  # about the load as a whole


class Load:
    """One all-or-nothing load into `case`. Use as a context manager; call `commit()`."""

    def __init__(self, case: Case, *, date_format: str | None = None, tz: str | None = None) -> None:
        self.case = case
        self.con = case.con
        self.date_format = date_format
        self.tz = tz  # the zone of input times written without an offset; None: UTC
        self.summary = LoadSummary()
        self._seen_sha: set[str] = set()
        self._tables: set[str] = set()  # canonical tables this load wrote rows to
        self._file: FileSummary | None = None
        self._chunk: pa.Table | None = None  # the rows `add` is converting
        self._extra_names: tuple[str, ...] = ()
        self._locate: Callable[[int], str] = str
        self._places: dict[int, tuple[str, Callable[[int], str]]] = {}  # source_id -> (path, locate)
        self.con.execute("BEGIN")
        self.con.execute(PARSE_TS)
        self.con.execute(PARSE_LIST)
        self._next_source = self.con.execute("SELECT coalesce(max(source_id), 0) + 1 FROM sources").fetchall()[0][0]
        self._first_source = self._next_source  # rows with source_id >= this are this load's

    def __enter__(self) -> Load:
        return self

    def __exit__(self, *exc: object) -> None:
        self.rollback()  # does nothing after commit()

    # -- per file -------------------------------------------------------------------------------
    def begin_file(self, *, path: str, sha256: str, size: int, fmt: str,
                   locate: Callable[[int], str]) -> bool:
        """Start a file. False (and a note in the summary) when these bytes are already in the case."""
        fs = FileSummary(path, fmt)
        self.summary.files.append(fs)
        rows = self.con.execute(
            "SELECT source_id, ingested_at, path FROM sources WHERE sha256 = ? ORDER BY source_id LIMIT 1",
            [sha256],
        ).fetchall()
        row = rows[0] if rows else None
        if row is not None or sha256 in self._seen_sha:
            fs.already = (f"already ingested as source {row[0]} ({row[2]}) on {row[1]:%Y-%m-%d %H:%M} UTC"
                          if row else "given twice in this load")
            return False
        self._seen_sha.add(sha256)
        fs.source_id = self._next_source
        self._next_source += 1
        self.con.execute(
            "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, '{}', ?)",
            [fs.source_id, path, sha256, size, fmt,
             datetime.now(timezone.utc).replace(tzinfo=None), __version__],
        )
        self._file, self._locate = fs, locate
        self._places[fs.source_id] = (path, locate)
        return True

    def add(self, table: str, data: pa.Table, *, extra: tuple[str, ...] = ()) -> None:
        """Check and convert rows of `table` from the current file; the first bad record raises.

        `extra` names the source columns passed as _x0, _x1...: kept as JSON in the `extra` column.
        """
        assert self._file is not None, "begin_file first"
        if data.num_rows == 0:
            return
        spec = TABLES[table]
        unknown = [n for n in data.column_names
                   if n != REC and n not in spec.names and not n.startswith("_x")]
        if unknown:
            raise MissingColumns(f"{self._file.path}: columns {unknown} are not columns of {table}.")
        self._extra_names = extra
        self._check_lengths(data)
        if settings.get("arrow_typing"):
            data = type_text_columns(data, spec, times=self.date_format is None and self.tz is None)
        self._file.read[table] += data.num_rows
        self._chunk = data
        try:
            self._convert(spec, data)
        finally:
            self._chunk = None

    def _check_lengths(self, data: pa.Table) -> None:
        """No text field may pass max_field_bytes (checked on the Arrow buffers, before any copy)."""
        limit = settings.get("max_field_bytes")
        for name in data.column_names:
            column = data.column(name)
            if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
                continue
            sizes = pc.binary_length(column)
            longest = pc.max(sizes).as_py()
            if longest is not None and longest > limit:
                at = pc.index(sizes, longest).as_py()
                raise TooLarge(
                    f"{self._file.path}, {self._locate(data.column(REC)[at].as_py())}: the {name} field "
                    f"of {longest:,} bytes is longer than the {limit:,} accepted.",
                    "If it is genuine, raise TROLLSCAN_MAX_FIELD_BYTES.")

    def end_file(self, *, skipped: Counter | None = None, notes: list[str] | None = None) -> None:
        fs = self._file
        assert fs is not None
        fs.skipped.update(skipped or {})
        fs.notes.extend(notes or [])
        self._file = None
        self._extra_names = ()

    def reset_file(self) -> None:
        """Forget the rows of the current file loaded so far (a reader starts the file again)."""
        fs = self._file
        for table in self._tables:
            self.con.execute(f"DELETE FROM {table} WHERE source_id = ?", [fs.source_id])
        fs.read.clear()

    def _on_chunk(self, sql: str, params: list | None = None) -> list[tuple]:
        """Run `sql` over the current chunk, named `_chunk` in it.

        The chunk is handed to DuckDB as a stream each time, never as a registered table: DuckDB keeps
        a table registered within a transaction (and the rows appended from it point into its
        buffers) until the commit, so every Arrow buffer of the load would stay in memory.
        """
        data = self._chunk
        self.con.register("_chunk", pa.RecordBatchReader.from_batches(data.schema, data.to_batches()))
        try:
            return self.con.execute(sql, params or []).fetchall()
        except duckdb.Error as exc:  # the checks should have named the record: say what is known
            raise BadFile(f"{self._file.path}: rows {self._span()} cannot be stored ({exc}).",
                          "Please report this with the file's first rows; the case was left as it was.") from None
        finally:
            try:
                self.con.unregister("_chunk")
            except duckdb.Error:
                pass  # the transaction failed; the load rolls back

    def _span(self) -> str:
        records = self._chunk.column(REC)
        return f"{self._locate(pc.min(records).as_py())} to {self._locate(pc.max(records).as_py())}"

    def _convert(self, spec: Table, data: pa.Table) -> None:
        types = _duckdb_types(data.schema)
        if types is None:  # a type the shortcut does not name: ask DuckDB
            types = {r[0]: r[1] for r in self._on_chunk("DESCRIBE _chunk")}
        exprs: dict[str, tuple[str, list]] = {}
        for col in spec.columns:
            if col.name == "source_id":
                exprs[col.name] = (f"CAST({self._file.source_id} AS INTEGER)", [])
            elif col.name == "source_record":
                exprs[col.name] = (f"CAST({REC} AS BIGINT)", [])
            elif col.name == "extra" and self._extra_names:
                exprs[col.name] = self._extra(types)
            elif col.name in types and col.values:
                exprs[col.name] = self._enum(col, data.column(col.name))
            elif col.name in types:
                exprs[col.name] = self._cast(col, types[col.name])
            else:
                exprs[col.name] = (f"CAST(NULL AS {col.type})", [])
        self._check(spec, types, exprs)
        self._tables.add(spec.name)
        select = ", ".join(f"{e} AS {_q(name)}" for name, (e, _p) in exprs.items())
        params = [p for _e, ps in exprs.values() for p in ps]
        self._on_chunk(f"INSERT INTO {spec.name} SELECT {select} FROM _chunk", params)

    def _extra(self, types: dict[str, str]) -> tuple[str, list]:
        """Columns the source has and the data model lacks, kept as one JSON object per row.

        The stage names them _x0, _x1...; their real names (user data) travel as parameters.
        """
        entries, params = [], []
        for i, name in enumerate(self._extra_names):
            if f"_x{i}" in types:
                entries.append(f"{{'k': ?, 'v': CAST({_q(f'_x{i}')} AS VARCHAR)}}")
                params.append(name)
        kept = f"list_filter([{', '.join(entries)}], lambda e: e.v IS NOT NULL AND e.v <> '')"
        obj = f"CASE WHEN len({kept}) > 0 THEN to_json(map_from_entries({kept})) END"
        if "extra" in types:
            obj = f"json_merge_patch(coalesce(TRY_CAST(extra AS JSON), '{{}}'), coalesce({obj}, '{{}}'))"
        return f"CAST({obj} AS VARCHAR)", params * 2  # `kept` appears twice

    def _enum(self, col: Column, values: pa.ChunkedArray) -> tuple[str, list]:
        """An enumeration column: its few distinct values are checked and mapped here, not per row."""
        c = _q(col.name)
        if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
            raw = pc.unique(values).to_pylist()
        else:
            raw = [r[0] for r in self._on_chunk(f"SELECT DISTINCT CAST({c} AS VARCHAR) FROM _chunk")]
        mapping: dict[str, str | None] = {}
        for value in raw:
            if value is None:
                continue
            v = value.strip().lower()
            v = PLATFORM_ALIASES.get(v, v) if col.name == "platform" else v
            if v and v not in col.values:
                rec = self._on_chunk(f"SELECT min({REC}) FROM _chunk WHERE CAST({c} AS VARCHAR) = ?", [value])[0][0]
                raise BadRecord(f"{self._file.path}, {self._locate(rec)}: {col.name} {_show(value)} is not "
                                f"one of {', '.join(col.values)}.", "Use one of those values.")
            mapping[value] = v or None
        if all(k == v for k, v in mapping.items()):
            return f"CAST({c} AS VARCHAR)", []
        whens = " ".join("WHEN ? THEN ?" for _ in mapping)
        return (f"(CASE CAST({c} AS VARCHAR) {whens} END)",
                [x for pair in mapping.items() for x in pair])

    def _cast(self, col: Column, have: str) -> tuple[str, list]:
        c = _q(col.name)
        text = have == "VARCHAR"
        if col.type == "VARCHAR":
            return (f"nullif({c}, '')" if text else f"CAST({c} AS VARCHAR)"), []
        if col.type == "TIMESTAMP":
            if text:
                return f"_ts({c}, ?, ?)", [self.date_format, self.tz]
            if have.startswith("TIMESTAMP") or have == "DATE":
                return f"CAST({c} AS TIMESTAMP)", []
            return f"try(CAST(to_timestamp(CAST({c} AS DOUBLE)) AS TIMESTAMP))", []
        if col.type == "VARCHAR[]":
            return (f"_list({c})" if text else f"try_cast({c} AS VARCHAR[])"), []
        if col.type == "BIGINT" and text:
            return (f"coalesce(try_cast(trim({c}) AS BIGINT), "
                    f"CASE WHEN try_cast(trim({c}) AS DOUBLE) = round(try_cast(trim({c}) AS DOUBLE)) "
                    f"THEN try_cast(try_cast(trim({c}) AS DOUBLE) AS BIGINT) END)"), []
        if text:
            return f"try_cast(trim({c}) AS {col.type})", []
        return (f"CAST({c} AS {col.type})" if have == col.type else f"try_cast({c} AS {col.type})"), []

    def _check(self, spec: Table, types: dict[str, str],
               exprs: dict[str, tuple[str, list]]) -> None:
        """One scan finds the first record that breaks any rule; the message names it and the rule."""
        fs = self._file
        rules: list[tuple[str, list, str, Callable[[object], tuple[str, str]]]] = []
        for col in spec.columns:
            if col.name in ("source_id", "source_record"):
                continue
            if col.name not in types:
                if col.required:
                    raise MissingColumns(
                        f"{fs.path}: no {col.name!r} column for table {spec.name}.",
                        "Add the column" + (", or pass --platform NAME." if col.name == "platform" else "."))
                continue
            e, args = exprs[col.name]
            c = _q(col.name)
            if col.required:
                rules.append((f"({e}) IS NULL", args, "NULL", lambda v, n=col.name, t=spec.name: (
                    f"{n} is empty.", f"Every {t} row needs a {n}.")))
            have = types[col.name]
            converted = have != col.type and col.type != "VARCHAR" and not col.values and not (
                col.type == "TIMESTAMP" and (have.startswith("TIMESTAMP") or have == "DATE"))
            if converted:
                what = {"TIMESTAMP": "a date", "BIGINT": "a whole number", "DOUBLE": "a number",
                        "BOOLEAN": "true or false", "VARCHAR[]": "a list"}[col.type]
                hint = ("Try --date-format, for example --date-format %d/%m/%Y."
                        if col.type == "TIMESTAMP" and have == "VARCHAR" else "Fix the value or leave the cell empty.")
                given = f"trim({c}) <> ''" if have == "VARCHAR" else "true"
                rules.append((f"{c} IS NOT NULL AND {given} AND ({e}) IS NULL", args, c,
                              lambda v, n=col.name, w=what, h=hint: (f"{n} {_show(v)} is not {w}.", h)))
        if not rules:
            return
        flags = ", ".join(f"coalesce({cond}, false), {shown}" for cond, _a, shown, _m in rules)
        where = " OR ".join(f"coalesce({cond}, false)" for cond, _a, _s, _m in rules)
        params = [p for _c, a, _s, _m in rules for p in a] + [p for _c, a, _s, _m in rules for p in a]
        rows = self._on_chunk(f"SELECT {REC}, {flags} FROM _chunk WHERE {where} ORDER BY {REC} LIMIT 1", params)
        if not rows:
            return
        row = rows[0]
        for i, (_cond, _a, _shown, message) in enumerate(rules):
            if row[1 + 2 * i]:
                text, hint = message(row[2 + 2 * i])
                raise BadRecord(f"{fs.path}, {self._locate(row[0])}: {text}", hint)

    # -- the whole load -------------------------------------------------------------------------
    def commit(self) -> LoadSummary:
        """Settle the rows this load wrote (repeats, rows the case had) and make them visible at once."""
        assert self._file is None, "end_file first"
        added: dict[int, Counter] = {}
        if self._tables:
            joined, notes = join_aliases(self.con, self._first_source)
            self.summary.notes.extend(notes)
            if joined:
                self.summary.notes.append(
                    f"{joined:,} account(s) known only by their handle were joined to their ids.")
        for table in sorted(self._tables):
            for source_id, n in self._settle(TABLES[table]):
                added.setdefault(source_id, Counter())[table] += n
        if "items" in self._tables and (filled := fill_parent_authors(self.con, self._first_source)):
            self.summary.notes.append(f"{filled:,} {'reply was' if filled == 1 else 'replies were'} given the author of the item they answer.")
        for fs in self.summary.files:
            if fs.source_id is not None:
                fs.added.update(added.get(fs.source_id, {}))
                self.con.execute("UPDATE sources SET rows_added = ? WHERE source_id = ?",
                                 [json.dumps(dict(fs.added), sort_keys=True), fs.source_id])
        self.con.execute("COMMIT")
        self.con = None
        return self.summary

    def rollback(self) -> None:
        if self.con is not None:
            try:
                self.con.execute("ROLLBACK")
            except duckdb.Error:
                pass
            self.con = None

    def _key_on(self, spec: Table, a: str, b: str) -> str:
        return " AND ".join(f"{a}.{_q(k)} IS NOT DISTINCT FROM {b}.{_q(k)}" for k in spec.key)

    def _settle(self, spec: Table) -> list[tuple[int, int]]:
        """The load's rows sit in the canonical table, marked by source_id >= first source of the load.

        Repeats within the load are kept once (merged field by field for merge tables); rows whose
        key the case already had are dropped after filling the stored row's gaps. Rows of earlier
        loads are never changed but for those gaps. Returns (source_id, rows added) per file.
        """
        t, first = spec.name, self._first_source
        new = f"source_id >= {first}"
        keys = ", ".join(_q(k) for k in spec.key)
        total, distinct = self.con.execute(
            f"SELECT count(*), count(DISTINCT ({keys})) FROM {t} WHERE {new}").fetchall()[0]
        if distinct < total:
            if spec.identity:
                self._conflict_within(spec)
            self.summary.duplicates[t] += total - distinct
            keep_one_per_key(self.con, spec, new)
        on = self._key_on(spec, "o", "d")
        old_keys = f"(SELECT {keys} FROM {t} WHERE source_id < {first})"
        matched = f"FROM {t} d SEMI JOIN {old_keys} o ON {on} WHERE d.{new}"
        n_existing = self.con.execute(f"SELECT count(*) {matched}").fetchall()[0][0]
        self.summary.existing[t] += n_existing
        if n_existing:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE _seen AS SELECT d.* {matched}")
            old = f"(SELECT * FROM {t} WHERE source_id < {first})"
            if spec.identity:
                differ = " OR ".join(f"o.{_q(c)} IS DISTINCT FROM d.{_q(c)}" for c in spec.identity)
                self.summary.differing[t] += self.con.execute(
                    f"SELECT count(*) FROM _seen d JOIN {old} o ON {on} WHERE {differ}").fetchall()[0][0]
            if spec.merge:
                self._fill_gaps(spec, on)
            self.con.execute(f"DELETE FROM {t} WHERE rowid IN (SELECT rowid {matched})")
            self.con.execute("DROP TABLE _seen")
        added = self.con.execute(f"SELECT source_id, count(*) FROM {t} WHERE {new} GROUP BY ALL").fetchall()
        self.summary.added[t] += sum(n for _s, n in added)
        return added

    def _fill_gaps(self, spec: Table, on: str) -> None:
        """Stored rows of a merge table take the fields they lack from the new rows in `_seen`."""
        fill = [c.name for c in spec.columns
                if c.name not in spec.key and c.name not in ("source_id", "source_record")]
        gaps = " OR ".join(f"(o.{_q(c)} IS NULL AND d.{_q(c)} IS NOT NULL)" for c in fill)
        sets = ", ".join(f"{_q(c)} = coalesce(o.{_q(c)}, d.{_q(c)})" for c in fill)
        if gaps:
            n = self.con.execute(
                f"UPDATE {spec.name} AS o SET {sets} FROM _seen d "
                f"WHERE o.source_id < {self._first_source} AND {on} AND ({gaps})").fetchall()[0][0]
            self.summary.completed[spec.name] += n

    def _conflict_within(self, spec: Table) -> None:
        typed = f"(SELECT * FROM {spec.name} WHERE source_id >= {self._first_source})"
        keys = ", ".join(_q(k) for k in spec.key)
        ident = ", ".join(_q(c) for c in spec.identity)
        rows = self.con.execute(
            f"SELECT {keys} FROM {typed} GROUP BY ALL HAVING count(DISTINCT ({ident})) > 1 LIMIT 1"
        ).fetchall()
        if not rows:
            return
        row = rows[0]
        where = " AND ".join(f"{_q(k)} IS NOT DISTINCT FROM ?" for k in spec.key)
        a, b = self.con.execute(
            f"SELECT source_id, source_record, {ident} FROM {typed} WHERE {where} "
            f"ORDER BY source_id, source_record", list(row)).fetchall()[:2]
        differs = [c for c, x, y in zip(spec.identity, a[2:], b[2:]) if x != y]
        where_a, where_b = (f"{self._places[s][0]}, {self._places[s][1](r)}" for s, r in (a[:2], b[:2]))
        id_name = spec.key[-1]
        raise BadRecord(
            f"{where_b}: {id_name} {_show(row[-1])} was already used at {where_a} for a different "
            f"{spec.name[:-1]} (they differ in {', '.join(differs)}).",
            f"An {id_name} must name one {spec.name[:-1]}; remove or renumber the duplicate.",
        )


def _duckdb_types(schema: pa.Schema) -> dict[str, str] | None:
    """DuckDB's names of the column types of a chunk, as DESCRIBE would give them, for the types
    adapters hand over; None when a column has another type (then DESCRIBE answers)."""
    types = {}
    for f in schema:
        t = f.type
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            types[f.name] = "VARCHAR"
        elif pa.types.is_int64(t):
            types[f.name] = "BIGINT"
        elif pa.types.is_int32(t):
            types[f.name] = "INTEGER"
        elif pa.types.is_float64(t):
            types[f.name] = "DOUBLE"
        elif pa.types.is_boolean(t):
            types[f.name] = "BOOLEAN"
        elif pa.types.is_null(t):
            types[f.name] = '"NULL"'
        elif pa.types.is_timestamp(t) and t.tz is None:
            types[f.name] = "TIMESTAMP" if t.unit == "us" else {"s": "TIMESTAMP_S", "ms": "TIMESTAMP_MS",
                                                                 "ns": "TIMESTAMP_NS"}[t.unit]
        elif pa.types.is_timestamp(t):
            types[f.name] = "TIMESTAMP WITH TIME ZONE"
        elif pa.types.is_date32(t):
            types[f.name] = "DATE"
        elif pa.types.is_list(t) and (pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type)):
            types[f.name] = "VARCHAR[]"
        else:
            return None
    return types
