"""The simulated world while it is built: accounts, items, relations, media, in columns of indices.

Accounts and items are numbered in the order they are made; ids are given at the end, in order of
creation time (as platforms number them), so nothing depends on the order the parts were built.
Times are int64 seconds since the epoch, UTC; local time is UTC+6 (Almaty and Bishkek).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np
import pyarrow as pa

from .presets import Preset

__all__ = ["World", "LOCAL_OFFSET_S", "DAY_S", "epoch", "local_hour_times", "pick_days"]

LOCAL_OFFSET_S = 6 * 3600
DAY_S = 86_400
# Share of a person's activity in each local hour: low at night, peaks at lunch and in the evening.
_DIURNAL = np.array([1.2, 0.6, 0.3, 0.2, 0.2, 0.3, 0.8, 1.8, 3.0, 3.6, 3.8, 4.0, 5.0, 4.8, 4.0, 3.8,
                     4.0, 4.4, 5.0, 5.6, 6.2, 6.6, 5.4, 3.0])
_DIURNAL = _DIURNAL / _DIURNAL.sum()


def epoch(text: str) -> int:
    """Seconds since the epoch of an ISO date or time written in UTC."""
    return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp())


def pick_days(rng: np.random.Generator, days_utc0: np.ndarray, n: int, weekend: float = 1.35) -> np.ndarray:
    """`n` local days drawn from `days_utc0`, weekends `weekend` times as likely (the weekly rhythm)."""
    weekday = ((days_utc0 + LOCAL_OFFSET_S) // DAY_S + 3) % 7
    weight = np.where(weekday >= 5, weekend, 1.0)
    return days_utc0[rng.choice(len(days_utc0), n, p=weight / weight.sum())]


def local_hour_times(rng: np.random.Generator, days_utc0: np.ndarray) -> np.ndarray:
    """A time on each given local day (its local midnight in UTC), at an hour drawn from the daily rhythm."""
    hours = rng.choice(24, size=len(days_utc0), p=_DIURNAL)
    return days_utc0 + hours * 3600 + rng.integers(0, 3600, len(days_utc0))


@dataclass(frozen=True)
class _Const:
    """`size` rows holding one value (most item columns are empty): stored once, not per row."""

    value: object
    size: int


@dataclass
class _Columns:
    """Columns appended in chunks; `get(name)` joins them into numpy, `get_arrow(name)` into Arrow."""

    names: tuple[str, ...]
    chunks: dict[str, list] = field(default_factory=dict)
    n: int = 0

    def add(self, **cols) -> np.ndarray:
        """Append rows; the indices of the new rows."""
        lengths = {len(v) for v in cols.values() if not np.isscalar(v) and v is not None}
        assert len(lengths) == 1, f"columns of different lengths: {lengths}"
        size = lengths.pop()
        for name in self.names:
            value = cols.get(name)
            if value is None or np.isscalar(value):
                value = _Const(value, size)
            elif name == "text" and not isinstance(value, pa.Array):
                value = pa.array(list(value), pa.string())
            self.chunks.setdefault(name, []).append(value)
        start = self.n
        self.n += size
        return np.arange(start, self.n)

    def get_arrow(self, name: str, type: pa.DataType = pa.string()) -> pa.Array:
        """A column as one Arrow array of `type`."""
        parts = []
        for p in self.chunks.get(name, []):
            if isinstance(p, _Const):
                parts.append(pa.nulls(p.size, type) if p.value is None else pa.array([p.value] * p.size, type))
            elif isinstance(p, pa.Array):
                parts.append(p.cast(type) if p.type != type else p)
            else:
                parts.append(pa.array(p, type))
        return pa.concat_arrays(parts) if parts else pa.array([], type)

    def get(self, name: str, dtype=None) -> np.ndarray:
        parts = self.chunks.get(name, [])
        if not parts:
            return np.zeros(0, dtype=dtype or object)
        arrays = []
        for p in parts:
            if isinstance(p, _Const):
                arrays.append(np.full(p.size, p.value, dtype=dtype or object))
            elif isinstance(p, pa.Array):
                arrays.append(np.asarray(p.to_pylist(), dtype=dtype or object))
            else:
                arrays.append(np.asarray(p, dtype=dtype or object))
        return np.concatenate(arrays)


ACCOUNT_COLUMNS = ("created_at", "persona", "name", "handle", "bio", "location", "is_fake", "farm",
                   "operator", "community", "platform", "status")
ITEM_COLUMNS = ("kind", "author", "created_at", "parent", "target", "text", "reaction", "hashtags",
                "urls", "media", "language")
RELATION_COLUMNS = ("account", "kind", "other", "other_name", "added_at")


@dataclass
class World:
    preset: Preset
    scale: float
    seed: int
    rng: np.random.Generator
    t0: int  # first second of the window: local midnight of its first day, in UTC
    t1: int  # first second after it
    accounts: _Columns = field(default_factory=lambda: _Columns(ACCOUNT_COLUMNS))
    items: _Columns = field(default_factory=lambda: _Columns(ITEM_COLUMNS))
    relations: _Columns = field(default_factory=lambda: _Columns(RELATION_COLUMNS))
    # media: (person key, photo number, transform, account index, item index or -1, kind, uploaded_at)
    media: list[tuple[str, int, str, int, int, str, int]] = field(default_factory=list)
    site_comments: list[dict] = field(default_factory=list)  # news-site comment log rows
    chats: dict[str, dict] = field(default_factory=dict)  # farm -> {"id", "name", "messages": [...]}
    farms: dict[str, dict] = field(default_factory=dict)  # farm -> what truth says about it
    pages: dict[str, np.ndarray] = field(default_factory=dict)  # client -> watched account indices
    page_index: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    page_weight: np.ndarray = field(default_factory=lambda: np.zeros(0))
    people: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # organic persons
    avatar_of: dict[int, str] = field(default_factory=dict)  # organic account -> its person key
    story: dict = field(default_factory=dict)
    # (item index, author, time) of the organic posts, once the population has written them
    post_cache: tuple[np.ndarray, np.ndarray, np.ndarray] = (np.zeros(0, np.int64),) * 3
    fixed_id: dict[int, str] = field(default_factory=dict)  # accounts whose id is not numbered by time

    def post_author(self, post: int) -> int:
        """The author of an organic post, by its item index."""
        index, author, _when = self.post_cache
        cached = getattr(self, "_post_sorted", None)
        if cached is None or len(cached[0]) != len(index):
            order = np.argsort(index)
            cached = self._post_sorted = (index[order], author[order])
        return int(cached[1][np.searchsorted(cached[0], post)])

    @property
    def platform(self) -> str:
        return self.preset.platform

    def n(self, count: float, minimum: int = 1) -> int:
        """A count at this scale."""
        return max(minimum, int(round(count * self.scale)))

    def posts_by(self, authors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Indices and times of the posts by any of `authors`, sorted by time."""
        index, author, when = self.post_cache
        pick = np.flatnonzero(np.isin(author, authors))
        order = np.argsort(when[pick], kind="stable")
        return index[pick][order], when[pick][order]

    def local_midnights(self, weekends: bool = True) -> np.ndarray:
        """The UTC second of each local midnight in the window (weekdays only unless `weekends`)."""
        days = self.t0 + DAY_S * np.arange((self.t1 - self.t0) // DAY_S, dtype=np.int64)
        if not weekends:
            weekday = ((days + LOCAL_OFFSET_S) // DAY_S + 3) % 7  # 1970-01-01 was a Thursday
            days = days[weekday < 5]
        return days
