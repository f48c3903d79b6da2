import random

import pyarrow as pa

from trollscan.spread.cascade import build_cascade

from .conftest import at

_STORY = pa.schema([("platform", pa.string()), ("item_id", pa.string()), ("kind", pa.string()),
                    ("account_id", pa.string()), ("created_at", pa.timestamp("us")), ("parent_id", pa.string()),
                    ("parent_state", pa.string())])


def story(*rows) -> pa.Table:
    """rows: (item_id, account, seconds, kind, parent_id, parent_state)."""
    return pa.Table.from_pylist([
        {"platform": "twitter", "item_id": i, "kind": k, "account_id": a, "created_at": None if s is None else at(s),
         "parent_id": p, "parent_state": st} for i, a, s, k, p, st in rows], schema=_STORY)


def follows(*pairs) -> pa.Table:
    return pa.table({"platform": ["twitter"] * len(pairs), "account_id": [a for a, _ in pairs],
                     "other_id": [b for _, b in pairs]}, schema=pa.schema([(n, pa.string()) for n in
                                                                            ("platform", "account_id", "other_id")]))


def pairs(*ab) -> pa.Table:
    return pa.table({"platform": ["twitter"] * len(ab), "account_a": [a for a, _ in ab],
                     "account_b": [b for _, b in ab], "weight": [1.0] * len(ab)},
                    schema=pa.schema([("platform", pa.string()), ("account_a", pa.string()),
                                      ("account_b", pa.string()), ("weight", pa.float64())]))


def tree(s: pa.Table, c: pa.Table) -> dict[str, tuple[str | None, str]]:
    ids = s["item_id"].to_pylist()
    return {ids[k]: (ids[p] if p >= 0 else None, link)
            for k, (p, link) in enumerate(zip(c["parent"].to_pylist(), c["link"].to_pylist()))}


def test_platform_parents_make_the_tree_and_count_descendants() -> None:
    s = story(("1", "a", 0, "post", None, None), ("2", "b", 10, "share", "1", "story"),
              ("3", "c", 20, "quote", "1", "story"), ("4", "d", 30, "reply", "3", "story"))
    c = build_cascade(s, follows(), pairs())
    assert tree(s, c) == {"1": (None, "origin"), "2": ("1", "share"), "3": ("1", "quote"), "4": ("3", "reply")}
    assert c["depth"].to_pylist() == [0, 1, 1, 2]
    assert c["descendants"].to_pylist() == [3, 0, 1, 0]
    assert c["root"].to_pylist() == [0, 0, 0, 0]


def test_an_own_post_is_linked_to_the_latest_earlier_item_of_someone_the_author_follows() -> None:
    s = story(("1", "a", 0, "post", None, None), ("2", "b", 10, "post", None, None),
              ("3", "b", 50, "post", None, None), ("4", "c", 40, "post", None, None),
              ("5", "x", 60, "post", None, None))
    c = build_cascade(s, follows(("x", "b"), ("x", "c")), pairs())
    assert tree(s, c)["5"] == ("3", "inferred:follow")  # b's item at 50 is the latest x could have seen


def test_co_sharing_partners_are_the_next_guess_and_time_the_last() -> None:
    s = story(("1", "a", 0, "post", None, None), ("2", "b", 10, "post", None, None),
              ("3", "c", 20, "post", None, None), ("4", "d", 30, "post", None, None))
    c = build_cascade(s, follows(("c", "zzz")), pairs(("b", "c")))
    t = tree(s, c)
    assert t["3"] == ("2", "inferred:co-sharing")
    assert t["2"] == ("1", "inferred:time")
    assert t["4"] == ("1", "inferred:time")
    assert t["1"] == (None, "origin")


def test_an_item_never_gets_a_parent_from_its_own_time_or_later() -> None:
    s = story(("1", "a", 0, "post", None, None), ("2", "b", 0, "post", None, None))
    c = build_cascade(s, follows(("b", "a"), ("a", "b")), pairs())
    assert c["parent"].to_pylist() == [-1, -1]


def test_a_parent_missing_from_the_case_is_marked_not_inferred() -> None:
    s = story(("1", "a", 0, "post", None, None), ("2", "b", 10, "share", "gone", "missing"))
    c = build_cascade(s, follows(("b", "a")), pairs())
    assert tree(s, c)["2"] == (None, "missing-parent")


def test_undated_items_are_not_inferred() -> None:
    s = story(("1", "a", 0, "post", None, None), ("2", "b", None, "post", None, None))
    c = build_cascade(s, follows(("b", "a")), pairs())
    assert tree(s, c)["2"] == (None, "origin")


def test_a_cycle_of_parents_in_corrupt_data_is_cut() -> None:
    s = story(("1", "a", 0, "post", None, None), ("2", "b", 10, "share", "3", "story"),
              ("3", "c", 20, "share", "2", "story"))
    c = build_cascade(s, follows(), pairs())
    assert c["parent"].to_pylist()[0] == -1
    assert max(c["depth"].to_pylist()) <= 2


def test_row_order_changes_nothing() -> None:
    rows = [("1", "a", 0, "post", None, None), ("2", "b", 10, "share", "1", "story"),
            ("3", "c", 20, "post", None, None), ("4", "d", 30, "post", None, None),
            ("5", "e", 40, "reply", "4", "story"), ("6", "f", 50, "post", None, None)]
    f, p = follows(("c", "b"), ("f", "d"), ("f", "a")), pairs(("d", "a"))
    want = tree(story(*rows), build_cascade(story(*rows), f, p))
    shuffled = rows[:]
    random.Random(3).shuffle(shuffled)
    assert tree(story(*shuffled), build_cascade(story(*shuffled), f, p)) == want
    assert want["3"] == ("2", "inferred:follow") and want["6"] == ("4", "inferred:follow")


def test_ties_in_time_are_broken_by_item_id_whatever_the_row_order() -> None:
    rows = [("1", "a", 0, "post", None, None), ("2", "b", 0, "post", None, None), ("3", "c", 10, "post", None, None)]
    f = follows(("c", "a"), ("c", "b"))
    for order in (rows, rows[::-1]):
        assert tree(story(*order), build_cascade(story(*order), f, pairs()))["3"] == ("1", "inferred:follow")
