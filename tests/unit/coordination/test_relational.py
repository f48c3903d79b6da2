"""The relational co-action (every step a query) gives the kernel's edges and links, bit for bit."""

import numpy as np
import pyarrow as pa
import pytest

from trollscan.coordination.edges import co_action_edges, shuffle_keys
from trollscan.coordination.relational import co_action_relational
from trollscan.store.engine import duckdb_views


def planted_actions(seed: int = 3) -> pa.Table:
    """Organic accounts acting at random, a farm of 8 acting within a minute, and one crowded post."""
    rng = np.random.default_rng(seed)
    rows = [(f"org{rng.integers(300)}", f"post{rng.integers(700)}", int(rng.integers(0, 30 * 86400)))
            for _ in range(3000)]
    for k in range(20):
        t0 = int(rng.integers(0, 30 * 86400))
        rows += [(f"farm{f}", f"fp{k}", t0 + int(rng.integers(0, 60))) for f in range(8)]
    rows += [(f"org{i}", "viral", 1000 + i) for i in range(40)]
    return pa.table({"account": [r[0] for r in rows], "target": [r[1] for r in rows],
                     "ts": pa.array([r[2] for r in rows], pa.int64()), "row": pa.array(np.arange(len(rows)), pa.int64())})


def both(actions: pa.Table, views, **options):
    kernel = co_action_edges(actions["account"], actions["target"], actions["ts"].to_numpy(), **options)
    run, define = views
    define("actions", actions, {})
    return kernel, co_action_relational(run, define, **options)


@pytest.mark.parametrize("options", [
    dict(window_s=600, fdr=0.01),
    dict(window_s=None, fdr=0.05, min_targets=3),
    dict(window_s=60, fdr=None, repeats="items", max_target_actions=30),
    dict(window_s=3600, fdr=0.01, seed=7, max_target_actions=30),
])
def test_relational_edges_and_links_equal_the_kernels(options) -> None:
    kernel, relational = both(planted_actions(), duckdb_views(), **options)
    assert kernel.edges.num_rows > 0
    assert relational.edges.equals(kernel.edges)
    assert relational.links.equals(kernel.links)
    assert (relational.threshold, relational.candidates, relational.crowded, relational.null_mean) == \
        (kernel.threshold, kernel.candidates, kernel.crowded, kernel.null_mean)


def test_the_shuffle_is_a_permutation_that_depends_on_seed_and_round() -> None:
    a, b, c = shuffle_keys(10_000, 1, 0), shuffle_keys(10_000, 1, 1), shuffle_keys(10_000, 2, 0)
    order = np.lexsort((np.arange(10_000), a))
    assert sorted(order) == list(range(10_000))
    assert not np.array_equal(a, b) and not np.array_equal(a, c)
    assert abs(np.corrcoef(np.arange(10_000), order)[0, 1]) < 0.05  # no trace of the row order left
