"""`trollscan spread`, run as a user runs it: on the simulator's spread preset and on the twarc2 and
Telegram golden fixtures."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from trollscan.clusters import adjusted_rand_index
from trollscan.ingest import ingest_files
from trollscan.simulate import simulate
from trollscan.store import init_case
from trollscan.store.results import read_truth_file

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trollscan.cli", *args], cwd=cwd, capture_output=True,
                          text=True, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})


def load(tmp_path: Path, *files: Path, tz: str = "UTC") -> None:
    """The case the CLI then reads (made in-process: `init` and `ingest` have their own CLI tests)."""
    with init_case(tmp_path / "case", tz=tz) as case:
        ingest_files(case, list(files))


def test_the_planted_first_poster_ranks_first_and_the_planted_groups_are_found(tmp_path: Path) -> None:
    sim = tmp_path / "sim"
    simulate(sim, preset="spread", seed=1, scale=0.3, images=False)  # 0.05: too few per group for a stable ARI
    story = json.loads((sim / "story.json").read_text(encoding="utf-8"))
    load(tmp_path, sim / "input", tz="Asia/Almaty")
    r = run("spread", story["query"], "--case", "case", "--json", "out.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "First posters" in r.stdout and "Spreader groups" in r.stdout and "Wrote the full result" in r.stdout
    result = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert result["first_posters"][0] == story["first_poster"]
    assert result["first_poster_details"][0]["item_id"] == story["first_post"]
    persona = {t["account_id"]: t["persona"] for t in read_truth_file(sim / "truth.csv")}
    spreaders = set(result["cascade"]["account_id"])
    found = {a: str(g["group"]) for g in result["groups"] for a in g["accounts"]}
    assert adjusted_rand_index({a: persona[a] for a in spreaders}, found) > 0.8
    agendas = story["agendas"]
    tags = {g["top_hashtags"][0][0] for g in result["groups"] if g["top_hashtags"]}
    assert tags <= {t.lower() for a in agendas.values() for t in a["hashtags"]} and len(tags) >= 2
    assert result["chronology"]["timezone"] == "Asia/Almaty"
    assert result["chronology"]["hours"][0]["hour"] == "2020-02-08 05:00"  # 23:00 UTC in Almaty


@pytest.mark.parametrize("fixture", ["twarc2", "twarc2_flat"])
def test_a_hashtag_story_in_a_twarc2_export(tmp_path: Path, fixture: str) -> None:
    load(tmp_path, *(GOLDEN / fixture / "input").iterdir())
    r = run("spread", "#Казахстан", "--case", "case", "--json", "out.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    result = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert result["first_posters"][:2] == ["1491000000000000001", "1497000000000000011"]
    cascade = dict(zip(result["cascade"]["item_id"], zip(result["cascade"]["parent_item_id"],
                                                        result["cascade"]["link"])))
    assert cascade["1498000000000000011"] == ("1498000000000000001", "share")
    assert cascade["1498000000000000021"] == ("1498000000000000014", "quote")
    assert cascade["1498000000000000019"] == ("1498000000000000021", "quote")
    assert result["chronology"]["languages"] == {"ru": 8, "kk": 1}  # the export's own language field
    assert result["summary"]["missing_parents"] == 0


def test_a_copy_in_another_telegram_chat_is_linked_as_inferred(tmp_path: Path) -> None:
    load(tmp_path, GOLDEN / "telegram_channel" / "input" / "result.json",
         GOLDEN / "telegram_group" / "input" / "result.json")
    r = run("spread", "item:1500123456/4", "--case", "case", "--json", "out.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    result = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    # the group's forward (04:25 UTC) came before the channel's post (06:00 UTC) in this export
    assert result["first_posters"] == ["user5012340001", "channel1500123456"]
    cascade = dict(zip(result["cascade"]["item_id"], zip(result["cascade"]["parent_item_id"],
                                                        result["cascade"]["link"])))
    assert cascade == {"1711223344/106": (None, "origin"), "1500123456/4": ("1711223344/106", "inferred:time")}
    r = run("spread", "Zhanaozen", "--case", "case", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr.startswith("Error: No item of the case carries 'Zhanaozen'.\nCheck the spelling;")


def snowflake(ms: int) -> str:
    return str((ms - 1288834974657) << 22 | 7)


def write_story(tmp_path: Path) -> Path:
    """A Twitter story in canonical Parquet: two posts in the same second (the tweet ids tell which
    came first), a copy with a typo and another spelling (no word of the query in it), a share."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    t0 = 1581116400  # 2020-02-07 23:00:00 UTC
    text = "Kazakhs burn Chinese restaurants and homes in Kordai over coronavirus panic"
    rows = [(snowflake(t0 * 1000 + 870), "late", 0, text + " <script>window.__pwned=1</script>", None, "post"),
            (snowflake(t0 * 1000 + 120), "early", 0, text, None, "post"),
            (snowflake((t0 + 60) * 1000 + 5), "typo", 60, text.replace("Kordai", "Kordaj").replace("homes", "hmoes"),
             None, "post"),
            (snowflake((t0 + 90) * 1000), "sharer", 90, None, snowflake(t0 * 1000 + 120), "share"),
            (snowflake((t0 + 95) * 1000), "other", 95, "The weather in Almaty is sunny today", None, "post")]
    table = pa.table({"platform": ["twitter"] * len(rows), "item_id": [r[0] for r in rows],
                      "kind": [r[5] for r in rows], "account_id": [r[1] for r in rows],
                      "created_at": pa.array([(t0 + r[2]) * 1_000_000 for r in rows], pa.timestamp("us")),
                      "parent_id": [r[4] for r in rows], "text": [r[3] for r in rows]})
    path = tmp_path / "items.parquet"
    pq.write_table(table, path)
    return path


def test_tweet_ids_order_the_same_second_and_near_duplicates_are_marked(tmp_path: Path) -> None:
    load(tmp_path, write_story(tmp_path))
    r = run("spread", "Kordai", "--case", "case", "--json", "out.json", "--no-translate", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    result = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert result["first_posters"] == ["early", "late", "typo", "sharer"]
    first = result["first_poster_details"][0]
    assert first["timed_by"] == "id" and first["at"] == "2020-02-07T23:00:00.120" and first["sure"] == "high"
    assert "milliseconds in the tweet ids" in first["why"]
    how = dict(zip(result["cascade"]["account_id"], zip(result["cascade"]["match"], result["cascade"]["similarity"])))
    assert how["typo"][0] == "near-duplicate" and 0.8 <= how["typo"][1] < 1
    assert how["early"] == ("exact", 1.0) and how["sharer"] == (None, None) and "other" not in how
    r = run("spread", "Kordai", "--case", "case", "--json", "exact.json", "--no-near", "--no-translate", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "typo" not in json.loads((tmp_path / "exact.json").read_text(encoding="utf-8"))["cascade"]["account_id"]
    r = run("spread", "Kordai", "--case", "case", "--min-similarity", "1.5", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr.startswith("Error: The 'min_similarity' parameter of spread must be in (0, 1]; got 1.5.")


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian's chromium is not installed at "
                    "/usr/bin/chromium (apt-get install -y chromium; .ci/run installs it)")
def test_the_report_shows_the_story_last_traced_in_a_browser_and_runs_no_payload(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    load(tmp_path, write_story(tmp_path))
    assert run("spread", "Kordai", "--case", "case", "--no-translate", cwd=tmp_path).returncode == 0
    r = run("report", "--case", "case", "--out", "report.html", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    events, requests = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox",
                                                                                "--disable-gpu"])
        page = browser.new_page()
        page.on("pageerror", lambda e: events.append(str(e)))
        page.on("console", lambda m: events.append(m.text) if m.type == "error" else None)
        page.on("request", lambda q: requests.append(q.url))
        page.goto((tmp_path / "report.html").as_uri())
        page.click("nav a[href='#spread']")
        section = page.locator("section#spread")
        assert section.is_visible()
        assert section.locator("h2").inner_text() == "How the story spread: Kordai"
        rows = section.locator("#spread-first-posters tbody tr")
        assert rows.count() == 4 and "(ms from the id)" in rows.first.inner_text()
        assert "2020-02-07 23:00:00.120" in rows.first.inner_text()
        assert section.locator("svg.chart rect").count() >= 1
        assert "1 as near-duplicates" in section.inner_text()
        assert page.evaluate("typeof window.__pwned") == "undefined"
        browser.close()
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    assert not events, events
