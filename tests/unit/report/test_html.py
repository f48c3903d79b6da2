"""The HTML report: self-contained, escaped, CSP-locked, and honest about what is missing."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html import unescape
from pathlib import Path

import pytest

from trollscan.errors import BadParameter
from trollscan.report.charts import bar_chart
from trollscan.report.html import json_for_script, render_report, build_report, safe_url, write_report
from trollscan.report.images import thumbnail_jpeg
from trollscan.report.network import layout_network
from trollscan.store import open_case
from trollscan.store.report_data import read_media_files
from tests.unit.web.hostile import CLOSE, PAYLOADS, SCRIPT, build_hostile_case


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    return build_hostile_case(tmp_path_factory.mktemp("hostile") / "case")


@pytest.fixture(scope="module")
def html(hostile, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("out") / "report.html"
    with open_case(hostile) as c:
        write_report(c, out)
    return out.read_text(encoding="utf-8")


def test_report_has_no_raw_payload(html: str) -> None:
    for payload in PAYLOADS[:-1]:
        assert payload not in html
    assert 'onerror="' not in html and "onload=\"" not in html
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == ['<script type="application/json" id="network-data">', "<script>"]
    assert "&lt;script&gt;window.__pwned" in html


def test_report_links_nothing_outside_and_runs_no_javascript_urls(html: str) -> None:
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//|javascript:)""", html, re.I)
    assert not re.search(r"<(link|iframe|object|embed|base)\b", html, re.I)


def test_csp_allows_only_the_reports_own_inline_script_and_style(html: str) -> None:
    csp = unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1))
    assert "unsafe-inline" not in csp and "default-src 'none'" in csp
    script = html.rsplit("<script>", 1)[1].split("</script>", 1)[0]
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    for text, kind in ((script, "script-src"), (style, "style-src")):
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"{kind} 'sha256-{digest}'" in csp


def test_embedded_json_cannot_close_its_script_block() -> None:
    value = {"name": CLOSE + "\u2028\u2029&"}
    text = str(json_for_script(value))
    assert not re.search("[<>&\u2028\u2029]", text)
    assert json.loads(text) == value


def test_network_data_round_trips_hostile_names(html: str) -> None:
    block = html.split('id="network-data">', 1)[1].split("</script>", 1)[0]
    data = json.loads(block)
    assert any(SCRIPT in name for name in data["names"]) or any(CLOSE in n[5] for n in data["nodes"])
    assert all(link is None or link.startswith("#") for link in data["links"])


def test_photo_findings_are_shown_side_by_side_as_inline_thumbnails(html: str) -> None:
    card = html.split("photos.reused_avatar", 1)[1].split('class="finding"', 1)[0]
    assert card.count('src="data:image/jpeg;base64,') == 2


def test_copied_text_families_show_their_texts(html: str) -> None:
    finding = html.split("text.same_text", 1)[1].split('class="finding"', 1)[0]
    assert "similar text" in finding and "&lt;img src=x" in finding


def test_verdict_reasons_and_no_verdict_notice(html: str, case, tmp_path) -> None:
    assert "reason &lt;img" in html and "verdict: fake" in html
    write_report(case, tmp_path / "empty.html")
    empty = (tmp_path / "empty.html").read_text(encoding="utf-8")
    assert "No verdicts yet: run trollscan scan" in empty and "No operator groups in the case" in empty


def test_safe_url_only_lets_http_through() -> None:
    assert safe_url("https://example.org/a") == "https://example.org/a"
    for bad in ("javascript:alert(1)", " javascript:x", "JaVaScRiPt:x", "data:text/html,x", "//evil.org", "/local",
                "http://", None, "https://a b"):
        assert safe_url(bad) is None


def test_media_paths_cannot_leave_the_case_folder(hostile: Path) -> None:
    with open_case(hostile) as c:
        files = read_media_files(c, "facebook", ["m-a", "m-b", "m-up", "m-etc", "m-svg"])
    assert set(files) == {"m-a", "m-b", "m-svg"}  # svg is read, but is no image: see the next test


def test_thumbnails_are_reencoded_and_refuse_non_images(hostile: Path) -> None:
    jpeg = (hostile / "photos" / "a.jpg").read_bytes()
    thumb = thumbnail_jpeg(jpeg, max_px=16)
    assert thumb.startswith(b"\xff\xd8") and thumb != jpeg
    assert thumbnail_jpeg((hostile / "photos" / "evil.svg").read_bytes()) is None
    assert thumbnail_jpeg(b"GIF89a" + b"\x00" * 20) is None


def test_write_report_into_missing_folder_fails_cleanly(hostile: Path, tmp_path: Path) -> None:
    with open_case(hostile) as c, pytest.raises(BadParameter, match="does not exist"):
        write_report(c, tmp_path / "nope" / "r.html")
    assert not (tmp_path / "nope").exists()


def test_render_is_deterministic_apart_from_the_time(hostile: Path) -> None:
    with open_case(hostile) as c:
        a, b = build_report(c), build_report(c)
    a["generated_at"] = b["generated_at"]
    assert render_report(a) == render_report(b)


def test_layout_keeps_group_members_first_and_is_seeded() -> None:
    pairs = [{"platform": "p", "a": f"x{i}", "b": f"x{i + 1}", "w": 1.0 + i, "ga": None, "gb": None} for i in range(6)]
    pairs += [{"platform": "p", "a": "g1", "b": "g2", "w": 0.1, "ga": 7, "gb": 7}]
    net = layout_network(pairs, {}, max_nodes=3)
    assert [n[5] for n in net.nodes][:2] == ["g1", "g2"] and net.total_nodes == 9 and len(net.nodes) == 3
    assert layout_network(pairs, {}, max_nodes=9).nodes == layout_network(pairs, {}, max_nodes=9).nodes


def test_bar_chart_share_compares_series_of_different_sizes() -> None:
    chart = bar_chart(["a", "b"], [[10, 30], [1000, 3000]], names=("x", "y"), share=True, height=118)
    heights = {(b.title.split(":")[0], b.series): b.h for b in chart.bars}
    assert heights[("a", 0)] == pytest.approx(heights[("a", 1)], rel=1e-3)
    assert heights[("b", 0)] == pytest.approx(3 * heights[("a", 0)], rel=1e-3)


def test_group_profile_shows_creation_hours_and_cost(html: str) -> None:
    group = html.split('id="group-1"', 1)[1].split("</article>", 1)[0]
    assert "Accounts created" in group and "Cost, private farm, paid per comment" in group
