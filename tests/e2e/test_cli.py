"""The command line, run as a user runs it: exit codes and exact error text."""

import json
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trollscan.cli", *args], cwd=cwd, capture_output=True,
                          text=True, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})


def test_init_ingest_status_round_trip(tmp_path: Path) -> None:
    assert run("init", "case", "--timezone", "Asia/Bishkek", cwd=tmp_path).returncode == 0
    f = tmp_path / "accounts.csv"
    f.write_text("platform,account_id,name\nfacebook,1,<img src=x onerror=alert(1)>\n", encoding="utf-8")
    r = run("ingest", str(f), "--case", "case", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "accounts 1" in r.stdout
    r = run("status", "--json", "--case", "case", cwd=tmp_path)
    st = json.loads(r.stdout)
    assert st["tables"] == {"facebook": {"accounts": 1}} and st["timezone"] == "Asia/Bishkek"


def test_commands_find_the_case_in_the_current_folder(tmp_path: Path) -> None:
    run("init", "case", cwd=tmp_path)
    r = run("status", cwd=tmp_path / "case")
    assert r.returncode == 0 and "The case is empty" in r.stdout


def test_a_bad_file_prints_one_error_with_a_hint_and_exits_1(tmp_path: Path) -> None:
    run("init", "case", cwd=tmp_path)
    f = tmp_path / "items.csv"
    f.write_text("platform,item_id,kind,account_id,created_at\nvk,1,post,a,31/02/2019\n")
    r = run("ingest", "items.csv", "--case", "case", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr == ("Error: items.csv, row 2: created_at '31/02/2019' is not a date.\n"
                        "Try --date-format, for example --date-format %d/%m/%Y.\n")
    assert "Traceback" not in r.stderr


def test_outside_a_case_the_error_says_how_to_make_one(tmp_path: Path) -> None:
    r = run("status", cwd=tmp_path)
    assert r.returncode == 1
    assert "holds no trollscan case" in r.stderr and "trollscan init DIR" in r.stderr


def test_hostile_markup_in_an_error_is_printed_literally(tmp_path: Path) -> None:
    run("init", "case", cwd=tmp_path)
    f = tmp_path / "items.csv"
    f.write_text("platform,item_id,kind,account_id\nvk,1,[bold red]post[/],a\n")
    r = run("ingest", "items.csv", "--case", "case", cwd=tmp_path)
    assert "kind '[bold red]post[/]' is not one of" in r.stderr


@pytest.fixture(scope="module")
def demo_case(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """One `trollscan demo` run (simulate, ingest, scan), shared by the tests that read it."""
    root = tmp_path_factory.mktemp("demo")
    return root, run("demo", "demo-case", cwd=root)


def _copy(demo_case, tmp_path: Path) -> Path:
    import shutil

    shutil.copytree(demo_case[0] / "demo-case", tmp_path / "demo-case")
    return tmp_path


def test_demo_simulates_loads_scans_and_checks_against_the_truth(demo_case) -> None:
    root, r = demo_case
    assert r.returncode == 0, r.stderr
    assert "act as one group" in r.stdout and "Against the simulation's truth" in r.stdout
    st = json.loads(run("status", "--json", "--case", "demo-case", cwd=root).stdout)
    assert st["tables"]["facebook"]["accounts"] > 2500 and st["tables"]["web"]["access_log"] > 0


def test_demo_again_adds_nothing(demo_case, tmp_path: Path) -> None:
    root = _copy(demo_case, tmp_path)
    r = run("demo", "demo-case", cwd=root)
    assert r.returncode == 0 and "already ingested" in r.stdout


def test_scan_edges_link_the_simulated_fakes(demo_case, tmp_path: Path) -> None:
    import csv

    root = _copy(demo_case, tmp_path)
    r = run("export", "edges", "--case", "demo-case", "--out", "edges.csv", cwd=root)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader((root / "edges.csv").open(encoding="utf-8")))
    assert {"account_a", "account_b", "layer", "weight", "n_items", "first_at", "last_at"} <= set(rows[0])
    truth = {(t["platform"], t["account_id"]): t["is_fake"].lower() in ("1", "true")
             for t in csv.DictReader((demo_case[0] / "demo-case" / "simulated" / "truth.csv").open(encoding="utf-8"))}
    both_fake = [truth.get((e["platform"], e["account_a"])) and truth.get((e["platform"], e["account_b"]))
                 for e in rows if e["layer"] in ("co_reply", "co_reaction")]
    assert both_fake and sum(both_fake) >= 0.95 * len(both_fake)


def test_scan_twice_gives_the_same_edges(demo_case, tmp_path: Path) -> None:
    root = _copy(demo_case, tmp_path)
    run("export", "edges", "--case", "demo-case", "--out", "a.csv", cwd=root)
    run("scan", "--case", "demo-case", cwd=root)
    run("export", "edges", "--case", "demo-case", "--out", "b.csv", cwd=root)
    assert (root / "a.csv").read_text() == (root / "b.csv").read_text()


def test_scan_rejects_a_bad_window_with_the_rule(tmp_path: Path) -> None:
    run("init", "case", cwd=tmp_path)
    r = run("scan", "--case", "case", "--window", "0", cwd=tmp_path)
    assert r.returncode == 1
    assert "The 'window_s' parameter of scan must be an int >= 1; got 0." in r.stderr


def test_coortweet_mode_flags_pairs_above_the_networks_median(tmp_path: Path) -> None:
    run("init", "case", cwd=tmp_path)
    lines = ["platform,item_id,kind,account_id,created_at,parent_id"]
    n = 0
    for k, t0 in enumerate([1549512000, 1549515000, 1549518000, 1549521000]):
        for account, dt in (("a", 0), ("b", 20)) + ((("c", 45),) if k < 2 else ()):
            n += 1
            lines.append(f"twitter,s{n},share,{account},{t0 + dt},tw{k}")
    (tmp_path / "items.csv").write_text("\n".join(lines) + "\n")
    assert run("ingest", "items.csv", "--case", "case", cwd=tmp_path).returncode == 0
    r = run("scan", "--case", "case", "--coortweet", "--window", "60", "--min-participation", "2", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "a and b shared 4 of the same items within 60 seconds of each other 4 times" in r.stdout
    run("export", "edges", "--case", "case", "--out", "e.csv", "--layer", "coortweet", cwd=tmp_path)
    rows = (tmp_path / "e.csv").read_text().splitlines()
    assert len(rows) == 2 and rows[1].startswith('"twitter","a","b","coortweet",4,4,4')


def test_eval_scores_the_demo_against_its_truth(demo_case, tmp_path: Path) -> None:
    root = _copy(demo_case, tmp_path)
    r = run("eval", "--case", "demo-case", "--truth", "demo-case/simulated/truth.csv", "--json", "eval.json", cwd=root)
    assert r.returncode == 0, r.stderr
    figures = json.loads((root / "eval.json").read_text())
    assert figures["recall"] > 0.9 and figures["precision"] > 0.8 and figures["roc_auc"] > 0.9


def test_eval_without_labels_or_truth_says_what_to_give(tmp_path: Path) -> None:
    run("init", "case", cwd=tmp_path)
    r = run("eval", "--case", "case", cwd=tmp_path)
    assert r.returncode == 1 and "no analyst labels" in r.stderr and "--truth" in r.stderr


def test_evidence_lists_the_items_that_link_a_pair(demo_case, tmp_path: Path) -> None:
    import csv

    root = _copy(demo_case, tmp_path)
    run("export", "edges", "--case", "demo-case", "--out", "edges.csv", "--layer", "co_reply", cwd=root)
    edge = next(csv.DictReader((root / "edges.csv").open(encoding="utf-8")))
    r = run("evidence", edge["account_a"], edge["account_b"], "--case", "demo-case", cwd=root)
    assert r.returncode == 0, r.stderr
    assert f"coaction.co_reply ({edge['platform']}" in r.stdout and "commented on the same" in r.stdout
    assert r.stdout.count(edge["first_at"][:10]) >= 2  # both accounts' items on the first day


def test_evidence_for_an_unknown_account_says_so(demo_case, tmp_path: Path) -> None:
    root = _copy(demo_case, tmp_path)
    r = run("evidence", "nobody", "--case", "demo-case", cwd=root)
    assert r.returncode == 0 and "No finding names nobody" in r.stdout
