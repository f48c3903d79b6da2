"""The tone of a comment: does it praise, attack, or neither? A lexicon a reporter can read and
extend, and four rules.

1. The text is normalised as everywhere in trollscan (`trollscan.text.normalise`: lower case,
   Kazakh and Kyrgyz letters folded to the Russian keyboard's, look-alike letters fixed, letter
   runs squeezed), then split into words. Emoji are read from the raw text first, because
   normalisation drops them.
2. Each word is matched against the lexicon's stems (`PRAISE`, `ATTACK`, per language; a stem
   matches a word that starts with it, or with one typo when the stem has seven letters or more;
   stems of up to three letters match whole words only).
   The longest stem wins, so the negative verb "колдобойм" (Kyrgyz: I don't support) is read as an
   attack before "колдо" (support) can read it as praise. Phrases ("так держать") match word runs.
3. Negation: a negator (`NEGATORS`: не, ни, нет, not, never, no, ...) in the two words before a
   praise word, or емес/эмес (Kazakh/Kyrgyz "is not") right after it, turns it into an attack
   ("не поддерживаю", "дұрыс емес"); a negated attack word counts for neither side ("не позор" is
   not praise of anyone). English "n't" is read as "not".
4. The comment is praise when its praise words outnumber its attack words, attack when the
   attack words do, else neutral; `decided_by` lists the words (as written in the lexicon, with
   the negator) that decided it, so every reading can be checked by eye.

It reads words, not meaning: sarcasm ("спасибо, очень помогли") reads as praise, and a comment
that praises one side by attacking another ("журналисты работают на Запад") reads as attack, which
is what it does to the page it is written under. See docs/verdicts.md ("Whom a group praises and
attacks") for what was measured on the simulator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pyarrow as pa
from rapidfuzz.distance import Levenshtein

from .normalise import normalise, normalise_texts

__all__ = ["PRAISE", "ATTACK", "NEGATORS", "POST_NEGATORS", "PRAISE_EMOJI", "ATTACK_EMOJI", "Tone", "read_tone",
           "read_tones", "lexicon", "morph_vocab"]

# Stems by language, as a reader types them; they are normalised on load (ё→е, қ→к, ү→у, ...).
PRAISE: dict[str, tuple[str, ...]] = {
    "ru": ("спасибо", "благодар", "молодц", "молодец", "поддерж", "правильн", "верно", "согласен", "согласна",
           "браво", "отличн", "прекрасн", "замечательн", "так держ", "вперед", "ура", "горжусь", "гордимся",
           "уважа", "забот", "достойн", "лучш", "хорош", "умниц", "респект", "поздравля", "поздравляю",
           "слава", "побольше бы таких"),
    "kk": ("рахмет", "бәрекелді", "жарайсың", "жарайсыңдар", "қолдаймын", "қолдаймыз", "қолдау", "алға",
           "керемет", "дұрыс", "жасасын", "мақтан", "алғыс", "тамаша", "жақсы"),
    "ky": ("рахмат", "баракелде", "колдойм", "колдойбуз", "колдоо", "туура", "алга", "ийгилик", "сонун",
           "жашасын", "азаматсыңар", "мыкты", "жакшы"),
    "en": ("thank", "great", "good", "support", "bravo", "well done", "proud", "excellent", "friendship", "love",
           "agree", "win win", "amazing", "congrat"),
}
ATTACK: dict[str, tuple[str, ...]] = {
    "ru": ("позор", "хватит", "вор", "воры", "ворует", "украл", "ворова", "врет", "врут", "врать", "вранье", "врун",
           "лжец", "лжив", "ложь", "клевет", "провокатор", "провокаци", "предател", "продажн", "проплач", "обман",
           "мошенни", "бандит", "стыд", "долой", "в отставку", "коррупц", "бездар", "пропаганд", "фейк", "заказн",
           "это заказ", "беглый", "беглого", "ненавиж", "ужас", "кошмар", "смешно", "не верьте", "грантоед",
           "мерзк", "гнил"),
    "kk": ("ұят", "өтірік", "ұры", "ұрлады", "сатқын", "жала", "арандат", "қолдамаймын", "масқара", "алаяқ"),
    "ky": ("уят", "калп", "калпычы", "ууру", "уурдады", "чыккынчы", "жалаа", "колдобой", "шерменде", "алдамчы"),
    "en": ("shame", "liar", "lie", "lies", "lying", "fake", "propaganda", "traitor", "corrupt", "thief", "thieves",
           "disgrace", "hoax", "crook", "puppet", "stop the", "disgusting", "fraud"),
}
NEGATORS = ("не", "ни", "нет", "not", "never", "no", "nor", "жок")  # before the word
POST_NEGATORS = ("емес", "эмес")  # Kazakh, Kyrgyz: after the word
PRAISE_EMOJI = ("👍", "👏", "💪", "🙏", "❤", "🔥", "🥰", "😍", "✊", "🇰🇿", "🇰🇬")
ATTACK_EMOJI = ("😡", "🤬", "👎", "🤮", "💩", "🤡", "😠", "🐍")
_MIN_FUZZY = 7  # letters a stem needs before one typo is forgiven
_CYRILLIC = re.compile("[а-яё]+")
_NEGATION_REACH = 2  # words between a negator and the word it turns
_NOT = re.compile(r"(?i)\b(\w+)n['’]t\b")


@dataclass(frozen=True)
class Tone:
    """A comment's tone: "praise", "attack" or "neutral", with the words that decided it."""

    label: str
    praise: int  # praise words and emoji found (negated attack words not counted)
    attack: int
    decided_by: tuple[str, ...]  # the lexicon's words, e.g. ("не поддерживаю", "позор", "😡")


def lexicon() -> dict[tuple[str, ...], tuple[str, str, str]]:
    """The lexicon as matched: normalised stem words -> (polarity, language, the stem as written)."""
    return dict(_LEXICON["entries"])


def _build() -> dict:
    out: dict[tuple[str, ...], tuple[str, str, str]] = {}
    for polarity, table in (("praise", PRAISE), ("attack", ATTACK)):
        for lang, stems in table.items():
            for stem in stems:
                words = tuple(normalise(stem).split())
                if words:
                    out.setdefault(words, (polarity, lang, stem))
    return {"entries": out, "by_first": _by_first(out)}


def _by_first(entries: dict) -> dict[str, list[tuple[str, ...]]]:
    """Entries indexed by the first letter of their first word, longest first."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for words in entries:
        index.setdefault(words[0][:1], []).append(words)
    for k in index:
        index[k].sort(key=lambda w: (-len(w), -len(w[0]), w))
    return index


_LEXICON = _build()
_LONGEST = max(len(entry) for entry in _LEXICON["entries"])  # words in the longest entry
_NEGATOR_SET = set(NEGATORS)
_POST_SET = {normalise(w) for w in POST_NEGATORS}


def _word_matches(stem: str, word: str, fuzzy: bool) -> bool:
    """A stem matches a word that starts with it; with `fuzzy`, a stem of `_MIN_FUZZY` letters or
    more also matches with one typo (a letter left out, doubled or changed: "подерживаю", "калдойм"),
    unless the word is a Russian word of its own ("молодёжи" is youth, not a misspelt "молодец")."""
    if len(stem) <= 3:
        return word == stem
    if word.startswith(stem):
        return True
    return fuzzy and len(stem) >= _MIN_FUZZY and any(
        Levenshtein.distance(word[:len(stem) + d], stem, score_cutoff=1) <= 1 for d in (-1, 0, 1)
    ) and not _russian_word(word)


@lru_cache(maxsize=1 << 14)
def _russian_word(word: str) -> bool:
    """Whether the Russian dictionary (natasha's morphology, loaded once) knows the word as written."""
    return bool(_CYRILLIC.fullmatch(word)) and morph_vocab().word_is_known(word)


@lru_cache(maxsize=1)
def morph_vocab():
    """natasha's Russian dictionary (pymorphy2), loaded once per process for tone and names alike."""
    from natasha import MorphVocab  # half a second to load: only when it is needed

    return MorphVocab()


@lru_cache(maxsize=1 << 16)
def _match_at(ahead: tuple[str, ...]) -> tuple[tuple[str, ...], str, str] | None:
    """The longest lexicon entry the words `ahead` start with: (its words, polarity, the stem as
    written), or None. Exact matches first; only when there is none, a match with one typo.
    Comments repeat words, so each run of words is read once (cached)."""
    for fuzzy in (False, True):
        for entry in _LEXICON["by_first"].get(ahead[0][:1], ()):
            n = len(entry)
            if n <= len(ahead) and all(_word_matches(s, w, fuzzy) for s, w in zip(entry, ahead[:n])):
                polarity, _lang, written = _LEXICON["entries"][entry]
                return entry, polarity, written
    return None


def _read(raw: str, norm: str) -> Tone:
    words = norm.split()
    praise = attack = 0
    decided: list[str] = []
    i = done = 0  # words before `done` belong to a match already read
    while i < len(words):
        found = _match_at(tuple(words[i:i + _LONGEST]))
        if found is None:
            i += 1
            continue
        entry, polarity, phrase = found
        n = len(entry)
        before = words[max(done, i - _NEGATION_REACH):i]
        after = words[i + n:i + n + 1]
        negator = next((w for w in reversed(before) if w in _NEGATOR_SET), None) if entry[0] not in _NEGATOR_SET \
            else None
        post = after[0] if after and after[0] in _POST_SET else None
        if negator or post:
            shown = f"{negator} {phrase}" if negator else f"{phrase} {post}"
            if polarity == "praise":
                attack += 1
                decided.append(shown)
            # a negated attack word ("не позор") counts for neither side
        elif polarity == "praise":
            praise += 1
            decided.append(phrase)
        else:
            attack += 1
            decided.append(phrase)
        i = done = i + n + (1 if post else 0)
    for e in PRAISE_EMOJI:
        if e in raw:
            praise += 1
            decided.append(e)
    for e in ATTACK_EMOJI:
        if e in raw:
            attack += 1
            decided.append(e)
    label = "praise" if praise > attack else "attack" if attack > praise else "neutral"
    return Tone(label, praise, attack, tuple(decided))


def read_tone(text: str | None) -> Tone:
    """The tone of one comment (None or empty: neutral)."""
    if not text:
        return Tone("neutral", 0, 0, ())
    return _read(text, normalise(_NOT.sub(r"\1 not", text)))


def read_tones(texts: pa.Array | pa.ChunkedArray | list) -> list[Tone]:
    """The tone of each text (nulls: neutral), normalised all at once."""
    arr = pa.array(texts, pa.string()) if isinstance(texts, list) else texts
    raw = arr.to_pylist()
    fixed = pa.array([_NOT.sub(r"\1 not", t) if t else t for t in raw], pa.string())
    norm = normalise_texts(fixed).to_pylist() if len(fixed) else []
    return [_read(r, n or "") if r else Tone("neutral", 0, 0, ()) for r, n in zip(raw, norm)]
