import hashlib
import json
import os

import pytest

from trollscan.errors import TooLarge
from trollscan.ingest import ingest_files
from trollscan.ingest.media_link import MediaFiles, url_media_id

URL = "https://sun9-70.userapi.com/impg/aaa/Photo501.jpg?size=2560x1707&quality=95"


def test_a_url_is_linked_to_the_file_of_its_name_next_to_the_export(tmp_path) -> None:
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "Photo501.jpg").write_bytes(b"jpeg")
    row = MediaFiles(tmp_path).row(platform="vk", kind="photo", rec=1, url=URL)
    digest = hashlib.sha256(b"jpeg").hexdigest()
    assert (row["path"], row["sha256"], row["media_id"], row["bytes"], row["url"]) == (
        "photos/Photo501.jpg", digest, digest, 4, URL)


def test_a_url_with_no_file_keeps_the_url_and_its_hash(tmp_path) -> None:
    row = MediaFiles(tmp_path).row(platform="vk", kind="photo", rec=1, url=URL)
    assert (row.get("path"), row["media_id"]) == (None, url_media_id(URL))


def test_two_files_of_one_name_are_not_guessed_between(tmp_path) -> None:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "Photo501.jpg").write_bytes(sub.encode())
    assert MediaFiles(tmp_path).row(platform="vk", kind="photo", rec=1, url=URL).get("path") is None


def test_a_link_to_a_file_outside_the_folder_is_not_read(tmp_path) -> None:
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(b"private")
    export = tmp_path / "export"
    export.mkdir()
    os.symlink(outside, export / "Photo501.jpg")
    assert MediaFiles(export).row(platform="vk", kind="photo", rec=1, url=URL).get("path") is None


def test_urls_that_are_not_media_files_are_not_looked_up(tmp_path) -> None:
    (tmp_path / "wall.get.json").write_text("{}")
    assert MediaFiles(tmp_path).for_url("https://vk.com/wall.get.json") is None


def test_vk_photo_beside_the_dump_is_hashed_on_load(case, tmp_path) -> None:
    (tmp_path / "Photo501.jpg").write_bytes(b"\xff\xd8\xffjpeg")
    post = {"id": 1, "owner_id": -5, "from_id": -5, "date": 1559887200, "text": "фото",
            "attachments": [{"type": "photo", "photo": {"sizes": [{"url": URL, "width": 10, "height": 10}]}}]}
    path = tmp_path / "wall.get_-5.json"
    path.write_text(json.dumps({"response": {"count": 1, "items": [post]}}))
    ingest_files(case, [path])
    assert case.con.execute("SELECT path, sha256 IS NOT NULL, url FROM media").fetchall() == [
        ("Photo501.jpg", True, URL)]


def test_a_field_past_the_limit_fails_naming_the_record(case, tmp_path) -> None:
    post = {"id": 1, "owner_id": -5, "from_id": -5, "date": 1559887200, "text": "ы" * 600_000}
    path = tmp_path / "wall.get_-5.json"
    path.write_text(json.dumps({"response": {"count": 1, "items": [post]}}, ensure_ascii=False))
    with pytest.raises(TooLarge) as err:
        ingest_files(case, [path])
    assert err.value.message == (f"{path}, response 1: the text field of 1,200,000 bytes is longer than the "
                                 "1,000,000 accepted.")
