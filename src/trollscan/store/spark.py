"""Apache Spark as the engine of the relational detectors, for data beyond one machine.

Spark is optional (`pip install 'trollscan[spark]'`, and a Java 17+ runtime). Locally it runs in
`local[N]` mode; on a cluster, pass the session you already have. The queries are the ones DuckDB
runs (`coordination.relational`); this module only adapts their dialect: named parameters are
written `$name` for DuckDB and `:name` for Spark SQL.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import TrollscanError
from .engine import bind

__all__ = ["SparkUnavailable", "spark_session", "spark_views", "to_spark_sql", "register_parquet", "write_parquet",
           "CANONICAL_PARQUET"]


class SparkUnavailable(TrollscanError):
    """Spark was asked for but PySpark or Java is missing."""


_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def to_spark_sql(sql: str) -> str:
    """A query of the common dialect, with Spark's parameter markers."""
    return _PARAM.sub(r":\1", sql)


def spark_session(*, master: str | None = None, cores: int = 2, memory_mb: int = 2048):
    """A Spark session: local with `cores` threads, or on the cluster at `master` (spark://...,
    yarn, k8s://...); quiet, no web UI. A clear error if Spark cannot start here."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable("The Spark engine needs PySpark, which is not installed.",
                               "pip install 'trollscan[spark]' (and a Java 17+ runtime).") from None
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise SparkUnavailable("The Spark engine needs a Java runtime (17 or newer), and none was found.",
                               "Install one (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME.")
    spark = (SparkSession.builder.master(master or f"local[{cores}]").appName("trollscan")
             .config("spark.driver.memory", f"{memory_mb}m")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", str(max(2, 2 * cores)))
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.execution.arrow.pyspark.enabled", "true")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def spark_views(spark):
    """(run, define) over a Spark session, for the relational co-action.

    `define` caches each query's result: the null model and the links read their views again.
    """
    cached: dict[str, object] = {}

    def define(name: str, source, params: Mapping | None = None) -> None:
        if name in cached:
            cached.pop(name).unpersist()
        if isinstance(source, pa.RecordBatchReader):
            source = source.read_all()
        if isinstance(source, pa.Table):
            frame = spark.createDataFrame(source)
        else:
            frame = spark.sql(to_spark_sql(source), args=bind(source, params)).cache()
            cached[name] = frame
        frame.createOrReplaceTempView(name)

    def run(sql: str, params: Mapping | None = None) -> pa.Table:
        return spark.sql(to_spark_sql(sql), args=bind(sql, params)).toArrow()

    return run, define


CANONICAL_PARQUET = ("items", "relations", "access_log")  # the tables the co-action layers read


def register_parquet(spark, folder: Path | str) -> list[str]:
    """Views of the canonical tables kept as Parquet under `folder` (on any file system Spark reads:
    local, hdfs://, s3a://): `items.parquet` or a folder `items/` of part files, and so on. Returns
    the tables found."""
    found = []
    root = str(folder).rstrip("/")
    for table in CANONICAL_PARQUET:
        for path in (f"{root}/{table}.parquet", f"{root}/{table}"):
            local = "://" not in path
            if local and not Path(path).exists():
                continue
            try:
                spark.read.parquet(path).createOrReplaceTempView(table)
            except Exception as exc:  # noqa: BLE001 - Spark's own errors name the path; say which table
                if local:
                    raise TrollscanError(f"{path}: Spark cannot read it as Parquet ({type(exc).__name__}).",
                                         "Write the canonical tables as Parquet, e.g. DuckDB's COPY ... TO 'items.parquet'.")
                continue
            found.append(table)
            break
    if not found:
        raise TrollscanError(f"{folder}: no canonical table as Parquet (items, relations or access_log).",
                             "Put items.parquet (or a folder items/ of Parquet parts) there, in the columns of "
                             "docs/data-model.md.")
    return found


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write a result table, all or nothing (a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    pq.write_table(table, partial)
    os.replace(partial, path)
