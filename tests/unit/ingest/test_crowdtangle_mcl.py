import csv
import json
from pathlib import Path

import pytest

from trollscan.errors import BadRecord, MissingColumns
from trollscan.ingest import detect, ingest_files
from trollscan.ingest.source import Source

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
CT_FB = next((GOLDEN / "crowdtangle_facebook" / "input").iterdir())
MCL = GOLDEN / "meta_content_library" / "input"


def _rows(case, sql: str) -> list[tuple]:
    return case.con.execute(sql).fetchall()


def _csv(path: Path, header: list[str], *rows: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


CT_HEADER = ["Page Name", "User Name", "Facebook Id", "Post Created", "Total Interactions", "URL", "Message", "Likes",
             "Love", "Angry"]


def test_crowdtangle_times_with_zone_abbreviations_become_utc(case) -> None:
    ingest_files(case, [CT_FB])
    assert _rows(case, "SELECT item_id, created_at::VARCHAR FROM items ORDER BY item_id") == [
        ("104512345678901_2345678901234567", "2019-06-07 05:00:00"),
        ("104512345678901_2345678901234999", "2019-06-07 05:30:00"),
        ("2233445566778899_3344556677889900", "2019-06-08 10:00:00")]


def test_crowdtangle_reactions_of_all_kinds_are_summed(case, tmp_path) -> None:
    path = _csv(tmp_path / "ct.csv", CT_HEADER,
                ["P", "p", "123", "2019-06-07 11:00:00 UTC", "9", "https://www.facebook.com/123/posts/456", "hi", "5", "3", "1"])
    ingest_files(case, [path])
    assert _rows(case, "SELECT item_id, like_count FROM items") == [("123_456", 9)]


def test_crowdtangle_unknown_zone_fails_naming_the_row(case, tmp_path) -> None:
    path = _csv(tmp_path / "ct.csv", CT_HEADER,
                ["P", "p", "123", "2019-06-07 11:00:00 XYZT", "1", "https://www.facebook.com/123/posts/456", "hi", "1", "", ""])
    with pytest.raises(BadRecord) as err:
        ingest_files(case, [path])
    assert err.value.message == (f"{path}, row 2: the time '2019-06-07 11:00:00 XYZT' has a time zone trollscan does "
                                 "not know (XYZT).")


def test_crowdtangle_row_without_page_id_fails(case, tmp_path) -> None:
    path = _csv(tmp_path / "ct.csv", CT_HEADER,
                ["P", "p", "", "2019-06-07 11:00:00 UTC", "1", "https://www.facebook.com/123/posts/456", "hi", "1", "", ""])
    with pytest.raises(BadRecord) as err:
        ingest_files(case, [path])
    assert err.value.message == f"{path}, row 2: the post has no Facebook Id or no URL."


def test_crowdtangle_and_instaloader_give_one_id_for_one_instagram_post(case) -> None:
    ingest_files(case, [next((GOLDEN / "crowdtangle_instagram" / "input").iterdir())])
    # CrowdTangle names the author by user name, Instaloader by numeric id and user name: the
    # handle-keyed author is joined to the id, so the two copies of the post now agree
    summary = ingest_files(case, [GOLDEN / "instaloader" / "input" / "aisulu_8080" / "2019-02-07_10-15-00_UTC.json.xz"])
    assert _rows(case, "SELECT account_id FROM items WHERE item_id = '1978487611299201024'") == [("51234567890",)]
    assert summary.differing["items"] == 0


def test_crowdtangle_api_responses_are_read(case) -> None:
    path = GOLDEN / "crowdtangle_api" / "input" / "ct_posts_nurotan.jsonl"
    assert detect(Source(path)).name == "crowdtangle-api"
    ingest_files(case, [path])
    assert _rows(case, "SELECT like_count, urls, media FROM items ORDER BY item_id") == [
        (87, None, ["https://scontent.xx.fbcdn.net/v/t1.0-9/2_n.jpg"]), (10, ["https://tengrinews.kz/news/1"], None)]


def test_mcl_files_are_detected_by_their_field_names() -> None:
    assert {p.name: detect(Source(p)).name for p in MCL.iterdir()} == {
        "mcl_fb_posts_2024-03.csv": "meta-content-library", "mcl_fb_pages.csv": "meta-content-library",
        "mcl_ig_posts_2024-03.json": "meta-content-library-json"}


def test_mcl_instagram_is_told_from_facebook(case) -> None:
    ingest_files(case, [MCL])
    assert _rows(case, "SELECT platform, count(*) FROM items GROUP BY ALL ORDER BY ALL") == [
        ("facebook", 2), ("instagram", 1)]


def test_mcl_post_in_a_group_targets_the_group(case) -> None:
    ingest_files(case, [MCL / "mcl_fb_posts_2024-03.csv"])
    assert _rows(case, "SELECT target_id FROM items WHERE item_id = '901234567890124'") == [("781234567111",)]


def test_mcl_post_without_owner_fails(case, tmp_path) -> None:
    path = _csv(tmp_path / "mcl.csv", ["id", "creation_time", "text", "post_owner.id"], ["1", "2024-01-01", "x", ""])
    with pytest.raises(BadRecord) as err:
        ingest_files(case, [path], format="meta-content-library")
    assert err.value.message == f"{path}, row 2: the post has no id or no post_owner.id."


def test_mcl_file_of_another_shape_fails_when_forced(case, tmp_path) -> None:
    path = _csv(tmp_path / "x.csv", ["a", "b"], ["1", "2"])
    with pytest.raises(MissingColumns) as err:
        ingest_files(case, [path], format="meta-content-library")
    assert err.value.message.startswith(f"{path}: neither a posts export")


def test_mcl_json_record_that_is_not_an_object_fails(case, tmp_path) -> None:
    path = tmp_path / "mcl.json"
    path.write_text(json.dumps([{"id": "1", "creation_time": 1, "post_owner": {"id": "2"}}, 5]))
    with pytest.raises(BadRecord) as err:
        ingest_files(case, [path])
    assert err.value.message == f"{path}, record 2: a record is not a JSON object."
