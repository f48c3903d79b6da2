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

from ..coordination import EDGE_ROWS, LAYERS, MAX_TARGET_ACCOUNTS, MAX_TARGET_PAIRS, edge_rows
from ..clusters import SUPPORTING_LAYERS
from ..coordination.relational import co_action_relational
from ..coordination.relations import MUTUAL_SQL, mutual_edges
from ..errors import BadParameter
from ..store.engine import duckdb_parquet_views
from ..store.spark import register_parquet, spark_session, spark_views, write_parquet
from . import check_options
from .summary import LayerSummary

__all__ = ["scan_parquet", "PARQUET_LAYERS"]

# The layers whose query exists in both dialects, and the supporting layer of mutual friendships
# and follows among the accounts the others link (`coordination.relations.MUTUAL_SQL`).
_MUTUAL = "mutual"
PARQUET_LAYERS = tuple(name for name, layer in LAYERS.items() if layer.spark_sql) + (_MUTUAL,)
_SEP = "\x1f"  # between item id and account id in an action's key (a control character, never in ids)


def scan_parquet(folder: str | Path, out: Path, *, engine: str = "spark", master: str | None = None,
                 layers: list[str] | None = None, window_s: int | None = None, min_targets: int = 2,
                 fdr: float | None = 0.01, seed: int = 1, max_target_actions: int = 5000,
                 max_target_pairs: int = MAX_TARGET_PAIRS, max_target_accounts: int = MAX_TARGET_ACCOUNTS,
                 progress: Callable[[str], None] | None = None) -> list[LayerSummary]:
    """Co-action edges and their linking items for every platform in the Parquet tables of
    `folder` (a path, or a URL Spark reads: hdfs://, s3a://), written to `out/edges.parquet` and
    `out/links.parquet`."""
    check_options(window_s=window_s, min_targets=min_targets, max_target_actions=max_target_actions, fdr=fdr,
                  max_target_pairs=max_target_pairs, max_target_accounts=max_target_accounts)
    unknown = [n for n in layers or [] if n not in PARQUET_LAYERS]
    if unknown:
        raise BadParameter(f"Unknown layer {unknown[0]!r}." if unknown[0] not in LAYERS else
                           f"Layer {unknown[0]!r} cannot run over Parquet yet.",
                           f"Layers over Parquet: {', '.join(PARQUET_LAYERS)}; the others need a case (trollscan scan).")
    if engine == "spark":
        spark = spark_session(master=master)
        found = register_parquet(spark, folder)
        run, define = spark_views(spark)
        dialect = "spark"
    elif engine == "duckdb":
        run, define, found = duckdb_parquet_views(Path(folder))
        dialect = "duckdb"
    else:
        raise BadParameter(f"The 'engine' parameter of scan must be duckdb or spark; got {engine!r}.")
    missing = [n for n in layers or [] if _reads(n) not in found]
    if missing:
        raise BadParameter(f"Layer {missing[0]!r} reads {_reads(missing[0])}, which {folder} does not hold "
                           "as Parquet.", f"Tables found: {', '.join(found)}.")
    names = layers or [n for n in PARQUET_LAYERS if _reads(n) in found]
    edges, links, summaries = [], [], []
    for name in names:
        if name == _MUTUAL:
            continue
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
                                          max_target_actions=max_target_actions, max_target_pairs=max_target_pairs,
                                          max_target_accounts=max_target_accounts if layer.bounded_by_accounts
                                          else None)
            summary.candidates += result.candidates
            summary.crowded += result.crowded
            summary.many_accounts += result.many_accounts
            summary.threshold = max(summary.threshold, result.threshold)
            summary.edges += result.edges.num_rows
            edges.append(edge_rows(platform, layer, result))
            links.append(_links(platform, name, result.links))
        summary.seconds = time.perf_counter() - started
        summaries.append(summary)
    if _MUTUAL in names:  # last: among the accounts the other layers link
        if progress:
            progress(_MUTUAL)
        summaries.append(_mutual(run, define, edges))
    write_parquet(pa.concat_tables(edges) if edges else pa.table(
        {f.name: pa.array([], f.type) for f in EDGE_ROWS}), out / "edges.parquet")
    write_parquet(pa.concat_tables(links) if links else _links("", "", None), out / "links.parquet")
    return summaries


def _reads(name: str) -> str:
    return "relations" if name == _MUTUAL else LAYERS[name].table


def _mutual(run, define, edges: list[pa.Table]) -> LayerSummary:
    """Friendships and mutual follows among the accounts that this run's edges of the layers other
    than the supporting ones link (as a case scan's groups step adds them); appended to `edges`."""
    started = time.perf_counter()
    linking = [e.filter(pc.invert(pc.is_in(e["layer"], pa.array(SUPPORTING_LAYERS)))) for e in edges]
    linked = pa.concat_tables([t for e in linking for t in (
        e.select(["platform", "account_a"]).rename_columns(["platform", "account_id"]),
        e.select(["platform", "account_b"]).rename_columns(["platform", "account_id"]))]) if linking else None
    summary = LayerSummary(_MUTUAL, None)
    if linked is not None and linked.num_rows:
        define("linked", linked.group_by(["platform", "account_id"]).aggregate([]), {})
        pairs = run(MUTUAL_SQL, {})
        pairs = pairs.set_column(3, "friends", pc.cast(pairs["friends"], pa.bool_()))
        for c in ("first_at", "last_at"):  # naive UTC, whatever zone the engine's type carried
            at = pairs.schema.get_field_index(c)
            pairs = pairs.set_column(at, c, pc.cast(pairs[c], pa.timestamp("us", tz="UTC")).cast(pa.timestamp("us")))
        found, _ = mutual_edges(pairs, {})
        edges.append(found)
        summary.actions = summary.candidates = summary.edges = found.num_rows
    summary.seconds = time.perf_counter() - started
    return summary


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
