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
    simulate(sim, preset="spread", seed=1, scale=0.05, images=False)
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
