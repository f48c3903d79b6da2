"""Spreader groups: communities in the co-sharing graph of a story's spreaders, and which spreaders
post with a bot-like cadence."""

from __future__ import annotations

import random

import igraph as ig
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import BadParameter

__all__ = ["spreader_groups", "bot_cadence"]


def spreader_groups(pairs: pa.Table, *, resolution: float = 1.0, min_size: int = 3,
                    seed: int = 1) -> dict[tuple[str, str], int]:
    """Communities (Leiden, modularity with `resolution`, iterated until stable) of the co-sharing graph (pairs: platform,
    account_a, account_b, weight), one platform at a time: (platform, account_id) -> group number,
    1 for the largest group. Accounts in communities smaller than `min_size` are left out.

    Reads:    co-sharing pairs of the story's spreaders
    Misleads: people who read the same outlets share its links without any coordination; a group is
              an audience with a common agenda, not an operator (that is what `trollscan scan` finds).
    """
    if resolution <= 0:
        raise BadParameter(f"The 'resolution' parameter of spreader_groups must be > 0; got {resolution}.")
    if min_size < 2:
        raise BadParameter(f"The 'min_size' parameter of spreader_groups must be an int >= 2; got {min_size}.")
    found: list[tuple[float, str, list[str]]] = []
    platforms = sorted(set(pairs["platform"].to_pylist())) if pairs.num_rows else []
    for platform in platforms:
        mine = pairs.filter(pc.equal(pairs["platform"], platform))
        ends = pc.dictionary_encode(pa.concat_arrays([mine["account_a"].combine_chunks(),
                                                      mine["account_b"].combine_chunks()]))
        codes = ends.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        names = np.asarray(ends.dictionary.to_pylist(), dtype=object)
        graph = ig.Graph(n=len(names), edges=np.column_stack([codes[:mine.num_rows], codes[mine.num_rows:]]))
        graph.es["weight"] = mine["weight"].to_numpy()
        # igraph's own Leiden (C): the same partitions as leidenalg's, many times faster on large graphs;
        # its random numbers come from a seeded generator, put back afterwards
        ig.set_random_number_generator(random.Random(seed))
        try:
            membership = np.asarray(graph.community_leiden(objective_function="modularity", weights="weight",
                                                           resolution=resolution, n_iterations=-1).membership)
        finally:
            ig.set_random_number_generator(random)
        order = np.argsort(membership, kind="stable")
        sizes = np.bincount(membership)
        bounds = np.cumsum(sizes)
        for c in np.flatnonzero(sizes >= min_size):
            members = sorted(names[order[bounds[c] - sizes[c]:bounds[c]]].tolist())
            found.append((-len(members), platform, members))
    found.sort()
    return {(platform, m): k + 1 for k, (_size, platform, members) in enumerate(found) for m in members}


def bot_cadence(cadence: pa.Table, *, min_items: int = 6, min_night_share: float = 0.25, min_hours: int = 12,
                max_per_minute: int = 5, max_per_day: float = 150.0) -> dict[tuple[str, str], str]:
    """Spreaders whose posting rhythm looks automated, with why: (platform, account_id) -> reason.

    Reads:    per-account cadence (items, hours, night_share, max_per_minute, per_day) in local time
    Rules:    at least `min_items` items and either active around the clock (`min_night_share` of
              items between 00:00 and 06:00, spread over `min_hours` distinct hours of the day or half
              its items' hours, whichever is fewer), or more than `max_per_minute` items in one minute,
              or more than `max_per_day` items a day.
    Misleads: night-shift workers, people abroad in another time zone, shared newsroom accounts.
    """
    out = {}
    for row in cadence.to_pylist():
        if row["items"] < min_items:
            continue
        reason = None
        if row["max_per_minute"] > max_per_minute:
            reason = f"{row['max_per_minute']} items in one minute"
        elif row["per_day"] > max_per_day:
            reason = f"{row['per_day']:.0f} items a day"
        elif row["hours"] >= min(min_hours, -(-row["items"] // 2)) and row["night_share"] >= min_night_share:
            reason = f"active in {row['hours']} hours of the day, {row['night_share']:.0%} of items at night"
        if reason:
            out[(row["platform"], row["account_id"])] = reason
    return out
