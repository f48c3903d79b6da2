"""Takedown tracking: of the accounts judged fake or doubtful, how many the platform removed, and
when, from the status checks (snapshots) made after the list was sent."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone

from ..errors import BadParameter

__all__ = ["takedown_summary", "account_takedown", "parse_sent_at", "GONE"]

GONE = ("removed", "suspended")  # statuses that mean the platform took the account down


def parse_sent_at(text: str) -> datetime:
    """The day (or moment) the list went to the platform, YYYY-MM-DD or ISO 8601, as naive UTC."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadParameter(f"--sent-at {text!r} is not a date.",
                           "Give the day the list went to the platform as YYYY-MM-DD, e.g. --sent-at 2020-11-02.") from None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def account_takedown(checks: list[tuple[datetime, str]], sent_at: datetime | None = None) -> dict:
    """What the status checks of one account say happened after the list was sent at `sent_at`
    (None: every check counts). `checks`: (seen_at, status).

    Returns `state`: "unchecked" (no check since the list was sent), "removed" (taken down after
    it and not seen back since), "reinstated" (taken down, then seen active again), "gone_before"
    (already down when the list was sent, and not seen back), "up" (seen active), or "other" (any
    other status); `gone_at`, the first check that saw it down after the list was sent;
    `active_before`, the last check that saw it up before that; `back_at`, the check that saw it
    active again."""
    seen = sorted(checks, key=lambda c: (c[0], c[1]))
    before = [c for c in seen if sent_at is not None and c[0] < sent_at]
    after = [c for c in seen if sent_at is None or c[0] >= sent_at]
    out = {"state": "unchecked", "gone_at": None, "active_before": None, "back_at": None}
    if not after:
        return out
    down = bool(before) and before[-1][1] in GONE  # already down when the list went out
    active = max((at for at, status in before if status == "active"), default=None)
    for at, status in after:
        if status in GONE and not down:
            down = True
            if out["gone_at"] is None:
                out["gone_at"], out["active_before"] = at, active
        elif status == "active":
            if down and out["back_at"] is None:
                out["back_at"] = at
            down, active = False, at
    latest = after[-1][1]
    if latest in GONE:
        out["state"] = "removed" if out["gone_at"] is not None else "gone_before"
    elif latest == "active":
        out["state"] = "reinstated" if out["back_at"] is not None else "up"
    else:
        out["state"] = "other"
    return out


def takedown_summary(snapshots: list[dict], flagged: list[dict], *, sent_at: datetime | None = None) -> list[dict]:
    """Per group and label (and a total per label): flagged accounts; how many were checked after
    the list was sent at `sent_at` (None: all checks count; earlier checks only say whether an
    account was already down); how many were removed or suspended since and are still down; how
    many came back (`reinstated`, counted with `still_up`, not as removed); how many were already
    down when it was sent (`gone_before`, not counted as removed); the share removed (of those
    checked that were not already down); and the dates: last seen up before, first and last seen
    gone (the account went down between its last check seen up and that date).

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
        what = account_takedown(checks.get((f["platform"], f["account_id"]), []), sent_at)
        state = what["state"]
        for group in (f.get("group_id"), "all"):
            row = table.setdefault((group, f["label"]), {
                "group_id": group, "label": f["label"], "flagged": 0, "checked": 0, "removed": 0,
                "still_up": 0, "reinstated": 0, "gone_before": 0, "first_seen_gone": None, "last_seen_gone": None,
                "last_seen_active": None, "sent_at": sent_at})
            row["flagged"] += 1
            row["checked"] += state != "unchecked"
            row["removed"] += state == "removed"
            row["still_up"] += state in ("up", "reinstated")
            row["reinstated"] += state == "reinstated"
            row["gone_before"] += state == "gone_before"
            if state == "removed":
                gone_at, active_before = what["gone_at"], what["active_before"]
                row["first_seen_gone"] = min(filter(None, (row["first_seen_gone"], gone_at)))
                row["last_seen_gone"] = max(filter(None, (row["last_seen_gone"], gone_at)))
                if active_before is not None:
                    row["last_seen_active"] = max(filter(None, (row["last_seen_active"], active_before)))
    rows = list(table.values())
    for r in rows:
        could = r["checked"] - r["gone_before"]
        r["share_removed"] = round(r["removed"] / could, 4) if could else None
    order = {"fake": 0, "doubtful": 1}
    rank = lambda g: (0, 0) if g == "all" else (2, 0) if g is None else (1, g)  # noqa: E731 - totals first
    return sorted(rows, key=lambda r: (rank(r["group_id"]), order[r["label"]]))
