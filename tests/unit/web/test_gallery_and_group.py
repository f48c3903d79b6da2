"""The gallery photo beside a match (report card and app), the copy's original beside the copy,
the people and companies tied to an account, and the group page's profile computed for its group only."""

from __future__ import annotations

import io
import json
import os
import shutil
import warnings
from pathlib import Path

import pytest
from PIL import Image

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from trollscan.ingest import ingest_files
from trollscan.report.html import build_report, profile_lines
from trollscan.report.profiles import profile_case
from trollscan.scan import scan
from trollscan.simulate import simulate
from trollscan.store import init_case, open_case
from trollscan.store.report_reads import read_case_state, read_gallery_files
from trollscan.store.verdicts import add_watch, read_profile_inputs
from trollscan.web import create_app
from trollscan.web.app import account_url
from tests.unit.web.hostile import GALLERY_LABEL as LABEL, SCRIPT, add_photo_findings, build_hostile_case

BASE = "http://127.0.0.1:8765"


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (50, 40), colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = build_hostile_case(tmp_path_factory.mktemp("gallery") / "case")
    add_photo_findings(root)
    return root


@pytest.fixture()
def hostile(built: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built, tmp_path / "case"))


def _gallery_sha(root: Path) -> str:
    with open_case(root) as c:
        return c.con.execute("SELECT sha256 FROM gallery").fetchall()[0][0]


def test_report_card_shows_the_gallery_photo_beside_the_accounts_photo(built: Path) -> None:
    with open_case(built) as c:
        context = build_report(c)
    card = next(a for a in context["cards"] if a["account_id"] == "1001")
    finding = next(f for f in card["findings"] if f["detector"] == "photos.gallery")
    assert [(p["account_id"], p["kind"], p["gallery"] is not None) for p in finding["photos"]] == [
        ("1001", "avatar", False), (None, "gallery photo", True)]
    mine, theirs = finding["photos"]
    assert mine["uri"].startswith("data:image/jpeg;base64,") and theirs["uri"].startswith("data:image/jpeg;base64,")
    assert theirs["who"] == LABEL
    from trollscan.report.html import render_report

    html = render_report(context)
    assert 'class="gallery-photo"' in html and SCRIPT not in html  # the label is escaped


def test_a_same_photo_finding_about_the_copier_shows_the_original_beside_it(built: Path) -> None:
    with open_case(built) as c:
        context = build_report(c)
    card = next(a for a in context["cards"] if a["account_id"] == "1002")
    finding = next(f for f in card["findings"] if f["detector"] == "photos.same_photo")
    assert [(p["account_id"], p["media_id"]) for p in finding["photos"]] == [("1002", "m-b"), ("1001", "m-a")]
    assert finding["photos"][1]["who"] == "@aisulu_8080" and all(p["uri"] for p in finding["photos"])


def test_app_account_page_shows_the_gallery_photo_re_encoded_by_sha_only(hostile: Path) -> None:
    client = TestClient(create_app(hostile), base_url=BASE)
    sha = _gallery_sha(hostile)
    page = client.get(account_url("facebook", "1001")).text
    assert f'src="/gallery?sha={sha}"' in page and SCRIPT not in page
    picture = client.get(f"/gallery?sha={sha}")
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/jpeg"
    assert picture.content != _png((10, 160, 90)) and Image.open(io.BytesIO(picture.content)).format == "JPEG"
    assert client.get("/gallery?sha=" + "0" * 64).status_code == 404
    for bad in ("../../etc/passwd", sha.upper(), sha[:-1], "/etc/passwd" + "a" * 53):
        assert client.get("/gallery", params={"sha": bad}).status_code in (400, 422)
    copier = client.get(account_url("facebook", "1002")).text
    assert "/media?platform=facebook&amp;id=m-a" in copier and "/media?platform=facebook&amp;id=m-b" in copier


def test_a_gallery_file_changed_or_replaced_by_a_link_is_not_shown(hostile: Path, tmp_path: Path) -> None:
    sha = _gallery_sha(hostile)
    with open_case(hostile) as c:
        path = Path(c.con.execute("SELECT path FROM gallery").fetchall()[0][0])
        assert set(read_gallery_files(c, [sha])) == {sha}
        saved = path.read_bytes()
        path.write_bytes(_png((1, 2, 3)))  # changed since gallery add
        assert read_gallery_files(c, [sha]) == {}
        secret = tmp_path / "secret.png"
        secret.write_bytes(saved)
        path.unlink()
        os.symlink(secret, path)  # same bytes, but through a link
        assert read_gallery_files(c, [sha]) == {}
        path.unlink()
        path.write_bytes(saved)


def test_account_page_lists_the_recorded_people_and_companies(hostile: Path, tmp_path: Path) -> None:
    from trollscan.ingest.entities_sheet import add_entities_sheets

    (tmp_path / "e.csv").write_text(f"id,type,name,note\nsmm,company,SMM {SCRIPT},\nirina,person,Irina,\n",
                                    encoding="utf-8")
    (tmp_path / "l.csv").write_text("from,relation,to,note,source url\nsmm,operates,group 1,named by a former employee,"
                                    "https://example.org/story\nirina,photo owner,facebook:1001,,\n", encoding="utf-8")
    with open_case(hostile) as c:
        add_entities_sheets(c, [tmp_path / "e.csv", tmp_path / "l.csv"])
    page = TestClient(create_app(hostile), base_url=BASE).get(account_url("facebook", "1001")).text
    ties = page[page.index('id="ties"'):page.index("<h3>Findings</h3>")]
    assert "Irina" in ties and "real owner of the photo used by" in ties
    assert "through the group this account is in" in ties and 'href="https://example.org/story"' in ties
    assert SCRIPT not in page and "&lt;script&gt;" in ties


@pytest.fixture(scope="module")
def simulated(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("groups") / "case"
    simulate(root / "sim", preset="nurbots", seed=4, scale=0.03, images=False)
    with init_case(root, tz="Asia/Almaty") as case:
        ingest_files(case, [root / "sim" / "input"])
        scan(case)
        page = case.con.execute("SELECT coalesce(target_id, parent_account_id) FROM items WHERE kind = 'comment' "
                                "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchall()[0][0]
        add_watch(case, page, platform="facebook", note="the page they serve")
    return root


def test_one_groups_profile_equals_its_profile_in_the_whole_case(simulated: Path) -> None:
    with open_case(simulated) as c:
        whole = {p["group_id"]: p for p in profile_case(read_profile_inputs(c))["groups"]}
        assert len(whole) >= 2
        for gid, expected in whole.items():
            alone = profile_case(read_profile_inputs(c, group_id=gid))["groups"]
            assert alone == [expected]
        assert profile_case(read_profile_inputs(c, group_id=10**6))["groups"] == []


def test_group_page_shows_the_profile_and_recomputes_it_when_the_case_changes(simulated: Path, tmp_path: Path) -> None:
    root = Path(shutil.copytree(simulated, tmp_path / "case"))
    with open_case(root) as c:
        gid = c.con.execute("SELECT group_id FROM groups ORDER BY size DESC, group_id LIMIT 1").fetchall()[0][0]
        expected = profile_lines(profile_case(read_profile_inputs(c, group_id=gid))["groups"][0])
        before = read_case_state(c)
    client = TestClient(create_app(root), base_url=BASE)
    page = client.get(f"/group/{gid}").text
    assert all(line.split(" (")[0].replace("'", "&#39;") in page for line in expected[:2])
    assert "(Asia/Almaty)" in page  # the working hours, in the case's time zone
    with open_case(root) as c:
        c.con.execute("UPDATE meta SET value = 'UTC' WHERE key = 'timezone'")
        assert read_case_state(c) != before
    after = client.get(f"/group/{gid}").text
    assert "(UTC)" in after and "(Asia/Almaty)" not in after
