"""The comment-log adapter (its golden fixtures are in tests/golden/comment_log*/)."""

import csv
from pathlib import Path

import pytest

from trollscan.errors import BadRecord, MissingColumns
from trollscan.ingest import comment_log, detect, ingest_files
from trollscan.ingest.source import Source
from trollscan.store import TABLES

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
LOG = GOLDEN / "comment_log" / "input" / "comments_export.csv"
HEADER = "comment_id,created_at,nickname,text,article_url,ip,user_agent\n"
UA = '"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/85.0"'


def _csv(tmp_path: Path, body: str, header: str = HEADER, name: str = "comments.csv") -> Path:
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def _rows(case, sql: str) -> list[tuple]:
    return case.con.execute(sql).fetchall()


def test_case_holds_no_raw_ip_user_agent_or_email(case, tmp_path) -> None:
    ingest_files(case, [LOG])
    raw = ["203.0.113.57", "198.51.100.23", "2001:DB8", "2001:db8::7", "bakyt.osh@example.com", "guest1987",
           "Mozilla/5.0", "SM-J730F"]
    for table in [*TABLES, "sources", "meta"]:
        for (row,) in _rows(case, f"SELECT CAST(t AS VARCHAR) FROM {table} t"):
            assert not [r for r in raw if r.lower() in row.lower()], f"raw personal data in {table}: {row}"
    case.con.execute("CHECKPOINT")
    stored = b"".join(p.read_bytes() for p in case.root.rglob("case.duckdb*"))
    for value in raw:
        assert value.encode() not in stored


def test_nicknames_sharing_an_ip_share_one_ip_hash(case) -> None:
    ingest_files(case, [LOG])
    rows = _rows(case, "SELECT ip_hash, count(DISTINCT account_id) FROM access_log GROUP BY 1 ORDER BY 2 DESC")
    assert rows[0][1] == 3
    assert len(rows[0][0]) == 32


def test_ip_hash_depends_on_the_case_key(case, tmp_path) -> None:
    from trollscan.store import init_case

    ingest_files(case, [LOG])
    other = init_case(tmp_path / "other")
    try:
        ingest_files(other, [LOG])
        assert _rows(case, "SELECT ip_hash FROM access_log ORDER BY item_id") != \
            _rows(other, "SELECT ip_hash FROM access_log ORDER BY item_id")
    finally:
        other.close()


def test_nickname_is_folded_to_lower_case_for_the_account_id(case, tmp_path) -> None:
    ingest_files(case, [_csv(tmp_path, f"1,2020-10-07 09:12:44,Бакыт_Ош,a,/a,203.0.113.1,{UA}\n"
                                       f"2,2020-10-07 09:13:44,бакыт_ош,b,/a,203.0.113.1,{UA}\n")])
    assert _rows(case, "SELECT account_id, handle FROM accounts") == [("nick:бакыт_ош", "Бакыт_Ош")]
    assert _rows(case, "SELECT DISTINCT account_id FROM items") == [("nick:бакыт_ош",)]


def test_site_user_id_is_preferred_to_the_nickname(case, tmp_path) -> None:
    header = "id,time,author,comment,url,remote_addr,ua,user_id\n"
    ingest_files(case, [_csv(tmp_path, f"7,2020-10-07 09:12:44,Патриот,a,/a,192.0.2.9,{UA},771\n", header)])
    assert _rows(case, "SELECT account_id, handle FROM accounts") == [("771", "Патриот")]


def test_comment_maps_to_item_account_and_access_log(case, tmp_path) -> None:
    ingest_files(case, [_csv(tmp_path, f"48211,2020-10-07 09:12:44,Нурлан,Текст,https://news.example.kg/1,"
                                       f"203.0.113.5,{UA}\n")])
    assert _rows(case, "SELECT platform, item_id, kind, account_id, CAST(created_at AS VARCHAR), target_id, text, "
                       "source_record FROM items") == [
        ("web", "48211", "comment", "nick:нурлан", "2020-10-07 09:12:44", "https://news.example.kg/1", "Текст", 2)]
    assert _rows(case, "SELECT item_id, account_id, CAST(seen_at AS VARCHAR), ip_hash IS NOT NULL, "
                       "device_hash IS NOT NULL FROM access_log") == [
        ("48211", "nick:нурлан", "2020-10-07 09:12:44", True, True)]


def test_comment_with_a_parent_is_a_reply(case, tmp_path) -> None:
    header = "id,time,nickname,text,ip,parent_id\n"
    ingest_files(case, [_csv(tmp_path, "1,2020-10-07 09:00:00,a,x,192.0.2.1,\n2,2020-10-07 09:01:00,b,y,192.0.2.1,1\n",
                             header)])
    assert _rows(case, "SELECT item_id, kind, parent_id FROM items ORDER BY 1") == [
        ("1", "comment", None), ("2", "reply", "1")]


def test_equal_ipv6_addresses_written_differently_hash_alike(case, tmp_path) -> None:
    ingest_files(case, [_csv(tmp_path, "1,2020-10-07 09:12:44,a,x,/a,2001:DB8:0:0:0:0:0:7,\n"
                                       "2,2020-10-07 09:12:45,b,y,/a, 2001:db8::7 ,\n")])
    assert _rows(case, "SELECT count(DISTINCT ip_hash), count(device_hash) FROM access_log") == [(1, 0)]


def test_personal_columns_beyond_the_model_are_not_stored(case, tmp_path) -> None:
    header = "id,time,nickname,text,ip,x_forwarded_for,phone,email,status\n"
    summary = ingest_files(case, [_csv(tmp_path, "1,2020-10-07 09:00:00,a,x,192.0.2.1,10.1.2.3,+77011234567,"
                                                 "a@example.com,approved\n", header)])
    assert _rows(case, "SELECT extra FROM items") == [('{"status":"approved"}',)]
    assert any("x_forwarded_for" in n and "phone" in n and "email" in n for n in summary.files[0].notes)


def test_detection_needs_ip_text_and_time_columns(tmp_path) -> None:
    assert detect(Source(_csv(tmp_path, "1,2020-10-07,a,x,/a,192.0.2.1,ua\n"))).name == "comment-log"
    without_ip = _csv(tmp_path, "1,2020-10-07,a,x,/a\n", "comment_id,created_at,nickname,text,article_url\n",
                      name="no_ip.csv")
    assert not comment_log.COMMENT_LOG.sniff(Source(without_ip))


def test_canonical_access_log_is_not_taken_for_a_comment_log(tmp_path) -> None:
    path = _csv(tmp_path, "web,1,a,2020-10-07,abc,def\n", "platform,item_id,account_id,seen_at,ip_hash,device_hash\n",
                name="access_log.csv")
    assert detect(Source(path)).name == "canonical-csv"


def test_missing_comment_id_column_is_reported(case, tmp_path) -> None:
    path = _csv(tmp_path, "2020-10-07,a,x,192.0.2.1\n", "time,nickname,text,ip\n")
    with pytest.raises(MissingColumns, match=r"comments\.csv: a comment log needs columns it lacks "
                                             r"\(looked for comment_id: comment_id"):
        ingest_files(case, [path])


def test_empty_comment_id_names_the_row(case, tmp_path) -> None:
    path = _csv(tmp_path, "1,2020-10-07,a,x,/a,192.0.2.1,\n,2020-10-07,b,y,/a,192.0.2.1,\n")
    with pytest.raises(BadRecord, match=r"comments\.csv, row 3: the comment id is empty"):
        ingest_files(case, [path])


def test_comment_without_nickname_or_user_id_names_the_row(case, tmp_path) -> None:
    path = _csv(tmp_path, "1,2020-10-07,,x,/a,192.0.2.1,\n")
    with pytest.raises(BadRecord, match=r"row 2: comment '1' has neither a nickname nor a user id"):
        ingest_files(case, [path])


def test_bad_time_names_the_row(case, tmp_path) -> None:
    path = _csv(tmp_path, "1,2020-10-07,a,x,/a,192.0.2.1,\n2,вчера,b,y,/a,192.0.2.1,\n")
    with pytest.raises(BadRecord, match=r"comments\.csv, row 3: created_at 'вчера' is not a date"):
        ingest_files(case, [path])


def test_reingesting_the_rows_in_another_order_adds_nothing(case, tmp_path) -> None:
    ingest_files(case, [LOG])
    with LOG.open(encoding="utf-8", newline="") as f:
        header, *records = list(csv.reader(f))
    again = tmp_path / "again.csv"
    with again.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *reversed(records)])
    summary = ingest_files(case, [again])
    assert sum(summary.added.values()) == 0
    assert _rows(case, "SELECT count(*) FROM items") == [(6,)]


def test_public_names_are_listed_in_all() -> None:
    for name in comment_log.__all__:
        assert hasattr(comment_log, name)
    assert comment_log.COMMENT_LOG.name == "comment-log" and comment_log.COMMENT_LOG.unit == "row"
