"""An account named by its handle in one export and by its id in another is one account."""

from pathlib import Path

import pytest

from trollscan.ingest import ingest_files

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
CROWDTANGLE = GOLDEN / "crowdtangle_instagram" / "input" / "2019-02-10-instagram-list-aktiv.csv"
INSTALOADER = GOLDEN / "instaloader" / "input" / "aisulu_8080"
AISULU = "51234567890"  # her numeric id, in Instaloader's profile file name


def _accounts(case, handle: str) -> list[tuple]:
    return case.con.execute("SELECT account_id FROM accounts WHERE platform = 'instagram' AND "
                            "lower(handle) = ? ORDER BY 1", [handle]).fetchall()


def _authors(case) -> set[str]:
    return {r[0] for r in case.con.execute(
        "SELECT DISTINCT account_id FROM items WHERE platform = 'instagram'").fetchall()}


@pytest.mark.parametrize("order", ["handle first", "id first"])
def test_a_crowdtangle_handle_and_an_instaloader_id_are_one_account(case, order: str) -> None:
    loads = [[CROWDTANGLE], [INSTALOADER]]
    summaries = [ingest_files(case, paths) for paths in (loads if order == "handle first" else loads[::-1])]
    assert _accounts(case, "aisulu_8080") == [(AISULU,)]
    assert "aisulu_8080" not in _authors(case) and AISULU in _authors(case)
    assert any("joined to their ids" in n for n in summaries[1].notes)
    assert case.con.execute("SELECT platform, alias, account_id FROM account_aliases").fetchall() == [
        ("instagram", "aisulu_8080", AISULU)]
    # the account kept what each export knew: CrowdTangle's display name, Instaloader's creation date
    name, followers = case.con.execute(
        "SELECT name, followers_count FROM accounts WHERE account_id = ?", [AISULU]).fetchall()[0]
    assert name and followers is not None
    # the other CrowdTangle account, never seen with an id, keeps its handle as its id
    assert _accounts(case, "madina_8181") == [("madina_8181",)]


def test_a_later_export_naming_the_handle_lands_on_the_id(case, tmp_path: Path) -> None:
    ingest_files(case, [INSTALOADER])
    labels = tmp_path / "labels.csv"
    labels.write_text("platform,account_id,label,note\ninstagram,aisulu_8080,fake,stolen photo\n")
    ingest_files(case, [CROWDTANGLE, labels])
    assert case.con.execute("SELECT account_id FROM labels").fetchall() == [(AISULU,)]
    before = case.con.execute("SELECT count(*) FROM items").fetchall()
    ingest_files(case, [CROWDTANGLE])  # the same bytes again add nothing
    assert case.con.execute("SELECT count(*) FROM items").fetchall() == before


def test_a_handle_two_accounts_held_stays_apart_and_the_load_says_so(case, tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("platform,account_id,handle\ninstagram,111,kz_patriot\n")
    snapshots = tmp_path / "snapshots.csv"  # the handle was recycled: 222 held it before 111
    snapshots.write_text("platform,account_id,seen_at,status,handle\n"
                         "instagram,222,2019-01-01,renamed,kz_patriot\n")
    ingest_files(case, [accounts, snapshots])
    items = tmp_path / "items.csv"
    items.write_text("platform,item_id,kind,account_id,created_at,text\n"
                     "instagram,p1,post,kz_patriot,2019-02-07T10:00:00,Слава!\n")
    handles = tmp_path / "handles.csv"
    handles.write_text("platform,account_id,handle\ninstagram,kz_patriot,kz_patriot\n")
    summary = ingest_files(case, [items, handles])
    assert case.con.execute("SELECT account_id FROM items").fetchall() == [("kz_patriot",)]
    assert any("'kz_patriot' was held by 2 accounts (111, 222)" in n for n in summary.notes)
    assert case.con.execute("SELECT count(*) FROM account_aliases").fetchall() == [(0,)]
