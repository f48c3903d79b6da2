from pathlib import Path

import pytest

from trollscan.errors import CaseExists, NotACase, StoreVersionMismatch, BadParameter
from trollscan.store import SCHEMA_VERSION, init_case, open_case
from trollscan.store.schema import TABLES


def test_init_creates_every_canonical_table_at_the_current_schema(tmp_path: Path) -> None:
    with init_case(tmp_path / "c", tz="Asia/Almaty") as case:
        tables = {r[0] for r in case.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert set(TABLES) | {"meta", "sources"} <= tables
        assert case.meta("schema_version") == str(SCHEMA_VERSION)
        assert case.meta("timezone") == "Asia/Almaty"


def test_init_makes_a_private_hash_key(tmp_path: Path) -> None:
    with init_case(tmp_path / "c") as case:
        assert len(case.hash_key) == 32
        assert (tmp_path / "c" / ".secret" / "hash.key").stat().st_mode & 0o077 == 0


def test_init_refuses_a_folder_that_holds_a_case(tmp_path: Path) -> None:
    init_case(tmp_path / "c").close()
    with pytest.raises(CaseExists, match="already holds a case"):
        init_case(tmp_path / "c")


def test_init_refuses_an_unknown_time_zone(tmp_path: Path) -> None:
    with pytest.raises(BadParameter, match="'Asia/Nowhere' is not known"):
        init_case(tmp_path / "c", tz="Asia/Nowhere")


def test_open_names_the_folder_without_a_case(tmp_path: Path) -> None:
    with pytest.raises(NotACase) as info:
        open_case(tmp_path)
    assert f"{tmp_path} holds no trollscan case" in info.value.message
    assert "trollscan init" in info.value.hint


def test_open_finds_the_case_in_a_parent_folder(tmp_path: Path, monkeypatch) -> None:
    init_case(tmp_path / "c").close()
    (tmp_path / "c" / "exports").mkdir()
    monkeypatch.chdir(tmp_path / "c" / "exports")
    with open_case() as case:
        assert case.root.resolve() == (tmp_path / "c").resolve()


def test_open_refuses_a_case_from_a_newer_trollscan(tmp_path: Path) -> None:
    with init_case(tmp_path / "c") as case:
        case.con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreVersionMismatch) as info:
        open_case(tmp_path / "c")
    assert "newer trollscan (case schema 99" in info.value.message
    assert "pip install -U trollscan" in info.value.hint


def test_open_says_what_to_do_with_an_unmigratable_old_case(tmp_path: Path) -> None:
    with init_case(tmp_path / "c") as case:
        case.con.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    with pytest.raises(StoreVersionMismatch) as info:
        open_case(tmp_path / "c")
    assert "cannot be migrated" in info.value.message
    assert "trollscan status --sources" in info.value.hint


def test_a_schema_1_case_is_migrated_keeping_its_data(tmp_path: Path) -> None:
    from trollscan.ingest import ingest_files

    with init_case(tmp_path / "c") as case:  # make it exactly as schema 1 wrote it
        for table in ("runs", "evidence", "edges", "groups", "group_members", "images", "image_hashes",
                      "gallery", "watchlist", "text_families", "verdicts"):
            case.con.execute(f"DROP TABLE {table}")
        case.con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        f = tmp_path / "accounts.csv"
        f.write_text("platform,account_id\nvk,1\n")
        ingest_files(case, [f])
    with open_case(tmp_path / "c") as case:
        assert case.meta("schema_version") == str(SCHEMA_VERSION)
        assert case.con.execute("SELECT count(*) FROM accounts").fetchall() == [(1,)]
        assert case.con.execute("SELECT count(*) FROM edges").fetchall() == [(0,)]
        assert case.con.execute("SELECT count(*) FROM verdicts").fetchall() == [(0,)]
