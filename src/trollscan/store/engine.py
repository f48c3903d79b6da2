"""The query engine detectors hand their set-heavy work to: SQL over Arrow streams.

A detector builds its inputs (tables or streams of record batches) and a query; the engine runs
it and returns an Arrow table. DuckDB here: parallel, and it spills to disk past its memory
limit, so a detector's memory stays bounded whatever the size of its input. The same queries are
written to run on Spark SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import duckdb
import pyarrow as pa

from .. import settings
from ..errors import TrollscanError
from .case import Case, fetch_arrow

__all__ = ["Engine", "case_engine", "memory_engine", "duckdb_views", "bind", "duckdb_parquet_views"]

# run(sql, inputs by name, parameters by name) -> result
Engine = Callable[[str, Mapping[str, "pa.Table | pa.RecordBatchReader"], Mapping[str, object]], pa.Table]


def _runner(con: duckdb.DuckDBPyConnection) -> Engine:
    def run(sql: str, inputs: Mapping, params: Mapping | None = None) -> pa.Table:
        for name, data in inputs.items():
            con.register(name, data)
        try:
            return fetch_arrow(con, sql, dict(params or {}))
        finally:
            for name in inputs:
                con.unregister(name)

    return run


def case_engine(case: Case) -> Engine:
    """The engine of an open case (its memory limit; it spills next to the case's database)."""
    return _runner(case.con)


def memory_engine() -> Engine:
    """An engine with no case behind it, for library use and tests."""
    con = duckdb.connect(config={"memory_limit": f"{settings.get('store_memory_mb')}MB"})
    return _runner(con)


def bind(sql: str, params: Mapping[str, object] | None) -> dict:
    """The parameters a query names (`$name`); engines refuse parameters a query does not use."""
    return {k: v for k, v in (params or {}).items() if f"${k}" in sql}


def duckdb_views(con: duckdb.DuckDBPyConnection | None = None):
    """(run, define) over a DuckDB connection, for the relational co-action (`coordination.relational`).

    `define` materialises each query as a temporary table: the null model reads its view twice.
    """
    con = con or duckdb.connect(config={"memory_limit": f"{settings.get('store_memory_mb')}MB"})

    def define(name: str, source, params: Mapping | None = None) -> None:
        if isinstance(source, (pa.Table, pa.RecordBatchReader)):
            con.register(name, source)
        else:  # `name` is one of the module's own view names, never user text
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {source}", bind(source, params))

    def run(sql: str, params: Mapping | None = None) -> pa.Table:
        return fetch_arrow(con, sql, bind(sql, params))

    return run, define


def duckdb_parquet_views(folder: Path):
    """(run, define) over DuckDB with views of the canonical tables kept as Parquet under `folder`
    (`items.parquet` or `items/*.parquet`, and so on), as `store.spark.register_parquet` makes them."""
    from .spark import CANONICAL_PARQUET

    con = duckdb.connect(config={"memory_limit": f"{settings.get('store_memory_mb')}MB"})
    found = []
    for table in CANONICAL_PARQUET:
        for path in (folder / f"{table}.parquet", folder / table):
            if path.exists():
                pattern = str(path / "*.parquet") if path.is_dir() else str(path)
                con.read_parquet(pattern).create_view(table)
                found.append(table)
                break
    if not found:
        raise TrollscanError(f"{folder}: no canonical table as Parquet (items, relations or access_log).",
                             "Put items.parquet (or a folder items/ of Parquet parts) there, in the columns of "
                             "docs/data-model.md.")
    run, define = duckdb_views(con)
    return run, define, found
