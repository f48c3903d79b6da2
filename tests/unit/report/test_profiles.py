"""Group profiles, allegiance switches, page KPIs, cost ranges, takedowns and the platform export."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa
import pytest

from trollscan.errors import BadParameter
from trollscan.report.cost import estimate_cost
from trollscan.report.platform_export import export_rows, profile_url, render_accounts, write_accounts
from trollscan.report.profiles import allegiance_switch, group_profiles, likely_utc_offset, page_kpis
from trollscan.report.takedowns import account_takedown, parse_sent_at, takedown_summary
from trollscan.signals.schedule import hour_span

T0 = int(datetime(2020, 9, 21, 3, 0).timestamp())  # a Monday; 09:00 at UTC+6 is 03:00 UTC (host time zone is UTC)


def test_likely_offset_puts_an_office_day_at_nine_to_six():
    ts = np.array([T0 + d * 86_400 + h * 3600 for d in range(5) for h in range(0, 9)])  # 03:00-11:00 UTC
    assert likely_utc_offset(ts) == (6, 1.0)


def test_allegiance_switch_finds_the_day_and_the_new_target():
    ts = np.array([T0 + d * 86_400 + k * 600 for d in range(20) for k in range(10)])
    targets = ["mekenim" if d < 12 or k % 3 == 0 else "japarov" for d in range(20) for k in range(10)]
    s = allegiance_switch(ts, targets)
    assert s["after"] == ["japarov"] and s["before"] == ["mekenim"]
    assert s["switch_at"] == T0 + 12 * 86_400
    assert allegiance_switch(ts, ["mekenim"] * len(ts)) is None


def _tables():
    members = pa.table({"group_id": [1, 1, 1], "platform": ["vk"] * 3, "account_id": ["a", "b", "c"],
                        "label": ["fake", "fake", "doubtful"]})
    accounts = pa.table({"platform": ["vk"] * 3, "account_id": ["a", "b", "c"],
                         "created_at": pa.array([datetime(2018, 8, 3), datetime(2018, 8, 5), datetime(2018, 8, 9)])})
    rows = [{"platform": "vk", "account_id": "abc"[k % 3], "item_id": f"i{d}-{k}", "kind": "comment",
             "created_at": datetime(2020, 9, 21, 3) + timedelta(days=d, hours=k % 8), "target_id": "page1",
             "parent_account_id": "page1"} for d in range(5) for k in range(12)]
    items = pa.Table.from_pylist(rows)
    access = pa.table({"platform": ["vk"] * 3, "account_id": ["a", "b", "c"], "ip_hash": ["h1", "h1", "h2"],
                       "device_hash": [None, None, None]})
    return members, accounts, items, access


def test_group_profile_says_who_when_where_and_what_they_share():
    members, accounts, items, access = _tables()
    (p,) = group_profiles(members, accounts, items, access, timezone="Asia/Almaty",
                          names={("vk", "page1"): "Nur Otan"}, watched={("vk", "page1")})
    assert p["size"] == 3 and p["labels"] == {"fake": 2, "doubtful": 1}
    assert p["created"]["sentence"].startswith("Accounts created 3-9 Aug 2018")
    assert p["schedule"]["likely_utc_offset"] == 6
    assert p["targets"][0] == {"target": "page1", "name": "Nur Otan", "items": 60, "share": 1.0, "watched": True}
    assert p["infrastructure"]["shared_ips"] == 1 and p["infrastructure"]["accounts"] == 2
    assert p["comments"] == 60 and p["active_days"] == 5


def test_page_kpi_is_the_share_of_comments_from_flagged_accounts():
    items = pa.table({"platform": ["vk"] * 4, "account_id": ["a", "a", "x", "b"], "kind": ["comment"] * 3 + ["reaction"],
                      "target_id": ["p"] * 4})
    (k,) = page_kpis(items, {("vk", "p")}, {("vk", "a"), ("vk", "b")}, {("vk", "p"): "Nur Otan"})
    assert (k["comments"], k["from_flagged"], k["share"], k["name"]) == (3, 2, pytest.approx(0.6667, abs=1e-4), "Nur Otan")


def test_cost_gives_a_range_per_price_model_with_its_assumptions():
    rows = {r["model"]: r for r in estimate_cost(comments=1000, accounts=10, active_days=20,
                                                 first_ts=0, last_ts=29 * 86_400)}
    assert (rows["private farm, paid per comment"]["low"], rows["private farm, paid per comment"]["high"]) == (500_000, 1_000_000)
    assert rows["in-house operators, per comment"]["range"] == "KZT 50,000"
    workers = rows["workers running five accounts"]
    assert (workers["low"], workers["high"]) == (200, 300) and "2 worker(s)" in workers["assumes"]
    salaried = rows["salaried workers at 50-70 comments a day"]
    assert salaried["low"] == pytest.approx(1000 / 70 / 22 * 350, abs=0.01)
    with pytest.raises(BadParameter, match="'comments' parameter of estimate_cost"):
        estimate_cost(comments=-1, accounts=1, active_days=1)


def test_takedowns_count_removed_accounts_per_group_and_label_with_dates():
    day = lambda d: datetime(2020, 12, d)  # noqa: E731
    snaps = [{"platform": "vk", "account_id": "a", "seen_at": day(1), "status": "active"},
             {"platform": "vk", "account_id": "a", "seen_at": day(20), "status": "removed"},
             {"platform": "vk", "account_id": "b", "seen_at": day(20), "status": "active"},
             {"platform": "vk", "account_id": "c", "seen_at": day(25), "status": "suspended"}]
    flagged = [{"platform": "vk", "account_id": a, "label": lab, "group_id": g}
               for a, lab, g in (("a", "fake", 1), ("b", "fake", 1), ("c", "doubtful", None), ("d", "unlikely", 1))]
    rows = {(r["group_id"], r["label"]): r for r in takedown_summary(snaps, flagged)}
    total = rows[("all", "fake")]
    assert (total["flagged"], total["checked"], total["removed"], total["still_up"]) == (2, 2, 1, 1)
    assert total["first_seen_gone"] == day(20) and total["last_seen_active"] == day(1)
    assert rows[(None, "doubtful")]["removed"] == 1
    assert ("all", "unlikely") not in rows


def test_profile_urls_come_from_the_data_or_the_platform_pattern():
    assert profile_url("facebook", "100012345") == "https://www.facebook.com/profile.php?id=100012345"
    assert profile_url("twitter", "nick:x", "aisulu_8080") == "https://x.com/aisulu_8080"
    assert profile_url("vk", "1", url="https://vk.com/durov") == "https://vk.com/durov"
    assert profile_url("web", "nick:x", "x") == ""


def test_export_guards_spreadsheets_against_formulas_and_joins_reasons():
    accounts = [{"platform": "vk", "account_id": "1", "handle": "=HYPERLINK(\"x\")", "url": None, "label": "fake",
                 "score": 0.91234, "group_id": 3, "reasons": ["@a and @b wrote from one IP.", "Created in a burst."]},
                {"platform": "vk", "account_id": "2", "handle": "b", "url": None, "label": "unlikely", "score": 0.1,
                 "group_id": None, "reasons": []}]
    rows = export_rows(accounts)
    assert [r["account_id"] for r in rows] == ["1"]
    text = render_accounts(rows, "csv")
    assert text.splitlines()[0] == "platform,account_id,handle,profile_url,label,score,group,reasons"
    assert "'=HYPERLINK" in text and "'@a and @b wrote from one IP.; Created in a burst." in text
    assert '"reasons": [' in render_accounts(rows, "json")
    with pytest.raises(BadParameter, match="Unknown export format 'xml'"):
        render_accounts(rows, "xml")


def test_a_failed_export_leaves_no_file(tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(BadParameter):
        write_accounts([], target, "xml")
    assert list(tmp_path.iterdir()) == []
    assert write_accounts([], target, "csv") == 0 and target.read_text().startswith("platform,")


def test_group_profile_leaves_out_items_without_a_time():
    members, accounts, items, access = _tables()
    undated = pa.Table.from_pylist([{"platform": "vk", "account_id": "a", "item_id": "undated", "kind": "comment",
                                     "created_at": None, "target_id": "page1", "parent_account_id": "page1"}],
                                   schema=items.schema)
    (p,) = group_profiles(members, accounts, pa.concat_tables([items, undated]), access, timezone="Asia/Almaty")
    assert p["active"] == {"first": "21 Sep 2020", "last": "25 Sep 2020"}
    assert p["items"] == 61 and p["comments"] == 61 and p["active_days"] == 5
    assert p["schedule"]["likely_utc_offset"] == 6
    ts = np.array([T0 + h * 3600 for h in range(9)] + [np.iinfo(np.int64).min])
    assert likely_utc_offset(ts) == (6, 1.0)


def test_profile_and_signal_read_working_hours_with_one_rule():
    members, accounts, items, access = _tables()
    (p,) = group_profiles(members, accounts, items, access, timezone="UTC")
    hours = np.array([(3 + k % 8) for _d in range(5) for k in range(12)])
    assert p["schedule"]["hours"] == list(hour_span(hours, cover=0.9))


def _snap(account, day, status):
    return {"platform": "vk", "account_id": account, "seen_at": datetime(2020, 12, day), "status": status}


def test_takedowns_count_only_what_went_down_after_the_list_was_sent():
    snaps = [_snap("early", 1, "suspended"), _snap("early", 20, "suspended"),  # down before the list went out
             _snap("back", 12, "removed"), _snap("back", 25, "active"),  # taken down, then reinstated
             _snap("gone", 5, "active"), _snap("gone", 12, "removed"),  # a takedown
             _snap("old", 1, "active")]  # checked only before: not checked since
    flagged = [{"platform": "vk", "account_id": a, "label": "fake", "group_id": 1} for a in ("early", "back", "gone", "old")]
    total = takedown_summary(snaps, flagged, sent_at=datetime(2020, 12, 10))[0]
    assert total["group_id"] == "all"
    assert (total["flagged"], total["checked"], total["removed"], total["gone_before"]) == (4, 3, 1, 1)
    assert (total["reinstated"], total["still_up"], total["share_removed"]) == (1, 1, 0.5)
    assert (total["first_seen_gone"], total["last_seen_active"]) == (datetime(2020, 12, 12), datetime(2020, 12, 5))
    assert account_takedown([(datetime(2020, 12, 12), "removed")], datetime(2020, 12, 10))["state"] == "removed"
    with pytest.raises(BadParameter, match="--sent-at '12/10/2020' is not a date"):
        parse_sent_at("12/10/2020")
    assert parse_sent_at("2020-12-10") == datetime(2020, 12, 10)
