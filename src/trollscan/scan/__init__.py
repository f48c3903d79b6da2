"""`trollscan scan`: run the detectors over a case and store what they find.

The only module besides the CLI that strings stages together; every read and write goes through
`store`, every computation through a detector module.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from ..clusters import SUPPORTING_LAYERS, find_groups, group_evidence
from ..coordination import LAYERS, MAX_TARGET_ACCOUNTS, MAX_TARGET_PAIRS, co_action, coortweet, edge_rows, pair_evidence
from ..coordination.relations import MUTUAL_STRENGTH, mutual_edges
from ..errors import BadParameter
from ..evidence import EVIDENCE_SCHEMA, evidence_table
from ..store import Case
from ..store.engine import case_engine
from ..store.spark import spark_session, spark_views
from .photos import scan_photos
from .signals import scan_signals
from .summary import LayerSummary
from .text import scan_text
from ..text.semantic import load_embedder
from .verdicts import scan_verdicts
from ..store.results import (input_fingerprint, read_mutual_pairs, read_group_items, read_names, read_query, read_top_targets,
                            write_results)

__all__ = ["LayerSummary", "scan", "scan_coaction", "scan_coortweet", "check_options"]


def scan(case: Case, *, layers: list[str] | None = None, window_s: int | None = None, min_targets: int = 2,
         fdr: float | None = 0.01, seed: int = 1, max_target_actions: int = 5000,
         max_target_pairs: int = MAX_TARGET_PAIRS, max_target_accounts: int = MAX_TARGET_ACCOUNTS,
         engine: str = "duckdb", spark_master: str | None = None,
         progress: Callable[[str], None] | None = None, semantic_model: str = "off") -> list[LayerSummary]:
    """Run the co-action layers over every platform of the case and store edges and evidence.

    `semantic_model`: talking points in other words (`text.semantic.load_embedder`): "off",
    "auto" (navec when installed), "navec", or a model file's path.

    `engine`: "duckdb" (the case's own, with the vectorised pairing kernel) or "spark" (every
    layer as relational queries on a local Spark; the same edges, for checking and for scale).

    `window_s` overrides each layer's own window (layers "at any time" keep theirs).
    """
    semantic = load_embedder(semantic_model)  # first: a bad model path fails before any work
    fingerprint = input_fingerprint(case)
    summaries = scan_coaction(case, layers=layers, window_s=window_s, min_targets=min_targets, fdr=fdr, seed=seed,
                              max_target_actions=max_target_actions, max_target_pairs=max_target_pairs,
                              max_target_accounts=max_target_accounts,
                              engine=engine, spark_master=spark_master, progress=progress, fingerprint=fingerprint)
    summaries.append(scan_photos(case, fingerprint, progress=progress))  # before groups: shared photos link accounts
    summaries.append(scan_text(case, fingerprint, progress=progress, workers=2, semantic=semantic))  # and copied words
    summaries.append(_groups(case, fingerprint, seed=seed, progress=progress))
    summaries.append(scan_signals(case, fingerprint, progress=progress))
    summaries.append(scan_verdicts(case, fingerprint, seed=seed, progress=progress))  # last: reads every finding
    return summaries


def scan_coaction(case: Case, *, layers: list[str] | None = None, window_s: int | None = None, min_targets: int = 2,
                  fdr: float | None = 0.01, seed: int = 1, max_target_actions: int = 5000,
                  max_target_pairs: int = MAX_TARGET_PAIRS, max_target_accounts: int = MAX_TARGET_ACCOUNTS,
                  engine: str = "duckdb", spark_master: str | None = None, progress: Callable[[str], None] | None = None, fingerprint: str | None = None) -> list[LayerSummary]:
    """The co-action step of `scan` alone: each layer's edges and evidence, stored (parameters as `scan`)."""
    names = layers or list(LAYERS)
    unknown = [n for n in names if n not in LAYERS]
    if unknown:
        raise BadParameter(f"Unknown layer {unknown[0]!r}.", f"Layers: {', '.join(LAYERS)}.")
    check_options(window_s=window_s, min_targets=min_targets, max_target_actions=max_target_actions, fdr=fdr,
                  max_target_pairs=max_target_pairs, max_target_accounts=max_target_accounts)
    if engine not in ("duckdb", "spark"):
        raise BadParameter(f"The 'engine' parameter of scan must be duckdb or spark; got {engine!r}.")
    views = spark_views(spark_session(master=spark_master)) if engine == "spark" else None
    fingerprint = fingerprint or input_fingerprint(case)
    summaries = []
    for name in names:
        layer = LAYERS[name]
        window = layer.window_s if layer.window_s is None or window_s is None else window_s
        if progress:
            progress(name)
        started = time.perf_counter()
        actions = read_query(case, layer.sql)
        summary = LayerSummary(name, window, actions=actions.num_rows)
        edges, evidence = [], []
        platforms = sorted(pc.unique(actions["platform"]).to_pylist()) if actions.num_rows else []
        for platform in platforms:
            mine = actions if len(platforms) == 1 else actions.filter(pc.equal(actions["platform"], platform))
            result, linked = co_action(mine, layer, window_s=window, min_targets=min_targets, fdr=fdr, seed=seed,
                                       max_target_actions=max_target_actions,
                                       max_target_pairs=max_target_pairs, max_target_accounts=max_target_accounts,
                                       engine=case_engine(case),
                                       views=views)
            summary.candidates += result.candidates
            summary.crowded += result.crowded
            summary.many_accounts += result.many_accounts
            summary.threshold = max(summary.threshold, result.threshold)
            if not result.edges.num_rows:
                continue
            accounts = result.edges["account_a"].to_pylist() + result.edges["account_b"].to_pylist()
            who = read_names(case, platform, accounts)
            edges.append(edge_rows(platform, layer, result))
            evidence.append(pair_evidence(platform, layer, result, linked, who, window_s=window))
        summary.seconds = time.perf_counter() - started
        params = {"layer": name, "window_s": window, "min_targets": min_targets, "fdr": fdr, "seed": seed,
                  "max_target_actions": max_target_actions, "max_target_pairs": max_target_pairs,
                  "engine": engine}
        if layer.bounded_by_accounts:
            params["max_target_accounts"] = max_target_accounts
        edge_table = pa.concat_tables(edges) if edges else None
        found = pa.concat_tables(evidence) if evidence else evidence_table()
        write_results(case, detector=f"coaction.{name}", params=params, input_hash=fingerprint,
                      seconds=summary.seconds, edges=edge_table, evidence=found)
        summary.edges = edge_table.num_rows if edge_table is not None else 0
        ranked = found.sort_by([("strength", "descending")]) if found.num_rows else None
        summary.top = ranked["sentence"].to_pylist()[:3] if ranked is not None else []
        summaries.append(summary)
    return summaries


def check_options(*, window_s: int | None, min_targets: int, max_target_actions: int, fdr: float | None,
                  max_target_pairs: int = MAX_TARGET_PAIRS, max_target_accounts: int = MAX_TARGET_ACCOUNTS) -> None:
    """The co-action options, checked the same way however a scan runs."""
    if max_target_accounts < 2:
        raise BadParameter("The 'max_target_accounts' parameter of scan must be an int >= 2; "
                           f"got {max_target_accounts}.")
    if max_target_pairs < 1:
        raise BadParameter(f"The 'max_target_pairs' parameter of scan must be an int >= 1; got {max_target_pairs}.")
    if window_s is not None and window_s < 1:
        raise BadParameter(f"The 'window_s' parameter of scan must be an int >= 1; got {window_s}.")
    if min_targets < 1:
        raise BadParameter(f"The 'min_targets' parameter of scan must be an int >= 1; got {min_targets}.")
    if max_target_actions < 2:
        raise BadParameter(f"The 'max_target_actions' parameter of scan must be an int >= 2; got {max_target_actions}.")
    if fdr is not None and not 0 < fdr < 1:
        raise BadParameter(f"The 'fdr' parameter of scan must be between 0 and 1; got {fdr}.")


def _groups(case: Case, fingerprint: str, *, seed: int, progress) -> LayerSummary:
    """Operator groups from every layer's edges now in the case."""
    if progress:
        progress("groups")
    started = time.perf_counter()
    _mutual(case, fingerprint)
    edges = read_query(case, "SELECT platform, layer, account_a, account_b, weight, first_at, last_at FROM edges")
    groups = find_groups(edges, seed=seed)
    rows, member_rows, evidence = [], [], []
    for group_id, g in enumerate(groups, start=1):
        targets = read_top_targets(case, g.platform, g.members)
        rows.append({"group_id": group_id, "platform": g.platform, "size": len(g.members),
                     "cohesion": g.cohesion, "layers": g.layers, "first_at": _time(g.first_ts),
                     "last_at": _time(g.last_ts), "top_targets": targets})
        member_rows += [{"group_id": group_id, "platform": g.platform, "account_id": m} for m in g.members]
        evidence.append((g, group_id))
    names = {}
    for g, _ in evidence:
        names.update(read_names(case, g.platform, g.members[:3]))
    members = pa.Table.from_pylist(member_rows, schema=_MEMBERS)
    items = read_group_items(case, members) if member_rows else {}
    ev = group_evidence([g for g, _ in evidence], names, items=[items.get(i, []) for _, i in evidence])
    summary = LayerSummary("groups", None, actions=edges.num_rows, candidates=len(groups), edges=len(groups))
    summary.seconds = time.perf_counter() - started
    summary.top = ev["sentence"].to_pylist()[:3]
    write_results(case, detector="groups", params={"seed": seed, "resolution": 1.0, "min_size": 3},
                  input_hash=fingerprint, seconds=summary.seconds, edges=None, evidence=ev,
                  groups=pa.Table.from_pylist(rows, schema=_GROUPS) if rows else None,
                  members=members if rows else None)
    return summary


def _mutual(case: Case, fingerprint: str) -> None:
    """Friendships and mutual follows among the accounts the other layers link (a supporting layer)."""
    started = time.perf_counter()
    pairs = read_mutual_pairs(case, SUPPORTING_LAYERS)
    accounts = pairs["account_a"].to_pylist() + pairs["account_b"].to_pylist()
    names = {}
    for platform in sorted(set(pairs["platform"].to_pylist())):
        names.update({(platform, a): name for a, name in read_names(case, platform, accounts).items()})
    edges, evidence = mutual_edges(pairs, names)
    write_results(case, detector="relations.mutual", params={"strength": MUTUAL_STRENGTH}, input_hash=fingerprint,
                  seconds=time.perf_counter() - started, edges=edges, evidence=evidence)


def _time(ts: int | None):
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, timezone.utc).replace(tzinfo=None)


_GROUPS = pa.schema([("group_id", pa.int32()), ("platform", pa.string()), ("size", pa.int32()),
                     ("cohesion", pa.float64()), ("layers", pa.list_(pa.string())), ("first_at", pa.timestamp("us")),
                     ("last_at", pa.timestamp("us")), ("top_targets", pa.list_(pa.string()))])
_MEMBERS = pa.schema([("group_id", pa.int32()), ("platform", pa.string()), ("account_id", pa.string())])


def scan_coortweet(case: Case, *, window_s: int = 10, min_participation: int = 2, edge_weight: float = 0.5
                   ) -> LayerSummary:
    """CooRTweet 2.1.3's co-share network (detect_groups, then generate_coordinated_network with
    subgraph 1) over each platform's shares, stored as the `coortweet` layer with evidence."""
    started = time.perf_counter()
    actions = read_query(case, LAYERS["co_share"].sql)
    summary = LayerSummary("coortweet", window_s, actions=actions.num_rows)
    edges, evidence = [], []
    for platform in sorted(set(actions["platform"].to_pylist())) if actions.num_rows else []:
        mine = actions.filter(pc.equal(actions["platform"], platform))
        pairs = coortweet.detect_groups(mine["target"], mine["account_id"], mine["item_id"], mine["ts"],
                                        time_window=window_s, min_participation=min_participation)
        network = coortweet.generate_coordinated_network(pairs, edge_weight=edge_weight, subgraph=1, objects=True)
        summary.candidates += pairs.num_rows
        summary.threshold = network.threshold or 0.0
        if not network.edges.num_rows:
            continue
        e = _coortweet_edges(platform, mine, pairs, network.edges)
        edges.append(e)
        who = read_names(case, platform, e["account_a"].to_pylist() + e["account_b"].to_pylist())
        evidence.append(_coortweet_evidence(platform, e, who, window_s, network.threshold))
    summary.seconds = time.perf_counter() - started
    edge_table = pa.concat_tables(edges) if edges else None
    ev = pa.concat_tables(evidence) if evidence else evidence_table()
    write_results(case, detector="coaction.coortweet",
                  params={"window_s": window_s, "min_participation": min_participation, "edge_weight": edge_weight,
                          "subgraph": 1},
                  input_hash=input_fingerprint(case), seconds=summary.seconds, edges=edge_table, evidence=ev)
    summary.edges = edge_table.num_rows if edge_table is not None else 0
    summary.top = ev.sort_by([("strength", "descending")])["sentence"].to_pylist()[:3] if ev.num_rows else []
    return summary


def _coortweet_edges(platform: str, actions: pa.Table, pairs: pa.Table, net: pa.Table) -> pa.Table:
    """CooRTweet's edges in the case's shape: weight as CooRTweet counts it (share pairs), the
    distinct objects, first and last share time, and the content ids of each pair's shares."""
    ts_of = dict(zip(actions["item_id"].to_pylist(), actions["ts"].to_pylist()))
    spans: dict[tuple[str, str], list] = {}
    for a, b, c1, c2 in zip(*(pairs[c].to_pylist() for c in ("account_id", "account_id_y", "content_id", "content_id_y"))):
        key = (min(a, b), max(a, b))
        t = (ts_of.get(c1), ts_of.get(c2))
        span = spans.setdefault(key, [min(t), max(t), []])
        span[0], span[1] = min(span[0], *t), max(span[1], *t)
        for c in (c1, c2):
            if c not in span[2] and len(span[2]) < 100:
                span[2].append(c)
    rows = []
    for a, b, w, objs in zip(*(net[c].to_pylist() for c in ("account_id", "account_id_y", "weight", "object_ids"))):
        first, last, items = spans[(a, b)]
        rows.append({"platform": platform, "layer": "coortweet", "account_a": a, "account_b": b, "weight": float(w),
                     "n_targets": len(set(objs.split(","))), "n_items": int(w), "first_ts": first, "last_ts": last,
                     "items": items})
    t = pa.Table.from_pylist(rows)
    to_time = lambda c: pc.cast(pc.multiply(t[c], 1_000_000), pa.timestamp("us"))  # noqa: E731
    return t.append_column("first_at", to_time("first_ts")).append_column("last_at", to_time("last_ts"))


def _coortweet_evidence(platform: str, e: pa.Table, names: dict[str, str], window_s: int,
                        threshold: float | None) -> pa.Table:
    rows = []
    for r in e.to_pylist():
        first = datetime.fromtimestamp(r["first_ts"], timezone.utc)
        last = datetime.fromtimestamp(r["last_ts"], timezone.utc)
        rows.append({
            "detector": "coaction.coortweet", "platform": platform, "account_ids": [r["account_a"], r["account_b"]],
            "strength": min(1.0, r["weight"] / 10.0), "item_ids": r["items"],
            "sentence": (f"{names.get(r['account_a'], r['account_a'])} and {names.get(r['account_b'], r['account_b'])} "
                         f"shared {r['n_targets']} of the same items within {window_s} seconds of each other "
                         f"{int(r['weight'])} times (CooRTweet weight, above the network's threshold "
                         f"{threshold:g}), {first:%d %b %Y} to {last:%d %b %Y}."),
            "details": json.dumps({"weight": r["weight"], "n_objects": r["n_targets"], "threshold": threshold}),
        })
    return pa.Table.from_pylist(rows, schema=EVIDENCE_SCHEMA)
