"""Profiles of operator groups, as a reporter writes them up: who is in it and how they were
judged, when the accounts were made, when the operators work (and from which time zone), where
they comment and whose posts they serve, when their allegiance switched, what infrastructure
they share; and, per watched page, the share of its comments that come from flagged accounts.

Pure functions over tables the store reads; sentences carry dates.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..signals.frame import NO_TIME, day, day_span, seconds
from ..signals.schedule import hour_span, local_hours
from ..text.tone import Tone, read_tones
from .cost import estimate_cost

__all__ = ["group_profiles", "likely_utc_offset", "allegiance_switch", "page_kpis", "profile_case", "COMMENT_KINDS",
           "praise_and_attack"]

COMMENT_KINDS = ("comment", "reply")
_MAX_TARGETS = 20  # targets followed one by one in the allegiance split; the rest count together


def likely_utc_offset(ts: np.ndarray, *, start_hour: int = 9, end_hour: int = 18) -> tuple[int, float]:
    """The whole-hour UTC offset under which the most of `ts` (UTC seconds) fall on weekdays between
    `start_hour` and `end_hour` local time, and that share. Ties go to the offset nearest 0.
    Missing times (NO_TIME) are left out."""
    ts = ts[ts != NO_TIME]
    best = (0, -1.0)
    for offset in sorted(range(-12, 15), key=abs):
        local = ts + offset * 3600
        hour = (local // 3600) % 24
        weekday = ((local // 86_400) + 3) % 7  # 1 Jan 1970 was a Thursday
        share = float(((weekday < 5) & (hour >= start_hour) & (hour < end_hour)).mean()) if len(ts) else 0.0
        if share > best[1] + 1e-12:
            best = (offset, share)
    return best


def allegiance_switch(ts: np.ndarray, targets: list[str], *, min_items: int = 20, min_days: int = 3,
                      min_change: float = 0.3) -> dict | None:
    """The day the mix of targets changed most: the split into before and after (at least
    `min_items` and a tenth of the items each, on at least `min_days` active days each) with the largest total-variation distance between the two mixes, if at least
    `min_change`. Returns the split time, the targets that lost most (`before`) and gained most
    (`after`, with their joint share before and after)."""
    order = np.argsort(ts, kind="stable")
    t = ts[order]
    tg = [targets[i] for i in order]
    if len(t) < 2 * min_items:
        return None
    kept = [x for x, _c in sorted(Counter(tg).items(), key=lambda kv: (-kv[1], kv[0]))[:_MAX_TARGETS]]
    names = kept + ["other pages"]
    position = {x: i for i, x in enumerate(kept)}
    code = np.array([position.get(x, len(kept)) for x in tg])
    onehot = np.zeros((len(t), len(names)))
    onehot[np.arange(len(t)), code] = 1
    before = np.cumsum(onehot, axis=0)
    total = before[-1]
    days = t // 86_400
    candidates = np.flatnonzero(days[1:] != days[:-1]) + 1  # first item of each new day
    day_index = np.cumsum(np.r_[0, days[1:] != days[:-1]])  # active days before each item
    n_days = int(day_index[-1]) + 1
    best = None
    for k in candidates:
        # each side needs its items and at least `min_days` active days, so one odd day is no switch
        if min(k, len(t) - k) < max(min_items, 0.1 * len(t)) or min(day_index[k], n_days - day_index[k]) < min_days:
            continue
        b = before[k - 1] / k
        a = (total - before[k - 1]) / (len(t) - k)
        tvd = 0.5 * np.abs(a - b).sum()
        if best is None or tvd > best[0] + 1e-12:
            best = (float(tvd), int(k), b, a)
    if best is None or best[0] < min_change:
        return None
    tvd, k, b, a = best
    named = np.arange(len(names)) < len(kept)
    rose = [i for i in np.argsort(-(a - b), kind="stable") if a[i] - b[i] >= 0.1 and named[i]][:3]
    fell = [i for i in np.argsort(-(b - a), kind="stable") if b[i] - a[i] >= 0.1 and named[i]][:3]
    if not fell:
        fell = [i for i in np.argsort(-b, kind="stable")[:3] if b[i] >= 0.1 and named[i]]
    return {"change": round(tvd, 3), "switch_at": int(t[k]), "last_before": int(t[k - 1]),
            "before": [names[i] for i in fell], "after": [names[i] for i in rose],
            "after_share_before": round(float(b[rose].sum()), 3), "after_share_after": round(float(a[rose].sum()), 3),
            "items_before": k, "items_after": len(t) - k}


def _hours_sentence(ts: np.ndarray, tz: str) -> dict:
    ts = ts[ts != NO_TIME]
    hours, weekday = local_hours(ts, tz)
    best = hour_span(hours, cover=0.9)
    offset, share = likely_utc_offset(ts)
    weekend = float((weekday >= 5).mean()) if len(ts) else 0.0
    office = share >= 0.8
    sign = "+" if offset >= 0 else "-"
    return {"hours": list(best), "weekend_share": round(weekend, 3), "timezone": tz,
            "likely_utc_offset": offset if office else None,
            "sentence": (f"90% of their items fall between {best[0]:02d}:00 and {best[1] % 24:02d}:00 ({tz}); "
                         f"{weekend:.0%} at weekends." + (
                             f" Read as an office day (weekdays 09:00-18:00), their clock is UTC{sign}{abs(offset)} "
                             f"({share:.0%} of items fit)." if office else ""))}


def group_profiles(members: pa.Table, accounts: pa.Table, items: pa.Table, access: pa.Table | None = None, *,
                   timezone: str = "UTC", names: dict[tuple[str, str], str] | None = None,
                   watched: set[tuple[str, str]] | None = None, top: int = 5) -> list[dict]:
    """One profile per group. `members`: group_id, platform, account_id, label; `accounts`:
    platform, account_id, created_at; `items` (of the members): platform, account_id, item_id,
    kind, created_at, target_id, parent_account_id; `access` (of the members): platform,
    account_id, ip_hash, device_hash."""
    names = names or {}
    watched = watched or set()
    created = dict(zip(zip(accounts["platform"].to_pylist(), accounts["account_id"].to_pylist()),
                       seconds(accounts["created_at"]).tolist()))
    item_rows: dict[tuple[str, str], list[int]] = {}
    for i, key in enumerate(zip(items["platform"].to_pylist(), items["account_id"].to_pylist())):
        item_rows.setdefault(key, []).append(i)
    its = {c: items[c].to_pylist() for c in ("kind", "target_id", "parent_account_id", "item_id")}
    its_ts = seconds(items["created_at"]) if items.num_rows else np.zeros(0, np.int64)
    tones = _comment_tones(items)
    infra: dict[tuple[str, str], set] = {}
    if access is not None and access.num_rows:
        for p, a, ip, dev in zip(*(access[c].to_pylist() for c in ("platform", "account_id", "ip_hash", "device_hash"))):
            infra.setdefault((p, a), set()).update({("ip", ip)} if ip else set())
            infra[(p, a)].update({("device", dev)} if dev else set())
    by_group: dict[int, list[dict]] = {}
    for m in members.to_pylist():
        by_group.setdefault(m["group_id"], []).append(m)
    label = lambda p, t: names.get((p, t), t)  # noqa: E731
    out = []
    for gid in sorted(by_group):
        group = sorted(by_group[gid], key=lambda m: m["account_id"])
        platform = group[0]["platform"]
        keys = [(m["platform"], m["account_id"]) for m in group]
        labels = Counter(m.get("label") or "unjudged" for m in group)
        born = sorted(created[k] for k in keys if created.get(k, NO_TIME) != NO_TIME)
        rows = [i for k in keys for i in item_rows.get(k, [])]
        ts = its_ts[rows] if rows else np.zeros(0, np.int64)
        ts = ts[ts != NO_TIME]  # items without a time count, but date nothing
        profile = {"group_id": gid, "platform": platform, "size": len(group), "labels": dict(labels),
                   "members": [{"account_id": m["account_id"], "name": label(m["platform"], m["account_id"]),
                                "label": m.get("label")} for m in group], "items": len(rows)}
        if born:
            lo, hi = born[0], born[-1]
            mid = born[len(born) // 4: max(len(born) * 3 // 4, len(born) // 4 + 1)]
            profile["created"] = {"first": day(lo), "last": day(hi), "middle_half": [day(mid[0]), day(mid[-1])],
                                  "sentence": f"Accounts created {day_span(lo, hi)}; half of them "
                                              f"{day_span(mid[0], mid[-1])}."}
        if len(ts):
            profile["active"] = {"first": day(int(ts.min())), "last": day(int(ts.max()))}
            profile["schedule"] = _hours_sentence(ts, timezone)
        if rows:
            acts = [i for i in rows if its["kind"][i] != "post"]
            where = Counter(its["target_id"][i] or its["parent_account_id"][i] for i in acts)
            where.pop(None, None)
            served = Counter(its["parent_account_id"][i] for i in acts)
            served.pop(None, None)
            for k in keys:
                served.pop(k[1], None)
            n_acts = max(len(acts), 1)
            profile["targets"] = [{"target": t, "name": label(platform, t), "items": c, "share": round(c / n_acts, 3),
                                   "watched": (platform, t) in watched} for t, c in _top(where, top)]
            profile["serves"] = [{"account_id": t, "name": label(platform, t), "items": c,
                                  "share": round(c / n_acts, 3)} for t, c in _top(served, top)]
            # allegiance is read on the watched pages when there are any, else on targets that are accounts
            # (a site's articles change every day: that is news, not a switch)
            keep = {t for t in where if (platform, t) in watched} or {t for t in where if (platform, t) in names}
            dated = [(int(its_ts[i]), its["target_id"][i] or its["parent_account_id"][i]) for i in acts]
            dated = [(t, g) for t, g in dated if g in keep and t != NO_TIME]
            switch = allegiance_switch(np.array([t for t, _g in dated], np.int64), [g for _t, g in dated]) \
                if dated else None
            if switch and switch["after"]:
                before = ", ".join(label(platform, t) for t in switch["before"])
                after = ", ".join(label(platform, t) for t in switch["after"])
                switch["sentence"] = (f"Backed {before} until {day(switch['last_before'])}, then {after} from "
                                      f"{day(switch['switch_at'])} (their share of the group's items went from "
                                      f"{switch['after_share_before']:.0%} to {switch['after_share_after']:.0%}).")
                profile["allegiance"] = switch
            profile["comments"] = sum(1 for i in rows if its["kind"][i] in COMMENT_KINDS)
            if tones:
                own = {k[1] for k in keys}  # comments under the group's own posts praise or attack no one else
                toned = [(i, its["target_id"][i] or its["parent_account_id"][i]) for i in rows if i in tones]
                toned = [(i, t) for i, t in toned if t is not None and t not in own]
                profile["tone"] = praise_and_attack([(t, tones[i], its["item_id"][i], int(its_ts[i])) for i, t in toned],
                                                    names={t: label(platform, t) for _i, t in toned}, top=top)
            profile["active_days"] = int(len(np.unique(ts // 86_400)))
        shared = Counter(x for k in keys for x in infra.get(k, ()))
        common = {x: n for x, n in shared.items() if n >= 2}
        if common:
            ips = sorted(x[1] for x in common if x[0] == "ip")
            devices = sorted(x[1] for x in common if x[0] == "device")
            users = sum(1 for k in keys if infra.get(k, set()) & set(common))
            profile["infrastructure"] = {"shared_ips": len(ips), "shared_devices": len(devices), "accounts": users,
                                         "sentence": f"{users} of its accounts wrote from {len(ips)} shared IP "
                                                     f"address(es) and {len(devices)} shared device(s) "
                                                     "(kept only as keyed hashes)."}
        out.append(profile)
    return out


def _comment_tones(items: pa.Table) -> dict[int, Tone]:
    """The tone of each comment and reply (row -> Tone), when the items carry their text."""
    if "text" not in items.column_names or not items.num_rows:
        return {}
    rows = np.flatnonzero(pc.is_in(items["kind"], pa.array(COMMENT_KINDS)).to_numpy(zero_copy_only=False))
    texts = items["text"].take(pa.array(rows, pa.int64()))
    return dict(zip(rows.tolist(), read_tones(texts.combine_chunks() if isinstance(texts, pa.ChunkedArray)
                                                else texts)))


def praise_and_attack(comments: list[tuple[str, Tone, str, int]], *, names: dict[str, str] | None = None,
                      top: int = 5, min_comments: int = 3, min_share: float = 0.02, min_tone_share: float = 0.4,
                      examples: int = 3) -> dict:
    """Whom a group praises and whom it attacks, from its comments: (target, tone, item_id, time).

    A target (the page or account a comment is written under or answers) is praised when at least
    `min_comments` of the group's comments on it, `min_tone_share` of them, and `min_share` of all
    its praising comments read as praise (`trollscan.text.tone`), and they outnumber those that
    read as attack; attacked the other way round. (Everyday chatter has its thanks and
    congratulations: on the simulator a fifth to a third of real people's comments on a page read
    as praise; a page praised in passing is not whom a group praises.) Each entry: target, name,
    comments (the group's comments there), praise/attack counts, share (of its comments there),
    the words that decided most of them, `examples` item ids and the first and last day. With a
    dated sentence naming the most praised and the most attacked."""
    names = names or {}
    per: dict[str, dict] = {}
    for target, tone, item_id, ts in sorted(comments, key=lambda c: (c[3], str(c[2]))):
        t = per.setdefault(target, {"n": 0, "praise": [], "attack": [], "words": {"praise": Counter(),
                                                                                   "attack": Counter()}})
        t["n"] += 1
        if tone.label in ("praise", "attack"):
            t[tone.label].append((item_id, ts))
            t["words"][tone.label].update(set(tone.decided_by))
    out: dict = {"comments": len(comments)}
    for side in ("praise", "attack"):
        other = "attack" if side == "praise" else "praise"
        floor = max(min_comments, min_share * sum(len(t[side]) for t in per.values()))
        picked = [(x, t) for x, t in per.items() if len(t[side]) >= max(floor, min_tone_share * t["n"])
                  and len(t[side]) > len(t[other])]
        picked.sort(key=lambda xt: (-len(xt[1][side]), str(xt[0])))
        out["praises" if side == "praise" else "attacks"] = [{
            "target": x, "name": names.get(x, x), "comments": t["n"], side: len(t[side]), other: len(t[other]),
            "share": round(len(t[side]) / t["n"], 3), "words": [w for w, _c in _top(t["words"][side], 5)],
            "examples": [i for i, _ts in t[side][:examples]], **_first_last([ts for _i, ts in t[side]])}
            for x, t in picked[:top]]
        out[side] = sum(len(t[side]) for t in per.values())
    dated = [ts for _x, _t, _i, ts in comments if ts != NO_TIME]
    span = f"From {day_span(min(dated), max(dated))}, " if dated else ""
    parts = []
    for key, verb in (("praises", "praised"), ("attacks", "attacked")):
        if out[key]:
            e = out[key][0]
            n = e["praise" if key == "praises" else "attack"]
            words = ", ".join(f"\u201c{w}\u201d" for w in e["words"][:3])
            parts.append(f"{verb} {e['name']} most ({n:,} of its {e['comments']:,} comments there, {e['share']:.0%}; "
                         f"words such as {words})")
    if parts:
        out["sentence"] = (span + "the group " + " and ".join(parts) + ". Read from the words of "
                           f"{len(comments):,} comments (praise {out['praise']:,}, attack {out['attack']:,}).")
    return out


def _first_last(ts: list[int]) -> dict:
    dated = [t for t in ts if t != NO_TIME]
    return {"first": day(min(dated)) if dated else None, "last": day(max(dated)) if dated else None}


def _top(counter: Counter, n: int) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))[:n]


def page_kpis(items: pa.Table, watched: set[tuple[str, str]], flagged: set[tuple[str, str]],
              names: dict[tuple[str, str], str] | None = None) -> list[dict]:
    """For each watched page: its comments, how many come from flagged accounts, and the share.

    `items`: platform, account_id, kind, target_id (comments and replies are counted)."""
    names = names or {}
    comments = items.filter(pc.is_in(items["kind"], pa.array(COMMENT_KINDS)))
    totals: Counter = Counter()
    bad: Counter = Counter()
    for p, a, t in zip(*(comments[c].to_pylist() for c in ("platform", "account_id", "target_id"))):
        if (p, t) in watched:
            totals[(p, t)] += 1
            bad[(p, t)] += (p, a) in flagged
    out = []
    for key in sorted(watched):
        n = totals.get(key, 0)
        out.append({"platform": key[0], "page": key[1], "name": names.get(key, key[1]), "comments": n,
                    "from_flagged": bad.get(key, 0), "share": round(bad.get(key, 0) / n, 4) if n else None})
    return sorted(out, key=lambda r: (-(r["share"] or 0), r["platform"], r["page"]))


def profile_case(inputs: dict) -> dict:
    """Group profiles, each with its cost estimate, and the watched pages' KPIs, from what
    `store.verdicts.read_profile_inputs` reads."""
    profiles = group_profiles(inputs["members"], inputs["accounts"], inputs["items"], inputs["access"],
                              timezone=inputs["timezone"], names=inputs["names"], watched=inputs["watched"])
    items = inputs["items"]
    ts = seconds(items["created_at"]) if items.num_rows else np.zeros(0, np.int64)
    span: dict[int, tuple[int, int]] = {}
    group_of = {(m["platform"], m["account_id"]): m["group_id"] for m in inputs["members"].to_pylist()}
    for p, a, k, t in zip(items["platform"].to_pylist(), items["account_id"].to_pylist(), items["kind"].to_pylist(),
                          ts.tolist()):
        g = group_of.get((p, a))
        if g is not None and t != NO_TIME and k in COMMENT_KINDS:  # the months it was paid to comment
            lo, hi = span.get(g, (t, t))
            span[g] = (min(lo, t), max(hi, t))
    for profile in profiles:
        first, last = span.get(profile["group_id"], (None, None))
        profile["cost"] = estimate_cost(comments=profile.get("comments", 0), accounts=profile["size"],
                                        active_days=profile.get("active_days", 0), first_ts=first, last_ts=last)
    from .named import named_praise_and_attack  # names praised or attacked in the comments' text

    named = named_praise_and_attack(inputs["members"], items, inputs.get("known_names", ()))
    for profile in profiles:
        if profile["group_id"] in named:
            profile["named"] = named[profile["group_id"]]
    return {"groups": profiles,
            "pages": page_kpis(inputs["page_items"], inputs["watched"], inputs["flagged"], inputs["names"])}
