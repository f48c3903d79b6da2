"""Per-account signals on tiny tables built inline: one behaviour per test."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from trollscan.errors import BadParameter
from trollscan.evidence import EVIDENCE_SCHEMA
from trollscan.ingest import ingest_files
from trollscan.scan.signals import scan_signals
from trollscan.signals import (SIGNALS, account_age, creation_burst, friends_burst, mechanical_cadence, run_signal,
                               target_concentration, thin_profile, upload_burst, username_pattern, watched_accounts,
                               working_hours)
from trollscan.signals.frame import NO_TIME, first_items, seconds
from trollscan.signals.targets import WATCH_KEY_SQL, watch_key
from trollscan.store.results import read_query
from trollscan.store.verdicts import add_watch, read_watchlist

T0 = datetime(2019, 2, 4, 4, 0)  # a Monday, 10:00 in Almaty (UTC+6)


def accounts(rows: list[dict]) -> pa.Table:
    cols = ("platform", "account_id", "handle", "name", "created_at", "bio", "location", "url")
    return pa.Table.from_pylist([{c: r.get(c, "vk" if c == "platform" else None) for c in cols} for r in rows],
                                schema=pa.schema([(c, pa.timestamp("us") if c == "created_at" else pa.string())
                                                  for c in cols]))


def items(rows: list[dict]) -> pa.Table:
    schema = pa.schema([("platform", pa.string()), ("item_id", pa.string()), ("account_id", pa.string()),
                        ("kind", pa.string()), ("created_at", pa.timestamp("us")), ("target_id", pa.string()),
                        ("parent_account_id", pa.string()), ("text", pa.string())])
    return pa.Table.from_pylist([{"platform": "vk", "kind": "comment", **r} for r in rows], schema=schema)


def ids(ev: pa.Table) -> list[str]:
    return sorted(a[0] for a in ev["account_ids"].to_pylist())


def test_every_signal_returns_the_evidence_shape_and_names_itself():
    assert set(SIGNALS) >= {"account_age", "creation_burst", "thin_profile", "friends_burst", "upload_burst",
                            "target_concentration", "working_hours", "mechanical_cadence", "username_pattern"}
    acc = accounts([{"account_id": "a", "handle": "aisulu_8080", "created_at": T0}])
    it = items([{"item_id": "1", "account_id": "a", "created_at": T0}])
    tables = {"accounts": acc, "items": it, "media": pa.table({"platform": ["vk"], "account_id": ["a"],
              "kind": ["avatar"], "media_id": ["m1"], "item_id": pa.nulls(1, pa.string()),
              "uploaded_at": pa.array([T0])}),
              "relations": pa.table({"platform": pa.array([], pa.string()), "account_id": pa.array([], pa.string()),
                                     "kind": pa.array([], pa.string()), "other_id": pa.array([], pa.string()),
                                     "added_at": pa.array([], pa.timestamp("us"))}), "watchlist": None}
    for name, signal in SIGNALS.items():
        ev = run_signal(signal, tables)
        assert ev.schema == EVIDENCE_SCHEMA, name
        assert all(d == f"signals.{name}" for d in ev["detector"].to_pylist())


def test_unknown_option_is_a_clear_error():
    with pytest.raises(BadParameter, match="creation_burst has no option 'window'"):
        run_signal(SIGNALS["creation_burst"], {"accounts": accounts([])}, window=3)


def test_bad_option_value_names_the_parameter():
    with pytest.raises(BadParameter, match="'window_days' parameter of creation_burst must be an int >= 1; got 0"):
        creation_burst(accounts([]), window_days=0)


def _background(n: int, days: int) -> list[dict]:
    """Accounts created one every `days // n` days over the year before T0."""
    return [{"account_id": f"bg{i:03d}", "created_at": T0 - timedelta(days=400) + timedelta(days=i * days / n)}
            for i in range(n)]


def test_burst_flags_accounts_created_together_and_dates_the_burst():
    burst = [{"account_id": f"f{i}", "handle": f"fake{i}", "created_at": datetime(2018, 8, 3 + i % 6, 10)}
             for i in range(12)]
    background = _background(200, 700)
    ev = creation_burst(accounts(background + burst))
    flagged = set(ids(ev))
    assert {f"f{i}" for i in range(12)} <= flagged
    # real accounts created those same days are in the burst too (the signal cannot tell them apart)
    near = {b["account_id"] for b in background if datetime(2018, 7, 27) <= b["created_at"] < datetime(2018, 8, 9)}
    same_days = flagged - {f"f{i}" for i in range(12)}
    assert same_days <= near
    n = 12 + len(same_days)
    assert all(f"is one of {n} accounts in this case created" in s and "Aug 2018" in s
               for s in ev["sentence"].to_pylist())
    details = json.loads(ev["details"][0].as_py())
    assert details["accounts"] == n and len(details["others"]) == n - 1


def test_burst_ignores_accounts_outside_window_and_a_steady_rate():
    assert creation_burst(accounts(_background(300, 700))).num_rows == 0


def test_burst_result_does_not_depend_on_row_order():
    rows = _background(100, 700) + [{"account_id": f"f{i}", "created_at": datetime(2018, 8, 3, 10 + i)}
                                     for i in range(8)]
    a = creation_burst(accounts(rows))
    b = creation_burst(accounts(list(reversed(rows))))
    assert a.sort_by("sentence").equals(b.sort_by("sentence"))


def test_account_age_measures_days_from_creation_to_first_item():
    acc = accounts([{"account_id": "young", "handle": "young", "created_at": T0 - timedelta(days=10)},
                    {"account_id": "old", "created_at": T0 - timedelta(days=3000)}])
    it = items([{"item_id": "1", "account_id": "young", "created_at": T0},
                {"item_id": "2", "account_id": "old", "created_at": T0}])
    ev = account_age(acc, it)
    assert ids(ev) == ["young"]
    assert ev["sentence"][0].as_py() == "@young was created on 25 Jan 2019 and first acted in this case on 4 Feb 2019, 10 days later."
    assert ev["item_ids"][0].as_py() == ["1"]


def test_thin_profile_needs_three_marks_and_names_them():
    acc = accounts([{"account_id": "thin", "handle": "thin"}, {"account_id": "real", "bio": "Teacher", "location": "Almaty"},
                    {"account_id": "other", "bio": "x", "location": "y"}])
    rows = [{"item_id": f"t{i}", "account_id": "thin", "created_at": T0 + timedelta(hours=i)} for i in range(6)]
    rows += [{"item_id": f"r{i}", "account_id": "real", "created_at": T0 + timedelta(hours=i)} for i in range(6)]
    rows += [{"item_id": "p", "account_id": "real", "kind": "post", "text": "my holiday", "created_at": T0}]
    ev = thin_profile(acc, items(rows))
    assert ids(ev) == ["thin"]
    assert ev["sentence"][0].as_py().startswith("@thin has no bio, no location and no post of its own: all 6 of its items")
    assert ev["strength"][0].as_py() == 1.0


def test_thin_profile_ignores_marks_a_platform_never_fills():
    acc = accounts([{"platform": "web", "account_id": f"nick{i}"} for i in range(3)])
    rows = [{"platform": "web", "item_id": f"{i}-{k}", "account_id": f"nick{i}", "created_at": T0 + timedelta(hours=k)}
            for i in range(3) for k in range(6)]
    assert thin_profile(acc, items(rows)).num_rows == 0


def _relations(rows):
    return pa.Table.from_pylist([{"platform": "vk", "kind": "friend", **r} for r in rows], schema=pa.schema([
        ("platform", pa.string()), ("account_id", pa.string()), ("kind", pa.string()), ("other_id", pa.string()),
        ("added_at", pa.timestamp("us"))]))


def test_friends_burst_counts_both_ends_and_needs_an_older_account():
    acc = accounts([{"account_id": "f", "handle": "f", "created_at": datetime(2018, 8, 3)},
                    {"account_id": "new", "created_at": datetime(2019, 2, 1)}])
    rows = [{"account_id": "f" if i % 2 else f"p{i}", "other_id": f"p{i}" if i % 2 else "f",
             "added_at": datetime(2019, 2, 1 + i)} for i in range(12)]
    rows += [{"account_id": "new", "other_id": f"q{i}", "added_at": datetime(2019, 2, 2 + i)} for i in range(12)]
    rows += [{"account_id": "x", "other_id": "y", "added_at": datetime(2019, 6, 1)}]  # the case runs to June
    ev = friends_burst(_relations(rows), acc)
    assert ids(ev) == ["f"]
    assert ev["sentence"][0].as_py() == "@f added 12 of its 12 friends 1-12 Feb 2019, though the account dates from 3 Aug 2018."


def test_upload_burst_flags_all_photos_in_one_day_and_shows_their_items():
    media = pa.Table.from_pylist(
        [{"platform": "vk", "account_id": "f", "kind": "photo", "media_id": f"m{k}", "item_id": f"i{k}",
          "uploaded_at": datetime(2019, 2, 7, 9, k)} for k in range(4)] +
        [{"platform": "vk", "account_id": "p", "kind": "photo", "media_id": f"n{k}", "item_id": f"j{k}",
          "uploaded_at": datetime(2019, 1 + k, 7)} for k in range(4)])
    ev = upload_burst(media, accounts([{"account_id": "f", "handle": "f"}]))
    assert ids(ev) == ["f"]
    assert ev["sentence"][0].as_py() == "@f uploaded all 4 of its photos on 7 Feb 2019."
    assert ev["item_ids"][0].as_py() == ["i0", "i1", "i2", "i3"]


def test_target_concentration_uses_the_watch_list_and_names_the_pages():
    acc = accounts([{"account_id": "page1", "name": "Nur Otan", "handle": "nurotan"}, {"account_id": "a", "handle": "a"}])
    rows = [{"item_id": f"a{i}", "account_id": "a", "target_id": "page1" if i < 9 else f"other{i}",
             "created_at": T0 + timedelta(hours=i)} for i in range(10)]
    rows += [{"item_id": f"b{i}", "account_id": "b", "target_id": f"t{i % 7}", "created_at": T0} for i in range(14)]
    watch = pa.table({"platform": pa.array([None], pa.string()), "target": ["https://vk.com/NurOtan/"]})
    watch = pa.table({"platform": ["vk"], "target": ["NurOtan"]})
    ev = target_concentration(items(rows), acc, watch)
    assert ids(ev) == ["a"]
    assert "@a wrote 9 of its 10 comments, reactions and shares (90%) on watched pages: Nur Otan" in ev["sentence"][0].as_py()


def test_target_concentration_without_watch_list_needs_a_varied_platform():
    rows = [{"item_id": f"a{i}", "account_id": "a", "target_id": "chat", "created_at": T0} for i in range(12)]
    assert target_concentration(items(rows), accounts([])).num_rows == 0  # one chat: everyone is narrow
    rows += [{"item_id": f"b{i}", "account_id": "b", "target_id": f"t{i}", "created_at": T0} for i in range(12)]
    assert ids(target_concentration(items(rows), accounts([]))) == ["a"]


def test_working_hours_reads_the_case_time_zone():
    # 10:00-17:00 Almaty on weekdays is 04:00-11:00 UTC
    rows = [{"item_id": f"{d}-{h}", "account_id": "op", "created_at": T0 + timedelta(days=d, hours=h)}
            for d in range(5) for h in range(0, 7, 2)]
    it = items(rows)
    ev = working_hours(it, accounts([{"account_id": "op", "handle": "op"}]), timezone="Asia/Almaty")
    assert ids(ev) == ["op"]
    assert "on weekdays between 09:00 and 18:00 (Asia/Almaty), none at weekends" in ev["sentence"][0].as_py()
    # the same times in New York are the small hours: not an office day there
    assert "office" not in working_hours(it, accounts([]), timezone="America/New_York")["details"][0].as_py()
    with pytest.raises(BadParameter, match="time zone 'Mars/Base' is not known"):
        working_hours(it, accounts([]), timezone="Mars/Base")


def test_working_hours_flags_round_the_clock_activity():
    rows = [{"item_id": str(k), "account_id": "bot", "created_at": T0 + timedelta(hours=k)} for k in range(48)]
    ev = working_hours(items(rows), accounts([]), timezone="UTC")
    assert ids(ev) == ["bot"] and "acts around the clock" in ev["sentence"][0].as_py()


def test_mechanical_cadence_finds_a_fixed_interval_not_a_person():
    beat = [{"item_id": f"b{k}", "account_id": "bot", "created_at": T0 + timedelta(minutes=15 * k, seconds=k % 3)}
            for k in range(30)]
    import random
    r = random.Random(1)
    human = [{"item_id": f"h{k}", "account_id": "human", "created_at": T0 + timedelta(seconds=r.randrange(0, 10 ** 6))}
             for k in range(30)]
    ev = mechanical_cadence(items(beat + human), accounts([{"account_id": "bot", "handle": "bot"}]))
    assert ids(ev) == ["bot"]
    assert ev["sentence"][0].as_py().startswith("@bot wrote 29 of its 30 items 15 min")


def test_username_pattern_flags_name_plus_digits_and_repeated_groups():
    acc = accounts([{"account_id": "1", "handle": "aisulu_8080"}, {"account_id": "2", "handle": "nurlan19872"},
                    {"account_id": "3", "handle": "madina.umbetova"}, {"account_id": "4", "handle": "dana_12"}])
    ev = username_pattern(acc)
    assert ids(ev) == ["1", "2"]
    by = dict(zip(ids(ev), ev.sort_by([("sentence", "ascending")])["strength"].to_pylist()))
    assert by["1"] > by["2"]
    assert "a repeated group" in ev.filter(pa.compute.equal(ev["strength"], 0.8))["sentence"][0].as_py()


# --- review fixes -------------------------------------------------------------------------------

GOLDEN = Path(__file__).parents[2] / "golden"


def test_seconds_floors_fractions_and_keeps_missing_times_apart():
    col = pa.array([datetime(2020, 10, 7, 9, 12, 44, 500000), None, datetime(1969, 12, 31, 23, 59, 59, 500000)],
                   pa.timestamp("us"))
    assert seconds(col).tolist() == [int(datetime(2020, 10, 7, 9, 12, 44).timestamp()), NO_TIME, -1]
    assert seconds(col.cast(pa.timestamp("ns"))).tolist() == seconds(col).tolist()
    assert seconds(pa.array([1_500], pa.timestamp("ms", tz="Asia/Almaty"))).tolist() == [1]


def test_scan_signals_reads_times_with_fractions_of_a_second(case, tmp_path):
    text = (GOLDEN / "comment_log" / "input" / "comments_export.csv").read_text(encoding="utf-8")
    text = re.sub(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),", r"\1.5,", text)
    assert ".5," in text
    (tmp_path / "comments_export.csv").write_text(text, encoding="utf-8")
    ingest_files(case, [tmp_path / "comments_export.csv"])
    summary = scan_signals(case, "fingerprint")
    assert summary.actions == case.con.execute("SELECT count(*) FROM items").fetchall()[0][0] > 0


def _mutual(account: str, others: list[str], start: datetime, *, kind: str = "friend") -> list[dict]:
    """`account` befriends each of `others` a day apart, stored from both ends as some exports do."""
    rows = []
    for k, other in enumerate(others):
        at = start + timedelta(days=k)
        rows.append({"account_id": account, "other_id": other, "kind": kind, "added_at": at})
        if kind == "friend":
            rows.append({"account_id": other, "other_id": account, "kind": kind, "added_at": at + timedelta(hours=1)})
    return rows


def test_friends_burst_counts_a_friendship_stored_from_both_ends_once_and_cites_it():
    acc = accounts([{"account_id": "f", "handle": "f", "created_at": datetime(2018, 8, 3)}])
    rows = _mutual("f", [f"p{i:02d}" for i in range(12)], datetime(2019, 2, 1))
    rows += [{"account_id": "x", "other_id": "y", "added_at": datetime(2019, 6, 1)}]
    ev = friends_burst(_relations(rows), acc)
    (row,) = [r for r in ev.to_pylist() if r["account_ids"] == ["f"]]
    assert row["sentence"] == "@f added 12 of its 12 friends 1-12 Feb 2019, though the account dates from 3 Aug 2018."
    assert row["item_ids"] == [f"friend:f:p{i:02d}" for i in range(12)]
    assert json.loads(row["details"])["total"] == 12


def test_friends_burst_says_follows_only_for_accounts_that_made_some():
    acc = accounts([{"account_id": a, "handle": a, "created_at": datetime(2018, 8, 3)} for a in ("f", "g")])
    rows = _mutual("f", [f"p{i:02d}" for i in range(12)], datetime(2019, 2, 1))
    rows += _mutual("g", [f"q{i:02d}" for i in range(6)], datetime(2019, 2, 1))
    rows += _mutual("g", [f"r{i:02d}" for i in range(6)], datetime(2019, 2, 7), kind="follow")
    rows += [{"account_id": "x", "other_id": "y", "added_at": datetime(2019, 6, 1)}]
    by = {r["account_ids"][0]: r for r in friends_burst(_relations(rows), acc).to_pylist()}
    assert by["f"]["sentence"].startswith("@f added 12 of its 12 friends 1-12 Feb 2019")
    assert by["g"]["sentence"].startswith("@g added 12 of its 12 friends and follows 1-12 Feb 2019")
    assert "follow:g:r00" in by["g"]["item_ids"] and "friend:g:q00" in by["g"]["item_ids"]


def _media(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist([{"platform": "vk", "kind": "photo", "item_id": None, **r} for r in rows], schema=pa.schema([
        ("platform", pa.string()), ("account_id", pa.string()), ("kind", pa.string()), ("media_id", pa.string()),
        ("item_id", pa.string()), ("uploaded_at", pa.timestamp("us"))]))


def test_upload_burst_over_midnight_names_both_days():
    media = _media([{"account_id": "f", "media_id": f"m{k}", "item_id": f"i{k}",
                     "uploaded_at": datetime(2019, 2, 7, 20) + timedelta(hours=4 * k)} for k in range(4)])
    ev = upload_burst(media, accounts([{"account_id": "f", "handle": "f"}]))
    assert ev["sentence"][0].as_py() == "@f uploaded all 4 of its photos 7-8 Feb 2019."


def test_upload_burst_cites_an_avatar_without_an_item_by_its_media_id():
    media = _media([{"account_id": "f", "kind": "avatar" if k == 0 else "photo", "media_id": f"m{k}",
                     "item_id": None if k == 0 else f"i{k}", "uploaded_at": datetime(2019, 2, 7, 9, k)}
                    for k in range(3)])
    ev = upload_burst(media, accounts([{"account_id": "f", "handle": "f"}]))
    assert ev["item_ids"][0].as_py() == ["i1", "i2", "m0"]


def test_username_pattern_cites_the_first_items_or_says_there_are_none():
    acc = accounts([{"account_id": "1", "handle": "aisulu_8080"}, {"account_id": "2", "handle": "nurlan19872"}])
    it = items([{"item_id": f"c{k}", "account_id": "1", "created_at": T0 + timedelta(hours=5 - k)} for k in range(5)])
    by = {r["account_ids"][0]: r for r in username_pattern(acc, it).to_pylist()}
    assert by["1"]["item_ids"] == ["c4", "c3", "c2"]
    assert by["2"]["item_ids"] == [] and "wrote nothing in this case" in by["2"]["sentence"]


def test_first_items_gives_each_account_its_earliest_items():
    it = items([{"item_id": "b", "account_id": "a", "created_at": T0}, {"item_id": "a", "account_id": "a", "created_at": T0},
                {"item_id": "z", "account_id": "a", "created_at": T0 - timedelta(days=1)},
                {"item_id": "q", "account_id": "o", "created_at": None}])
    assert first_items(it, limit=2) == {("vk", "a"): ["z", "a"]}
    assert first_items(None) == {}


@pytest.mark.parametrize("value", ["  @NurOtan/ ", "https://vk.com/NurOtan/", "\tABC\n", "Мажилис", "İstanbul",
                                   "ΣΑΣ", "@@x//", "", "@", " / ", "x\u00a0", None])
def test_watch_key_in_python_and_in_sql_agree(value):
    import duckdb
    (sql,) = duckdb.connect().execute(f"SELECT {WATCH_KEY_SQL.format('$v')}", {"v": value}).fetchone()
    assert sql == watch_key(value)


def test_watch_list_names_the_same_accounts_in_the_store_and_in_the_signal(case):
    acc = [("vk", "ABC1", "Nurotan", "https://vk.com/NurOtan"), ("vk", "2", "madina", None),
           ("fb", "3", "ΣΑΣ", None), ("vk", "4", None, "https://vk.com/id4/"), ("vk", "5", "other", None)]
    case.con.executemany("INSERT INTO accounts (platform, account_id, handle, url, source_id, source_record) "
                         "VALUES (?, ?, ?, ?, 1, 1)", acc)
    for target, platform in (("abc1", "vk"), ("https://vk.com/nurotan/", None), ("@MADINA ", "vk"), ("σασ", None),
                             ("https://VK.com/id4", "vk"), ("@", None)):
        add_watch(case, target, platform=platform)
    rows = read_watchlist(case)
    table = pa.table({"platform": [p for p, *_ in acc], "account_id": [a for _, a, *_ in acc],
                      "handle": [h for *_, h, _u in acc], "url": [u for *_, u in acc]})
    for r in rows:  # each target names the same accounts in SQL as in Python
        one = pa.table({"platform": pa.array([r["platform"]], pa.string()), "target": [r["target"]]})
        assert sorted(r["accounts"] or []) == sorted(a for _p, a in watched_accounts(one, table)), r["target"]
    named = {a for r in rows for a in r["accounts"] or []}
    assert named == {a for _p, a in watched_accounts(read_query(case, "SELECT platform, target FROM watchlist"), table)}
    assert named == {"ABC1", "2", "3", "4"}
