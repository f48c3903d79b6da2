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


@pytest.mark.parametrize("again", [False, True])
def test_demo_loads_the_bundled_case(tmp_path: Path, again: bool) -> None:
    r = run("demo", "demo-case", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    if again:
        r = run("demo", "demo-case", cwd=tmp_path)
        assert r.returncode == 0 and "already ingested" in r.stdout
    st = json.loads(run("status", "--json", "--case", "demo-case", cwd=tmp_path).stdout)
    assert st["tables"]["facebook"]["items"] > 500
    assert st["labels"] == {"fake": 5, "doubtful": 1}


def test_scan_finds_the_demo_farm_and_exports_its_edges(tmp_path: Path) -> None:
    assert run("demo", "demo-case", cwd=tmp_path).returncode == 0
    r = run("scan", "--case", "demo-case", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "commented on the same" in r.stdout and "from the same IP address" in r.stdout
    r = run("export", "edges", "--case", "demo-case", "--out", "edges.csv", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    import csv
    rows = list(csv.DictReader((tmp_path / "edges.csv").open(encoding="utf-8")))
    assert {"account_a", "account_b", "layer", "weight", "n_items", "first_at", "last_at"} <= set(rows[0])
    reply = [r for r in rows if r["layer"] == "co_reply"]
    farm = {str(100070000 + i * 17) for i in range(15)}
    assert reply and all(r["account_a"] in farm and r["account_b"] in farm for r in reply)


def test_scan_twice_replaces_the_previous_results(tmp_path: Path) -> None:
    run("demo", "demo-case", cwd=tmp_path)
    run("scan", "--case", "demo-case", cwd=tmp_path)
    run("scan", "--case", "demo-case", cwd=tmp_path)
    r = run("export", "edges", "--case", "demo-case", "--out", "a.csv", cwd=tmp_path)
    first = (tmp_path / "a.csv").read_text()
    run("scan", "--case", "demo-case", cwd=tmp_path)
    run("export", "edges", "--case", "demo-case", "--out", "b.csv", cwd=tmp_path)
    assert first == (tmp_path / "b.csv").read_text()


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
