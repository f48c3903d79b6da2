import numpy as np

from trollscan.spread.timeline import (chronology, clock_precision_s, first_posters, is_mainstream, key_amplifiers,
                                       local_hours, snowflake_times)

T = 1_581_116_400.0  # 2020-02-07 23:00:00 UTC


def row(item_id, account, kind="post", *, parent_account=None, state=None, status="active", **account_fields):
    return {"platform": "twitter", "item_id": item_id, "kind": kind, "account_id": account, "name": f"@{account}",
            "parent_account_id": parent_account, "parent_state": state, "account_status": status, **account_fields}


def test_clock_precision_is_a_minute_when_every_time_is_on_the_minute() -> None:
    assert clock_precision_s(np.array([T, T + 60, T + 180])) == 60
    assert clock_precision_s(np.array([T, T + 61])) == 1
    assert clock_precision_s(np.array([T, T + 0.5])) == 0.001


def test_first_posters_are_ranked_by_their_earliest_item_with_how_sure_each_place_is() -> None:
    rows = [row("1", "a"), row("2", "b", "share"), row("3", "a", "share"), row("4", "c", "share")]
    got = first_posters(rows, np.array([T, T + 300, T + 301, T + 305]))
    assert [p["account_id"] for p in got] == ["a", "b", "c"]
    assert got[0]["sure"] == "high" and got[0]["gap_to_next_s"] == 300
    assert got[1]["sure"] == "medium"  # 5 s from c


def test_places_within_the_clocks_precision_are_low() -> None:
    rows = [row("1", "a"), row("2", "b"), row("3", "c")]
    got = first_posters(rows, np.array([T, T + 60, T + 600]))  # every time on a whole minute: 60 s ticks
    assert got[0]["clock_precision_s"] == 60 and got[0]["sure"] == "medium"
    rows = [row("1", "a"), row("2", "b")]
    got = first_posters(rows, np.array([T, T + 0.5]))
    assert got[0]["sure"] == "high" and got[0]["clock_precision_s"] == 0.001
    got = first_posters([row("1", "a"), row("2", "b"), row("3", "c")], np.array([T, T + 0, T + 120]))
    assert got[0]["sure"] == "low" and "precision" in got[0]["why"]


def test_the_author_of_a_missing_parent_ranks_before_its_child_and_is_low() -> None:
    rows = [row("2", "b", "share", parent_account="ghost", state="missing"), row("3", "c")]
    got = first_posters(rows, np.array([T + 100, T + 500]))
    assert [p["account_id"] for p in got] == ["ghost", "b", "c"]
    assert got[0]["item_id"] is None and got[0]["sure"] == "low" and "not in the case" in got[0]["why"]


def test_undated_items_make_no_place_high_and_removed_accounts_are_noted() -> None:
    rows = [row("1", "a", status="suspended"), row("2", "b"), row("3", "c")]
    got = first_posters(rows, np.array([T, T + 600, np.nan]))
    assert [p["account_id"] for p in got] == ["a", "b"]
    assert got[0]["sure"] == "medium" and "1 item(s) of the story have no time" in got[0]["why"]
    assert "suspended" in got[0]["why"]


def test_key_amplifiers_are_the_accounts_of_the_first_surge_except_the_first_poster() -> None:
    rows = [row("0", "origin")] + [row(str(k), f"bot{k % 3}", "share") for k in range(1, 13)] + [row("99", "late")]
    ts = np.array([T] + [T + 7200 + k for k in range(1, 13)] + [T + 90_000])
    below = np.zeros(len(rows), np.int64)
    below[1] = 10
    got = key_amplifiers(rows, ts, below, exclude=frozenset({("twitter", "origin")}))
    assert [a["account_id"] for a in got] == ["bot1", "bot2", "bot0"]  # ties: the earlier first
    assert got[0]["items"] == 4 and got[0]["below"] == 10 and got[0]["surge"] == 1
    assert got[0]["surge_items"] == 12


def test_no_surge_no_amplifier() -> None:
    rows = [row(str(k), f"u{k}") for k in range(4)]
    assert key_amplifiers(rows, np.array([T + 3600 * k for k in range(4)]), np.zeros(4, np.int64)) == []


def test_hours_are_counted_in_the_cases_time_zone() -> None:
    assert local_hours(np.array([T, np.nan]), "Asia/Almaty") == ["2020-02-08 05:00", None]
    rows = [row("1", "a"), row("2", "news", display_name="Gulf World News"), row("3", "v", verified=True)]
    got = chronology(rows, np.array([T, T + 3600 * 26, T + 3600 * 30]), ["en", "en", "ru"], ["group 1"] * 3,
                     tz="Asia/Almaty")
    assert [h["hour"] for h in got["hours"]] == ["2020-02-08 05:00", "2020-02-09 07:00", "2020-02-09 11:00"]
    assert got["hours"][0]["by_language"] == {"en": 1}
    assert [(j["account_id"], j["hours_after_first"]) for j in got["mainstream_joined"]] == [("news", 26.0),
                                                                                             ("v", 30.0)]
    assert got["languages"] == {"en": 2, "ru": 1}


def test_mainstream_by_badge_followers_or_a_newsroom_name_not_a_journalists_bio() -> None:
    assert is_mainstream({"verified": True}) == "verified"
    assert is_mainstream({"followers_count": 250_000}) == "250,000 followers"
    assert is_mainstream({"display_name": "Steppe Today", "bio": "News"}) == "a newsroom by its bio"
    assert is_mainstream({"display_name": "Gulf World News"}) == "a newsroom by its name"
    assert is_mainstream({"display_name": "Sotiri", "bio": "Freelance journalist"}) is None


def snowflake(ms: int, sequence: int = 0) -> str:
    """A Twitter/X id made the way Twitter makes them: time since its epoch, worker bits, sequence."""
    return str(((ms - 1288834974657) << 22) | (5 << 12) | sequence)


def test_a_snowflake_id_gives_the_millisecond_only_when_it_agrees_with_the_timestamp() -> None:
    ms = int(T * 1000) + 7250  # 23:00:07.250; the times are in whole seconds
    ids = [snowflake(ms), snowflake(ms + 5000), "1491000000000000001", "9f86d081884c7d65", "20", snowflake(ms),
           snowflake(ms)]
    platforms = ["twitter", "twitter", "twitter", "twitter", "twitter", "telegram", "twitter"]
    got = snowflake_times(platforms, ids, np.array([T + 7] * 6 + [np.nan]))
    assert got[0] == ms / 1000
    # 5 s later than its second, a made-up id, a hashed id, a small id, another platform, no timestamp
    assert np.isnan(got[1:]).all()


def test_tweet_ids_order_items_of_the_same_second_and_the_place_says_so() -> None:
    ms = int(T * 1000)
    rows = [row(snowflake(ms + 900), "late"), row(snowflake(ms + 120), "early"), row(snowflake(ms + 5000), "c")]
    ts = np.array([T, T, T + 5])
    clock_only = first_posters(rows, ts)
    assert [p["account_id"] for p in clock_only][:2] == ["late", "early"] and clock_only[0]["sure"] == "low"
    got = first_posters(rows, ts, id_ts=snowflake_times(["twitter"] * 3, [r["item_id"] for r in rows], ts))
    assert [p["account_id"] for p in got] == ["early", "late", "c"]
    first = got[0]
    assert first["timed_by"] == "id" and first["clock_precision_s"] == 0.001 and first["sure"] == "high"
    assert first["at"] == "2020-02-07T23:00:00.120" and first["gap_to_next_s"] == 0.78
    assert "milliseconds in the tweet ids" in first["why"]


def test_an_id_that_is_no_snowflake_leaves_the_clock_to_order() -> None:
    rows = [row("1491000000000000002", "b"), row("1491000000000000001", "a")]
    ts = np.array([T, T])
    got = first_posters(rows, ts, id_ts=snowflake_times(["twitter"] * 2, [r["item_id"] for r in rows], ts))
    assert [p["account_id"] for p in got] == ["b", "a"]
    assert got[0]["timed_by"] == "clock" and got[0]["sure"] == "low" and "milliseconds" not in got[0]["why"]
