import random

import numpy as np
import pyarrow as pa
import pytest

from trollscan.errors import BadParameter
from trollscan.simulate.text import apply_typos, farm_text, operator_typos
from trollscan.text.families import text_families


def _families(result):
    out = {}
    for f, row in zip(result.members["family_id"].to_pylist(), result.members["row"].to_pylist()):
        out.setdefault(f, []).append(row)
    return out


def test_identical_and_near_identical_texts_form_one_family_led_by_the_earliest() -> None:
    texts = ["Сегодня наконец-то съездили с детьми в горы",  # unrelated
             "спасибо елбасы за заботу о простых людях 👍",
             "Спасибо Елбасы за заботу о простых людях!!!",
             "Спасиба Елбасы за заботу о простых людях, так держать",
             "цены на бензин опять выросли, никто ничего не объясняет"]
    order = np.array([0, 3, 1, 2, 4])  # row 2 was written first
    result = text_families(pa.array(texts), order)
    assert _families(result) == {1: [2, 3, 1]}  # in time order
    sims = dict(zip(result.members["row"].to_pylist(), result.members["similarity"].to_pylist()))
    assert sims[2] == sims[1] == 1.0 and 0.8 <= sims[3] < 1.0
    assert result.texts == 5 and result.distinct == 4


def test_texts_shorter_than_min_chars_are_left_out() -> None:
    result = text_families(pa.array(["Молодцы!", "молодцы", "МОЛОДЦЫ 👍"]), min_chars=20)
    assert result.members.num_rows == 0 and result.texts == 0


def test_similar_texts_below_the_threshold_stay_apart() -> None:
    texts = ["партия работает для людей и делает реальные дела",
             "партия работает для бизнеса и снижает налоги всем"]
    assert text_families(pa.array(texts), min_similarity=0.9).members.num_rows == 0


def test_planted_paraphrase_families_are_recovered() -> None:
    r = random.Random(5)
    rng = np.random.default_rng(5)
    words = ("дети школа город завтра район работа дорога цены базар автобус мост парк больница врач свет "
             "вода зима снег лето поле аким депутат налоги пенсия зарплата кредит банк рынок магазин").split()
    texts, truth = [], []
    for fam in range(40):
        client = r.choice(["foundation", "party", "mekenim", "japarov"])
        base = farm_text(r, client) + " " + " ".join(r.sample(words, 6))
        typos = operator_typos(rng, 2, (client,))
        for m in range(r.randint(2, 6)):
            text = base if m == 0 else apply_typos(base, typos[: m % 3]) + r.choice(["!", " 👍", "", ")))"])
            texts.append(text.lower() if m == 2 else text)
            truth.append(fam)
    order = r.sample(range(len(texts)), len(texts))
    result = text_families(pa.array([texts[i] for i in order]))
    found = [sorted(truth[order[row]] for row in rows) for rows in _families(result).values()]
    assert all(len(set(f)) == 1 for f in found)  # no family mixes two planted ones
    assert sorted(f[0] for f in found) == sorted(set(truth))  # each planted family found once
    assert sum(len(f) for f in found) == len(texts)  # and whole


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(BadParameter, match="min_similarity"):
        text_families(pa.array(["x"]), min_similarity=0)
    with pytest.raises(BadParameter, match="min_chars"):
        text_families(pa.array(["x"]), min_chars=2)


def test_huge_hostile_texts_are_compared_on_their_first_characters() -> None:
    big = "спасибо елбасы " * 70_000  # about a megabyte each
    result = text_families(pa.array([big, big + "x", "короткий текст про погоду и цены"]), max_chars=2000)
    assert _families(result) == {1: [0, 1]}
