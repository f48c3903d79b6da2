"""Names of people, parties and organisations inside comment text, each with the tone of the
words around it: whom a comment praises or attacks by name ("Спасибо Токаеву за заботу",
"Жапаров предатель", "Токаев молодец, а Аблязов вор").

Two sources, merged:

1. `known`: the names the analyst already knows (the case's entities and their aliases, and the
   names of watched pages, see `known_names`). They are matched in normalised text
   (`trollscan.text.normalise`: lower case, Kazakh and Kyrgyz letters folded) with Russian, Kazakh
   and Kyrgyz case endings allowed (Токаев, Токаева, Токаеву, Токаевым, Тоқаевқа, Жапаровго,
   Жапаровдун), so a known name is found in Kazakh or Kyrgyz comments too. A person's surname
   alone is matched as that person, unless two known people share it.
2. `ner`: natasha's Russian named-entity tagger (slovnet, PER and ORG spans, `text.name_tagger`),
   each span brought to its nominative form with natasha's morphology in the sentence it stands
   in ("Токаеву" -> "Токаев") and cleaned of openers the tagger takes for names ("Рахмет",
   "Спасибо Фонд", "Апять Аблязов"). A name the tagger found (at least `min_ner_hits` times, and
   not an everyday word) is then matched like a known name in every text, so the same name is
   found where the tagger missed it: as a sentence's first word, in lower case, or with a Kazakh
   or Kyrgyz ending (`text.name_forms`).

Merging: one key per name, its normalised nominative form ("садыр жапаров"). A surname alone
joins the one full name that ends with it; when two full names end with it, it stays apart.
A first name alone is never joined to anyone (two Садыр are not one person). A first name
followed by a comma at the start of a sentence ("Айгерим, спасибо Фонду") addresses someone in
the thread and is left out, unless the analyst listed it.

Tone: each mention gets the tone (`trollscan.text.tone`) of its clause (the words between
commas, dashes, "а"/"но"/"but", and sentence ends); when that clause reads neutral and its
sentence (then the whole comment) names no one else, the sentence's (then the comment's) tone.
So "Токаев молодец, а Аблязов вор" praises one and attacks the other.

Cost: the tagger reads at most `max_ner_texts` distinct texts with a capital letter, in an order
fixed by their content, skipping those whose capitalised words it has seen twice already (a
farm's paraphrases teach it nothing new); the matcher then reads every distinct text once. The
models are loaded once per process. Measured in `bench/names.py`.
"""

from __future__ import annotations

import re

import pyarrow as pa

from .name_forms import MIN_STEM, is_surname, name_forms
from .name_tagger import first_name, normalised, sample_texts, tagger_names
from .normalise import normalise, normalise_texts
from .tone import Tone, read_tones

__all__ = ["mentions", "known_names", "name_forms", "clauses", "is_surname", "MENTION_SCHEMA"]

MENTION_SCHEMA = pa.schema([
    ("row", pa.int64()),  # index of the text in the input
    ("key", pa.string()),  # normalised nominative name: one key per person or organisation
    ("name", pa.string()),  # the name to show
    ("kind", pa.string()),  # PER, ORG (tagger or entities sheet) or page (a watched page's name)
    ("source", pa.string()),  # known (the analyst's names) or ner (found by the tagger)
    ("tone", pa.string()),  # praise, attack or neutral
    ("words", pa.list_(pa.string())),  # the lexicon's words that carried the tone
])

_KIND_OF_SCHEMA = {"Person": "PER", "Organization": "ORG", "Company": "ORG", "LegalEntity": "ORG",
                   "PublicBody": "ORG"}
_SENTENCE_END = re.compile(r"[.!?…;\n]+")
_CLAUSE_END = re.compile(r",|:|\s[-–—]+\s|\s(?:а|но|однако|зато|бирок|бірақ|ал|but|while|whereas)\s", re.I)


def known_names(entities: list[dict], watched: list[dict] = ()) -> list[dict]:
    """The analyst's names as `mentions` reads them: from the entities sheet (`store.entities.
    read_entities`: people and organisations, with their aliases) and the watch list
    (`store.verdicts.read_watchlist`: the case's name of each watched page). Each: name,
    aliases, kind (PER, ORG or page)."""
    out: dict[str, dict] = {}
    for e in entities:
        kind = _KIND_OF_SCHEMA.get(e.get("schema") or "")
        if kind is None or not (e.get("name") or "").strip():
            continue
        props = e.get("properties") or {}
        aliases = [a.strip() for v in props.get("alias", []) + props.get("weakAlias", [])
                   for a in re.split(r"[;|\n]", v or "") if a.strip()]
        key = normalise(e["name"])
        if key:
            seen = out.setdefault(key, {"name": e["name"].strip(), "aliases": [], "kind": kind})
            seen["aliases"] += [a for a in aliases if a not in seen["aliases"]]
    for w in watched:
        name = (w.get("name") or "").strip()
        key = normalise(name)
        if key and key not in out and len(key.split()) <= 4:
            out[key] = {"name": name, "aliases": [], "kind": "page"}
    return [out[k] for k in sorted(out)]


def clauses(text: str) -> list[tuple[int, int, int]]:
    """A text's clauses as (start, end, sentence number), in order (see the module doc)."""
    return [(start, end, s) for s, sentence in enumerate(_pieces(text, _SENTENCE_END, 0, len(text)))
            for start, end in _pieces(text, _CLAUSE_END, *sentence)]


def _pieces(text: str, pattern: re.Pattern, lo: int, hi: int) -> list[tuple[int, int]]:
    out, start = [], lo
    for m in pattern.finditer(text, lo, hi):
        if m.start() > start:
            out.append((start, m.start()))
        start = m.end()
    if hi > start:
        out.append((start, hi))
    return [(a, b) for a, b in out if text[a:b].strip()]


def mentions(texts: pa.Array | pa.ChunkedArray | list, known: list[dict] = (), *, ner: bool = True,
             max_ner_texts: int | None = 200, min_ner_hits: int = 2) -> pa.Table:
    """Every name a text praises, attacks or just names, one row per text and name (`MENTION_SCHEMA`).

    `known`: the analyst's names (`known_names`). `ner`: also read names with natasha's Russian
    tagger, on at most `max_ner_texts` distinct texts (None: no bound), skipping texts that hold
    no capitalised word it has not seen (`_novel`), in an order fixed by content so that runs
    repeat. A name it found `min_ner_hits` times is then matched in every text, so the bound
    limits the cost, not what is found of a name the tagger knows. Texts are read together:
    pass one group's comments to read that group's names."""
    if isinstance(texts, (pa.Array, pa.ChunkedArray)):
        texts = texts.to_pylist()
    texts = [t if isinstance(t, str) else "" for t in texts]
    names: dict[str, dict] = {}  # key -> name, kind, source
    entries: list[tuple[str, tuple[str, ...]]] = []  # (key, words) the matcher looks for
    surname_of: dict[str, set[str]] = {}  # a surname -> the keys of full names that end with it
    for k in known:
        key = normalise(k["name"])
        names[key] = {"name": k["name"], "kind": k.get("kind") or "PER", "source": "known"}
        for written in [k["name"], *k.get("aliases", [])]:
            words = tuple(normalise(written).split())
            if words:
                entries.append((key, words))
        words = key.split()
        if names[key]["kind"] in ("PER", "page") and len(words) >= 2 and len(words[-1]) >= MIN_STEM:
            surname_of.setdefault(words[-1], set()).add(key)
    spans: dict[int, list[tuple[int, int, str, str]]] = {}  # row -> (start, stop, type, key)
    if ner:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):  # the tagger's small products: threads only fight
            spans = tagger_names(texts, names, entries, surname_of, sample_texts(texts), max_ner_texts, min_ner_hits)
    for surname, keys in surname_of.items():
        if len(keys) == 1:
            entries.append((next(iter(keys)), (surname,)))
    return _read(texts, names, _index(entries), spans)


def _index(entries: list[tuple[str, tuple[str, ...]]]) -> dict:
    """form of a first word -> [(key, words, exact)]: what the matcher looks up."""
    index: dict[str, list] = {}
    for key, words in sorted(set(entries)):
        for form, exact in name_forms(words[0]).items():
            index.setdefault(form, []).append((key, words, exact))
    return index


def _match(tokens: list[str], index: dict) -> list[tuple[int, int, str]]:
    """Names in a clause's tokens: (first token, end token, key); longest first; a single word
    that two names claim goes to the one it names in the nominative, else to neither."""
    out = []
    i = 0
    while i < len(tokens):
        best: dict[int, set] = {}
        for key, words, exact in index.get(tokens[i], ()):
            n = len(words)
            if n > len(tokens) - i or not all(tokens[i + j] in name_forms(words[j]) for j in range(1, n)):
                continue
            best.setdefault(n, set()).add((key, exact and n == 1))
        if not best:
            i += 1
            continue
        n = max(best)
        keys = {k for k, _e in best[n]}
        if len(keys) > 1:
            keys = {k for k, e in best[n] if e} or keys
        if len(keys) == 1:
            out.append((i, i + n, next(iter(keys))))
        i += n
    return out


def _read(texts: list[str], names: dict, index: dict, spans: dict) -> pa.Table:
    """Names and tones of every text; each distinct text is read once, and only texts holding a
    word a name may start with (or a tagger's span) are split into clauses."""
    first_of: dict[str, int] = {}
    for row, text in enumerate(texts):
        if text and (row in spans or text not in first_of):
            first_of.setdefault(text, row)
    rows = sorted(set(first_of.values()) | set(spans))
    whole = normalise_texts(pa.array([texts[r] for r in rows], pa.string())).to_pylist() if rows else []
    rows = [r for r, n in zip(rows, whole) if r in spans or any(w in index for w in (n or "").split())]
    pieces = [(row, a, b, s) for row in rows for a, b, s in clauses(texts[row])]
    norm = normalise_texts(pa.array([texts[row][a:b] for row, a, b, _s in pieces], pa.string())).to_pylist() \
        if pieces else []
    span_norm = normalised(texts[row][a:b] for row, ss in spans.items() for a, b, _k, _key in ss)
    found: dict[int, list[dict]] = {}
    sentences: dict[tuple[int, int], tuple[int, int]] = {}  # (row, sentence) -> its first and last character
    for row, a, b, s in pieces:
        lo, hi = sentences.get((row, s), (a, b))
        sentences[(row, s)] = (min(lo, a), max(hi, b))
    for (row, a, b, s), clause in zip(pieces, norm):
        tokens = (clause or "").split()
        matched = _with_spans(tokens, _match(tokens, index), [
            ((span_norm[texts[row][start:stop]] or "").split(), key) for start, stop, _kind, key in spans.get(row, ())
            if a <= start < b and key in names])
        first = sentences[(row, s)][0] == a
        for i, j, key in matched:
            addressing = (first and i == 0 and j == len(tokens) == 1 and texts[row][b:b + 1] == ","
                          and names[key]["source"] != "known" and first_name(tokens[0]))
            if not addressing:
                found.setdefault(row, []).append({"key": key, "clause": (a, b), "sentence": s})
    read = _toned(texts, names, found, sentences)
    out = []
    for row, text in enumerate(texts):  # a repeated text reads as its first copy (a tagged copy reads itself)
        for m in read.get(row if row in spans else first_of.get(text, row), ()) if text else ():
            out.append({**m, "row": row})
    return pa.Table.from_pylist(out, schema=MENTION_SCHEMA)


def _with_spans(tokens: list[str], matched: list[tuple[int, int, str]],
                spans: list[tuple[list[str], str]]) -> list[tuple[int, int, str]]:
    """The matcher's names and the tagger's spans in one clause: where they overlap, the longer
    wins ("Садыр Раимов" over "Садыр"); a span whose words are not found as tokens is kept apart."""
    placed, apart = [], []
    for words, key in spans:
        at = next((i for i in range(len(tokens) - len(words) + 1) if tokens[i:i + len(words)] == words), None)
        if at is None:
            if words and not any(set(words) & set(tokens[i:j]) for i, j, _k in matched):
                apart.append((-1, -1, key))
        else:
            placed.append((at, at + len(words), key))
    placed = [(i, j, key) for i, j, key in placed  # a span joining two names the matcher found apart is two names
              if len({k for x, y, k in matched if x >= i and y <= j}) < 2]
    kept: list[tuple[int, int, str]] = []
    ranked = [(i - j, i, 0, key, j) for i, j, key in matched] + [(i - j, i, 1, key, j) for i, j, key in placed]
    for _n, i, _tagger, key, j in sorted(ranked):  # longest first; on a tie the matcher's (known names) first
        if all(j <= x or i >= y for x, y, _k in kept):
            kept.append((i, j, key))
    return sorted(kept) + apart


def _toned(texts: list[str], names: dict, found: dict[int, list[dict]], sentences: dict) -> dict[int, list[dict]]:
    """Each mention's tone: its clause's; when that reads neutral and no other clause of its
    sentence names anyone, the sentence's; when that too reads neutral and no other sentence of
    the comment names anyone, the comment's. Per row, one entry per name."""
    def tones(spans: set) -> dict:
        keys = sorted(spans)
        return dict(zip(keys, read_tones([texts[r][a:b] for r, a, b in keys]))) if keys else {}

    clause = tones({(row, *m["clause"]) for row, ms in found.items() for m in ms})
    clauses_in = {row: {} for row in found}  # row -> sentence -> the clauses in it that name someone
    for row, ms in found.items():
        for m in ms:
            clauses_in[row].setdefault(m["sentence"], set()).add(m["clause"])
    own_sentence = lambda row, m: clauses_in[row][m["sentence"]] == {m["clause"]}  # noqa: E731
    own_text = lambda row, m: set(clauses_in[row]) == {m["sentence"]}  # noqa: E731
    sentence = tones({(row, *sentences[(row, m["sentence"])]) for row, ms in found.items() for m in ms
                      if clause[(row, *m["clause"])].label == "neutral" and own_sentence(row, m)})
    whole = tones({(row, 0, len(texts[row])) for row, ms in found.items() for m in ms
                   if clause[(row, *m["clause"])].label == "neutral" and own_sentence(row, m) and own_text(row, m)
                   and sentence[(row, *sentences[(row, m["sentence"])])].label == "neutral"})
    out: dict[int, list[dict]] = {}
    for row in sorted(found):
        by_key: dict[str, list[Tone]] = {}
        for m in found[row]:
            t = clause[(row, *m["clause"])]
            if t.label == "neutral" and own_sentence(row, m):
                t = sentence[(row, *sentences[(row, m["sentence"])])]
                if t.label == "neutral" and own_text(row, m):
                    t = whole[(row, 0, len(texts[row]))]
            by_key.setdefault(m["key"], []).append(t)
        for key in sorted(by_key):
            ts = by_key[key]
            praise, attack = sum(t.label == "praise" for t in ts), sum(t.label == "attack" for t in ts)
            label = "praise" if praise > attack else "attack" if attack > praise else "neutral"
            words = sorted({w for t in ts if t.label == label for w in t.decided_by})
            n = names[key]
            out.setdefault(row, []).append({"row": row, "key": key, "name": n["name"], "kind": n["kind"],
                                            "source": n["source"], "tone": label, "words": words})
    return out
