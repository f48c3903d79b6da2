"""Verdicts from evidence: scores, labels, ranked reasons, learned weights, analyst labels."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from trollscan.errors import BadParameter
from trollscan.evidence import evidence_table
from trollscan.store.results import write_results
from trollscan.store.verdicts import write_verdicts
from trollscan.report.verdicts import (DEFAULT_WEIGHTS, account_features, family_of, fit_model, independent_reasons,
                                       judge, weights_for)


def row(detector, accounts, strength, sentence, items=("i1",)):
    return {"detector": detector, "platform": "vk", "account_ids": list(accounts), "strength": strength,
            "item_ids": list(items), "sentence": sentence, "details": "{}"}


def by_account(verdicts):
    return {v["account_id"]: v for v in verdicts}


def test_findings_of_one_detector_combine_as_independent_chances():
    f = account_features(evidence_table([row("coaction.co_reply", "ab", 0.5, "a and b"),
                                         row("coaction.co_reply", "ac", 0.5, "a and c")]))
    assert f.keys == [("vk", "a"), ("vk", "b"), ("vk", "c")]
    assert f.x[0, 0] == pytest.approx(0.75) and f.x[1, 0] == pytest.approx(0.5)
    assert f.findings[(0, 0)] == 2


def test_weights_match_the_longest_prefix():
    w = weights_for(["coaction.shared_ip", "coaction.co_reply", "photos.mirrored_avatar", "mystery"])
    assert list(w) == [DEFAULT_WEIGHTS["coaction.shared_ip"], DEFAULT_WEIGHTS["coaction."],
                       DEFAULT_WEIGHTS["photos."], DEFAULT_WEIGHTS[""]]


def test_two_independent_reasons_make_fake_and_one_at_most_doubtful():
    ev = evidence_table([row("coaction.shared_ip", "ab", 1.0, "a and b wrote from one IP."),
                         row("signals.friends_burst", "a", 1.0, "a added all friends in Feb."),
                         row("groups", "ab", 1.0, "a and b act as one group.")])
    v = by_account(judge(account_features(ev)))
    assert v["a"]["label"] == "fake"
    assert v["a"]["reasons"][:2] == ["a and b wrote from one IP.", "a added all friends in Feb."]
    assert v["a"]["detectors"][:2] == ["coaction.shared_ip", "signals.friends_burst"]
    assert v["b"]["score"] >= 0.75 and v["b"]["label"] == "doubtful"  # one kind of evidence plus its group
    assert independent_reasons(v["b"]["detectors"]) == 1


def test_weak_signs_alone_stay_unlikely_and_give_no_reasons():
    v = judge(account_features(evidence_table([row("signals.username_pattern", "a", 0.8, "name plus digits")])))
    assert v[0]["label"] == "unlikely" and v[0]["reasons"] == []


def test_every_account_gets_a_verdict_even_without_findings():
    v = judge(account_features(evidence_table([]), [("vk", "quiet")]))
    assert v == [{"platform": "vk", "account_id": "quiet", "score": 0.0, "label": "unlikely", "reasons": [],
                  "detectors": [], "item_ids": []}]


def test_context_findings_count_only_beside_other_evidence():
    ev = evidence_table([row("relations.mutual", "ab", 1.0, "a and b are friends."),
                         row("signals.creation_burst", "a", 1.0, "a was created in a burst.")])
    v = by_account(judge(account_features(ev)))
    assert v["b"]["score"] == 0.0 and v["b"]["reasons"] == []
    assert "a and b are friends." in v["a"]["reasons"]


def test_the_analyst_label_wins_and_comes_first():
    ev = evidence_table([row("coaction.shared_ip", "ab", 1.0, "one IP."), row("text.same_words", "ab", 1.0, "same words.")])
    v = by_account(judge(account_features(ev), analyst={("vk", "a"): ("real", "my colleague"), ("vk", "c"): ("fake", "")}))
    assert v["a"]["label"] == "unlikely"
    assert v["a"]["reasons"][0] == "An analyst labelled this account real: my colleague"
    assert v["b"]["label"] == "fake"


def test_thresholds_are_checked():
    with pytest.raises(BadParameter, match="Thresholds"):
        judge(account_features(evidence_table([])), fake_at=0.3, doubtful_at=0.6)


def _labelled_case(n=60, seed=3):
    rng = np.random.default_rng(seed)
    rows, labels = [], {}
    for i in range(n):
        fake = i % 3 == 0
        account = f"acc{i:02d}"
        if fake or rng.random() < 0.2:
            rows.append(row("signals.target_concentration", [account], 0.9, f"{account} comments only on pages"))
        if fake:
            rows.append(row("signals.working_hours", [account], 0.8, f"{account} works office hours"))
        if rng.random() < 0.5:
            rows.append(row("signals.username_pattern", [account], 0.6, f"{account} has digits"))
        labels[("vk", account)] = fake
    return account_features(evidence_table(rows)), labels


def test_learned_weights_favour_what_separates_the_labels_and_report_cv_accuracy():
    features, labels = _labelled_case()
    model = fit_model(features, labels, folds=5, seed=1, method="logistic")
    coef = dict(zip(model.detectors, model.coef))
    assert coef["signals.working_hours"] > coef["signals.username_pattern"]
    assert model.labels == 60 and model.fakes == 20 and model.folds == 5
    assert model.cv_accuracy >= 0.9
    v = by_account(judge(features, model=model))
    assert v["acc00"]["label"] == "fake" and v["acc00"]["reasons"][0] == "acc00 works office hours"
    assert all(v[a]["label"] != "fake" for (_p, a), fake in labels.items() if not fake and a in v)
    assert fit_model(features, labels, seed=1, method="logistic").cv_accuracy == model.cv_accuracy  # seeded folds


def test_too_few_labels_learn_nothing():
    features, labels = _labelled_case()
    few = dict(list(labels.items())[:8])
    assert fit_model(features, few) is None


def test_the_same_words_found_by_two_detectors_are_one_kind_of_evidence():
    ev = evidence_table([row("coaction.same_text", "ab", 1.0, "a and b wrote the same words."),
                         row("text.same_text", "ab", 1.0, "a and b wrote the same comment.")])
    v = by_account(judge(account_features(ev)))
    assert set(v["a"]["detectors"]) == {"coaction.same_text", "text.same_text"}  # both still shown as reasons
    assert independent_reasons(v["a"]["detectors"]) == 1 and v["a"]["label"] == "doubtful"
    # within a family the strongest counts, not the product of the two
    assert v["a"]["score"] == pytest.approx(DEFAULT_WEIGHTS["coaction.same_text"])


def test_families_group_detectors_that_see_one_fact():
    assert family_of("coaction.co_text") == family_of("text.near_duplicate") == "text"
    assert family_of("coaction.co_reply") == family_of("coaction.co_url") == "timing"
    assert family_of("coaction.shared_ip") == "infrastructure" and family_of("photos.gallery") == "photos"
    assert family_of("signals.account_age") == family_of("signals.creation_burst") == "creation"
    assert family_of("relations.mutual") == family_of("coaction.shared_groups") == "context"
    assert family_of("mystery.detector") == "mystery.detector"
    assert independent_reasons(["coaction.co_reply", "coaction.co_share", "groups", "analyst"]) == 1
    assert independent_reasons(["coaction.co_reply", "photos.same_photo", "signals.working_hours"]) == 3


def test_one_ip_and_friendship_is_not_two_independent_kinds_of_evidence():
    ev = evidence_table([row("coaction.shared_ip", "ab", 1.0, "a and b wrote from one IP."),
                         row("relations.mutual", "ab", 1.0, "a and b are friends.")])
    v = by_account(judge(account_features(ev)))
    assert v["a"]["score"] >= 0.75 and v["a"]["label"] == "doubtful"
    assert independent_reasons(v["a"]["detectors"]) == 1


def _verdict(account, label="fake"):
    return {"platform": "vk", "account_id": account, "score": 0.9, "label": label, "reasons": ["r"], "group_id": 1}


def test_write_verdicts_replaces_the_previous_run_in_one_transaction(case):
    def state():
        return (case.con.execute("SELECT run_id, detector, rows FROM runs ORDER BY ALL").fetchall(),
                case.con.execute("SELECT run_id, account_id FROM verdicts ORDER BY ALL").fetchall(),
                case.con.execute("SELECT run_id, account_ids FROM evidence ORDER BY ALL").fetchall())

    ev = evidence_table([row("verdicts", "a", 0.9, "Judged fake.")])
    write_verdicts(case, [_verdict("a")], ev, params={}, input_hash="h", seconds=0.1)
    run = write_verdicts(case, [_verdict("a"), _verdict("b")], ev, params={}, input_hash="h", seconds=0.1)
    assert state() == ([(run - 1, "verdicts", 2), (run, "verdicts", 3)], [(run, "a"), (run, "b")], [(run, ["a"])])
    before = state()
    with pytest.raises(duckdb.ConstraintException):  # a label is required: the insert fails half-way
        write_verdicts(case, [_verdict("c"), _verdict("d", label=None)], ev, params={}, input_hash="h", seconds=0.1)
    assert state() == before
    with pytest.raises(BadParameter, match="cannot write table 'accounts'"):
        write_results(case, detector="x", params={}, input_hash="h", seconds=0.0, edges=None, evidence=ev,
                      extra={"accounts": pa.table({"platform": ["vk"]})})
    assert state() == before


def test_a_weak_finding_is_a_reason_but_not_the_second_kind_of_evidence_for_fake():
    strong_photo = row("photos.same_photo", "ab", 1.0, "a and b use one photo")
    loose_text = row("text.near_duplicate", "ab", 0.26, "a loose family of common phrases")
    v = by_account(judge(account_features(evidence_table([strong_photo, loose_text]))))
    assert v["a"]["label"] == "doubtful" and len(v["a"]["reasons"]) == 2
    firm_text = row("text.near_duplicate", "ab", 0.6, "nearly the same words, 12 times")
    v = by_account(judge(account_features(evidence_table([strong_photo, firm_text]))))
    assert v["a"]["label"] == "fake"
