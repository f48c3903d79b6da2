"""Whose photo, under whose name: the display name against the photo's real owner."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from trollscan.errors import BadParameter
from trollscan.evidence import evidence_table
from trollscan.report.verdicts import account_features, family_of, judge
from trollscan.signals import SIGNALS, run_signal
from trollscan.signals.names import compare_names, gallery_owner, name_photo_mismatch


def _accounts(rows):
    return pa.Table.from_pylist([{"platform": "vk", "account_id": a, "handle": h, "name": n} for a, h, n in rows])


ACCOUNTS = _accounts([("fake1", "aisulu_8080", "Айсулу Нурланова"), ("irina", "irina.st", "Irina Stepanova"),
                      ("fake2", None, "Ирина Степанова"), ("fake3", "saule_1", "Сауле Касымова"),
                      ("cousin", "irina_k", "Ирина Кузнецова")])


def _same_photo(copy, original, strength=1.0):
    return {"detector": "photos.same_photo", "platform": "vk", "account_ids": [copy] if original else [copy, "x"],
            "strength": strength, "item_ids": [f"m-{copy}", f"m-{original}"], "sentence": "same photo",
            "details": json.dumps({"original_account": original})}


def _gallery(account, label):
    return {"detector": "photos.gallery", "platform": "vk", "account_ids": [account], "strength": 1.0,
            "item_ids": [f"m-{account}"], "sentence": "gallery", "details": json.dumps({"label": label})}


def test_names_compare_across_scripts_word_order_and_feminine_endings():
    assert compare_names("Ирина Степанова", "Irina Stepanova") == "same"
    assert compare_names("Stepanova Irina", "Ирина Степанова") == "same"
    assert compare_names("Нурлан Нурланов", "Nurlan Nurlanova") == "same"
    assert compare_names("Айсулу Нурланова", "Irina Stepanova") == "unrelated"
    assert compare_names("Ирина Кузнецова", "Irina Stepanova") == "partial"
    assert compare_names("", "Irina Stepanova") is None and compare_names("Irina", None) is None


def test_gallery_labels_name_an_owner_only_when_they_say_so():
    assert gallery_owner("real owner: Irina Stepanova") == "Irina Stepanova"
    assert gallery_owner("Владелец: Сауле К.") == "Сауле К."
    assert gallery_owner("stock photo from shutterstock") is None and gallery_owner(None) is None


def test_a_stolen_photo_under_another_name_and_an_impersonation_are_said_differently():
    ev = evidence_table([_same_photo("fake1", "irina"), _same_photo("fake2", "irina", 0.9),
                         _same_photo("cousin", "irina")])
    out = {r["account_ids"][0]: r for r in name_photo_mismatch(ACCOUNTS, ev).to_pylist()}
    assert set(out) == {"fake1", "fake2"}  # the cousin shares only a first name: no finding
    assert out["fake1"]["sentence"] == "@aisulu_8080 uses a photo of Irina Stepanova (@irina.st) under the name Айсулу Нурланова."
    assert out["fake2"]["sentence"] == ("Ирина Степанова uses the photo and the name of Irina Stepanova (@irina.st): "
                                        "it may impersonate them.")
    assert json.loads(out["fake2"]["details"])["relation"] == "same"
    assert out["fake1"]["strength"] == pytest.approx(0.8) and out["fake2"]["strength"] == pytest.approx(0.81)
    assert out["fake1"]["item_ids"] == ["m-fake1", "m-irina"] and out["fake1"]["detector"] == "signals.name_photo_mismatch"


def test_no_finding_when_the_copy_is_not_known_or_the_gallery_names_no_one():
    ev = evidence_table([_same_photo("fake1", None), _gallery("fake3", "stock photo")])
    assert name_photo_mismatch(ACCOUNTS, ev).num_rows == 0
    assert name_photo_mismatch(ACCOUNTS, None).num_rows == 0


def test_a_gallery_owner_is_compared_with_the_display_name():
    ev = evidence_table([_gallery("fake3", "real owner: Irina Stepanova"), _gallery("fake2", "real owner: Irina Stepanova")])
    out = {r["account_ids"][0]: r["sentence"] for r in name_photo_mismatch(ACCOUNTS, ev).to_pylist()}
    assert out["fake3"] == "@saule_1 uses a photo of Irina Stepanova (a gallery photo) under the name Сауле Касымова."
    assert out["fake2"].startswith("Ирина Степанова uses the photo and the name of Irina Stepanova (a gallery photo)")


def test_the_signal_is_registered_reads_photo_evidence_and_checks_its_option():
    assert SIGNALS["name_photo_mismatch"].reads == ("accounts", "photo_evidence")
    ev = evidence_table([_same_photo("fake1", "irina")])
    assert run_signal(SIGNALS["name_photo_mismatch"], {"accounts": ACCOUNTS, "photo_evidence": ev}).num_rows == 1
    with pytest.raises(BadParameter, match="'min_similarity' parameter of name_photo_mismatch"):
        name_photo_mismatch(ACCOUNTS, ev, min_similarity=2)


def test_the_name_finding_is_part_of_the_photo_fact_not_a_second_reason():
    assert family_of("signals.name_photo_mismatch") == family_of("photos.same_photo") == "photos"
    photo = _same_photo("fake1", "irina")
    names = name_photo_mismatch(ACCOUNTS, evidence_table([photo])).to_pylist()
    (v,) = [v for v in judge(account_features(evidence_table([photo] + names))) if v["account_id"] == "fake1"]
    (alone,) = [v for v in judge(account_features(evidence_table([photo]))) if v["account_id"] == "fake1"]
    assert v["score"] == alone["score"] and v["label"] != "fake"  # one fact: no higher score, not two reasons
    assert "signals.name_photo_mismatch" in v["detectors"]  # but the names are shown as a reason
