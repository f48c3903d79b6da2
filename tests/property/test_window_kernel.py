"""The co-action kernel finds exactly the pairs a brute-force double loop finds."""

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from trollscan.coordination.edges import co_action_edges
from trollscan.coordination.window import sort_actions, window_pairs

action = st.tuples(st.integers(0, 5), st.integers(0, 4), st.integers(0, 300))  # account, target, ts


def brute(actions, window):
    found = set()
    for x, (a1, t1, s1) in enumerate(actions):
        for y, (a2, t2, s2) in enumerate(actions):
            if x < y and t1 == t2 and a1 != a2 and (window is None or abs(s1 - s2) <= window):
                found.add((x, y))
    return found


@settings(max_examples=200, deadline=None)
@given(st.lists(action, max_size=40), st.one_of(st.none(), st.integers(0, 120)), st.integers(1, 7))
def test_kernel_pairs_equal_brute_force(actions, window, block) -> None:
    acc = np.array([a for a, _, _ in actions], dtype=np.int64)
    tgt = np.array([t for _, t, _ in actions], dtype=np.int64)
    ts = np.array([s for _, _, s in actions], dtype=np.int64)
    acts = sort_actions(tgt, ts, acc)
    got = set()
    for i, j in window_pairs(acts, window_s=window, max_pairs=block):
        for x, y in zip(acts.order[i], acts.order[j]):
            pair = (min(x, y), max(x, y))
            assert pair not in got
            got.add(pair)
    assert got == brute(actions, window)


@settings(max_examples=60, deadline=None)
@given(st.lists(action, max_size=40), st.randoms(use_true_random=False))
def test_edges_ignore_row_order_and_are_symmetric_without_self_pairs(actions, rnd) -> None:
    def edges(rows):
        acc = pa.array([f"u{a}" for a, _, _ in rows])
        tgt = pa.array([f"t{t}" for _, t, _ in rows])
        ts = np.array([s for _, _, s in rows], dtype=np.int64)
        return co_action_edges(acc, tgt, ts, window_s=60, min_targets=1, fdr=None).edges.to_pylist()

    shuffled = actions[:]
    rnd.shuffle(shuffled)
    first = edges(actions)
    assert first == edges(shuffled)
    assert all(e["account_a"] < e["account_b"] for e in first)



@settings(max_examples=60, deadline=None)
@given(st.lists(action, max_size=40), st.integers(0, 120))
def test_kernel_pairs_are_the_same_when_keys_need_slicing(actions, window) -> None:
    import trollscan.coordination.window as w

    acc = np.array([a for a, _, _ in actions], dtype=np.int64)
    tgt = np.array([t for _, t, _ in actions], dtype=np.int64)
    ts = np.array([s for _, _, s in actions], dtype=np.int64)
    acts = sort_actions(tgt, ts, acc)
    saved = w._KEY_BITS
    try:
        w._KEY_BITS = 9  # a key of 512: one or two targets a slice with these times
        sliced = {(min(x, y), max(x, y)) for i, j in window_pairs(acts, window_s=window)
                  for x, y in zip(acts.order[i], acts.order[j])}
    finally:
        w._KEY_BITS = saved
    assert sliced == brute(actions, window)
