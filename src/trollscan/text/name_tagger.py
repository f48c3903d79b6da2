"""The Russian tagger's side of `trollscan.text.names`: natasha's NER (slovnet, PER and ORG spans)
on a bounded, content-ordered sample of a group's comments, each span brought to its nominative
form in its sentence, cleaned of the words the tagger takes for names (capitalised openers, words
of praise or attack, everyday words, Kazakh and Kyrgyz words in lower case), and registered so
that `names.mentions` matches a name the tagger found in every text.

The models are loaded once per process (about 1 s) and run with one BLAS thread.
"""

from __future__ import annotations

import zlib
from collections import Counter
from functools import lru_cache

import pyarrow as pa

from .name_forms import MIN_STEM, TURKIC_ENDINGS, WORD, is_surname
from .normalise import normalise_texts
from .tone import morph_vocab, read_tones

__all__ = ["tagger_names", "first_name", "normalised", "sample_texts"]

_MAX_CHARS = 2000  # of a comment the tagger reads (a 2 MB "comment" is an attack, not a comment)


@lru_cache(maxsize=1)
def _models():
    """natasha's dictionary, morphology and NER tagger, loaded once per process (about 1 s)."""
    from natasha import NewsEmbedding, NewsMorphTagger, NewsNERTagger

    emb = NewsEmbedding()
    ner = NewsNERTagger(emb)
    morph = NewsMorphTagger(emb)
    ner.batch_size = morph.batch_size = 32  # the default 8 is 6x slower on short comments
    return {"vocab": morph_vocab(), "morph": morph, "ner": ner}  # the dictionary tone reads typos with


def _tag(texts: list[str]) -> list[list[tuple[int, int, str]]]:
    """PER and ORG spans of each text (its first `_MAX_CHARS` characters): (start, stop, type)."""
    ner = _models()["ner"]
    order = sorted(range(len(texts)), key=lambda k: len(texts[k]))  # a batch is padded to its longest text
    out: list = [None] * len(texts)
    for k, m in zip(order, ner.map([texts[k][:_MAX_CHARS] for k in order])):
        out[k] = [(s.start, s.stop, s.type) for s in m.spans if s.type in ("PER", "ORG")]
    return out


def _nominatives(spans: list[tuple[str, int, int]]) -> dict[str, str]:
    """The nominative form of each span (text, start, stop), read with natasha's morphology in the
    sentence it stands in, all sentences in batches: surface form -> normal form ("Токаеву" ->
    "Токаев"). Each distinct surface form is read once, in the first text that holds it."""
    from natasha.norm import normalize
    from razdel import sentenize, tokenize

    first: dict[str, tuple[str, int, int]] = {}
    for text, start, stop in spans:
        first.setdefault(text[start:stop], (text, start, stop))
    sentences: list[list] = []  # each: its tokens as (text, start, stop) in the whole text
    where: list[tuple[str, int]] = []  # (surface, sentence index)
    for surface, (text, start, stop) in first.items():
        sentence = next((x for x in sentenize(text[:stop + _MAX_CHARS]) if x.start <= start < x.stop), None)
        lo, chunk = (sentence.start, sentence.text) if sentence else (0, text)
        sentences.append([(t.text, lo + t.start, lo + t.stop) for t in tokenize(chunk)])
        where.append((surface, len(sentences) - 1))
    m = _models()
    tagged = list(m["morph"].map([[t for t, _a, _b in x] for x in sentences])) if sentences else []
    out = {}
    for surface, k in where:
        _text, start, stop = first[surface]
        tokens = [_Token(t, a, b, mt.pos, mt.feats) for (t, a, b), mt in zip(sentences[k], tagged[k].tokens)
                  if a >= start and b <= stop]
        out[surface] = (normalize(m["vocab"], tokens) if tokens else "") or surface
    return out


class _Token:
    """A token as natasha's normaliser reads it."""

    __slots__ = ("text", "start", "stop", "pos", "feats")

    def __init__(self, text: str, start: int, stop: int, pos: str, feats: dict) -> None:
        self.text, self.start, self.stop, self.pos, self.feats = text, start, stop, pos, feats


@lru_cache(maxsize=1 << 14)
def _name_like(word: str) -> str | None:
    """What the dictionary says of a normalised word: "name" (a first name, surname, place or
    organisation it knows, or a surname's shape: Мадина, Аблязов), "guess" (a word it does not
    know but guesses as a name: Садыр, Жоомарт), "everyday" (a word it knows that is no name:
    Фонд, Спасибо, ну) or None (a word it does not know and cannot guess as a name: Апять)."""
    if is_surname(word):
        return "name"
    vocab = _models()["vocab"]
    named = any({"Name", "Surn", "Patr", "Geox", "Orgn"} & set(str(p.tag).replace(" ", ",").split(","))
                for p in vocab.parse(word)[:3])
    if vocab.word_is_known(word):
        return "name" if named else "everyday"
    return "guess" if named else None


@lru_cache(maxsize=1 << 14)
def first_name(word: str) -> bool:
    """A first name (Мадина, Айгерим, Садыр), not a surname (Токаев, Аблязов): by the shape of
    surnames, then by the dictionary's entry or guess."""
    vocab = _models()["vocab"]
    tags = [set(str(p.tag).replace(" ", ",").split(",")) for p in vocab.parse(word)[:3]]
    if vocab.word_is_known(word):  # Альбина, Марина: first names of a surname's shape
        return any("Name" in t for t in tags) and "Surn" not in tags[0]
    return not is_surname(word) and any("Name" in t for t in tags)


def normalised(strings) -> dict[str, str]:
    """Each distinct string normalised, all at once."""
    distinct = sorted(set(strings))
    return dict(zip(distinct, normalise_texts(pa.array(distinct, pa.string())).to_pylist())) if distinct else {}


def sample_texts(texts: list[str]) -> list[str]:
    """The distinct texts the tagger may read, in the order it reads them: those with a capital
    letter (it finds no name without one), in an order fixed by content so that runs repeat."""
    return sorted({t for t in texts if t and t != t.lower()}, key=lambda t: (zlib.crc32(t.encode()), t))


def _capitalised(text: str) -> set[str]:
    return {w for w in WORD.findall(text, 0, _MAX_CHARS) if w[0].isupper()}


def _novel(candidates: list[str], most: int | None, *, chunk: int = 64, enough: int = 2) -> list[tuple[str, list]]:
    """Tag candidates in turn, skipping a text whose capitalised words were all seen `enough`
    times in texts tagged already (a farm's paraphrases repeat their capitalised openers and
    names: the tagger learns nothing new from them); stop after `most` texts."""
    seen: Counter = Counter()
    out: list[tuple[str, list]] = []
    for i in range(0, len(candidates), chunk):
        if most is not None and len(out) >= most:
            break
        fresh = [t for t in candidates[i:i + chunk] if any(seen[w] < enough for w in _capitalised(t))]
        fresh = fresh[:most - len(out)] if most is not None else fresh
        out += zip(fresh, _tag(fresh))
        for t in fresh:
            seen.update(_capitalised(t))
    return out


def _capital_ends(text: str, start: int, stop: int) -> tuple[int, int] | None:
    """A tagger's span without the words in lower case at its ends ("айтасыз Биримдик элди
    бириктирет" -> "Биримдик", "Элнура эже" -> "Элнура"); None when no word is capitalised."""
    words = [m for m in WORD.finditer(text, start, stop) if m.group()[0].isupper()]
    return (words[0].start(), words[-1].end()) if words else None


def _keys(forms: set[str]) -> dict[str, tuple[str | None, str]]:
    """Each nominative form the tagger gave -> (its key, the form shown), with words of praise or
    attack, everyday words and words in lower case taken off its ends ("Спасибо Фонд" -> nothing,
    "Ну-ну Аблязов" -> "Аблязов"), a surname's Kazakh or Kyrgyz ending or Russian plural taken off
    ("Матраимовдор" -> "Матраимов"); the key None when nothing is left."""
    parts = {f: f.split() for f in forms}
    norm = normalised(p for ps in parts.values() for p in ps)
    words = sorted({w for n in norm.values() if n for w in n.split()})
    toned = {w for w, t in zip(words, read_tones(words)) if t.label != "neutral"}
    bad = lambda p: all(w in toned or _name_like(w) == "everyday" for w in (norm[p] or "").split())  # noqa: E731
    out = {}
    for form, ps in parts.items():
        while ps and (bad(ps[0]) or not ps[0][:1].isupper()):
            ps = ps[1:]
        while ps and (bad(ps[-1]) or not ps[-1][:1].isupper()):
            ps = ps[:-1]
        words = [w for p in ps for w in (norm[p] or "").split()]
        stems = [_surname_stem(w) for w in words]
        if ps and len(words) == len(ps) and stems[-1] != words[-1]:  # show "Матраимов", not "Матраимовдор"
            ps = ps[:-1] + [ps[-1][:len(stems[-1])]]
        out[form] = (" ".join(stems) or None, " ".join(ps))
    return out


_PLURAL_OR_CASE = tuple(sorted(set(TURKIC_ENDINGS) | {"ы", "ых"}, key=lambda e: (-len(e), e)))


def _surname_stem(word: str) -> str:
    """A surname the tagger left with a Kazakh or Kyrgyz ending, or in the Russian plural, as
    the surname ("матраимовдор", "матраимовы" -> "матраимов"); any other word as it is."""
    for e in _PLURAL_OR_CASE:
        if e and word.endswith(e) and len(word) - len(e) >= MIN_STEM and is_surname(word[:-len(e)]):
            return word[:-len(e)]
    return word


def tagger_names(texts: list[str], names: dict, entries: list, surname_of: dict, sample: list[str],
               most: int | None, min_hits: int) -> dict[int, list[tuple[int, int, str, str]]]:
    """Run the tagger on `sample` (at most `most` of it, see `_novel`); register the names it found
    in `names`, `entries` (names found `min_hits` times, matched everywhere) and `surname_of`;
    return its spans per row.

    Words of praise or attack and everyday words are taken off a span's ends ("Спасибо Фонд",
    "Рахмет", "Ну-ну Аблязов": the tagger takes capitalised openers for names), and a span left
    empty is dropped. A single word the dictionary does not know as a name (`_name_like`) counts
    only when the tagger found it after another word at least once, not only first in a sentence
    or clause (openers: "Апять", "Баарыңарга"); a word the dictionary cannot even guess as a name
    is taken off the front of a longer span found only there ("Апять Аблязов")."""
    found = dict(_novel(sample, most))
    spans = [(text, *cut, kind) for text, tagged in found.items() for start, stop, kind in tagged
             if (cut := _capital_ends(text, start, stop))]
    normal = _nominatives([(text, start, stop) for text, start, stop, _k in spans])
    key_of = _keys(set(normal.values()))
    hits: Counter = Counter()
    inside: Counter = Counter()  # hits right after another word (not first in a sentence or clause)
    kinds: dict[str, Counter] = {}
    shown: dict[str, Counter] = {}
    after_word = {}  # form -> found right after another word at least once (not first in a sentence or clause)
    for text, start, stop, _kind in spans:
        before = text[:start].rstrip()
        form = normal.get(text[start:stop], text[start:stop])
        after_word[form] = after_word.get(form, False) or (bool(before) and before[-1].isalnum())
    opener = {f for f, inside in after_word.items() if not inside and len(f.split()) > 1}
    trimmed = _keys({" ".join(f.split()[1:]) for f in opener})
    for text, start, stop, kind in spans:
        form = normal.get(text[start:stop], text[start:stop])
        key, form = key_of.get(form, (None, form))
        if not key:
            continue
        first = key.split()[0]
        if form in opener and _name_like(first) is None and is_surname(key.split()[-1]) and not is_surname(first):
            # "Апять Аблязов", only ever first in a sentence: an unknown word before a surname is an opener
            key, form = trimmed.get(" ".join(form.split()[1:]), (None, form))
            if not key:
                continue
        hits[key] += 1
        inside[key] += after_word[normal.get(text[start:stop], text[start:stop])]
        kinds.setdefault(key, Counter())[kind] += 1
        shown.setdefault(key, Counter())[form] += 1
    for key in sorted(hits):
        one = key.split()
        if len(one) == 1 and key not in names and _name_like(key) != "name" and not inside[key]:
            del hits[key]
            continue
        if key in names:
            continue
        kind = sorted(kinds[key].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        form = sorted(shown[key].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        names[key] = {"name": form, "kind": kind, "source": "ner"}
        if kind == "PER" and len(one) >= 2 and is_surname(one[-1]):
            surname_of.setdefault(one[-1], set()).add(key)
    alias = {}
    for key in sorted(hits):  # a surname alone joins the one full name ending with it
        owners = surname_of.get(key, set()) - {key}
        if len(key.split()) == 1 and len(owners) == 1 and is_surname(key):
            alias[key] = next(iter(owners))
    for key in sorted(hits):
        if key not in alias and names[key]["source"] == "ner" and hits[key] >= min_hits \
                and all(len(w) >= 3 for w in key.split()):
            entries.append((key, tuple(key.split())))
    rows: dict[int, list[tuple[int, int, str, str]]] = {}
    kept = {}
    for text, start, stop, kind in spans:
        key = key_of.get(normal.get(text[start:stop], text[start:stop]), (None,))[0]
        if key in hits:
            kept.setdefault(text, []).append((start, stop, kind, alias.get(key, key)))
    for row, text in enumerate(texts):
        if text in kept:
            rows[row] = kept[text]
    return rows
