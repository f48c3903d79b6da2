"""Reading what verdicts need (evidence, accounts, analyst labels, groups, the watch list) and
writing verdicts and watch-list rows. The only DuckDB I/O of verdicts, profiles and exports."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pyarrow as pa

from ..errors import BadParameter
from ..signals.targets import WATCH_KEY_SQL
from ..text.names import known_names
from .case import Case, fetch_arrow, transaction
from .entities import read_entities
from .results import write_results

__all__ = ["read_verdict_inputs", "read_analyst_labels", "write_verdicts", "read_verdicts", "add_watch",
           "read_watchlist", "read_account_rows", "read_snapshots", "read_group_rows", "read_profile_inputs",
           "read_verdict_weights", "read_verdicts_run_at"]


def read_verdict_inputs(case: Case) -> tuple[pa.Table, list[tuple[str, str]]]:
    """Every finding (but verdicts' own) and every account of the case."""
    evidence = fetch_arrow(case.con, (
        "SELECT detector, platform, account_ids, strength, item_ids, sentence FROM evidence "
        "WHERE detector <> 'verdicts' ORDER BY run_id, detector, platform, account_ids, sentence"))
    accounts = case.con.execute("SELECT DISTINCT platform, account_id FROM accounts ORDER BY ALL").fetchall()
    return evidence, [(p, a) for p, a in accounts]


def read_analyst_labels(case: Case) -> dict[tuple[str, str], tuple[str, str]]:
    """The analyst's latest label per account, with its note: (platform, account_id) -> (label, note)."""
    rows = case.con.execute(
        "SELECT platform, account_id, arg_max(label, k), arg_max(note, k) FROM ("
        "  SELECT *, (coalesce(labeled_at, '-infinity'::TIMESTAMP), source_id, source_record) AS k FROM labels) "
        "GROUP BY ALL ORDER BY ALL").fetchall()
    return {(p, a): (label, note or "") for p, a, label, note in rows}


def read_group_rows(case: Case) -> pa.Table:
    """The operator groups now in the case, one row per member: group_id, platform, account_id."""
    return fetch_arrow(case.con, "SELECT group_id, platform, account_id FROM group_members ORDER BY ALL")


def write_verdicts(case: Case, verdicts: list[dict], evidence: pa.Table, *, params: dict, input_hash: str,
                   seconds: float) -> int:
    """Replace the previous verdicts (table `verdicts`, and evidence of detector `verdicts`) with
    these, in one transaction (`results.write_results`); the new run_id. `verdicts`: rows platform,
    account_id, score, label, reasons, group_id."""
    table = pa.Table.from_pylist([{k: v.get(k) for k in ("platform", "account_id", "score", "label", "reasons",
                                                         "group_id")} for v in verdicts], schema=_VERDICTS)
    return write_results(case, detector="verdicts", params=params, input_hash=input_hash, seconds=seconds,
                         edges=None, evidence=evidence, extra={"verdicts": table})


_VERDICTS = pa.schema([("platform", pa.string()), ("account_id", pa.string()), ("score", pa.float64()),
                       ("label", pa.string()), ("reasons", pa.list_(pa.string())), ("group_id", pa.int32())])


def read_verdicts(case: Case) -> list[dict]:
    """The verdicts now in the case, best score first: platform, account_id, score, label, reasons,
    group_id, and the detectors behind the reasons (from the verdict's own evidence row)."""
    if not case.con.execute("SELECT count(*) FROM verdicts").fetchall()[0][0]:
        return []
    rows = fetch_arrow(case.con, (
        "WITH ev AS (SELECT platform, account_ids[1] AS account_id, details FROM evidence WHERE detector = 'verdicts') "
        "SELECT v.platform, v.account_id, v.score, v.label, v.reasons, v.group_id, ev.details "
        "FROM verdicts v LEFT JOIN ev USING (platform, account_id) "
        "ORDER BY v.score DESC, v.platform, v.account_id")).to_pylist()
    for r in rows:
        details = json.loads(r.pop("details") or "{}")
        r["detectors"] = details.get("detectors", [])
    return rows


def read_account_rows(case: Case) -> list[dict]:
    """Per account with a verdict: platform, account_id, handle, name, url, label, score, group_id,
    reasons; fake first, then doubtful, then unlikely, best score first."""
    return fetch_arrow(case.con, (
        "SELECT v.platform, v.account_id, a.handle, a.name, a.url, v.label, v.score, v.group_id, v.reasons "
        "FROM verdicts v LEFT JOIN (SELECT platform, account_id, any_value(handle) AS handle, any_value(name) AS name, "
        "  any_value(url) AS url FROM accounts GROUP BY ALL) a USING (platform, account_id) "
        "ORDER BY CASE v.label WHEN 'fake' THEN 0 WHEN 'doubtful' THEN 1 ELSE 2 END, v.score DESC, v.platform, "
        "v.account_id")).to_pylist()


def read_snapshots(case: Case) -> list[dict]:
    """Every status check of an account with a verdict: platform, account_id, seen_at, status,
    with the verdict's label and group_id."""
    return fetch_arrow(case.con, (
        "SELECT s.platform, s.account_id, s.seen_at, s.status, v.label, v.group_id FROM snapshots s "
        "JOIN verdicts v USING (platform, account_id) ORDER BY s.platform, s.account_id, s.seen_at, s.status")).to_pylist()


def add_watch(case: Case, target: str, *, platform: str | None = None, note: str | None = None) -> dict:
    """Add a page or account to the watch list (once: adding it again only updates the note)."""
    target = (target or "").strip()
    if not target or len(target) > 2000 or any(ord(c) < 32 for c in target):
        raise BadParameter(f"The watch-list target {target[:80]!r} is not a page id or URL.",
                           "Give the page's id, handle or profile URL, e.g. https://www.facebook.com/nurotan.")
    con = case.con
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    with transaction(con):
        same = con.execute("SELECT count(*) FROM watchlist WHERE target = ? AND platform IS NOT DISTINCT FROM ?",
                           [target, platform]).fetchall()[0][0]
        if same:
            con.execute("UPDATE watchlist SET note = coalesce(?, note) WHERE target = ? "
                        "AND platform IS NOT DISTINCT FROM ?", [note, target, platform])
        else:
            con.execute("INSERT INTO watchlist VALUES (?, ?, ?, ?)", [platform, target, note, now])
    return {"platform": platform, "target": target, "note": note, "added": not same}


# A watch-list row names an account by id, handle or profile URL, compared as signals.targets.watch_key
# compares them (WATCH_KEY_SQL is its SQL twin); without a platform it names it on every platform.
_WATCH_MATCH = ("(w.platform IS NULL OR a.platform = w.platform) AND {t} <> '' AND {t} IN ({i}, {h}, {u})").format(
    t=WATCH_KEY_SQL.format("w.target"), i=WATCH_KEY_SQL.format("a.account_id"), h=WATCH_KEY_SQL.format("a.handle"),
    u=WATCH_KEY_SQL.format("a.url"))


def read_watchlist(case: Case) -> list[dict]:
    """The watch list, with the accounts of the case each target names (by id, handle or URL)."""
    return fetch_arrow(case.con, (
        "SELECT w.platform, w.target, w.note, w.added_at, list(DISTINCT a.account_id ORDER BY a.account_id) "
        "FILTER (WHERE a.account_id IS NOT NULL) AS accounts, any_value(a.name) AS name "
        f"FROM watchlist w LEFT JOIN accounts a ON {_WATCH_MATCH} GROUP BY ALL ORDER BY w.added_at, w.target")).to_pylist()


def read_profile_inputs(case: Case, group_id: int | None = None) -> dict:
    """What group profiles and page KPIs read: members (with their verdict's label), the members'
    accounts, items (with the text of comments and replies, for their tone) and access-log rows,
    names, the watch list, every account's verdict label and the names the analyst knows.

    With `group_id`, only that group's: page KPIs need every comment of the watched pages, so
    `page_items` and `flagged` are then empty (use it for the group's profile, not for the KPIs)."""
    con = case.con
    one = "" if group_id is None else "WHERE m.group_id = $g "
    members = fetch_arrow(con, (
        "SELECT m.group_id, m.platform, m.account_id, v.label FROM group_members m "
        f"LEFT JOIN verdicts v USING (platform, account_id) {one}ORDER BY m.group_id, m.platform, m.account_id"),
        {} if group_id is None else {"g": group_id})
    con.register("_m", members)
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE _members AS SELECT DISTINCT platform, account_id FROM _m")
    finally:
        con.unregister("_m")
    try:
        accounts = fetch_arrow(con, "SELECT platform, account_id, created_at FROM accounts SEMI JOIN _members "
                                    "USING (platform, account_id)")
        items = fetch_arrow(con, "SELECT platform, account_id, item_id, kind, created_at, target_id, parent_account_id, "
                                 "CASE WHEN kind IN ('comment', 'reply') THEN text END AS text "
                                 "FROM items SEMI JOIN _members USING (platform, account_id) "
                                 "ORDER BY platform, account_id, created_at, item_id")
        access = fetch_arrow(con, "SELECT platform, account_id, ip_hash, device_hash FROM access_log "
                                  "SEMI JOIN _members USING (platform, account_id)")
    finally:
        con.execute("DROP TABLE IF EXISTS _members")
    page_items = fetch_arrow(con, (
        f"WITH w AS (SELECT DISTINCT a.platform, a.account_id FROM accounts a JOIN watchlist w ON {_WATCH_MATCH}) "
        "SELECT i.platform, i.account_id, i.kind, i.target_id FROM items i JOIN w "
        "ON i.platform = w.platform AND i.target_id = w.account_id WHERE i.kind IN ('comment', 'reply')"
        + ("" if group_id is None else " AND false")))
    watched = {(p, a) for p, a in con.execute(
        f"SELECT DISTINCT a.platform, a.account_id FROM accounts a JOIN watchlist w ON {_WATCH_MATCH}").fetchall()}
    flagged = set() if group_id is not None else {(p, a) for p, a in con.execute(
        "SELECT platform, account_id FROM verdicts WHERE label IN ('fake', 'doubtful')").fetchall()}
    wanted = set(zip(members["platform"].to_pylist(), members["account_id"].to_pylist())) | watched
    wanted |= set(zip(items["platform"].to_pylist(), items["target_id"].to_pylist()))
    wanted |= set(zip(items["platform"].to_pylist(), items["parent_account_id"].to_pylist()))
    names = {}
    for platform in sorted({p for p, _a in wanted}):
        ids = sorted({a for p, a in wanted if p == platform and a is not None})
        rows = con.execute("SELECT account_id, handle, name FROM accounts WHERE platform = ? AND account_id IN "
                           "(SELECT unnest(?::VARCHAR[]))", [platform, ids]).fetchall()
        names.update({(platform, a): name or (f"@{h}" if h else a) for a, h, name in rows})
    return {"members": members, "accounts": accounts, "items": items, "access": access, "names": names,
            "watched": watched, "flagged": flagged, "page_items": page_items,
            "timezone": case.meta("timezone") or "UTC",
            # the names the analyst knows (entities sheet, watched pages), found in the comments' text
            "known_names": known_names(read_entities(case), read_watchlist(case))}


def read_verdicts_run_at(case: Case) -> datetime | None:
    """When the verdicts now in the case were computed (UTC), or None: the earliest the list of
    flagged accounts can have gone to a platform."""
    rows = case.con.execute("SELECT max(started_at) FROM runs WHERE detector = 'verdicts'").fetchall()
    return rows[0][0] if rows else None


def read_verdict_weights(case: Case) -> dict:
    """How the verdicts now in the case were weighed: the parameters of the latest verdicts run
    (weights "default" or "learned", with labels, folds and cross-validated accuracy when learned)."""
    rows = case.con.execute("SELECT params FROM runs WHERE detector = 'verdicts' ORDER BY run_id DESC LIMIT 1").fetchall()
    return json.loads(rows[0][0]) if rows else {}
