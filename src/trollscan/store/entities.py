"""The people, companies and addresses a reporter records (`entities`) and their ties
(`entity_links`): writing a checked sheet in one transaction, and reading them back.

A reference to the other end of a tie is stored as text: `entity:KEY`, `account:PLATFORM:ID`
or `group:N`; a group reference keeps the group's members when it was recorded, because group
numbers change from one scan to the next.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

from .. import __version__
from .case import Case, fetch_arrow, transaction

__all__ = ["ref_text", "read_entity_schemata", "resolve_account", "read_group_member_ids", "write_entities",
           "read_entities", "read_entity_links", "read_account_ties", "ENTITY_SOURCE_FORMAT"]

ENTITY_SOURCE_FORMAT = "entities-sheet"


def ref_text(ref: dict) -> str:
    """The stored form of a reference (see the module doc)."""
    if ref["kind"] == "entity":
        return f"entity:{ref['key']}"
    if ref["kind"] == "account":
        return f"account:{ref['platform']}:{ref['account_id']}"
    return f"group:{ref['group_id']}"


def read_entity_schemata(case: Case) -> dict[str, str]:
    """The entities the case already holds: key -> FtM schema."""
    return dict(case.con.execute("SELECT entity_key, any_value(schema) FROM entities GROUP BY 1").fetchall())


def resolve_account(case: Case, platform: str, account_id: str) -> tuple[str, bool]:
    """The case's id of an account named by id or handle (a profile URL gives the handle), and
    whether the case holds it (an account not ingested yet is kept as named)."""
    rows = case.con.execute(
        "SELECT account_id FROM accounts WHERE platform = ? AND (account_id = ? OR lower(handle) = lower(?)) "
        "ORDER BY account_id <> ?, account_id LIMIT 1", [platform, account_id, account_id, account_id]).fetchall()
    return (rows[0][0], True) if rows else (account_id, False)


def read_group_member_ids(case: Case, group_id: int) -> list[str] | None:
    """The members of an operator group now (`platform:account_id`), or None when there is no such group."""
    rows = case.con.execute("SELECT platform, account_id FROM group_members WHERE group_id = ? ORDER BY 1, 2",
                            [group_id]).fetchall()
    return [f"{p}:{a}" for p, a in rows] or None


def write_entities(case: Case, sheets: list[tuple[Path, list[dict], list[dict]]]) -> list[dict]:
    """Store sheets of entities and links (links already checked, with `subject`/`object` in stored
    form and `members` for groups), all in one transaction, each file with a `sources` row of its
    own. A file loaded before (same bytes) adds nothing; an entity whose key is stored already is
    replaced, and the links a former version of the same file gave are replaced. Counts per file."""
    con = case.con
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    out = []
    with transaction(con):
        for path, entities, links in sheets:
            path = Path(path)
            with path.open("rb") as f:
                sha = hashlib.file_digest(f, "sha256").hexdigest()
            size = path.stat().st_size
            # these bytes are some file's latest version already (an earlier version of a file
            # that changed since is loaded again: going back to it is a change too)
            if con.execute("SELECT count(*) FROM sources s WHERE format = ? AND sha256 = ? AND source_id = "
                           "(SELECT max(source_id) FROM sources t WHERE t.path = s.path AND t.format = s.format)",
                           [ENTITY_SOURCE_FORMAT, sha]).fetchall()[0][0]:
                out.append({"entities": 0, "links": 0, "replaced": 0, "already": True})
                continue
            name = str(path.resolve())
            source_id = con.execute("SELECT coalesce(max(source_id), 0) + 1 FROM sources").fetchall()[0][0]
            con.execute("INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [source_id, name, sha, size, ENTITY_SOURCE_FORMAT, now,
                         json.dumps({"entities": len(entities), "entity_links": len(links)}), __version__])
            keys = [e["key"] for e in entities]
            replaced = con.execute("SELECT count(DISTINCT entity_key) FROM entities WHERE list_contains(?, entity_key)",
                                   [keys]).fetchall()[0][0]
            con.execute("DELETE FROM entities WHERE list_contains(?, entity_key)", [keys])
            con.execute("DELETE FROM entity_links WHERE source_id IN (SELECT source_id FROM sources WHERE path = ? "
                        "AND format = ? AND source_id <> ?)", [name, ENTITY_SOURCE_FORMAT, source_id])
            if entities:
                con.executemany("INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?, ?)", [
                    [e["key"], e["schema"], e["name"], json.dumps(e["properties"], ensure_ascii=False, sort_keys=True),
                     e["note"], source_id, e["record"]] for e in entities])
            if links:
                con.executemany("INSERT INTO entity_links VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                    [x["schema"], x["subject"], x["object"], x["role"], x["start_date"], x["end_date"], x["note"],
                     x["source_url"], x.get("members"), source_id, x["record"]] for x in links])
            out.append({"entities": len(entities), "links": len(links), "replaced": replaced, "already": False})
    return out


def read_entities(case: Case) -> list[dict]:
    """Every recorded entity: key, schema, name, properties (dict), note, with the file it came from."""
    rows = fetch_arrow(case.con, (
        "SELECT e.entity_key AS key, e.schema, e.name, e.properties, e.note, s.path AS source, e.source_record "
        "FROM entities e LEFT JOIN sources s USING (source_id) ORDER BY e.entity_key")).to_pylist()
    for r in rows:
        r["properties"] = json.loads(r["properties"])
    return rows


def read_entity_links(case: Case) -> list[dict]:
    """Every recorded tie, in the order of the sheets: schema, subject, object (stored references),
    role, start_date, end_date, note, source_url, members, with the file and row it came from."""
    return fetch_arrow(case.con, (
        "SELECT l.schema, l.subject, l.object, l.role, l.start_date, l.end_date, l.note, l.source_url, l.members, "
        "s.path AS source, l.source_record FROM entity_links l LEFT JOIN sources s USING (source_id) "
        "ORDER BY l.source_id, l.source_record")).to_pylist()


def read_account_ties(case: Case, platform: str, account_id: str) -> list[dict]:
    """The recorded ties that name an account (or the group it is in now, by its recorded members),
    with the entity at the other end: schema, role, other (key), name, other_schema, note, dates."""
    me = f"account:{platform}:{account_id}"
    return fetch_arrow(case.con, (
        "WITH l AS (SELECT *, CASE WHEN subject = $me OR (subject LIKE 'group:%' AND list_contains(members, $pm)) "
        "           THEN object ELSE subject END AS other, "
        "           (subject LIKE 'group:%' OR object LIKE 'group:%') AS via_group FROM entity_links "
        "           WHERE subject = $me OR object = $me OR list_contains(members, $pm)) "
        "SELECT l.schema, l.role, l.other, e.name, e.schema AS other_schema, l.note, l.start_date, l.end_date, "
        "l.source_url, l.via_group FROM l LEFT JOIN entities e ON l.other = 'entity:' || e.entity_key "
        "ORDER BY l.via_group, l.schema, e.name NULLS LAST, l.other"),
        {"me": me, "pm": f"{platform}:{account_id}"}).to_pylist()
