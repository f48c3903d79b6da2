"""The report and the web app in a real headless browser (Debian's chromium, driven by Playwright).

A simulated nurbots case (the demo's preset, at a smaller scale so the tests stay fast) walks
through the analyst's path: open the case, open a group, read an account, set a label, reload.
The hostile case checks that no script hidden in names, bios, comments or ids ever runs: each
payload would set `window.__pwned` or change the title.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from trollscan.web import serving

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                "(apt-get install -y chromium; .ci/run installs it)")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def nurbots(tmp_path_factory) -> Path:
    from trollscan.ingest import ingest_files
    from trollscan.scan import scan
    from trollscan.simulate import simulate
    from trollscan.store import init_case

    root = tmp_path_factory.mktemp("nurbots") / "case"
    simulate(root / "simulated", preset="nurbots", seed=1, scale=0.05, images=False)
    with init_case(root, name="demo (simulated nurbots)", tz="Asia/Almaty") as case:
        ingest_files(case, [root / "simulated" / "input"])
        scan(case)
    return root


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    from tests.unit.web.hostile import build_hostile_case

    return build_hostile_case(tmp_path_factory.mktemp("hostile") / "case")


@pytest.fixture(scope="module")
def nurbots_app(nurbots: Path) -> Iterator[str]:
    with serving(nurbots) as url:
        yield url


@pytest.fixture(scope="module")
def hostile_app(hostile: Path) -> Iterator[str]:
    with serving(hostile) as url:
        yield url


def _page(browser, events: list):
    page = browser.new_page()
    page.on("dialog", lambda d: (events.append(("dialog", d.message)), d.dismiss()))
    page.on("pageerror", lambda e: events.append(("pageerror", str(e))))
    page.on("console", lambda m: events.append(("console", m.text)) if m.type == "error" else None)
    return page


def _ran_nothing(page) -> None:
    """Every payload sets window.__pwned or makes the title exactly PWNED."""
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.title() != "PWNED" and page.title().startswith("trollscan")


def test_analyst_opens_group_reads_account_sets_label_and_it_is_kept(browser, nurbots_app: str) -> None:
    events: list = []
    page = _page(browser, events)
    page.goto(nurbots_app + "/")
    page.locator("a[href^='/group/']").first.click()
    page.wait_for_selector("#group-title")
    assert "Group 1:" in page.locator("#group-title").inner_text()
    assert int(page.locator("canvas#network").get_attribute("data-drawn")) >= 3
    page.locator("table.accounts a[href^='/account?']").first.click()
    page.wait_for_selector("#account-title")
    account = page.locator("#account-id").inner_text()
    assert page.locator(".finding").count() >= 1
    page.select_option("select[name=label]", "doubtful")
    page.fill("input[name=note]", "same photo as a stock site")
    page.click("#save-label")
    page.wait_for_selector("#saved")
    page.reload()
    assert page.locator("#account-id").inner_text() == account
    row = page.locator("tr.label-row").first.inner_text()
    assert "doubtful" in row and "same photo as a stock site" in row
    assert page.locator("select[name=label]").input_value() == "doubtful"
    assert not [e for e in events if e[0] != "console"], events


def test_report_works_offline_and_draws_the_network(browser, nurbots: Path, tmp_path: Path) -> None:
    from trollscan.report.html import write_report
    from trollscan.store import open_case

    with open_case(nurbots) as c:
        write_report(c, tmp_path / "report.html")
    events, requests = [], []
    page = _page(browser, events)
    page.on("request", lambda r: requests.append(r.url))
    page.goto((tmp_path / "report.html").as_uri())
    assert int(page.locator("canvas#network").get_attribute("data-drawn")) >= 3
    assert page.locator("article.group").count() >= 1 and page.locator("article.card").count() >= 1
    page.fill("input[data-filter]", "zzzz-no-such-account")
    assert page.locator("#account-table tbody tr:visible").count() == 0
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    assert not events, events  # no CSP violation, no script error


def test_hostile_report_runs_none_of_its_payloads(browser, hostile: Path, tmp_path: Path) -> None:
    from trollscan.report.html import write_report
    from trollscan.store import open_case

    with open_case(hostile) as c:
        write_report(c, tmp_path / "report.html")
    events: list = []
    page = _page(browser, events)
    page.goto((tmp_path / "report.html").as_uri())
    canvas = page.locator("canvas#network")
    box = canvas.bounding_box()
    for dx in range(20, int(box["width"]), 60):  # hover and click over the picture: names show as text only
        page.mouse.move(box["x"] + dx, box["y"] + box["height"] / 2)
        page.mouse.click(box["x"] + dx, box["y"] + box["height"] / 2)
    page.hover("text=reason")
    _ran_nothing(page)
    assert "window.__pwned = 'script'" in page.locator("body").inner_text()  # shown, as text
    assert not events, events


def test_hostile_app_runs_none_of_its_payloads(browser, hostile_app: str) -> None:
    from urllib.parse import quote

    from tests.unit.web.hostile import CLOSE

    events: list = []
    page = _page(browser, events)
    for path in ["/", "/group/1", "/graph", "/accounts?q=" + quote("<script>"), "/accounts?flagged=true",
                 "/account?platform=facebook&id=1001", "/account?platform=facebook&id=1002",
                 "/account?platform=facebook&id=" + quote(CLOSE, safe="")]:
        page.goto(hostile_app + path)
        _ran_nothing(page)
    page.select_option("select[name=label]", "fake")
    page.fill("input[name=note]", "<img src=x onerror=\"window.__pwned='note'\">")
    page.click("#save-label")
    page.wait_for_selector("#saved")
    _ran_nothing(page)
    assert "window.__pwned='note'" in page.locator("tr.label-row").first.inner_text()
    assert not [e for e in events if e[0] != "console" or "404" not in e[1]], events


@pytest.fixture(scope="module")
def matched(tmp_path_factory) -> Path:
    from tests.unit.web.hostile import add_photo_findings, build_hostile_case

    root = build_hostile_case(tmp_path_factory.mktemp("matched") / "case")
    add_photo_findings(root)
    return root


def _pictures(scope) -> list[tuple[str, int]]:
    """Each picture in `scope` with its decoded width (0 when it did not load)."""
    return scope.locator("img").evaluate_all("els => els.map(e => [e.alt, e.naturalWidth])")


def test_gallery_match_shows_both_photos_side_by_side_in_app_and_report(browser, matched: Path,
                                                                        tmp_path: Path) -> None:
    from trollscan.report.html import write_report
    from trollscan.store import open_case

    events: list = []
    page = _page(browser, events)
    with serving(matched) as url:
        page.goto(url + "/account?platform=facebook&id=1001")
        finding = page.locator(".finding", has=page.locator("figure.gallery-photo"))
        assert [alt for alt, width in _pictures(finding) if width > 0] == ["photo", "gallery photo"]
        boxes = [f.bounding_box() for f in finding.locator("figure").all()]
        assert abs(boxes[0]["y"] - boxes[1]["y"]) < 2 and boxes[1]["x"] > boxes[0]["x"]  # side by side
        assert "gallery: real owner: Irina <script>" in finding.locator("figure.gallery-photo").inner_text()
        page.goto(url + "/account?platform=facebook&id=1002")  # the copy beside its original
        copy = page.locator(".finding", has_text="cropped copy")
        assert [width > 0 for _alt, width in _pictures(copy)] == [True, True]
        _ran_nothing(page)
    with open_case(matched) as c:
        write_report(c, tmp_path / "report.html")
    page.goto((tmp_path / "report.html").as_uri())
    figure = page.locator("figure.gallery-photo").first
    assert figure.locator("img").evaluate("e => e.naturalWidth") > 0
    assert "real owner: Irina <script>" in figure.inner_text()
    _ran_nothing(page)
    assert not [e for e in events if e[0] != "console" or "404" not in e[1]], events


def test_names_praised_and_attacked_show_as_text_and_run_nothing(browser, tmp_path_factory, tmp_path: Path) -> None:
    from tests.unit.report.test_named import NAMED, add_named_comments
    from tests.unit.web.hostile import build_hostile_case
    from trollscan.report.html import write_report
    from trollscan.store import open_case

    root = build_hostile_case(tmp_path_factory.mktemp("named") / "case")
    add_named_comments(root)  # group 1 attacks a recorded person whose name holds a script
    with open_case(root) as c:
        write_report(c, tmp_path / "report.html")
    events: list = []
    page = _page(browser, events)
    page.goto((tmp_path / "report.html").as_uri())
    assert f"Attacked by name: {NAMED}:" in page.locator("#group-1").inner_text()
    _ran_nothing(page)
    with serving(root) as url:
        page.goto(url + "/group/1")
        assert f"Attacked by name: {NAMED}:" in page.locator("ul.profile").inner_text()
        _ran_nothing(page)
    assert not [e for e in events if e[0] != "console" or "404" not in e[1]], events
