"""Reading detector inputs and writing their results: runs, edges, evidence."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

import pyarrow as pa

from .. import __version__
from .case import Case, fetch_arrow

__all__ = ["read_query", "input_fingerprint", "write_results", "read_names"]


def read_query(case: Case, sql: str, params: list | None = None) -> pa.Table:
    """The result of a read-only query of the case, as an Arrow table."""
    return fetch_arrow(case.con, sql, params)


def input_fingerprint(case: Case) -> str:
    """A hash of everything ingested: the same sources give the same fingerprint."""
    shas = [r[0] for r in case.con.execute("SELECT sha256 FROM sources ORDER BY sha256").fetchall()]
    return hashlib.sha256("\n".join(shas).encode()).hexdigest()[:16]


def read_names(case: Case, platform: str, account_ids: list[str]) -> dict[str, str]:
    """How to name accounts in a sentence: @handle, else the display name, else the id."""
    if not account_ids:
        return {}
    case.con.register("_ids", pa.table({"account_id": pa.array(sorted(set(account_ids)), pa.string())}))
    try:
        rows = case.con.execute(
            "SELECT i.account_id, a.handle, a.name FROM _ids i LEFT JOIN accounts a "
            "ON a.platform = ? AND a.account_id = i.account_id", [platform]).fetchall()
    finally:
        case.con.unregister("_ids")
    return {aid: f"@{handle}" if handle else (name or aid) for aid, handle, name in rows}


def write_results(case: Case, *, detector: str, params: dict, input_hash: str, seconds: float,
                  edges: pa.Table | None, evidence: pa.Table) -> int:
    """Replace the previous results of `detector` with these, in one transaction; the new run_id."""
    con = case.con
    con.execute("BEGIN")
    try:
        old = [r[0] for r in con.execute("SELECT run_id FROM runs WHERE detector = ?", [detector]).fetchall()]
        for table in ("evidence", "edges"):
            con.execute(f"DELETE FROM {table} WHERE run_id IN (SELECT unnest(?::INTEGER[]))", [old])
        run_id = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchall()[0][0]
        rows = evidence.num_rows + (edges.num_rows if edges is not None else 0)
        con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [run_id, detector, __version__, json.dumps(params, sort_keys=True), input_hash,
                     datetime.now(timezone.utc).replace(tzinfo=None), seconds, rows])
        if edges is not None and edges.num_rows:
            con.register("_edges", edges)
            con.execute("INSERT INTO edges SELECT ?, platform, layer, account_a, account_b, weight, n_targets, "
                        "n_items, first_at, last_at FROM _edges", [run_id])
            con.unregister("_edges")
        if evidence.num_rows:
            con.register("_evidence", evidence)
            con.execute("INSERT INTO evidence SELECT ?, detector, platform, account_ids, strength, item_ids, "
                        "sentence, details FROM _evidence", [run_id])
            con.unregister("_evidence")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return run_id
