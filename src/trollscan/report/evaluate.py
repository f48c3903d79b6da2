"""How well the case's findings match a known truth (a simulation's truth.csv or analyst labels).

Until per-account verdicts exist, an account's score is the strongest finding that names it
(0 when none does) and it counts as flagged when any finding names it.
"""

from __future__ import annotations

import numpy as np

from ..clusters import score_groups

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


def evaluate(truth: list[dict], findings: list[dict], members: list[dict], *, top: int = 100) -> dict:
    """Scores of the findings against `truth` rows (platform, account_id, is_fake, and optionally
    operator, farm).

    `findings`: rows (platform, account_id, score, detectors) per account named by evidence;
    `members`: rows (group_id, platform, account_id) of the groups found.
    """
    key = lambda r: (r["platform"], str(r["account_id"]))  # noqa: E731
    found = {key(f): f for f in findings}
    keys = [key(r) for r in truth]
    positive = np.array([str(r["is_fake"]).lower() in ("1", "true", "fake") for r in truth])
    scores = np.array([float(found[k]["score"]) if k in found else 0.0 for k in keys])
    flagged = np.array([k in found for k in keys])
    tp = int((flagged & positive).sum())
    precision = tp / flagged.sum() if flagged.sum() else 0.0
    recall = tp / positive.sum() if positive.sum() else 0.0
    ranked = sorted(range(len(keys)), key=lambda i: (-scores[i], keys[i]))[:top]
    reasons = [len([d for d in found[k]["detectors"] if d != "groups"]) >= 2
               for k, p, f in zip(keys, positive, flagged) if p and f]
    out = {
        "accounts": len(keys), "fakes": int(positive.sum()), "flagged": int(flagged.sum()), "true_positives": tp,
        "precision": precision, "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "roc_auc": roc_auc(scores, positive),
        f"precision_at_{top}": float(positive[ranked].mean()) if ranked else 0.0,
        "tp_with_two_reasons": float(np.mean(reasons)) if reasons else 0.0,
    }
    if members and any("operator" in r for r in truth):
        groups = score_groups(truth, members)
        out.update({"groups": len({m["group_id"] for m in members}), "ari_operator": groups["ari_operator"],
                    "ari_farm": groups["ari_farm"]})
    return out
