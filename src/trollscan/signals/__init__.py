"""Per-account signals: the small signs reporters judge one account by, each a pure detector.

Each takes canonical tables (Arrow) and keyword options with units, and returns evidence rows
(`trollscan.evidence`) naming one account, with dates in the sentence. None reads another
detector's output, except `name_photo_mismatch`, which says what the names add to a photo finding
(and so counts in the photo family of the verdicts, never as a reason of its own). `SIGNALS`
registers them, one line each, with the tables they read in order.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from ..errors import BadParameter
from .bursts import creation_burst, friends_burst, upload_burst
from .names import name_photo_mismatch
from .profile import account_age, thin_profile, username_pattern
from .schedule import mechanical_cadence, working_hours
from .targets import target_concentration, watched_accounts

__all__ = ["Signal", "SIGNALS", "account_age", "creation_burst", "thin_profile", "friends_burst", "upload_burst",
           "target_concentration", "working_hours", "mechanical_cadence", "username_pattern", "watched_accounts",
           "name_photo_mismatch", "run_signal"]


@dataclass(frozen=True)
class Signal:
    name: str
    function: Callable[..., pa.Table]
    reads: tuple[str, ...]  # the tables it takes, in order: accounts, items, relations, media, watchlist,
    # photo_evidence (the photo step's findings: the one signal that builds on another detector's)
    title: str  # a few words for reason lists and docs

    @property
    def defaults(self) -> dict:
        """Its options and their default values."""
        return {p.name: p.default for p in inspect.signature(self.function).parameters.values()
                if p.kind is inspect.Parameter.KEYWORD_ONLY}


SIGNALS: dict[str, Signal] = {s.name: s for s in [
    Signal("account_age", account_age, ("accounts", "items"), "young when it first acted"),
    Signal("creation_burst", creation_burst, ("accounts", "items"), "created in a burst"),
    Signal("thin_profile", thin_profile, ("accounts", "items"), "thin profile"),
    Signal("friends_burst", friends_burst, ("relations", "accounts"), "friends added in a burst"),
    Signal("upload_burst", upload_burst, ("media", "accounts"), "photos uploaded in a burst"),
    Signal("target_concentration", target_concentration, ("items", "accounts", "watchlist"), "acts on few pages"),
    Signal("working_hours", working_hours, ("items", "accounts"), "office-hours or no-sleep schedule"),
    Signal("mechanical_cadence", mechanical_cadence, ("items", "accounts"), "acts at fixed intervals"),
    Signal("username_pattern", username_pattern, ("accounts", "items"), "name-plus-digits handle"),
    Signal("name_photo_mismatch", name_photo_mismatch, ("accounts", "photo_evidence"),
           "someone else's photo under another name, or under that person's name"),
]}


def run_signal(signal: Signal, tables: dict[str, pa.Table | None], **options) -> pa.Table:
    """Run one signal over `tables` (by name) with `options` (unknown ones are an error)."""
    unknown = set(options) - set(signal.defaults)
    if unknown:
        raise BadParameter(f"{signal.name} has no option {sorted(unknown)[0]!r}.",
                           f"Its options: {', '.join(signal.defaults)}.")
    return signal.function(*(tables.get(name) for name in signal.reads), **options)
