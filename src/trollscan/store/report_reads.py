"""More of what the report and the web app read (`report_data` is at its size limit): the gallery
photo shown beside a match, and the inputs of one group's profile.
"""

from __future__ import annotations

import hashlib
import os
import stat

import pyarrow as pa

from ..signals.targets import WATCH_KEY_SQL
from .case import Case, fetch_arrow
from .report_data import MAX_MEDIA_BYTES

__all__ = ["read_gallery_files", "read_group_profile_inputs", "read_case_state"]

_SHA = frozenset("0123456789abcdef")

# A watch-list row names an account by id, handle or profile URL (as store.verdicts compares them).
_WATCH_MATCH = ("(w.platform IS NULL OR a.platform = w.platform) AND {t} <> '' AND {t} IN ({i}, {h}, {u})").format(
    t=WATCH_KEY_SQL.format("w.target"), i=WATCH_KEY_SQL.format("a.account_id"), h=WATCH_KEY_SQL.format("a.handle"),
    u=WATCH_KEY_SQL.format("a.url"))


def read_gallery_files(case: Case, shas: list[str]) -> dict[str, bytes]:
    """The bytes of the reporter's gallery photos, by sha256. Only a path the gallery table holds is
    read (never one from a request), only when it is a regular file (a link is not followed) of at
    most MAX_MEDIA_BYTES, and only when its bytes still hash to that sha256: a file changed or
    replaced since `gallery add` is left out."""
    wanted = sorted({s for s in shas if isinstance(s, str) and len(s) == 64 and set(s) <= _SHA})
    if not wanted:
        return {}
    rows = case.con.execute("SELECT sha256, path FROM gallery WHERE list_contains(?, sha256) ORDER BY added_at, path",
                            [wanted]).fetchall()
    out: dict[str, bytes] = {}
    for sha, path in rows:
        if sha in out:
            continue
        try:
            info = os.lstat(path)
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_MEDIA_BYTES:
                continue
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as f:
                data = f.read(MAX_MEDIA_BYTES + 1)
        except (OSError, ValueError):
            continue
        if len(data) <= MAX_MEDIA_BYTES and hashlib.sha256(data).hexdigest() == sha:
            out[sha] = data
    return out


def read_case_state(case: Case) -> tuple:
    """What a computed profile depends on: the runs, labels, watch list, sources and time zone. Equal
    states give equal profiles, so a profile can be kept until the state changes."""
    return tuple(case.con.execute(
        "SELECT (SELECT string_agg(run_id::VARCHAR, ',' ORDER BY run_id) FROM runs), (SELECT count(*) FROM labels), "
        "(SELECT max(source_id) FROM sources), (SELECT count(*) FROM watchlist), "
        "(SELECT max(added_at) FROM watchlist), (SELECT value FROM meta WHERE key = 'timezone')").fetchall()[0])


def read_group_profile_inputs(case: Case, group_id: int) -> dict:
    """What `report.profiles.profile_case` reads (as `store.verdicts.read_profile_inputs` gives it),
    for one group only: its members, their accounts, items and access-log rows, the names of the
    members and of where they write, and the watch list. Page KPIs need every comment of the watched
    pages, so `page_items` is empty here: use it for the group's profile, not for the KPIs."""
    con = case.con
    members = fetch_arrow(con, (
        "SELECT m.group_id, m.platform, m.account_id, v.label FROM group_members m "
        "LEFT JOIN verdicts v USING (platform, account_id) WHERE m.group_id = $g "
        "ORDER BY m.group_id, m.platform, m.account_id"), {"g": group_id})
    con.register("_m", members)
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE _group_members AS SELECT DISTINCT platform, account_id FROM _m")
    finally:
        con.unregister("_m")
    try:
        accounts = fetch_arrow(con, "SELECT platform, account_id, created_at FROM accounts SEMI JOIN _group_members "
                                    "USING (platform, account_id)")
        items = fetch_arrow(con, "SELECT platform, account_id, item_id, kind, created_at, target_id, parent_account_id, "
                                 "CASE WHEN kind IN ('comment', 'reply') THEN text END AS text "
                                 "FROM items SEMI JOIN _group_members USING (platform, account_id) "
                                 "ORDER BY platform, account_id, created_at, item_id")
        access = fetch_arrow(con, "SELECT platform, account_id, ip_hash, device_hash FROM access_log "
                                  "SEMI JOIN _group_members USING (platform, account_id)")
    finally:
        con.execute("DROP TABLE IF EXISTS _group_members")
    watched = {(p, a) for p, a in con.execute(
        f"SELECT DISTINCT a.platform, a.account_id FROM accounts a JOIN watchlist w ON {_WATCH_MATCH}").fetchall()}
    wanted = set(zip(members["platform"].to_pylist(), members["account_id"].to_pylist())) | watched
    wanted |= set(zip(items["platform"].to_pylist(), items["target_id"].to_pylist()))
    wanted |= set(zip(items["platform"].to_pylist(), items["parent_account_id"].to_pylist()))
    names = {}
    for platform in sorted({p for p, _a in wanted}):
        ids = sorted({a for p, a in wanted if p == platform and a is not None})
        rows = con.execute("SELECT account_id, handle, name FROM accounts WHERE platform = ? AND account_id IN "
                           "(SELECT unnest(?::VARCHAR[]))", [platform, ids]).fetchall()
        names.update({(platform, a): name or (f"@{h}" if h else a) for a, h, name in rows})
    page_items = pa.table({"platform": pa.array([], pa.string()), "account_id": pa.array([], pa.string()),
                           "kind": pa.array([], pa.string()), "target_id": pa.array([], pa.string())})
    return {"members": members, "accounts": accounts, "items": items, "access": access, "names": names,
            "watched": watched, "flagged": set(), "page_items": page_items,
            "timezone": case.meta("timezone") or "UTC"}
