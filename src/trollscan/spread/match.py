"""Which texts carry a story's words: as written, after normalisation, as near-duplicates, and in
translation.

Every text is normalised with `trollscan.text` (the same kernel as the text detectors: letter case,
links and mentions, punctuation and emoji, Kazakh and Kyrgyz letters, look-alike letters, letter
runs). A text matches a phrase

- `exact`: it holds the phrase as written (letter case aside);
- `normalised`: its normalised words hold the phrase's normalised words, in order, as whole words
  (`word*`: any ending); or it is a copy (the same normalised text) of an item the query names;
- `translation`: the same, for a translation of the phrase (see `translate.py`);
- `near-duplicate`: (one hop, never a near-duplicate of a near-duplicate)
  - of the phrase (phrases of 3 words or more): a stretch of its words as long as the phrase has
    the phrase's words, in any order, with small edits: the best of rapidfuzz's `partial_ratio` and
    the `token_sort_ratio` of every window of the text's words as long as the phrase (one word
    more or less), at least `min_similarity`;
  - of a text that matched in one of the ways above (the story's own texts: a paraphrase, a copy
    with small edits, the same words re-ordered): the best of the Indel similarity of the two
    normalised texts (`ratio`) and of their sorted words (`token_sort_ratio`), at least
    `min_similarity`. Candidates come from MinHash over character shingles (`trollscan.text.minhash`),
    banded loosely, so a text is compared with the few story texts it shares a band with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process

from ..errors import BadParameter
from ..text.minhash import shingle_hashes, signatures
from ..text.normalise import normalise, to_codes

__all__ = ["TextQuery", "MatchResult", "MATCH_KINDS", "MATCH_SAID", "text_queries", "match_texts", "near_duplicates",
           "phrase_similarity", "text_similarity", "StoryIndex"]

# How an item matched, best first; items below a matching item carry the story without matching (NULL).
MATCH_KINDS = ("item", "exact", "normalised", "link", "hashtag", "translation", "near-duplicate")
# How each kind of match is said in a sentence ("12 as written, 3 in translation").
MATCH_SAID = {"item": "named by id", "exact": "as written", "normalised": "after normalisation", "link": "by link",
              "hashtag": "by hashtag", "translation": "in translation", "near-duplicate": "as near-duplicates"}
_K = 4  # shingle size, in code points (trollscan.text's default)
_PERM = 64
_ROWS = 2  # MinHash values per band: 32 bands, loose (texts of Jaccard 0.3 meet in some band 95 % of the time)
_MIN_AGREE = 0.25  # estimated Jaccard below which a candidate is not verified
_PER_TEXT = 3  # story texts verified per candidate text (the most alike by their signatures)
_MIN_PHRASE_WORDS = 3  # shorter phrases match only exactly or after normalisation


@dataclass(frozen=True)
class TextQuery:
    """Words the story is looked for by."""

    text: str  # as written (or as translated)
    norm: str  # normalised with trollscan.text
    source: str  # "phrase", "prefix" (a phrase ending with *), "item" (an item's own text), "translation"
    of: str  # what it stands for: the query term, or "item:ID"
    note: str = ""  # for a translation: "en->es by apertium"


@dataclass(frozen=True)
class MatchResult:
    """Per text (row): how it matched (None: not), the similarity (1 unless near), what it matched."""

    kind: np.ndarray  # object: a MATCH_KINDS value or None
    similarity: np.ndarray  # float64, NaN where no match
    of: np.ndarray  # object: the query term, "item:ID", or the text it is a near-duplicate of


def text_queries(phrases: list[str] | tuple[str, ...], item_texts: dict[str, str] | None = None,
                 translations: list[tuple[str, str, str]] | None = None) -> list[TextQuery]:
    """The text queries of a story: its phrases (`word*` as a prefix), the texts of the items it names
    (item id -> text), and translations of its phrases ((translated text, phrase, note))."""
    out = []
    for p in phrases:
        prefix = p.endswith("*")
        words = p[:-1] if prefix else p
        norm = normalise(words)
        if norm:
            out.append(TextQuery(words, norm, "prefix" if prefix else "phrase", p))
    for item_id, text in sorted((item_texts or {}).items()):
        norm = normalise(text) if text else ""
        if norm:
            out.append(TextQuery(text, norm, "item", f"item:{item_id}"))
    for text, phrase, note in translations or []:
        norm = normalise(text)
        if norm and all(norm != q.norm for q in out):
            out.append(TextQuery(text, norm, "translation", phrase, note))
    return out


def _padded(norm: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(" ", pc.fill_null(norm, ""), " ", "")


def match_texts(raw: pa.Array, norm: pa.Array, queries: list[TextQuery], *, min_item_chars: int = 20) -> MatchResult:
    """Exact, normalised and translated matches of `queries` among texts (`raw`, and `norm`: the same
    texts normalised). A copy of a named item counts when its normalised text has `min_item_chars`
    characters or more (a short "+1" is no copy)."""
    n = len(raw)
    kind = np.full(n, None, object)
    sim = np.full(n, np.nan)
    of = np.full(n, None, object)
    place = np.full(n, len(MATCH_KINDS))  # the rank of each row's best match so far
    padded = _padded(norm)

    def mark(hit: pa.Array, what: str, term: str) -> np.ndarray:
        hit = np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False), bool)
        better = hit & (place > MATCH_KINDS.index(what))
        kind[better], sim[better], of[better], place[better] = what, 1.0, term, MATCH_KINDS.index(what)
        return hit

    for q in queries:
        if q.source == "phrase":
            words = mark(pc.match_substring(padded, f" {q.norm} "), "normalised", q.of)
            if words.any():  # as written, too: the same words with the same letters and signs
                mark(pc.and_(pa.array(words), pc.match_substring(raw, q.text, ignore_case=True)), "exact", q.of)
        elif q.source == "prefix":
            mark(pc.match_substring(padded, f" {q.norm}"), "normalised", q.of)
        elif q.source == "translation":
            mark(pc.match_substring(padded, f" {q.norm} "), "translation", q.of)
        elif q.source == "item" and len(q.norm) >= min_item_chars:
            mark(pc.equal(norm, q.norm), "normalised", q.of)
            mark(pc.equal(raw, q.text), "exact", q.of)
    return MatchResult(kind, sim, of)


def phrase_similarity(phrase: str, text: str) -> float:
    """How closely `text` holds `phrase` (both normalised), 0-1: the best of the phrase aligned
    with a stretch of the text (`partial_ratio`) and of the phrase's sorted words against those of
    each window of the text's words as long as the phrase, one word more or less."""
    best = fuzz.partial_ratio(phrase, text)
    words, n = text.split(), len(phrase.split())
    sizes = [w for w in (n - 1, n, n + 1) if w >= 1]
    windows = [" ".join(words[s:s + w]) for w in sizes for s in range(max(1, len(words) - w + 1))]
    if windows:
        best = max(best, float(process.extractOne(phrase, windows, scorer=fuzz.token_sort_ratio)[1]))
    return best / 100.0


def text_similarity(a: list[str], b: list[str]) -> np.ndarray:
    """Per pair of normalised texts, the best of their Indel similarity and that of their sorted
    words (the same words re-ordered), 0-1."""
    if not a:
        return np.zeros(0)
    r = process.cpdist(a, b, scorer=fuzz.ratio, dtype=np.float64)
    s = process.cpdist(a, b, scorer=fuzz.token_sort_ratio, dtype=np.float64)
    return np.maximum(r, s) / 100.0


def _signatures(norm: pa.Array, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MinHash signatures of normalised texts, with their shingle hashes and owners."""
    codes, lengths = to_codes(norm)
    hashes, owner = shingle_hashes(codes, lengths, k=_K, seed=seed, max_len=2000)
    return signatures(hashes, owner, len(lengths), num_perm=_PERM, seed=seed), hashes, owner


def _band_keys(sig: np.ndarray) -> np.ndarray:
    """(n, bands) uint64: each band's two values as one key (exact: no hashing, no false buckets)."""
    s = sig.astype(np.uint64)
    return (s[:, 0::_ROWS] << np.uint64(32)) | s[:, 1::_ROWS]


class StoryIndex:
    """The story's own normalised texts (those of `min_chars` characters or more) and its normalised
    phrases (those of 3 words or more), ready to be compared with batches of other texts."""

    def __init__(self, story_texts: list[str], phrases: list[str], *, min_chars: int = 20, seed: int = 1) -> None:
        self.texts = sorted({t for t in story_texts if t and len(t) >= min_chars})
        self.phrases = [p for p in phrases if len(p.split()) >= _MIN_PHRASE_WORDS]
        self.min_chars, self.seed = min_chars, seed
        self.sig = _signatures(pa.array(self.texts, pa.string()), seed)[0] if self.texts else np.zeros((0, _PERM),
                                                                                                       np.uint32)
        live = np.flatnonzero(self.sig[:, 0] != np.uint32(0xFFFFFFFF))
        keys = _band_keys(self.sig[live])
        self.bands = []
        for b in range(keys.shape[1] if len(live) else 0):
            order = np.argsort(keys[:, b], kind="stable")
            self.bands.append((keys[order, b], live[order]))
        self.phrase_hashes = []
        for p in self.phrases:
            codes, lengths = to_codes(pa.array([p], pa.string()))
            self.phrase_hashes.append(np.unique(shingle_hashes(codes, lengths, k=_K, seed=seed)[0]))

    def __bool__(self) -> bool:
        return bool(self.texts or self.phrases)

    def text_candidates(self, sig: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """(row, story text) pairs that share a band, at most `_PER_TEXT` per row, most alike first."""
        if not self.bands or not len(rows):
            return np.zeros((0, 2), np.int64)
        keys = _band_keys(sig[rows])
        found = []
        for b, (qk, qi) in enumerate(self.bands):
            pos = np.minimum(np.searchsorted(qk, keys[:, b]), len(qk) - 1)
            hit = qk[pos] == keys[:, b]
            found.append(np.column_stack([rows[hit], qi[pos[hit]]]))
        pairs = np.unique(np.concatenate(found).astype(np.int64), axis=0)
        if not len(pairs):
            return pairs
        agree = (sig[pairs[:, 0]] == self.sig[pairs[:, 1]]).mean(axis=1)
        pairs, agree = pairs[agree >= _MIN_AGREE], agree[agree >= _MIN_AGREE]
        if not len(pairs):
            return pairs
        order = np.lexsort((pairs[:, 1], -agree, pairs[:, 0]))
        pairs = pairs[order]
        first = np.r_[0, np.flatnonzero(pairs[1:, 0] != pairs[:-1, 0]) + 1]
        place = np.arange(len(pairs)) - np.repeat(first, np.diff(np.r_[first, len(pairs)]))
        return pairs[place < _PER_TEXT]

    def phrase_candidates(self, hashes: np.ndarray, owner: np.ndarray, rows: np.ndarray, n: int) -> list[np.ndarray]:
        """Per phrase, the rows (of `n` texts, among `rows`) holding half of its distinct shingles or more."""
        wanted = np.zeros(n, bool)
        wanted[rows] = True
        out = []
        for ph in self.phrase_hashes:
            hit = np.isin(hashes, ph) & wanted[owner] if len(ph) and len(hashes) else np.zeros(len(hashes), bool)
            pairs = np.unique(np.column_stack([owner[hit].astype(np.int64), hashes[hit].astype(np.int64)]), axis=0)
            counts = np.bincount(pairs[:, 0], minlength=n) if len(pairs) else np.zeros(n, np.int64)
            out.append(np.flatnonzero(counts * 2 >= max(len(ph), 1)))
        return out


def near_duplicates(norm: pa.Array, skip: np.ndarray, index: StoryIndex, *, min_similarity: float = 0.8
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Near-duplicates among normalised texts `norm` (rows where `skip` is set are left out) of the
    story's texts and phrases in `index`. Returns per row the similarity (NaN: none), whether the
    best match is a phrase, and the index of what it matched (in `index.texts` or `index.phrases`).

    Reads:    normalised texts
    Misleads: slogans and headlines many people quote; a phrase of common words.
    """
    if not 0 < min_similarity <= 1:
        raise BadParameter(f"The 'min_similarity' parameter of spread must be in (0, 1]; got {min_similarity}.")
    n = len(norm)
    best = np.full(n, np.nan)
    is_phrase = np.zeros(n, bool)
    which = np.full(n, -1, np.int64)
    if not n or not index:
        return best, is_phrase, which
    lengths = pc.fill_null(pc.utf8_length(norm), 0).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(~np.asarray(skip, bool) & (lengths >= _K))
    if not len(rows):
        return best, is_phrase, which
    sig, hashes, owner = _signatures(norm, index.seed)
    candidates = index.text_candidates(sig, rows[lengths[rows] >= index.min_chars])
    per_phrase = index.phrase_candidates(hashes, owner, rows, n)
    needed = np.unique(np.concatenate([candidates[:, 0], *per_phrase]).astype(np.int64))
    values = dict(zip(needed.tolist(), norm.take(pa.array(needed)).to_pylist()))

    def keep(row: np.ndarray, score: np.ndarray, target: np.ndarray, phrase: bool) -> None:
        ok = score >= min_similarity - 1e-9
        for r, s, t in zip(row[ok].tolist(), score[ok].tolist(), target[ok].tolist()):
            if np.isnan(best[r]) or s > best[r] or (s == best[r] and phrase and not is_phrase[r]):
                best[r], is_phrase[r], which[r] = s, phrase, t

    if len(candidates):
        score = text_similarity([values[r] for r in candidates[:, 0].tolist()],
                                [index.texts[t] for t in candidates[:, 1].tolist()])
        keep(candidates[:, 0], score, candidates[:, 1], False)
    for k, cand in enumerate(per_phrase):
        if len(cand):
            score = np.array([phrase_similarity(index.phrases[k], values[r]) for r in cand.tolist()])
            keep(cand, score, np.full(len(cand), k), True)
    return best, is_phrase, which
