"""The loader: conversions, checks, de-duplication, idempotence and all-or-nothing loads."""

import gzip
from pathlib import Path

import pytest

from trollscan.errors import BadFile, BadRecord, MissingColumns, TooLarge, UnknownFormat
from trollscan.ingest import ingest_files

ITEMS_HEADER = "platform,item_id,kind,account_id,created_at,text"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def count(case, table: str) -> int:
    return case.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def items_csv(tmp_path: Path, *rows: str, name: str = "items.csv") -> Path:
    return write(tmp_path / name, "\n".join([ITEMS_HEADER, *rows]) + "\n")


def test_ingesting_the_same_file_twice_adds_nothing(case, tmp_path: Path) -> None:
    f = items_csv(tmp_path, "twitter,1,post,a,2020-01-01 10:00:00,hello")
    ingest_files(case, [f])
    summary = ingest_files(case, [f])
    assert count(case, "items") == 1
    assert "already ingested as source 1" in summary.files[0].already


def test_rows_already_in_the_case_from_another_file_are_not_added_again(case, tmp_path: Path) -> None:
    ingest_files(case, [items_csv(tmp_path, "twitter,1,post,a,2020-01-01 10:00:00,hello", name="items_a.csv")])
    summary = ingest_files(case, [items_csv(
        tmp_path, "twitter,1,post,a,2020-01-01 10:00:00,hello", "twitter,2,post,b,2020-01-01,x", name="items_b.csv")])
    assert count(case, "items") == 2
    assert summary.existing["items"] == 1
    assert summary.added["items"] == 1


def test_identical_repeated_rows_are_kept_once_and_counted(case, tmp_path: Path) -> None:
    f = items_csv(tmp_path, "twitter,1,post,a,2020-01-01,hi", "twitter,1,post,a,2020-01-01,hi")
    summary = ingest_files(case, [f])
    assert count(case, "items") == 1
    assert summary.duplicates["items"] == 1


def test_one_id_for_two_different_items_fails_naming_both_rows(case, tmp_path: Path) -> None:
    f = items_csv(tmp_path, "twitter,1,post,a,2020-01-01,hi", "twitter,2,post,a,2020-01-01,x",
                  "twitter,1,post,b,2020-01-01,hi")
    with pytest.raises(BadRecord) as info:
        ingest_files(case, [f])
    assert info.value.message == (
        f"{f}, row 4: item_id '1' was already used at {f}, row 2 for a different item "
        "(they differ in account_id).")
    assert count(case, "items") == 0


def test_accounts_from_several_files_merge_field_by_field(case, tmp_path: Path) -> None:
    ingest_files(case, [write(tmp_path / "accounts.csv", "platform,account_id,handle\nvk,1,aisulu_8080\n")])
    summary = ingest_files(case, [write(tmp_path / "accounts_2.csv",
                                        "platform,account_id,handle,created_at\nvk,1,other,2018-08-03\n")])
    row = case.con.execute("SELECT handle, created_at::VARCHAR, source_id FROM accounts").fetchone()
    assert row == ("aisulu_8080", "2018-08-03 00:00:00", 1)
    assert summary.completed["accounts"] == 1


def test_times_are_stored_in_utc_whatever_the_offset(case, tmp_path: Path) -> None:
    f = items_csv(tmp_path, "vk,1,post,a,2019-02-07T10:00:00+06:00,x", "vk,2,post,a,1549512000,x",
                  "vk,3,post,a,Thu Feb 07 04:00:00 +0000 2019,x", "vk,4,post,a,2019-02-07 04:00,x")
    ingest_files(case, [f])
    times = {r[0] for r in case.con.execute("SELECT created_at::VARCHAR FROM items").fetchall()}
    assert times == {"2019-02-07 04:00:00"}


def test_a_bad_date_names_file_row_and_value_and_suggests_a_format(case, tmp_path: Path) -> None:
    f = items_csv(tmp_path, "vk,1,post,a,2019-02-07,x", "vk,2,post,a,31/02/2019,x")
    with pytest.raises(BadRecord) as info:
        ingest_files(case, [f])
    assert info.value.message == f"{f}, row 3: created_at '31/02/2019' is not a date."
    assert "--date-format" in info.value.hint


def test_date_format_reads_day_first_dates(case, tmp_path: Path) -> None:
    ingest_files(case, [items_csv(tmp_path, "vk,1,post,a,07/02/2019,x")], date_format="%d/%m/%Y")
    assert case.con.execute("SELECT created_at::VARCHAR FROM items").fetchone()[0] == "2019-02-07 00:00:00"


def test_an_unknown_kind_is_refused_with_the_allowed_values(case, tmp_path: Path) -> None:
    f = items_csv(tmp_path, "vk,1,tweet,a,2019-02-07,x")
    with pytest.raises(BadRecord, match=r"row 2: kind 'tweet' is not one of post, comment, reply"):
        ingest_files(case, [f])


def test_platform_aliases_are_understood(case, tmp_path: Path) -> None:
    ingest_files(case, [items_csv(tmp_path, "X,1,post,a,2019-02-07,x", "Odnoklassniki,2,post,a,2019-02-07,x")])
    assert {r[0] for r in case.con.execute("SELECT platform FROM items").fetchall()} == {"twitter", "ok"}


def test_a_missing_platform_column_asks_for_platform(case, tmp_path: Path) -> None:
    f = write(tmp_path / "items.csv", "item_id,kind,account_id\n1,post,a\n")
    with pytest.raises(MissingColumns) as info:
        ingest_files(case, [f])
    assert "no 'platform' column" in info.value.message and "--platform" in info.value.hint
    ingest_files(case, [f], platform="vk")
    assert count(case, "items") == 1


def test_an_empty_required_field_names_the_row(case, tmp_path: Path) -> None:
    f = items_csv(tmp_path, "vk,1,post,,2019-02-07,x")
    with pytest.raises(BadRecord, match=r"row 2: account_id is empty"):
        ingest_files(case, [f])


def test_text_that_looks_like_null_stays_text(case, tmp_path: Path) -> None:
    ingest_files(case, [items_csv(tmp_path, "vk,1,post,a,2019-02-07,NULL", "vk,2,post,a,2019-02-07,n/a")])
    assert sorted(r[0] for r in case.con.execute("SELECT text FROM items").fetchall()) == ["NULL", "n/a"]


def test_list_cells_accept_json_and_bracketed_lists(case, tmp_path: Path) -> None:
    f = write(tmp_path / "items.csv", 'platform,item_id,kind,account_id,hashtags\n'
              'vk,1,post,a,"[""a"", ""b c""]"\nvk,2,post,a,"[x, y]"\nvk,3,post,a,"[\'p\', \'q\']"\nvk,4,post,a,[]\n')
    ingest_files(case, [f])
    rows = dict(case.con.execute("SELECT item_id, hashtags FROM items").fetchall())
    assert rows == {"1": ["a", "b c"], "2": ["x", "y"], "3": ["p", "q"], "4": []}


def test_unknown_columns_are_kept_in_extra_and_reported(case, tmp_path: Path) -> None:
    f = write(tmp_path / "accounts.csv", "platform,account_id,photo_source\nvk,1,https://stock.example/123\n")
    summary = ingest_files(case, [f])
    assert case.con.execute("SELECT extra FROM accounts").fetchone()[0] == '{"photo_source":"https://stock.example/123"}'
    assert "photo_source" in summary.files[0].notes[0]


def test_a_cp1251_file_is_read_as_cyrillic(case, tmp_path: Path) -> None:
    f = write(tmp_path / "accounts.csv", "platform,account_id,name\nvk,1,Айсулу Нурланова\n", encoding="cp1251")
    ingest_files(case, [f])
    assert case.con.execute("SELECT name FROM accounts").fetchone()[0] == "Айсулу Нурланова"


@pytest.mark.parametrize("lines", [300, 30_000])  # the bad line inside / far past the sniffed head
def test_a_file_mixing_encodings_names_the_first_bad_line(case, tmp_path: Path, lines: int) -> None:
    head = "platform,account_id,name\n" + "".join(f"vk,{i},Имя {i}\n" for i in range(lines))
    f = tmp_path / "accounts.csv"
    f.write_bytes(head.encode("utf-8") + "vk,x,Мадина\n".encode("cp1251"))
    with pytest.raises(BadFile) as info:
        ingest_files(case, [f])
    assert info.value.message == (
        f"{f}, line {lines + 2}: byte 0xcc is not valid utf-8; the file mixes encodings.")


def test_a_row_with_too_many_fields_is_named(case, tmp_path: Path) -> None:
    f = items_csv(tmp_path, "vk,1,post,a,2019-02-07,x", "vk,2,post,a,2019-02-07,x,extra")
    with pytest.raises(BadRecord, match=r"items.csv, line 3: expected 6 fields, found 7"):
        ingest_files(case, [f])


def test_a_field_longer_than_the_limit_fails(case, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TROLLSCAN_MAX_FIELD_BYTES", "100")
    f = items_csv(tmp_path, "vk,1,post,a,2019-02-07,x", "vk,2,post,a,2019-02-07," + "я" * 51)
    with pytest.raises(TooLarge, match=r"row 3: the text field of 102 bytes is longer than the 100 accepted"):
        ingest_files(case, [f])


def test_a_decompression_bomb_is_refused(case, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TROLLSCAN_MAX_EXPAND_FLOOR_BYTES", str(1 << 20))
    f = tmp_path / "items.csv.gz"
    with gzip.open(f, "wb") as g:
        g.write((ITEMS_HEADER + "\n").encode())
        g.write(b"vk,1,post,a,2019-02-07," + b"0" * (30 << 20) + b"\n")
    with pytest.raises(TooLarge, match="decompression bomb"):
        ingest_files(case, [f])
    assert count(case, "items") == 0


def test_a_compressed_file_loads_like_the_plain_one(case, tmp_path: Path) -> None:
    f = tmp_path / "items.csv.gz"
    f.write_bytes(gzip.compress((ITEMS_HEADER + "\nvk,1,post,a,2019-02-07,x\n").encode()))
    ingest_files(case, [f])
    assert count(case, "items") == 1


def test_a_truncated_gzip_file_is_a_clear_error(case, tmp_path: Path) -> None:
    data = gzip.compress((ITEMS_HEADER + "\n" + "vk,1,post,a,2019-02-07,x\n" * 5000).encode())
    f = tmp_path / "items.csv.gz"
    f.write_bytes(data[: len(data) // 2])
    with pytest.raises(BadFile, match=r"items.csv.gz"):
        ingest_files(case, [f])


def test_one_bad_file_leaves_the_case_as_it_was(case, tmp_path: Path) -> None:
    good = items_csv(tmp_path, "vk,1,post,a,2019-02-07,x", name="items_good.csv")
    bad = items_csv(tmp_path, "vk,2,post,a,someday,x", name="items_bad.csv")
    with pytest.raises(BadRecord):
        ingest_files(case, [good, bad])
    assert count(case, "items") == 0 and count(case, "sources") == 0
    ingest_files(case, [good])
    assert count(case, "items") == 1


def test_missing_paths_and_empty_folders_are_named(case, tmp_path: Path) -> None:
    with pytest.raises(BadFile, match=r"nope.csv: no such file"):
        ingest_files(case, [tmp_path / "nope.csv"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(BadFile, match=r"empty: the folder holds no files"):
        ingest_files(case, [tmp_path / "empty"])


def test_an_empty_file_and_an_unknown_format_are_named(case, tmp_path: Path) -> None:
    with pytest.raises(BadFile, match="the file is empty"):
        ingest_files(case, [write(tmp_path / "x.csv", "")])
    with pytest.raises(UnknownFormat, match="not a format trollscan knows"):
        ingest_files(case, [write(tmp_path / "notes.md", "# hello\n")])
    picture = tmp_path / "items.csv"  # a photo saved under a data file's name
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    with pytest.raises(UnknownFormat, match="items.csv: this is a PNG image"):
        ingest_files(case, [picture])
    people = write(tmp_path / "people.csv", "id,type,name\np1,Person,Irina Stepanova\n")
    with pytest.raises(UnknownFormat, match="sheet of people, companies") as info:
        ingest_files(case, [people])
    assert "trollscan entities add" in info.value.hint


def test_a_folder_loads_one_file_per_table(case, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    write(folder / "accounts.csv", "platform,account_id\nvk,1\n")
    items_csv(folder, "vk,1,post,1,2019-02-07,x")
    write(folder / "relations.jsonl", '{"platform":"vk","account_id":"1","kind":"friend","other_id":"2"}\n')
    write(folder / ".DS_Store", "junk")
    summary = ingest_files(case, [folder])
    assert summary.added == {"accounts": 1, "items": 1, "relations": 1}


def test_truncated_json_lines_name_the_line(case, tmp_path: Path) -> None:
    f = write(tmp_path / "items.jsonl", '{"platform":"vk","item_id":"1","kind":"post","account_id":"a"}\n'
              '{"platform":"vk","item_id":"2","kind":"po')
    with pytest.raises(BadRecord, match=r"items.jsonl, line 2: not valid JSON: the line is cut short"):
        ingest_files(case, [f])


def test_parquet_keeps_typed_columns(case, tmp_path: Path) -> None:
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    t = pa.table({"platform": ["vk"], "item_id": ["1"], "kind": ["post"], "account_id": ["a"],
                  "created_at": pa.array([dt.datetime(2019, 2, 7, 4)], pa.timestamp("us")),
                  "like_count": pa.array([5], pa.int32()), "hashtags": [["a", "b"]]})
    pq.write_table(t, tmp_path / "items.parquet")
    ingest_files(case, [tmp_path / "items.parquet"])
    row = case.con.execute("SELECT created_at::VARCHAR, like_count, hashtags FROM items").fetchone()
    assert row == ("2019-02-07 04:00:00", 5, ["a", "b"])


def test_typed_parquet_values_out_of_range_name_the_row(case, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    good = {"platform": ["vk", "vk"], "item_id": ["1", "2"], "kind": ["post", "post"], "account_id": ["a", "b"]}
    pq.write_table(pa.table({**good, "created_at": [1549512000.0, 3.5e30]}), tmp_path / "items.parquet")
    with pytest.raises(BadRecord, match=r"items.parquet, row 2: created_at '3.5e\+30' is not a date"):
        ingest_files(case, [tmp_path / "items.parquet"])
    pq.write_table(pa.table({**good, "like_count": [1.0, 1e300]}), tmp_path / "items2.parquet")
    with pytest.raises(BadRecord, match="items2.parquet, row 2: like_count .* is not a whole number"):
        ingest_files(case, [tmp_path / "items2.parquet"])
    assert count(case, "items") == 0


def test_media_files_in_a_folder_are_left_to_their_exports(case, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    (folder / "photos").mkdir(parents=True)
    items_csv(folder, "vk,1,post,1,2019-02-07,x")
    (folder / "photos" / "photo_1.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    summary = ingest_files(case, [folder])
    assert summary.added == {"items": 1}
    assert summary.notes == ["1 media file(s) in the folders were left to the exports that refer to them."]


def test_json_lines_with_blank_lines_are_numbered_by_line(case, tmp_path: Path) -> None:
    good = '{"platform":"vk","item_id":"%d","kind":"post","account_id":"a","created_at":"2019-02-07"}\n'
    f = write(tmp_path / "items.jsonl", good % 1 + "\n\n" + good % 2 + good.replace("2019-02-07", "someday") % 3)
    with pytest.raises(BadRecord, match=r"items.jsonl, line 5: created_at 'someday' is not a date"):
        ingest_files(case, [f])


def test_json_lines_whose_types_change_midway_load_exactly(case, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TROLLSCAN_READ_BLOCK_BYTES", "4096")
    line = '{"platform":"vk","item_id":"%d","kind":"post","account_id":"a","like_count":%s}\n'
    f = write(tmp_path / "items.jsonl", "".join(line % (i, i if i < 500 else f'"{i}"') for i in range(1000)))
    summary = ingest_files(case, [f])
    assert summary.added == {"items": 1000}
    assert case.con.execute("SELECT sum(like_count) FROM items").fetchall()[0][0] == sum(range(1000))


def test_times_without_offset_can_be_read_in_a_local_time_zone(case, tmp_path: Path) -> None:
    f = items_csv(tmp_path, "web,1,comment,a,2020-10-07 09:12:44,x", "web,2,comment,a,2020-10-07T09:12:44+03:00,x",
                  "web,3,comment,a,1602040364,x")
    ingest_files(case, [f], timezone="Asia/Bishkek")
    times = dict(case.con.execute("SELECT item_id, created_at::VARCHAR FROM items").fetchall())
    assert times == {"1": "2020-10-07 03:12:44", "2": "2020-10-07 06:12:44", "3": "2020-10-07 03:12:44"}


def test_chunk_types_are_named_as_duckdb_names_them() -> None:
    import duckdb
    import pyarrow as pa

    from trollscan.store.load import _duckdb_types

    chunk = pa.table({
        "a": pa.array(["x"]), "b": pa.array([1]), "c": pa.array([1], pa.int32()), "d": pa.array([1.0]),
        "e": pa.array([True]), "f": pa.array([None]), "g": pa.array([0], pa.timestamp("us")),
        "h": pa.array([0], pa.timestamp("s")), "i": pa.array([0], pa.timestamp("ms")),
        "j": pa.array([0], pa.timestamp("ns")), "k": pa.array([0], pa.timestamp("us", tz="UTC")),
        "l": pa.array([0], pa.date32()), "m": pa.array([["a"]]), "n": pa.array(["x"], pa.large_string())})
    con = duckdb.connect()
    con.register("chunk", chunk)
    assert _duckdb_types(chunk.schema) == {r[0]: r[1] for r in con.execute("DESCRIBE chunk").fetchall()}
    assert _duckdb_types(pa.schema([("x", pa.decimal128(5, 2))])) is None  # DuckDB is asked instead
