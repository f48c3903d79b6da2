"""When a story spread: its first posters (and how sure the order is), the accounts that gave it
its first large jumps, and its chronology hour by hour in the case's time zone."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["clock_precision_s", "first_posters", "key_amplifiers", "chronology", "is_mainstream", "local_hours",
           "snowflake_times", "SNOWFLAKE_EPOCH_MS", "SNOWFLAKE_PLATFORMS"]

# Twitter/X ids ("snowflakes", since 4 Nov 2010) carry their creation time: ms = (id >> 22) + epoch.
SNOWFLAKE_EPOCH_MS = 1288834974657
SNOWFLAKE_PLATFORMS = frozenset({"twitter", "x"})

_MAINSTREAM = re.compile(
    r"\b(news|media|daily|times|tv|radio|press|agency|gazette|herald|wire|rundschau|post|"
    r"новости|сми|газета|тв|радио|агентство|жаңалықтар|жаңылыктар)\b", re.IGNORECASE)


def clock_precision_s(ts: np.ndarray) -> float:
    """The coarsest tick the times are written in: 60 when every time falls on a whole minute,
    1 when on whole seconds, else 0.001."""
    dated = ts[~np.isnan(ts)]
    if not len(dated):
        return 1.0
    if np.all(np.mod(dated, 60) == 0) and len(dated) > 1:
        return 60.0
    return 1.0 if np.all(np.mod(dated, 1) == 0) else 0.001


def _iso(t: float, tz: ZoneInfo | None = None, *, ms: bool = False) -> str:
    when = datetime.fromtimestamp(round(t, 3), timezone.utc)
    return (when.astimezone(tz) if tz else when.replace(tzinfo=None)).isoformat(
        timespec="milliseconds" if ms else "seconds")


def snowflake_times(platforms, item_ids, ts: np.ndarray) -> np.ndarray:
    """Per item (`platforms`, `item_ids`: Arrow arrays or lists), its time to the millisecond (epoch
    seconds) read from its id, where the id is a Twitter/X snowflake; NaN elsewhere. An id is
    trusted only when it is one: a decimal number on twitter or x whose time falls inside the second
    (or minute) its item's timestamp `ts` names. A hashed id (information-operation archives), a
    small sequential id (before Nov 2010), a made-up id, or an item with no timestamp never counts:
    the order then falls back to the clock."""
    platforms = pa.array(platforms, pa.string()) if isinstance(platforms, list) else platforms
    item_ids = pa.array(item_ids, pa.string()) if isinstance(item_ids, list) else item_ids
    out = np.full(len(ts), np.nan)
    ok = pc.and_(pc.is_in(platforms, value_set=pa.array(sorted(SNOWFLAKE_PLATFORMS))),
                 pc.match_substring_regex(item_ids, r"^[1-9][0-9]{0,18}$"))
    ok = np.asarray(pc.fill_null(ok, False).to_numpy(zero_copy_only=False), bool) & ~np.isnan(ts)
    rows = np.flatnonzero(ok)
    if not len(rows):
        return out
    value = pc.cast(pc.array_take(item_ids, pa.array(rows)), pa.uint64()).to_numpy(zero_copy_only=False)
    small = value < np.uint64(2**63)
    rows, value = rows[small], value[small]
    at = ((value >> np.uint64(22)).astype(np.int64) + SNOWFLAKE_EPOCH_MS) / 1000.0
    plats = np.asarray(platforms.to_pylist(), dtype=object)
    tick = np.ones(len(rows))
    for p in set(plats[rows].tolist()):
        mine = plats == p
        tick[plats[rows] == p] = max(clock_precision_s(ts[mine]), 1.0)
    inside = (ts[rows] - 1e-6 <= at) & (at < ts[rows] + tick)  # inside the clock's tick its timestamp names
    out[rows[inside]] = at[inside]
    return out


def first_posters(rows: list[dict], ts: np.ndarray, *, tz: str = "UTC", limit: int = 10,
                  id_ts: np.ndarray | None = None) -> list[dict]:
    """The accounts that carried the story first, ranked, with how sure each place is.

    `rows`: the story's items (platform, item_id, kind, account_id, name, parent_account_id,
    parent_state, link, account_status) in the order of `ts` (epoch seconds, NaN when unknown).
    Places within the clock's precision of the next are "low"; so is an account whose item is
    missing from the case (deleted, or not collected) and which is known only because a later item
    answers or shares it. Undated items make every place "medium" at best.

    `id_ts` (`snowflake_times`): times to the millisecond read from the items' ids; where given,
    they order the items within their second, and a place between two such items has a clock of
    1 ms (its `why` says the ids ordered it).
    """
    zone = ZoneInfo(tz)
    precision = {p: clock_precision_s(ts[[i for i, r in enumerate(rows) if r["platform"] == p]])
                 for p in {r["platform"] for r in rows}}
    by_id = np.zeros(len(ts), bool) if id_ts is None else ~np.isnan(id_ts)
    ts = np.where(by_id, id_ts, ts) if id_ts is not None else ts
    undated = int(np.isnan(ts).sum())
    seen: set[tuple[str, str]] = set()
    cands: list[dict] = []
    for i in np.argsort(np.where(np.isnan(ts), np.inf, ts), kind="stable"):
        if np.isnan(ts[i]):
            break
        r = rows[i]
        if r["parent_state"] == "missing" and r.get("parent_account_id"):
            key = (r["platform"], r["parent_account_id"])
            if key not in seen:
                seen.add(key)
                cands.append({"platform": r["platform"], "account_id": r["parent_account_id"], "item_id": None,
                              "kind": None, "at": None, "before": float(ts[i]), "via": r["item_id"],
                              "via_name": r["name"], "t": float(ts[i]) - 1e-6})
        key = (r["platform"], r["account_id"])
        if key not in seen:
            seen.add(key)
            cands.append({"platform": r["platform"], "account_id": r["account_id"], "item_id": r["item_id"],
                          "kind": r["kind"], "at": float(ts[i]), "name": r["name"], "t": float(ts[i]),
                          "status": r.get("account_status"), "by_id": bool(by_id[i])})
        if len(cands) > limit:
            break
    out = []
    for k, c in enumerate(cands[:limit]):
        nxt = cands[k + 1]["t"] if k + 1 < len(cands) else None
        prev = cands[k - 1]["t"] if k else None
        near = [cands[j] for j in (k - 1, k + 1) if 0 <= j < len(cands)]
        to_ms = c.get("by_id") and all(d.get("by_id") for d in near)
        tick = 0.001 if to_ms else precision[c["platform"]]
        gaps = [g for g in ((nxt - c["t"]) if nxt is not None else None, (c["t"] - prev) if prev is not None else None)
                if g is not None]
        why = []
        if to_ms and gaps and min(gaps) < precision[c["platform"]]:
            why.append(f"ordered within the clock's {precision[c['platform']]:g} s by the milliseconds in the tweet ids")
        if c["at"] is None:
            sure = "low"
            why.append(f"its item is not in the case (deleted, or not collected); {c['via_name']}'s item "
                       f"{c['via']} at {_iso(c['before'])} UTC answers or shares it")
        elif gaps and min(gaps) < tick:
            sure = "low"
            why.append(f"within the clock's precision ({tick:g} s) of the next place")
        elif gaps and min(gaps) < 10 * tick:
            sure = "medium"
            why.append(f"less than {10 * tick:g} s from the next place")
        else:
            sure = "high"
        if undated and sure == "high":
            sure = "medium"
            why.append(f"{undated} item(s) of the story have no time")
        if c.get("status") in ("removed", "suspended"):
            why.append(f"the account is {c['status']}: some of its items may be missing")
        out.append({
            "rank": k + 1, "platform": c["platform"], "account_id": c["account_id"], "name": c.get("name"),
            "item_id": c["item_id"], "kind": c["kind"],
            "at": _iso(c["at"], ms=bool(c.get("by_id"))) if c["at"] is not None else None,
            "local_at": _iso(c["at"], zone, ms=bool(c.get("by_id"))) if c["at"] is not None else None,
            "before": _iso(c["before"]) if c.get("before") is not None else None,
            "gap_to_next_s": round(nxt - c["t"], 3) if nxt is not None and c["at"] is not None else None,
            "clock_precision_s": tick, "timed_by": "id" if c.get("by_id") else "clock", "sure": sure,
            "why": "; ".join(why)})
    return out


def key_amplifiers(rows: list[dict], ts: np.ndarray, descendants: np.ndarray, *, bin_s: int = 600,
                   min_items: int = 5, ratio: float = 3.0, jumps: int = 3, limit: int = 10,
                   exclude: frozenset[tuple[str, str]] = frozenset()) -> list[dict]:
    """The accounts that made the story's first large jumps: in the first `jumps` surges (a
    `bin_s` bin with at least `min_items` items and `ratio` times the mean of the hour before),
    ranked by their items in the surge plus everything below those items in the cascade. Accounts
    in `exclude` (the first poster: everything is below the first post) are left out."""
    dated = np.flatnonzero(~np.isnan(ts))
    if not len(dated):
        return []
    t0 = np.nanmin(ts)
    b = ((ts[dated] - t0) // bin_s).astype(np.int64)
    counts = np.bincount(b)
    window = max(1, 3600 // bin_s)
    surges: list[tuple[int, int]] = []
    k = 0
    while k < len(counts) and len(surges) < jumps:
        before = counts[max(0, k - window):k]
        base = before.mean() if len(before) else 0.0
        if counts[k] >= min_items and counts[k] >= ratio * max(base, 1.0):
            end = k
            while end + 1 < len(counts) and counts[end + 1] >= min_items and counts[end + 1] >= ratio * max(base, 1.0):
                end += 1
            surges.append((k, end))
            k = end + 1
        else:
            k += 1
    ranked: list[dict] = []
    taken: set[tuple[str, str]] = set(exclude)
    for number, (lo, hi) in enumerate(surges, 1):
        inside = dated[(b >= lo) & (b <= hi)]  # in time order
        keys = [(rows[i]["platform"], rows[i]["account_id"]) for i in inside]
        _, first, code = np.unique(np.array([f"{p}\x00{a}" for p, a in keys], dtype=object).astype(str),
                                   return_index=True, return_inverse=True)
        code = code.ravel()
        items = np.bincount(code)
        below = np.bincount(code, weights=descendants[inside]).astype(np.int64)
        order = np.lexsort((first, -(items + below)))
        for c in order:
            key = keys[first[c]]
            if key in taken:
                continue
            taken.add(key)
            i = inside[first[c]]
            ranked.append({"platform": key[0], "account_id": key[1], "name": rows[i]["name"], "surge": number,
                           "surge_at": _iso(t0 + lo * bin_s), "surge_items": int(counts[lo:hi + 1].sum()),
                           "items": int(items[c]), "below": int(below[c]), "first_item_id": rows[i]["item_id"],
                           "first_at": _iso(ts[i])})
            if len(ranked) >= limit:
                return ranked
    return ranked


def is_mainstream(row: dict, *, min_followers: int = 100_000) -> str | None:
    """Why an account counts as mainstream (verified, many followers, a newsroom's name or bio), or None."""
    if row.get("verified"):
        return "verified"
    if (row.get("followers_count") or 0) >= min_followers:
        return f"{row['followers_count']:,} followers"
    for field, what in (("display_name", "name"), ("bio", "bio")):
        if row.get(field) and _MAINSTREAM.search(row[field]):
            return f"a newsroom by its {what}"
    return None


def local_hours(ts: np.ndarray, tz: str) -> list[str | None]:
    """Each time's hour in the time zone, as 'YYYY-MM-DD HH:00' (None when unknown)."""
    zone = ZoneInfo(tz)
    dated = ~np.isnan(ts)
    hours = np.floor(ts[dated] / 3600).astype(np.int64)
    distinct, code = np.unique(hours, return_inverse=True)
    labels = np.array([datetime.fromtimestamp(int(h) * 3600, timezone.utc).astimezone(zone).strftime("%Y-%m-%d %H:00")
                       for h in distinct] + [None], dtype=object)
    out = np.full(len(ts), len(distinct), np.int64)
    out[dated] = code.ravel()
    return labels[out].tolist()


def _counts_by(hours: list, values: list) -> dict[str, dict[str, int]]:
    t = pa.table({"h": pa.array(hours, pa.string()), "v": pa.array(values, pa.string())}).drop_null()
    got = t.group_by(["h", "v"], use_threads=False).aggregate([("v", "count")]).sort_by([("h", "ascending"),
                                                                                       ("v", "ascending")])
    out: dict[str, dict[str, int]] = {}
    for h, v, n in zip(got["h"].to_pylist(), got["v"].to_pylist(), got["v_count"].to_pylist()):
        out.setdefault(h, {})[v] = n
    return out


def chronology(rows: list[dict], ts: np.ndarray, languages: list[str], groups: list[str], *, tz: str = "UTC",
               min_followers: int = 100_000) -> dict:
    """Counts per local hour (all items, by language, by group, by kind) and when mainstream or
    verified accounts joined."""
    zone = ZoneInfo(tz)
    hours = local_hours(ts, tz)
    by_language, by_group = _counts_by(hours, languages), _counts_by(hours, groups)
    by_kind = _counts_by(hours, [r["kind"] for r in rows])
    table = [{"hour": h, "items": sum(by_kind[h].values()), "by_language": by_language[h],
              "by_group": by_group[h], "by_kind": by_kind[h]} for h in sorted(by_kind)]
    dated = np.flatnonzero(~np.isnan(ts))
    in_time = dated[np.argsort(ts[dated], kind="stable")]
    start = float(ts[in_time[0]]) if len(dated) else None
    joined, seen = [], set()
    for i in in_time:
        r = rows[i]
        if not (r.get("verified") or r.get("followers_count") or r.get("display_name") or r.get("bio")):
            continue
        key = (r["platform"], r["account_id"])
        if key in seen:
            continue
        seen.add(key)
        why = is_mainstream(r, min_followers=min_followers)
        if why:
            joined.append({"platform": r["platform"], "account_id": r["account_id"], "name": r["name"],
                           "item_id": r["item_id"], "at": _iso(ts[i]), "local_at": _iso(ts[i], zone),
                           "hours_after_first": round((ts[i] - start) / 3600, 2), "why": why})
    langs = np.asarray(languages, dtype=object)
    distinct, first = np.unique(langs[in_time].astype(str), return_index=True) if len(in_time) else ([], [])
    counted = Counter(languages)
    return {"timezone": tz, "hours": table, "languages": dict(counted.most_common()),
            "language_first_at": {str(k): _iso(ts[in_time[f]]) for k, f in zip(distinct, first)},
            "mainstream_joined": joined,
            "first_at": _iso(start) if start is not None else None,
            "last_at": _iso(float(np.nanmax(ts))) if len(dated) else None,
            "span_hours": round((float(np.nanmax(ts)) - start) / 3600, 2) if len(dated) else None}
