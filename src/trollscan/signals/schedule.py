"""When an account acts: an office worker's schedule, no sleep at all, or the beat of a machine.

Paid operators work office hours on working days (50-70 comments a day in the seeds); scheduled
bots act around the clock or at fixed intervals. Hours are read in the case's time zone.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import BadParameter
from ..evidence import evidence_table
from .frame import check_option, day_span, names_of, per_account, signal_row

__all__ = ["working_hours", "mechanical_cadence", "local_hours", "hour_span"]


def local_hours(ts: np.ndarray, tz: str) -> tuple[np.ndarray, np.ndarray]:
    """Local hour (0-23) and weekday (0 Monday - 6 Sunday) of UTC seconds in the zone `tz`."""
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadParameter(f"The time zone {tz!r} is not known.",
                           "Use an IANA name such as Asia/Almaty or Asia/Bishkek.") from None
    stamps = pa.array(ts, pa.int64()).cast(pa.timestamp("s", tz="UTC"))
    local = stamps.cast(pa.timestamp("s", tz=tz))  # hour and weekday of a zoned time are local
    hours = pc.hour(local).to_numpy(zero_copy_only=False).astype(np.int64)
    weekday = pc.day_of_week(local).to_numpy(zero_copy_only=False).astype(np.int64)
    return hours, weekday


def hour_span(hours: np.ndarray, cover: float = 0.95) -> tuple[int, int]:
    """The shortest run of whole hours [a, b) within one day holding `cover` of the times."""
    counts = np.bincount(hours, minlength=24)
    need = cover * counts.sum()
    best = (0, 24)
    for a in range(24):
        total = 0
        for b in range(a + 1, 25):
            total += counts[b - 1]
            if total >= need:
                if b - a < best[1] - best[0]:
                    best = (a, b)
                break
    return best


def working_hours(items: pa.Table, accounts: pa.Table, *, timezone: str = "UTC", min_items: int = 10,
                  start_hour: int = 9, end_hour: int = 18, min_office_share: float = 0.9,
                  night_end_hour: int = 6, min_night_share: float = 0.2, min_night_items: int = 20) -> pa.Table:
    """Accounts that act like an office job, or never sleep.

    Office: at least `min_items` items, and at least `min_office_share` of them on weekdays
    between `start_hour` and `end_hour`, local time in `timezone` (people write about 30% of their
    posts then, so 9 of 10 happens to one person in ten thousand by chance). Around the clock: at
    least `min_night_items` items and `min_night_share` of them between midnight and
    `night_end_hour` (people write about 4% of their posts then).

    Reads:    items(platform, item_id, account_id, created_at); accounts(platform, account_id, handle, name)
    Evidence: up to ten of its items
    Sentence: "@a wrote 138 of its 143 items (97%) on weekdays between 09:00 and 18:00 (Asia/Almaty),
              none at weekends (4-28 Feb 2019)."
    Misleads: social-media managers and others who post for their job; night-shift workers;
              a case whose time zone is wrong (set it with `trollscan init --timezone`).
    """
    check_option("working_hours", "min_items", min_items, low=1, integer=True)
    check_option("working_hours", "start_hour", start_hour, low=0, high=23, integer=True)
    check_option("working_hours", "end_hour", end_hour, low=start_hour + 1, high=24, integer=True)
    check_option("working_hours", "min_office_share", min_office_share, low=0, high=1)
    check_option("working_hours", "night_end_hour", night_end_hour, low=1, high=23, integer=True)
    check_option("working_hours", "min_night_share", min_night_share, low=0, high=1)
    check_option("working_hours", "min_night_items", min_night_items, low=1, integer=True)
    if not items.num_rows:
        return evidence_table()
    keys, bounds, ts, rows = per_account(items, "created_at")
    hours, weekday = local_hours(ts, timezone)
    office = (weekday < 5) & (hours >= start_hour) & (hours < end_hour)
    night = hours < night_end_hour
    names = names_of(accounts)
    ids = items["item_id"].to_numpy(zero_copy_only=False)
    out = []
    for j, key in enumerate(keys):
        lo, hi = bounds[j], bounds[j + 1]
        n = hi - lo
        if n < min_items:
            continue
        n_office, n_night = int(office[lo:hi].sum()), int(night[lo:hi].sum())
        n_weekend = int((weekday[lo:hi] >= 5).sum())
        span = day_span(int(ts[lo]), int(ts[hi - 1]))
        who = names.get(key, key[1])
        shown = [str(ids[r]) for r in rows[lo:hi][:10]]
        if n_office / n >= min_office_share:
            a, b = hour_span(hours[lo:hi])
            weekends = "none at weekends" if n_weekend == 0 else f"{n_weekend} at weekends"
            share = n_office / n
            out.append(signal_row(
                "working_hours", key[0], key[1], 0.5 + 0.5 * (share - min_office_share) / max(1 - min_office_share, 1e-9),
                shown, f"{who} wrote {n_office} of its {n} items ({share:.0%}) on weekdays between "
                       f"{start_hour:02d}:00 and {end_hour:02d}:00 ({timezone}), {weekends}; 95% of them fall "
                       f"between {a:02d}:00 and {b % 24:02d}:00 ({span}).",
                {"pattern": "office", "items": n, "office": n_office, "weekend": n_weekend, "share": round(share, 3),
                 "hours": [a, b], "timezone": timezone}))
        elif n >= min_night_items and n_night / n >= min_night_share:
            share = n_night / n
            active = int(len(np.unique(hours[lo:hi])))
            out.append(signal_row(
                "working_hours", key[0], key[1], min(1.0, 0.5 + (share - min_night_share)), shown,
                f"{who} acts around the clock: {n_night} of its {n} items ({share:.0%}) were written between "
                f"00:00 and {night_end_hour:02d}:00 ({timezone}), when most people sleep, in {active} different "
                f"hours of the day ({span}).",
                {"pattern": "night", "items": n, "night": n_night, "share": round(share, 3), "hours_active": active,
                 "timezone": timezone}))
    return evidence_table(out)


def mechanical_cadence(items: pa.Table, accounts: pa.Table, *, min_items: int = 20, tolerance_s: int = 5,
                       min_same_share: float = 0.5, min_gap_s: int = 10, max_cv: float = 0.2) -> pa.Table:
    """Accounts (at least `min_items` items) that act at fixed intervals: at least
    `min_same_share` of the gaps between consecutive items within `tolerance_s` of the commonest
    gap (of at least `min_gap_s`), or gaps whose coefficient of variation is at most `max_cv`.

    Reads:    items(platform, item_id, account_id, created_at); accounts(platform, account_id, handle, name)
    Evidence: up to ten of the items that follow the beat
    Sentence: "@a wrote 64 of its 80 items 15 min after the one before (20 Feb-3 Mar 2020): a
              schedule, not a person."
    Misleads: news feeds and other honest scheduled accounts; sources that round times to the minute.
    """
    check_option("mechanical_cadence", "min_items", min_items, low=3, integer=True)
    check_option("mechanical_cadence", "tolerance_s", tolerance_s, low=0, integer=True)
    check_option("mechanical_cadence", "min_same_share", min_same_share, low=0, high=1)
    check_option("mechanical_cadence", "min_gap_s", min_gap_s, low=1, integer=True)
    check_option("mechanical_cadence", "max_cv", max_cv, low=0)
    if not items.num_rows:
        return evidence_table()
    keys, bounds, ts, rows = per_account(items, "created_at")
    names = names_of(accounts)
    ids = items["item_id"].to_numpy(zero_copy_only=False)
    out = []
    for j, key in enumerate(keys):
        lo, hi = bounds[j], bounds[j + 1]
        if hi - lo < min_items:
            continue
        gaps = np.diff(ts[lo:hi])
        span = day_span(int(ts[lo]), int(ts[hi - 1]))
        who = names.get(key, key[1])
        long = gaps[gaps >= min_gap_s]
        if not len(long):
            continue
        bins = long // max(2 * tolerance_s, 1)
        values, counts = np.unique(bins, return_counts=True)
        mode = int(np.median(long[bins == values[np.argmax(counts)]]))
        on_beat = np.abs(gaps - mode) <= tolerance_s
        share = float(on_beat.mean())
        cv = float(gaps.std() / gaps.mean()) if gaps.mean() > 0 else float("inf")
        if share >= min_same_share:
            beat = np.flatnonzero(on_beat) + 1
            out.append(signal_row(
                "mechanical_cadence", key[0], key[1], 0.5 + 0.5 * share, [str(ids[r]) for r in rows[lo:hi][beat][:10]],
                f"{who} wrote {int(on_beat.sum())} of its {hi - lo} items {_duration(mode)} after the one before "
                f"({span}): a schedule, not a person.",
                {"pattern": "fixed_gap", "gap_s": mode, "on_beat": int(on_beat.sum()), "items": int(hi - lo),
                 "cv": round(cv, 3)}))
        elif cv <= max_cv:
            out.append(signal_row(
                "mechanical_cadence", key[0], key[1], 0.5 + 0.5 * (1 - cv / max(max_cv, 1e-9)),
                [str(ids[r]) for r in rows[lo:hi][:10]],
                f"{who} wrote its {hi - lo} items at almost even intervals of about {_duration(int(gaps.mean()))} "
                f"(they vary by only {cv:.0%}; {span}): a schedule, not a person.",
                {"pattern": "even", "mean_gap_s": float(gaps.mean()), "cv": round(cv, 3), "items": int(hi - lo)}))
    return evidence_table(out)


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        m, s = divmod(seconds, 60)
        return f"{m} min" + (f" {s} s" if s else "")
    h, rest = divmod(seconds, 3600)
    return f"{h} h" + (f" {rest // 60} min" if rest // 60 else "")
