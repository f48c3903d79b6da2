"""Reading the texts the text detectors compare, and writing their results with their families."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

import pyarrow as pa

from .. import __version__
from .case import Case, fetch_arrow, transaction

__all__ = ["TEXT_KINDS", "TextRun", "read_texts", "write_text_results", "read_text_families"]

# Items whose words are their author's own: shares and reactions repeat someone else's.
TEXT_KINDS = ("post", "comment", "reply", "quote")

@dataclass(frozen=True)
class TextRun:
    """One detector's results: stored as one run with its evidence, edges and family rows."""

    detector: str
    params: dict
    evidence: pa.Table
    edges: pa.Table | None = None  # platform, layer, account_a, account_b, weight, n_targets, n_items, first_at, last_at
    families: pa.Table | None = None  # family_id, platform, item_id, account_id, created_at, similarity


def read_texts(case: Case, *, platform: str | None = None, kinds: tuple[str, ...] = TEXT_KINDS) -> pa.Table:
    """Items with text (platform, item_id, account_id, created_at, text), per platform in time order
    (items without a time last, then by item_id)."""
    return fetch_arrow(case.con, (
        "SELECT platform, item_id, account_id, created_at, text FROM items "
        "WHERE text IS NOT NULL AND text <> '' AND list_contains($kinds, kind) "
        "AND ($platform IS NULL OR platform = $platform) "
        "ORDER BY platform, created_at NULLS LAST, item_id"), {"kinds": list(kinds), "platform": platform})


def read_text_families(case: Case, *, platform: str | None = None) -> pa.Table:
    """The stored families (one row per item, with its text), by family and time."""
    return fetch_arrow(case.con, (
        "SELECT f.run_id, r.detector, f.family_id, f.platform, f.item_id, f.account_id, f.created_at, f.similarity, "
        "i.text FROM text_families f JOIN runs r USING (run_id) "
        "LEFT JOIN items i ON i.platform = f.platform AND i.item_id = f.item_id "
        "WHERE $platform IS NULL OR f.platform = $platform ORDER BY f.family_id, f.created_at NULLS LAST, f.item_id"),
        {"platform": platform})


def write_text_results(case: Case, runs: list[TextRun], *, input_hash: str, seconds: float) -> list[int]:
    """Replace the previous results of these detectors (runs' evidence, edges and text families)
    with these, all in one transaction; the new run ids, in order."""
    con = case.con
    with transaction(con):
        ids = []
        for run in runs:
            old = [r[0] for r in con.execute("SELECT run_id FROM runs WHERE detector = ?", [run.detector]).fetchall()]
            for table in ("evidence", "edges", "groups", "group_members", "text_families"):
                con.execute(f"DELETE FROM {table} WHERE run_id IN (SELECT unnest(?::INTEGER[]))", [old])
            run_id = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchall()[0][0]
            rows = sum(t.num_rows for t in (run.evidence, run.edges, run.families) if t is not None)
            con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [run_id, run.detector, __version__, json.dumps(run.params, sort_keys=True), input_hash,
                         datetime.now(timezone.utc).replace(tzinfo=None), seconds, rows])
            _insert(con, "_evidence", run.evidence,
                    "INSERT INTO evidence SELECT ?, detector, platform, account_ids, strength, item_ids, sentence, "
                    "details FROM _evidence", run_id)
            _insert(con, "_edges", run.edges,
                    "INSERT INTO edges SELECT ?, platform, layer, account_a, account_b, weight, n_targets, n_items, "
                    "first_at, last_at FROM _edges", run_id)
            _insert(con, "_families", run.families,
                    "INSERT INTO text_families SELECT ?, family_id, platform, item_id, account_id, created_at, "
                    "similarity FROM _families", run_id)
            ids.append(run_id)
    return ids


def _insert(con, name: str, table: pa.Table | None, sql: str, run_id: int) -> None:
    if table is None or not table.num_rows:
        return
    con.register(name, table)
    try:
        con.execute(sql, [run_id])
    finally:
        con.unregister(name)
