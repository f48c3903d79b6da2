"""The full scan on each simulator preset, with verdicts, scored against the simulation's truth.

    python bench/eval_presets.py [--scale 0.3] [--seed 1] [--scratch /tmp/trollscan-presets]
                                 [--label-share 0.1] [--repeat 1] [--preset NAME]

For each preset: simulate; create a case in the preset's time zone; put the preset's official
pages on the watch list (as a reporter who knows whom the farms serve would: `trollscan watch
add`); ingest; scan (every step `trollscan scan` runs; the signals and verdicts steps too when the
scan does not run them yet); evaluate the verdicts (`trollscan eval --truth`). Then, as an analyst
would, label a seeded share of the accounts from the truth (`--label-share`), judge again with
weights learned from those labels, and evaluate on the accounts left unlabelled.

Prints one row per preset and weighting: F1 of `fake`, precision, recall, ROC AUC, precision at
top 100, share of true positives with two or more independent reasons, group ARI, and seconds
(min and median over `--repeat` runs of the scan).
"""

from __future__ import annotations

import argparse
import csv
import shutil
import statistics
import time
from pathlib import Path

import numpy as np

from trollscan.ingest import ingest_files
from trollscan.report.evaluate import evaluate
from trollscan.scan import scan
from trollscan.scan.signals import scan_signals
from trollscan.scan.verdicts import scan_verdicts
from trollscan.simulate import PRESETS, simulate
from trollscan.store import init_case
from trollscan.store.results import input_fingerprint, read_truth_file
from trollscan.store.verdicts import add_watch, read_verdict_weights, read_verdicts

COLUMNS = ("fakes", "flagged", "doubtful", "precision", "recall", "f1", "roc_auc", "precision_at_100",
           "tp_with_two_reasons", "groups", "ari_operator", "ari_farm")
TIMEZONES = {"kz": "Asia/Almaty", "kg": "Asia/Bishkek", "intl": "Asia/Almaty"}  # the simulator's local clock is UTC+6


def _full_scan(case) -> float:
    started = time.perf_counter()
    scan(case)
    ran = {r[0] for r in case.con.execute("SELECT DISTINCT detector FROM runs").fetchall()}
    fingerprint = input_fingerprint(case)
    if not any(d.startswith("signals.") for d in ran):
        scan_signals(case, fingerprint)
    if "verdicts" not in ran:
        scan_verdicts(case, fingerprint)
    return time.perf_counter() - started


def _watch_pages(case, preset) -> int:
    n = 0
    for pages in preset.pages.values():
        for page in pages:
            for (account_id,) in case.con.execute("SELECT account_id FROM accounts WHERE platform = ? AND name = ?",
                                                  [preset.platform, page.lstrip("@")]).fetchall():
                add_watch(case, account_id, platform=preset.platform, note=page)
                n += 1
    return n


def _label_sample(truth: list[dict], share: float, seed: int, path: Path) -> set[tuple[str, str]]:
    """A seeded sample of the truth written as an analyst's labels file; the labelled accounts."""
    rng = np.random.default_rng(seed)
    picked = [r for r in truth if rng.random() < share]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["platform", "account_id", "label", "author"])
        for r in picked:
            w.writerow([r["platform"], r["account_id"], "fake" if str(r["is_fake"]).lower() == "true" else "real",
                        "bench"])
    return {(r["platform"], str(r["account_id"])) for r in picked}


def _row(name: str, accounts: int, f: dict, seconds: list[float], note: str = "") -> str:
    def cell(c):
        v = f.get(c)
        if v is None:
            return f"{'n/a':>10}"
        return f"{v:>10.3f}" if isinstance(v, float) else f"{v:>10,}"
    times = f"{min(seconds):>7.1f} {statistics.median(seconds):>7.1f}" if seconds else f"{'':>15}"
    return f"{name:<24} {accounts:>8,} " + " ".join(cell(c) for c in COLUMNS) + f" {times}  {note}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scratch", default="/tmp/trollscan-presets")
    ap.add_argument("--label-share", type=float, default=0.1)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--preset", action="append", help="Only this preset (repeatable).")
    args = ap.parse_args()
    scratch = Path(args.scratch)
    print(f"scale {args.scale}, seed {args.seed}; learned weights from {args.label_share:.0%} of accounts labelled "
          "from the truth, scored on the rest")
    print(f"{'preset / weights':<24} {'accounts':>8} " + " ".join(f"{c:>10.10}" for c in COLUMNS)
          + f" {'min s':>7} {'med s':>7}")
    for name in args.preset or list(PRESETS):
        preset = PRESETS[name]
        out = scratch / name
        shutil.rmtree(out, ignore_errors=True)
        simulate(out / "sim", preset=name, seed=args.seed, scale=args.scale)
        truth = read_truth_file(out / "sim" / "truth.csv")
        seconds = []
        for run in range(max(1, args.repeat)):
            shutil.rmtree(out / "case", ignore_errors=True)
            with init_case(out / "case", tz=TIMEZONES[preset.region]) as case:
                ingest_files(case, [out / "sim" / "input"])
                watched = _watch_pages(case, preset)
                seconds.append(_full_scan(case))
                if run == 0:
                    default = evaluate(truth, [], [], verdicts=read_verdicts(case))
        print(_row(f"{name} / default", default["accounts"], default, seconds, f"{watched} watched pages"), flush=True)
        with init_case(out / "labelled", tz=TIMEZONES[preset.region]) as case:
            ingest_files(case, [out / "sim" / "input"])
            _watch_pages(case, preset)
            labelled = _label_sample(truth, args.label_share, args.seed, out / "labels.csv")
            ingest_files(case, [out / "labels.csv"])
            _full_scan(case)
            scan_verdicts(case, input_fingerprint(case))
            weights = read_verdict_weights(case)
            rest = [r for r in truth if (r["platform"], str(r["account_id"])) not in labelled]
            learned = evaluate(rest, [], [], verdicts=read_verdicts(case))
        cv = weights.get("cv_accuracy")
        note = (f"learned from {weights.get('labels')} labels, CV accuracy {cv:.3f}" if cv is not None
                else f"weights: {weights.get('weights')} (too few labels to learn)")
        print(_row(f"{name} / learned", learned["accounts"], learned, [], note), flush=True)


if __name__ == "__main__":
    main()
