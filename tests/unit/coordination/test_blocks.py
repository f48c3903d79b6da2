"""The pairing kernel's blocks: with whole targets, every pair still comes once, and no target's
pairs are split between two blocks (so a pair's co-actions on one target can be folded per block)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from trollscan.coordination.edges import _fold
from trollscan.coordination.window import sort_actions, window_pairs

action = st.tuples(st.integers(0, 5), st.integers(0, 4), st.integers(0, 300))  # account, target, ts


@settings(max_examples=150, deadline=None)
@given(st.lists(action, max_size=40), st.one_of(st.none(), st.integers(0, 120)), st.integers(1, 7))
def test_whole_target_blocks_give_every_pair_once_and_keep_targets_together(actions, window, block) -> None:
    acc = np.array([a for a, _, _ in actions], dtype=np.int64)
    tgt = np.array([t for _, t, _ in actions], dtype=np.int64)
    ts = np.array([s for _, _, s in actions], dtype=np.int64)
    acts = sort_actions(tgt, ts, acc)
    plain = {(int(i), int(j)) for bi, bj in window_pairs(acts, window_s=window) for i, j in zip(bi, bj)}
    seen, got = set(), []
    for bi, bj in window_pairs(acts, window_s=window, max_pairs=block, whole_targets=True):
        targets = set(acts.target[bi].tolist())
        assert not targets & seen  # a target's pairs never continue in a later block
        seen |= targets
        got += list(zip(bi.tolist(), bj.tolist()))
    assert len(got) == len(set(got)) and set(got) == plain


def test_fold_gives_one_row_per_pair_and_target() -> None:
    pk = np.array([7, 7, 9, 7, 7], dtype=np.int64)
    t = np.array([1, 1, 1, 2, 0], dtype=np.int64)
    ts_i, ts_j = np.array([5, 3, 4, 8, 1]), np.array([9, 6, 4, 8, 2])
    units = np.array([100, 10, 1], dtype=np.int64)
    rows = _fold(pk, t, ts_i, ts_j, units, np.array([False, True, False]))
    got = sorted(zip(*(c.tolist() for c in rows)))
    # (pk, co-actions, rarity, first, last): target 1 repeats, its two rows of pair 7 fold into one
    assert got == [(7, 1, 1, 8, 8), (7, 1, 100, 1, 2), (7, 2, 10, 3, 9), (9, 1, 10, 4, 4)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(-5, 5)), max_size=30),
       st.sampled_from([1, 2 ** 40]))
def test_sorting_by_one_combined_key_equals_sorting_by_three(rows, scale) -> None:
    """The fast path (one key) and the general one (lexsort, when the key would overflow) agree."""
    acc = np.array([a for a, _, _ in rows], dtype=np.int64) * scale
    tgt = np.array([t for _, t, _ in rows], dtype=np.int64) * scale
    ts = np.array([s for _, _, s in rows], dtype=np.int64)
    acts = sort_actions(tgt, ts, acc)
    assert acts.order.tolist() == np.lexsort((acc, ts, tgt)).tolist()
