"""Takedown tracking: of the accounts judged fake or doubtful, how many the platform removed, and
when, from the status checks (snapshots) ingested after the list was sent."""

from __future__ import annotations

from collections import defaultdict

__all__ = ["takedown_summary", "GONE"]

GONE = ("removed", "suspended")  # statuses that mean the platform took the account down


def takedown_summary(snapshots: list[dict], flagged: list[dict]) -> list[dict]:
    """Per group and label (and a total per label): flagged accounts, how many were checked, how
    many were seen removed or suspended, the share, and the first and last date they were seen
    gone (the account went down between its last check seen active and that date).

    `snapshots`: rows platform, account_id, seen_at, status; `flagged`: rows platform,
    account_id, label, group_id (verdicts; unlikely ones are left out).
    """
    checks: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for s in snapshots:
        checks[(s["platform"], s["account_id"])].append((s["seen_at"], s["status"]))
    table: dict[tuple, dict] = {}
    for f in flagged:
        if f["label"] not in ("fake", "doubtful"):
            continue
        key = (f["platform"], f["account_id"])
        seen = sorted(checks.get(key, []), key=lambda c: (c[0], c[1]))
        gone_at = next((at for at, status in seen if status in GONE), None)
        latest = seen[-1][1] if seen else None
        active_before = max((at for at, status in seen if status == "active" and (gone_at is None or at < gone_at)),
                            default=None)
        for group in (f.get("group_id"), "all"):
            row = table.setdefault((group, f["label"]), {
                "group_id": group, "label": f["label"], "flagged": 0, "checked": 0, "removed": 0,
                "still_up": 0, "first_seen_gone": None, "last_seen_gone": None, "last_seen_active": None})
            row["flagged"] += 1
            row["checked"] += bool(seen)
            if gone_at is not None:
                row["removed"] += 1
                row["first_seen_gone"] = min(filter(None, (row["first_seen_gone"], gone_at)))
                row["last_seen_gone"] = max(filter(None, (row["last_seen_gone"], gone_at)))
                if active_before is not None:
                    row["last_seen_active"] = max(filter(None, (row["last_seen_active"], active_before)))
            elif latest == "active":
                row["still_up"] += 1
    rows = list(table.values())
    for r in rows:
        r["share_removed"] = round(r["removed"] / r["checked"], 4) if r["checked"] else None
    order = {"fake": 0, "doubtful": 1}
    rank = lambda g: (0, 0) if g == "all" else (2, 0) if g is None else (1, g)  # noqa: E731 - totals first
    return sorted(rows, key=lambda r: (rank(r["group_id"]), order[r["label"]]))
