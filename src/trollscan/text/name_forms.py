"""The shapes a name takes in the region's comments: surnames by their endings (Токаев, Алканова,
Жээнбеков, Ахметұлы), and the forms a name word takes with Russian, Kazakh and Kyrgyz case
endings (Токаеву, Токаевым, Тоқаевқа, Жапаровго, Жапаровдун), after `trollscan.text.normalise`
(қ->к, ң->н, ү/ұ->у, ө->о, і->и, ғ->г)."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["is_surname", "name_forms", "MIN_STEM", "TURKIC_ENDINGS", "WORD"]

# Endings a name takes (normalised: қ->к, ң->н, ү/ұ->у, ө->о, і->и, ғ->г).
_RU_CONSONANT = ("", "а", "у", "ом", "ым", "е", "ы", "ых", "ыми", "ам", "ами", "ах")
_RU_A = ("а", "ы", "и", "е", "у", "ой", "ою", "ей", "ю", "я")  # after the final а/я is taken off
_RU_ADJECTIVE = ("ый", "ий", "ой", "ого", "его", "ому", "ему", "ым", "им", "ом", "ем", "ая", "яя", "ую", "юю", "ые",
                 "ие", "ых", "их", "ыми", "ими")
_RU_SOFT = ("я", "ю", "ем", "е", "и")  # after a final й/ь is taken off
TURKIC_ENDINGS = ("ка", "ке", "га", "ге", "го", "ко", "ты", "ти", "ды", "ди", "ны", "ни", "ту", "ду", "ну", "тын",
                  "тин", "дын", "дин", "нын", "нин", "тун", "дун", "нун", "та", "те", "да", "де", "то", "до", "нда",
                  "нде", "тан", "тен", "дан", "ден", "нан", "нен", "тон", "дон", "нон", "пен", "бен", "мен", "тар",
                  "тер", "дар", "дер", "лар", "лер", "тор", "дор", "лор", "на", "не", "н")
MIN_STEM = 4  # letters a name word needs before endings are allowed
_SURNAME = re.compile(r"\w{2,}(?:ов|ев|ова|ева|ский|цкий|ская|цкая|улы|уулу|кызы|енко|швили|дзе)"
                      r"|\w{4,}(?:ин|ын|ина|ына)")
# Clause and sentence ends in the raw text.
WORD = re.compile(r"\w[\w-]*")

def is_surname(word: str) -> bool:
    """Does a normalised word look like a surname (Токаев, Алканова, Жээнбеков, Ахметұлы)?"""
    return bool(_SURNAME.fullmatch(word))


@lru_cache(maxsize=1 << 14)
def name_forms(word: str) -> dict[str, bool]:
    """The forms of one normalised name word a text may hold -> whether the form is the word as
    given (the nominative). Words under `MIN_STEM` letters match only as they are."""
    forms = {word: True}
    if len(word) < MIN_STEM:
        return forms
    if word[-2:] in ("ый", "ий", "ой", "ая"):  # an adjective: Первый Президент, Республиканская партия
        stems = [(word[:-2], _RU_ADJECTIVE)]
    elif word[-1] in "ая":
        stems = [(word[:-1], _RU_A)]
    elif word[-1] in "йь":
        stems = [(word[:-1], _RU_SOFT)]
    else:
        stems = [(word, _RU_CONSONANT)]
    stems.append((word, TURKIC_ENDINGS))
    for stem, endings in stems:
        for e in endings:
            forms.setdefault(stem + e, False)
    return forms
