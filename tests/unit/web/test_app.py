"""The local web app: escaping, CSP, host and token checks, CSRF, media containment, labels, paging."""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from trollscan.errors import BadParameter
from trollscan.store import open_case
from trollscan.store import report_data as rd
from trollscan.web import create_app, guard_for
from trollscan.web.app import account_url
from tests.unit.web.hostile import CLOSE, IMG, SCRIPT, SVG, build_hostile_case

BASE = "http://127.0.0.1:8765"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_hostile_case(tmp_path_factory.mktemp("hostile") / "case")


@pytest.fixture()
def hostile(built: Path, tmp_path: Path) -> Path:
    """A fresh copy of the hostile case for each test (tests write labels)."""
    return Path(shutil.copytree(built, tmp_path / "case"))


@pytest.fixture()
def client(hostile: Path) -> TestClient:
    return TestClient(create_app(hostile), base_url=BASE)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_every_page_is_escaped_and_sent_with_a_strict_csp(client: TestClient) -> None:
    urls = ["/", "/group/1", "/graph", "/accounts?q=%3Cscript%3E", "/accounts?flagged=true",
            account_url("facebook", "1001"), account_url("facebook", "1002"), account_url("facebook", CLOSE)]
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, url
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe" not in csp and "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        for payload in (SCRIPT, IMG, SVG, CLOSE):
            assert payload not in r.text, (url, payload)
        assert 'onerror="' not in r.text and "<script>" not in r.text
        assert re.findall(r"<script[^>]*>", r.text) in ([], ['<script type="application/json" id="network-data">',
                                                             '<script src="/static/network.js">'])


def test_hostile_profile_url_is_not_a_link(client: TestClient) -> None:
    r = client.get(account_url("facebook", "1001"))
    assert "Profile: <span class=\"text\">javascript:" in r.text  # shown as text
    assert not re.search(r"href=\"\s*javascript:", r.text, re.I)
    safe = client.get(account_url("facebook", "1002")).text
    assert 'href="https://example.org/madina" rel="noopener noreferrer nofollow"' in safe


def test_label_round_trip_is_saved_with_provenance(client: TestClient, hostile: Path) -> None:
    page = client.get(account_url("facebook", CLOSE))
    r = client.post("/label", data={"csrf": _csrf(page.text), "platform": "facebook", "account_id": CLOSE,
                                    "label": "doubtful", "note": SCRIPT}, follow_redirects=False)
    assert r.status_code == 303
    again = client.get(r.headers["location"])
    assert 'id="saved"' in again.text and "&lt;script&gt;window.__pwned" in again.text
    assert '<option value="doubtful" selected>' in again.text
    with open_case(hostile) as c:
        rows = c.con.execute("SELECT l.label, l.note, s.format FROM labels l JOIN sources s USING (source_id)").fetchall()
    assert rows == [("doubtful", SCRIPT, "app-label")]


@pytest.mark.parametrize("headers, token", [({}, None), ({}, "forged"), ({"origin": "http://evil.example"}, "good"),
                                            ({"sec-fetch-site": "cross-site"}, "good")])
def test_label_posts_from_elsewhere_are_refused(client: TestClient, hostile: Path, headers, token) -> None:
    page = client.get(account_url("facebook", "1001"))
    data = {"platform": "facebook", "account_id": "1001", "label": "real"}
    if token:
        data["csrf"] = _csrf(page.text) if token == "good" else "0" * 64
    r = client.post("/label", data=data, headers=headers, follow_redirects=False)
    assert r.status_code == 403 and "CSRF" in r.text
    with open_case(hostile) as c:
        assert c.con.execute("SELECT count(*) FROM labels").fetchall() == [(0,)]


def test_a_label_outside_the_list_or_for_no_account_is_an_error_page(client: TestClient) -> None:
    csrf = _csrf(client.get(account_url("facebook", "1001")).text)
    bad = client.post("/label", data={"csrf": csrf, "platform": "facebook", "account_id": "1001", "label": "bot"})
    assert bad.status_code == 400 and "must be one of fake, doubtful, real" in bad.text
    none = client.post("/label", data={"csrf": csrf, "platform": "facebook", "account_id": "nobody", "label": "fake"})
    assert none.status_code == 400 and "No account" in none.text


def test_unknown_host_header_is_refused(hostile: Path) -> None:
    assert TestClient(create_app(hostile), base_url="http://evil.example").get("/").status_code == 400
    assert TestClient(create_app(hostile), base_url="http://localhost:8765").get("/").status_code == 200


def test_any_bind_address_but_loopback_needs_a_token(hostile: Path) -> None:
    with pytest.raises(BadParameter, match="needs a token"):
        guard_for("0.0.0.0", None)
    with pytest.raises(BadParameter, match="16 characters"):
        guard_for("0.0.0.0", "short")
    guard = guard_for("10.1.2.3", "s" * 20)
    client = TestClient(create_app(hostile, guard=guard), base_url="http://10.1.2.3:8765")
    assert client.get("/").status_code == 401
    r = client.get("/?token=" + "s" * 20, follow_redirects=False)
    assert r.status_code == 303 and "httponly" in r.headers["set-cookie"].lower()
    assert client.get("/").status_code == 200  # the cookie now carries it
    fresh = TestClient(create_app(hostile, guard=guard), base_url="http://10.1.2.3:8765")
    assert fresh.get("/", headers={"authorization": "Bearer " + "s" * 20}).status_code == 200
    assert fresh.get("/?token=wrong-token-wrong-token").status_code == 401


def test_media_is_reencoded_and_cannot_leave_the_case(client: TestClient, hostile: Path) -> None:
    r = client.get("/media?platform=facebook&id=m-a")
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    assert r.content.startswith(b"\xff\xd8") and r.content != (hostile / "photos" / "a.jpg").read_bytes()
    for mid in ("m-up", "m-etc", "m-svg", "../../etc/passwd", "nothing"):
        assert client.get("/media", params={"platform": "facebook", "id": mid}).status_code == 404


def test_pages_are_paged(client: TestClient, monkeypatch) -> None:
    monkeypatch.setattr(rd, "PAGE_SIZE", 2)
    first = client.get("/accounts").text
    assert first.count("<tr><td><a href=\"/account?") == 2 and 'rel="next"' in first
    last = client.get("/accounts?page=3").text
    assert last.count("<tr><td><a href=\"/account?") == 2 and 'rel="next"' not in last
    assert client.get("/accounts?page=0").status_code == 400


def test_graph_degrades_to_groups_past_the_node_limit(hostile: Path) -> None:
    small = TestClient(create_app(hostile, max_graph_nodes=2), base_url=BASE).get("/graph").text
    assert "too many to draw one by one" in small and '"kind":"groups"' in small
    full = TestClient(create_app(hostile), base_url=BASE).get("/graph").text
    assert '"kind":"accounts"' in full


def test_errors_are_pages_without_internals(client: TestClient) -> None:
    for url, status in (("/group/999", 404), ("/group/x", 400), ("/account?platform=facebook&id=zz", 404),
                        ("/static/../../etc/passwd", 404)):
        r = client.get(url)
        assert r.status_code == status and "Traceback" not in r.text and r.headers["content-security-policy"]


def test_serve_command_refuses_a_public_address_without_a_token(hostile: Path) -> None:
    from typer.testing import CliRunner

    from trollscan.cli import app

    result = CliRunner().invoke(app, ["serve", "--case", str(hostile), "--host", "0.0.0.0"])
    assert result.exit_code == 1 and "needs a token" in " ".join(result.output.split())


def test_search_treats_wildcards_as_text(client: TestClient) -> None:
    assert client.get("/accounts?q=a_sulu").text.count("<tr><td><a href=\"/account?") == 0  # _ is not a wildcard
    assert client.get("/accounts?q=aisulu_").text.count("<tr><td><a href=\"/account?") == 1
    assert client.get("/accounts?q=%25").text.count("<tr><td><a href=\"/account?") == 0
    assert client.get("/accounts?q=aisulu").text.count("<tr><td><a href=\"/account?") == 1
