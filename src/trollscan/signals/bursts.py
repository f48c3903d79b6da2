"""Bursts: accounts created together, friends added together, photos uploaded together.

The seeds: "accounts created in August 2018", "all friends added in February", "all photos
uploaded on February 7". A burst is judged against the case's own usual rate, measured in the
year around it, so a big case with many accounts does not look like a burst by its size alone.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..evidence import evidence_table
from .frame import NO_TIME, check_option, day, day_span, first_items, names_of, per_account, seconds, signal_row

__all__ = ["creation_burst", "friends_burst", "upload_burst", "dense_segments"]

DAY = 86_400


def dense_segments(ts: np.ndarray, *, window_s: int, baseline_s: int, min_count: int, min_ratio: float
                   ) -> list[tuple[np.ndarray, int, int, float]]:
    """Stretches of time where points (one per account) are much denser than around them.

    A window [t, t + window_s) starting at a point is dense when it holds at least `min_count`
    points and at least `min_ratio` times the count the rate in the `baseline_s` before and after
    it predicts (at least one). Overlapping dense windows merge into segments. Returns, per
    segment: the indices of its points, first and last time, and the count expected there.
    """
    order = np.argsort(ts, kind="stable")
    t = ts[order]
    n = len(t)
    if n < min_count:
        return []
    lo_all, hi_all = int(t[0]), int(t[-1])
    start = np.searchsorted(t, t, "left")
    end = np.searchsorted(t, t + window_s, "left")
    count = end - start

    def expected(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Points expected in [lo, hi) at the rate of the baseline stretches around it."""
        before = np.searchsorted(t, lo, "left") - np.searchsorted(t, lo - baseline_s, "left")
        after = np.searchsorted(t, hi + baseline_s, "left") - np.searchsorted(t, hi, "left")
        covered = (lo - np.maximum(lo - baseline_s, lo_all)).clip(0) \
            + (np.minimum(hi + baseline_s, hi_all + 1) - hi).clip(0)
        covered = np.maximum(covered, 1)
        return np.maximum((before + after) * (hi - lo) / covered, 1.0)

    dense = (count >= min_count) & (count >= min_ratio * expected(t, t + window_s))
    segments = []
    k = 0
    firsts = np.flatnonzero(dense & (start == np.arange(n)))  # one window per distinct start time
    while k < len(firsts):
        i = firsts[k]
        seg_lo, seg_end = i, end[i]
        k += 1
        while k < len(firsts) and firsts[k] < seg_end:
            seg_end = max(seg_end, end[firsts[k]])
            k += 1
        lo, hi = int(t[seg_lo]), int(t[seg_end - 1])
        exp = float(expected(np.array([lo]), np.array([max(hi + 1, lo + window_s)]))[0])
        segments.append((order[seg_lo:seg_end], lo, hi, exp))
    return segments


def _strength(n: int, expected: float, min_count: int) -> float:
    ratio = n / max(expected, 1.0)
    return float(np.clip(np.log10(ratio) / np.log10(50), 0, 1) * min(1.0, np.sqrt(n / (4 * min_count))))


def creation_burst(accounts: pa.Table, items: pa.Table | None = None, *, window_days: int = 7,
                   min_accounts: int = 5, min_ratio: float = 5.0, baseline_days: int = 365) -> pa.Table:
    """Accounts created in a burst: at least `min_accounts` within `window_days`, and `min_ratio`
    times as many as the case's rate in the `baseline_days` around predicts.

    Reads:    accounts(platform, account_id, handle, name, created_at); items(platform, account_id,
              item_id, created_at) for the items shown
    Evidence: the account's first items; details list up to 20 of the other accounts of the burst
    Sentence: "@a is one of 212 accounts in this case created 3-14 Aug 2018, 18 times the usual
              rate (12 would be expected)."
    Misleads: sign-up drives, a school or an office joining at once, accounts migrated in bulk.
    """
    check_option("creation_burst", "window_days", window_days, low=1, integer=True)
    check_option("creation_burst", "min_accounts", min_accounts, low=2, integer=True)
    check_option("creation_burst", "min_ratio", min_ratio, low=1)
    check_option("creation_burst", "baseline_days", baseline_days, low=window_days, integer=True)
    names = names_of(accounts)
    shown = first_items(items)
    rows = []
    created = seconds(accounts["created_at"])
    platforms = accounts["platform"].to_numpy(zero_copy_only=False).astype(str)
    ids = accounts["account_id"].to_numpy(zero_copy_only=False).astype(str)
    for platform in sorted(set(platforms.tolist())):
        mine = np.flatnonzero((platforms == platform) & (created != NO_TIME))
        mine = mine[np.lexsort((ids[mine],))]
        for members, lo, hi, expected in dense_segments(
                created[mine], window_s=window_days * DAY, baseline_s=baseline_days * DAY,
                min_count=min_accounts, min_ratio=min_ratio):
            who = sorted(ids[mine[members]].tolist())
            born = dict(zip(ids[mine[members]].tolist(), created[mine[members]].tolist()))
            n = len(who)
            strength = _strength(n, expected, min_accounts)
            for account in who:
                others = [a for a in who if a != account][:20]
                rows.append(signal_row(
                    "creation_burst", platform, account, strength, shown.get((platform, account), []),
                    f"{names.get((platform, account), account)} is one of {n} accounts in this case created "
                    f"{day_span(lo, hi)}, {n / expected:.0f} times the usual rate ({expected:.0f} would be expected).",
                    {"created_at": day(born[account]), "burst_first": day(lo),
                     "burst_last": day(hi), "accounts": n, "expected": round(expected, 2), "others": others}))
    return evidence_table(rows)


def _densest(ts: np.ndarray, window_s: int) -> tuple[int, int]:
    """In sorted times, the start index and count of the window of `window_s` holding the most."""
    end = np.searchsorted(ts, ts + window_s, "left")
    best = int(np.argmax(end - np.arange(len(ts))))
    return best, int(end[best] - best)


def friends_burst(relations: pa.Table, accounts: pa.Table, *, window_days: int = 30, min_friends: int = 10,
                  min_share: float = 0.7, min_ratio: float = 3.0) -> pa.Table:
    """Accounts that made most of their friends within `window_days`, long after they were created.

    The share of friendships (and follows the account made) added in its densest `window_days`
    must be at least `min_share`, and `min_ratio` times what adding friends evenly over the
    account's life (creation, or first friend, to the case's last dated friendship) would give.
    When the creation date is known, the burst must start at least `window_days` after it: a new
    account that adds its friends in its first weeks is not flagged.

    Reads:    relations(platform, account_id, kind, other_id, added_at) of kind friend (both ends)
              or follow (the follower); accounts(platform, account_id, handle, name, created_at)
    Evidence: the relations added in the burst, as items `friend:A:B` (A < B) or `follow:A:B` (A
              follows B), up to 20; a friendship stored from both ends, or a friend also followed,
              counts once, from its earliest date
    Sentence: "@a added 31 of its 35 friends 1-28 Feb 2019, though the account dates from 3 Aug 2018."
    Misleads: a person who joins a new school, job or community and befriends it at once.
    """
    check_option("friends_burst", "window_days", window_days, low=1, integer=True)
    check_option("friends_burst", "min_friends", min_friends, low=2, integer=True)
    check_option("friends_burst", "min_share", min_share, low=0, high=1)
    check_option("friends_burst", "min_ratio", min_ratio, low=1)
    table = _ties(relations)
    if not table.num_rows:
        return evidence_table()
    keys, bounds, ts, rows = per_account(table, "added_at")
    last_seen = int(ts.max()) if len(ts) else 0
    created = dict(zip(zip(accounts["platform"].to_pylist(), accounts["account_id"].to_pylist()),
                       seconds(accounts["created_at"]).tolist()))
    names = names_of(accounts)
    others = table["item_id"].to_numpy(zero_copy_only=False)
    friend = table["friend"].to_numpy(zero_copy_only=False)
    # accounts with a follow among their ties, found once: their sentence counts "friends and follows"
    follows = {k for k, f in zip(zip(table["platform"].to_pylist(), table["account_id"].to_pylist()), friend)
               if not f}
    out = []
    for j, key in enumerate(keys):
        lo, hi = bounds[j], bounds[j + 1]
        total = hi - lo
        if total < min_friends:
            continue
        t = ts[lo:hi]
        first, count = _densest(t, window_days * DAY)
        share = count / total
        born = created.get(key, NO_TIME)
        since = min(int(t[0]), born) if born != NO_TIME else int(t[0])
        life = max(last_seen - since, window_days * DAY)
        ratio = share / min(1.0, window_days * DAY / life)
        b_lo, b_hi = int(t[first]), int(t[first + count - 1])
        if share < min_share or ratio < min_ratio or (born != NO_TIME and b_lo - born < window_days * DAY):
            continue
        who = names.get(key, key[1])
        dates = f", though the account dates from {day(born)}" if born != NO_TIME else ""
        noun = "friends and follows" if key in follows else "friends"
        added = rows[lo + first:lo + first + count]
        cited = sorted(_relation_id(key[1], str(others[r]), bool(friend[r])) for r in added)[:20]
        out.append(signal_row(
            "friends_burst", key[0], key[1], min(1.0, share * min(1.0, np.log10(ratio) / np.log10(10))), cited,
            f"{who} added {count} of its {total} {noun} {day_span(b_lo, b_hi)}{dates}.",
            {"added": count, "total": total, "burst_first": day(b_lo), "burst_last": day(b_hi),
             "created_at": day(born) if born != NO_TIME else None, "ratio": round(float(ratio), 2),
             "friends": sorted(str(others[r]) for r in added)[:20]}))
    return evidence_table(out)


def _ties(relations: pa.Table) -> pa.Table:
    """One row per account and the other end of a friendship (seen from both ends) or of a follow it
    made: platform, account_id, item_id (the other end), added_at (the earliest date stored), friend."""
    kind = relations["kind"]
    cols = ["platform", "account_id", "other_id", "added_at"]
    friend = relations.filter(pc.equal(kind, "friend")).select(cols)
    follow = relations.filter(pc.equal(kind, "follow")).select(cols)
    reverse = friend.select(["platform", "other_id", "account_id", "added_at"]).rename_columns(cols)
    ends = [t.append_column("friend", pa.array(np.full(t.num_rows, is_friend), pa.bool_()))
            for t, is_friend in ((friend, True), (reverse, True), (follow, False))]
    table = pa.concat_tables([e.cast(ends[0].schema) for e in ends])
    table = table.filter(pc.and_(pc.is_valid(table["other_id"]), pc.not_equal(table["account_id"], table["other_id"])))
    ties = table.group_by(["platform", "account_id", "other_id"]).aggregate([("added_at", "min"), ("friend", "any")])
    return pa.table({"platform": ties["platform"], "account_id": ties["account_id"], "item_id": ties["other_id"],
                     "added_at": ties["added_at_min"], "friend": ties["friend_any"]})


def _relation_id(account: str, other: str, friend: bool) -> str:
    """A relation as the item that shows it, as relations.mutual names it: friend:A:B (A < B) or follow:A:B."""
    return f"friend:{min(account, other)}:{max(account, other)}" if friend else f"follow:{account}:{other}"


def upload_burst(media: pa.Table, accounts: pa.Table, *, window_days: int = 1, min_photos: int = 3,
                 min_share: float = 0.8, min_accounts: int = 5, min_ratio: float = 5.0,
                 baseline_days: int = 30) -> pa.Table:
    """Accounts whose photos were all uploaded at once: at least `min_share` of them within
    `window_days`, and either at least `min_photos` photos, or on days when at least
    `min_accounts` accounts of the case uploaded theirs (`min_ratio` times the usual rate over the
    `baseline_days` around).

    Reads:    media(platform, account_id, kind, media_id, item_id, uploaded_at); accounts(platform,
              account_id, handle, name)
    Evidence: the items the photos are attached to, else (an avatar) the media id, as same_photo
              cites them; details name the other accounts of the day
    Sentence: "@a uploaded all 4 of its photos on 7 Feb 2019, the day 212 accounts of this case
              uploaded theirs (about 9 a day is usual)."
    Misleads: a new account setting itself up; an export that dates every photo by its download.
    """
    check_option("upload_burst", "window_days", window_days, low=1, integer=True)
    check_option("upload_burst", "min_photos", min_photos, low=2, integer=True)
    check_option("upload_burst", "min_share", min_share, low=0, high=1)
    check_option("upload_burst", "min_accounts", min_accounts, low=2, integer=True)
    check_option("upload_burst", "min_ratio", min_ratio, low=1)
    check_option("upload_burst", "baseline_days", baseline_days, low=window_days, integer=True)
    media = media.filter(pc.is_valid(media["account_id"]))
    if not media.num_rows:
        return evidence_table()
    keys, bounds, ts, rows = per_account(media, "uploaded_at")
    window = window_days * DAY
    anchor = np.zeros(len(keys), np.int64)
    found = []
    for j in range(len(keys)):
        t = ts[bounds[j]:bounds[j + 1]]
        first, count = _densest(t, window)
        anchor[j] = t[first]
        found.append((first, count, len(t)))
    platforms = np.array([k[0] for k in keys])
    in_segment: dict[int, tuple[int, int, int, float]] = {}
    for platform in sorted(set(platforms.tolist())):
        mine = np.flatnonzero(platforms == platform)
        for members, lo, hi, expected in dense_segments(anchor[mine], window_s=window, baseline_s=baseline_days * DAY,
                                                        min_count=min_accounts, min_ratio=min_ratio):
            for m in mine[members]:
                in_segment[int(m)] = (len(members), lo, hi, expected)
    names = names_of(accounts)
    item_of = media["item_id"].to_numpy(zero_copy_only=False)
    media_of = media["media_id"].to_numpy(zero_copy_only=False)
    kind_of = media["kind"].to_numpy(zero_copy_only=False)
    out = []
    for j, key in enumerate(keys):
        first, count, total = found[j]
        share = count / total
        crowd = in_segment.get(j)
        if share < min_share or (count < min_photos and crowd is None):
            continue
        lo = bounds[j] + first
        picked = rows[lo:lo + count]
        b_lo, b_hi = int(ts[lo]), int(ts[lo + count - 1])
        photos = "its only photo" if total == 1 else f"all {total} of its photos" if count == total \
            else f"{count} of its {total} photos"
        when = f"on {day(b_lo)}" if b_lo // DAY == b_hi // DAY else day_span(b_lo, b_hi)  # a day's window
        # can span two calendar days (20:00 to 09:00)
        sentence = f"{names.get(key, key[1])} uploaded {photos} {when}"
        strength = share * min(1.0, count / (2 * min_photos))
        details = {"uploaded": count, "total": total, "first": day(b_lo), "last": day(b_hi),
                   "kinds": sorted({str(kind_of[r]) for r in picked})}
        if crowd is not None:
            n, c_lo, c_hi, expected = crowd
            sentence += (f", when {n} accounts of this case uploaded theirs"
                         f" (about {expected:.0f} would be expected)")
            strength = max(strength, share * _strength(n, expected, min_accounts))
            details.update({"accounts_that_day": n, "expected": round(expected, 2)})
        out.append(signal_row("upload_burst", key[0], key[1], strength,
                              sorted({str(item_of[r] if item_of[r] is not None else media_of[r]) for r in picked}),
                              sentence + ".",
                              details))
    return evidence_table(out)
