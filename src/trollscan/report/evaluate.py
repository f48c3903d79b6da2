"""How well the case's findings match a known truth (a simulation's truth.csv or analyst labels).

With verdicts, an account counts as flagged when its verdict is `fake` and is ranked by the
verdict's score; its independent reasons are the detectors behind its verdict's reasons, less the
derived ones (groups). Without verdicts, an account's score is the strongest finding that names it
(0 when none does) and it counts as flagged when any finding names it.
"""

from __future__ import annotations

import numpy as np

from ..clusters import score_groups
from .verdicts import independent_reasons

__all__ = ["evaluate", "roc_auc"]


def roc_auc(scores: np.ndarray, positive: np.ndarray) -> float | None:
    """Area under the ROC curve (the Mann-Whitney U statistic, ties counted half)."""
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if not n_pos or not n_neg:
        return None
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    # average ranks of ties
    starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
    ends = np.r_[starts[1:], len(scores)]
    for s, e in zip(starts, ends):
        ranks[order[s:e]] = (s + e + 1) / 2
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def evaluate(truth: list[dict], findings: list[dict], members: list[dict], *, top: int = 100,
             verdicts: list[dict] | None = None) -> dict:
    """Scores of the findings against `truth` rows (platform, account_id, is_fake, and optionally
    operator, farm).

    `findings`: rows (platform, account_id, score, detectors) per account named by evidence;
    `members`: rows (group_id, platform, account_id) of the groups found. With `verdicts` (rows
    platform, account_id, score, label, detectors, group_id), an account is flagged when its
    verdict is `fake`, ranked by the verdict's score, and its reasons are the verdict's.
    """
    key = lambda r: (r["platform"], str(r["account_id"]))  # noqa: E731
    keys = [key(r) for r in truth]
    positive = np.array([str(r["is_fake"]).lower() in ("1", "true", "fake") for r in truth])
    if verdicts:
        found = {key(v): v for v in verdicts if v["label"] == "fake"}
        judged = {key(v): v for v in verdicts}
        scores = np.array([float(judged[k]["score"]) if k in judged else 0.0 for k in keys])
        members = [{"group_id": v["group_id"], "platform": v["platform"], "account_id": v["account_id"]}
                   for v in verdicts if v.get("group_id") is not None]
    else:
        found = {key(f): f for f in findings}
        scores = np.array([float(found[k]["score"]) if k in found else 0.0 for k in keys])
    flagged = np.array([k in found for k in keys])
    tp = int((flagged & positive).sum())
    precision = tp / flagged.sum() if flagged.sum() else 0.0
    recall = tp / positive.sum() if positive.sum() else 0.0
    ranked = sorted(range(len(keys)), key=lambda i: (-scores[i], keys[i]))[:top]
    reasons = [independent_reasons(found[k]["detectors"]) >= 2 for k, p, f in zip(keys, positive, flagged) if p and f]
    out = {
        "accounts": len(keys), "fakes": int(positive.sum()), "flagged": int(flagged.sum()), "true_positives": tp,
        "precision": precision, "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "roc_auc": roc_auc(scores, positive),
        f"precision_at_{top}": float(positive[ranked].mean()) if ranked else 0.0,
        "tp_with_two_reasons": float(np.mean(reasons)) if reasons else 0.0,
    }
    if verdicts:
        judged_labels = [judged[k]["label"] for k in keys if k in judged]
        out["doubtful"] = judged_labels.count("doubtful")
        out["fakes_doubtful"] = int(sum(1 for k, p in zip(keys, positive) if p and k in judged
                                        and judged[k]["label"] == "doubtful"))
    if members and any("operator" in r for r in truth):
        groups = score_groups(truth, members)
        out.update({"groups": len({m["group_id"] for m in members}), "ari_operator": groups["ari_operator"],
                    "ari_farm": groups["ari_farm"]})
    return out
