"""Co-action: accounts that act on the same targets at the same time, and the items that show it."""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone

import pyarrow as pa
import pyarrow.compute as pc

from .edges import CoActionResult, co_action_edges, linking_pairs
from .layers import LAYERS, Layer

__all__ = ["LAYERS", "Layer", "CoActionResult", "co_action", "pair_evidence", "edge_rows", "render_window"]


def co_action(actions: pa.Table, layer: Layer, *, window_s: int | None, min_targets: int = 2,
              fdr: float | None = 0.01, seed: int = 1) -> tuple[CoActionResult, pa.Table]:
    """Edges of one platform's actions (account_id, target, ts, item_id) in `layer`, and for each
    kept edge the items that link its two accounts (columns account_a, account_b, item_a, item_b,
    target, ts_a, ts_b; at most 50 rows per edge, earliest first).

    Reads:    actions of one layer and platform
    Evidence: the pairs of items, one by each account, on one target within the window
    Misleads: viral posts (discounted by target rarity), news bots sharing the same feed,
              families on one home IP address (shared_ip).
    """
    result = co_action_edges(actions["account_id"], actions["target"], actions["ts"].to_numpy(),
                             window_s=window_s, min_targets=min_targets,
                             fdr=fdr if layer.null_model else None, seed=seed,
                             repeats=layer.repeats)
    pairs = set(zip(result.edges["account_a"].to_pylist(), result.edges["account_b"].to_pylist()))
    links = linking_pairs(actions["account_id"], actions["target"], actions["ts"].to_numpy(),
                          window_s=window_s, pairs=pairs)
    rows = [(a, b, x, y) for (a, b), found in links.items() for x, y in found]
    xs = pa.array([r[2] for r in rows], pa.int64())
    ys = pa.array([r[3] for r in rows], pa.int64())
    linked = pa.table({
        "account_a": pa.array([r[0] for r in rows], pa.string()),
        "account_b": pa.array([r[1] for r in rows], pa.string()),
        "item_a": actions["item_id"].take(xs), "item_b": actions["item_id"].take(ys),
        "target": actions["target"].take(xs),
        "ts_a": actions["ts"].take(xs), "ts_b": actions["ts"].take(ys),
    })
    return result, linked


def render_window(window_s: int | None) -> str:
    if window_s is None:
        return ""
    if window_s < 120:
        return f" within {window_s} seconds of each other"
    if window_s < 7200:
        return f" within {round(window_s / 60)} minutes of each other"
    return f" within {round(window_s / 3600)} hours of each other"


def _when(first: int, last: int) -> str:
    a = datetime.fromtimestamp(first, timezone.utc)
    b = datetime.fromtimestamp(last, timezone.utc)
    if a.date() == b.date():
        return f"on {a.day} {a:%b %Y}"
    if (a.year, a.month) == (b.year, b.month):
        return f"between {a.day} and {b.day} {b:%b %Y}"
    return f"between {a.day} {a:%b %Y} and {b.day} {b:%b %Y}"


def pair_evidence(platform: str, layer: Layer, result: CoActionResult, linked: pa.Table,
                  names: dict[str, str], *, window_s: int | None) -> pa.Table:
    """One evidence row per kept edge: the two accounts, the linking items and one sentence."""
    by_pair: dict[tuple[str, str], list[str]] = {}
    for a, b, x, y in zip(*(linked[c].to_pylist() for c in ("account_a", "account_b", "item_a", "item_b"))):
        items = by_pair.setdefault((a, b), [])
        for item in (x, y):
            if item not in items:
                items.append(item)
    rows = []
    for e in result.edges.to_pylist():
        a, b = e["account_a"], e["account_b"]
        verb = layer.verb.format(n=e["n_targets"] if layer.repeats == "targets" else e["n_items"])
        sentence = (f"{names.get(a, a)} and {names.get(b, b)} {verb}{render_window(window_s)}, "
                    f"{_when(e['first_ts'], e['last_ts'])}.")
        rows.append({
            "detector": f"coaction.{layer.name}", "platform": platform, "account_ids": [a, b],
            "strength": 1.0 - math.exp(-e["weight"] / 2.0), "item_ids": by_pair.get((a, b), []),
            "sentence": sentence,
            "details": json.dumps({"layer": layer.name, "window_s": window_s, "weight": round(e["weight"], 4),
                                   "n_targets": e["n_targets"], "n_items": e["n_items"],
                                   "threshold": result.threshold}),
        })
    schema = pa.schema([("detector", pa.string()), ("platform", pa.string()), ("account_ids", pa.list_(pa.string())),
                        ("strength", pa.float64()), ("item_ids", pa.list_(pa.string())), ("sentence", pa.string()),
                        ("details", pa.string())])
    return pa.Table.from_pylist(rows, schema=schema)


def edge_rows(platform: str, layer: Layer, result: CoActionResult) -> pa.Table:
    """The kept edges in the shape of the case's `edges` table (without run_id)."""
    e = result.edges
    n = e.num_rows
    to_time = lambda c: pc.cast(pc.multiply(e[c], 1_000_000), pa.timestamp("us"))  # noqa: E731
    return pa.table({
        "platform": pa.array([platform] * n, pa.string()), "layer": pa.array([layer.name] * n, pa.string()),
        "account_a": e["account_a"], "account_b": e["account_b"], "weight": e["weight"],
        "n_targets": e["n_targets"], "n_items": e["n_items"],
        "first_at": to_time("first_ts"), "last_at": to_time("last_ts"),
    })




