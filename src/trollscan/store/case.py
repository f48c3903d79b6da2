"""A case: a folder holding an embedded DuckDB database and a hashing key."""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import pyarrow as pa

from .. import __version__, settings
from ..errors import BadParameter, CaseExists, NotACase, StoreVersionMismatch
from .schema import SCHEMA_VERSION, analysis_ddl, ddl, results_ddl

__all__ = ["Case", "init_case", "open_case", "find_case", "fetch_arrow", "transaction", "temp_table", "DB_NAME", "MIGRATIONS"]

DB_NAME = "case.duckdb"
_KEY_PATH = Path(".secret") / "hash.key"

def _add_results(con: duckdb.DuckDBPyConnection) -> None:
    for statement in results_ddl():
        con.execute(statement)


def _add_analysis(con: duckdb.DuckDBPyConnection) -> None:
    for statement in analysis_ddl():
        con.execute(statement)


# Migrations: MIGRATIONS[n] upgrades a case from schema n to n + 1 inside one transaction.
MIGRATIONS: dict[int, callable] = {
    1: _add_results,  # schema 2: tables of computed results
    2: _add_analysis,  # schema 3: photo hashes, gallery, watch list, text families, verdicts
    3: _add_analysis,  # schema 4: the analysis tables added since (each one IF NOT EXISTS)
}


@dataclass
class Case:
    """An open case. `con` is the only DuckDB connection to it in this process."""

    root: Path
    con: duckdb.DuckDBPyConnection

    @property
    def hash_key(self) -> bytes:
        return (self.root / _KEY_PATH).read_bytes()

    def meta(self, key: str) -> str | None:
        rows = self.con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
        return rows[0][0] if rows else None

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Case:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The block's writes all land, or none do: BEGIN, then COMMIT, or ROLLBACK if the block raises."""
    con.execute("BEGIN")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


@contextmanager
def temp_table(case: Case, name: str, data: pa.Table) -> Iterator[None]:
    """`data` as the temporary table `name` for the block: joins of a registered Arrow table get
    no statistics, and DuckDB can plan them very badly. `name` is the caller's, never user text."""
    case.con.register("_arrow_in", data)
    try:
        case.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _arrow_in")
    finally:
        case.con.unregister("_arrow_in")
    try:
        yield
    finally:
        case.con.execute(f"DROP TABLE IF EXISTS {name}")


def fetch_arrow(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> pa.Table:
    """The rows of a query as an Arrow table (DuckDB 2 renamed the method)."""
    relation = con.sql(sql, params=params or None)
    method = getattr(relation, "to_arrow_table", None) or relation.arrow
    return method()


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    config = {"memory_limit": f"{settings.get('store_memory_mb')}MB"}
    threads = settings.get("store_threads")
    if threads:
        config["threads"] = threads
    con = duckdb.connect(str(path), config=config)
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")  # it would write in the middle of trollscan's output
    return con


def init_case(root: Path, *, name: str | None = None, tz: str = "UTC") -> Case:
    """Create an empty case in folder `root` (made if missing) and open it."""
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadParameter(
            f"The time zone {tz!r} is not known.", "Use an IANA name such as Asia/Almaty or Asia/Bishkek."
        ) from None
    root = Path(root)
    if (root / DB_NAME).exists():
        raise CaseExists(f"{root} already holds a case.", "Use it with --case, or choose another folder.")
    if root.exists() and not root.is_dir():
        raise NotACase(f"{root} is a file, not a folder.", "Give a folder name for the new case.")
    root.mkdir(parents=True, exist_ok=True)
    key_path = root / _KEY_PATH
    key_path.parent.mkdir(exist_ok=True)
    if not key_path.exists():
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
    con = _connect(root / DB_NAME)
    con.execute("BEGIN")
    for statement in ddl():
        con.execute(statement)
    now = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")
    meta = {
        "schema_version": str(SCHEMA_VERSION),
        "case_id": str(uuid.uuid4()),
        "name": name or root.resolve().name,
        "timezone": tz,
        "created_at": now,
        "created_by": __version__,
    }
    con.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
    con.execute("COMMIT")
    return Case(root, con)


def find_case(start: Path | None) -> Path:
    """The case folder: `start` when given, else the current folder or the nearest one above it."""
    if start is not None:
        return Path(start)
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / DB_NAME).exists():
            return folder
    return here


def open_case(root: Path | None = None) -> Case:
    """Open the case in `root` (see `find_case`), migrating an older schema."""
    root = find_case(root)
    db = root / DB_NAME
    if not db.exists():
        raise NotACase(
            f"{root} holds no trollscan case (no {DB_NAME}).",
            "Create one with `trollscan init DIR`, or point to one with --case DIR.",
        )
    try:
        con = _connect(db)
    except duckdb.Error as exc:
        raise StoreVersionMismatch(
            f"{db} cannot be opened: {exc}",
            "If another trollscan is using this case, close it first. If the file was written by a "
            "newer DuckDB, upgrade trollscan: pip install -U trollscan.",
        ) from None
    case = Case(root, con)
    try:
        version = int(case.meta("schema_version") or 0)
    except duckdb.Error:
        case.close()
        raise NotACase(f"{db} is not a trollscan case (it has no meta table).") from None
    if version > SCHEMA_VERSION:
        case.close()
        raise StoreVersionMismatch(
            f"{root} was written by a newer trollscan (case schema {version}; this version reads "
            f"schema {SCHEMA_VERSION} and older).",
            "Upgrade trollscan: pip install -U trollscan.",
        )
    if version < SCHEMA_VERSION:
        _migrate(case, version)
    return case


def _migrate(case: Case, version: int) -> None:
    missing = [v for v in range(version, SCHEMA_VERSION) if v not in MIGRATIONS]
    if missing:
        case.close()
        raise StoreVersionMismatch(
            f"{case.root} has case schema {version}, from a pre-release of trollscan that cannot be "
            f"migrated to schema {SCHEMA_VERSION}.",
            "Create a new case with `trollscan init` and ingest the files listed by "
            "`trollscan status --sources` in the old case again.",
        )
    case.con.execute("BEGIN")
    for v in range(version, SCHEMA_VERSION):
        MIGRATIONS[v](case.con)
    case.con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])
    case.con.execute("COMMIT")
