"""Whom a reply answers: the parent's author, filled in from the case when a source leaves it out.

Many exports name a reply's parent item but not its author (a Telegram chat's `reply_to_message_id`,
a canonical CSV of comments with `parent_id` only). The group profiles ("the real accounts they
serve") and the target signals read `parent_account_id`, so a load fills it in from the parent item
whenever the case holds that item: for the load's own replies, and for replies loaded earlier whose
parent arrives now. A stored author is never replaced; only the gap is filled.
"""

from __future__ import annotations

import duckdb

__all__ = ["fill_parent_authors"]

_FILL = """
UPDATE items AS r SET parent_account_id = p.account_id
FROM (SELECT platform, item_id, account_id, source_id FROM items) AS p
WHERE r.parent_account_id IS NULL AND r.parent_id IS NOT NULL
  AND p.platform = r.platform AND p.item_id = r.parent_id
  AND (r.source_id >= $first OR p.source_id >= $first)
"""


def fill_parent_authors(con: duckdb.DuckDBPyConnection, first_source: int) -> int:
    """Give replies without a parent author the author of their parent item, inside the caller's
    transaction; `first_source` is the load's first source id. Returns the number of rows filled."""
    return con.execute(_FILL, {"first": first_source}).fetchall()[0][0]
