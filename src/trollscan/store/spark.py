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

import pyarrow as pa

from ..errors import TrollscanError
from .engine import bind

__all__ = ["SparkUnavailable", "spark_session", "spark_views", "to_spark_sql"]


class SparkUnavailable(TrollscanError):
    """Spark was asked for but PySpark or Java is missing."""


_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def to_spark_sql(sql: str) -> str:
    """A query of the common dialect, with Spark's parameter markers."""
    return _PARAM.sub(r":\1", sql)


def spark_session(*, cores: int = 2, memory_mb: int = 2048):
    """A local Spark session (quiet, no web UI), or a clear error if Spark cannot start here."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable("The Spark engine needs PySpark, which is not installed.",
                               "pip install 'trollscan[spark]' (and a Java 17+ runtime).") from None
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise SparkUnavailable("The Spark engine needs a Java runtime (17 or newer), and none was found.",
                               "Install one (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME.")
    spark = (SparkSession.builder.master(f"local[{cores}]").appName("trollscan")
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
