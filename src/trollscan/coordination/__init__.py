"""Co-action: accounts that act on the same targets at the same time, and the items that show it."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..evidence import EVIDENCE_SCHEMA
from .edges import MAX_TARGET_ACCOUNTS, MAX_TARGET_PAIRS, CoActionResult, co_action_edges, strength
from .layers import LAYERS, Layer
from .relational import co_action_relational

__all__ = ["LAYERS", "Layer", "CoActionResult", "co_action", "pair_evidence", "edge_rows", "render_window",
           "EDGE_ROWS", "MAX_TARGET_PAIRS", "MAX_TARGET_ACCOUNTS"]


def co_action(actions: pa.Table, layer: Layer, *, window_s: int | None, min_targets: int = 2,
              fdr: float | None = 0.01, seed: int = 1, max_target_actions: int = 5000,
              max_target_pairs: int = MAX_TARGET_PAIRS, max_target_accounts: int = MAX_TARGET_ACCOUNTS,
              engine=None, views=None) -> tuple[CoActionResult, pa.Table]:
    """Edges of one platform's actions (account_id, target, ts, item_id) in `layer`, and for each
    kept edge the items that link its two accounts (account_a, account_b, item_a, item_b, target,
    ts_a, ts_b; at most 10 per edge, earliest first).

    `views`: (run, define) of an engine that joins at scale (`store.spark.spark_views`): the
    whole computation then runs there as relational queries, with the same result.
    `max_target_accounts` applies to layers bounded by accounts only (`Layer.bounded_by_accounts`).

    Reads:    actions of one layer and platform
    Evidence: the pairs of items, one by each account, on one target within the window
    Misleads: viral posts (discounted by target rarity), news bots sharing the same feed,
              families, offices and mobile networks on one IP address (shared_ip).
    """
    options = dict(window_s=window_s, min_targets=min_targets, fdr=fdr if layer.null_model else None, seed=seed,
                   repeats=layer.repeats, max_target_actions=max_target_actions, max_target_pairs=max_target_pairs,
                   max_target_accounts=max_target_accounts if layer.bounded_by_accounts else None)
    if views is None:
        result = co_action_edges(actions["account_id"], actions["target"], actions["ts"].to_numpy(),
                                 engine=engine, **options)
    else:  # the same edges from relational queries only, on the engine of `views` (Spark)
        run, define = views
        define("actions", pa.table({"account": pc.cast(actions["account_id"], pa.string()),
                                    "target": pc.cast(actions["target"], pa.string()), "ts": actions["ts"],
                                    "row": pa.array(np.arange(actions.num_rows), pa.int64())}), {})
        result = co_action_relational(run, define, **options)
    rows_a, rows_b = result.links["row_a"], result.links["row_b"]
    linked = pa.table({
        "account_a": result.links["account_a"], "account_b": result.links["account_b"],
        "item_a": actions["item_id"].take(rows_a), "item_b": actions["item_id"].take(rows_b),
        "target": actions["target"].take(rows_a),
        "ts_a": actions["ts"].take(rows_a), "ts_b": actions["ts"].take(rows_b),
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


def _day(ts) -> pa.Array:
    return pc.utf8_ltrim(pc.strftime(ts, format="%d"), characters="0")


def _when(first: pa.Array, last: pa.Array) -> pa.Array:
    """'on 4 Feb 2019', 'between 4 and 13 Feb 2019', 'between 4 Jan 2019 and 13 Feb 2019'.

    Each distinct day is formatted once (edges are many, the days they span few)."""
    day_a = np.floor_divide(np.asarray(first, dtype=np.int64), 86400)
    day_b = np.floor_divide(np.asarray(last, dtype=np.int64), 86400)
    days, at = np.unique(np.concatenate([day_a, day_b]), return_inverse=True)
    stamps = pc.cast(pa.array(days * 86400 * 1_000_000, pa.int64()), pa.timestamp("us", tz="UTC"))
    day_of, month_of = _day(stamps), pc.strftime(stamps, format="%b %Y")
    ia, ib = pa.array(at[:len(day_a)]), pa.array(at[len(day_a):])
    month_a, month_b = month_of.take(ia), month_of.take(ib)
    d_a, d_b = day_of.take(ia), day_of.take(ib)
    same_day = pa.array(day_a == day_b)
    same_month = pc.equal(month_a, month_b)
    join = lambda *parts: pc.binary_join_element_wise(*parts, "")  # noqa: E731
    return pc.if_else(same_day, join("on ", d_a, " ", month_a),
                      pc.if_else(same_month, join("between ", d_a, " and ", d_b, " ", month_b),
                                 join("between ", d_a, " ", month_a, " and ", d_b, " ", month_b)))


def _lookup(ids: pa.Array, names: dict[str, str]) -> pa.Array:
    keys = pa.array(list(names), pa.string())
    values = pa.array(list(names.values()), pa.string())
    return pc.coalesce(pc.take(values, pc.index_in(ids, value_set=keys)), ids)


def _item_lists(linked: pa.Table, edges: pa.Table) -> pa.Array:
    """Per edge (in `edges` order), the distinct items that link it, in time order."""
    n = linked.num_rows
    key = pc.binary_join_element_wise(linked["account_a"], linked["account_b"], "\x00")
    long = pa.table({
        "key": pa.concat_arrays([key.combine_chunks() if isinstance(key, pa.ChunkedArray) else key] * 2),
        "item": pa.concat_arrays([linked["item_a"].combine_chunks(), linked["item_b"].combine_chunks()]),
        "seq": pa.array(np.concatenate([np.arange(n) * 2, np.arange(n) * 2 + 1]), pa.int64()),
    })
    first = long.group_by(["key", "item"], use_threads=False).aggregate([("seq", "min")])
    ordered = first.sort_by([("key", "ascending"), ("seq_min", "ascending")])
    lists = ordered.group_by("key", use_threads=False).aggregate([("item", "list")])
    wanted = pc.binary_join_element_wise(edges["account_a"], edges["account_b"], "\x00")
    at = pc.index_in(wanted, value_set=lists["key"])
    found = pc.take(lists["item_list"], at)
    return pc.if_else(pc.is_null(at), pa.scalar([], pa.list_(pa.string())), found)


def pair_evidence(platform: str, layer: Layer, result: CoActionResult, linked: pa.Table,
                  names: dict[str, str], *, window_s: int | None) -> pa.Table:
    """One evidence row per kept edge: the two accounts, the linking items and one sentence.

    Strength: the pair's score relative to the highest possible (two accounts acting, only
    together, on targets nobody else touched), capped at 1.
    """
    e = result.edges
    n = e.num_rows
    count = e["n_targets"] if layer.repeats == "targets" else e["n_items"]
    before, after = layer.verb.split("{n}")
    verb = pc.binary_join_element_wise(before, pc.cast(count, pa.string()), after, "")
    dated = pc.greater(e["first_ts"], 0)  # 0: when it happened is unknown (memberships without dates)
    when = pc.if_else(dated, pc.binary_join_element_wise(", ", _when(e["first_ts"], e["last_ts"]), ""), "")
    sentence = pc.binary_join_element_wise(
        _lookup(e["account_a"], names), " and ", _lookup(e["account_b"], names), " ", verb,
        render_window(window_s), when, ".", "")
    details = pc.binary_join_element_wise(
        f'{{"layer": "{layer.name}", "window_s": {json.dumps(window_s)}, "weight": ',
        pc.cast(pc.round(e["weight"], 4), pa.string()), ', "n_targets": ', pc.cast(e["n_targets"], pa.string()),
        ', "n_items": ', pc.cast(e["n_items"], pa.string()), f', "threshold": {json.dumps(result.threshold)}}}', "")
    accounts = pa.ListArray.from_arrays(
        pa.array(np.arange(0, 2 * n + 1, 2), pa.int32()),
        pa.concat_arrays([pa.array(np.column_stack([e["account_a"].to_numpy(zero_copy_only=False),
                                                    e["account_b"].to_numpy(zero_copy_only=False)]).ravel()
                                   if n else [], pa.string())]))
    return pa.table({
        "detector": pa.array([f"coaction.{layer.name}"] * n, pa.string()),
        "platform": pa.array([platform] * n, pa.string()),
        "account_ids": accounts,
        "strength": strength(e["weight"]),
        "item_ids": _item_lists(linked, e) if n else pa.array([], pa.list_(pa.string())),
        "sentence": sentence, "details": details,
    }, schema=EVIDENCE_SCHEMA)


EDGE_ROWS = pa.schema([("platform", pa.string()), ("layer", pa.string()), ("account_a", pa.string()),
                       ("account_b", pa.string()), ("weight", pa.float64()), ("n_targets", pa.int64()),
                       ("n_items", pa.int64()), ("first_at", pa.timestamp("us")), ("last_at", pa.timestamp("us"))])


def edge_rows(platform: str, layer: Layer, result: CoActionResult) -> pa.Table:
    """The kept edges in the shape of the case's `edges` table (without run_id)."""
    e = result.edges
    n = e.num_rows
    dated = pc.greater(e["first_ts"], 0)
    to_time = lambda c: pc.if_else(dated, pc.cast(pc.multiply(e[c], 1_000_000), pa.timestamp("us")),  # noqa: E731
                                   pa.scalar(None, pa.timestamp("us")))
    return pa.table({
        "platform": pa.array([platform] * n, pa.string()), "layer": pa.array([layer.name] * n, pa.string()),
        "account_a": e["account_a"], "account_b": e["account_b"], "weight": e["weight"],
        "n_targets": e["n_targets"], "n_items": e["n_items"],
        "first_at": to_time("first_ts"), "last_at": to_time("last_ts"),
    }, schema=EDGE_ROWS)




