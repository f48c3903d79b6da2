import gzip
import hashlib
import json
from pathlib import Path

import pytest

from trollscan.errors import BadRecord
from trollscan.ingest import detect, ingest_files
from trollscan.ingest.source import Source
from trollscan.store import init_case

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
NEWS, BOT = "1491000000000000001", "1497000000000000011"
TWARC = {"url": "https://api.twitter.com/2/tweets/search/recent", "version": "2.14.0",
         "retrieved_at": "2022-03-02T06:15:44+00:00"}


def _user(id: str = BOT, username: str = "aigerim_astana88", **kw) -> dict:
    return {"id": id, "username": username, "name": "Айгерім", "created_at": "2022-02-27T19:02:31.000Z",
            "description": "Патриотка", "location": "Астана", "protected": False, "verified": False,
            "public_metrics": {"followers_count": 12, "following_count": 250, "tweet_count": 341,
                               "listed_count": 0},
            "profile_image_url": f"https://pbs.twimg.com/profile_images/{id[-3:]}/a_normal.jpg", **kw}


def _tweet(id: str, author: str = BOT, text: str = "Біз бірге күштіміз!", **kw) -> dict:
    return {"id": id, "text": text, "author_id": author, "created_at": "2022-03-01T09:01:10.000Z",
            "conversation_id": id, "lang": "kk", "source": "Twitter for Android",
            "public_metrics": {"retweet_count": 1, "reply_count": 2, "like_count": 3, "quote_count": 4},
            "edit_history_tweet_ids": [id], **kw}


def _response(data: list, users=(), tweets=(), media=(), **kw) -> dict:
    includes = {"users": list(users)}
    if tweets:
        includes["tweets"] = list(tweets)
    if media:
        includes["media"] = list(media)
    return {"data": data, "includes": includes, "meta": {"result_count": len(data)}, "__twarc": TWARC, **kw}


def _jsonl(folder: Path, lines: list, name: str = "tweets.jsonl") -> Path:
    path = folder / name
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n"
                            for x in lines), encoding="utf-8")
    return path


def _rows(case, sql: str) -> list[tuple]:
    return case.con.execute(sql).fetchall()


# -- detection ------------------------------------------------------------------------------------

def test_responses_are_detected_as_twarc2(tmp_path) -> None:
    assert detect(Source(_jsonl(tmp_path, [_response([_tweet("1")], [_user()])]))).name == "twarc2"


def test_response_longer_than_the_sniffed_head_is_detected(tmp_path) -> None:
    tweets = [_tweet(str(i), text="Қазақстан " * 40) for i in range(300)]
    path = _jsonl(tmp_path, [_response(tweets, [_user()])])
    assert path.stat().st_size > 65_536
    assert detect(Source(path)).name == "twarc2"


def test_flattened_tweets_are_detected_as_twarc2_flat(tmp_path) -> None:
    path = _jsonl(tmp_path, [{**_tweet("1"), "author": _user(), "__twarc": TWARC}])
    assert detect(Source(path)).name == "twarc2-flat"


def test_canonical_items_lines_are_not_taken_for_twarc2(tmp_path) -> None:
    path = _jsonl(tmp_path, [{"platform": "twitter", "item_id": "1", "kind": "post", "account_id": "a",
                              "text": "x"}], name="items.jsonl")
    assert detect(Source(path)).name == "canonical-jsonl"


# -- mapping --------------------------------------------------------------------------------------

def test_tweet_becomes_post_with_its_fields(case, tmp_path) -> None:
    tweet = _tweet("1", entities={"hashtags": [{"start": 0, "end": 3, "tag": "Алматы"}],
                                  "urls": [{"url": "https://t.co/x", "expanded_url": "https://example.kz/a"}],
                                  "mentions": [{"username": "dala_news", "id": NEWS}]},
                   geo={"place_id": "0b1f", "coordinates": {"type": "Point", "coordinates": [71.43, 51.13]}})
    ingest_files(case, [_jsonl(tmp_path, [_response([tweet], [_user()])])])
    assert _rows(case, "SELECT platform, item_id, kind, account_id, created_at::VARCHAR, root_id, text, language, "
                       "client, hashtags, urls, mentions, share_count, reply_count, like_count, quote_count, "
                       "latitude, longitude FROM items") == [
        ("twitter", "1", "post", BOT, "2022-03-01 09:01:10", "1", "Біз бірге күштіміз!", "kk",
         "Twitter for Android", ["Алматы"], ["https://example.kz/a"], [NEWS], 1, 2, 3, 4, 51.13, 71.43)]


def test_retweet_is_share_with_author_of_included_tweet(case, tmp_path) -> None:
    original = _tweet("1", author=NEWS)
    retweet = _tweet("2", referenced_tweets=[{"type": "retweeted", "id": "1"}])
    ingest_files(case, [_jsonl(tmp_path, [_response([retweet], [_user(), _user(NEWS, "dala_news")],
                                                    tweets=[original])])])
    assert _rows(case, "SELECT item_id, kind, parent_id, parent_account_id FROM items ORDER BY item_id") == [
        ("1", "post", None, None), ("2", "share", "1", NEWS)]


def test_reply_takes_parent_account_from_in_reply_to_user_id(case, tmp_path) -> None:
    reply = _tweet("2", referenced_tweets=[{"type": "replied_to", "id": "1"}], in_reply_to_user_id=NEWS,
                   conversation_id="1")
    ingest_files(case, [_jsonl(tmp_path, [_response([reply], [_user()])])])
    assert _rows(case, "SELECT kind, parent_id, parent_account_id, root_id FROM items") == [
        ("reply", "1", NEWS, "1")]


def test_quote_that_also_replies_is_a_quote_and_keeps_the_reply_in_extra(case, tmp_path) -> None:
    tweet = _tweet("3", referenced_tweets=[{"type": "replied_to", "id": "1"}, {"type": "quoted", "id": "2"}],
                   in_reply_to_user_id=NEWS)
    ingest_files(case, [_jsonl(tmp_path, [_response([tweet], [_user()])])])
    kind, parent, extra = _rows(case, "SELECT kind, parent_id, extra FROM items")[0]
    assert (kind, parent) == ("quote", "2")
    assert json.loads(extra)["referenced_tweets"] == [{"type": "replied_to", "id": "1"}]
    assert json.loads(extra)["in_reply_to_user_id"] == NEWS


def test_unmapped_tweet_fields_are_kept_in_extra(case, tmp_path) -> None:
    tweet = _tweet("1", possibly_sensitive=False, reply_settings="everyone",
                   context_annotations=[{"domain": {"id": "35"}}],
                   public_metrics={"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0,
                                   "impression_count": 90})
    ingest_files(case, [_jsonl(tmp_path, [_response([tweet], [_user()])])])
    assert json.loads(_rows(case, "SELECT extra FROM items")[0][0]) == {
        "possibly_sensitive": False, "reply_settings": "everyone", "edit_history_tweet_ids": ["1"],
        "context_annotations": [{"domain": {"id": "35"}}], "public_metrics": {"impression_count": 90}}


def test_user_becomes_account_with_avatar_media(case, tmp_path) -> None:
    ingest_files(case, [_jsonl(tmp_path, [_response([_tweet("1")], [_user(pinned_tweet_id="1")])])])
    avatar = "https://pbs.twimg.com/profile_images/011/a_normal.jpg"
    assert _rows(case, "SELECT account_id, handle, name, created_at::VARCHAR, bio, location, followers_count, "
                       "following_count, items_count, verified, avatar, status, extra FROM accounts") == [
        (BOT, "aigerim_astana88", "Айгерім", "2022-02-27 19:02:31", "Патриотка", "Астана", 12, 250, 341,
         False, avatar, "active", '{"pinned_tweet_id":"1","public_metrics":{"listed_count":0}}')]
    assert _rows(case, "SELECT media_id, kind, account_id, item_id, url FROM media") == [
        (hashlib.sha256(avatar.encode()).hexdigest(), "avatar", BOT, None, avatar)]


def test_protected_user_is_private(case, tmp_path) -> None:
    ingest_files(case, [_jsonl(tmp_path, [_response([_tweet("1")], [_user(protected=True)])])])
    assert _rows(case, "SELECT status FROM accounts") == [("private",)]


def test_attached_photo_and_video_become_media_of_the_item(case, tmp_path) -> None:
    photo = {"media_key": "3_1", "type": "photo", "url": "https://pbs.twimg.com/media/a.jpg"}
    video = {"media_key": "7_2", "type": "video", "preview_image_url": "https://pbs.twimg.com/thumb/b.jpg"}
    tweet = _tweet("1", attachments={"media_keys": ["3_1", "7_2"]})
    ingest_files(case, [_jsonl(tmp_path, [_response([tweet], [_user(profile_image_url="")],
                                                    media=[photo, video])])])
    assert _rows(case, "SELECT media FROM items") == [(["https://pbs.twimg.com/media/a.jpg",
                                                        "https://pbs.twimg.com/thumb/b.jpg"],)]
    assert _rows(case, "SELECT kind, account_id, item_id, url, media_id FROM media ORDER BY kind") == [
        ("photo", BOT, "1", "https://pbs.twimg.com/media/a.jpg",
         hashlib.sha256(b"https://pbs.twimg.com/media/a.jpg").hexdigest()),
        ("video", BOT, "1", "https://pbs.twimg.com/thumb/b.jpg",
         hashlib.sha256(b"https://pbs.twimg.com/thumb/b.jpg").hexdigest())]


def test_user_seen_on_many_lines_is_one_account_from_its_first_line(case, tmp_path) -> None:
    lines = [_response([_tweet(str(i))], [_user()]) for i in range(1, 4)]
    summary = ingest_files(case, [_jsonl(tmp_path, lines)])
    assert _rows(case, "SELECT account_id, source_record FROM accounts") == [(BOT, 1)]
    assert summary.files[0].read["accounts"] == 1


def test_included_tweet_seen_on_many_lines_is_one_item(case, tmp_path) -> None:
    original = _tweet("1", author=NEWS)
    lines = [_response([_tweet(str(i), referenced_tweets=[{"type": "retweeted", "id": "1"}])], [_user()],
                       tweets=[original]) for i in (2, 3)]
    ingest_files(case, [_jsonl(tmp_path, lines)])
    assert _rows(case, "SELECT item_id, source_record FROM items ORDER BY item_id") == [
        ("1", 1), ("2", 1), ("3", 2)]


def test_users_lookup_response_loads_accounts(case, tmp_path) -> None:
    ingest_files(case, [_jsonl(tmp_path, [{"data": [_user(), _user(NEWS, "dala_news")], "__twarc": TWARC}])],
                 format="twarc2")
    assert _rows(case, "SELECT handle FROM accounts ORDER BY handle") == [("aigerim_astana88",), ("dala_news",)]


def test_flattened_tweet_loads_its_author_and_referenced_tweet(case, tmp_path) -> None:
    original = {**_tweet("1", author=NEWS), "author": _user(NEWS, "dala_news")}
    retweet = {**_tweet("2", referenced_tweets=[{**original, "type": "retweeted"}]), "author": _user(),
               "__twarc": TWARC}
    ingest_files(case, [_jsonl(tmp_path, [retweet])])
    assert _rows(case, "SELECT item_id, kind, parent_id, parent_account_id, extra FROM items ORDER BY item_id") == [
        ("1", "post", None, None, '{"edit_history_tweet_ids":["1"]}'),
        ("2", "share", "1", NEWS, '{"edit_history_tweet_ids":["2"]}')]
    assert _rows(case, "SELECT handle FROM accounts ORDER BY handle") == [("aigerim_astana88",), ("dala_news",)]


def test_flat_and_raw_goldens_load_the_same_rows(tmp_path) -> None:
    def load(name: str) -> dict:
        case = init_case(tmp_path / name)
        try:
            ingest_files(case, [GOLDEN / name / "input"])
            return {t: sorted(case.con.execute(f"SELECT * EXCLUDE (source_id, source_record) FROM {t}").fetchall(),
                              key=repr) for t in ("items", "accounts", "media")}
        finally:
            case.close()

    raw, flat = load("twarc2"), load("twarc2_flat")
    assert raw == flat


# -- errors ---------------------------------------------------------------------------------------

def test_error_response_is_counted_as_skipped(case, tmp_path) -> None:
    error = {"errors": [{"title": "Service Unavailable", "status": 503}], "title": "Service Unavailable",
             "__twarc": TWARC}
    summary = ingest_files(case, [_jsonl(tmp_path, [_response([_tweet("1")], [_user()]), error,
                                                    _response([_tweet("2")], [_user()])])])
    assert summary.files[0].skipped == {"API error response": 1}
    assert _rows(case, "SELECT count(*) FROM items") == [(2,)]


def test_truncated_last_line_names_the_line(case, tmp_path) -> None:
    whole = json.dumps(_response([_tweet("1")], [_user()]))
    path = _jsonl(tmp_path, [whole, whole[:150]])
    with pytest.raises(BadRecord) as err:
        ingest_files(case, [path])
    assert err.value.message == f"{path}, line 2: not valid JSON: the line is cut short (truncated JSON)."
    assert err.value.hint.startswith("Each line must be one complete API response")


def test_line_that_is_not_json_names_the_line(case, tmp_path) -> None:
    path = _jsonl(tmp_path, [_response([_tweet("1")], [_user()]), "Rate limit exceeded; sleeping 900 s }"])
    with pytest.raises(BadRecord) as err:
        ingest_files(case, [path])
    assert err.value.message.startswith(f"{path}, line 2: not valid JSON")


def test_flat_tweet_in_a_responses_file_says_which_format(case, tmp_path) -> None:
    path = _jsonl(tmp_path, [_response([_tweet("1")], [_user()]), {**_tweet("2"), "author": _user()}])
    with pytest.raises(BadRecord) as err:
        ingest_files(case, [path])
    assert err.value.message == (f"{path}, line 2: not a twarc2 API response (one tweet, as `twarc2 flatten` "
                                 "writes them; pass --format twarc2-flat).")


def test_response_in_a_flat_file_says_which_format(case, tmp_path) -> None:
    path = _jsonl(tmp_path, [{**_tweet("1"), "author": _user()}, _response([_tweet("2")], [_user()])])
    with pytest.raises(BadRecord) as err:
        ingest_files(case, [path])
    assert err.value.message == f"{path}, line 2: not a flattened tweet (an API response; pass --format twarc2)."


def test_reingesting_the_same_tweets_adds_nothing(case, tmp_path) -> None:
    path = GOLDEN / "twarc2" / "input" / "search_kazakhstan_2022-03-01.jsonl"
    ingest_files(case, [path])
    before = _rows(case, "SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM accounts), "
                         "(SELECT count(*) FROM media)")
    summary = ingest_files(case, [path, GOLDEN / "twarc2_flat" / "input"])
    assert sum(summary.added.values()) == 0
    assert _rows(case, "SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM accounts), "
                       "(SELECT count(*) FROM media)") == before


def test_empty_page_is_counted_as_skipped(case, tmp_path) -> None:
    summary = ingest_files(case, [_jsonl(tmp_path, [_response([_tweet("1")], [_user()]),
                                                    {"meta": {"result_count": 0}, "__twarc": TWARC}])])
    assert summary.files[0].skipped == {"API response with no tweets": 1}


def test_gzipped_responses_are_detected(tmp_path) -> None:
    plain = _jsonl(tmp_path, [_response([_tweet("1")], [_user()])])
    packed = tmp_path / "tweets.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert detect(Source(packed)).name == "twarc2"


def test_mentioned_user_in_a_flat_tweet_keeps_no_entity_positions(case, tmp_path) -> None:
    mention = {"start": 0, "end": 10, **_user(NEWS, "dala_news")}
    tweet = {**_tweet("1", entities={"mentions": [mention]}), "author": _user()}
    ingest_files(case, [_jsonl(tmp_path, [tweet])])
    assert _rows(case, f"SELECT extra FROM accounts WHERE account_id = '{NEWS}'") == [
        ('{"public_metrics":{"listed_count":0}}',)]


def test_errors_beside_data_are_noted(case, tmp_path) -> None:
    errors = [{"resource_type": "tweet", "title": "Authorization Error", "resource_id": "9"}]
    summary = ingest_files(case, [_jsonl(tmp_path, [_response([_tweet("1")], [_user()], errors=errors)])])
    assert summary.files[0].notes == ["the API reported 1 errors beside the data (tweets or users it did not "
                                      "return, usually deleted, withheld or protected); they are not in the case"]
