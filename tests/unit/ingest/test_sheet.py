import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from trollscan.errors import BadFile, BadRecord, MissingColumns, TooLarge
from trollscan.ingest import detect, ingest_files, sheet
from trollscan.ingest.source import Source

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
HEADER = "profile url,name,label,notes,status,checked\n"


def _csv(tmp_path: Path, body: str, header: str = HEADER, name: str = "fakes.csv") -> Path:
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def _xlsx(tmp_path: Path, rows: list[list], name: str = "fakes.xlsx") -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def _rows(case, sql: str) -> list[tuple]:
    return case.con.execute(sql).fetchall()


def test_csv_with_a_profile_url_column_is_a_sheet(tmp_path) -> None:
    assert detect(Source(_csv(tmp_path, "facebook.com/a,A,fake,,,\n"))).name == "sheet-csv"


def test_russian_csv_with_a_title_row_is_a_sheet() -> None:
    path = GOLDEN / "sheet_csv_ru" / "input" / "фейки_нуротан_2019.csv"
    assert detect(Source(path)).name == "sheet-csv"


def test_xlsx_is_a_sheet(tmp_path) -> None:
    assert detect(Source(_xlsx(tmp_path, [["Profile"], ["vk.com/id1"]]))).name == "sheet-xlsx"


def test_canonical_accounts_csv_is_not_taken_for_a_sheet(tmp_path) -> None:
    path = _csv(tmp_path, "facebook,1,a,https://facebook.com/a\n", "platform,account_id,handle,url\n",
                name="accounts.csv")
    assert detect(Source(path)).name == "canonical-csv"


def test_csv_with_a_url_column_of_other_links_is_not_a_sheet(tmp_path) -> None:
    path = _csv(tmp_path, "https://example.kz/a,Title\n", "url,title\n", name="links.csv")
    assert not sheet.SHEET_CSV.sniff(Source(path))


def test_row_gives_account_label_and_snapshot(case, tmp_path) -> None:
    ingest_files(case, [_csv(tmp_path, "https://www.facebook.com/profile.php?id=100026517734481,Камшат У.,фейк,"
                                       "Фото украдено,удален,2019-03-20\n")])
    assert _rows(case, "SELECT platform, account_id, handle, name, url, source_record FROM accounts") == [
        ("facebook", "100026517734481", None, "Камшат У.", "https://www.facebook.com/profile.php?id=100026517734481",
         2)]
    assert _rows(case, "SELECT account_id, label, note, author, labeled_at FROM labels") == [
        ("100026517734481", "fake", "Фото украдено", "fakes.csv", None)]
    assert _rows(case, "SELECT account_id, status, CAST(seen_at AS VARCHAR) FROM snapshots") == [
        ("100026517734481", "removed", "2019-03-20 00:00:00")]


def test_header_is_found_below_title_rows(case, tmp_path) -> None:
    path = _csv(tmp_path, HEADER + "vk.com/id5,A,,,,\n", "База фейков, 2019\n\n")
    summary = ingest_files(case, [path])
    assert _rows(case, "SELECT account_id, source_record FROM accounts") == [("5", 4)]
    assert summary.files[0].skipped == {"title row above the header": 2}


def test_header_below_the_first_ten_rows_is_not_found(case, tmp_path) -> None:
    path = _csv(tmp_path, HEADER + "vk.com/id5,A,,,,\n", "title\n" * 10)
    with pytest.raises(MissingColumns, match=r"fakes\.csv: no column with the profile URL in the first 10 rows"):
        ingest_files(case, [path], format="sheet-csv")


def test_empty_rows_are_skipped_and_counted(case, tmp_path) -> None:
    summary = ingest_files(case, [_csv(tmp_path, "vk.com/id1,A,,,,\n,,,,,\n\nvk.com/id2,B,,,,\n")])
    assert _rows(case, "SELECT account_id, source_record FROM accounts ORDER BY 2") == [("1", 2), ("2", 5)]
    assert summary.files[0].skipped == {"empty row": 2}


def test_semicolon_csv_with_russian_columns(case, tmp_path) -> None:
    header = "Ссылка на профиль;Имя;Платформа;Источник фото;Метка;Примечание;Автор\n"
    ingest_files(case, [_csv(tmp_path, "instagram.com/aisulu_8080;Айсулу;Инстаграм;VK: другая девушка;"
                                       "сомнительный;Мало постов;В. Ли\n", header)])
    assert _rows(case, "SELECT platform, account_id, handle, name, extra FROM accounts") == [
        ("instagram", "aisulu_8080", "aisulu_8080", "Айсулу", '{"photo_source":"VK: другая девушка"}')]
    assert _rows(case, "SELECT label, note, author FROM labels") == [("doubtful", "Мало постов", "В. Ли")]


@pytest.mark.parametrize("written, label", [("confirmed", "fake"), ("Фейк", "fake"), ("настоящий", "real"),
                                            ("реальный", "real"), ("doubtful", "doubtful")])
def test_label_words_map_to_labels(written, label, case, tmp_path) -> None:
    ingest_files(case, [_csv(tmp_path, f"vk.com/id1,A,{written},,,\n")])
    assert _rows(case, "SELECT label FROM labels") == [(label,)]


def test_unknown_label_names_the_row(case, tmp_path) -> None:
    with pytest.raises(BadRecord, match=r"fakes\.csv, row 3: label 'может быть' is not fake, doubtful or real"):
        ingest_files(case, [_csv(tmp_path, "vk.com/id1,A,fake,,,\nvk.com/id2,B,может быть,,,\n")])


def test_unknown_url_names_the_row_and_the_url(case, tmp_path) -> None:
    with pytest.raises(BadRecord, match=r"fakes\.csv, row 3: 'https://example\.kz/news/1' is not a profile URL") as e:
        ingest_files(case, [_csv(tmp_path, "vk.com/id1,A,,,,\nhttps://example.kz/news/1,B,,,,\n")])
    assert "facebook.com/profile.php?id=" in e.value.hint


def test_row_without_url_names_the_row(case, tmp_path) -> None:
    with pytest.raises(BadRecord, match=r"fakes\.csv, row 2: the profile URL is empty"):
        ingest_files(case, [_csv(tmp_path, ",A,fake,,,\n")])


def test_status_without_a_checked_date_is_an_error(case, tmp_path) -> None:
    with pytest.raises(BadRecord, match=r"row 2: status 'удален' has no date it was checked") as e:
        ingest_files(case, [_csv(tmp_path, "vk.com/id1,A,,,удален,\n")])
    assert "дата проверки" in e.value.hint


def test_unknown_status_names_the_row(case, tmp_path) -> None:
    with pytest.raises(BadRecord, match=r"row 2: status 'gone fishing' is not one of active, removed"):
        ingest_files(case, [_csv(tmp_path, "vk.com/id1,A,,,gone fishing,2020-01-01\n")])


def test_platform_column_contradicting_the_url_is_an_error(case, tmp_path) -> None:
    path = _csv(tmp_path, "vk.com/id1,VK\nfacebook.com/a,vk\n", "profile,platform\n")
    with pytest.raises(BadRecord, match=r"row 3: platform 'vk' does not match the URL 'facebook\.com/a' \(facebook\)"):
        ingest_files(case, [path])


def test_dates_need_a_format_when_not_iso(case, tmp_path) -> None:
    path = _csv(tmp_path, "vk.com/id1,12.08.2018\n", "profile,дата создания\n")
    with pytest.raises(BadRecord, match=r"row 2: created_at '12\.08\.2018' is not a date"):
        ingest_files(case, [path])


def test_date_format_reads_russian_dates(case, tmp_path) -> None:
    ingest_files(case, [_csv(tmp_path, "vk.com/id1,12.08.2018\n", "profile,дата создания\n")], date_format="%d.%m.%Y")
    assert _rows(case, "SELECT CAST(created_at AS VARCHAR) FROM accounts") == [("2018-08-12 00:00:00",)]


def test_other_columns_are_kept_in_extra(case, tmp_path) -> None:
    ingest_files(case, [_csv(tmp_path, "1,vk.com/id1,Шымкент\n", "№,profile,город\n")])
    assert json.loads(_rows(case, "SELECT extra FROM accounts")[0][0]) == {"№": "1", "город": "Шымкент"}


def test_reingesting_the_same_accounts_adds_nothing(case, tmp_path) -> None:
    ingest_files(case, [_csv(tmp_path, "vk.com/id1,A,fake,x,active,2020-01-01\nvk.com/id2,B,,,,\n")])
    (tmp_path / "copy").mkdir()  # the same name (the default label author), other bytes
    again = _csv(tmp_path / "copy", "https://vk.com/id2/,B,,,,\nhttps://vk.com/id1,A,fake,x,active,2020-01-01\n")
    summary = ingest_files(case, [again])
    assert sum(summary.added.values()) == 0


def test_xlsx_rows_are_numbered_as_excel_shows_them(case, tmp_path) -> None:
    path = _xlsx(tmp_path, [["Fake accounts"], [], ["Profile", "Name", "Created", "Label", "Status", "Checked"],
                            ["https://vk.com/id1", "Асель", dt.datetime(2020, 9, 28), "confirmed", "removed",
                             dt.datetime(2020, 10, 20, 15, 30)],
                            [None, None], ["ok.ru/profile/77", "Бакыт", None, None, None, None]])
    summary = ingest_files(case, [path])
    assert _rows(case, "SELECT account_id, CAST(created_at AS VARCHAR), source_record FROM accounts ORDER BY 3") == [
        ("1", "2020-09-28 00:00:00", 4), ("77", None, 6)]
    assert _rows(case, "SELECT label FROM labels") == [("fake",)]
    assert _rows(case, "SELECT CAST(seen_at AS VARCHAR) FROM snapshots") == [("2020-10-20 15:30:00",)]
    assert summary.files[0].skipped == {"title row above the header": 2, "empty row": 1}


def test_xlsx_other_sheets_are_named_in_a_note(case, tmp_path) -> None:
    book = Workbook()
    book.active.append(["Profile"])
    book.active.append(["vk.com/id1"])
    book.create_sheet("Ссылки").append(["x"])
    book.save(tmp_path / "two.xlsx")
    summary = ingest_files(case, [tmp_path / "two.xlsx"])
    assert any("'Ссылки'" in note for note in summary.files[0].notes)


def test_xlsx_without_a_url_column_is_reported(case, tmp_path) -> None:
    with pytest.raises(MissingColumns, match=r"fakes\.xlsx: no column with the profile URL"):
        ingest_files(case, [_xlsx(tmp_path, [["Name", "Label"], ["A", "fake"]])])


def test_file_that_is_not_xlsx_is_a_bad_file(case, tmp_path) -> None:
    path = tmp_path / "fakes.xlsx"
    path.write_text("profile url\nvk.com/id1\n")
    with pytest.raises(BadFile, match=r"fakes\.xlsx: not an XLSX workbook, or a damaged one"):
        ingest_files(case, [path])


def test_truncated_xlsx_is_a_bad_file(case, tmp_path) -> None:
    path = _xlsx(tmp_path, [["Profile"], ["vk.com/id1"]])
    path.write_bytes(path.read_bytes()[:-200])
    with pytest.raises(BadFile, match=r"fakes\.xlsx: not an XLSX workbook, or a damaged one"):
        ingest_files(case, [path])


def test_zip_without_a_workbook_is_a_bad_file(case, tmp_path) -> None:
    path = tmp_path / "fakes.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(BadFile, match=r"fakes\.xlsx: not a readable XLSX workbook"):
        ingest_files(case, [path])


def test_xlsx_decompression_bomb_is_refused_before_reading(case, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TROLLSCAN_MAX_EXPAND_FLOOR_BYTES", "100000")
    path = _xlsx(tmp_path, [["Profile"], ["vk.com/id1"]])
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", b"\0" * 5_000_000)
    with pytest.raises(TooLarge, match=r"fakes\.xlsx: the workbook expands to 5,0\d\d,\d\d\d bytes"):
        ingest_files(case, [path])


def test_public_names_are_listed_in_all() -> None:
    for name in sheet.__all__:
        assert hasattr(sheet, name)
    assert (sheet.SHEET_CSV.name, sheet.SHEET_XLSX.name) == ("sheet-csv", "sheet-xlsx")
