"""The text step with and without a semantic model: talking points stored as evidence, edges and families."""

import csv
import json
from pathlib import Path

import pytest

from trollscan.ingest import ingest_files
from trollscan.scan.text import scan_text
from trollscan.store import open_case
from trollscan.text.semantic import load_navec

PAYLOADS = {"1": "<script>alert(1)</script>", "2": "$(touch {marker}) `touch {marker}`"}
ITEMS = [
    ("1", "p1", "2020-10-01T10:00:00", "Не верьте провокаторам, они хотят раскачать лодку"),
    ("2", "p2", "2020-10-01T11:00:00", "Эти провокаторы просто хотят посеять хаос, не верьте им"),
    ("3", "p3", "2020-10-02T09:00:00", "Не поддавайтесь на провокации, кто-то хочет расшатать ситуацию"),
    ("4", "c1", "2020-10-01T12:00:00", "Вчера вечером снова пробки на Абая, ну и ну"),
    ("5", "c2", "2020-10-01T13:00:00", "Сегодня сварила плов, всех обнимаю и целую"),
    ("6", "c3", "2020-10-02T13:00:00", "Ребята, кот опять залез на шкаф к соседям"),
    # a near-copy pair: copied words, reported by text.near_duplicate and never as a talking point
    ("7", "d1", "2020-10-03T10:00:00", "Цены на бензин опять выросли, такие дела, кто знает почему"),
    ("8", "d2", "2020-10-03T11:00:00", "цены на бензин снова выросли!!! такие дела кто знает почему 😡"),
]


def _load(case, tmp_path: Path, items=ITEMS) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    with open(folder / "items.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["platform", "item_id", "kind", "account_id", "created_at", "text"])
        w.writerows(("vk", i, "comment", a, t, text) for i, a, t, text in items)
    with open(folder / "accounts.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["platform", "account_id", "handle"])
        w.writerows([("vk", "p1", "aliya_8686"), ("vk", "p2", "erlan_8989")])
    ingest_files(case, [folder])


def _rows(case, table: str, detector: str | None = None) -> list[tuple]:
    where = "" if detector is None else f" WHERE run_id IN (SELECT run_id FROM runs WHERE detector = '{detector}')"
    return case.con.execute(f"SELECT * EXCLUDE (run_id) FROM {table}{where} ORDER BY ALL").fetchall()


@pytest.fixture(scope="module")
def navec():
    return load_navec()


def test_a_talking_point_is_one_finding_with_both_items_and_both_texts(case, tmp_path, navec) -> None:
    _load(case, tmp_path)
    scan_text(case, "fp", semantic=navec)
    found = case.con.execute("SELECT account_ids, item_ids, sentence, details, strength FROM evidence "
                             "WHERE detector = 'text.same_talking_point'").fetchall()
    assert len(found) == 1
    accounts, items, sentence, details, strength = found[0]
    # the example beside the first text is the one in the most other words (item 3 shares only "не")
    assert accounts == ["p1", "p2", "p3"] and items == ["1", "3", "2"]
    assert sentence.startswith(
        "@aliya_8686, @erlan_8989 and 1 other account posted the same talking point in different words 3 times "
        "between 1 and 2 October 2020: 'Не верьте провокаторам, они хотят раскачать лодку' (first, by "
        "@aliya_8686 on 1 October 2020) and 'Не поддавайтесь на провокации, кто-то хочет расшатать ...' "
        "(by p3; 0.")
    d = json.loads(details)
    assert d["first_item"] == "1" and d["other_item"] == "3" and d["model"].startswith("navec")
    assert d["text"] == "не верьте провокаторам они хотят раскачать лодку"
    assert d["other_text"] == "не поддавайтесь на провокации кто то хочет расшатать ситуацию"
    assert 0 < strength < 1
    assert _rows(case, "edges", "text.same_talking_point") == []  # one shared point ties no one in the graph
    assert {r[2] for r in _rows(case, "text_families", "text.same_talking_point")} == {"1", "2", "3"}


def test_a_near_duplicate_pair_is_reported_once_as_copied_words(case, tmp_path, navec) -> None:
    _load(case, tmp_path)
    scan_text(case, "fp", semantic=navec)
    near = case.con.execute("SELECT item_ids FROM evidence WHERE detector = 'text.near_duplicate'").fetchall()
    assert case.con.execute("SELECT count(*) FROM evidence WHERE detector = 'text.same_text'").fetchall() == [(0,)]
    assert near == [(["7", "8"],)]
    points = case.con.execute("SELECT item_ids FROM evidence WHERE detector = 'text.same_talking_point'").fetchall()
    assert all(not {"7", "8"} <= set(items) for (items,) in points)


def test_without_a_model_the_text_step_is_exactly_as_before(case, tmp_path, navec) -> None:
    _load(case, tmp_path)
    scan_text(case, "fp")
    before = {t: _rows(case, t) for t in ("evidence", "edges", "text_families")}
    runs = [r[0] for r in case.con.execute("SELECT detector FROM runs ORDER BY detector").fetchall()]
    assert "text.same_talking_point" not in runs
    scan_text(case, "fp", semantic=navec)
    assert _rows(case, "evidence", "text.same_talking_point")
    scan_text(case, "fp")  # off again: the talking points found with the model are gone
    assert {t: _rows(case, t) for t in ("evidence", "edges", "text_families")} == before
    params = case.con.execute("SELECT params FROM runs WHERE detector = 'text.same_talking_point' "
                              "ORDER BY run_id").fetchall()
    assert [json.loads(p)["model"] for (p,) in params][-1] == "off"


def test_hostile_text_is_only_ever_data(case, tmp_path, navec) -> None:
    marker = tmp_path / "pwned"
    payloads = {i: p.format(marker=marker) for i, p in PAYLOADS.items()}
    items = [(i, a, t, f"{payloads[i]} {text}") if i in payloads else (i, a, t, text) for i, a, t, text in ITEMS]
    _load(case, tmp_path, items)
    scan_text(case, "fp", semantic=navec, min_cosine=0.35)  # the payloads' words dilute the point
    (sentence, details), = case.con.execute("SELECT sentence, details FROM evidence "
                                             "WHERE detector = 'text.same_talking_point'").fetchall()
    assert not marker.exists()
    texts = dict(case.con.execute("SELECT item_id, text FROM items WHERE item_id IN ('1', '2')").fetchall())
    assert all(texts[i].startswith(p) for i, p in payloads.items())  # stored as it was written
    assert "<script>alert(1)</script>" in sentence  # quoted as text; the report escapes it
    assert "script alert 1 script" in json.loads(details)["text"]


def test_the_scan_command_refuses_an_unknown_model_before_any_work(case, tmp_path) -> None:
    from typer.testing import CliRunner

    from trollscan.cli import app

    _load(case, tmp_path)
    root = case.root
    case.close()
    result = CliRunner().invoke(app, ["scan", "--case", str(root), "--semantic-model", str(tmp_path / "none.vec")])
    assert result.exit_code == 1
    assert "none.vec: no such file." in " ".join(result.output.split())
    with open_case(root) as c:
        assert c.con.execute("SELECT count(*) FROM runs").fetchall() == [(0,)]  # nothing was scanned


def test_accounts_that_rephrase_three_points_alike_are_tied_in_the_graph(case, tmp_path, navec) -> None:
    pairs = [("Этот беглый банкир обманул тысячи людей", "Беглый миллиардер присвоил сбережения простых граждан"),
             ("Тарифы на коммунальные услуги наконец снизили", "Коммунальные платежи сократили, спасибо"),
             ("За год построили десятки новых школ и больниц", "В этом году открыли много новых школ и поликлиник")]
    items = [(f"{k}{side}", f"q{side}", f"2020-10-0{k + 1}T1{side}:00:00", text)
             for k, both in enumerate(pairs) for side, text in enumerate(both, start=1)]
    _load(case, tmp_path, items + ITEMS[:6])  # and one point p1, p2 and p3 share
    scan_text(case, "fp", semantic=navec)
    points = case.con.execute("SELECT account_ids FROM evidence WHERE detector = 'text.same_talking_point'").fetchall()
    assert sorted(points) == [(["p1", "p2", "p3"],)] + [(["q1", "q2"],)] * 3
    edges = [r[1:6] for r in _rows(case, "edges", "text.same_talking_point")]
    assert len(edges) == 1 and edges[0][:3] == ("same_talking_point", "q1", "q2") and edges[0][4] == 3  # n_targets


def test_the_model_option_is_refused_where_no_text_step_runs(tmp_path) -> None:
    from typer.testing import CliRunner

    from trollscan.cli import app

    result = CliRunner().invoke(app, ["scan", "--coortweet", "--semantic-model", "navec", "--case", str(tmp_path)])
    assert result.exit_code == 1
    assert "--semantic-model goes with a full scan of a case" in " ".join(result.output.split())
