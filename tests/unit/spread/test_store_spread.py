import pyarrow as pa

from trollscan.spread import find_story
from trollscan.spread.query import parse_query
from trollscan.store.spread import (read_cadence, read_co_sharing, read_follow_links, read_group_tags,
                                    read_story_items, read_timezone)

from .conftest import item


def ids(table: pa.Table) -> list[str]:
    return sorted(table["item_id"].to_pylist())


def story_of(case, *terms, **options) -> pa.Table:
    return read_story_items(case, find_story(case, parse_query(list(terms)), **options)[0])


def test_a_link_matches_whatever_tracking_parameters_fragment_or_host_case(load) -> None:
    case = load(items=[
        item("1", "a", 0, urls=["https://News.example.kz/story/1?utm_source=tw#top"]),
        item("2", "b", 10, urls=["https://news.example.kz/story/1/"]),
        item("3", "c", 20, urls=["https://news.example.kz/story/12"]),
    ])
    assert ids(story_of(case, "https://news.example.kz/story/1")) == ["1", "2"]


def test_a_hashtag_matches_in_any_case(load) -> None:
    case = load(items=[item("1", "a", 0, hashtags=["Kordai"]), item("2", "b", 5, hashtags=["kordai2"]),
                       item("3", "c", 9, text="no tag here")])
    assert ids(story_of(case, "#KORDAI")) == ["1"]


def test_a_phrase_matches_whole_words_after_normalisation_and_a_star_any_ending(load) -> None:
    case = load(items=[
        item("1", "a", 0, text="BREAKING: Kazakhs burn Chinese restaurants in #Kordai!!!"),
        item("2", "b", 5, text="kordai's restaurants"),
        item("3", "c", 9, text="Kordaisky district"),
        item("4", "d", 9, text="в Кордае громят рестораны"),
        item("5", "e", 9, text="nothing"),
    ])
    assert ids(story_of(case, "kordai")) == ["1", "2"]
    assert ids(story_of(case, "Burn  chinese, restaurants")) == ["1"]
    assert ids(story_of(case, "kordai*")) == ["1", "2", "3"]
    assert ids(story_of(case, "Корда*", "kordai")) == ["1", "2", "4"]


def test_shares_quotes_and_replies_below_a_match_are_the_story_but_reactions_are_not(load) -> None:
    case = load(items=[
        item("1", "a", 0, text="Kordai is burning"),
        item("2", "b", 10, "share", parent="1"), item("3", "c", 20, "quote", parent="2", text="look at this"),
        item("4", "d", 30, "reply", parent="3", text="fake!"), item("5", "e", 40, "reaction", parent="1"),
        item("6", "f", 50, "reply", parent="gone", text="Kordai again"),
        item("7", "g", 60, "reply", parent="8", text="about Kordai"), item("8", "h", 0, text="unrelated post"),
    ])
    s = story_of(case, "kordai")
    assert ids(s) == ["1", "2", "3", "4", "6", "7"]
    state = dict(zip(s["item_id"].to_pylist(), s["parent_state"].to_pylist()))
    assert state == {"1": None, "2": "story", "3": "story", "4": "story", "6": "missing", "7": "outside"}
    matched = dict(zip(s["item_id"].to_pylist(), s["matched"].to_pylist()))
    assert matched["1"] and not matched["2"]


def test_an_item_id_brings_its_copies_that_the_platform_did_not_link(load) -> None:
    text = "Партия провела встречу с молодёжью в Алматы."
    case = load(items=[item("c/4", "chan", 0, text=text, platform="telegram"),
                       item("g/6", "user", 60, "share", text=text + " ", platform="telegram"),
                       item("g/7", "user2", 70, text="другой текст", platform="telegram")])
    assert ids(story_of(case, "item:c/4")) == ["c/4", "g/6"]
    assert ids(story_of(case, "c/4")) == ["c/4", "g/6"]  # a one-word phrase that is an item id


def test_the_story_comes_in_time_order_with_profiles_and_the_latest_label(load) -> None:
    case = load(items=[item("2", "b", 10, text="Kordai"), item("1", "a", 0, text="Kordai")],
                accounts=[{"platform": "twitter", "account_id": "a", "handle": "first", "verified": "true"}])
    case.con.execute("INSERT INTO labels VALUES ('twitter', 'a', 'doubtful', NULL, 'r', '2020-01-01', 1, 1), "
                     "('twitter', 'a', 'fake', NULL, 'r', '2020-03-01', 1, 2)")
    s = story_of(case, "kordai")
    assert s["item_id"].to_pylist() == ["1", "2"]
    assert s["handle"].to_pylist() == ["first", None]
    assert s["label"].to_pylist() == ["fake", None]


def test_follow_links_stay_among_the_spreaders_and_friendship_goes_both_ways(load) -> None:
    case = load(items=[item("1", "a", 0, text="Kordai"), item("2", "b", 5, text="Kordai")],
                relations=[{"platform": "twitter", "account_id": "a", "kind": "friend", "other_id": "b"},
                           {"platform": "twitter", "account_id": "a", "kind": "follow", "other_id": "zz"}])
    links = read_follow_links(case, story_of(case, "kordai"))
    assert sorted(zip(links["account_id"].to_pylist(), links["other_id"].to_pylist())) == [("a", "b"), ("b", "a")]


def test_co_sharing_counts_rare_things_and_ignores_crowded_ones(load) -> None:
    spread = [item(f"s{k}", a, k, text="Kordai") for k, a in enumerate("abcde")]
    things = [item("x1", "a", 100, urls=["https://site.example/a?utm_source=1"]),
              item("x2", "b", 100, urls=["https://SITE.example/a"]),
              item("x3", "a", 100, hashtags=["Agenda"]), item("x4", "b", 100, hashtags=["agenda"]),
              item("x5", "c", 100, hashtags=["agenda"])]
    everyone = [item(f"y{a}", a, 200, hashtags=["common"]) for a in "abcde"]
    case = load(items=spread + things + everyone)
    s = story_of(case, "kordai")
    got = read_co_sharing(case, s, max_target_accounts=4, min_shared=1)
    rows = {(r["account_a"], r["account_b"]): r for r in got.to_pylist()}
    assert set(rows) == {("a", "b"), ("a", "c"), ("b", "c")}  # "common" has 5 sharers > 4: left out
    assert rows[("a", "b")]["n_targets"] == 2
    assert rows[("a", "b")]["weight"] > rows[("a", "c")]["weight"]
    assert read_co_sharing(case, s, max_target_accounts=4, min_shared=2).num_rows == 1


def test_cadence_is_measured_in_the_cases_local_time_outside_the_story(load) -> None:
    case = load(items=[item(f"i{k}", "a", k * 3600, text="hello") for k in range(6)]  # from 05:00 in Almaty
                + [item("s", "a", 30, text="Kordai"), item("t", "b", 40, text="Kordai")])
    case.con.execute("UPDATE meta SET value = 'Asia/Almaty' WHERE key = 'timezone'")
    assert read_timezone(case) == "Asia/Almaty"
    got = read_cadence(case, story_of(case, "kordai"), "Asia/Almaty").to_pylist()
    assert [r["account_id"] for r in got] == ["a"]  # b has nothing but the story
    row = got[0]
    assert row["items"] == 6 and row["hours"] == 6 and abs(row["night_share"] - 1 / 6) < 1e-9
    assert row["median_gap_s"] == 3600 and row["max_per_minute"] == 1


def test_group_tags_count_members_who_used_them(load) -> None:
    case = load(items=[item("1", "a", 0, hashtags=["X", "y"], urls=["https://www.one.example/p"]),
                       item("2", "b", 0, hashtags=["x"], urls=["http://one.example/q"]),
                       item("3", "c", 0, hashtags=["z"])])
    members = pa.table({"platform": ["twitter"] * 3, "account_id": ["a", "b", "c"], "group_id": [1, 1, 2]})
    got = [(r["group_id"], r["kind"], r["value"], r["accounts"]) for r in read_group_tags(case, members).to_pylist()]
    assert got == [(1, "domain", "one.example", 2), (1, "hashtag", "x", 2), (1, "hashtag", "y", 1),
                   (2, "hashtag", "z", 1)]
