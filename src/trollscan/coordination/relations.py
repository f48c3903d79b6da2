"""Mutual friendship and follows between accounts, as a supporting layer of the account graph.

Real people are friends with each other too, so friendship alone never makes a group (see
`clusters.SUPPORTING_LAYERS`); among accounts that already act together, it is one more thread
that ties an operator's accounts to each other ("the fake accounts are friends with each other").
"""

from __future__ import annotations

import json

import pyarrow as pa

from ..evidence import evidence_table
from . import EDGE_ROWS
from .edges import _MAX_SCORE

__all__ = ["MUTUAL_STRENGTH", "MUTUAL_SQL", "mutual_edges"]

MUTUAL_STRENGTH = 0.25  # a friendship weighs as much as a quarter of the strongest co-action pair

# Pairs of accounts that are friends, or follow each other both ways, among the accounts of the view
# `linked(platform, account_id)` (distinct; those the other layers link): `mutual_edges`' input, in
# the SQL DuckDB and Spark SQL both read (`scan --parquet`).
MUTUAL_SQL = """
SELECT r.platform, least(r.account_id, r.other_id) AS account_a, greatest(r.account_id, r.other_id) AS account_b,
       max(CASE WHEN r.kind = 'friend' THEN 1 ELSE 0 END) = 1 AS friends,
       min(r.added_at) AS first_at, max(r.added_at) AS last_at
FROM relations r
JOIN linked a ON r.platform = a.platform AND r.account_id = a.account_id
JOIN linked b ON r.platform = b.platform AND r.other_id = b.account_id
WHERE r.kind IN ('friend', 'follow') AND r.account_id <> r.other_id
GROUP BY r.platform, least(r.account_id, r.other_id), greatest(r.account_id, r.other_id)
HAVING max(CASE WHEN r.kind = 'friend' THEN 1 ELSE 0 END) = 1
    OR count(DISTINCT CASE WHEN r.kind = 'follow' THEN r.account_id END) = 2
ORDER BY 1, 2, 3
"""


def mutual_edges(pairs: pa.Table, names: dict[tuple[str, str], str]) -> tuple[pa.Table, pa.Table]:
    """Edges (the case's `edges` shape, layer `mutual`) and evidence rows for mutual relations.

    Reads:    pairs (platform, account_a < account_b, friends: bool, first_at, last_at): accounts
              that are friends, or follow each other both ways; names by (platform, account id)
    Evidence: the relation itself, as item `friend:A:B` or `follow:A:B`
    Sentence: "@a and @b are friends (since 3 Feb 2019)." / "@a and @b follow each other."
    Misleads: real friends, colleagues and family, who also act together now and then.
    """
    rows, evidence = [], []
    for p in pairs.to_pylist():
        a, b = p["account_a"], p["account_b"]
        kind = "friend" if p["friends"] else "follow"
        platform = p["platform"]
        who = f"{names.get((platform, a), a)} and {names.get((platform, b), b)}"
        first = p["first_at"]
        since = f" (since {first.day} {first:%b %Y})" if first is not None else ""
        sentence = f"{who} are friends{since}." if p["friends"] else f"{who} follow each other{since}."
        rows.append({"platform": p["platform"], "layer": "mutual", "account_a": a, "account_b": b,
                     "weight": MUTUAL_STRENGTH * _MAX_SCORE, "n_targets": 1, "n_items": 1,
                     "first_at": p["first_at"], "last_at": p["last_at"]})
        evidence.append({"detector": "relations.mutual", "platform": p["platform"], "account_ids": [a, b],
                         "strength": MUTUAL_STRENGTH, "item_ids": [f"{kind}:{a}:{b}"], "sentence": sentence,
                         "details": json.dumps({"relation": kind})})
    return pa.Table.from_pylist(rows, schema=EDGE_ROWS), evidence_table(evidence)
