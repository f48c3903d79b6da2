"""The network picture: which accounts to draw, where (an igraph layout computed here, in
Python), how big and in which colour. The browser only draws what this module decides.

Past `max_nodes` accounts the picture keeps the members of the largest groups first, then the
most linked other accounts, and says how many it left out; past that it is a picture of groups.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import igraph as ig
import numpy as np

__all__ = ["Network", "PALETTE", "NO_GROUP", "group_colour", "choose_nodes", "layout_network", "group_network"]

# Colour-blind-friendly, distinct on white (Okabe-Ito, then Tol's muted).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#882255", "#117733",
           "#332288", "#999933", "#AA4499", "#44AA99")
NO_GROUP = "#B8B8B8"


def group_colour(group_id: int | None) -> str:
    """The colour of a group in every picture (grey for accounts in no group)."""
    return NO_GROUP if group_id is None else PALETTE[(int(group_id) - 1) % len(PALETTE)]


@dataclass
class Network:
    """Nodes as [x, y, radius, group_id or 0, platform, account_id] with x, y in 0..1000; edges as
    [i, j, width] indexes into nodes."""

    nodes: list[list] = field(default_factory=list)
    edges: list[list] = field(default_factory=list)
    total_nodes: int = 0
    total_edges: int = 0
    kind: str = "accounts"  # or "groups" when the picture shows one node per group

    def as_json(self) -> dict:
        return {"kind": self.kind, "nodes": self.nodes, "edges": self.edges, "total_nodes": self.total_nodes,
                "total_edges": self.total_edges}


def choose_nodes(pairs: list[dict], *, max_nodes: int = 2000) -> list[tuple[str, str]]:
    """The accounts to draw: members of the largest groups first, then the most linked others."""
    return _rank(pairs)[2][:max_nodes]


def _rank(pairs: list[dict]):
    group: dict[tuple[str, str], int | None] = {}
    degree: dict[tuple[str, str], float] = {}
    for p in pairs:
        for end, g in (("a", "ga"), ("b", "gb")):
            key = (p["platform"], p[end])
            group[key] = p[g]
            degree[key] = degree.get(key, 0.0) + p["w"]
    sizes: dict[int, int] = {}
    for g in group.values():
        if g is not None:
            sizes[g] = sizes.get(g, 0) + 1
    order = sorted(group, key=lambda k: (group[k] is None, -sizes.get(group[k], 0), group[k] or 0,
                                         -degree[k], k))
    return group, degree, order


def layout_network(pairs: list[dict], activity: dict[tuple[str, str], int], *, max_nodes: int = 2000,
                   seed: int = 1) -> Network:
    """Lay out the account pairs (rows platform, a, b, w, ga, gb as read_graph_edges gives them),
    keeping the accounts `choose_nodes` picks. Node size grows with the account's items (square
    root, from `activity` keyed by (platform, account_id)), edge width with the pair's weight."""
    group, _, order = _rank(pairs)
    keep = order[:max_nodes]
    index = {k: i for i, k in enumerate(keep)}
    kept = [p for p in pairs if (p["platform"], p["a"]) in index and (p["platform"], p["b"]) in index]
    net = Network(total_nodes=len(group), total_edges=len(pairs))
    if not keep:
        return net
    ends = [(index[(p["platform"], p["a"])], index[(p["platform"], p["b"])]) for p in kept]
    weights = np.array([p["w"] for p in kept], dtype=float)
    xy = _layout(len(keep), ends, weights, seed)
    top = float(weights.max()) if len(weights) else 1.0
    acts = np.array([activity.get(k, 0) for k in keep], dtype=float)
    radius = 2.0 + 8.0 * np.sqrt(acts / acts.max()) if acts.max() > 0 else np.full(len(keep), 3.0)
    net.nodes = [[round(float(x), 1), round(float(y), 1), round(float(r), 1), group[k] or 0, k[0], k[1]]
                 for (x, y), r, k in zip(xy, radius, keep)]
    net.edges = [[i, j, round(0.3 + 2.2 * float(w) / top, 2)] for (i, j), w in zip(ends, weights)]
    return net


def _layout(n: int, ends: list[tuple[int, int]], weights: np.ndarray, seed: int) -> np.ndarray:
    """Positions scaled to 20..980, deterministic for a seed."""
    rng = np.random.default_rng(seed)
    start = rng.uniform(-1, 1, size=(n, 2)).tolist()
    random.seed(seed)
    graph = ig.Graph(n=n, edges=ends)
    if not ends:
        coords = np.array(start)
    elif n <= 3000:
        w = (weights / weights.max()).tolist()
        coords = np.array(graph.layout_fruchterman_reingold(weights=w, niter=300, seed=start).coords)
    else:
        coords = np.array(graph.layout_drl(seed=start).coords)
    coords = np.nan_to_num(coords)
    lo, hi = coords.min(axis=0), coords.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    return 20 + 960 * (coords - lo) / span


def group_network(groups: list[dict], links: list[dict], *, seed: int = 1) -> Network:
    """One node per group (sized by members), edges summing the pairs between groups; rows of
    `links` are (ga, gb, w). The picture for cases too large to draw account by account."""
    index = {g["group_id"]: i for i, g in enumerate(groups)}
    kept = [link for link in links if link["ga"] in index and link["gb"] in index and link["ga"] != link["gb"]]
    ends = [(index[link["ga"]], index[link["gb"]]) for link in kept]
    weights = np.array([link["w"] for link in kept], dtype=float)
    xy = _layout(len(groups), ends, weights, seed) if groups else np.zeros((0, 2))
    biggest = max((g["size"] for g in groups), default=1)
    net = Network(total_nodes=len(groups), total_edges=len(kept), kind="groups")
    net.nodes = [[round(float(x), 1), round(float(y), 1), round(4 + 26 * (g["size"] / biggest) ** 0.5, 1),
                  g["group_id"], g["platform"], str(g["group_id"])] for (x, y), g in zip(xy, groups)]
    top = float(weights.max()) if len(weights) else 1.0
    net.edges = [[i, j, round(0.5 + 4 * float(w) / top, 2)] for (i, j), w in zip(ends, weights)]
    return net
