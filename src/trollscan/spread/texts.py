"""Copies and near-copies among a story's texts, and the words a group uses.

Texts are normalised with `trollscan.text` (the text detectors' kernel: letter case, links and
mentions, punctuation and emoji, Kazakh and Kyrgyz letters, look-alike letters, letter runs), and
near-duplicates are its template families: MinHash LSH over character shingles, every candidate
verified exactly (Indel similarity of the normalised texts, 0.8 or more by default).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..text.families import text_families as _families
from ..text.normalise import normalise_texts

__all__ = ["normalise_texts", "text_families", "top_words", "top_words_by_group", "STOPWORDS"]

STOPWORDS = frozenset(
    "the and for with that this from have has are was were not but you your our their about over into what "
    "des les une dans pour pas que qui sur est der die das und ist nicht ein eine den dem mit von wegen "
    "los las del por con para una это как что так все его она они мне нас вас или уже еще ещё для без при "
    "над под про через rt amp https http www".split())


def text_families(texts: pa.Array | pa.ChunkedArray, accounts: list[str] | np.ndarray, *,
                  min_chars: int = 20, min_similarity: float = 0.8, seed: int = 1) -> dict[str, np.ndarray]:
    """Per text (in time order): `family` (`trollscan.text` template families: texts linked by an
    Indel similarity of at least `min_similarity`; -1 for a text in no family or shorter than
    `min_chars`), `exact` (another account wrote the same normalised text), `near` (another account
    wrote a near-copy), `templated` (its family holds texts of three accounts or more).

    Reads:    texts and their authors
    Misleads: quotes of one slogan, song lyrics, and "RT"-style copies a client makes on its own.
    """
    n = len(texts)
    family = np.full(n, -1, np.int64)
    out = {"family": family, "exact": np.zeros(n, bool), "near": np.zeros(n, bool), "templated": np.zeros(n, bool)}
    if n < 2:
        return out
    # Families of the distinct texts (a story repeats a few texts many times): the same families,
    # for a fraction of the memory.
    texts = texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts
    encoded = pc.dictionary_encode(texts)
    has = ~np.asarray(pc.is_null(encoded.indices).to_numpy(zero_copy_only=False), bool)
    code = pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False).astype(np.int64)
    distinct = encoded.dictionary
    norm = normalise_texts(distinct)
    usable = pc.fill_null(pc.utf8_length(norm), 0).to_numpy(zero_copy_only=False) >= min_chars
    members = _families(distinct, min_chars=min_chars, min_similarity=min_similarity, seed=seed).members
    fam_of = np.where(usable, len(distinct) + np.arange(len(distinct)), -1)  # alone: a family of its own
    fam_of[members["row"].to_numpy()] = members["family_id"].to_numpy()
    text_of = pc.dictionary_encode(norm).indices.to_numpy(zero_copy_only=False).astype(np.int64)
    rows = np.flatnonzero(has & usable[code])
    if not len(rows):
        return out
    fam = fam_of[code[rows]]
    who = np.asarray(accounts, dtype=object)[rows].astype(str)
    same = text_of[code[rows]]
    fam_accounts = _distinct_per(fam, who)
    _, inverse, size = np.unique(fam, return_inverse=True, return_counts=True)
    family[rows] = np.where(size[inverse.ravel()] >= 2, fam, -1)  # a text written once is in no family
    out["near"][rows] = fam_accounts[fam] >= 2
    out["exact"][rows] = _distinct_per(same, who)[same] >= 2
    out["templated"][rows] = fam_accounts[fam] >= 3
    return out


def _distinct_per(group: np.ndarray, who: np.ndarray) -> np.ndarray:
    """Number of distinct `who` per group id."""
    _, w = np.unique(who, return_inverse=True)
    pairs = np.unique(np.stack([group, w.ravel()], 1), axis=0)
    return np.bincount(pairs[:, 0], minlength=int(group.max()) + 1 if len(group) else 0)


def top_words(texts: pa.Array | pa.ChunkedArray, accounts: list[str], *, limit: int = 5,
              min_chars: int = 4) -> list[tuple[str, int]]:
    """The words most accounts used in these texts (stop words and short words left out):
    (word, accounts), most first."""
    return top_words_by_group(texts, accounts, [0] * len(accounts), limit=limit, min_chars=min_chars).get(0, [])


def top_words_by_group(texts: pa.Array | pa.ChunkedArray, accounts: list[str], groups: list[int], *,
                       limit: int = 5, min_chars: int = 4) -> dict[int, list[tuple[str, int]]]:
    """Per group, the words most of its accounts used in their texts: group -> [(word, accounts)],
    most first, ties in alphabetical order."""
    words = pc.split_pattern(pc.fill_null(normalise_texts(texts), ""), " ")
    lengths = pc.list_value_length(words).to_numpy(zero_copy_only=False)
    flat = pc.list_flatten(words)
    if not len(flat):
        return {}
    long = pa.table({"group": pa.array(np.repeat(np.asarray(groups, np.int64), lengths)),
                     "account": pa.array(np.repeat(np.asarray(accounts, dtype=object), lengths), pa.string()),
                     "word": flat})
    keep = pc.and_(pc.greater_equal(pc.utf8_length(long["word"]), min_chars),
                   pc.invert(pc.or_(pc.is_in(long["word"], value_set=pa.array(sorted(STOPWORDS))),
                                    pc.utf8_is_digit(long["word"]))))
    long = long.filter(keep)
    if not long.num_rows:
        return {}
    used = long.group_by(["group", "word", "account"], use_threads=False).aggregate([])
    counted = used.group_by(["group", "word"], use_threads=False).aggregate([("account", "count")])
    counted = counted.sort_by([("group", "ascending"), ("account_count", "descending"), ("word", "ascending")])
    out: dict[int, list[tuple[str, int]]] = {}
    for g, w, c in zip(counted["group"].to_pylist(), counted["word"].to_pylist(), counted["account_count"].to_pylist()):
        mine = out.setdefault(g, [])
        if len(mine) < limit:
            mine.append((w, c))
    return out
