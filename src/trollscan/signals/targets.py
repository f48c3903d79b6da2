"""Where an account acts: only on the pages the reporter watches, or on a handful of pages
("comments solely on the pages of the Foundation, Mazhilis, Nur Otan")."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..evidence import evidence_table
from .frame import check_option, day_span, names_of, per_account, signal_row
from .profile import RESPONSE_KINDS

__all__ = ["target_concentration", "watched_accounts", "watch_key", "WATCH_KEY_SQL"]

# How a watch-list target and an account's id, handle or profile URL are compared, written once for
# Python and once for SQL (store.verdicts), which must agree: surrounding blanks dropped, lower
# case, no leading '@', no trailing '/'. So "@NurOtan", "nurotan" and "https://vk.com/NurOtan/"
# name the account with handle nurotan or URL https://vk.com/nurotan.
_BLANKS = " \t\n\r\x0b\x0c"
WATCH_KEY_SQL = "rtrim(ltrim(lower(trim({0}, ' \t\n\r\x0b\x0c')), '@'), '/')"  # format with a column name


def watch_key(value: str | None) -> str | None:
    """A watch-list target, or an account's id, handle or URL, as the two are compared (see
    WATCH_KEY_SQL, its twin in SQL); None for None."""
    if value is None:
        return None
    value = value.strip(_BLANKS)
    # each character on its own, as SQL's lower() does: no final sigma, and İ becomes i
    lowered = value.lower() if value.isascii() else "".join(c.lower()[:1] for c in value)
    return lowered.lstrip("@").rstrip("/")


def watched_accounts(watchlist: pa.Table | None, accounts: pa.Table) -> set[tuple[str, str]]:
    """The (platform, account_id) of the watch list's targets: a target matches an account when
    `watch_key` of the target equals that of its id, handle or profile URL; a watch row without a
    platform matches on every platform."""
    if watchlist is None or not watchlist.num_rows:
        return set()
    wanted: dict[str, set[str | None]] = {}
    for platform, target in zip(watchlist["platform"].to_pylist(), watchlist["target"].to_pylist()):
        key = watch_key(target)
        if key:
            wanted.setdefault(key, set()).add(platform)
    out = set()
    url = accounts["url"].to_pylist() if "url" in accounts.column_names else [None] * accounts.num_rows
    handle = accounts["handle"].to_pylist() if "handle" in accounts.column_names else [None] * accounts.num_rows
    for platform, account, h, u in zip(accounts["platform"].to_pylist(), accounts["account_id"].to_pylist(), handle, url):
        for value in (account, h, u):
            platforms = wanted.get(watch_key(value))
            if platforms and (None in platforms or platform in platforms):
                out.add((platform, account))
                break
    return out


def target_concentration(items: pa.Table, accounts: pa.Table, watchlist: pa.Table | None = None, *,
                         min_items: int = 10, min_watched_share: float = 0.5, top_targets: int = 3,
                         min_top_share: float = 0.85) -> pa.Table:
    """Accounts whose comments, reactions and shares (at least `min_items`) fall on watched pages
    (at least `min_watched_share` of them, when the case has a watch list), or on at most
    `top_targets` pages or people (at least `min_top_share` of them; only on platforms whose items
    fall on at least ten places, and three times `top_targets`).

    Reads:    items(platform, item_id, account_id, kind, created_at, target_id, parent_account_id);
              accounts(platform, account_id, handle, name, url) to name targets; watchlist(platform, target)
    Evidence: up to ten of its items on those targets
    Sentence: "@a wrote 141 of its 143 comments, reactions and shares (99%) on watched pages: Nur Otan,
              Мажилис Парламента РК (4-28 Feb 2019)."
    Misleads: real supporters and fans, a page's own staff, moderators, people who follow one topic.
    """
    check_option("target_concentration", "min_items", min_items, low=1, integer=True)
    check_option("target_concentration", "min_watched_share", min_watched_share, low=0, high=1)
    check_option("target_concentration", "top_targets", top_targets, low=1, integer=True)
    check_option("target_concentration", "min_top_share", min_top_share, low=0, high=1)
    acts = items.filter(pc.is_in(items["kind"], pa.array(RESPONSE_KINDS)))
    target = pc.coalesce(acts["target_id"], acts["parent_account_id"]) if "parent_account_id" in acts.column_names \
        else acts["target_id"]
    acts = acts.append_column("_target", target).filter(pc.is_valid(target))
    if not acts.num_rows:
        return evidence_table()
    names = names_of(accounts)
    full_name = dict(zip(zip(accounts["platform"].to_pylist(), accounts["account_id"].to_pylist()),
                         accounts["name"].to_pylist())) if "name" in accounts.column_names else {}
    watched = watched_accounts(watchlist, accounts)
    # a platform with only a handful of places to act (one chat, a few channels) says nothing by its
    # narrowness: everyone there acts on few targets
    per_platform = acts.group_by("platform").aggregate([("_target", "count_distinct")]).to_pylist()
    varied = {r["platform"] for r in per_platform if r["_target_count_distinct"] >= max(10, 3 * top_targets)}
    keys, bounds, ts, rows = per_account(acts, "created_at")
    targets = acts["_target"].to_numpy(zero_copy_only=False)
    ids = acts["item_id"].to_numpy(zero_copy_only=False)
    out = []
    for j, key in enumerate(keys):
        lo, hi = bounds[j], bounds[j + 1]
        n = hi - lo
        if n < min_items:
            continue
        mine = rows[lo:hi]
        counts = Counter(targets[mine].tolist())
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        label = lambda t: full_name.get((key[0], t)) or names.get((key[0], t), t)  # noqa: E731
        span = day_span(int(ts[lo]), int(ts[hi - 1]))
        who = names.get(key, key[1])
        on_watched = [t for t, _c in ranked if (key[0], t) in watched]
        n_watched = sum(counts[t] for t in on_watched)
        top = ranked[:top_targets]
        n_top = sum(c for _t, c in top)
        if watched and n_watched / n >= min_watched_share:
            share, chosen, how = n_watched / n, on_watched, "on watched pages"
            strength = (share - min_watched_share) / max(1 - min_watched_share, 1e-9) * 0.5 + 0.5
        elif key[0] in varied and n_top / n >= min_top_share:
            share, chosen = n_top / n, [t for t, _c in top]
            how = "on one page or person" if len(chosen) == 1 else f"on just {len(chosen)} pages or people"
            strength = (share - min_top_share) / max(1 - min_top_share, 1e-9) * 0.5 + 0.5
        else:
            continue
        strength *= min(1.0, np.sqrt(n / (3 * min_items)))
        count = sum(counts[t] for t in chosen)
        listed = ", ".join(label(t) for t in chosen[:4]) + (f" and {len(chosen) - 4} more" if len(chosen) > 4 else "")
        chosen_set = set(chosen)
        shown = [str(ids[r]) for r in mine if targets[r] in chosen_set][:10]
        out.append(signal_row(
            "target_concentration", key[0], key[1], strength, shown,
            f"{who} wrote {count} of its {n} comments, reactions and shares ({share:.0%}) {how}: {listed} ({span}).",
            {"items": n, "on_targets": count, "share": round(share, 3), "targets": chosen[:20],
             "watch_list": how == "on watched pages", "distinct_targets": len(counts)}))
    return evidence_table(out)
