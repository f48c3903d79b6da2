"""The scan step of verdicts: every finding now in the case -> a score, a label and ranked reasons
per account, stored in `verdicts` (and one evidence row per fake or doubtful account)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..evidence import evidence_table
from ..report.verdicts import Model, account_features, fit_model, judge
from ..store import Case
from ..store.verdicts import read_analyst_labels, read_group_rows, read_verdict_inputs, write_verdicts
from .summary import LayerSummary

__all__ = ["scan_verdicts", "VerdictRun", "judge_case"]


@dataclass
class VerdictRun:
    """What a verdicts step did: the verdicts, and the model when weights were learned."""

    verdicts: list[dict]
    model: Model | None
    labels: int  # analyst labels in the case (fake or real) it could learn from
    weights: str  # "default" or "learned"


def judge_case(case: Case, *, learn: bool = True, fake_at: float | None = None, doubtful_at: float | None = None,
               seed: int = 1) -> VerdictRun:
    """Verdicts for every account of the case from the evidence now in it (nothing is written)."""
    evidence, accounts = read_verdict_inputs(case)
    features = account_features(evidence, accounts)
    analyst = read_analyst_labels(case)
    learnable = {k: v[0] == "fake" for k, v in analyst.items() if v[0] in ("fake", "real")}
    model = fit_model(features, learnable, seed=seed) if learn and learnable else None
    verdicts = judge(features, model=model, analyst=analyst, fake_at=fake_at, doubtful_at=doubtful_at)
    groups = {(r["platform"], r["account_id"]): r["group_id"] for r in reversed(read_group_rows(case).to_pylist())}
    for v in verdicts:
        v["group_id"] = groups.get((v["platform"], v["account_id"]))
    return VerdictRun(verdicts, model, len(learnable), "learned" if model else "default")


def scan_verdicts(case: Case, fingerprint: str, *, learn: bool = True, fake_at: float | None = None,
                  doubtful_at: float | None = None,
                  seed: int = 1, progress: Callable[[str], None] | None = None) -> LayerSummary:
    """Judge every account and store the verdicts. Weights are learned from the analyst's labels
    when there are enough of them (and `learn`), else the documented defaults are used; the
    summary's `top` says which, with the cross-validated accuracy of learned ones."""
    if progress:
        progress("verdicts")
    started = time.perf_counter()
    run = judge_case(case, learn=learn, fake_at=fake_at, doubtful_at=doubtful_at, seed=seed)
    rows = []
    for v in run.verdicts:
        if v["label"] == "unlikely":
            continue
        rows.append({"detector": "verdicts", "platform": v["platform"], "account_ids": [v["account_id"]],
                     "strength": v["score"], "item_ids": v["item_ids"],
                     "sentence": f"Judged {v['label']} (score {v['score']:.2f}): " + "; ".join(v["reasons"][:3]),
                     "details": json.dumps({"detectors": v["detectors"], "score": v["score"], "label": v["label"],
                                            "group_id": v["group_id"], "weights": run.weights})})
    seconds = time.perf_counter() - started
    params = {"fake_at": fake_at, "doubtful_at": doubtful_at, "weights": run.weights, "seed": seed}
    if run.model is not None:
        params.update({"labels": run.model.labels, "cv_accuracy": run.model.cv_accuracy, "folds": run.model.folds,
                       "intercept": round(run.model.intercept, 4),
                       "coef": {d: round(float(c), 4) for d, c in zip(run.model.detectors, run.model.coef)}})
    write_verdicts(case, run.verdicts, evidence_table(rows), params=params, input_hash=fingerprint, seconds=seconds)
    counts = {label: sum(v["label"] == label for v in run.verdicts) for label in ("fake", "doubtful", "unlikely")}
    summary = LayerSummary("verdicts", None, actions=len(run.verdicts), candidates=counts["fake"] + counts["doubtful"],
                           edges=counts["fake"], seconds=seconds)
    m = run.model
    if m is not None and m.weights is not None and m.shrink is None:  # learning did not beat the defaults
        how = (f"Default weights kept: learned from {m.labels} analyst labels, no weights did clearly better "
               f"on held-out labels (F1 of fake {_f1(m.cv_f1_default)}, {m.folds} folds).")
    elif m is not None and m.weights is not None:
        how = (f"Weights learned from {m.labels} analyst labels: held-out F1 of fake {_f1(m.cv_f1)}, "
               f"against {_f1(m.cv_f1_default)} with the defaults ({m.folds} folds).")
    elif m is not None:
        how = (f"Weights learned from {m.labels} analyst labels; cross-validated accuracy "
               f"{m.cv_accuracy:.0%} ({m.folds} folds).")
    else:
        how = "Default weights (docs/verdicts.md)" + (
            f"; {run.labels} analyst labels are too few to learn from." if run.labels else ".")
    summary.top = [f"{counts['fake']:,} accounts judged fake, {counts['doubtful']:,} doubtful, "
                   f"{counts['unlikely']:,} unlikely. {how}"]
    return summary


def _f1(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
