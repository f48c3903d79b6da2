"""Rows an adapter gathers from nested records before it hands them to the store, a batch at a time.

Platform exports repeat the same account on every post and the same photo on every share; a batch
keeps each account, relation and media row once (accounts merged field by field, as the store does)
and hands over about `batch_rows` rows at a time, so memory stays bounded however large the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import orjson
import pyarrow as pa

from .. import settings
from .base import Chunk, rows_to_table
from .media_link import MediaFiles

__all__ = ["Rows", "as_count", "as_id", "as_text", "json_text", "slices"]

# Rows gathered as Python dicts cost about 1 KB each (ten times their Arrow size): a batch holds at
# most this many, whatever TROLLSCAN_BATCH_ROWS says, so a reader's memory stays near 100 MB.
_MAX_DICT_ROWS = 65_536


class Rows:
    """Rows of one batch: items, accounts, relations and media, each key given once."""

    def __init__(self) -> None:
        self.limit = min(settings.get("batch_rows"), _MAX_DICT_ROWS)
        self._reset()

    def _reset(self) -> None:
        self._items: dict[str, dict] = {}
        self._clashes: list[dict] = []  # a repeated item id with other content: the store reports it
        self._accounts: dict[str, dict] = {}
        self._relations: dict[tuple, dict] = {}
        self._media: dict[tuple, dict] = {}
        self.size = 0

    @property
    def full(self) -> bool:
        return self.size >= self.limit

    def item(self, row: dict) -> None:
        self.size += 1
        had = self._items.get(row["item_id"])
        if had is None:
            self._items[row["item_id"]] = row
        elif any(had.get(k) != row.get(k) for k in ("kind", "account_id", "created_at", "text")):
            self._clashes.append(row)

    def account(self, row: dict) -> None:
        self.size += 1
        had = self._accounts.get(row["account_id"])
        if had is None:
            self._accounts[row["account_id"]] = row
            return
        for key, value in row.items():  # first non-empty value wins, as in the store
            if had.get(key) in (None, "") and value not in (None, ""):
                had[key] = value

    def account_and_avatar(self, row: dict | None, files: MediaFiles) -> None:
        """An account, and its profile photo as a media row (linked to the file when it is on disk)."""
        if row is None:
            return
        self.account(row)
        avatar = row.get("avatar")
        if avatar:
            media = files.row(platform=row["platform"], kind="avatar", rec=row["_rec"], url=avatar,
                              account_id=row["account_id"])
            if media is not None:
                self.media(media)

    def relation(self, row: dict) -> None:
        self.size += 1
        self._relations.setdefault((row["account_id"], row["kind"], row["other_id"]), row)

    def media(self, row: dict) -> None:
        self.size += 1
        self._media.setdefault((row["media_id"], row["kind"], row.get("account_id"), row.get("item_id")), row)

    def chunks(self) -> Iterator[Chunk]:
        """The batch as chunks (then empty)."""
        if self._items:
            yield Chunk("items", rows_to_table("items", [*self._items.values(), *self._clashes]))
        if self._accounts:
            yield Chunk("accounts", rows_to_table("accounts", self._accounts.values()))
        if self._relations:
            yield Chunk("relations", rows_to_table("relations", self._relations.values()))
        if self._media:
            yield Chunk("media", rows_to_table("media", self._media.values()))
        self._reset()


def as_text(value: object) -> str | None:
    """A scalar as text (whole floats without '.0'); None for empty values, objects and lists."""
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def as_id(value: object) -> str | None:
    """An id as text: numbers without '.0', strings stripped; booleans are not ids."""
    if isinstance(value, bool):
        return None
    text = as_text(value)
    return text.strip() if text else None


def as_count(value: object) -> int | None:
    """A count from a number, a numeric string or {"count": n}; None when it is none of those."""
    if isinstance(value, dict):
        value = value.get("count")
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value)
    text = str(value).strip().replace(",", "").replace("\u00a0", "")
    return int(text) if text.isdigit() else None


def json_text(value: dict) -> str | None:
    """A dict of kept fields as JSON text, leaving out empty values; None when nothing is left."""
    kept = {k: v for k, v in value.items() if v not in (None, "", [], {})}
    return orjson.dumps(kept).decode() if kept else None


def slices(batches: Iterable[pa.RecordBatch], rows: int = 16_384) -> Iterator[pa.RecordBatch]:
    """Arrow batches cut into pieces small enough to turn into Python values a piece at a time."""
    for batch in batches:
        for start in range(0, batch.num_rows, rows):
            yield batch.slice(start, rows)
