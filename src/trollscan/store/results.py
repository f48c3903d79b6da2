"""Reading detector inputs and writing their results: runs, edges, evidence."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from datetime import datetime, timezone

import pyarrow as pa
import pyarrow.csv as pv

from .. import __version__
from ..coordination.relations import MUTUAL_SQL
from ..errors import BadParameter
from .case import Case, fetch_arrow, temp_table, transaction

__all__ = ["read_query", "input_fingerprint", "write_results", "read_names", "read_top_targets",
           "read_group_items", "read_findings", "read_labels_as_truth", "read_evidence", "read_truth_file",
           "read_mutual_pairs"]


def read_findings(case: Case, *, context: tuple[str, ...] = ()) -> list[dict]:
    """Per account named by evidence: its strongest finding's strength and the detectors naming it.

    Evidence of the `context` detectors (supporting layers: friendship, shared groups) makes no
    account a finding on its own; it still counts as a reason for accounts other evidence names.
    """
    return fetch_arrow(case.con, (
        "SELECT platform, account_id, max(strength) FILTER (WHERE NOT list_contains($context, detector)) AS score, "
        "list(DISTINCT detector ORDER BY detector) AS detectors "
        "FROM (SELECT platform, unnest(account_ids) AS account_id, strength, detector FROM evidence) GROUP BY ALL "
        "HAVING bool_or(NOT list_contains($context, detector))"
    ), {"context": list(context)}).to_pylist()


def read_truth_file(path: Path) -> list[dict]:
    """A simulation's truth.csv (platform, account_id, is_fake, operator, farm, persona) as rows."""
    if not Path(path).is_file():
        raise BadParameter(f"{path}: no such file.", "Give the truth.csv written by trollscan simulate.")
    return pv.read_csv(path, convert_options=pv.ConvertOptions(
        column_types={"account_id": pa.string(), "operator": pa.string(), "farm": pa.string()})).to_pylist()


def read_labels_as_truth(case: Case) -> list[dict]:
    """The analyst's latest label per account as truth rows (doubtful ones left out)."""
    return fetch_arrow(case.con, (
        "SELECT platform, account_id, label = 'fake' AS is_fake FROM ("
        "  SELECT platform, account_id, arg_max(label, (coalesce(labeled_at, '-infinity'::TIMESTAMP), source_id, "
        "  source_record)) AS label FROM labels GROUP BY ALL) WHERE label <> 'doubtful'")).to_pylist()


def read_evidence(case: Case, accounts: list[str], *, platform: str | None = None, limit: int = 20) -> list[dict]:
    """The findings naming all of `accounts`, strongest first, each with its items (id, kind, author,
    time, text, where) in time order."""
    found = fetch_arrow(case.con, (
        "SELECT detector, platform, account_ids, strength, item_ids, sentence FROM evidence "
        "WHERE list_has_all(account_ids, $accounts) AND ($platform IS NULL OR platform = $platform) "
        "ORDER BY strength DESC, detector LIMIT $limit"), {"accounts": accounts, "platform": platform, "limit": limit}
    ).to_pylist()
    for finding in found:
        finding["items"] = fetch_arrow(case.con, (
            "SELECT i.item_id, i.kind, i.account_id, a.handle, i.created_at, i.text, coalesce(i.target_id, i.parent_id) "
            "AS target FROM items i LEFT JOIN accounts a ON a.platform = i.platform AND a.account_id = i.account_id "
            "WHERE i.platform = $platform AND list_contains($ids, i.item_id) ORDER BY i.created_at, i.item_id"),
            {"platform": finding["platform"], "ids": finding["item_ids"]}).to_pylist()
    return found


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
    with temp_table(case, "_ids", pa.table({"account_id": pa.array(sorted(set(account_ids)), pa.string())})):
        rows = case.con.execute(
            "SELECT i.account_id, a.handle, a.name FROM _ids i LEFT JOIN accounts a "
            "ON a.platform = ? AND a.account_id = i.account_id", [platform]).fetchall()
    return {aid: f"@{handle}" if handle else (name or aid) for aid, handle, name in rows}


def read_top_targets(case: Case, platform: str, members: list[str], limit: int = 5) -> list[str]:
    """Where a group's accounts act most: pages, posts or articles, most items first."""
    with temp_table(case, "_members", pa.table({"account_id": pa.array(members, pa.string())})):
        rows = case.con.execute(
            "SELECT coalesce(target_id, parent_id) AS t, count(*) AS n FROM items SEMI JOIN _members USING (account_id) "
            "WHERE platform = ? AND coalesce(target_id, parent_id) IS NOT NULL GROUP BY t ORDER BY n DESC, t LIMIT ?",
            [platform, limit]).fetchall()
    return [r[0] for r in rows]


def read_group_items(case: Case, members: pa.Table, limit: int = 100) -> dict[int, list[str]]:
    """Per group (members: group_id, platform, account_id), up to `limit` items of the strongest
    evidence that links two or more of its members: co-action pairs, copied words, shared photos
    (a group bound only by copied words still shows the texts)."""
    with temp_table(case, "_m", members):
        rows = case.con.execute(
            "WITH ev AS (SELECT row_number() OVER () AS e, platform, account_ids, item_ids, strength FROM evidence "
            "            WHERE detector <> 'groups' AND len(account_ids) > 1 AND len(item_ids) > 0), "
            "inside AS (SELECT e, m.group_id FROM (SELECT e, platform, unnest(account_ids) AS a FROM ev) u "
            "           JOIN _m m ON m.platform = u.platform AND m.account_id = u.a "
            "           GROUP BY ALL HAVING count(DISTINCT u.a) >= 2), "
            "linked AS (SELECT i.group_id, ev.item_ids FROM inside i JOIN ev USING (e) "
            "           QUALIFY row_number() OVER (PARTITION BY i.group_id ORDER BY ev.strength DESC, ev.account_ids, ev.item_ids) <= 20), "
            "items AS (SELECT DISTINCT group_id, unnest(item_ids) AS item FROM linked) "
            "SELECT group_id, list(item ORDER BY item)[1:?] FROM items GROUP BY group_id", [limit]).fetchall()
    return dict(rows)


# The accounts that edges of layers other than the supporting ones link: the view MUTUAL_SQL reads.
_LINKED_SQL = """
WITH linked AS (
    SELECT platform, account_a AS account_id FROM edges WHERE NOT list_contains($supporting, layer)
    UNION SELECT platform, account_b FROM edges WHERE NOT list_contains($supporting, layer)
)
"""


def read_mutual_pairs(case: Case, supporting: tuple[str, ...]) -> pa.Table:
    """Pairs of accounts that are friends or follow each other, among those that edges of layers
    other than the `supporting` ones link."""
    return fetch_arrow(case.con, _LINKED_SQL + MUTUAL_SQL, {"supporting": list(supporting)})


# Other result tables tied to a run, which `write_results` can fill too (`extra`).
_RUN_TABLES = ("verdicts",)


def write_results(case: Case, *, detector: str, params: dict, input_hash: str, seconds: float,
                  edges: pa.Table | None, evidence: pa.Table, groups: pa.Table | None = None,
                  members: pa.Table | None = None, extra: dict[str, pa.Table] | None = None) -> int:
    """Replace the previous results of `detector` with these, in one transaction; the new run_id.

    `extra` maps other result tables (`verdicts`) to their rows, without run_id (columns by name):
    the detector's previous rows there are replaced in the same transaction, and counted in the run's rows."""
    extra = extra or {}
    unknown = sorted(set(extra) - set(_RUN_TABLES))
    if unknown:
        raise BadParameter(f"write_results cannot write table {unknown[0]!r}.", f"Tables: {', '.join(_RUN_TABLES)}.")
    con = case.con
    with transaction(con):
        old = [r[0] for r in con.execute("SELECT run_id FROM runs WHERE detector = ?", [detector]).fetchall()]
        for table in ("evidence", "edges", "groups", "group_members", *sorted(extra)):
            con.execute(f"DELETE FROM {table} WHERE run_id IN (SELECT unnest(?::INTEGER[]))", [old])
        run_id = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchall()[0][0]
        rows = evidence.num_rows + (edges.num_rows if edges is not None else 0) + (
            groups.num_rows if groups is not None else 0) + sum(t.num_rows for t in extra.values())
        con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [run_id, detector, __version__, json.dumps(params, sort_keys=True), input_hash,
                     datetime.now(timezone.utc).replace(tzinfo=None), seconds, rows])
        if edges is not None and edges.num_rows:
            con.register("_edges", edges)
            con.execute("INSERT INTO edges SELECT ?, platform, layer, account_a, account_b, weight, n_targets, "
                        "n_items, first_at, last_at FROM _edges", [run_id])
            con.unregister("_edges")
        if groups is not None and groups.num_rows:
            con.register("_groups", groups)
            con.execute("INSERT INTO groups SELECT ?, group_id, platform, size, cohesion, layers, first_at, last_at, "
                        "top_targets FROM _groups", [run_id])
            con.unregister("_groups")
            con.register("_members", members)
            con.execute("INSERT INTO group_members SELECT ?, group_id, platform, account_id FROM _members", [run_id])
            con.unregister("_members")
        if evidence.num_rows:
            con.register("_evidence", evidence)
            con.execute("INSERT INTO evidence SELECT ?, detector, platform, account_ids, strength, item_ids, "
                        "sentence, details FROM _evidence", [run_id])
            con.unregister("_evidence")
        for table, rows_in in sorted(extra.items()):
            if rows_in.num_rows:
                con.register("_extra", rows_in)
                con.execute(f"INSERT INTO {table} BY NAME SELECT ? AS run_id, * FROM _extra", [run_id])
                con.unregister("_extra")
    return run_id
