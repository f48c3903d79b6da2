"""Whom a group praises and attacks by name (`report.named`): counts, dates, examples and one
sentence per group; nothing for a group that names no one; names shown escaped in the report
and the app's group page."""

from __future__ import annotations

import shutil
import warnings
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest

from trollscan.report.html import profile_lines, write_report
from trollscan.report.named import named_lines, named_praise_and_attack
from trollscan.store import open_case
from tests.unit.web.hostile import CLOSE, GROUP, build_hostile_case

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

NAMED = "<script>window.__pwned='named'; document.title='PWNED'</script> Аблязов"


def _tables(rows: list[tuple]) -> tuple[pa.Table, pa.Table]:
    """rows: (group_id, account_id, item_id, day of Feb 2022, text)."""
    members = pa.Table.from_pylist([{"group_id": g, "platform": "facebook", "account_id": a}
                                    for g, a in sorted({(g, a) for g, a, *_ in rows})])
    items = pa.Table.from_pylist([
        {"platform": "facebook", "account_id": a, "item_id": i, "kind": "comment",
         "created_at": datetime(2022, 2, d, 10), "text": t} for _g, a, i, d, t in rows],
        schema=pa.schema([("platform", pa.string()), ("account_id", pa.string()), ("item_id", pa.string()),
                          ("kind", pa.string()), ("created_at", pa.timestamp("us")), ("text", pa.string())]))
    return members, items


def test_a_switch_of_whom_a_group_praises_by_name_is_dated() -> None:
    known = [{"name": "Мекеним Кыргызстан", "aliases": [], "kind": "ORG"},
             {"name": "Садыр Жапаров", "aliases": [], "kind": "PER"}]
    rows = [(5, f"a{k % 4}", f"m{k}", 1 + k // 6, "Спасибо Мекеним Кыргызстан, молодцы!") for k in range(30)]
    rows += [(5, f"a{k % 4}", f"s{k}", 12 + k // 6, "Садыр Жапаров молодец, поддерживаю!") for k in range(30)]
    members, items = _tables(rows)
    g = named_praise_and_attack(members, items, known)[5]
    assert g["allegiance"]["sentence"] == (
        "Praised Мекеним Кыргызстан by name until 5 Feb 2022, then Садыр Жапаров from 12 Feb 2022 (their share "
        "of the comments praising someone by name went from 0% to 100%).")
    assert named_lines(g)[1] == g["allegiance"]["sentence"]
    steady = named_praise_and_attack(*_tables(rows[:30]), known)[5]
    assert "allegiance" not in steady and len(named_lines(steady)) == 2  # no switch: sentence and the list


def test_a_group_praising_one_person_and_attacking_another_gets_counts_dates_and_a_sentence() -> None:
    known = [{"name": "Касым-Жомарт Токаев", "aliases": [], "kind": "PER"},
             {"name": "Мухтар Аблязов", "aliases": [], "kind": "PER"}]
    rows = [(3, f"a{k % 3}", f"p{k}", 2 + k, "Спасибо Токаеву за заботу!") for k in range(5)]
    rows += [(3, "a1", "x1", 9, "Токаев молодец, а Аблязов вор"), (3, "a2", "x2", 12, "Позор Аблязову"),
             (3, "a0", "x3", 20, "Аблязов украл деньги"), (3, "a0", "x4", 21, "погода хорошая")]
    rows += [(4, "b1", f"q{k}", 3, "Сегодня снег и пробки") for k in range(4)]
    members, items = _tables(rows)
    named = named_praise_and_attack(members, items, known)
    assert set(named) == {3}  # group 4 names no one: no entry at all
    g = named[3]
    praised, attacked = g["praises"][0], g["attacks"][0]
    assert (praised["key"], praised["name"], praised["praise"], praised["comments"], praised["source"]) == (
        "касым жомарт токаев", "Касым-Жомарт Токаев", 6, 6, "known")
    assert praised["examples"] == ["p0", "p1", "p2"]
    assert (praised["first"], praised["last"]) == ("2 Feb 2022", "9 Feb 2022")
    assert (attacked["name"], attacked["attack"], attacked["comments"], attacked["first"], attacked["last"]) == (
        "Мухтар Аблязов", 3, 3, "9 Feb 2022", "20 Feb 2022")
    assert g["sentence"] == (
        "Group 3 praised Касым-Жомарт Токаев in 6 comments between 2 Feb 2022 and 9 Feb 2022, and attacked "
        "Мухтар Аблязов in 3 comments between 9 Feb 2022 and 20 Feb 2022 (names read in the text of 8 of its "
        "comments that name a person or organisation).")
    lines = named_lines(g)
    assert lines[0] == g["sentence"]
    assert lines[1].startswith("Praised by name: Касым-Жомарт Токаев: 6 of 6 comments naming them (100%), "
                               "2 Feb 2022 to 9 Feb 2022, e.g. item p0, p1")
    assert lines[2].startswith("Attacked by name: Мухтар Аблязов: 3 of 3 comments naming them (100%)")


def test_names_only_mentioned_or_below_the_floor_say_nothing() -> None:
    known = [{"name": "Мухтар Аблязов", "aliases": [], "kind": "PER"}]
    rows = [(1, "a", "i1", 2, "Аблязов дал интервью"), (1, "a", "i2", 3, "Аблязов уехал"),
            (1, "a", "i3", 4, "Позор Аблязову"), (1, "a", "i4", 5, "Аблязов опять в новостях")]
    members, items = _tables(rows)
    named = named_praise_and_attack(members, items, known, ner=False)
    assert named[1]["praises"] == [] and named[1]["attacks"] == [] and "sentence" not in named[1]
    assert named_lines(named[1]) == [] and named_lines(None) == []
    assert not any("by name" in line for line in profile_lines({"named": named[1]}))


def test_comments_of_accounts_outside_every_group_are_not_read() -> None:
    known = [{"name": "Мухтар Аблязов", "aliases": [], "kind": "PER"}]
    members, items = _tables([(1, "a", f"i{k}", 2 + k, "Позор Аблязову") for k in range(4)])
    outsider = pa.Table.from_pylist([{"platform": "facebook", "account_id": "z", "item_id": f"z{k}", "kind": "comment",
                                      "created_at": datetime(2022, 2, 1), "text": "Спасибо Аблязову"}
                                     for k in range(9)], schema=items.schema)
    named = named_praise_and_attack(members, pa.concat_tables([items, outsider]), known, ner=False)
    assert named[1]["mentions"] == 4 and named[1]["attacks"][0]["attack"] == 4 and named[1]["praises"] == []


def add_named_comments(root: Path) -> None:
    """Give the hostile case's group comments that attack Аблязов, recorded as a person whose name
    holds a script, and praise Токаев (found by the tagger)."""
    with open_case(root) as c:
        c.con.execute("INSERT INTO entities VALUES ('evil', 'Person', ?, '{}', NULL, 1, 1)", [NAMED])
        n = c.con.execute("SELECT max(source_record) FROM items").fetchall()[0][0]
        for k in range(4):
            for j, aid in enumerate(GROUP):
                n += 1
                c.con.execute(
                    "INSERT INTO items (platform, item_id, kind, account_id, created_at, target_id, text, source_id, "
                    "source_record) VALUES ('facebook', ?, 'comment', ?, ?, 'post1', ?, 1, ?)",
                    [f"n{k}-{j}", aid, datetime(2019, 2, 3 + k, 10 + j),
                     "Позор Аблязову!" if j % 2 else "Спасибо Токаеву за заботу", n])


@pytest.fixture(scope="module")
def named_case(tmp_path_factory) -> Path:
    root = build_hostile_case(tmp_path_factory.mktemp("named") / "case")
    add_named_comments(root)
    return root


def test_hostile_names_are_escaped_in_the_report_and_the_group_page(named_case: Path, tmp_path: Path) -> None:
    from trollscan.web import create_app

    out = tmp_path / "report.html"
    with open_case(named_case) as c:
        write_report(c, out)
    html = out.read_text(encoding="utf-8")
    group = html.split('id="group-1"', 1)[1].split("</article>", 1)[0]
    assert "Attacked by name: &lt;script&gt;window.__pwned=&#39;named&#39;" in group
    assert "Praised by name: Токаев" in group
    assert "<script>window.__pwned='named'" not in html
    root = Path(shutil.copytree(named_case, tmp_path / "case"))
    page = TestClient(create_app(root), base_url="http://127.0.0.1:8765").get("/group/1").text
    assert "Attacked by name: &lt;script&gt;window.__pwned=&#39;named&#39;" in page
    assert "<script>window.__pwned='named'" not in page and CLOSE not in page


def test_a_group_whose_comments_name_no_one_shows_no_named_lines(tmp_path: Path) -> None:
    root = build_hostile_case(tmp_path / "case")
    out = tmp_path / "report.html"
    with open_case(root) as c:
        write_report(c, out)
    assert "by name" not in out.read_text(encoding="utf-8")
