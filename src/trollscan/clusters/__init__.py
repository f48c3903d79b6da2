"""Evidence that links accounts -> one weighted account graph -> candidate operator groups.

Each pair's weight adds its strengths over the layers that link it (co-comments, co-shares, the
same text, one IP address...), so a pair bound by several independent layers weighs more than a
pair bound by one. Leiden community detection (leidenalg, RB-configuration quality, seeded)
splits the graph into groups; groups of at least `min_size` accounts are kept.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

import igraph as ig
import leidenalg
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..coordination.edges import strength
from ..evidence import evidence_table

__all__ = ["Group", "SUPPORTING_LAYERS", "CONTEXT_DETECTORS", "OVERLAPPING_LAYERS", "find_groups", "group_evidence",
           "adjusted_rand_index", "score_groups"]



@dataclass(frozen=True)
class Group:
    platform: str
    members: list[str]  # sorted
    cohesion: float  # linked pairs / possible pairs inside the group
    strength: float  # mean strength of the linked pairs inside
    layers: list[str]  # the layers binding it, strongest first
    first_ts: int | None  # None: no dated edge inside
    last_ts: int | None
    internal_edges: int


# Layers that only strengthen links among accounts other layers already found: friendship and
# membership alone make communities of real friends and neighbours, which are not operator groups.
SUPPORTING_LAYERS = ("mutual", "shared_groups")
# Layers that see one fact twice: the co-action layer `same_text` and the text step's
# `same_text_family` both link the writers of exact copies. Where both link a pair, only the
# stronger of the two counts in the graph (the other stands aside), so copied words do not weigh
# twice; where only one links a pair, it counts in full. Name -> the fact they share.
OVERLAPPING_LAYERS = {"same_text": "exact copies", "same_text_family": "exact copies"}
# Evidence rows that describe, not accuse: friendship and shared groups (supporting layers), and a
# story's first posters, amplifiers and spreader groups (`trollscan spread`: ordinary people spread
# stories too). They make no account a finding on their own.
CONTEXT_DETECTORS = ("relations.mutual", "coaction.shared_groups", "spread.first_poster", "spread.amplifier",
                     "spread.group")


def find_groups(edges: pa.Table, *, resolution: float = 1.0, min_size: int = 3, seed: int = 1,
                supporting: tuple[str, ...] = SUPPORTING_LAYERS) -> list[Group]:
    """Operator groups in an edges table (platform, layer, account_a, account_b, weight, first_at,
    last_at), one platform at a time; groups sorted by size then strength, largest first.

    Edges of a `supporting` layer count only between two accounts that edges of other layers
    link to somebody: they can bind a group tighter or split it better, never make one.

    Reads:    edges of every layer
    Evidence: the pairs inside the group and the layers that link them
    Misleads: a fan club or a newsroom's accounts that really do act together.
    """
    edges = _drop_unsupported(edges, supporting)
    groups: list[Group] = []
    for platform in sorted(set(edges["platform"].to_pylist())) if edges.num_rows else []:
        groups.extend(_groups_of(platform, edges.filter(pc.equal(edges["platform"], platform)),
                                 resolution, min_size, seed))
    groups.sort(key=lambda g: (-len(g.members), -g.strength, g.platform, g.members))
    return groups


def _drop_unsupported(edges: pa.Table, supporting: tuple[str, ...]) -> pa.Table:
    if not edges.num_rows or not supporting:
        return edges
    aux = pc.is_in(edges["layer"], value_set=pa.array(supporting, pa.string()))
    primary = edges.filter(pc.invert(aux))
    key = lambda t, side: pc.binary_join_element_wise(t["platform"], t[side], "\x00")  # noqa: E731
    linked = pa.concat_arrays([pc.unique(key(primary, "account_a")).cast(pa.string()),
                               pc.unique(key(primary, "account_b")).cast(pa.string())]) if primary.num_rows else \
        pa.array([], pa.string())
    keep = pc.or_(pc.invert(aux), pc.and_(pc.is_in(key(edges, "account_a"), value_set=linked),
                                          pc.is_in(key(edges, "account_b"), value_set=linked)))
    return edges.filter(keep)


_NEVER, _EVER = np.iinfo(np.int64).max, np.iinfo(np.int64).min


def _one_per_fact(long: pa.Table) -> pa.Table:
    """The pair rows (a, b, layer, s, first, last) with the layers of one fact (`OVERLAPPING_LAYERS`)
    folded into one row per pair: the strongest one's strength, the earliest first and latest last."""
    cols = ["a", "b", "s", "first", "last"]
    at = pc.index_in(long["layer"], value_set=pa.array(list(OVERLAPPING_LAYERS), pa.string()))
    folded = pc.is_valid(at)
    if not long.num_rows or not pc.any(folded).as_py():
        return long.select(cols)
    same = long.filter(folded).append_column(
        "fact", pc.take(pa.array(list(OVERLAPPING_LAYERS.values()), pa.string()), at.filter(folded)))
    one = same.group_by(["a", "b", "fact"], use_threads=False).aggregate([("s", "max"), ("first", "min"),
                                                                         ("last", "max")])
    one = pa.table({"a": one["a"], "b": one["b"], "s": one["s_max"], "first": one["first_min"], "last": one["last_max"]})
    return pa.concat_tables([long.filter(pc.invert(folded)).select(cols), one])


def _groups_of(platform: str, edges: pa.Table, resolution: float, min_size: int, seed: int) -> list[Group]:
    seconds = lambda c, unknown: pc.fill_null(  # noqa: E731
        pc.cast(pc.divide(pc.cast(edges[c], pa.int64()), 1_000_000), pa.int64()), unknown)
    names = pc.unique(pa.concat_arrays([edges["account_a"].combine_chunks(), edges["account_b"].combine_chunks()]))
    names = names.sort()
    long = pa.table({
        "a": pc.index_in(edges["account_a"], value_set=names), "b": pc.index_in(edges["account_b"], value_set=names),
        "layer": edges["layer"], "s": strength(edges["weight"]),
        "first": seconds("first_at", _NEVER), "last": seconds("last_at", _EVER),
    })
    pairs = _one_per_fact(long).group_by(["a", "b"], use_threads=False).aggregate(
        [("s", "sum"), ("first", "min"), ("last", "max")]).sort_by([("a", "ascending"), ("b", "ascending")])
    a, b = pairs["a"].to_numpy().astype(np.int64), pairs["b"].to_numpy().astype(np.int64)
    graph = ig.Graph(n=len(names), edges=np.column_stack([a, b]).tolist())
    graph.es["weight"] = pairs["s_sum"].to_pylist()
    partition = leidenalg.find_partition(graph, leidenalg.RBConfigurationVertexPartition, weights="weight",
                                         resolution_parameter=resolution, seed=seed)
    membership = np.asarray(partition.membership, dtype=np.int64)
    sizes = np.bincount(membership)
    inside = membership[a] == membership[b]
    community = membership[a][inside]
    n_comm = len(sizes)
    n_internal = np.bincount(community, minlength=n_comm)
    weight = np.bincount(community, weights=pairs["s_sum"].to_numpy()[inside], minlength=n_comm)
    first = np.full(n_comm, _NEVER)
    last = np.full(n_comm, _EVER)
    np.minimum.at(first, community, pairs["first_min"].to_numpy()[inside])
    np.maximum.at(last, community, pairs["last_max"].to_numpy()[inside])
    la, lb = long["a"].to_numpy().astype(np.int64), long["b"].to_numpy().astype(np.int64)
    long_inside = membership[la] == membership[lb]
    per_layer = pa.table({"c": membership[la][long_inside], "layer": long["layer"].filter(pa.array(long_inside)),
                          "s": long["s"].filter(pa.array(long_inside))}).group_by(
        ["c", "layer"], use_threads=False).aggregate([("s", "sum")]).to_pylist()
    layers: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for row in per_layer:
        layers[row["c"]].append((-row["s_sum"], row["layer"]))
    order = np.argsort(membership, kind="stable")
    bounds = np.cumsum(sizes)
    name_list = names.to_pylist()
    out = []
    for c in np.flatnonzero(sizes >= min_size):
        members = sorted(name_list[i] for i in order[bounds[c] - sizes[c]:bounds[c]])
        possible = sizes[c] * (sizes[c] - 1) / 2
        out.append(Group(
            platform=platform, members=members, cohesion=float(n_internal[c] / possible),
            strength=float(weight[c] / max(n_internal[c], 1)),
            layers=[name for _, name in sorted(layers[c])],
            first_ts=None if first[c] == _NEVER else int(first[c]),
            last_ts=None if last[c] == _EVER else int(last[c]), internal_edges=int(n_internal[c])))
    return out


_LAYER_WORDS = {
    "co_reply": "comment under the same posts", "co_share": "share the same items",
    "co_reaction": "react to the same items", "co_url": "post the same links",
    "co_hashtags": "use the same hashtag sequences", "co_text": "write the same words at the same time",
    "same_text": "write the same words", "shared_ip": "write from the same IP address",
    "shared_groups": "belong to the same groups", "mutual": "are friends or follow each other",
    "same_text_family": "post copies of the same texts", "near_text_family": "post near-copies of the same texts",
    "shared_misspelling": "share the same rare misspellings", "same_photo": "use the same photos",
    "coortweet": "share the same items within the window",
    "same_talking_point": "make the same points in other words",
}


def group_evidence(groups: list[Group], names: dict[str, str], *, items: list[list[str]]) -> pa.Table:
    """One evidence row per group, with the items of the pair evidence inside it."""
    rows = []
    for g, its in zip(groups, items):
        shown = [names.get(m, m) for m in g.members[:3]]
        more = len(g.members) - len(shown)
        who = ", ".join(shown) + (f" and {more} more" if more else "")
        how = " and ".join(_LAYER_WORDS.get(layer, layer) for layer in g.layers[:3])
        possible = len(g.members) * (len(g.members) - 1) // 2
        rows.append({
            "detector": "groups", "platform": g.platform, "account_ids": g.members,
            "strength": min(1.0, g.strength * g.cohesion ** 0.5), "item_ids": its,
            "sentence": (f"{len(g.members)} accounts ({who}) act as one group: they {how}; "
                         f"{g.internal_edges} of their {possible} pairs are linked."),
            "details": json.dumps({"cohesion": round(g.cohesion, 3), "strength": round(g.strength, 3),
                                   "layers": g.layers, "first_ts": g.first_ts, "last_ts": g.last_ts}),
        })
    return evidence_table(rows)


def adjusted_rand_index(truth: dict[str, str], found: dict[str, str]) -> float:
    """Adjusted Rand index of two labelings of the same accounts (Hubert and Arabie, 1985).

    Accounts missing from one labeling count there as singletons.
    """
    accounts = sorted(set(truth) | set(found))
    if len(accounts) < 2:
        return 1.0
    t = [truth.get(a, f"\x00{a}") for a in accounts]
    f = [found.get(a, f"\x00{a}") for a in accounts]
    _, ti = np.unique(t, return_inverse=True)
    _, fi = np.unique(f, return_inverse=True)
    table = np.zeros((ti.max() + 1, fi.max() + 1), dtype=np.int64)
    np.add.at(table, (ti, fi), 1)
    comb = lambda x: x * (x - 1) / 2  # noqa: E731
    index = comb(table).sum()
    rows, cols = comb(table.sum(1)).sum(), comb(table.sum(0)).sum()
    expected = rows * cols / comb(len(accounts))
    best = (rows + cols) / 2
    return 1.0 if best == expected else float((index - expected) / (best - expected))


def score_groups(truth: list[dict], members: list[dict]) -> dict:
    """Groups found (rows group_id, platform, account_id) against a truth table (rows platform,
    account_id, is_fake, operator, farm): how many grouped accounts are fake, how many fakes are
    grouped, and the adjusted Rand index against farms and against operators (over the fakes and
    the grouped accounts)."""
    key = lambda r: (r["platform"], str(r["account_id"]))  # noqa: E731
    is_fake = {key(r): str(r["is_fake"]).lower() in ("1", "true") for r in truth}
    fakes = {k for k, v in is_fake.items() if v}
    found = {key(m): str(m["group_id"]) for m in members}
    scope = fakes | set(found)
    by = {col: {key(r): str(r[col]) for r in truth if key(r) in fakes and r.get(col) not in (None, "")}
          for col in ("farm", "operator")}
    fake_in_groups = len(fakes & set(found))
    return {
        "fakes": len(fakes), "in_groups": len(found), "fake_in_groups": fake_in_groups,
        "precision": fake_in_groups / len(found) if found else 0.0,
        "recall": fake_in_groups / len(fakes) if fakes else 0.0,
        "ari_farm": adjusted_rand_index({k: v for k, v in by["farm"].items() if k in scope},
                                        {k: v for k, v in found.items() if k in scope}),
        "ari_operator": adjusted_rand_index({k: v for k, v in by["operator"].items() if k in scope},
                                            {k: v for k, v in found.items() if k in scope}),
    }
