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
(min and median over `--repeat` runs of the scan). The default weights are also scored on the
accounts left unlabelled, to compare with the learned ones, which are shown twice, from the same
labelled case: as the verdicts step learns them (the default model's weights pulled towards
the defaults, chosen by cross-validation: report/shrinkage.py) and, for comparison, as a plain
logistic regression (what the verdicts step learned before).

Then, per preset, whom the groups praise and attack (`trollscan groups`), against the planted
clients: the simulator's farms comment for their clients on the clients' pages, and the clients
`anti-critic` and `matraimov` attack the pages they comment on (critics' pages) while all others
praise theirs. Precision and recall of the groups' praised and attacked targets (top 5 per group,
all groups together) against those pages, and the tone classifier's accuracy on every farm
comment (its client's side: praise or attack, read from farms.json; neutral counts as wrong).
"""

from __future__ import annotations

import argparse
import csv
import shutil
import statistics
import time
from pathlib import Path

import json
from collections import Counter
from datetime import datetime, timezone

import numpy as np
import pyarrow.parquet as pq

from trollscan.ingest import ingest_files
from trollscan.report.evaluate import evaluate
from trollscan.report.profiles import profile_case
from trollscan.report.verdicts import account_features, fit_model, judge
from trollscan.store.verdicts import read_analyst_labels, read_profile_inputs, read_verdict_inputs
from trollscan.text.tone import read_tones
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


ATTACKERS = ("anti-critic", "matraimov")  # the simulator's clients whose comments attack the pages they go to


def _logistic_verdicts(case) -> list[dict]:
    """The labelled case judged as the verdicts step did before: a plain logistic regression."""
    evidence, accounts = read_verdict_inputs(case)
    features = account_features(evidence, accounts)
    analyst = read_analyst_labels(case)
    model = fit_model(features, {k: v[0] == "fake" for k, v in analyst.items() if v[0] in ("fake", "real")},
                      method="logistic", seed=1)
    groups = {(v["platform"], v["account_id"]): v["group_id"] for v in read_verdicts(case)}
    out = judge(features, model=model, analyst=analyst)
    for v in out:
        v["group_id"] = groups.get((v["platform"], v["account_id"]))
    return out


def _planted_sides(sim: Path) -> dict[str, set[str]]:
    """The planted clients' pages: praised (pages of clients that praise) and attacked."""
    farms = json.loads((sim / "farms.json").read_text(encoding="utf-8"))
    sides: dict[str, set[str]] = {"praise": set(), "attack": set()}
    for farm in farms.values():
        for client, pages in farm["watched_pages"].items():
            sides["attack" if client in ATTACKERS else "praise"].update(pages)
    return sides


def _tone_accuracy(sim: Path) -> tuple[float, int, Counter]:
    """The tone classifier on every farm comment against its client's side: accuracy, comments,
    and counts of (side, reading)."""
    farms = json.loads((sim / "farms.json").read_text(encoding="utf-8"))
    client_of = {}
    for farm in farms.values():
        for op in farm["operators"]:
            switch = datetime.fromisoformat(op["switch_at"]).timestamp() if op["switch_at"] else None
            for a in op["accounts"]:
                client_of[a] = (op["clients"][0], op["switch_to"][0] if op["switch_to"] else None, switch)
    items = pq.read_table(sim / "input" / "items.parquet", columns=["account_id", "kind", "created_at", "text"])
    rows = [r for r in items.to_pylist() if r["kind"] in ("comment", "reply") and r["account_id"] in client_of]
    counts: Counter = Counter()
    for r, tone in zip(rows, read_tones([r["text"] for r in rows])):
        first, then, switch = client_of[r["account_id"]]
        at = r["created_at"].replace(tzinfo=r["created_at"].tzinfo or timezone.utc).timestamp()
        client = then if switch is not None and at >= switch else first
        counts[("attack" if client in ATTACKERS else "praise", tone.label)] += 1
    total = sum(counts.values())
    return (sum(n for (side, got), n in counts.items() if side == got) / total if total else float("nan"), total,
            counts)


def _side_scores(case, sim: Path) -> str:
    """Precision and recall of the groups' praised and attacked targets against the planted pages."""
    planted = _planted_sides(sim)
    inputs = read_profile_inputs(case)
    groups = profile_case(inputs)["groups"]
    pages = {a for (_p, a) in inputs["names"]}  # targets that are accounts or pages of the case, not site articles
    out = []
    for side, key, verb in (("praise", "praises", "praised"), ("attack", "attacks", "attacked")):
        listed = {t["target"] for g in groups for t in g.get("tone", {}).get(key, [])}
        hit = listed & planted[side]
        r = len(hit) / len(planted[side]) if planted[side] else float("nan")
        p = len(hit) / len(listed) if listed else float("nan")
        on_pages = listed & pages
        pp = len(hit) / len(on_pages) if on_pages else float("nan")
        out.append(f"{verb}: R {r:.3f}, P {p:.3f} over {len(listed)} listed, P {pp:.3f} over the {len(on_pages)} "
                   f"that are pages ({len(planted[side])} planted)")
    return "; ".join(out)


def _name_signal(case, truth: list[dict]) -> str:
    """The name signal's findings against the truth: how many name a fake, and how many say impersonation."""
    fake = {(r["platform"], str(r["account_id"])) for r in truth if str(r["is_fake"]).lower() == "true"}
    rows = case.con.execute("SELECT platform, account_ids[1], json_extract_string(details, '$.relation') FROM evidence "
                            "WHERE detector = 'signals.name_photo_mismatch'").fetchall()
    hits = sum((p, a) in fake for p, a, _r in rows)
    same = sum(r == "same" for _p, _a, r in rows)
    photo = case.con.execute("SELECT count(DISTINCT account_ids[1]) FROM evidence WHERE detector = 'photos.same_photo' "
                             "AND len(account_ids) = 1").fetchall()[0][0]
    return (f"name vs photo owner: {len(rows)} findings ({same} impersonation) on {photo} copiers named by "
            f"same_photo; {hits / len(rows) if rows else float('nan'):.3f} of them fakes")


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
                    default_verdicts = read_verdicts(case)
                    default = evaluate(truth, [], [], verdicts=default_verdicts)
                    sides = _side_scores(case, out / "sim")
                    names = _name_signal(case, truth)
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
            default_rest = evaluate(rest, [], [], verdicts=default_verdicts)
            before = evaluate(rest, [], [], verdicts=_logistic_verdicts(case))
            shrunk = fit_model(account_features(*read_verdict_inputs(case)),
                               {k: v[0] == "fake" for k, v in read_analyst_labels(case).items()
                                if v[0] in ("fake", "real")}, seed=1)
        cv = weights.get("cv_accuracy")
        note = (f"learned from {weights.get('labels')} labels, CV accuracy {cv:.3f}" if cv is not None
                else f"weights: {weights.get('weights')} (too few labels to learn)")
        if shrunk is not None:
            note += (f"; pull to defaults {shrunk.shrink if shrunk.shrink is not None else 'inf (defaults kept)'}, "
                     f"held-out F1 {shrunk.cv_f1:.3f} vs defaults {shrunk.cv_f1_default:.3f}")
        print(_row(f"{name} / default, rest", default_rest["accounts"], default_rest, [],
                   "default weights scored on the accounts left unlabelled"), flush=True)
        print(_row(f"{name} / learned", learned["accounts"], learned, [], note), flush=True)
        print(_row(f"{name} / logistic", before["accounts"], before, [], "plain logistic regression (before)"),
              flush=True)
        accuracy, comments, counts = _tone_accuracy(out / "sim")
        print(f"  {name}: {sides}", flush=True)
        print(f"  {name}: {names}", flush=True)
        print(f"  {name}: tone accuracy on {comments:,} farm comments {accuracy:.3f} ("
              + ", ".join(f"{side}->{got} {n:,}" for (side, got), n in sorted(counts.items())) + ")", flush=True)


if __name__ == "__main__":
    main()
