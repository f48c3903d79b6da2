"""Family invariants: the order rows arrive in changes nothing (given their times), and an unrelated
text leaves the other families as they were."""

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from trollscan.text.families import text_families

BASES = ["спасибо елбасы за заботу о простых людях так держать",
         "мекеним кыргызстан партия реально помогает людям алга",
         "этот беглый банкир обманул тысячи людей не верьте провокаторам",
         "сегодня наконец то съездили с детьми в горы всем советую"]
variant = st.tuples(st.integers(0, len(BASES) - 1), st.sampled_from(["", "!!!", " 👍", " так", "x", "..."]),
                    st.booleans())


def _texts(variants):
    return [(BASES[b] + tail).upper() if up else BASES[b] + tail for b, tail, up in variants]


def _as_sets(result, item_ids):
    fams = {}
    for f, row in zip(result.members["family_id"].to_pylist(), result.members["row"].to_pylist()):
        fams.setdefault(f, set()).add(item_ids[row])
    return sorted(sorted(s) for s in fams.values())


@settings(max_examples=40, deadline=None)
@given(st.lists(variant, min_size=1, max_size=16), st.randoms(use_true_random=False))
def test_row_order_changes_nothing(variants, rnd) -> None:
    texts = _texts(variants)
    ids = [f"i{k}" for k in range(len(texts))]
    perm = list(range(len(texts)))
    rnd.shuffle(perm)
    a = text_families(pa.array(texts), np.arange(len(texts)))
    b = text_families(pa.array([texts[p] for p in perm]), np.asarray(perm))
    assert _as_sets(a, ids) == _as_sets(b, [ids[p] for p in perm])
    first_a = {ids[r] for r, s in zip(a.members["row"].to_pylist(), a.members["similarity"].to_pylist())}
    assert len(first_a) == a.members.num_rows  # every item in at most one family


@settings(max_examples=40, deadline=None)
@given(st.lists(variant, min_size=1, max_size=16))
def test_an_unrelated_text_leaves_the_families_alone(variants) -> None:
    texts = _texts(variants)
    ids = [f"i{k}" for k in range(len(texts))]
    before = _as_sets(text_families(pa.array(texts)), ids)
    after = _as_sets(text_families(pa.array(texts + ["цены на бензин опять выросли и никто ничего не объясняет"])),
                     ids + ["new"])
    assert before == after
