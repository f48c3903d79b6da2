"""A CooRTweet-compatible co-share mode: the pairs and the network of CooRTweet 2.1.3, exactly.

CooRTweet (Righetti & Balluff) is the field's reference tool for coordinated sharing. Its two steps
are reproduced here row for row, so that its users can compare trollscan's results with theirs:

- `detect_groups`: every pair of shares of one object within `time_window` seconds (inclusive, all
  pairs, not anchored), loops removed, the two min_participation filters, oriented older -> newer.
- `generate_coordinated_network`: one edge per account pair, weight = share pairs, flagged when
  the weight is strictly above the R type-7 quantile `edge_weight` of the graph's own weights.

Names follow CooRTweet's (`time_window` in seconds, `edge_weight` a quantile), not trollscan's.
The semantics are in docs/coortweet.md; this module opens nothing and reads no file.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import BadParameter
from .window import codes as integer_codes
from .window import sort_actions, window_pairs

__all__ = ["PAIR_COLUMNS", "CoordinatedNetwork", "detect_groups", "flag_speed_share",
           "generate_coordinated_network", "r_quantile", "connected_components"]

PAIR_COLUMNS = ("object_id", "content_id", "content_id_y", "time_delta", "account_id", "account_id_y")


class CoordinatedNetwork(NamedTuple):
    """CooRTweet's igraph object as tables.

    edges: one row per account pair, in igraph's edge order (first appearance of the pair in the
        pairs); `account_id < account_id_y` (byte order).
    vertices: `account_id` in igraph's vertex order (and `color_v` for subgraph 3).
    threshold: the weight quantile edges must exceed (`threshold_full` with fast_net); None when
        the graph has no edge.
    threshold_fast: the same over the fast weights with fast_net, else None.
    """

    edges: pa.Table
    vertices: pa.Table
    threshold: float | None
    threshold_fast: float | None = None


# -- input -------------------------------------------------------------------------------------

def _strings(values, name: str) -> pa.Array:
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], arr.type)
    if arr.null_count:
        raise BadParameter(f"The '{name}' column of detect_groups has {arr.null_count} missing values.",
                           "CooRTweet needs every share to have an object, account, content id and time; "
                           "drop those rows first.")
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    return arr if arr.type == pa.string() else pc.cast(arr, pa.string())


def _seconds(values) -> np.ndarray:
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values)
    if arr.null_count:
        raise BadParameter(f"The 'timestamp_share' column of detect_groups has {arr.null_count} missing values.",
                           "Drop the shares without a time first.")
    try:
        if pa.types.is_timestamp(arr.type):  # whole seconds only, as below
            arr = pc.cast(arr, pa.timestamp("s", arr.type.tz))
        arr = pc.cast(arr, pa.int64())  # safe cast: 1.5 fails, 2.0 is 2
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
        raise BadParameter(f"The 'timestamp_share' column of detect_groups must hold whole seconds; got {arr.type}.",
                           "Give epoch seconds as integers.") from e
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=np.int64)


def _codes(arr: pa.Array) -> np.ndarray:
    """Integer codes numbered by first appearance."""
    return integer_codes(arr)[0]


def _check_int(value, name: str, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise BadParameter(f"The '{name}' parameter of detect_groups must be an int >= {low}; got {value!r}.")


# -- detect_groups -----------------------------------------------------------------------------

def _keep_participating(acc: np.ndarray, cid: np.ndarray, n_cid: int, c1: np.ndarray, c2: np.ndarray,
                        min_participation: int) -> np.ndarray:
    """CooRTweet's filter_min_participation over pairs of content-id codes (c1, c2), given the
    data's rows (account code, content-id code): C = the content ids of the pairs; an account passes
    with >= min_participation rows whose content id is in C; a pair stays when either of its
    content ids is one of a passing account's rows in C."""
    in_c = np.zeros(n_cid, dtype=bool)
    in_c[c1] = True
    in_c[c2] = True
    rows = in_c[cid]
    counts = np.bincount(acc[rows], minlength=int(acc.max(initial=-1)) + 1)
    passing = np.zeros(n_cid, dtype=bool)
    passing[cid[rows & (counts[acc] >= min_participation)]] = True
    return passing[c1] | passing[c2]


def detect_groups(object_id, account_id, content_id, timestamp_share, *, time_window: int = 10,
                  min_participation: int = 2, remove_loops: bool = True) -> pa.Table:
    """CooRTweet's `detect_groups`: one row per pair of shares of one object within the window.

    Reads:    one row per share: the object shared, the account, the share's own content id and its
              time in integer seconds (any array-likes of equal length).
    Returns:  object_id, content_id, content_id_y, time_delta, account_id, account_id_y; `content_id`
              and `account_id` are the older share, `time_delta` is in seconds (>= 0). Rows come in
              CooRTweet's order.
    Misleads: as CooRTweet: a viral object links everyone who shared it in the same minute.

    `time_window`: seconds, inclusive. `min_participation`: rows an account needs in the input
    (pre-filter) and shares in the pairs (post-filter; 0 turns the post-filter off).
    `remove_loops`: drop pairs of one account, of one content id, and those whose content id is
    the object itself.
    """
    _check_int(time_window, "time_window", 0)
    _check_int(min_participation, "min_participation", 0)
    obj, acc_s, cid_s = (_strings(v, n) for v, n in
                         [(object_id, "object_id"), (account_id, "account_id"), (content_id, "content_id")])
    ts = _seconds(timestamp_share)
    if not len(obj) == len(acc_s) == len(cid_s) == len(ts):
        raise BadParameter("The columns given to detect_groups differ in length: "
                           f"{len(obj)}, {len(acc_s)}, {len(cid_s)} and {len(ts)} rows.")

    # 1. pre-filter on all rows, then rows regrouped by account in first-appearance order
    acc = _codes(acc_s)
    counts = np.bincount(acc, minlength=int(acc.max(initial=-1)) + 1)
    kept = np.flatnonzero(counts[acc] >= min_participation)
    rows = kept[np.argsort(acc[kept], kind="stable")]  # position in CooRTweet's row order -> input row
    take = pa.array(rows, pa.int64())
    obj, acc_s, cid_s, ts, acc = obj.take(take), acc_s.take(take), cid_s.take(take), ts[rows], acc[rows]
    # objects and content ids share one code space, so that content_id == object_id compares codes;
    # objects come first, so object codes follow CooRTweet's group order (first appearance)
    both = _codes(pa.concat_arrays([obj, cid_s]))
    m = len(rows)
    ocode, cid = both[:m], both[m:]
    n_codes = int(both.max(initial=-1)) + 1

    # 2. all pairs of rows on one object within the window: the kernel skips pairs with equal
    # "account" codes, so it gets the real accounts only when loops go anyway
    acts = sort_actions(ocode, ts, acc if remove_loops else np.arange(m, dtype=np.int64))
    los, his = [], []
    for i, j in window_pairs(acts, window_s=int(time_window)):
        a, b = acts.order[i], acts.order[j]
        lo, hi = np.minimum(a, b), np.maximum(a, b)  # lo: the row CooRTweet joins as x (smaller id)
        if remove_loops:  # 3. loops
            keep = ((acc[lo] != acc[hi]) & (cid[lo] != cid[hi]) & (cid[lo] != ocode[lo])
                    & (cid[hi] != ocode[lo]))
            lo, hi = lo[keep], hi[keep]
        los.append(lo)
        his.append(hi)
    lo = np.concatenate(los) if los else np.zeros(0, np.int64)
    hi = np.concatenate(his) if his else np.zeros(0, np.int64)

    # 4. post-filter: either content id belongs to an account with enough shares in the pairs
    if min_participation >= 1 and len(lo):
        keep = _keep_participating(acc, cid, n_codes, cid[lo], cid[hi], min_participation)
        lo, hi = lo[keep], hi[keep]

    # CooRTweet's row order: objects in order, then the later row of the join, then the earlier
    order = np.lexsort((lo, hi, ocode[lo]))
    lo, hi = lo[order], hi[order]
    # 5. orientation: older first; at dt = 0 the earlier row stays first
    dt = ts[lo] - ts[hi]
    swap = dt > 0
    older, newer = np.where(swap, hi, lo), np.where(swap, lo, hi)
    older_a, newer_a = pa.array(older, pa.int64()), pa.array(newer, pa.int64())
    return pa.table({
        "object_id": obj.take(pa.array(lo, pa.int64())),
        "content_id": cid_s.take(older_a), "content_id_y": cid_s.take(newer_a),
        "time_delta": pa.array(np.abs(dt), pa.int64()),
        "account_id": acc_s.take(older_a), "account_id_y": acc_s.take(newer_a),
    })


def flag_speed_share(pairs: pa.Table, account_id, content_id, *, time_window: int,
                     min_participation: int) -> pa.Table:
    """CooRTweet's `flag_speed_share`: `pairs` with a column `time_window_<N>` = 1 for the pairs
    whose (content_id, content_id_y) is among the pairs within `time_window` seconds that pass the
    min_participation post-filter again, else 0.

    `account_id`, `content_id`: the columns of the data given to CooRTweet (all rows, as in its
    vignette). As CooRTweet's `setkey`, the rows come back sorted by (content_id, content_id_y).
    """
    _check_int(time_window, "time_window", 0)
    _check_int(min_participation, "min_participation", 0)
    acc = _codes(_strings(account_id, "account_id"))
    cids = _strings(content_id, "content_id")
    n = pairs.num_rows
    codes = _codes(pa.concat_arrays([cids, _strings(pairs["content_id"], "content_id"),
                                     _strings(pairs["content_id_y"], "content_id_y")]))
    cid, c1, c2 = codes[:len(cids)], codes[len(cids):len(cids) + n], codes[len(cids) + n:]
    width = int(codes.max(initial=-1)) + 1
    fast = np.flatnonzero(pairs["time_delta"].to_numpy(zero_copy_only=False) <= time_window)
    if len(fast):  # unlike detect_groups, CooRTweet filters here whatever min_participation is
        fast = fast[_keep_participating(acc, cid, width, c1[fast], c2[fast], min_participation)]
    flagged = np.zeros(n, dtype=bool)
    if len(fast):
        key = c1 * width + c2
        flagged = np.isin(key, key[fast])  # CooRTweet joins on the content-id pair
    out = pairs.append_column(f"time_window_{time_window}", pa.array(flagged.astype(np.int64)))
    return out.sort_by([("content_id", "ascending"), ("content_id_y", "ascending")])


# -- generate_coordinated_network --------------------------------------------------------------

def r_quantile(values: np.ndarray, prob: float) -> float | None:
    """R's `quantile(values, prob, type = 7)` with R's own arithmetic; None for no values."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    n = len(x)
    if not n:
        return None
    index = 1 + (n - 1) * prob
    lo = int(np.floor(index))
    hi = int(np.ceil(index))
    q = x[lo - 1]
    if index > lo and x[hi - 1] != q:
        h = index - lo
        q = (1 - h) * q + h * x[hi - 1]
    return float(q)


def _aggregate(a: np.ndarray, b: np.ndarray, c1: np.ndarray, c2: np.ndarray, obj: np.ndarray,
               dt: np.ndarray, names: pa.Array, obj_names: pa.Array, *, objects: bool) -> tuple[np.ndarray, dict]:
    """Per account pair (a, b codes), in first-appearance order: the pair codes and the columns."""
    width = len(names) + 1
    pk = a * width + b
    uniq, first, group = np.unique(pk, return_index=True, return_inverse=True)
    rank = np.empty(len(uniq), np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(uniq))
    group = rank[group.ravel()]  # groups numbered by first appearance
    pairs = uniq[np.argsort(rank)]
    n = len(pairs)

    def distinct(codes: np.ndarray) -> np.ndarray:
        span = int(codes.max(initial=0)) + 1
        return np.bincount(np.unique(group * span + codes) // span, minlength=n)

    weight = np.bincount(group, minlength=n)
    n1, n2 = distinct(c1), distinct(c2)
    cols = {
        "weight": pa.array(weight, pa.int64()),
        # R: the integer sum over n (exact up to 2**53, then one rounding)
        "avg_time_delta": pa.array(np.bincount(group, weights=dt, minlength=n) / np.maximum(weight, 1)),
        "n_content_id": pa.array(n1, pa.int64()), "n_content_id_y": pa.array(n2, pa.int64()),
        "edge_symmetry_score": pa.array(np.minimum(n1, n2) / np.maximum(np.maximum(n1, n2), 1)),
    }
    if objects:  # unique object ids per pair in order of appearance, comma-joined
        span = int(obj.max(initial=0)) + 1
        seen, at = np.unique(group * span + obj, return_index=True)
        seen = seen[np.lexsort((at, seen // span))]
        offsets = np.concatenate([[0], np.cumsum(np.bincount(seen // span, minlength=n))])
        lists = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), obj_names.take(pa.array(seen % span)))
        cols["object_ids"] = pc.binary_join(lists, ",")
    return pairs, cols


def _flag(weight: pa.Array, threshold: float | None) -> pa.Array:
    w = weight.to_numpy(zero_copy_only=False)
    mask = np.asarray(weight.is_null().to_numpy(zero_copy_only=False)) if weight.null_count else None
    if threshold is None:
        return pa.array(np.zeros(len(w), np.int64), mask=np.ones(len(w), bool)) if len(w) else pa.array([], pa.int64())
    flags = (np.nan_to_num(w.astype(np.float64), nan=-np.inf) > threshold).astype(np.int64)
    return pa.array(flags, pa.int64(), mask=mask)


def generate_coordinated_network(pairs: pa.Table, *, edge_weight: float = 0.5, subgraph: int = 0,
                                 objects: bool = False, fast_net: bool = False) -> CoordinatedNetwork:
    """CooRTweet's `generate_coordinated_network` over the pairs of `detect_groups` (or of
    `flag_speed_share` with fast_net).

    Edges: account_id, account_id_y (byte order), weight (share pairs, not objects),
    avg_time_delta (s), n_content_id (distinct older-side content ids), n_content_id_y
    (newer side), edge_symmetry_score, object_ids (objects=True), weight_threshold (1 when
    weight > the R type-7 quantile `edge_weight` of all weights, else 0). With fast_net, each
    attribute comes as *_full and *_fast, flagged against its own quantile (fast: nulls where no
    fast pair). `subgraph`: 0 all edges; 1 edges with weight_threshold = 1; 2 edges with
    weight_threshold_fast = 1 (fast_net); 3 the vertices next to a fast-flagged edge's ends and
    every edge among them, vertex column color_v 1 for those ends (fast_net). Subgraphs drop
    vertices left without an edge.
    """
    if isinstance(edge_weight, bool) or not isinstance(edge_weight, (int, float)) or not 0 <= edge_weight <= 1:
        raise BadParameter(f"The 'edge_weight' parameter of generate_coordinated_network must be a quantile "
                           f"in [0, 1]; got {edge_weight!r}.", "0.5 (the median) is CooRTweet's default.")
    if subgraph not in (0, 1, 2, 3):
        raise BadParameter(f"The 'subgraph' parameter of generate_coordinated_network must be 0, 1, 2 or 3; "
                           f"got {subgraph!r}.")
    missing = [c for c in PAIR_COLUMNS if c not in pairs.column_names]
    if missing:
        raise BadParameter(f"The pairs given to generate_coordinated_network lack {', '.join(missing)}.",
                           "Give it the table detect_groups returns.")
    speed = [c for c in pairs.column_names if c.startswith("time_window_")]
    if (fast_net or subgraph in (2, 3)) and not speed:
        raise BadParameter(f"fast_net or subgraph {subgraph} needs the pairs flagged by flag_speed_share.",
                           "Run flag_speed_share on the pairs first.")
    if subgraph == 1 and fast_net:
        raise BadParameter("subgraph 1 keeps edges by weight_threshold, which fast_net replaces by "
                           "weight_threshold_full and weight_threshold_fast.", "Use subgraph 2, or fast_net=False.")

    acc1, acc2 = _strings(pairs["account_id"], "account_id"), _strings(pairs["account_id_y"], "account_id_y")
    swap = pc.greater(acc1, acc2).to_numpy(zero_copy_only=False)  # pmin/pmax: byte order
    n = pairs.num_rows
    names_codes = pc.dictionary_encode(pa.concat_arrays([acc1, acc2]))
    codes = names_codes.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    names = names_codes.dictionary
    a = np.where(swap, codes[n:], codes[:n])
    b = np.where(swap, codes[:n], codes[n:])
    cc = _codes(pa.concat_arrays([_strings(pairs["content_id"], "content_id"),
                                  _strings(pairs["content_id_y"], "content_id_y")]))
    obj = pc.dictionary_encode(_strings(pairs["object_id"], "object_id"))
    ocodes = obj.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    dt = pairs["time_delta"].to_numpy().astype(np.float64)
    width = len(names) + 1

    def aggregate(rows: np.ndarray) -> tuple[np.ndarray, dict]:
        return _aggregate(a[rows], b[rows], cc[:n][rows], cc[n:][rows], ocodes[rows], dt[rows], names,
                          obj.dictionary, objects=objects)

    pk, cols = aggregate(np.arange(n))
    threshold_fast = None
    if fast_net:
        flagged = np.flatnonzero(pairs[speed[0]].to_numpy(zero_copy_only=False) == 1)
        fast_pk, fast_cols = aggregate(flagged)
        # the fast graph's attributes on the full graph's edges (fast pairs are a subset of all)
        sorter = np.argsort(fast_pk)
        at = sorter[np.minimum(np.searchsorted(fast_pk, pk, sorter=sorter), max(len(fast_pk) - 1, 0))] \
            if len(fast_pk) else np.zeros(len(pk), np.int64)
        hit = fast_pk[at] == pk if len(fast_pk) else np.zeros(len(pk), bool)
        full = {f"{k}_full": v for k, v in cols.items()}
        fast = {f"{k}_fast": pc.if_else(pa.array(hit), v.take(pa.array(at)), pa.scalar(None, v.type))
                if len(fast_pk) else pa.nulls(len(pk), v.type) for k, v in fast_cols.items()}
        order = ["weight", "avg_time_delta", "n_content_id", "n_content_id_y", "edge_symmetry_score", "object_ids"]
        cols = {}
        for k in order:
            if f"{k}_full" in full:
                cols[f"{k}_full"], cols[f"{k}_fast"] = full[f"{k}_full"], fast[f"{k}_fast"]
        threshold = r_quantile(cols["weight_full"].to_numpy(zero_copy_only=False), edge_weight)
        weights_fast = cols["weight_fast"].drop_null().to_numpy(zero_copy_only=False)
        threshold_fast = r_quantile(weights_fast, edge_weight)
        cols["weight_threshold_full"] = _flag(cols["weight_full"], threshold)
        cols["weight_threshold_fast"] = _flag(cols["weight_fast"], threshold_fast)
    else:
        threshold = r_quantile(cols["weight"].to_numpy(zero_copy_only=False), edge_weight)
        cols["weight_threshold"] = _flag(cols["weight"], threshold)
    ea, eb = pk // width, pk % width
    edges = pa.table({"account_id": names.take(pa.array(ea)), "account_id_y": names.take(pa.array(eb)), **cols})
    # igraph's vertices: unique(c(from, to)) in order of appearance
    both = np.concatenate([ea, eb])
    _, first = np.unique(both, return_index=True)
    vertex_codes = both[np.sort(first)]
    color = None
    if subgraph in (1, 2):
        flag = edges["weight_threshold" if subgraph == 1 else "weight_threshold_fast"]
        keep = pc.fill_null(pc.equal(flag, 1), False)
        edges = edges.filter(keep)
        keep = keep.to_numpy(zero_copy_only=False)
        vertex_codes = vertex_codes[np.isin(vertex_codes, np.concatenate([ea[keep], eb[keep]]))]
    elif subgraph == 3:
        hot = pc.fill_null(pc.equal(edges["weight_threshold_fast"], 1), False).to_numpy(zero_copy_only=False)
        coordinated = np.unique(np.concatenate([ea[hot], eb[hot]]))
        near = np.unique(np.concatenate([eb[np.isin(ea, coordinated)], ea[np.isin(eb, coordinated)]]))
        inside = np.isin(ea, near) & np.isin(eb, near)
        edges = edges.filter(pa.array(inside))
        vertex_codes = vertex_codes[np.isin(vertex_codes, near)]
        color = pa.array(np.isin(vertex_codes, coordinated).astype(np.int64))
    vertices = pa.table({"account_id": names.take(pa.array(vertex_codes, pa.int64()))})
    if color is not None:
        vertices = vertices.append_column("color_v", color)
    return CoordinatedNetwork(edges, vertices, threshold, threshold_fast)


def connected_components(network: CoordinatedNetwork) -> pa.Table:
    """igraph's `components(graph)$membership` as a table: account_id, component (numbered from
    1 in the order of each component's first vertex). A downstream choice, not CooRTweet's."""
    names = network.vertices["account_id"]
    at = {v: i for i, v in enumerate(names.to_pylist())}
    parent = list(range(len(at)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for u, v in zip(network.edges["account_id"].to_pylist(), network.edges["account_id_y"].to_pylist()):
        ru, rv = root(at[u]), root(at[v])
        if ru != rv:
            parent[max(ru, rv)] = min(ru, rv)
    number: dict[int, int] = {}
    component = [number.setdefault(root(i), len(number) + 1) for i in range(len(parent))]
    return pa.table({"account_id": names, "component": pa.array(component, pa.int64())})
