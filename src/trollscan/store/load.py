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

from .. import __version__, settings
from ..errors import BadRecord, MissingColumns, TooLarge
from .case import Case
from .schema import TABLES, Column, Table

__all__ = ["Load", "LoadSummary", "FileSummary", "PLATFORM_ALIASES"]

REC = "_rec"

PLATFORM_ALIASES = {
    "x": "twitter", "x.com": "twitter", "twitter.com": "twitter", "fb": "facebook",
    "facebook.com": "facebook", "ig": "instagram", "insta": "instagram", "instagram.com": "instagram",
    "vkontakte": "vk", "vk.com": "vk", "odnoklassniki": "ok", "ok.ru": "ok", "tg": "telegram",
    "t.me": "telegram", "yt": "youtube", "youtube.com": "youtube", "tiktok.com": "tiktok",
    "site": "web", "website": "web",
}

# Text that is a timestamp: ISO 8601 (any offset), a date, Twitter's classic format, epoch seconds
# or milliseconds. `fmt` is the user's --date-format, tried first when given.
_PARSE_TS = """
CREATE OR REPLACE TEMP MACRO _ts(s, fmt) AS (
    CASE WHEN s IS NULL OR trim(s) = '' THEN NULL ELSE coalesce(
        CAST(try_strptime(trim(s), fmt) AS TIMESTAMP),
        CAST(try_cast(trim(s) AS TIMESTAMPTZ) AS TIMESTAMP),
        CAST(try_strptime(trim(s), '%a %b %d %H:%M:%S %z %Y') AS TIMESTAMP),
        CASE WHEN regexp_full_match(trim(s), '[0-9]{9,10}(\\.[0-9]+)?')
             THEN CAST(to_timestamp(CAST(trim(s) AS DOUBLE)) AS TIMESTAMP) END,
        CASE WHEN regexp_full_match(trim(s), '[0-9]{12,13}')
             THEN CAST(to_timestamp(CAST(trim(s) AS DOUBLE) / 1000) AS TIMESTAMP) END
    ) END
)
"""
# A list cell: a JSON array, or a bracketed list ([a, b] or ['a', 'b']) as in Twitter's archives.
_PARSE_LIST = """
CREATE OR REPLACE TEMP MACRO _list(s) AS (
    CASE WHEN s IS NULL OR trim(s) IN ('', '[]') THEN
        CASE WHEN trim(s) = '[]' THEN CAST([] AS VARCHAR[]) END
    WHEN json_valid(s) AND json_type(CAST(s AS JSON)) = 'ARRAY' THEN
        from_json(s, '["VARCHAR"]')
    ELSE list_filter(
        list_transform(string_split(regexp_replace(trim(s), '^\\[|\\]$', '', 'g'), ','),
                       lambda e: trim(trim(e), '''" ')),
        lambda e: e <> '')
    END
)
"""


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


def _q(name: str) -> str:
    """Quote an identifier we made ourselves (never a name taken from user data)."""
    return '"' + name.replace('"', '""') + '"'


class Load:
    """One all-or-nothing load into `case`. Use as a context manager; call `commit()`."""

    def __init__(self, case: Case, *, date_format: str | None = None) -> None:
        self.case = case
        self.con = case.con
        self.date_format = date_format
        self.summary = LoadSummary()
        self._seen_sha: set[str] = set()
        self._typed: set[str] = set()
        self._file: FileSummary | None = None
        self._stages: dict[str, str] = {}
        self._extra_names: tuple[str, ...] = ()
        self._locate: Callable[[int], str] = str
        self._places: dict[int, tuple[str, Callable[[int], str]]] = {}  # source_id -> (path, locate)
        self.con.execute("BEGIN")
        self.con.execute(_PARSE_TS)
        self.con.execute(_PARSE_LIST)
        row = self.con.execute("SELECT coalesce(max(source_id), 0) FROM sources").fetchone()
        self._next_source = row[0] + 1

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
        row = self.con.execute(
            "SELECT source_id, ingested_at, path FROM sources WHERE sha256 = ? ORDER BY source_id LIMIT 1",
            [sha256],
        ).fetchone()
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
        """Stage rows of `table` from the current file.

        `extra` names the source columns staged as _x0, _x1...: kept as JSON in the `extra` column.
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
        self._file.read[table] += data.num_rows
        stage = self._stages.get(table)
        self.con.register("_chunk", data)
        try:
            if stage is None:
                stage = self._stages[table] = f"_stage_{table}"
                self.con.execute(f"CREATE OR REPLACE TEMP TABLE {_q(stage)} AS SELECT * FROM _chunk")
            else:
                self.con.execute(f"INSERT INTO {_q(stage)} BY NAME SELECT * FROM _chunk")
        except duckdb.Error as exc:
            raise MissingColumns(
                f"{self._file.path}: a batch of {table} rows does not match the earlier ones ({exc})."
            ) from None
        finally:
            self.con.unregister("_chunk")

    def end_file(self, *, skipped: Counter | None = None, notes: list[str] | None = None) -> None:
        """Convert and check the file's staged rows; the first bad record raises, naming itself."""
        fs = self._file
        assert fs is not None
        for table, stage in self._stages.items():
            self._convert(TABLES[table], stage)
            self.con.execute(f"DROP TABLE {_q(stage)}")
        self._stages.clear()
        fs.skipped.update(skipped or {})
        fs.notes.extend(notes or [])
        self._file = None
        self._extra_names = ()

    def _stage_types(self, stage: str) -> dict[str, str]:
        rows = self.con.execute(f"DESCRIBE {_q(stage)}").fetchall()
        return {r[0]: r[1] for r in rows}

    def _convert(self, spec: Table, stage: str) -> None:
        types = self._stage_types(stage)
        exprs: dict[str, tuple[str, list]] = {}
        for col in spec.columns:
            if col.name == "source_id":
                exprs[col.name] = (f"CAST({self._file.source_id} AS INTEGER)", [])
            elif col.name == "source_record":
                exprs[col.name] = (f"CAST({REC} AS BIGINT)", [])
            elif col.name == "extra" and self._extra_names:
                exprs[col.name] = self._extra(types)
            elif col.name in types:
                exprs[col.name] = self._cast(col, types[col.name])
            else:
                exprs[col.name] = (f"CAST(NULL AS {col.type})", [])
        self._check(spec, stage, types, exprs)
        typed = f"_typed_{spec.name}"
        if typed not in self._typed:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {_q(typed)} AS SELECT * FROM {spec.name} LIMIT 0")
            self._typed.add(typed)
        select = ", ".join(f"{e} AS {_q(name)}" for name, (e, _p) in exprs.items())
        params = [p for _e, ps in exprs.values() for p in ps]
        self.con.execute(f"INSERT INTO {_q(typed)} SELECT {select} FROM {_q(stage)}", params)

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

    def _cast(self, col: Column, have: str) -> tuple[str, list]:
        c = _q(col.name)
        text = have == "VARCHAR"
        if col.name == "platform":
            cases = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in PLATFORM_ALIASES.items())
            return f"(CASE lower(trim({c})) {cases} ELSE nullif(lower(trim({c})), '') END)", []
        if col.values:
            return f"nullif(lower(trim(CAST({c} AS VARCHAR))), '')", []
        if col.type == "VARCHAR":
            return (f"nullif({c}, '')" if text else f"CAST({c} AS VARCHAR)"), []
        if col.type == "TIMESTAMP":
            if text:
                return f"_ts({c}, ?)", [self.date_format]
            if have.startswith("TIMESTAMP") or have == "DATE":
                return f"CAST({c} AS TIMESTAMP)", []
            return f"CAST(to_timestamp(CAST({c} AS DOUBLE)) AS TIMESTAMP)", []
        if col.type == "VARCHAR[]":
            return (f"_list({c})" if text else f"CAST({c} AS VARCHAR[])"), []
        if col.type == "BIGINT" and text:
            return (f"coalesce(try_cast(trim({c}) AS BIGINT), "
                    f"CASE WHEN try_cast(trim({c}) AS DOUBLE) = round(try_cast(trim({c}) AS DOUBLE)) "
                    f"THEN try_cast(try_cast(trim({c}) AS DOUBLE) AS BIGINT) END)"), []
        if text:
            return f"try_cast(trim({c}) AS {col.type})", []
        return f"CAST({c} AS {col.type})", []

    def _check(self, spec: Table, stage: str, types: dict[str, str],
               exprs: dict[str, tuple[str, list]]) -> None:
        fs = self._file

        def first(where: str, args: list, what: str) -> tuple | None:
            return self.con.execute(
                f"SELECT {REC}, {what} FROM {_q(stage)} WHERE {where} ORDER BY {REC} LIMIT 1", args
            ).fetchone()

        for col in spec.columns:
            if col.name in ("source_id", "source_record"):
                continue
            e, args = exprs[col.name]
            if col.required and col.name not in types:
                raise MissingColumns(
                    f"{fs.path}: no {col.name!r} column for table {spec.name}.",
                    "Add the column" + (", or pass --platform NAME." if col.name == "platform" else "."),
                )
            if col.name not in types:
                continue
            if col.required:
                bad = first(f"({e}) IS NULL", args, "NULL")
                if bad:
                    raise BadRecord(f"{fs.path}, {self._locate(bad[0])}: {col.name} is empty.",
                                    f"Every {spec.name} row needs a {col.name}.")
            if types[col.name] == "VARCHAR" and col.type not in ("VARCHAR",) and not col.values:
                c = _q(col.name)
                bad = first(f"{c} IS NOT NULL AND trim({c}) <> '' AND ({e}) IS NULL", args, c)
                if bad:
                    what = {"TIMESTAMP": "a date", "BIGINT": "a whole number", "DOUBLE": "a number",
                            "BOOLEAN": "true or false", "VARCHAR[]": "a list"}[col.type]
                    hint = ("Try --date-format, for example --date-format %d/%m/%Y."
                            if col.type == "TIMESTAMP" else "Fix the value or leave the cell empty.")
                    raise BadRecord(f"{fs.path}, {self._locate(bad[0])}: {col.name} {_show(bad[1])} "
                                    f"is not {what}.", hint)
            if col.values:
                listed = ", ".join(f"'{v}'" for v in col.values)
                bad = first(f"({e}) IS NOT NULL AND ({e}) NOT IN ({listed})", args, _q(col.name))
                if bad:
                    raise BadRecord(
                        f"{fs.path}, {self._locate(bad[0])}: {col.name} {_show(bad[1])} is not one of "
                        f"{', '.join(col.values)}.", "Use one of those values.")
        limit = settings.get("max_field_chars")
        texts = [_q(n) for n, t in types.items() if t == "VARCHAR" and n in spec.names]
        if texts:
            longest = f"greatest({', '.join(f'coalesce(length({t}), 0)' for t in texts)}, 0)"
            bad = first(f"{longest} > {limit}", [], longest)
            if bad:
                raise TooLarge(f"{fs.path}, {self._locate(bad[0])}: a field of {bad[1]:,} characters is "
                               f"longer than the {limit:,} accepted.",
                               "If it is genuine, raise TROLLSCAN_MAX_FIELD_CHARS.")

    # -- the whole load -------------------------------------------------------------------------
    def commit(self) -> LoadSummary:
        assert self._file is None, "end_file first"
        for typed in sorted(self._typed):
            spec = TABLES[typed.removeprefix("_typed_")]
            self._merge(spec, typed)
            self.con.execute(f"DROP TABLE {_q(typed)}")
        for fs in self.summary.files:
            if fs.source_id is not None:
                counts = self.con.execute(
                    " UNION ALL ".join(
                        f"SELECT '{t}', count(*) FROM {t} WHERE source_id = {fs.source_id}" for t in TABLES
                    )
                ).fetchall()
                fs.added.update({t: n for t, n in counts if n})
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

    def _merge(self, spec: Table, typed: str) -> None:
        keys = ", ".join(_q(k) for k in spec.key)
        order = "source_id, source_record"
        total, distinct = self.con.execute(
            f"SELECT count(*), count(DISTINCT ({keys})) FROM {_q(typed)}").fetchone()
        if spec.identity:
            self._conflict_within(spec, typed)
        if distinct < total:
            self.summary.duplicates[spec.name] += total - distinct
            if spec.merge:
                cols = ", ".join(
                    _q(c.name) if c.name in spec.key else
                    f"arg_min({_q(c.name)}, ({order})) FILTER (WHERE {_q(c.name)} IS NOT NULL) AS {_q(c.name)}"
                    for c in spec.columns
                )
                body = f"SELECT {cols} FROM {_q(typed)} GROUP BY ALL"
            else:
                body = (f"SELECT * FROM {_q(typed)} QUALIFY row_number() OVER "
                        f"(PARTITION BY {keys} ORDER BY {order}) = 1")
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE _dedup AS {body}")
            self.con.execute(f"DROP TABLE {_q(typed)}")
            self.con.execute(f"ALTER TABLE _dedup RENAME TO {_q(typed)}")
        on = self._key_on(spec, "t", "d")
        existing = self.con.execute(
            f"SELECT count(*) FROM {_q(typed)} d SEMI JOIN {spec.name} t ON {on}").fetchone()[0]
        self.summary.existing[spec.name] += existing
        if existing and spec.identity:
            differ = " OR ".join(f"t.{_q(c)} IS DISTINCT FROM d.{_q(c)}" for c in spec.identity)
            self.summary.differing[spec.name] += self.con.execute(
                f"SELECT count(*) FROM {_q(typed)} d JOIN {spec.name} t ON {on} WHERE {differ}").fetchone()[0]
        if existing and spec.merge:
            fill = [c.name for c in spec.columns
                    if c.name not in spec.key and c.name not in ("source_id", "source_record")]
            gaps = " OR ".join(f"(t.{_q(c)} IS NULL AND d.{_q(c)} IS NOT NULL)" for c in fill)
            sets = ", ".join(f"{_q(c)} = coalesce(t.{_q(c)}, d.{_q(c)})" for c in fill)
            if gaps:
                n = self.con.execute(
                    f"UPDATE {spec.name} AS t SET {sets} FROM {_q(typed)} d WHERE {on} AND ({gaps})"
                ).fetchone()[0]
                self.summary.completed[spec.name] += n
        self.con.execute(
            f"INSERT INTO {spec.name} SELECT d.* FROM {_q(typed)} d ANTI JOIN {spec.name} t ON {on}")
        self.summary.added[spec.name] += self.con.execute(
            f"SELECT count(*) - {existing} FROM {_q(typed)}").fetchone()[0]

    def _conflict_within(self, spec: Table, typed: str) -> None:
        keys = ", ".join(_q(k) for k in spec.key)
        ident = ", ".join(_q(c) for c in spec.identity)
        row = self.con.execute(
            f"SELECT {keys} FROM {_q(typed)} GROUP BY ALL HAVING count(DISTINCT ({ident})) > 1 LIMIT 1"
        ).fetchone()
        if row is None:
            return
        where = " AND ".join(f"{_q(k)} IS NOT DISTINCT FROM ?" for k in spec.key)
        a, b = self.con.execute(
            f"SELECT source_id, source_record, {ident} FROM {_q(typed)} WHERE {where} "
            f"ORDER BY source_id, source_record", list(row)).fetchall()[:2]
        differs = [c for c, x, y in zip(spec.identity, a[2:], b[2:]) if x != y]
        where_a, where_b = (f"{self._places[s][0]}, {self._places[s][1](r)}" for s, r in (a[:2], b[:2]))
        id_name = spec.key[-1]
        raise BadRecord(
            f"{where_b}: {id_name} {_show(row[-1])} was already used at {where_a} for a different "
            f"{spec.name[:-1]} (they differ in {', '.join(differs)}).",
            f"An {id_name} must name one {spec.name[:-1]}; remove or renumber the duplicate.",
        )


def _show(value: object, width: int = 60) -> str:
    """A value from user data, quoted and cut short, safe to put in a message."""
    text = value if isinstance(value, str) else str(value)
    text = repr(text if len(text) <= width else text[:width] + "…")
    return text
