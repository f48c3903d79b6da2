import hashlib
import json
from pathlib import Path

import pytest

from trollscan.errors import BadFile, BadRecord
from trollscan.ingest import detect, ingest_files, telegram
from trollscan.ingest.source import Source

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
CHAT = 1711223344


def _export(folder: Path, messages: list[dict], *, kind: str = "private_supergroup", name: str = "result.json",
            **header) -> Path:
    doc = {"name": "Жители Жаңа Қала", "type": kind, "id": CHAT, **header, "messages": messages}
    path = folder / name
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _msg(id: int, text="Спасибо акиму!", **kw) -> dict:
    return {"id": id, "type": "message", "date": "2021-10-06T10:18:00", "date_unixtime": "1633493880",
            "from": "Айгерим С.", "from_id": "user5012340001", "text": text, **kw}


def _rows(case, sql: str, params: list | None = None) -> list[tuple]:
    return case.con.execute(sql, params or []).fetchall()


def test_telegram_export_is_detected(tmp_path) -> None:
    assert detect(Source(_export(tmp_path, [_msg(1)]))).name == "telegram"
    assert detect(Source(GOLDEN / "telegram_channel" / "input" / "result.json")).name == "telegram"


def test_json_lines_of_items_are_not_taken_for_telegram(tmp_path) -> None:
    path = tmp_path / "items.json"
    path.write_text('{"platform": "telegram", "item_id": "1", "kind": "post", "account_id": "a", "type": "x"}\n')
    assert detect(Source(path)).name != "telegram"


def test_full_account_export_is_not_taken_for_a_chat_export(tmp_path) -> None:
    path = tmp_path / "result.json"
    path.write_text('{"about": "...", "personal_information": {}, "chats": {"list": []}}')
    assert not telegram.TELEGRAM.sniff(Source(path))


def test_message_becomes_comment_in_a_group_and_post_in_a_channel(case, tmp_path) -> None:
    (tmp_path / "g").mkdir()
    (tmp_path / "c").mkdir()
    ingest_files(case, [_export(tmp_path / "g", [_msg(5)]),
                        _export(tmp_path / "c", [_msg(7, from_id="channel1", **{"from": "Канал"})],
                                kind="public_channel", id=1)])
    assert _rows(case, "SELECT item_id, kind, target_id FROM items ORDER BY item_id") == [
        ("1/7", "post", "1"), (f"{CHAT}/5", "comment", str(CHAT))]


def test_channel_is_an_account_with_its_name(case, tmp_path) -> None:
    ingest_files(case, [_export(tmp_path, [_msg(2, from_id=f"channel{CHAT}")], kind="public_channel")])
    assert ("telegram", f"channel{CHAT}", "Жители Жаңа Қала") in _rows(
        case, "SELECT platform, account_id, name FROM accounts")


def test_reply_points_to_its_parent_in_the_same_chat(case, tmp_path) -> None:
    ingest_files(case, [_export(tmp_path, [_msg(1), _msg(2, reply_to_message_id=1)])])
    assert _rows(case, "SELECT kind, parent_id FROM items WHERE item_id = ?", [f"{CHAT}/2"]) == [
        ("reply", f"{CHAT}/1")]


def test_forwarded_message_is_a_share_that_keeps_its_origin(case, tmp_path) -> None:
    ingest_files(case, [_export(tmp_path, [_msg(3, forwarded_from="Официальный канал партии")])])
    kind, extra = _rows(case, "SELECT kind, extra FROM items")[0]
    assert kind == "share"
    assert json.loads(extra) == {"forwarded_from": "Официальный канал партии"}


def test_text_entities_give_text_urls_hashtags_and_mentions(case, tmp_path) -> None:
    entities = [{"type": "plain", "text": "Смотрите "}, {"type": "link", "text": "https://example.kz/a"},
                {"type": "plain", "text": " и "}, {"type": "text_link", "text": "ответ", "href": "https://example.kz/b"},
                {"type": "plain", "text": " "}, {"type": "hashtag", "text": "#Жаңа_Қала"},
                {"type": "plain", "text": " "}, {"type": "mention", "text": "@kritik_blog"},
                {"type": "plain", "text": " "}, {"type": "mention_name", "text": "Марина", "user_id": 5012340003},
                {"type": "bold", "text": "!"}]
    ingest_files(case, [_export(tmp_path, [_msg(1, text=entities, text_entities=entities)])])
    assert _rows(case, "SELECT text, urls, hashtags, mentions FROM items") == [(
        "Смотрите https://example.kz/a и ответ #Жаңа_Қала @kritik_blog Марина!",
        ["https://example.kz/a", "https://example.kz/b"], ["Жаңа_Қала"], ["kritik_blog", "user5012340003"])]


def test_text_list_without_text_entities_is_flattened(case, tmp_path) -> None:
    old = {"id": 1, "type": "message", "date": "2020-03-02T09:00:00", "from": "А", "from_id": "user1",
           "text": ["Жол салынды ", {"type": "hashtag", "text": "#ауыл"}]}
    ingest_files(case, [_export(tmp_path, [old])])
    assert _rows(case, "SELECT text, hashtags FROM items") == [("Жол салынды #ауыл", ["ауыл"])]


def test_date_unixtime_is_preferred_to_the_local_date(case, tmp_path) -> None:
    ingest_files(case, [_export(tmp_path, [_msg(1)])])  # 10:18 in Almaty is 04:18 UTC
    assert str(_rows(case, "SELECT created_at FROM items")[0][0]) == "2021-10-06 04:18:00"


def test_export_without_unixtime_says_its_times_are_local(case, tmp_path) -> None:
    msg = _msg(1)
    del msg["date_unixtime"]
    summary = ingest_files(case, [_export(tmp_path, [msg])])
    assert str(_rows(case, "SELECT created_at FROM items")[0][0]) == "2021-10-06 10:18:00"
    assert any("local time" in note for note in summary.files[0].notes)


def test_recent_reactors_become_reaction_items_in_utc(case, tmp_path) -> None:
    reactions = [{"type": "emoji", "count": 7, "emoji": "👍", "recent": [
        {"from": "Данияр Б.", "from_id": "user5012340002", "date": "2021-10-06T10:19:02"}]},
        {"type": "emoji", "count": 2, "emoji": "🔥", "recent": []}]
    ingest_files(case, [_export(tmp_path, [_msg(1, reactions=reactions)])])
    assert _rows(case, "SELECT like_count FROM items WHERE kind <> 'reaction'") == [(9,)]
    rows = _rows(case, "SELECT item_id, account_id, parent_id, parent_account_id, reaction, "
                       "CAST(created_at AS VARCHAR) FROM items WHERE kind = 'reaction'")
    assert rows == [(f"{CHAT}/1/reaction/user5012340002/👍", "user5012340002", f"{CHAT}/1", "user5012340001",
                     "👍", "2021-10-06 04:19:02")]
    assert ("user5012340002", "Данияр Б.") in _rows(case, "SELECT account_id, name FROM accounts")


def test_service_messages_are_skipped_and_counted(case, tmp_path) -> None:
    service = {"id": 2, "type": "service", "date": "2021-10-06T10:00:00", "actor": "А", "actor_id": "user1",
               "action": "pin_message", "message_id": 1, "text": ""}
    join = {**service, "id": 3, "action": "join_group_by_link"}
    summary = ingest_files(case, [_export(tmp_path, [_msg(1), service, join, {**service, "id": 4}])])
    assert summary.files[0].skipped == {"service message: pin_message": 2,
                                        "service message: join_group_by_link": 1}
    assert _rows(case, "SELECT count(*) FROM items") == [(1,)]


def test_record_number_is_the_message_position(case, tmp_path) -> None:
    service = {"id": 20, "type": "service", "date": "2021-10-06T10:00:00", "action": "pin_message", "text": ""}
    ingest_files(case, [_export(tmp_path, [service, _msg(21), _msg(25)])])
    assert _rows(case, "SELECT item_id, source_record FROM items ORDER BY 1") == [
        (f"{CHAT}/21", 2), (f"{CHAT}/25", 3)]


def test_photo_next_to_the_export_is_hashed(case, tmp_path) -> None:
    (tmp_path / "photos").mkdir()
    photo = tmp_path / "photos" / "photo_1@06-10-2021_10-15-00.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg \xff\xd9")
    path = _export(tmp_path, [_msg(1, photo="photos/photo_1@06-10-2021_10-15-00.jpg")])
    ingest_files(case, [path])
    digest = hashlib.sha256(photo.read_bytes()).hexdigest()
    assert _rows(case, "SELECT media_id, kind, account_id, item_id, path, sha256, bytes FROM media") == [
        (digest, "photo", "user5012340001", f"{CHAT}/1", "photos/photo_1@06-10-2021_10-15-00.jpg", digest,
         photo.stat().st_size)]
    assert _rows(case, "SELECT media FROM items") == [(["photos/photo_1@06-10-2021_10-15-00.jpg"],)]


def test_photo_missing_on_disk_is_named_by_its_path(case, tmp_path) -> None:
    ingest_files(case, [_export(tmp_path, [_msg(1, photo="photos/photo_9.jpg")])])
    expected = hashlib.sha256(f"telegram:{CHAT}/photos/photo_9.jpg".encode()).hexdigest()
    assert _rows(case, "SELECT media_id, path, sha256 FROM media") == [(expected, "photos/photo_9.jpg", None)]


def test_photo_path_leaving_the_export_folder_is_not_read(case, tmp_path) -> None:
    (tmp_path / "secret.jpg").write_bytes(b"private")
    (tmp_path / "export").mkdir()
    ingest_files(case, [_export(tmp_path / "export", [_msg(1, photo="../secret.jpg")])])
    assert _rows(case, "SELECT sha256, bytes FROM media") == [(None, None)]


def test_photo_not_included_in_the_export_is_noted(case, tmp_path) -> None:
    msg = _msg(1, photo="(File not included. Change data exporting settings to download.)")
    summary = ingest_files(case, [_export(tmp_path, [msg])])
    assert _rows(case, "SELECT count(*) FROM media") == [(0,)]
    assert any("not included" in note for note in summary.files[0].notes)


def test_video_file_is_a_video_media_row(case, tmp_path) -> None:
    msg = _msg(1, file="video_files/video_1@06-10-2021.mp4", media_type="video_file", mime_type="video/mp4")
    ingest_files(case, [_export(tmp_path, [msg])])
    assert _rows(case, "SELECT kind, path FROM media") == [("video", "video_files/video_1@06-10-2021.mp4")]
    assert _rows(case, "SELECT media, json_extract_string(extra, '$.media_type') FROM items") == [
        (["video_files/video_1@06-10-2021.mp4"], "video_file")]


def test_group_message_without_author_is_an_error(case, tmp_path) -> None:
    msg = _msg(1)
    del msg["from_id"]
    with pytest.raises(BadRecord, match=r"result\.json, message 1: message 1711223344/1 has no from_id"):
        ingest_files(case, [_export(tmp_path, [msg])])


def test_truncated_export_names_the_message_where_it_broke(case, tmp_path) -> None:
    path = _export(tmp_path, [_msg(1), _msg(2), _msg(3, text="Конец файла")])
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("Конец")], encoding="utf-8")
    with pytest.raises(BadRecord, match=r"result\.json, message 3: the file ends in the middle of it") as err:
        ingest_files(case, [path])
    assert "Export the chat again" in err.value.hint
    assert _rows(case, "SELECT count(*) FROM items") == [(0,)]  # nothing of the file was kept


def test_invalid_json_names_the_message(case, tmp_path) -> None:
    path = _export(tmp_path, [_msg(1), _msg(2)])
    text = path.read_text(encoding="utf-8")
    broken = text.replace('"id": 2,', '"id": 2,,', 1)
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(BadRecord, match=r"message 2: not valid JSON"):
        ingest_files(case, [path])


def test_export_without_chat_id_is_refused(case, tmp_path) -> None:
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"name": "x", "type": "private_group", "messages": [_msg(1)]}))
    with pytest.raises(BadFile, match="no chat \"id\" before its messages"):
        ingest_files(case, [path])


def test_json_without_messages_is_refused_when_forced(case, tmp_path) -> None:
    path = tmp_path / "result.json"
    path.write_text('{"name": "x", "type": "private_group", "id": 5}')
    with pytest.raises(BadFile, match="no \"messages\" list"):
        ingest_files(case, [path], format="telegram")


def test_reingesting_a_reformatted_export_adds_nothing(case, tmp_path) -> None:
    messages = [_msg(1, reactions=[{"type": "emoji", "count": 1, "emoji": "👍",
                                    "recent": [{"from": "Д", "from_id": "user2", "date": "2021-10-06T10:19:00"}]}]),
                _msg(2, reply_to_message_id=1, photo="photos/p.jpg")]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    ingest_files(case, [_export(tmp_path / "a", messages)])
    again = _export(tmp_path / "b", messages)
    again.write_text(json.dumps(json.loads(again.read_text()), ensure_ascii=True))  # other bytes, same content
    summary = ingest_files(case, [again])
    assert sum(summary.added.values()) == 0
    assert _rows(case, "SELECT count(*) FROM items") == [(3,)]


def test_large_export_is_read_in_batches(case, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TROLLSCAN_BATCH_ROWS", "10")
    ingest_files(case, [_export(tmp_path, [_msg(i, from_id=f"user{i % 7}") for i in range(1, 101)])])
    assert _rows(case, "SELECT count(*), count(DISTINCT account_id), max(source_record) FROM items") == [
        (100, 7, 100)]
    assert _rows(case, "SELECT count(*) FROM accounts") == [(7,)]


def test_public_names_are_listed_in_all() -> None:
    assert telegram.__all__ == ["TELEGRAM"]
    assert telegram.TELEGRAM.name == "telegram" and telegram.TELEGRAM.unit == "message"
