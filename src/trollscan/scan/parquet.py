"""`trollscan scan --parquet DIR`: the co-action layers over canonical tables kept as Parquet, on
DuckDB or on a Spark cluster, with no case database: for data bigger than one machine.

Each layer runs as relational queries only (`coordination.relational`); an action is known by its
item id and account id, so the results name items, not row numbers. Results are written as
Parquet next to nothing else: `edges.parquet` (the case's `edges` columns plus platform and layer)
and `links.parquet` (for each edge, up to 10 pairs of items that link it, earliest first).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ..coordination import LAYERS
from ..coordination.relational import co_action_relational
from ..errors import BadParameter
from ..store.engine import duckdb_parquet_views
from ..store.spark import register_parquet, spark_session, spark_views, write_parquet
from . import check_options
from .summary import LayerSummary

__all__ = ["scan_parquet", "PARQUET_LAYERS"]

# The layers whose query exists in both dialects.
PARQUET_LAYERS = tuple(name for name, layer in LAYERS.items() if layer.spark_sql)
_SEP = "\x1f"  # between item id and account id in an action's key (a control character, never in ids)


def scan_parquet(folder: str | Path, out: Path, *, engine: str = "spark", master: str | None = None,
                 layers: list[str] | None = None, window_s: int | None = None, min_targets: int = 2,
                 fdr: float | None = 0.01, seed: int = 1, max_target_actions: int = 5000,
                 progress: Callable[[str], None] | None = None) -> list[LayerSummary]:
    """Co-action edges and their linking items for every platform in the Parquet tables of
    `folder` (a path, or a URL Spark reads: hdfs://, s3a://), written to `out/edges.parquet` and
    `out/links.parquet`."""
    check_options(window_s=window_s, min_targets=min_targets, max_target_actions=max_target_actions, fdr=fdr)
    names = layers or list(PARQUET_LAYERS)
    unknown = [n for n in names if n not in PARQUET_LAYERS]
    if unknown:
        raise BadParameter(f"Layer {unknown[0]!r} cannot run over Parquet yet.",
                           f"Layers over Parquet: {', '.join(PARQUET_LAYERS)}; the others need a case (trollscan scan).")
    if engine == "spark":
        spark = spark_session(master=master)
        register_parquet(spark, folder)
        run, define = spark_views(spark)
        dialect = "spark"
    elif engine == "duckdb":
        run, define, _ = duckdb_parquet_views(Path(folder))
        dialect = "duckdb"
    else:
        raise BadParameter(f"The 'engine' parameter of scan must be duckdb or spark; got {engine!r}.")
    edges, links, summaries = [], [], []
    for name in names:
        layer = LAYERS[name]
        sql = layer.spark_sql if dialect == "spark" else layer.sql
        window = layer.window_s if layer.window_s is None or window_s is None else window_s
        if progress:
            progress(name)
        started = time.perf_counter()
        summary = LayerSummary(name, window)
        platforms = run(f"SELECT DISTINCT platform FROM ({sql}) a ORDER BY platform", {})["platform"].to_pylist()
        for platform in platforms:
            define("actions", f"SELECT account_id AS account, target, ts, concat(item_id, chr(31), account_id) AS row "
                              f"FROM ({sql}) a WHERE platform = $platform", {"platform": platform})
            summary.actions += run("SELECT count(*) AS n FROM actions", {})["n"][0].as_py()
            result = co_action_relational(run, define, window_s=window, min_targets=min_targets,
                                          fdr=fdr if layer.null_model else None, seed=seed, repeats=layer.repeats,
                                          max_target_actions=max_target_actions)
            summary.candidates += result.candidates
            summary.crowded += result.crowded
            summary.threshold = max(summary.threshold, result.threshold)
            summary.edges += result.edges.num_rows
            edges.append(_edges(platform, name, result.edges))
            links.append(_links(platform, name, result.links))
        summary.seconds = time.perf_counter() - started
        summaries.append(summary)
    write_parquet(pa.concat_tables(edges) if edges else _edges("", "", None), out / "edges.parquet")
    write_parquet(pa.concat_tables(links) if links else _links("", "", None), out / "links.parquet")
    return summaries


def _edges(platform: str, layer: str, e: pa.Table | None) -> pa.Table:
    n = e.num_rows if e is not None else 0
    if e is None:
        e = pa.table({c: pa.array([], t) for c, t in (("account_a", pa.string()), ("account_b", pa.string()),
                      ("weight", pa.float64()), ("n_targets", pa.int64()), ("n_items", pa.int64()),
                      ("first_ts", pa.int64()), ("last_ts", pa.int64()))})
    dated = pc.greater(e["first_ts"], 0)
    to_time = lambda c: pc.if_else(dated, pc.cast(pc.multiply(e[c], 1_000_000), pa.timestamp("us")),  # noqa: E731
                                   pa.scalar(None, pa.timestamp("us")))
    return pa.table({"platform": pa.array([platform] * n, pa.string()), "layer": pa.array([layer] * n, pa.string()),
                     "account_a": e["account_a"], "account_b": e["account_b"], "weight": e["weight"],
                     "n_targets": e["n_targets"], "n_items": e["n_items"],
                     "first_at": to_time("first_ts"), "last_at": to_time("last_ts")})


def _item(keys: pa.Array) -> pa.Array:
    """The item id of action keys `item_id<US>account_id` (account ids hold no control characters)."""
    parts = pc.split_pattern(keys, _SEP, max_splits=1, reverse=True)
    return pc.list_element(parts, 0)


def _links(platform: str, layer: str, links: pa.Table | None) -> pa.Table:
    if links is None or not links.num_rows:
        empty = pa.array([], pa.string())
        return pa.table({"platform": empty, "layer": empty, "account_a": empty, "account_b": empty,
                         "item_a": empty, "item_b": empty})
    n = links.num_rows
    return pa.table({"platform": pa.array([platform] * n, pa.string()), "layer": pa.array([layer] * n, pa.string()),
                     "account_a": links["account_a"], "account_b": links["account_b"],
                     "item_a": _item(links["row_a"]), "item_b": _item(links["row_b"])})
