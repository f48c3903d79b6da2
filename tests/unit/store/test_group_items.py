"""The items a group's evidence shows: from every detector that links two or more of its members."""

import pyarrow as pa

from trollscan.evidence import evidence_table
from trollscan.store.results import read_group_items, write_results


def _evidence(case, detector: str, rows: list[tuple[list[str], list[str], float]]) -> None:
    ev = evidence_table([{"detector": detector, "platform": "vk", "account_ids": accounts, "strength": strength,
                          "item_ids": items, "sentence": "s", "details": None} for accounts, items, strength in rows])
    write_results(case, detector=detector, params={}, input_hash="x", seconds=0.0, edges=None, evidence=ev)


def test_a_group_bound_by_copied_words_shows_their_items_and_outsiders_do_not_count(case) -> None:
    _evidence(case, "text.same_text", [(["a", "b", "z"], ["t1", "t2", "t9"], 0.9),  # z is not in a group
                                       (["a", "z"], ["t3", "t4"], 0.99)])  # only one member: not the group's
    _evidence(case, "coaction.co_comment", [(["c", "d"], ["p1"], 0.5)])
    _evidence(case, "signals.creation_burst", [(["a"], ["x1"], 1.0)])  # one account: shows no link
    members = pa.table({"group_id": [1, 1, 2, 2], "platform": ["vk"] * 4, "account_id": ["a", "b", "c", "d"]})
    assert read_group_items(case, members) == {1: ["t1", "t2", "t9"], 2: ["p1"]}
    assert read_group_items(case, members, limit=2) == {1: ["t1", "t2"], 2: ["p1"]}
