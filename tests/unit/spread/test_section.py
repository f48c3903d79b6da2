"""The report's "How the story spread" section: which story it shows, and that it is escaped."""

import pytest

from trollscan.errors import BadParameter
from trollscan.report.html import build_report, render_report
from trollscan.spread import trace_story
from trollscan.spread.section import MAX_HOURLY_BARS, chronology_chart, report_section

from .conftest import item

PAYLOAD = "<script>window.__pwned=1</script><img src=x onerror=alert(1)> Kordai"


def hostile_story(load):
    items = [item("1", "origin", 0, text=PAYLOAD, hashtags=["Kordai"])]
    items += [item(f"s{k}", f"bot{k}", 30 + 10 * k, "share", parent="1") for k in range(4)]
    items += [item(f"q{k}", f"r{k}", 7200 + 60 * k, "quote", parent="1", text=f"Kordai burns {k}") for k in range(3)]
    accounts = [{"platform": "twitter", "account_id": "origin", "handle": "<b>bold</b>",
                 "name": "\"><svg onload=alert(2)>"}]
    return load(items=items, accounts=accounts)


def test_no_section_without_a_story_and_the_last_traced_story_by_default(load) -> None:
    case = hostile_story(load)
    assert report_section(case) is None
    trace_story(case, ["Kordai"], min_group_size=2)
    got = report_section(case)
    assert got["title"] == "How the story spread: Kordai"
    assert got["source"] == "The story trollscan spread traced last, traced again on the case as it is now."
    assert [p["account_id"] for p in got["first_posters"]][:1] == ["origin"]
    assert got["matched_by"] == {"exact": 4}
    assert sum(b.h > 0 for b in got["chart"].bars) >= 2


def test_a_story_asked_for_must_be_in_the_case_and_a_stale_one_gives_a_notice(load) -> None:
    case = hostile_story(load)
    with pytest.raises(BadParameter, match="No item of the case carries '#nothing'"):
        report_section(case, ["#nothing"])
    case.con.execute("INSERT INTO runs VALUES (99, 'spread', 'x', '{\"terms\": [\"#gone\"]}', 'h', now()::TIMESTAMP, "
                     "0.1, 0)")
    got = report_section(case)
    assert got["notice"].startswith("The story last traced with trollscan spread is no longer in the case: "
                                    "No item of the case carries '#gone'.")


def test_the_section_is_in_the_report_with_every_value_escaped(load) -> None:
    case = hostile_story(load)
    html = render_report(build_report(case, spread=["Kordai", "<script>window.__pwned=1</script>"]))
    assert '<section id="spread">' in html and '<a href="#spread">Story</a>' in html
    section = html[html.index('<section id="spread">'):]
    section = section[:section.index("</section>")]
    assert "Kordai or &lt;script&gt;window.__pwned=1&lt;/script&gt;</h2>" in section
    assert "@&lt;b&gt;bold&lt;/b&gt;" in section
    assert "<script" not in section and "<img" not in section and "<svg onload" not in section
    assert "<svg class=\"chart\"" in section
    assert 'id="spread"' not in render_report(build_report(case, spread=["Kordai"], spread_section=False))


def test_the_chronology_chart_fills_quiet_hours_and_goes_daily_for_long_stories() -> None:
    hours = [{"hour": "2020-02-08 05:00", "items": 3, "by_group": {"group 1": 2, "ungrouped": 1}},
             {"hour": "2020-02-08 08:00", "items": 1, "by_group": {"ungrouped": 1}}]
    chart = chronology_chart(hours)
    assert [t for _x, t in chart.ticks][:1] == ["08 Feb 05:00"] and chart.top == 3
    assert len({b.x for b in chart.bars}) == 2 and len(chart.bars) == 3  # 4 hours, 2 with items, 3 series parts
    long = hours + [{"hour": f"2020-03-{d:02d} 10:00", "items": 1, "by_group": {}} for d in range(1, 20)]
    daily = chronology_chart(long)
    assert (MAX_HOURLY_BARS < 24 * 40) and daily.ticks[0][1] == "2020-02-08"
    assert daily.top == 4
