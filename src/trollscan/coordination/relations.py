"""Mutual friendship and follows between accounts, as a supporting layer of the account graph.

Real people are friends with each other too, so friendship alone never makes a group (see
`clusters.SUPPORTING_LAYERS`); among accounts that already act together, it is one more thread
that ties an operator's accounts to each other ("the fake accounts are friends with each other").
"""

from __future__ import annotations

import json

import pyarrow as pa

from ..evidence import evidence_table
from .edges import _MAX_SCORE

__all__ = ["MUTUAL_STRENGTH", "mutual_edges"]

MUTUAL_STRENGTH = 0.25  # a friendship weighs as much as a quarter of the strongest co-action pair


def mutual_edges(pairs: pa.Table, names: dict[str, str]) -> tuple[pa.Table, pa.Table]:
    """Edges (the case's `edges` shape, layer `mutual`) and evidence rows for mutual relations.

    Reads:    pairs (platform, account_a < account_b, friends: bool, first_at, last_at): accounts
              that are friends, or follow each other both ways
    Evidence: the relation itself, as item `friend:A:B` or `follow:A:B`
    Sentence: "@a and @b are friends (since 3 Feb 2019)." / "@a and @b follow each other."
    Misleads: real friends, colleagues and family, who also act together now and then.
    """
    rows, evidence = [], []
    for p in pairs.to_pylist():
        a, b = p["account_a"], p["account_b"]
        kind = "friend" if p["friends"] else "follow"
        who = f"{names.get(a, a)} and {names.get(b, b)}"
        since = f" (since {p['first_at']:%-d %b %Y})" if p["first_at"] is not None else ""
        sentence = f"{who} are friends{since}." if p["friends"] else f"{who} follow each other{since}."
        rows.append({"platform": p["platform"], "layer": "mutual", "account_a": a, "account_b": b,
                     "weight": MUTUAL_STRENGTH * _MAX_SCORE, "n_targets": 1, "n_items": 1,
                     "first_at": p["first_at"], "last_at": p["last_at"]})
        evidence.append({"detector": "relations.mutual", "platform": p["platform"], "account_ids": [a, b],
                         "strength": MUTUAL_STRENGTH, "item_ids": [f"{kind}:{a}:{b}"], "sentence": sentence,
                         "details": json.dumps({"relation": kind})})
    edges = pa.Table.from_pylist(rows, schema=_EDGES)
    return edges, evidence_table(evidence)


_EDGES = pa.schema([("platform", pa.string()), ("layer", pa.string()), ("account_a", pa.string()),
                    ("account_b", pa.string()), ("weight", pa.float64()), ("n_targets", pa.int64()),
                    ("n_items", pa.int64()), ("first_at", pa.timestamp("us")), ("last_at", pa.timestamp("us"))])
