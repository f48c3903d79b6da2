"""Learned weights pulled towards the defaults: a few labels never make the verdicts worse."""

from __future__ import annotations

import numpy as np
import pytest

from trollscan.errors import BadParameter
from trollscan.evidence import evidence_table
from trollscan.report.shrinkage import clearly_better, fit_weights, noisy_or
from trollscan.report.verdicts import DEFAULT_WEIGHTS, account_features, fit_model, judge, weights_for


def row(detector, account, strength):
    return {"detector": detector, "platform": "vk", "account_ids": [account], "strength": strength,
            "item_ids": [], "sentence": f"{account}: {detector}", "details": "{}"}


def _case(n=90, seed=5, fakes_have_hours=True):
    """Fakes: a stolen photo and a bursty creation; reals: sometimes a photo match, sometimes a burst."""
    rng = np.random.default_rng(seed)
    rows, labels = [], {}
    for i in range(n):
        fake, a = i % 3 == 0, f"acc{i:03d}"
        if fake or rng.random() < 0.15:
            rows.append(row("photos.same_photo", a, 0.95))
        if fake or rng.random() < 0.15:
            rows.append(row("signals.creation_burst", a, 0.9))
        if (fake and fakes_have_hours) or rng.random() < 0.1:
            rows.append(row("signals.working_hours", a, 0.9))
        labels[("vk", a)] = fake
    return account_features(evidence_table(rows)), labels


def test_defaults_are_kept_when_learning_cannot_beat_them_on_held_out_labels():
    features, labels = _case()
    model = fit_model(features, labels, seed=1)
    assert model.weights is not None and model.cv_f1 >= model.cv_f1_default
    if model.shrink is None:
        assert model.weights == {d: round(w, 4) for d, w in zip(features.detectors, weights_for(features.detectors))}


def test_learning_is_chosen_when_the_defaults_miss_what_the_labels_show():
    # fakes show office hours and a thin profile together, real people one or the other: the
    # defaults (0.4, 0.3) never reach `fake`, weights learned from the labels do
    rows, labels = [], {}
    rng = np.random.default_rng(2)
    for i in range(60):
        fake, a = i % 3 == 0, f"a{i:02d}"
        if fake:
            rows += [row("signals.working_hours", a, 0.9), row("signals.thin_profile", a, 0.9)]
        elif rng.random() < 0.6:
            rows.append(row(rng.choice(["signals.working_hours", "signals.thin_profile"]), a, 0.9))
        labels[("vk", a)] = fake
    features = account_features(evidence_table(rows))
    model = fit_model(features, labels, seed=1)
    assert model.cv_f1_default == 0.0 and model.shrink is not None and model.cv_f1 > 0.8
    assert model.weights["signals.working_hours"] > DEFAULT_WEIGHTS["signals.working_hours"]
    v = {x["account_id"]: x for x in judge(features, model=model)}
    assert v["a00"]["label"] == "fake" and v["a00"]["reasons"][0] in ("a00: signals.working_hours",
                                                                       "a00: signals.thin_profile")
    assert all(v[a]["label"] != "fake" for (_p, a), f in labels.items() if not f and a in v)


def test_a_strong_pull_keeps_the_weights_near_the_defaults_and_a_weak_one_follows_the_labels():
    rng = np.random.default_rng(0)
    x = rng.random((80, 2)) * (rng.random((80, 2)) < 0.5)
    y = (x[:, 0] > 0.5).astype(float)
    w0 = np.array([0.3, 0.3])
    family = np.array([0, 1])
    strong = fit_weights(x, y, w0, family, 2, 100.0)
    weak = fit_weights(x, y, w0, family, 2, 0.001)
    assert np.abs(strong - w0).max() < 0.02
    assert weak[0] > 0.6 and weak[1] < 0.3
    score, _strongest, _best = noisy_or(x, weak, family, 2)
    assert np.allclose(score, 1 - (1 - x[:, 0] * weak[0]) * (1 - x[:, 1] * weak[1]))


def test_the_plain_logistic_regression_is_still_available_and_methods_are_checked():
    features, labels = _case()
    assert fit_model(features, labels, method="logistic").weights is None
    with pytest.raises(BadParameter, match="'method' parameter of fit_model"):
        fit_model(features, labels, method="svm")


def test_learning_is_seeded():
    features, labels = _case()
    a, b = fit_model(features, labels, seed=1), fit_model(features, labels, seed=1)
    assert (a.shrink, a.cv_f1, a.weights) == (b.shrink, b.cv_f1, b.weights)


def test_learned_weights_must_win_clearly_not_by_one_account():
    before = np.ones(300, bool)
    one = before.copy()
    one[:1] = True
    before[:1] = False  # the learned weights get one more label right: noise
    assert clearly_better(one, before) == (1, 0, False)
    many = np.ones(300, bool)
    before[:12] = False
    many[290:] = False  # 12 wins, 10 losses: still noise
    assert clearly_better(many, before)[2] is False
    before[:40] = False
    assert clearly_better(many, before) == (40, 10, True)  # 30 >= 2 * sqrt(50)
