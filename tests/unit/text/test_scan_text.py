import csv
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from trollscan.evidence import evidence_table
from trollscan.ingest import ingest_files
from trollscan.scan.text import scan_text
from trollscan.store.texts import TextRun, read_text_families, write_text_results
from trollscan.text.findings import describe_span, quote

ITEMS = [
    ("1", "comment", "a1", "2019-03-03T10:00:00", "Спасибо Елбасы за заботу о простых людях! Так держать!!!"),
    ("2", "comment", "a2", "2019-03-04T10:00:00", "спасибо елбасы за заботу о простых людях так держать 👍"),
    ("3", "comment", "a3", "2019-03-09T10:00:00", "СПАСИБО ЕЛБАСЫ ЗА ЗАБОТУ О ПРОСТЫХ ЛЮДЯХ. ТАК ДЕРЖАТЬ"),
    ("4", "comment", "a4", "2019-03-05T10:00:00", "Сегодня наконец-то съездили с детьми в горы, красота"),
    ("5", "comment", "a1", "2019-03-05T11:00:00", "Я подерживаю эту инициативу полностью"),
    ("6", "comment", "a2", "2019-03-06T12:00:00", "подерживаю всей душой, молодцы"),
    ("7", "comment", "a5", "2019-03-07T12:00:00", "Мекеним Кыргызстан! партия реально помогает людям, алга"),
    ("8", "comment", "a6", "2019-03-08T12:00:00", "Мекеним Кыргызстан партиия реально помогает людям алга!!"),
    ("9", "share", "a7", "2019-03-08T13:00:00", "Спасибо Елбасы за заботу о простых людях! Так держать!!!"),
] + [(str(100 + i), "comment", f"b{i}", "2019-03-06T10:00:00", f"поддерживаю решение номер {i} {'x' * i}")
     for i in range(12)]


def _load(case, tmp_path: Path, items=ITEMS) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    with open(folder / "items.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["platform", "item_id", "kind", "account_id", "created_at", "text"])
        w.writerows(("vk", *row) for row in items)
    with open(folder / "accounts.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["platform", "account_id", "handle"])
        w.writerows([("vk", "a1", "aliya_8686"), ("vk", "a2", "erlan_8989"), ("vk", "a3", "dana_77")])
    ingest_files(case, [folder])


def _evidence(case) -> list[dict]:
    rows = case.con.execute("SELECT detector, account_ids, item_ids, strength, sentence, details FROM evidence "
                            "ORDER BY detector, sentence").fetchall()
    return [dict(zip(("detector", "accounts", "items", "strength", "sentence", "details"), r)) for r in rows]


def test_same_words_become_one_finding_with_its_items_and_a_sentence(case, tmp_path) -> None:
    _load(case, tmp_path)
    summary = scan_text(case, "fp")
    same = [e for e in _evidence(case) if e["detector"] == "text.same_text"]
    assert len(same) == 1
    assert same[0]["accounts"] == ["a1", "a2", "a3"] and same[0]["items"] == ["1", "2", "3"]  # not the share
    assert same[0]["sentence"] == (
        "@aliya_8686, @erlan_8989 and 1 other account posted the same words ('Спасибо Елбасы за заботу о простых "
        "людях! Так держать!!!') 3 times between 3 and 9 March 2019; first by @aliya_8686 on 3 March 2019.")
    details = json.loads(same[0]["details"])
    assert details["first_item"] == "1" and details["exact"] and details["n_accounts"] == 3
    assert summary.actions == len(ITEMS) - 1 and summary.top


def test_near_duplicates_and_shared_misspellings_are_found(case, tmp_path) -> None:
    _load(case, tmp_path)
    scan_text(case, "fp")
    found = _evidence(case)
    near = [e for e in found if e["detector"] == "text.near_duplicate" and e["accounts"] == ["a5", "a6"]]
    assert len(near) == 1 and "nearly the same words" in near[0]["sentence"]
    typo = [e for e in found if e["detector"] == "text.shared_misspelling"]
    assert [(e["accounts"], e["items"]) for e in typo] == [(["a1", "a2"], ["5", "6"])]
    assert typo[0]["sentence"].startswith("@aliya_8686 and @erlan_8989 both write 'подерживаю' (a misspelling of "
                                          "'поддерживаю', which 12 accounts of the case write right")


def test_edges_link_each_pair_once_per_layer_without_self_pairs(case, tmp_path) -> None:
    _load(case, tmp_path)
    scan_text(case, "fp")
    edges = case.con.execute("SELECT layer, account_a, account_b, n_targets, n_items FROM edges").fetchall()
    assert all(a < b for _, a, b, _, _ in edges)
    assert len({(layer, a, b) for layer, a, b, _, _ in edges}) == len(edges)
    assert ("same_text_family", "a1", "a2", 1, 2) in edges and ("shared_misspelling", "a1", "a2", 1, 2) in edges


def test_families_are_stored_with_their_run_and_first_text(case, tmp_path) -> None:
    _load(case, tmp_path)
    scan_text(case, "fp")
    fams = read_text_families(case).to_pylist()
    first = next(f for f in fams if f["item_id"] == "1")
    same = [f for f in fams if f["family_id"] == first["family_id"]]
    assert [f["item_id"] for f in same] == ["1", "2", "3"] and {f["similarity"] for f in same} == {1.0}
    assert {f["detector"] for f in same} == {"text.same_text"}


def test_a_second_scan_replaces_the_first(case, tmp_path) -> None:
    _load(case, tmp_path)
    scan_text(case, "fp")
    counts = [case.con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in ("evidence", "edges", "text_families")]
    scan_text(case, "fp")
    again = [case.con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in ("evidence", "edges", "text_families")]
    assert again == counts and case.con.execute("SELECT count(*) FROM runs").fetchall()[0][0] == 6


def test_a_failed_write_leaves_the_previous_results(case, tmp_path) -> None:
    _load(case, tmp_path)
    scan_text(case, "fp")
    before = case.con.execute("SELECT * FROM evidence ORDER BY ALL").fetchall()
    broken = pa.table({"family_id": [1]})  # lacks the columns text_families needs
    with pytest.raises(duckdb.Error):
        write_text_results(case, [TextRun("text.same_text", {}, evidence_table()),
                                  TextRun("text.near_duplicate", {}, evidence_table(), families=broken)],
                           input_hash="fp", seconds=0.0)
    assert case.con.execute("SELECT * FROM evidence ORDER BY ALL").fetchall() == before


def test_an_empty_case_gives_no_findings(case) -> None:
    summary = scan_text(case, "fp")
    assert summary.actions == 0 and summary.edges == 0 and not _evidence(case)


def test_dates_and_quotes_read_naturally() -> None:
    from datetime import datetime as dt
    assert describe_span(dt(2019, 3, 3), dt(2019, 3, 9)) == " between 3 and 9 March 2019"
    assert describe_span(dt(2019, 3, 3, 1), dt(2019, 3, 3, 5)) == " on 3 March 2019"
    assert describe_span(dt(2019, 3, 30), dt(2019, 4, 2)) == " between 30 March and 2 April 2019"
    assert describe_span(dt(2019, 12, 30), dt(2020, 1, 2)) == " between 30 December 2019 and 2 January 2020"
    assert describe_span(None, None) == ""
    assert quote("Спасибо   Елбасы\nза заботу о простых людях, так держать, молодцы, спасибо", 40) == \
        "Спасибо Елбасы за заботу о простых ..."


def test_a_loose_family_is_evidence_but_no_tie_in_the_graph(case, tmp_path) -> None:
    _load(case, tmp_path)
    scan_text(case, "fp", min_edge_strength=1.0)  # no family is that strong
    assert case.con.execute("SELECT count(*) FROM edges WHERE layer LIKE '%text_family'").fetchall() == [(0,)]
    assert any(e["detector"] == "text.same_text" for e in _evidence(case))
