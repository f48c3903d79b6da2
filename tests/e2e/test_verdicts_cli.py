"""CLI runs over a small simulated case: watch list, verdicts, export, takedowns, groups, eval."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trollscan.cli import app
from trollscan.ingest import ingest_files
from trollscan.scan import scan
from trollscan.scan.signals import scan_signals
from trollscan.scan.verdicts import scan_verdicts
from trollscan.simulate import simulate
from trollscan.store import init_case, open_case
from trollscan.store.results import input_fingerprint

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def judged(tmp_path_factory) -> Path:
    """A kloop-election case (it has a later status check) at a small scale, scanned and judged."""
    root = tmp_path_factory.mktemp("verdicts")
    simulate(root / "sim", preset="kloop-election", seed=2, scale=0.05)
    with init_case(root / "case", tz="Asia/Bishkek") as case:
        ingest_files(case, [root / "sim" / "input"])
        page = case.con.execute("SELECT account_id FROM accounts WHERE name = 'Биримдик'").fetchall()[0][0]
    assert run("watch", "add", f"https://www.facebook.com/{page}", "--case", root / "case",
               "--note", "party page").exit_code == 0
    with open_case(root / "case") as case:
        scan(case)
        scan_signals(case, input_fingerprint(case))
        scan_verdicts(case, input_fingerprint(case))
    return root


def test_watch_add_takes_a_url_and_lists_it(judged):
    result = run("watch", "list", "--case", judged / "case")
    assert result.exit_code == 0
    assert "Биримдик" in result.output and "party page" in result.output


def test_watch_add_refuses_a_url_of_no_known_platform(judged):
    result = run("watch", "add", "https://example.org/some/page", "--case", judged / "case")
    assert result.exit_code == 1
    assert "Error: 'https://example.org/some/page' is not a profile or page URL trollscan knows." in \
        " ".join(result.output.split())


def test_export_writes_the_platform_list_as_csv_and_json(judged, tmp_path):
    result = run("export", "--format", "csv", "--out", tmp_path / "fakes.csv", "--case", judged / "case")
    assert result.exit_code == 0, result.output
    with (tmp_path / "fakes.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["platform", "account_id", "handle", "profile_url", "label", "score", "group", "reasons"]
    assert rows and all(r["label"] in ("fake", "doubtful") for r in rows)
    fake = [r for r in rows if r["label"] == "fake"]
    assert fake and all(r["reasons"] and r["profile_url"].startswith("https://") for r in fake
                        if r["platform"] == "facebook")
    result = run("export", "--format", "json", "--out", tmp_path / "fakes.json", "--case", judged / "case")
    assert result.exit_code == 0
    data = json.loads((tmp_path / "fakes.json").read_text(encoding="utf-8"))
    assert len(data) == len(rows) and isinstance(data[0]["reasons"], list)


def test_export_subcommands_still_work_beside_the_accounts_export(judged, tmp_path):
    result = run("export", "edges", "--out", tmp_path / "edges.csv", "--case", judged / "case")
    assert result.exit_code == 0 and (tmp_path / "edges.csv").exists()


def test_export_of_a_case_without_verdicts_says_what_to_do(tmp_path):
    init_case(tmp_path / "empty").close()
    result = run("export", "--out", tmp_path / "x.csv", "--case", tmp_path / "empty")
    assert result.exit_code == 1
    assert "Error: The case has no verdicts to export." in " ".join(result.output.split())
    assert not (tmp_path / "x.csv").exists()


def _checked_on(judged) -> str:
    with open_case(judged / "case") as case:
        (first,) = case.con.execute("SELECT min(seen_at) FROM snapshots").fetchone()
    return f"{first:%Y-%m-%d}"


def test_status_takedowns_counts_removed_accounts_per_group_and_label(judged):
    result = run("status", "--takedowns", "--json", "--sent-at", "2020-10-20", "--case", judged / "case")
    assert result.exit_code == 0, result.output
    assert _checked_on(judged) > "2020-10-20"  # the simulated check comes weeks after the list
    rows = json.loads(result.output)
    total = next(r for r in rows if r["group_id"] == "all" and r["label"] == "fake")
    assert total["checked"] > 0 and 0 < total["removed"] <= total["checked"]
    assert total["sent_at"] == "2020-10-20 00:00:00" and total["gone_before"] == 0
    table = run("status", "--takedowns", "--sent-at", "2020-10-20", "--case", judged / "case")
    assert table.exit_code == 0 and "Takedowns of flagged accounts since 2020-10-20" in table.output


def test_status_takedowns_ignores_checks_made_before_the_list_was_sent(judged):
    after = run("status", "--takedowns", "--json", "--sent-at", "2099-01-01", "--case", judged / "case")
    total = next(r for r in json.loads(after.output) if r["group_id"] == "all" and r["label"] == "fake")
    assert (total["checked"], total["removed"]) == (0, 0)
    # by default the list went out when the verdicts were computed: today, after the simulated check
    table = run("status", "--takedowns", "--case", judged / "case")
    assert table.exit_code == 0
    assert "made before" in table.output and "when the verdicts were computed" in " ".join(table.output.split())
    bad = run("status", "--takedowns", "--sent-at", "20/10/2020", "--case", judged / "case")
    assert bad.exit_code == 1 and "Error: --sent-at '20/10/2020' is not a date." in " ".join(bad.output.split())


def test_eval_reports_the_verdict_metrics(judged):
    result = run("eval", "--truth", judged / "sim" / "truth.csv", "--json", judged / "figures.json",
                 "--case", judged / "case")
    assert result.exit_code == 0, result.output
    figures = json.loads((judged / "figures.json").read_text())
    for key in ("f1", "roc_auc", "precision_at_100", "tp_with_two_reasons", "ari_operator", "doubtful"):
        assert key in figures
    assert figures["verdict_weights"] == "default"
    assert figures["f1"] > 0.8 and figures["tp_with_two_reasons"] == 1.0


def test_groups_prints_profiles_with_cost_and_page_kpis(judged):
    result = run("groups", "--case", judged / "case", "--json", judged / "groups.json")
    assert result.exit_code == 0, result.output
    assert "Cost, private farm, paid per comment" in result.output
    data = json.loads((judged / "groups.json").read_text(encoding="utf-8"))
    assert data["groups"] and data["pages"][0]["name"] == "Биримдик"


def test_analyst_labels_are_learned_from_and_the_scan_says_what_it_kept(judged, tmp_path):
    import shutil

    shutil.copytree(judged / "case", tmp_path / "case")
    with open((judged / "sim" / "truth.csv"), encoding="utf-8") as f:
        truth = list(csv.DictReader(f))
    labels = tmp_path / "labels.csv"
    with open(labels, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["platform", "account_id", "label", "author"])
        for row in truth[::4]:  # an analyst who checked every fourth account
            w.writerow([row["platform"], row["account_id"], "fake" if row["is_fake"] == "true" else "real", "tester"])
    with open_case(tmp_path / "case") as case:
        ingest_files(case, [labels])
        summary = scan_verdicts(case, input_fingerprint(case))
    said = summary.top[0]
    assert f"learned from {len(truth[::4])} analyst labels" in said or f"Weights learned from {len(truth[::4])}" in said
    assert "held-out" in said, said
