"""What a case holds, for `trollscan status`."""

from __future__ import annotations

from .case import Case
from .schema import TABLES

__all__ = ["read_status"]


def read_status(case: Case) -> dict:
    con = case.con
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    tables: dict[str, dict[str, int]] = {}
    for name in TABLES:
        for platform, n in con.execute(f"SELECT platform, count(*) FROM {name} GROUP BY ALL").fetchall():
            tables.setdefault(platform, {})[name] = n
    span = {p: (lo, hi) for p, lo, hi in con.execute(
        "SELECT platform, min(created_at), max(created_at) FROM items "
        "WHERE created_at IS NOT NULL GROUP BY ALL").fetchall()}
    kinds = dict(con.execute("SELECT kind, count(*) FROM items GROUP BY ALL ORDER BY 2 DESC").fetchall())
    clients = [{"platform": p, "client": c, "items": n} for p, c, n in con.execute(
        "SELECT platform, client, count(*) FROM items WHERE client IS NOT NULL "
        "GROUP BY ALL ORDER BY 3 DESC, 1, 2 LIMIT 10").fetchall()]
    labels = dict(con.execute(
        "SELECT label, count(*) FROM (SELECT platform, account_id, arg_max(label, "
        "(coalesce(labeled_at, '-infinity'::TIMESTAMP), source_id, source_record)) AS label "
        "FROM labels GROUP BY ALL) GROUP BY ALL ORDER BY 2 DESC").fetchall())
    cols = ["source_id", "path", "format", "ingested_at", "rows_added", "sha256", "bytes"]
    sources = [dict(zip(cols, r)) for r in con.execute(
        f"SELECT {', '.join(cols)} FROM sources ORDER BY source_id").fetchall()]
    return {
        "root": str(case.root),
        "name": meta.get("name"),
        "timezone": meta.get("timezone"),
        "schema_version": int(meta.get("schema_version", 0)),
        "created_at": meta.get("created_at"),
        "tables": tables,
        "item_span": span,
        "item_kinds": kinds,
        "item_clients": clients,
        "labels": labels,
        "sources": sources,
    }
