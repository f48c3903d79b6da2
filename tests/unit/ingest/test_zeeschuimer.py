import json
import shutil
from pathlib import Path

import pytest

from trollscan.errors import BadRecord
from trollscan.ingest import detect, ingest_files
from trollscan.ingest.source import Source
from trollscan.store import init_case
from trollscan.store.status import read_status

from ...conftest import dump_tables

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
EXPORT = GOLDEN / "zeeschuimer" / "input" / "zeeschuimer-export-2024-03-14T101500.ndjson"


def _line(platform: str, data: dict, n: int = 1) -> dict:
    return {"nav_index": f"1:1:{n}", "item_id": str(n), "timestamp_collected": 1700000000000 + n,
            "source_platform": platform, "source_platform_url": "https://www.tiktok.com/@x",
            "source_url": "https://www.tiktok.com/api/post/item_list/", "user_agent": "Firefox", "data": data}


def _tiktok(n: int, **kw) -> dict:
    return {"id": f"72{n:017d}", "desc": f"видео {n}", "createTime": 1678700000 + n,
            "author": {"id": "6801", "uniqueId": "danabot_01", "nickname": "Дана"},
            "stats": {"diggCount": n, "shareCount": 0, "commentCount": 0}, **kw}


def _write(path: Path, lines: list, raw: str = "") -> Path:
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines) + raw, encoding="utf-8")
    return path


def _rows(case, sql: str) -> list[tuple]:
    return case.con.execute(sql).fetchall()


def test_zeeschuimer_export_and_4cat_dataset_are_detected() -> None:
    assert detect(Source(EXPORT)).name == "zeeschuimer"
    assert detect(Source(next((GOLDEN / "fourcat_ndjson" / "input").iterdir()))).name == "zeeschuimer"


def test_a_4cat_line_longer_than_the_sniffed_head_is_still_detected(tmp_path) -> None:
    item = _tiktok(1, desc="д" * 50_000)  # __import_meta comes after 100 KB of item
    line = {**item, "__import_meta": {"source_platform": "tiktok.com", "timestamp_collected": 1}}
    assert detect(Source(_write(tmp_path / "tiktok.ndjson", [line]))).name == "zeeschuimer"


def test_canonical_items_with_a_data_field_are_not_taken_for_zeeschuimer(tmp_path) -> None:
    path = _write(tmp_path / "items.jsonl", [{"platform": "tiktok", "item_id": "1", "kind": "post",
                                              "account_id": "a", "data": {"x": 1}}])
    assert detect(Source(path)).name == "canonical-jsonl"


def test_tiktok_post_gives_item_author_counts_and_tags(case, tmp_path) -> None:
    ingest_files(case, [_write(tmp_path / "z.ndjson", [_line("tiktok.com", _tiktok(3, challenges=[{"title": "астана"}]))])])
    assert _rows(case, "SELECT platform, kind, account_id, like_count, hashtags FROM items") == [
        ("tiktok", "post", "6801", 3, ["астана"])]
    assert _rows(case, "SELECT handle, url FROM accounts") == [("danabot_01", "https://www.tiktok.com/@danabot_01")]


def test_items_from_other_platforms_and_instagram_ads_are_counted_not_loaded(case) -> None:
    summary = ingest_files(case, [EXPORT])
    assert summary.files[0].skipped == {"item captured from linkedin.com (not read by trollscan)": 1,
                                        "Instagram ad": 1}
    assert _rows(case, "SELECT count(*) FROM items WHERE item_id = '3105550000000009999'") == [(0,)]


def test_comments_point_to_their_post_and_replies_to_their_comment(case) -> None:
    ingest_files(case, [EXPORT])
    rows = {i: (k, p, r) for i, k, p, r in _rows(
        case, "SELECT item_id, kind, parent_id, root_id FROM items WHERE kind IN ('comment', 'reply')")}
    assert rows["17990000000000002"] == ("reply", "17990000000000001", "3105550000000000001")
    assert rows["7212399999999999001"] == ("comment", "7212345678901234567", "7212345678901234567")
    assert rows["1112"] == ("reply", "1111", "1234567890123456")


def test_threads_post_is_an_instagram_item_marked_threads(case) -> None:
    ingest_files(case, [EXPORT])
    assert _rows(case, "SELECT platform, kind, client FROM items WHERE item_id = '3200000000000000001'") == [
        ("instagram", "reply", "threads")]
    assert {"platform": "instagram", "client": "threads", "items": 1} in read_status(case)["item_clients"]


def test_reingesting_a_copy_adds_nothing(case, tmp_path) -> None:
    ingest_files(case, [EXPORT])
    before = _rows(case, "SELECT count(*) FROM items")[0][0]
    copy = tmp_path / "again.ndjson"
    copy.write_bytes(EXPORT.read_bytes() + b"\n")  # other bytes, the same items
    summary = ingest_files(case, [copy])
    assert sum(summary.added.values()) == 0
    assert _rows(case, "SELECT count(*) FROM items")[0][0] == before


def test_small_batches_give_the_same_tables(case, tmp_path, monkeypatch) -> None:
    ingest_files(case, [EXPORT])
    monkeypatch.setenv("TROLLSCAN_BATCH_ROWS", "2")
    other = init_case(tmp_path / "small")
    try:
        ingest_files(other, [EXPORT])
        assert dump_tables(other, provenance=False) == dump_tables(case, provenance=False)
    finally:
        other.close()


def test_truncated_line_fails_naming_the_line_and_loads_nothing(case, tmp_path) -> None:
    path = _write(tmp_path / "z.ndjson", [_line("tiktok.com", _tiktok(1))], raw='{"nav_index": "1", "data": {"id"')
    with pytest.raises(BadRecord) as err:
        ingest_files(case, [path])
    assert err.value.message == f"{path}, line 2: not valid JSON: the line is cut short (truncated JSON)."
    assert _rows(case, "SELECT count(*) FROM items") == [(0,)]


def test_a_line_that_is_not_a_capture_fails(case, tmp_path) -> None:
    path = _write(tmp_path / "z.ndjson", [_line("tiktok.com", _tiktok(1)), {"hello": "мир"}])
    with pytest.raises(BadRecord) as err:
        ingest_files(case, [path])
    assert err.value.message == (f"{path}, line 2: not a Zeeschuimer item (no \"data\" with \"source_platform\", "
                                 "and no \"__import_meta\").")


def test_an_item_without_author_id_fails_naming_the_module(case, tmp_path) -> None:
    path = _write(tmp_path / "z.ndjson", [_line("tiktok.com", {"id": "1", "desc": "x"})])
    with pytest.raises(BadRecord) as err:
        ingest_files(case, [path])
    assert err.value.message == f"{path}, line 1: the tiktok.com item has no id or no author id."


def test_photo_saved_next_to_the_capture_is_linked_and_hashed(case, tmp_path) -> None:
    shutil.copy(EXPORT, tmp_path / "capture.ndjson")
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "340000001_9999_n.jpg").write_bytes(b"\xff\xd8\xff fake jpeg bytes")
    ingest_files(case, [tmp_path / "capture.ndjson"])
    path, sha, url = _rows(case, "SELECT path, sha256, url FROM media WHERE path IS NOT NULL")[0]
    assert path == "photos/340000001_9999_n.jpg" and len(sha) == 64 and url.endswith("?stp=dst-jpg_e35")
    assert _rows(case, "SELECT count(*) FROM media WHERE path IS NULL AND url LIKE '%340000001_9999_n.jpg%'") == [(0,)]
