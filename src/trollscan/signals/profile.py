"""What an account's profile says: how young it was when it first acted, whether it has any
personal life, and whether its handle looks mass-made ("minimum personal data", "no single
personal comment", aisulu_8080)."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..evidence import evidence_table
from .frame import NO_TIME, check_option, day, day_span, first_items, names_of, per_account, seconds, signal_row

__all__ = ["account_age", "thin_profile", "username_pattern", "RESPONSE_KINDS"]

DAY = 86_400
RESPONSE_KINDS = ("comment", "reply", "reaction", "share", "quote")  # acting on others' items


def account_age(accounts: pa.Table, items: pa.Table, *, max_age_days: int = 365) -> pa.Table:
    """Accounts that were young when they first acted in the case: created at most
    `max_age_days` before their first item. Strength falls from 1 (created the same day) to 0.

    Reads:    accounts(platform, account_id, handle, name, created_at); items(platform, item_id,
              account_id, created_at)
    Evidence: the account's first items
    Sentence: "@a was created on 3 Aug 2018 and first acted in this case on 4 Feb 2019, 185 days later."
    Misleads: real people who joined for the event (an election, a protest) they comment on.
    """
    check_option("account_age", "max_age_days", max_age_days, low=1, integer=True)
    if not items.num_rows:
        return evidence_table()
    grouped = keys, bounds, ts, _rows = per_account(items, "created_at")
    shown = first_items(items, grouped=grouped)
    created = dict(zip(zip(accounts["platform"].to_pylist(), accounts["account_id"].to_pylist()),
                       seconds(accounts["created_at"]).tolist()))
    names = names_of(accounts)
    out = []
    for j, key in enumerate(keys):
        born = created.get(key, NO_TIME)
        if born == NO_TIME:
            continue
        first = int(ts[bounds[j]])
        age = (first - born) / DAY
        if age > max_age_days or age < -1:  # created after it acted: a data error, not a young account
            continue
        age = max(age, 0.0)
        later = "the same day" if age < 1 else f"{age:.0f} day{'s' if round(age) != 1 else ''} later"
        out.append(signal_row(
            "account_age", key[0], key[1], 1 - age / max_age_days, shown[key],
            f"{names.get(key, key[1])} was created on {day(born)} and first acted in this case on {day(first)}, "
            f"{later}.", {"created_at": day(born), "first_acted": day(first), "age_days": round(age, 1)}))
    return evidence_table(out)


def thin_profile(accounts: pa.Table, items: pa.Table, *, min_items: int = 5, min_marks: int = 3,
                 min_response_share: float = 0.95) -> pa.Table:
    """Accounts with almost no personal life, judged on four marks: no bio, no location, no post of
    its own with words in it, and (with at least `min_items` items) at least
    `min_response_share` of its items comments, reactions or shares on others' items. Flagged with
    `min_marks` of the four; strength is the share of marks.

    Reads:    accounts(platform, account_id, handle, name, bio, location); items(platform,
              item_id, account_id, kind, created_at, text, or a boolean has_text instead)
    Evidence: up to ten of its comments and reactions
    Sentence: "@a has no bio, no location and no post of its own: all 143 of its items are
              comments, reactions or shares on others' posts (4-28 Feb 2019)."
    Misleads: quiet real people who only read and react; collections that did not fetch profiles.
    """
    check_option("thin_profile", "min_items", min_items, low=1, integer=True)
    check_option("thin_profile", "min_marks", min_marks, low=1, high=4, integer=True)
    check_option("thin_profile", "min_response_share", min_response_share, low=0, high=1)
    kind = items["kind"].to_numpy(zero_copy_only=False)
    if "has_text" in items.column_names:  # readers of big cases send a flag instead of the texts
        worded = pc.fill_null(items["has_text"], False)
    else:
        text = items["text"] if "text" in items.column_names else pa.nulls(items.num_rows, pa.string())
        worded = pc.fill_null(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(text)), 0), False)
    own = (kind == "post") & worded.to_numpy(zero_copy_only=False)
    response = np.isin(kind, RESPONSE_KINDS)
    keys, bounds, ts, rows = per_account(items, "created_at") if items.num_rows else ([], [0], [], [])
    activity = {k: (bounds[j], bounds[j + 1]) for j, k in enumerate(keys)}
    ids = items["item_id"].to_numpy(zero_copy_only=False)
    names = names_of(accounts)
    blank = lambda c: pc.fill_null(pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(  # noqa: E731
        accounts[c] if c in accounts.column_names else pa.nulls(accounts.num_rows, pa.string()))), 0),
        True).to_pylist()
    platforms = accounts["platform"].to_pylist()
    no_bio, no_place = blank("bio"), blank("location")
    # a platform whose accounts carry no bio (or location) at all, like a site's comment log: the
    # mark says nothing there
    told = {c: {p for p, blank_ in zip(platforms, marks) if not blank_} for c, marks in (("bio", no_bio),
                                                                                          ("location", no_place))}
    out = []
    for platform, account, bio_blank, place_blank in zip(platforms, accounts["account_id"].to_pylist(), no_bio,
                                                         no_place):
        key = (platform, account)
        lo, hi = activity.get(key, (0, 0))
        mine = rows[lo:hi]
        n = hi - lo
        if n == 0:
            continue  # an account that did nothing in the case is no finding
        n_own = int(own[mine].sum())
        n_resp = int(response[mine].sum())
        only_responses = n >= min_items and n_resp / n >= min_response_share
        marks = {"no bio": bio_blank and platform in told["bio"],
                 "no location": place_blank and platform in told["location"], "no post of its own": n_own == 0,
                 "responses only": only_responses}
        if sum(marks.values()) < min_marks:
            continue
        lacks = [m for m in ("no bio", "no location", "no post of its own") if marks[m]]
        said = ", ".join(lacks[:-1]) + (" and " if len(lacks) > 1 else "") + lacks[-1] if lacks else ""
        span = day_span(int(ts[lo]), int(ts[hi - 1]))
        if only_responses:
            share = "all" if n_resp == n else f"{n_resp} of"
            tail = f"{share} {n} of its items are comments, reactions or shares on others' posts ({span})"
            sentence = f"{names.get(key, account)} has {said}: {tail}." if said else \
                f"{names.get(key, account)}: {tail}."
        else:
            sentence = f"{names.get(key, account)} has {said} ({n} items, {span})."
        shown = [str(ids[r]) for r in mine[response[mine]][:10]] or [str(ids[r]) for r in mine[:10]]
        out.append(signal_row("thin_profile", platform, account, sum(marks.values()) / 4, shown, sentence,
                              {"marks": sorted(m for m, v in marks.items() if v), "items": n, "own_posts": n_own,
                               "responses": n_resp}))
    return evidence_table(out)


# A handle that is a name and a run of digits: aisulu_8080, madina.8181_512, nurlan19872
_NAME_DIGITS = re.compile(r"^(?P<name>[^\W\d_]{2,}(?:[._][^\W\d_]{2,})?)[._-]?(?P<digits>\d[\d._-]*\d)$")
_REPEATED = re.compile(r"(\d{2,})\1")


def username_pattern(accounts: pa.Table, items: pa.Table | None = None, *, min_digits: int = 4) -> pa.Table:
    """Handles that are a name followed by at least `min_digits` digits, the shape sign-up forms
    suggest and farms register in bulk; stronger when the digits repeat a group (8080, 4545).

    Reads:    accounts(platform, account_id, handle, name); items(platform, item_id, account_id,
              created_at) for the items shown
    Evidence: the account's first items (the handle they were written under); an account with no
              item in the case says so in its sentence
    Sentence: "@aisulu_8080's handle is a name plus the digits 8080, a repeated group, as in
              accounts made in bulk."
    Misleads: many real people pick a name and their birth year or a lucky number; a weak sign alone.
    """
    check_option("username_pattern", "min_digits", min_digits, low=1, integer=True)
    shown = first_items(items)
    out = []
    for platform, account, handle in zip(accounts["platform"].to_pylist(), accounts["account_id"].to_pylist(),
                                         accounts["handle"].to_pylist()):
        m = _NAME_DIGITS.match(handle or "")
        if not m:
            continue
        digits = re.sub(r"\D", "", m["digits"])
        if len(digits) < min_digits:
            continue
        repeated = _REPEATED.search(digits)
        what = f"the digits {m['digits']}" + (", a repeated group," if repeated else "")
        cited = shown.get((platform, account), [])
        sentence = f"@{handle}'s handle is a name plus {what} as in accounts made in bulk."
        if not cited:
            sentence = sentence[:-1] + "; the account wrote nothing in this case, so its profile is the only evidence."
        out.append(signal_row(
            "username_pattern", platform, account, 0.8 if repeated else 0.5, cited, sentence,
            {"handle": handle, "name_part": m["name"], "digits": digits, "repeated": bool(repeated)}))
    return evidence_table(out)
