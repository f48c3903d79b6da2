"""Whom a group praises and whom it attacks, in its profile."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa

from trollscan.report.profiles import group_profiles, praise_and_attack
from trollscan.text.tone import read_tone

T = datetime(2019, 2, 4, 5)


def _group(rows):
    members = pa.table({"group_id": [1, 1], "platform": ["vk"] * 2, "account_id": ["a", "b"], "label": ["fake"] * 2})
    accounts = pa.table({"platform": ["vk"] * 2, "account_id": ["a", "b"],
                         "created_at": pa.array([datetime(2018, 8, 3)] * 2)})
    items = pa.Table.from_pylist([{"platform": "vk", "account_id": a, "item_id": f"i{k}", "kind": kind,
                                   "created_at": T + timedelta(hours=k), "target_id": target,
                                   "parent_account_id": target, "text": text}
                                  for k, (a, kind, target, text) in enumerate(rows)])
    return members, accounts, items


def test_profile_names_the_pages_a_group_praises_and_attacks_with_counts_examples_and_dates():
    rows = ([("a", "comment", "nurotan", "Поддерживаю! Молодцы 👍")] * 4 + [("b", "comment", "nurotan", "Погода")] * 2
            + [("a", "comment", "critic", "Позор, хватит врать")] * 3 + [("b", "comment", "critic", "Спасибо")]
            + [("b", "reaction", "critic", None)] * 5 + [("a", "comment", "a", "Спасибо всем")] * 3)
    (p,) = group_profiles(*_group(rows), names={("vk", "nurotan"): "Nur Otan", ("vk", "critic"): "Сушим болото"})
    tone = p["tone"]
    (praised,) = tone["praises"]
    assert (praised["target"], praised["name"], praised["comments"], praised["praise"], praised["attack"]) == \
        ("nurotan", "Nur Otan", 6, 4, 0)
    assert praised["share"] == round(4 / 6, 3) and praised["examples"] == ["i0", "i1", "i2"]
    assert praised["words"] == ["молодц", "поддерж", "👍"]  # the words that decided them, most frequent first
    (attacked,) = tone["attacks"]
    assert (attacked["target"], attacked["attack"], attacked["praise"], attacked["comments"]) == ("critic", 3, 1, 4)
    assert attacked["first"] == "4 Feb 2019"
    # the group's own posts are nobody else's page; reactions carry no words
    assert tone["comments"] == 10
    assert tone["sentence"].startswith("From 4 Feb 2019, the group praised Nur Otan most (4 of its 6 comments there, 67%")
    assert "attacked Сушим болото most (3 of its 4 comments there, 75%" in tone["sentence"]


def test_a_target_needs_enough_toned_comments_and_a_majority_to_be_listed():
    comments = [("p", read_tone("Спасибо"), "1", 0), ("p", read_tone("Спасибо"), "2", 10),
                ("q", read_tone("Позор"), "3", 20), ("q", read_tone("Позор"), "4", 30), ("q", read_tone("Позор"), "5", 40),
                ("q", read_tone("Спасибо"), "6", 50), ("q", read_tone("Спасибо"), "7", 60),
                ("q", read_tone("Спасибо"), "8", 70)]
    out = praise_and_attack(comments)
    assert out["praises"] == [] and out["attacks"] == []  # p: 2 < 3 comments; q: a tie
    assert "sentence" not in out and (out["praise"], out["attack"]) == (5, 3)


def test_items_without_text_give_no_tone_section():
    rows = [("a", "comment", "nurotan", "Поддерживаю!")] * 4
    members, accounts, items = _group(rows)
    (p,) = group_profiles(members, accounts, items.drop_columns(["text"]))
    assert "tone" not in p


def test_a_page_praised_in_passing_by_everyday_chatter_is_not_whom_a_group_praises():
    chatter = [("recipes", read_tone("Спасибо за рецепт!" if k % 4 == 0 else "Пеку в субботу"), str(k), k)
               for k in range(40)]  # a quarter of the comments thank the page
    campaign = [("party", read_tone("Поддерживаю! Молодцы"), f"p{k}", k) for k in range(10)]
    out = praise_and_attack(chatter + campaign)
    assert [t["target"] for t in out["praises"]] == ["party"]
    assert [t["target"] for t in praise_and_attack(chatter, min_tone_share=0.2)["praises"]] == ["recipes"]
