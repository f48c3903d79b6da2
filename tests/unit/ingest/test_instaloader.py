import json
import lzma
import os
import shutil
from pathlib import Path

import pytest

from trollscan.errors import BadFile, BadRecord
from trollscan.ingest import detect, expand, ingest_files
from trollscan.ingest.instagram_node import shortcode_pk
from trollscan.ingest.source import Source

FOLDER = Path(__file__).resolve().parents[2] / "golden" / "instaloader" / "input" / "aisulu_8080"
POST = "2019-02-07_10-15-00_UTC"


def _rows(case, sql: str) -> list[tuple]:
    return case.con.execute(sql).fetchall()


def _copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FOLDER, tmp_path / "aisulu_8080"))


def test_posts_profiles_and_comments_are_detected() -> None:
    assert detect(Source(FOLDER / f"{POST}.json.xz")).name == "instaloader"
    assert detect(Source(FOLDER / "2019-02-07_10-16-30_UTC.json")).name == "instaloader"
    assert detect(Source(FOLDER / "aisulu_8080_51234567890.json.xz")).name == "instaloader"
    assert detect(Source(FOLDER / f"{POST}_comments.json")).name == "instaloader-comments"


def test_folder_load_leaves_out_captions_and_the_id_file() -> None:
    files, media, companions = expand([FOLDER])
    assert sorted(p.name for p in files) == [f"{POST}.json.xz", f"{POST}_comments.json",
                                             "2019-02-07_10-16-30_UTC.json", "aisulu_8080_51234567890.json.xz"]
    assert (media, companions) == (3, 2)


def test_carousel_pictures_on_disk_are_linked_in_order(case) -> None:
    ingest_files(case, [FOLDER])
    assert _rows(case, "SELECT path FROM media WHERE item_id = '1978487611299201024' ORDER BY path") == [
        (f"{POST}_1.jpg",), (f"{POST}_2.jpg",)]
    assert _rows(case, "SELECT path, url IS NULL FROM media WHERE item_id = '1978487611299201025'") == [(None, False)]


def test_profile_picture_files_become_dated_avatars(case) -> None:
    ingest_files(case, [FOLDER])
    assert _rows(case, "SELECT path, uploaded_at::VARCHAR FROM media WHERE kind = 'avatar' AND path IS NOT NULL") == [
        ("2018-08-03_12-00-00_UTC_profile_pic.jpg", "2018-08-03 12:00:00")]


def test_comment_answers_reply_to_their_comment_on_the_post(case) -> None:
    ingest_files(case, [FOLDER])
    assert _rows(case, "SELECT kind, parent_id, parent_account_id, root_id, target_id FROM items "
                       "WHERE item_id = '17850000000000002'") == [
        ("reply", "17850000000000001", "51234567892", "1978487611299201024", "51234567890")]


def test_comments_without_their_post_file_load_with_a_note(case, tmp_path) -> None:
    shutil.copy(FOLDER / f"{POST}_comments.json", tmp_path / f"{POST}_comments.json")
    summary = ingest_files(case, [tmp_path / f"{POST}_comments.json"])
    assert summary.files[0].notes == [(f"the post these comments answer has no metadata file beside them ({POST}.json); "
                                       "they are loaded without it")]
    assert _rows(case, "SELECT count(*) FROM items WHERE root_id IS NULL") == [(3,)]


def test_shortcode_decodes_to_the_media_id() -> None:
    assert shortcode_pk("BgTdPBYlUPw") == "1734858857094923248"
    assert shortcode_pk("not a code!") is None


def test_reloading_the_folder_adds_nothing(case) -> None:
    ingest_files(case, [FOLDER])
    summary = ingest_files(case, [FOLDER])
    assert sum(summary.added.values()) == 0 and all(f.already for f in summary.files)


def test_picture_outside_the_folder_behind_a_link_is_not_read(case, tmp_path) -> None:
    folder = _copy(tmp_path)
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(b"not yours")
    (folder / f"{POST}_1.jpg").unlink()
    os.symlink(secret, folder / f"{POST}_1.jpg")
    ingest_files(case, [folder / f"{POST}.json.xz"])
    assert _rows(case, "SELECT count(*) FROM media WHERE path LIKE '%_1.jpg'") == [(0,)]


def test_post_without_owner_fails_naming_the_file(case, tmp_path) -> None:
    path = tmp_path / "2019-01-01_00-00-00_UTC.json"
    path.write_text(json.dumps({"node": {"__typename": "GraphImage", "shortcode": "x"},
                                "instaloader": {"node_type": "Post"}}))
    with pytest.raises(BadRecord) as err:
        ingest_files(case, [path])
    assert err.value.message == f"{path}, object 1: the post has no id or no owner id."


def test_truncated_comments_fail_naming_the_comment_and_load_nothing(case, tmp_path) -> None:
    path = tmp_path / "2019-01-01_00-00-00_UTC_comments.json"
    path.write_text('[{"id": "1", "created_at": 1, "text": "a", "owner": {"id": "2", "username": "b"}}, {"id": "3", "cr')
    with pytest.raises(BadRecord) as err:
        ingest_files(case, [path])
    assert err.value.message == f"{path}, comment 2: the file ends in the middle of it (truncated download)."
    assert _rows(case, "SELECT count(*) FROM items") == [(0,)]


def test_damaged_xz_fails_as_a_damaged_stream(case, tmp_path) -> None:
    path = tmp_path / "2019-01-01_00-00-00_UTC.json.xz"
    path.write_bytes(lzma.compress(b'{"node": {"shortcode": "x"}}')[:30])
    with pytest.raises(BadFile) as err:
        ingest_files(case, [path])
    assert "the xz stream is damaged" in err.value.message and str(path) in err.value.message


def test_document_without_node_fails(case, tmp_path) -> None:
    path = tmp_path / "2019-01-01_00-00-00_UTC.json"
    path.write_text('{"node": {"shortcode": "x", "owner": {"id": "1"}, "id": "2"}}')
    ingest_files(case, [path])  # a well-formed post loads
    bad = tmp_path / "b.json"
    bad.write_text('{"node": [1, 2], "instaloader": {}}')
    with pytest.raises(BadRecord) as err:
        ingest_files(case, [bad], format="instaloader")
    assert err.value.message == f"{bad}, object 1: no \"node\" object; not an Instaloader metadata file."


def test_a_text_file_beside_other_json_is_not_left_out(tmp_path) -> None:
    (tmp_path / "users.json").write_text('{"response": []}')
    (tmp_path / "users.txt").write_text("заметки")
    files, _media, companions = expand([tmp_path])
    assert sorted(p.name for p in files) == ["users.json", "users.txt"] and companions == 0
