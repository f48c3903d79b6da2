"""The one shape of an evidence row: which accounts, how strong, the items that show it, and a
sentence a reporter could publish. Every detector returns rows of this shape."""

from __future__ import annotations

import pyarrow as pa

__all__ = ["EVIDENCE_SCHEMA", "evidence_table"]

EVIDENCE_SCHEMA = pa.schema([
    ("detector", pa.string()),  # e.g. coaction.co_reply, groups
    ("platform", pa.string()),
    ("account_ids", pa.list_(pa.string())),  # the accounts the finding is about
    ("strength", pa.float64()),  # 0 to 1
    ("item_ids", pa.list_(pa.string())),  # the items that show it
    ("sentence", pa.string()),  # one plain sentence
    ("details", pa.string()),  # JSON: the numbers behind the sentence
])


def evidence_table(rows: list[dict] | None = None) -> pa.Table:
    """Evidence rows (dicts with the schema's keys) as a table; no rows gives an empty one."""
    return pa.Table.from_pylist(rows or [], schema=EVIDENCE_SCHEMA)
