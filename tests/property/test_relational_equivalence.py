"""On any actions, the relational co-action equals the vectorised kernel."""

import numpy as np
import pyarrow as pa
from hypothesis import given, settings, strategies as st

from trollscan.coordination.edges import co_action_edges
from trollscan.coordination.relational import co_action_relational
from trollscan.store.engine import duckdb_views

action = st.tuples(st.sampled_from("abcdefg"), st.sampled_from(["t1", "t2", "t3", "t4"]), st.integers(0, 300))


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(action, min_size=0, max_size=60), window=st.sampled_from([None, 0, 30, 120]),
       min_targets=st.integers(1, 3), fdr=st.sampled_from([None, 0.2]), repeats=st.sampled_from(["targets", "items"]),
       cap=st.integers(2, 30))
def test_relational_equals_kernel(rows, window, min_targets, fdr, repeats, cap) -> None:
    actions = pa.table({"account": pa.array([r[0] for r in rows], pa.string()),
                        "target": pa.array([r[1] for r in rows], pa.string()),
                        "ts": pa.array([r[2] for r in rows], pa.int64()),
                        "row": pa.array(np.arange(len(rows)), pa.int64())})
    options = dict(window_s=window, min_targets=min_targets, fdr=fdr, repeats=repeats, max_target_actions=cap)
    kernel = co_action_edges(actions["account"], actions["target"], actions["ts"].to_numpy(), **options)
    run, define = duckdb_views()
    define("actions", actions, {})
    relational = co_action_relational(run, define, **options)
    assert relational.edges.equals(kernel.edges)
    assert relational.links.equals(kernel.links)
    assert relational.threshold == kernel.threshold and relational.crowded == kernel.crowded
