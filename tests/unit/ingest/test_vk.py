import json
from pathlib import Path

import pytest

from trollscan.errors import BadRecord
from trollscan.ingest import detect, ingest_files
from trollscan.ingest.source import Source

FOLDER = Path(__file__).resolve().parents[2] / "golden" / "vk_api" / "input"


def _rows(case, sql: str) -> list[tuple]:
    return case.con.execute(sql).fetchall()


def _write(path: Path, *responses: dict) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in responses) + "\n", encoding="utf-8")
    return path


def _post(pid: int, owner: int = -5, **kw) -> dict:
    return {"id": pid, "owner_id": owner, "from_id": owner, "date": 1559887200 + pid, "text": f"пост {pid}",
            "post_type": "post", **kw}


def test_responses_are_detected_pretty_printed_or_one_per_line() -> None:
    assert {detect(Source(p)).name for p in FOLDER.iterdir()} == {"vk"}


def test_twarc2_and_telegram_files_are_not_taken_for_vk(tmp_path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"data": [{"id": "1", "text": "x", "author_id": "2"}], "includes": {}}\n')
    assert detect(Source(path)).name == "twarc2"


def test_paged_wall_responses_all_load_and_an_error_page_is_counted(case) -> None:
    summary = ingest_files(case, [FOLDER / "wall.get_-123456.jsonl"])
    assert _rows(case, "SELECT item_id FROM items ORDER BY item_id") == [
        ("-123456_501",), ("-123456_502",), ("-123456_503",), ("-999001_77",)]
    assert summary.files[0].skipped == {"VK API error 6: Too many requests per second": 1}


def test_repost_is_a_share_of_the_original_post(case) -> None:
    ingest_files(case, [FOLDER / "wall.get_-123456.jsonl"])
    assert _rows(case, "SELECT kind, parent_id, parent_account_id, client FROM items WHERE item_id = '-123456_502'") == [
        ("share", "-999001_77", "club999001", "android")]


def test_community_authors_are_club_accounts(case, tmp_path) -> None:
    ingest_files(case, [_write(tmp_path / "wall.get_-5.json", {"response": {"count": 1, "items": [_post(1)]}})])
    assert _rows(case, "SELECT account_id, target_id FROM items") == [("club5", "club5")]


def test_thread_answers_reply_to_their_comment(case) -> None:
    ingest_files(case, [FOLDER / "wall.getComments_-123456_501.json"])
    assert _rows(case, "SELECT kind, parent_id, root_id FROM items WHERE item_id = '-123456_c506'") == [
        ("reply", "-123456_c505", "-123456_501")]
    assert _rows(case, "SELECT count(*) FROM items WHERE item_id = '-123456_c508'") == [(0,)]  # deleted


def test_comments_take_their_post_from_the_file_name(case, tmp_path) -> None:
    path = _write(tmp_path / "wall.getComments_-5_9.json",
                  {"response": {"count": 1, "items": [{"id": 11, "from_id": 3, "date": 1559887200, "text": "а"}]}})
    ingest_files(case, [path])
    assert _rows(case, "SELECT item_id, parent_id FROM items") == [("-5_c11", "-5_9")]


def test_friends_and_groups_become_relations_of_their_owner(case) -> None:
    ingest_files(case, [FOLDER / "friends.get_612345001.json", FOLDER / "my_dump_0001.json"])
    assert _rows(case, "SELECT account_id, kind, other_id FROM relations ORDER BY ALL") == [
        ("612345001", "friend", "612345002"), ("612345001", "friend", "612345003"),
        ("612345001", "friend", "612345004"), ("612345002", "member", "club123456"),
        ("612345002", "member", "club77001")]


def test_likes_become_reactions_on_the_liked_post(case) -> None:
    ingest_files(case, [FOLDER / "likes.getList_post_-123456_501.json"])
    assert _rows(case, "SELECT account_id, parent_id, reaction FROM items ORDER BY account_id") == [
        ("612345001", "-123456_501", "like"), ("612345002", "-123456_501", "like"),
        ("club999001", "-123456_501", "like")]


def test_users_get_maps_status_city_and_counters(case) -> None:
    ingest_files(case, [FOLDER / "users.get.json"])
    assert _rows(case, "SELECT account_id, status, location, following_count FROM accounts ORDER BY account_id") == [
        ("612345001", "active", "Алматы, Казахстан", 1184), ("612345002", "private", None, 990),
        ("612345003", "removed", None, None)]


def test_friends_list_with_no_owner_fails_with_the_fix(case, tmp_path) -> None:
    path = _write(tmp_path / "friends.get.json", {"response": {"count": 1, "items": [5]}})
    with pytest.raises(BadRecord) as err:
        ingest_files(case, [path])
    assert err.value.message == f"{path}, response 1: a friends.get response does not say whose list it is."
    assert "friends.get_1.json" in err.value.hint


def test_response_of_unknown_method_fails(case, tmp_path) -> None:
    path = _write(tmp_path / "dump.json", {"response": {"count": 1, "items": [5]}})
    with pytest.raises(BadRecord) as err:
        ingest_files(case, [path])
    assert err.value.message == f"{path}, response 1: cannot tell which VK method this response answers."


def test_truncated_response_fails_and_loads_nothing(case, tmp_path) -> None:
    path = tmp_path / "wall.get_-5.jsonl"
    path.write_text(json.dumps({"response": {"count": 2, "items": [_post(1)]}}) + '\n{"response": {"count": 2, "it')
    with pytest.raises(BadRecord) as err:
        ingest_files(case, [path])
    assert err.value.message == f"{path}, response 2: the file ends in the middle of it (truncated)."
    assert _rows(case, "SELECT count(*) FROM items") == [(0,)]


def test_comment_without_its_post_fails(case, tmp_path) -> None:
    path = _write(tmp_path / "comments.json", {"method": "wall.getComments",
                                               "response": {"count": 1, "items": [{"id": 5, "from_id": 1, "date": 1}]}})
    with pytest.raises(BadRecord) as err:
        ingest_files(case, [path])
    assert err.value.message == (f"{path}, response 1: comment 5 does not say which wall post it answers "
                                 "(no owner_id and post_id).")


def test_one_id_for_two_different_posts_is_an_error(case, tmp_path) -> None:
    path = _write(tmp_path / "wall.get_-5.jsonl", {"response": {"items": [_post(1)]}},
                  {"response": {"items": [_post(1, text="другой текст")]}})
    with pytest.raises(BadRecord) as err:
        ingest_files(case, [path])
    assert "item_id '-5_1' was already used" in err.value.message


def test_whole_folder_reloads_idempotently(case) -> None:
    first = ingest_files(case, [FOLDER])
    again = ingest_files(case, [FOLDER])
    assert sum(first.added.values()) > 0 and sum(again.added.values()) == 0
