"""Learning the default model's weights from a few analyst labels without making it worse.

The default verdict model (report/verdicts.py) scores an account as

    score = 1 - product over families of (1 - max over the family's detectors of w_d * x_d)

with documented weights w0. Here the same model learns its weights from labels: it minimises the
log loss of `score` on the labelled accounts plus `shrink * sum((w - w0)^2)`, an L2 penalty
centred on the defaults, so a detector the labels say little about keeps its default weight.
The pull (`shrink`) is chosen by cross-validation on the labels, among a grid that includes
keeping the defaults as they are (infinite pull), together with the score from which an account
is fake (the default 0.75, or 0.5: learned weights make the score nearer a probability): the
held-out F1 of `fake` (the label rule of the verdicts: score and two independent families) picks
the best learned candidate, which replaces the defaults only when it did clearly better on labels
it had not seen (a higher F1, and a McNemar test on the labels the two call differently).

Pure numpy functions over arrays; report/verdicts.py prepares them.
"""

from __future__ import annotations

import numpy as np

__all__ = ["noisy_or", "fake_rule", "fit_weights", "choose_shrink", "clearly_better", "f1_of", "SHRINK_GRID"]

SHRINK_GRID = (10.0, 1.0, 0.1, 0.01)  # pulls towards the defaults tried, besides keeping them
_W_MAX = 0.99


def noisy_or(x: np.ndarray, w: np.ndarray, family: np.ndarray, n_families: int) -> tuple[np.ndarray, np.ndarray,
                                                                                          np.ndarray]:
    """(score, the strongest part per family, the column that gave it) for findings `x`
    (accounts x detectors), weights `w` and each detector's family code."""
    part = x * w
    strongest = np.zeros((len(x), n_families))
    best = np.full((len(x), n_families), -1, np.int64)
    for j, f in enumerate(family):
        better = part[:, j] > strongest[:, f]
        strongest[better, f] = part[better, j]
        best[better, f] = j
    score = 1 - np.prod(1 - strongest, axis=1)
    return score, strongest, best


def fake_rule(score: np.ndarray, strongest: np.ndarray, independent: np.ndarray, *, fake_at: float,
              min_independent: int, min_part: float) -> np.ndarray:
    """Which accounts the verdicts would call fake: score at least `fake_at` and at least
    `min_independent` independent families each adding `min_part` or more."""
    return (score >= fake_at) & ((strongest[:, independent] >= min_part).sum(axis=1) >= min_independent)


def f1_of(predicted: np.ndarray, y: np.ndarray) -> float:
    tp = float((predicted & (y == 1)).sum())
    denom = float(predicted.sum() + (y == 1).sum())
    return 2 * tp / denom if denom else 1.0


def fit_weights(x: np.ndarray, y: np.ndarray, w0: np.ndarray, family: np.ndarray, n_families: int, shrink: float,
                *, steps: int = 400, rate: float = 0.05) -> np.ndarray:
    """Weights minimising the mean log loss of the noisy-or score on (x, y) plus
    `shrink * sum((w - w0)^2)`, by projected gradient descent (Adam) from w0, kept in [0, 0.99]."""
    w = w0.astype(float).copy()
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    rows = np.arange(len(x))
    for t in range(1, steps + 1):
        score, strongest, best = noisy_or(x, w, family, n_families)
        s = np.clip(score, 1e-6, 1 - 1e-6)
        dloss = -(y * (1 - s) / s - (1 - y))  # d loss / d w_j = dloss * x_j / (1 - m_f), j the family's best
        grad = np.zeros_like(w)
        for f in range(n_families):
            j = best[:, f]
            has = j >= 0
            if not has.any():
                continue
            g = dloss[has] * x[rows[has], j[has]] / (1 - strongest[has, f])
            np.add.at(grad, j[has], g)
        grad = grad / max(len(x), 1) + 2 * shrink * (w - w0)
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad ** 2
        w = np.clip(w - rate * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8), 0.0, _W_MAX)
    return w


def choose_shrink(x: np.ndarray, y: np.ndarray, w0: np.ndarray, family: np.ndarray, n_families: int,
                  independent: np.ndarray, fold: np.ndarray, k: int, *, grid: tuple[float, ...] = SHRINK_GRID,
                  fake_at: float, learned_fake_at: tuple[float, ...] = (), min_independent: int,
                  min_part: float, min_z: float = 2.0) -> tuple[tuple[float | None, float], dict]:
    """The pull towards the defaults, and the score from which an account is fake. Candidates:
    each pull of `grid` with `fake_at` or one of `learned_fake_at` (learned weights make the score
    nearer a probability, so 0.5 can suit them); the one with the best held-out F1 of `fake`
    (pooled over the `k` folds; ties to stronger pulls and higher thresholds) is chosen over the
    defaults themselves (pull None, `fake_at`) only when its F1 is higher and, of the held-out
    labels the two call differently, it gets right clearly more than it gets wrong (McNemar:
    wins - losses >= `min_z` * sqrt(wins + losses)); one account's difference is noise. Also
    returns, per candidate, the held-out F1 and accuracy."""
    results: dict = {}
    predictions: dict = {}
    thresholds = sorted({fake_at, *learned_fake_at}, reverse=True)
    for shrink in (None, *sorted(grid, reverse=True)):
        scores = np.zeros(len(y))
        strongest = np.zeros((len(y), n_families))
        for f in range(k):
            train, test = fold != f, fold == f
            w = w0 if shrink is None else fit_weights(x[train], y[train], w0, family, n_families, shrink)
            scores[test], strongest[test], _best = noisy_or(x[test], w, family, n_families)
        for at in ([fake_at] if shrink is None else thresholds):
            predicted = fake_rule(scores, strongest, independent, fake_at=at, min_independent=min_independent,
                                  min_part=min_part)
            results[(shrink, at)] = {"f1": f1_of(predicted, y), "accuracy": float((predicted == (y == 1)).mean())}
            predictions[(shrink, at)] = predicted
    default = (None, fake_at)
    best = default
    for candidate, r in results.items():
        if candidate != default and (best == default or r["f1"] > results[best]["f1"] + 1e-9):
            best = candidate
    # learned weights replace the defaults only when they get clearly more held-out labels right
    # (McNemar's test: of the labels the two disagree on, the learned side must win by z >= min_z)
    wins, losses, clear = clearly_better(predictions[best] == (y == 1), predictions[default] == (y == 1), min_z=min_z)
    for r in (results[best], results[default]):
        r.update(wins=wins, losses=losses)
    return (best if clear and results[best]["f1"] > results[default]["f1"] + 1e-9 else default), results


def clearly_better(right: np.ndarray, right_before: np.ndarray, *, min_z: float = 2.0) -> tuple[int, int, bool]:
    """McNemar's test on paired calls: (wins, losses, clear), where wins are the cases `right` gets
    right and `right_before` wrong, losses the reverse, and clear means wins - losses >= `min_z` *
    sqrt(wins + losses) with at least one more win than losses."""
    wins, losses = int((right & ~right_before).sum()), int((~right & right_before).sum())
    return wins, losses, bool(wins > losses and wins - losses >= min_z * np.sqrt(wins + losses))
