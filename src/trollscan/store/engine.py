"""The query engine detectors hand their set-heavy work to: SQL over Arrow streams.

A detector builds its inputs (tables or streams of record batches) and a query; the engine runs
it and returns an Arrow table. DuckDB here: parallel, and it spills to disk past its memory
limit, so a detector's memory stays bounded whatever the size of its input. The same queries are
written to run on Spark SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import duckdb
import pyarrow as pa

from .. import settings
from .case import Case, fetch_arrow

__all__ = ["Engine", "case_engine", "memory_engine"]

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
