import csv
import gzip
import hashlib
from pathlib import Path

import pytest

from trollscan.errors import BadRecord, MissingColumns
from trollscan.ingest import detect, ingest_files
from trollscan.ingest.source import Source
from trollscan.store import init_case

from ...conftest import dump_tables

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
COLUMNS = ("tweetid,userid,user_display_name,user_screen_name,user_reported_location,user_profile_description,"
           "user_profile_url,follower_count,following_count,account_creation_date,account_language,"
           "tweet_language,tweet_text,tweet_time,tweet_client_name,in_reply_to_userid,in_reply_to_tweetid,"
           "quoted_tweet_tweetid,is_retweet,retweet_userid,retweet_tweetid,latitude,longitude,quote_count,"
           "reply_count,like_count,retweet_count,hashtags,urls,user_mentions,poll_choices").split(",")
HASHED = hashlib.sha256(b"someone").hexdigest()


def _tweet(tweetid: str, **kw) -> dict:
    row = {"tweetid": tweetid, "userid": HASHED, "user_display_name": HASHED, "user_screen_name": HASHED,
           "user_reported_location": "Астана", "follower_count": "12", "following_count": "300",
           "account_creation_date": "2018-06-03", "account_language": "ru", "tweet_language": "ru",
           "tweet_text": "Наш Казахстан — самый лучший!", "tweet_time": "2019-05-30 14:01",
           "tweet_client_name": "Twitter for Android", "is_retweet": "False", "latitude": "absent",
           "longitude": "absent", "quote_count": "0", "reply_count": "0", "like_count": "1",
           "retweet_count": "0", "hashtags": "[]", "urls": "[]", "user_mentions": "[]"}
    row.update(kw)
    return row


def _archive(folder: Path, rows: list[dict], *, name: str = "kz_tweets_csv_hashed.csv",
             columns: list[str] = COLUMNS) -> Path:
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _rows(case, sql: str) -> list[tuple]:
    return case.con.execute(sql).fetchall()


def test_archive_is_detected_by_its_header(tmp_path) -> None:
    assert detect(Source(_archive(tmp_path, [_tweet("1")], name="x.csv"))).name == "twitter-io-archive"


def test_gzipped_archive_is_detected(tmp_path) -> None:
    plain = _archive(tmp_path, [_tweet("1")])
    packed = tmp_path / "kz_tweets.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert detect(Source(packed)).name == "twitter-io-archive"


def test_csv_without_tweet_time_is_not_taken_for_an_archive(tmp_path) -> None:
    path = _archive(tmp_path, [_tweet("1")], name="items.csv", columns=["tweetid", "userid", "tweet_text"])
    assert detect(Source(path)).name != "twitter-io-archive"


def test_tweet_becomes_post_with_its_fields(case, tmp_path) -> None:
    ingest_files(case, [_archive(tmp_path, [_tweet("1", hashtags="[Казахстан, Патриот]",
                                                   urls="['https://example.kz/a']", like_count="7")])])
    assert _rows(case, "SELECT platform, item_id, kind, account_id, created_at::VARCHAR, text, language, client, "
                       "hashtags, urls, like_count, latitude FROM items") == [
        ("twitter", "1", "post", HASHED, "2019-05-30 14:01:00", "Наш Казахстан — самый лучший!",
         "ru", "Twitter for Android", ["Казахстан", "Патриот"], ["https://example.kz/a"], 7, None)]


def test_retweet_becomes_share_of_the_retweeted_tweet(case, tmp_path) -> None:
    ingest_files(case, [_archive(tmp_path, [_tweet("2", is_retweet="True", retweet_userid="2718281828",
                                                   retweet_tweetid="1")])])
    assert _rows(case, "SELECT kind, parent_id, parent_account_id FROM items") == [("share", "1", "2718281828")]


def test_reply_names_the_tweet_and_the_account_it_answers(case, tmp_path) -> None:
    ingest_files(case, [_archive(tmp_path, [_tweet("3", in_reply_to_userid="2718281828",
                                                   in_reply_to_tweetid="1")])])
    assert _rows(case, "SELECT kind, parent_id, parent_account_id FROM items") == [("reply", "1", "2718281828")]


def test_quote_names_the_quoted_tweet(case, tmp_path) -> None:
    ingest_files(case, [_archive(tmp_path, [_tweet("4", quoted_tweet_tweetid="1")])])
    assert _rows(case, "SELECT kind, parent_id, parent_account_id FROM items") == [("quote", "1", None)]


def test_coordinates_are_kept_and_absent_ones_left_empty(case, tmp_path) -> None:
    ingest_files(case, [_archive(tmp_path, [_tweet("5", latitude="51.1605", longitude="71.4704"), _tweet("6")])])
    assert _rows(case, "SELECT item_id, latitude, longitude FROM items ORDER BY item_id") == [
        ("5", 51.1605, 71.4704), ("6", None, None)]


def test_poll_choices_are_kept_in_extra(case, tmp_path) -> None:
    ingest_files(case, [_archive(tmp_path, [_tweet("7", poll_choices="['Да', 'Нет']"), _tweet("8")])])
    assert _rows(case, "SELECT item_id, extra FROM items ORDER BY item_id") == [
        ("7", '{"poll_choices":"[\'Да\', \'Нет\']"}'), ("8", None)]


def test_author_profile_becomes_one_account(case, tmp_path) -> None:
    ingest_files(case, [_archive(tmp_path, [_tweet(str(i)) for i in range(1, 6)])])
    assert _rows(case, "SELECT account_id, handle, name, location, followers_count, following_count, "
                       "created_at::VARCHAR, language, source_record FROM accounts") == [
        (HASHED, HASHED, HASHED, "Астана", 12, 300, "2018-06-03 00:00:00", "ru", 2)]


def test_account_fields_empty_on_its_first_tweet_are_taken_from_later_batches(case, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TROLLSCAN_READ_BLOCK_BYTES", "1024")  # several batches
    rows = [_tweet(str(i), user_profile_description="") for i in range(1, 20)]
    rows.append(_tweet("20", user_profile_description="Патриот"))
    ingest_files(case, [_archive(tmp_path, rows)])
    assert _rows(case, "SELECT bio, source_record FROM accounts") == [("Патриот", 2)]


def test_archive_without_poll_choices_column_loads(case, tmp_path) -> None:
    ingest_files(case, [_archive(tmp_path, [_tweet("1")], columns=COLUMNS[:-1])])
    assert _rows(case, "SELECT item_id, extra FROM items") == [("1", None)]


def test_missing_tweetid_column_names_file_and_column(case, tmp_path) -> None:
    path = _archive(tmp_path, [_tweet("1")], columns=[c for c in COLUMNS if c != "tweetid"])
    with pytest.raises(MissingColumns) as err:
        ingest_files(case, [path], format="twitter-io-archive")
    assert err.value.message.startswith(f"{path}: no tweetid column; a Twitter information-operations archive "
                                        "has tweetid, userid, tweet_time")
    assert "tweets_csv" in err.value.hint


def test_bad_is_retweet_value_names_its_row(case, tmp_path) -> None:
    path = _archive(tmp_path, [_tweet("1"), _tweet("2", is_retweet="maybe")])
    with pytest.raises(BadRecord) as err:
        ingest_files(case, [path])
    assert err.value.message == f"{path}, row 3: is_retweet 'maybe' is not True or False."


def test_bad_tweet_time_names_its_row(case, tmp_path) -> None:
    path = _archive(tmp_path, [_tweet("1"), _tweet("2"), _tweet("3", tweet_time="вчера")])
    with pytest.raises(BadRecord) as err:
        ingest_files(case, [path])
    assert err.value.message == f"{path}, row 4: created_at 'вчера' is not a date."


def test_reingesting_the_archive_adds_nothing(case, tmp_path) -> None:
    path = GOLDEN / "io_archive" / "input" / "kz_201906_tweets_csv_hashed.csv"
    ingest_files(case, [path])
    before = _rows(case, "SELECT count(*) FROM items UNION ALL SELECT count(*) FROM accounts")
    copy = tmp_path / "copy.csv"  # other bytes, same tweets
    copy.write_bytes(path.read_bytes() + b"\n")
    summary = ingest_files(case, [path, copy])
    assert sum(summary.added.values()) == 0
    assert _rows(case, "SELECT count(*) FROM items UNION ALL SELECT count(*) FROM accounts") == before


def test_lists_split_in_arrow_match_the_stores_reading_of_the_text(tmp_path, monkeypatch) -> None:
    path = GOLDEN / "io_archive" / "input" / "kz_201906_tweets_csv_hashed.csv"
    tables = []
    for name, typing in (("typed", "1"), ("text", "0")):
        monkeypatch.setenv("TROLLSCAN_ARROW_TYPING", typing)
        case = init_case(tmp_path / name)
        try:
            ingest_files(case, [path])
            tables.append(dump_tables(case))
        finally:
            case.close()
    assert tables[0] == tables[1]


def test_json_list_with_escapes_is_decoded_in_any_batch(case, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TROLLSCAN_READ_BLOCK_BYTES", "1024")
    rows = [_tweet(str(i), hashtags="[a, b]") for i in range(1, 20)]
    rows.append(_tweet("20", hashtags='["say \\"да\\"", "c,d"]'))
    ingest_files(case, [_archive(tmp_path, rows)])
    assert _rows(case, "SELECT item_id, hashtags FROM items WHERE item_id IN ('1', '20') ORDER BY item_id") == [
        ("1", ["a", "b"]), ("20", ['say "да"', "c,d"])]
