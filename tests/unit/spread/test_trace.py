import json

import pytest

from trollscan.errors import BadParameter
from trollscan.spread import render_spread_section, trace_story
from trollscan.spread.render import render_story

from .conftest import item

TEXT = "BREAKING: Kazakhs burn Chinese restaurants in Kordai over coronavirus panic"


def story_case(load):
    bots = [f"bot{k}" for k in range(4)]
    right = [f"right{k}" for k in range(4)]
    items = [item("1", "origin", 0, text=TEXT, hashtags=["coronavirus"])]
    items += [item(f"s{k}", b, 30 + 10 * k, "share", parent="1") for k, b in enumerate(bots)]
    items += [item(f"q{k}", r, 3600 + 60 * k, "quote", parent="1", text="Shocking: Kordai burns " + r)
              for k, r in enumerate(right)]
    items += [item("own", "late", 7200, text="в Кордае громят рестораны, Kordai")]
    # what else each side shares: its own sites and hashtags
    items += [item(f"b{k}{j}", b, 20_000 + j, urls=[f"https://silkroad.example/{j}"], hashtags=["SilkRoad"])
              for k, b in enumerate(bots) for j in range(2)]
    items += [item(f"r{k}{j}", r, 30_000 + j, urls=[f"https://patriot.example/{j}"], hashtags=["EuropeFirst"])
              for k, r in enumerate(right) for j in range(2)]
    relations = [{"platform": "twitter", "account_id": "late", "kind": "follow", "other_id": "right2"}]
    accounts = [{"platform": "twitter", "account_id": "origin", "handle": "sotiridi"},
                {"platform": "twitter", "account_id": "right3", "name": "Euro Daily News"}]
    case = load(items=items, relations=relations, accounts=accounts)
    case.con.execute("INSERT INTO labels VALUES ('twitter', 'bot0', 'fake', NULL, 'r', NULL, 1, 1), "
                     "('twitter', 'bot1', 'doubtful', NULL, 'r', NULL, 1, 2)")
    return case


def test_a_story_is_traced_from_its_first_poster_to_its_groups(load) -> None:
    case = story_case(load)
    r = trace_story(case, ["Kordai"])
    assert r["first_posters"][0] == "origin"
    assert r["first_poster_details"][0]["name"] == "@sotiridi"
    assert r["summary"]["items"] == 10 and r["summary"]["accounts"] == 10
    assert r["summary"]["platform_links"] == 8 and r["summary"]["inferred_links"] == {"follow": 1}
    cascade = r["cascade"]
    k = cascade["item_id"].index("own")
    assert (cascade["parent_item_id"][k], cascade["link"][k]) == ("q2", "inferred:follow")
    groups = {frozenset(g["accounts"]): g for g in r["groups"]}
    bots = groups[frozenset(f"bot{k}" for k in range(4))]
    assert bots["top_hashtags"][0] == ["silkroad", 4] and bots["top_domains"] == [["silkroad.example", 4]]
    assert bots["fake_share"] == 0.25 and bots["doubtful_share"] == 0.25
    assert frozenset(f"right{k}" for k in range(4)) in groups
    assert [j["account_id"] for j in r["chronology"]["mainstream_joined"]] == ["right3"]
    assert set(r["chronology"]["languages"]) == {"en", "ru"}
    json.dumps(r)  # the --json output


def test_the_findings_are_stored_as_evidence_and_replaced_by_the_next_story(load) -> None:
    case = story_case(load)
    r = trace_story(case, ["Kordai"])
    rows = case.con.execute("SELECT detector, account_ids, item_ids, sentence FROM evidence ORDER BY detector").fetchall()
    assert [d for d, *_ in rows].count("spread.first_poster") == 1
    first = next(row for row in rows if row[0] == "spread.first_poster")
    assert first[1] == ["origin"] and first[2] == ["1"] and first[3].startswith("@sotiridi posted the story 'Kordai'")
    assert sum(d == "spread.group" for d, *_ in rows) == len(r["groups"]) >= 2
    trace_story(case, ["#coronavirus"])
    (run_id, params), = case.con.execute(
        "SELECT run_id, params FROM runs WHERE detector = 'spread' ORDER BY run_id DESC LIMIT 1").fetchall()
    assert json.loads(params)["terms"] == ["#coronavirus"]
    assert case.con.execute("SELECT count(DISTINCT run_id) FROM evidence").fetchone()[0] == 1
    assert case.con.execute("SELECT min(run_id) FROM evidence").fetchone()[0] == run_id


def test_the_report_can_find_the_last_story_traced(load) -> None:
    from trollscan.store.spread import read_last_spread_params

    case = story_case(load)
    assert read_last_spread_params(case) is None
    trace_story(case, ["Kordai", "#coronavirus"], min_group_size=4)
    params = read_last_spread_params(case)
    assert params["terms"] == ["Kordai", "#coronavirus"] and params["min_group_size"] == 4


def test_without_store_nothing_is_written(load) -> None:
    case = story_case(load)
    trace_story(case, ["Kordai"], store=False)
    assert case.con.execute("SELECT count(*) FROM evidence").fetchone()[0] == 0


def test_a_query_no_item_carries_is_a_clear_error(load) -> None:
    case = story_case(load)
    with pytest.raises(BadParameter) as exc:
        trace_story(case, ["Zhanaozen", "#nothing"])
    assert exc.value.message == "No item of the case carries 'Zhanaozen' or '#nothing'."
    with pytest.raises(BadParameter, match="max_target_accounts"):
        trace_story(case, ["Kordai"], max_target_accounts=1)


def test_the_report_section_and_the_summary_carry_the_sentences(load) -> None:
    case = story_case(load)
    r = trace_story(case, ["Kordai"], store=False)
    section = render_spread_section(r)
    assert section["title"] == "How the story spread: Kordai"
    assert section["first_posters"][0]["account_id"] == "origin"
    assert any(s.startswith("@sotiridi posted the story") for s in section["sentences"])
    assert section["groups"] and section["hours"][0]["items"] >= 1
    json.dumps(section)
    assert render_story(r)  # Rich renderables, printed by the CLI


def test_markup_in_the_data_is_printed_as_written(load) -> None:
    from rich.console import Console

    case = load(items=[item("1", "a", 0, text="Kordai [bold red]burns[/]", language="[blink]x"),
                       item("2", "[red]b", 10, "share", parent="1")])
    r = trace_story(case, ["Kordai"], store=False)
    console = Console(record=True, width=200)
    for part in render_story(r):
        console.print(part)
    text = console.export_text()
    assert "[red]b" in text and "[blink]x" in text
