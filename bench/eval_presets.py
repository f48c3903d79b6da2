"""The current detectors on each simulator preset, scored against the simulation's truth.

    python bench/eval_presets.py [--scale 0.3] [--seed 1] [--scratch /tmp/trollscan-presets]

For each preset: simulate, load, scan (every co-action layer and the groups), then evaluate
(`trollscan eval --truth`). Prints one row per preset.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from trollscan.ingest import ingest_files
from trollscan.report.evaluate import evaluate
from trollscan.scan import scan
from trollscan.simulate import PRESETS, simulate
from trollscan.store import init_case
from trollscan.store.results import read_findings, read_query, read_truth_file

COLUMNS = ("fakes", "flagged", "precision", "recall", "f1", "roc_auc", "precision_at_100", "tp_with_two_reasons",
           "groups", "ari_operator", "ari_farm")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scratch", default="/tmp/trollscan-presets")
    args = ap.parse_args()
    scratch = Path(args.scratch)
    print(f"{'preset':<15} {'accounts':>8} " + " ".join(f"{c:>10.10}" for c in COLUMNS) + f" {'scan s':>7}")
    for preset in PRESETS:
        out = scratch / preset
        shutil.rmtree(out, ignore_errors=True)
        simulate(out / "sim", preset=preset, seed=args.seed, scale=args.scale)
        with init_case(out / "case") as case:
            ingest_files(case, [out / "sim" / "input"])
            started = time.perf_counter()
            scan(case)
            seconds = time.perf_counter() - started
            truth = read_truth_file(out / "sim" / "truth.csv")
            members = read_query(case, "SELECT group_id, platform, account_id FROM group_members").to_pylist()
            f = evaluate(truth, read_findings(case), members)
        cells = " ".join(f"{f.get(c, 0) if f.get(c) is not None else float('nan'):>10.3f}"
                         if isinstance(f.get(c), float) or f.get(c) is None else f"{f.get(c, 0):>10,}" for c in COLUMNS)
        print(f"{preset:<15} {f['accounts']:>8,} {cells} {seconds:>7.1f}", flush=True)


if __name__ == "__main__":
    main()
