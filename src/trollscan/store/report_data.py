"""What the report and the web app read from a case, and the one thing the app writes (a label).

Every read is paged or capped, so a case of millions of accounts gives pages of a fixed size.
Each account's state combines, in this order: the analyst's latest label (it always wins), the
latest verdict (`verdicts`), and membership of an operator group. An account is *flagged* when
the analyst says fake or doubtful, or, unless the analyst says real, when its verdict is fake or
doubtful or it belongs to a group.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa

from .. import __version__
from ..errors import BadParameter
from .case import Case, fetch_arrow, transaction
from .schema import LABELS

__all__ = ["PAGE_SIZE", "read_overview", "read_groups", "read_group", "read_accounts", "read_account",
           "read_account_findings", "read_graph_edges", "read_activity", "read_page_kpis", "read_media_files",
           "read_account_media", "read_group_links", "read_export_nodes", "read_export_edges", "write_label", "MAX_MEDIA_BYTES"]

PAGE_SIZE = 50
MAX_MEDIA_BYTES = 20 << 20  # a photo larger than this is not read

# One row per account the findings, verdicts, groups or labels mention (not per account of the case).
_STATE = """
CREATE OR REPLACE TEMP VIEW _ts_state AS
WITH lv AS (
  SELECT platform, account_id,
         arg_max(label, (coalesce(labeled_at, '-infinity'::TIMESTAMP), source_id, source_record)) AS analyst,
         arg_max(note, (coalesce(labeled_at, '-infinity'::TIMESTAMP), source_id, source_record)) AS analyst_note
  FROM labels GROUP BY ALL),
v AS (SELECT platform, account_id, label AS verdict, score, reasons FROM verdicts
      WHERE run_id = (SELECT max(run_id) FROM verdicts)),
gm AS (SELECT platform, account_id, min(group_id) AS group_id FROM group_members GROUP BY ALL),
ev AS (SELECT platform, account_id, count(*) AS n_findings, max(strength) AS top_strength
       FROM (SELECT platform, unnest(account_ids) AS account_id, strength FROM evidence WHERE detector <> 'groups')
       GROUP BY ALL),
ids AS (SELECT platform, account_id FROM lv UNION SELECT platform, account_id FROM v
        UNION SELECT platform, account_id FROM gm UNION SELECT platform, account_id FROM ev)
SELECT ids.platform, ids.account_id, lv.analyst, lv.analyst_note, v.verdict, v.score, coalesce(v.reasons, []) AS reasons,
       gm.group_id, coalesce(ev.n_findings, 0) AS n_findings, ev.top_strength,
       (lv.analyst IN ('fake', 'doubtful') OR (coalesce(lv.analyst, '') <> 'real'
        AND (v.verdict IN ('fake', 'doubtful') OR gm.group_id IS NOT NULL))) AS flagged
FROM ids LEFT JOIN lv USING (platform, account_id) LEFT JOIN v USING (platform, account_id)
LEFT JOIN gm USING (platform, account_id) LEFT JOIN ev USING (platform, account_id)
"""


def _state(case: Case) -> None:
    case.con.execute(_STATE)


def _rows(case: Case, sql: str, params: dict | None = None) -> list[dict]:
    """Rows of a query as dicts; only the parameters the query names are bound."""
    used = {k: v for k, v in (params or {}).items() if re.search(rf"\${k}\b", sql)}
    return fetch_arrow(case.con, sql, used).to_pylist()


def _one(case: Case, sql: str, params: list | None = None):
    return case.con.execute(sql, params or []).fetchall()[0][0]


def read_overview(case: Case) -> dict:
    """Counts, time span, runs and label totals: what the summary says in plain words."""
    _state(case)
    counts = {t: _one(case, f"SELECT count(*) FROM {t}") for t in (
        "accounts", "items", "evidence", "groups", "group_members", "verdicts", "labels", "text_families")}
    span = case.con.execute("SELECT min(created_at), max(created_at) FROM items").fetchall()[0]
    state = _rows(case, "SELECT count(*) FILTER (flagged) AS flagged, "
                        "count(*) FILTER (verdict = 'fake') AS fake, count(*) FILTER (verdict = 'doubtful') AS doubtful, "
                        "count(*) FILTER (analyst = 'fake') AS analyst_fake, "
                        "count(*) FILTER (analyst = 'doubtful') AS analyst_doubtful, "
                        "count(*) FILTER (analyst = 'real') AS analyst_real FROM _ts_state")[0]
    return {
        "name": case.meta("name") or case.root.name, "timezone": case.meta("timezone") or "UTC",
        "counts": counts, "first_at": span[0], "last_at": span[1], **state,
        "platforms": [r[0] for r in case.con.execute("SELECT DISTINCT platform FROM accounts ORDER BY 1").fetchall()],
        "detectors": _rows(case, "SELECT detector, version, started_at, seconds, rows FROM runs ORDER BY run_id"),
        "findings": _rows(case, "SELECT detector, count(*) AS n FROM evidence GROUP BY 1 ORDER BY 2 DESC, 1"),
    }


def read_groups(case: Case, *, offset: int = 0, limit: int = PAGE_SIZE) -> list[dict]:
    """Operator groups, largest first, each with its sentence (the `groups` evidence about it)."""
    return _rows(case, (
        "WITH g AS (SELECT * FROM groups), "
        "m AS (SELECT group_id, list(account_id ORDER BY account_id) AS ids FROM group_members GROUP BY 1), "
        "s AS (SELECT list_sort(account_ids) AS ids, sentence, strength FROM evidence WHERE detector = 'groups') "
        "SELECT g.group_id, g.platform, g.size, g.cohesion, g.layers, g.first_at, g.last_at, g.top_targets, "
        "s.sentence, s.strength FROM g JOIN m USING (group_id) LEFT JOIN s ON s.ids = m.ids "
        "ORDER BY g.size DESC, g.group_id LIMIT $limit OFFSET $offset"), {"limit": limit, "offset": offset})


def read_group(case: Case, group_id: int, *, tz: str = "UTC", members_offset: int = 0,
               members_limit: int = PAGE_SIZE) -> dict | None:
    """One group's profile: who, when created, working hours (in `tz`), days, targets, findings."""
    found = [g for g in _rows(case, (
        "WITH m AS (SELECT list(account_id ORDER BY account_id) AS ids FROM group_members WHERE group_id = $g), "
        "s AS (SELECT list_sort(account_ids) AS ids, sentence FROM evidence WHERE detector = 'groups') "
        "SELECT g.*, (SELECT s.sentence FROM s, m WHERE s.ids = m.ids LIMIT 1) AS sentence "
        "FROM groups g WHERE group_id = $g"), {"g": group_id})]
    if not found:
        return None
    group = found[0]
    p = {"g": group_id, "tz": tz}
    mine = "SELECT platform, account_id FROM group_members WHERE group_id = $g"
    group["members"] = read_accounts(case, group_id=group_id, offset=members_offset, limit=members_limit)
    when = _rows(case, (f"SELECT hour(t) AS h, isodow(t) - 1 AS d, count(*) AS n FROM (SELECT timezone($tz, "
                        f"i.created_at AT TIME ZONE 'UTC') AS t FROM items i SEMI JOIN ({mine}) m USING (platform, "
                        "account_id) WHERE i.created_at IS NOT NULL) GROUP BY 1, 2"), p)
    group["hours"] = [sum(r["n"] for r in when if r["h"] == h) for h in range(24)]
    group["weekdays"] = [sum(r["n"] for r in when if r["d"] == d) for d in range(7)]
    days = _rows(case, (f"SELECT strftime(a.created_at, '%Y-%m-%d') AS k, count(*) AS n FROM accounts a SEMI JOIN "
                        f"({mine}) m USING (platform, account_id) WHERE a.created_at IS NOT NULL GROUP BY 1 ORDER BY 1"), p)
    months: dict[str, int] = {}
    for r in days:
        months[r["k"][:7]] = months.get(r["k"][:7], 0) + r["n"]
    group["created"] = [{"k": k, "n": n} for k, n in months.items()]
    group["created_days"] = sorted(days, key=lambda r: (-r["n"], r["k"]))[:5]
    group["targets"] = _rows(case, (
        f"SELECT coalesce(i.target_id, i.parent_id) AS target, count(*) AS n, count(DISTINCT i.account_id) AS accounts "
        f"FROM items i SEMI JOIN ({mine}) m USING (platform, account_id) "
        "WHERE coalesce(i.target_id, i.parent_id) IS NOT NULL GROUP BY 1 ORDER BY n DESC, target LIMIT 10"), p)
    group["kinds"] = _rows(case, f"SELECT kind AS k, count(*) AS n FROM items SEMI JOIN ({mine}) m "
                                 "USING (platform, account_id) GROUP BY 1 ORDER BY 2 DESC", p)
    return group


def read_accounts(case: Case, *, query: str | None = None, group_id: int | None = None, flagged: bool | None = None,
                  offset: int = 0, limit: int = PAGE_SIZE) -> list[dict]:
    """A page of accounts with their state; `query` matches id, handle or name (case-insensitive)."""
    _state(case)
    return _rows(case, (
        "SELECT a.platform, a.account_id, a.handle, a.name, a.created_at, a.status, a.bio, a.followers_count, "
        "a.following_count, s.analyst, s.analyst_note, "
        "s.verdict, s.score, s.reasons, s.group_id, coalesce(s.n_findings, 0) AS n_findings, s.top_strength, "
        "coalesce(s.flagged, false) AS flagged FROM accounts a LEFT JOIN _ts_state s USING (platform, account_id) "
        "WHERE ($q IS NULL OR a.account_id ILIKE $like ESCAPE '\\' OR a.handle ILIKE $like ESCAPE '\\' "
        "     OR a.name ILIKE $like ESCAPE '\\') "
        "AND ($g IS NULL OR a.account_id IN (SELECT account_id FROM group_members WHERE group_id = $g "
        "     AND platform = a.platform)) "
        "AND ($flagged IS NULL OR coalesce(s.flagged, false) = $flagged) "
        "ORDER BY coalesce(s.flagged, false) DESC, coalesce(s.score, s.top_strength, 0) DESC, a.platform, a.account_id "
        "LIMIT $limit OFFSET $offset"),
        {"q": query, "like": "%" + re.sub(r"([\\%_])", r"\\\1", query) + "%" if query else None, "g": group_id,
         "flagged": flagged, "limit": limit, "offset": offset})


def read_account(case: Case, platform: str, account_id: str) -> dict | None:
    """One account's profile, state, label history and avatar media id."""
    _state(case)
    found = _rows(case, (
        "SELECT a.*, s.analyst, s.analyst_note, s.verdict, s.score, s.reasons, s.group_id, s.n_findings, "
        "coalesce(s.flagged, false) AS flagged, "
        "(SELECT count(*) FROM items i WHERE i.platform = a.platform AND i.account_id = a.account_id) AS n_items, "
        "(SELECT min(created_at) FROM items i WHERE i.platform = a.platform AND i.account_id = a.account_id) AS first_at, "
        "(SELECT max(created_at) FROM items i WHERE i.platform = a.platform AND i.account_id = a.account_id) AS last_at "
        "FROM accounts a LEFT JOIN _ts_state s USING (platform, account_id) "
        "WHERE a.platform = $p AND a.account_id = $a"), {"p": platform, "a": account_id})
    if not found:
        return None
    account = found[0]
    account["labels"] = _rows(case, "SELECT label, note, author, labeled_at FROM labels WHERE platform = $p AND "
                                    "account_id = $a ORDER BY labeled_at DESC NULLS LAST, source_id DESC",
                              {"p": platform, "a": account_id})
    account["media"] = read_account_media(case, platform, [account_id]).get(account_id, [])
    return account


def read_account_media(case: Case, platform: str, account_ids: list[str]) -> dict[str, list[dict]]:
    """Per account, its photos (avatar first): media_id, kind, sha256."""
    rows = _rows(case, "SELECT account_id, media_id, kind, sha256 FROM media WHERE platform = $p AND "
                       "account_id IN (SELECT unnest($ids)) AND path IS NOT NULL "
                       "ORDER BY account_id, kind <> 'avatar', uploaded_at NULLS LAST, media_id",
                 {"p": platform, "ids": account_ids})
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(r.pop("account_id"), []).append(r)
    return out


def read_account_findings(case: Case, platform: str, account_ids: list[str], *, per_detector: int = 4,
                          max_items: int = 12) -> dict[str, list[dict]]:
    """Per account, the findings naming it, strongest first (group findings last, at most
    `per_detector` of each detector), each with up to `max_items` of its items in time order; photo
    findings with the media they name, text findings with their family's texts. Read in batch."""
    found = _rows(case, (
        "WITH e AS (SELECT row_number() OVER () AS fid, * FROM evidence WHERE platform = $p "
        "           AND list_has_any(account_ids, $ids)), "
        "u AS (SELECT fid, unnest(account_ids) AS who FROM e) "
        "SELECT u.who, e.detector, e.platform, e.account_ids, e.strength, e.item_ids, e.sentence, e.details "
        "FROM u JOIN e USING (fid) WHERE list_contains($ids, u.who) "
        "QUALIFY row_number() OVER (PARTITION BY u.who, e.detector ORDER BY e.strength DESC, e.sentence) <= $k "
        "ORDER BY u.who, e.detector = 'groups', e.strength DESC, e.detector, e.sentence"),
        {"p": platform, "ids": account_ids, "k": per_detector})
    wanted = sorted({i for f in found if f["detector"] != "groups" for i in f["item_ids"][:200]})
    items = {r["item_id"]: r for r in _rows(case, (
        "SELECT i.item_id, i.kind, i.account_id, a.handle, i.created_at, i.text, coalesce(i.target_id, i.parent_id) "
        "AS target FROM items i LEFT JOIN accounts a ON a.platform = i.platform AND a.account_id = i.account_id "
        "WHERE i.platform = $p AND i.item_id IN (SELECT unnest($ids))"), {"p": platform, "ids": wanted})}
    member_of, family_rows = _family_texts(case, platform, sorted(
        {i for f in found if f["detector"].startswith("text") for i in f["item_ids"][:200]}), max_items)
    out: dict[str, list[dict]] = {a: [] for a in account_ids}
    for f in found:
        f["n_items"] = len(f["item_ids"])
        mine = [items[i] for i in f["item_ids"][:200] if i in items] if f["detector"] != "groups" else []
        f["items"] = sorted(mine, key=lambda r: (r["created_at"] is None, r["created_at"] or 0, r["item_id"]))[:max_items]
        f["photos"] = _photo_pairs(case, f) if f["detector"].startswith("photos") else []
        families = {member_of[i] for i in f["item_ids"][:200] if i in member_of} if f["detector"].startswith(
            "text") else set()
        f["family"] = [r for r in family_rows if r["family_id"] in families][:max_items]
        out[f.pop("who")].append(f)
    return out


def _strings(value) -> set[str]:
    if isinstance(value, (dict, list)):
        return set().union(set(), *(_strings(v) for v in (value.values() if isinstance(value, dict) else value)))
    return {value} if isinstance(value, str) else set()


def _photo_pairs(case: Case, finding: dict) -> list[dict]:
    """The media of the finding's accounts (and of the original's owner, for a same-photo finding
    about the copier) that the finding names (by media id, sha256 or path in its items or details),
    or else their avatars: shown side by side; for a gallery match, then the gallery photo (`gallery`:
    its sha256, read by `report_reads.read_gallery_files`)."""
    try:
        details = json.loads(finding["details"] or "null")
    except ValueError:
        details = None
    named = _strings(details) | set(finding["item_ids"])
    info = details if isinstance(details, dict) else {}
    owner = info.get("original_account")
    rows = _rows(case, "SELECT account_id, media_id, kind, sha256, path, item_id FROM media WHERE platform = $p AND "
                       "list_contains($ids, account_id) AND path IS NOT NULL ORDER BY kind <> 'avatar', media_id",
                 {"p": finding["platform"], "ids": finding["account_ids"] + ([owner] if isinstance(owner, str) else [])})
    chosen = [r for r in rows if {r["media_id"], r["sha256"], r["path"], r["item_id"]} & named] or [
        r for r in rows if r["kind"] == "avatar"]
    at = lambda r: (finding["details"] or "").find(r["media_id"]) % 10**9  # noqa: E731 - as the finding names them
    unique = {(r["account_id"], r["media_id"]): r["kind"] for r in sorted(chosen, key=at)}
    out = [{"account_id": a, "media_id": m, "kind": k, "gallery": None} for (a, m), k in unique.items()][:6]
    shas = info.get("sha256")
    if finding["detector"] == "photos.gallery" and isinstance(shas, list) and len(shas) == 2 and isinstance(shas[1], str):
        out.append({"account_id": None, "media_id": None, "kind": "gallery photo", "gallery": shas[1],
                    "label": str(info.get("label") or "")})
    return out


def _family_texts(case: Case, platform: str, item_ids: list[str], limit: int) -> tuple[dict, list[dict]]:
    """For the text findings of a batch (latest text_families run): the family of each of their
    items, and the first `limit` texts of each such family in family and time order."""
    if not item_ids:
        return {}, []
    member_of = {r["item_id"]: r["family_id"] for r in _rows(case, (
        "SELECT item_id, family_id FROM text_families WHERE run_id = (SELECT max(run_id) FROM text_families) "
        "AND platform = $p AND item_id IN (SELECT unnest($ids))"), {"p": platform, "ids": item_ids})}
    rows = _rows(case, (
        "WITH f AS (SELECT * FROM text_families WHERE run_id = (SELECT max(run_id) FROM text_families) "
        "AND platform = $p AND family_id IN (SELECT unnest($fams)) "
        "QUALIFY row_number() OVER (PARTITION BY family_id ORDER BY created_at, item_id) <= $n) "
        "SELECT f.family_id, f.item_id, f.account_id, a.handle, f.created_at, f.similarity, i.text FROM f "
        "LEFT JOIN items i ON i.platform = f.platform AND i.item_id = f.item_id "
        "LEFT JOIN accounts a ON a.platform = f.platform AND a.account_id = f.account_id "
        "ORDER BY f.family_id, f.created_at, f.item_id"),
        {"p": platform, "fams": sorted(set(member_of.values())), "n": limit})
    return member_of, rows


def read_graph_edges(case: Case, *, group_id: int | None = None, per_node: int = 8,
                     max_edges: int = 200_000) -> list[dict]:
    """Account pairs (all layers summed), keeping each account's `per_node` strongest links, with
    each account's group and activity; only pairs inside `group_id` when given."""
    return _rows(case, (
        "WITH gm AS (SELECT platform, account_id, min(group_id) AS group_id FROM group_members GROUP BY ALL), "
        "p AS (SELECT platform, account_a AS a, account_b AS b, sum(weight) AS w, list(DISTINCT layer ORDER BY layer) "
        "      AS layers FROM edges GROUP BY ALL), "
        "pg AS (SELECT p.*, ga.group_id AS ga, gb.group_id AS gb FROM p "
        "       LEFT JOIN gm ga ON ga.platform = p.platform AND ga.account_id = p.a "
        "       LEFT JOIN gm gb ON gb.platform = p.platform AND gb.account_id = p.b "
        "       WHERE $g IS NULL OR (ga.group_id = $g AND gb.group_id = $g)), "
        "ends AS (SELECT platform, a AS n, a, b, w FROM pg UNION ALL SELECT platform, b AS n, a, b, w FROM pg), "
        "top AS (SELECT DISTINCT platform, a, b FROM ends "
        "        QUALIFY row_number() OVER (PARTITION BY platform, n ORDER BY w DESC, a, b) <= $k) "
        "SELECT pg.* FROM pg SEMI JOIN top USING (platform, a, b) ORDER BY w DESC, platform, a, b LIMIT $max"),
        {"g": group_id, "k": per_node, "max": max_edges})


def read_group_links(case: Case) -> list[dict]:
    """Summed pair weights between members of different groups (ga < gb)."""
    return _rows(case, (
        "WITH gm AS (SELECT platform, account_id, min(group_id) AS g FROM group_members GROUP BY ALL), "
        "p AS (SELECT platform, account_a AS a, account_b AS b, sum(weight) AS w FROM edges GROUP BY ALL) "
        "SELECT least(x.g, y.g) AS ga, greatest(x.g, y.g) AS gb, sum(w) AS w FROM p "
        "JOIN gm x ON x.platform = p.platform AND x.account_id = p.a JOIN gm y ON y.platform = p.platform "
        "AND y.account_id = p.b WHERE x.g <> y.g GROUP BY 1, 2 ORDER BY 1, 2"))


def read_export_nodes(case: Case) -> pa.Table:
    """Accounts linked in the graph, grouped, judged, labelled or named by a finding, with their
    attributes and activity span (for GEXF, GraphML and FollowTheMoney)."""
    _state(case)
    return fetch_arrow(case.con, (
        "WITH n AS (SELECT platform, account_a AS account_id FROM edges UNION SELECT platform, account_b FROM edges "
        "           UNION SELECT platform, account_id FROM _ts_state), "
        "act AS (SELECT platform, account_id, count(*) AS n_items, min(created_at) AS first_at, max(created_at) AS last_at "
        "        FROM items SEMI JOIN n USING (platform, account_id) GROUP BY ALL) "
        "SELECT n.platform, n.account_id, a.handle, a.name, a.bio, a.url, a.created_at, a.status, s.group_id, s.verdict, "
        "s.score, s.reasons, s.analyst, s.analyst_note, coalesce(s.flagged, false) AS flagged, "
        "coalesce(s.n_findings, 0) AS n_findings, coalesce(act.n_items, 0) AS n_items, act.first_at, act.last_at "
        "FROM n LEFT JOIN accounts a USING (platform, account_id) LEFT JOIN _ts_state s USING (platform, account_id) "
        "LEFT JOIN act USING (platform, account_id) ORDER BY n.platform, n.account_id"))


def read_export_edges(case: Case) -> pa.Table:
    """The account graph, one row per pair and layer, with the strongest finding's sentence."""
    return fetch_arrow(case.con, (
        "WITH s AS (SELECT platform, account_ids[1] AS a, account_ids[2] AS b, split_part(detector, '.', 2) AS layer, "
        "           arg_max(sentence, strength) AS sentence FROM evidence WHERE len(account_ids) = 2 GROUP BY ALL) "
        "SELECT e.platform, e.account_a, e.account_b, e.layer, e.weight, e.n_items, e.n_targets, e.first_at, e.last_at, "
        "s.sentence FROM edges e LEFT JOIN s ON s.platform = e.platform AND s.a = e.account_a AND s.b = e.account_b "
        "AND s.layer = e.layer ORDER BY e.platform, e.account_a, e.account_b, e.layer"))


def read_activity(case: Case, platform: str, account_ids: list[str]) -> dict[str, int]:
    """Items written per account (for node sizes)."""
    if not account_ids:
        return {}
    return dict(case.con.execute(
        "SELECT account_id, count(*) FROM items WHERE platform = ? AND account_id IN (SELECT unnest(?)) GROUP BY 1",
        [platform, account_ids]).fetchall())


def read_page_kpis(case: Case, *, tz: str = "UTC", limit: int = 15) -> dict:
    """Where flagged accounts write: per page, the share of its items from flagged accounts; and
    activity by hour of day (in `tz`), by day, and account creation by month, flagged vs others."""
    _state(case)
    flag = "SELECT platform, account_id FROM _ts_state WHERE flagged"
    pages = _rows(case, (
        f"WITH i AS (SELECT platform, coalesce(target_id, parent_id) AS target, account_id FROM items "
        "            WHERE coalesce(target_id, parent_id) IS NOT NULL AND kind IN ('comment', 'reply', 'post', 'share')), "
        f"f AS ({flag}) "
        "SELECT i.platform, i.target, count(*) AS n, count(f.account_id) AS n_flagged, "
        "count(DISTINCT f.account_id) AS flagged_accounts, count(f.account_id) / count(*) AS share FROM i "
        "LEFT JOIN f USING (platform, account_id) GROUP BY ALL HAVING count(f.account_id) > 0 "
        "ORDER BY n_flagged DESC, share DESC, target LIMIT $limit"), {"limit": limit})
    hours = _rows(case, (
        f"SELECT hour(timezone($tz, created_at AT TIME ZONE 'UTC')) AS k, "
        f"count(*) FILTER (f.account_id IS NOT NULL) AS flagged, count(*) FILTER (f.account_id IS NULL) AS other "
        f"FROM items LEFT JOIN ({flag}) f USING (platform, account_id) WHERE created_at IS NOT NULL GROUP BY 1 ORDER BY 1"),
        {"tz": tz})
    days = _rows(case, (
        f"SELECT strftime(timezone($tz, created_at AT TIME ZONE 'UTC'), '%Y-%m-%d') AS k, "
        f"count(*) FILTER (f.account_id IS NOT NULL) AS flagged, count(*) FILTER (f.account_id IS NULL) AS other "
        f"FROM items LEFT JOIN ({flag}) f USING (platform, account_id) WHERE created_at IS NOT NULL GROUP BY 1 "
        "ORDER BY 1"), {"tz": tz})
    created = _rows(case, (
        f"SELECT strftime(date_trunc('month', created_at), '%Y-%m') AS k, "
        f"count(*) FILTER (f.account_id IS NOT NULL) AS flagged, count(*) FILTER (f.account_id IS NULL) AS other "
        f"FROM accounts LEFT JOIN ({flag}) f USING (platform, account_id) WHERE created_at IS NOT NULL "
        "GROUP BY 1 ORDER BY 1"))
    return {"pages": pages, "hours": hours, "days": days, "created": created}


def read_media_files(case: Case, platform: str, media_ids: list[str], *, extra_roots: tuple[Path, ...] = ()
                     ) -> dict[str, bytes]:
    """The bytes of media files named in the case, by media id; left out when a media has no file,
    the file is missing or too large, or its path leads outside the case folder and the folders of
    the ingested files (a path from the data is never trusted: `..` and links are resolved first)."""
    rows = _rows(case, (
        "SELECT m.media_id, arg_min(m.path, (m.kind, m.account_id)) AS path, arg_min(s.path, (m.kind, m.account_id)) "
        "AS source FROM media m LEFT JOIN sources s USING (source_id) WHERE m.platform = $p AND m.path IS NOT NULL "
        "AND m.media_id IN (SELECT unnest($ids)) GROUP BY 1"), {"p": platform, "ids": media_ids})
    roots = [case.root.resolve(), *(r.resolve() for r in extra_roots)]
    out = {}
    for r in rows:
        base = Path(r["source"]).parent if r["source"] else case.root
        try:
            target = (base / r["path"]).resolve()
            allowed = [*roots, base.resolve()] if r["source"] else roots
            if any(target.is_relative_to(root) for root in allowed) and target.is_file() and (
                    target.stat().st_size <= MAX_MEDIA_BYTES):
                out[r["media_id"]] = target.read_bytes()
        except (OSError, ValueError, RuntimeError):
            continue
    return out


def write_label(case: Case, platform: str, account_id: str, label: str, *, note: str = "", author: str = "analyst"
                ) -> datetime:
    """Save an analyst's label of an account, with its own `sources` row (format `app-label`) so
    that the label, like every row, can be traced. One transaction; the time it was saved."""
    if label not in LABELS:
        raise BadParameter(f"The label must be one of {', '.join(LABELS)}; got {label!r}.")
    if len(note) > 10_000 or len(author) > 200:
        raise BadParameter("The note is longer than 10,000 characters (or the author than 200).", "Shorten it.")
    exists = case.con.execute("SELECT count(*) FROM accounts WHERE platform = ? AND account_id = ?",
                              [platform, account_id]).fetchall()[0][0]
    if not exists:
        raise BadParameter(f"No account {account_id!r} on {platform!r} in this case.")
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    record = json.dumps({"platform": platform, "account_id": account_id, "label": label, "note": note,
                         "author": author, "labeled_at": now.isoformat()}, ensure_ascii=False).encode()
    con = case.con
    with transaction(con):
        source_id = con.execute("SELECT coalesce(max(source_id), 0) + 1 FROM sources").fetchall()[0][0]
        con.execute("INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [source_id, f"trollscan serve: label of {platform}/{account_id}",
                     hashlib.sha256(record).hexdigest(), len(record), "app-label", now, json.dumps({"labels": 1}),
                     __version__])
        con.execute("INSERT INTO labels (platform, account_id, label, note, author, labeled_at, source_id, "
                    "source_record) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
                    [platform, account_id, label, note or None, author, now, source_id])
    return now
