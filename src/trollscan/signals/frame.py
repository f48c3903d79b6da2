"""What every per-account signal needs: times as seconds, accounts as codes, names and dates for
sentences, and the evidence row of one account. Plain functions over Arrow columns."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import BadParameter

__all__ = ["NO_TIME", "seconds", "names_of", "day", "day_span", "signal_row", "check_option", "per_account",
           "first_items"]


NO_TIME = np.iinfo(np.int64).min  # what `seconds` gives for a missing time
_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def seconds(column) -> np.ndarray:
    """A timestamp column as int64 seconds since the epoch (UTC), fractions of a second dropped
    (floored, so 09:12:44.5 is 09:12:44 and times before 1970 round down too); missing times as
    NO_TIME (INT64_MIN)."""
    col = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not pa.types.is_timestamp(col.type):
        return pc.fill_null(pc.cast(col, pa.int64()), NO_TIME).to_numpy(zero_copy_only=False)
    ticks = pc.cast(col, pa.int64())  # the stored count of units since the epoch, whatever the zone
    valid = pc.is_valid(ticks).to_numpy(zero_copy_only=False)
    out = np.floor_divide(pc.fill_null(ticks, 0).to_numpy(zero_copy_only=False), _PER_SECOND[col.type.unit])
    out[~valid] = NO_TIME
    return out


def names_of(accounts: pa.Table) -> dict[tuple[str, str], str]:
    """How to name each account in a sentence: @handle, else the display name, else the id."""
    out = {}
    cols = [accounts[c].to_pylist() if c in accounts.column_names else [None] * accounts.num_rows
            for c in ("platform", "account_id", "handle", "name")]
    for platform, account_id, handle, name in zip(*cols):
        out[(platform, account_id)] = f"@{handle}" if handle else (name or account_id)
    return out


def day(ts: int) -> str:
    """A UTC second as a date a reporter writes: 3 Aug 2018."""
    d = datetime.fromtimestamp(int(ts), timezone.utc)
    return f"{d.day} {d:%b %Y}"


def day_span(lo: int, hi: int) -> str:
    """Two UTC seconds as a span of days: "3-9 Aug 2018", "30 Jul-2 Aug 2018", or one day."""
    a, b = datetime.fromtimestamp(int(lo), timezone.utc), datetime.fromtimestamp(int(hi), timezone.utc)
    if a.date() == b.date():
        return day(lo)
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}-{b.day} {b:%b %Y}"
    if a.year == b.year:
        return f"{a.day} {a:%b}-{b.day} {b:%b %Y}"
    return f"{day(lo)}-{day(hi)}"


def signal_row(name: str, platform: str, account_id: str, strength: float, item_ids: list[str], sentence: str,
               details: dict) -> dict:
    """One evidence row about one account, detector `signals.<name>`."""
    return {"detector": f"signals.{name}", "platform": platform, "account_ids": [account_id],
            "strength": float(min(1.0, max(0.0, strength))), "item_ids": [str(i) for i in item_ids],
            "sentence": sentence, "details": json.dumps(details, ensure_ascii=False, sort_keys=True,
                                                                  default=_plain)}


def _plain(value):
    """numpy numbers as Python numbers, for JSON."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def check_option(detector: str, name: str, value, *, low: float, high: float | None = None,
                 integer: bool = False) -> None:
    """Raise BadParameter unless `value` lies in [low, high] (and is an int when `integer`)."""
    kind = "an int" if integer else "a number"
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and (not integer or isinstance(value, int))
    if not ok or value < low or (high is not None and value > high):
        bound = f">= {low}" if high is None else f"between {low} and {high}"
        raise BadParameter(f"The '{name}' parameter of {detector} must be {kind} {bound}; got {value!r}.")


def per_account(table: pa.Table, time_column: str) -> tuple[list[tuple[str, str]], np.ndarray, np.ndarray,
                                                           np.ndarray]:
    """Rows with a time grouped by account, in a stable order (platform, account, time, row).

    Returns the (platform, account_id) keys, for each key the start offset into the sorted rows
    (one more offset at the end), the sorted times, and the input row of each sorted time. Rows
    without a time are left out; ties in time are ordered by `item_id` when the table has one.
    """
    ts = seconds(table[time_column])
    keep = np.flatnonzero(ts != NO_TIME)
    key = pc.binary_join_element_wise(pc.cast(table["platform"], pa.string()),
                                      pc.cast(table["account_id"], pa.string()), "\x00")
    key = key.combine_chunks() if isinstance(key, pa.ChunkedArray) else key
    encoded = pc.dictionary_encode(key.take(pa.array(keep)))
    a_code = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    dictionary = encoded.dictionary.to_pylist()
    # accounts in the order of their keys, so that the result does not depend on row order
    rank = np.empty(len(dictionary), np.int64)
    rank[sorted(range(len(dictionary)), key=dictionary.__getitem__)] = np.arange(len(dictionary))
    a_rank = rank[a_code]
    tie = keep
    if "item_id" in table.column_names:  # ties in time broken by item id, not by row order
        ids = pc.cast(table["item_id"], pa.string()).to_numpy(zero_copy_only=False)[keep].astype(str)
        tie = np.argsort(np.argsort(ids, kind="stable"), kind="stable")
    order = np.lexsort((tie, ts[keep], a_rank))
    sorted_rank = a_rank[order]
    starts = np.flatnonzero(np.r_[True, sorted_rank[1:] != sorted_rank[:-1]]) if len(order) else np.zeros(0, np.int64)
    names = [tuple(dictionary[c].split("\x00", 1)) for c in a_code[order][starts]]
    return names, np.r_[starts, len(order)], ts[keep][order], keep[order]


def first_items(items: pa.Table | None, *, limit: int = 3,
                grouped: tuple[list, np.ndarray, np.ndarray, np.ndarray] | None = None
                ) -> dict[tuple[str, str], list[str]]:
    """Each account's first `limit` items (by time, then item id), to show that it acted.

    `grouped`: what `per_account(items, "created_at")` returned, when the caller has it already."""
    if items is None or not items.num_rows:
        return {}
    keys, bounds, _ts, rows = grouped if grouped is not None else per_account(items, "created_at")
    ids = items["item_id"].to_numpy(zero_copy_only=False)
    return {k: [str(ids[r]) for r in rows[bounds[j]:min(bounds[j] + limit, bounds[j + 1])]]
            for j, k in enumerate(keys)}
