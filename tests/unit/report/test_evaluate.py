import numpy as np
import pytest

from trollscan.report.evaluate import evaluate, roc_auc


def test_roc_auc_counts_ties_as_half() -> None:
    assert roc_auc(np.array([0.9, 0.8, 0.1, 0.1]), np.array([True, True, False, False])) == 1.0
    assert roc_auc(np.array([0.5, 0.5]), np.array([True, False])) == 0.5
    assert roc_auc(np.array([0.1, 0.9]), np.array([True, False])) == 0.0
    assert roc_auc(np.array([0.1]), np.array([True])) is None


def test_evaluate_scores_flags_and_groups_against_the_truth() -> None:
    truth = [{"platform": "vk", "account_id": str(i), "is_fake": i < 4, "operator": "op1" if i < 2 else "op2" if i < 4 else "",
              "farm": "f" if i < 4 else ""} for i in range(10)]
    findings = [{"platform": "vk", "account_id": "0", "score": 0.9, "detectors": ["coaction.co_reply", "coaction.co_text"]},
                {"platform": "vk", "account_id": "1", "score": 0.8, "detectors": ["coaction.co_reply"]},
                {"platform": "vk", "account_id": "2", "score": 0.7, "detectors": ["coaction.co_reply", "groups"]},
                {"platform": "vk", "account_id": "9", "score": 0.2, "detectors": ["coaction.shared_ip"]}]
    members = [{"group_id": 1, "platform": "vk", "account_id": a} for a in ("0", "1")]
    f = evaluate(truth, findings, members, top=3)
    assert (f["fakes"], f["flagged"], f["true_positives"]) == (4, 4, 3)
    assert f["precision"] == pytest.approx(0.75) and f["recall"] == pytest.approx(0.75)
    assert f["precision_at_3"] == 1.0
    assert f["tp_with_two_reasons"] == pytest.approx(1 / 3)  # "groups" is not an independent reason
    assert f["groups"] == 1
