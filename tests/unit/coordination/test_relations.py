"""Shared groups (a co-action layer at any time) and mutual friendship (a supporting layer)."""

from datetime import datetime

import pyarrow as pa

from trollscan.clusters import find_groups
from trollscan.coordination import LAYERS
from trollscan.ingest import ingest_files
from trollscan.scan import scan
from trollscan.store.results import read_mutual_pairs, read_query


def _relations(tmp_path, rows):
    f = tmp_path / "relations.csv"
    f.write_text("platform,account_id,kind,other_id,added_at\n" + "".join(f"vk,{','.join(r)}\n" for r in rows))
    return f


def test_undated_memberships_give_a_sentence_without_dates(case, tmp_path) -> None:
    rows = [(a, "member", g, "") for a in ("a", "b") for g in ("g1", "g2", "g3")]
    ingest_files(case, [_relations(tmp_path, rows)])
    scan(case, layers=["shared_groups"], fdr=None)
    got = read_query(case, "SELECT sentence, item_ids FROM evidence WHERE detector = 'coaction.shared_groups'")
    assert got.to_pylist() == [{"sentence": "a and b are members of or subscribed to the same 3 groups, pages or channels.",
                                "item_ids": ["member:g1", "member:g2", "member:g3"]}]
    edge = read_query(case, "SELECT first_at, last_at FROM edges WHERE layer = 'shared_groups'").to_pylist()
    assert edge == [{"first_at": None, "last_at": None}]


def test_shared_groups_is_an_any_time_layer_over_memberships_and_subscriptions() -> None:
    layer = LAYERS["shared_groups"]
    assert layer.window_s is None and "'member', 'subscribed'" in layer.sql


def _edge(a, b, layer, weight=0.5):
    return {"platform": "vk", "layer": layer, "account_a": a, "account_b": b, "weight": weight,
            "first_at": datetime(2019, 2, 1), "last_at": datetime(2019, 2, 2)}


def test_friendship_alone_makes_no_group() -> None:
    edges = pa.Table.from_pylist([_edge("a", "b", "mutual"), _edge("b", "c", "mutual"), _edge("a", "c", "mutual"),
                                  _edge("c", "d", "mutual")])
    assert find_groups(edges) == []


def test_friendship_binds_accounts_other_layers_link() -> None:
    co = [_edge("a", "b", "co_reply"), _edge("c", "d", "co_reply"), _edge("x", "y", "co_reply")]
    friends = [_edge("a", "c", "mutual"), _edge("b", "d", "mutual"), _edge("a", "d", "mutual"),
               _edge("d", "z", "mutual")]  # z is linked by nothing else: its friendship is ignored
    groups = find_groups(pa.Table.from_pylist(co + friends))
    assert [g.members for g in groups] == [["a", "b", "c", "d"]]
    assert sorted(groups[0].layers) == ["co_reply", "mutual"]
    assert find_groups(pa.Table.from_pylist(co)) == []


def test_mutual_pairs_are_friends_or_two_way_follows_among_linked_accounts(case, tmp_path) -> None:
    ingest_files(case, [_relations(tmp_path, [
        ("a", "friend", "b", "2019-02-03"), ("c", "follow", "a", ""), ("a", "follow", "c", ""),
        ("b", "follow", "c", ""),  # one way: not mutual
        ("a", "friend", "z", ""),  # z is linked by no edge
    ])])
    case.con.execute("INSERT INTO edges VALUES (1, 'vk', 'co_reply', 'a', 'b', 1, 2, 2, NULL, NULL), "
                     "(1, 'vk', 'co_reply', 'b', 'c', 1, 2, 2, NULL, NULL), "
                     "(1, 'vk', 'shared_groups', 'a', 'z', 1, 2, 2, NULL, NULL)")
    got = read_mutual_pairs(case, ("mutual", "shared_groups")).to_pylist()
    assert [(p["account_a"], p["account_b"], p["friends"]) for p in got] == [("a", "b", True), ("a", "c", False)]
    assert got[0]["first_at"] == datetime(2019, 2, 3)


def test_scan_stores_friendship_evidence_with_its_date(case, tmp_path) -> None:
    items = tmp_path / "items.csv"
    items.write_text("platform,item_id,account_id,kind,parent_id,created_at\n" + "".join(
        f"vk,{a}{p},{a},comment,p{p},2019-02-0{p} 10:00:0{i}\n" for i, a in enumerate("abc") for p in range(1, 4)))
    ingest_files(case, [items, _relations(tmp_path, [("a", "friend", "b", "2019-02-03"), ("b", "friend", "c", "")])])
    scan(case, layers=["co_reply"], fdr=None)
    got = read_query(case, "SELECT sentence, item_ids FROM evidence WHERE detector = 'relations.mutual' "
                           "ORDER BY sentence").to_pylist()
    assert got == [{"sentence": "a and b are friends (since 3 Feb 2019).", "item_ids": ["friend:a:b"]},
                   {"sentence": "b and c are friends.", "item_ids": ["friend:b:c"]}]
    groups = read_query(case, "SELECT layers FROM groups").to_pylist()
    assert groups == [{"layers": ["co_reply", "mutual"]}]


def test_friendship_sentences_take_names_from_their_own_platform() -> None:
    from trollscan.coordination.relations import mutual_edges

    pairs = pa.Table.from_pylist([{"platform": "ok", "account_a": "1", "account_b": "2", "friends": True,
                                   "first_at": datetime(2019, 2, 3), "last_at": datetime(2019, 2, 3)}])
    names = {("vk", "1"): "@vk_one", ("ok", "1"): "@ok_one", ("ok", "2"): "@ok_two"}
    edges, evidence = mutual_edges(pairs, names)
    assert evidence["sentence"].to_pylist() == ["@ok_one and @ok_two are friends (since 3 Feb 2019)."]
    assert edges.num_rows == 1


def test_the_portable_mutual_query_finds_the_pairs_the_case_reader_finds(case, tmp_path) -> None:
    from trollscan.coordination.relations import MUTUAL_SQL

    ingest_files(case, [_relations(tmp_path, [
        ("a", "friend", "b", "2019-02-03"), ("b", "friend", "a", "2019-02-05"), ("c", "follow", "a", ""),
        ("a", "follow", "c", "2019-01-01"), ("b", "follow", "c", ""), ("a", "friend", "z", ""), ("c", "friend", "c", ""),
    ])])
    case.con.execute("INSERT INTO edges VALUES (1, 'vk', 'co_reply', 'a', 'b', 1, 2, 2, NULL, NULL), "
                     "(1, 'vk', 'co_reply', 'b', 'c', 1, 2, 2, NULL, NULL), "
                     "(1, 'vk', 'shared_groups', 'a', 'z', 1, 2, 2, NULL, NULL)")
    case.con.execute("CREATE TEMP VIEW linked AS SELECT DISTINCT platform, account_id FROM ("
                     "SELECT platform, account_a AS account_id FROM edges WHERE layer = 'co_reply' "
                     "UNION ALL SELECT platform, account_b FROM edges WHERE layer = 'co_reply')")
    portable = read_query(case, MUTUAL_SQL)
    expected = read_mutual_pairs(case, ("mutual", "shared_groups"))
    assert portable.num_rows == 2 and portable.to_pylist() == expected.to_pylist()
