"""Copies and near-copies among a story's texts, and the words a group uses.

A simple normalisation of its own (lower case, links and mentions out, punctuation and emoji out),
the same as the co-action layers' TEXT_SQL; near-duplicates by MinHash over words and word pairs,
banded so that texts sharing about half their words or more fall into one family. Switch to
`trollscan.text` (normalisation and near-duplicate families) once it lands.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import igraph as ig

__all__ = ["normalise_texts", "text_families", "top_words", "top_words_by_group", "STOPWORDS"]

_PERMUTATIONS = 64
_BANDS = 16  # 4 rows a band: texts with Jaccard 0.6 collide in some band with probability ~0.9
_PRIME = (1 << 61) - 1
STOPWORDS = frozenset(
    "the and for with that this from have has are was were not but you your our their about over into what "
    "des les une dans pour pas que qui sur est der die das und ist nicht ein eine den dem mit von wegen "
    "los las del por con para una это как что так все его она они мне нас вас или уже еще ещё для без при "
    "над под про через rt amp https http www".split())


def normalise_texts(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Lower case; links, @mentions, punctuation, emoji and extra spaces removed (nulls stay null)."""
    t = pc.utf8_lower(texts)
    t = pc.replace_substring_regex(t, r"https?://\S+|@[\p{L}\p{N}_]+", " ")
    t = pc.replace_substring_regex(t, r"[^\p{L}\p{N}]+", " ")
    t = pc.utf8_trim_whitespace(t)
    return t.combine_chunks() if isinstance(t, pa.ChunkedArray) else t


def _shingles(norm: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(row, shingle code) for every word and word pair of every text."""
    words = pc.split_pattern(pc.fill_null(norm, ""), " ")
    lengths = pc.list_value_length(words).to_numpy(zero_copy_only=False)
    flat = pc.list_flatten(words)
    if not len(flat):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    codes = pc.dictionary_encode(flat).indices.to_numpy(zero_copy_only=False).astype(np.int64)
    row = np.repeat(np.arange(len(lengths)), lengths)
    vocab = int(codes.max()) + 1
    same_row = row[1:] == row[:-1]
    pair = (codes[:-1] * vocab + codes[1:])[same_row] + vocab
    return np.concatenate([row, row[1:][same_row]]), np.concatenate([codes, pair])


def text_families(texts: pa.Array | pa.ChunkedArray, accounts: list[str] | np.ndarray, *,
                  min_chars: int = 20, min_similarity: float = 0.5, seed: int = 1) -> dict[str, np.ndarray]:
    """Per text: `family` (texts linked by an estimated Jaccard similarity of words and word pairs of
    at least `min_similarity`; -1 for texts shorter than `min_chars`), `exact` (another account wrote the same normalised text), `near` (another account
    wrote a near-copy), `templated` (its family holds texts of three accounts or more).

    Reads:    texts and their authors
    Misleads: quotes of one slogan, song lyrics, and "RT"-style copies a client makes on its own.
    """
    norm = normalise_texts(texts)
    n = len(norm)
    lengths = pc.fill_null(pc.utf8_length(norm), 0).to_numpy(zero_copy_only=False)
    usable = lengths >= min_chars
    accounts = np.asarray(accounts, dtype=object)
    family = np.full(n, -1, np.int64)
    out = {"family": family, "exact": np.zeros(n, bool), "near": np.zeros(n, bool), "templated": np.zeros(n, bool)}
    rows = np.flatnonzero(usable)
    if len(rows) < 2:
        return out
    # one signature per distinct text: copies share it
    encoded = pc.dictionary_encode(norm.take(pa.array(rows)))
    text_id = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    distinct = encoded.dictionary
    row, code = _shingles(distinct)
    rng = np.random.default_rng(seed)
    a = rng.integers(1, _PRIME, _PERMUTATIONS, dtype=np.int64)
    b = rng.integers(0, _PRIME, _PERMUTATIONS, dtype=np.int64)
    sig = np.empty((len(distinct), _PERMUTATIONS), np.int64)
    order = np.argsort(row, kind="stable")
    starts = np.flatnonzero(np.r_[True, row[order][1:] != row[order][:-1]])  # every usable text has a word
    x = (code[order].astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(4)  # spread the codes
    for k in range(_PERMUTATIONS):  # uint64 products wrap: a hash, deterministic on every machine
        h = ((x * np.uint64(a[k]) + np.uint64(b[k])) % np.uint64(_PRIME)).astype(np.int64)
        sig[:, k] = np.minimum.reduceat(h, starts)
    fam = _band_families(sig, min_similarity)[text_id]
    family[rows] = fam
    # how many distinct accounts write in each family, and each exact text
    who = accounts[rows].astype(str)
    fam_accounts = _distinct_per(fam, who)
    text_accounts = _distinct_per(text_id, who)
    out["near"][rows] = fam_accounts[fam] >= 2
    out["exact"][rows] = text_accounts[text_id] >= 2
    out["templated"][rows] = fam_accounts[fam] >= 3
    return out


def _band_families(sig: np.ndarray, min_similarity: float) -> np.ndarray:
    """Families of texts: in each band, every text joins the first text of its bucket when their
    signatures agree on at least `min_similarity` of their values (a star per bucket keeps this
    linear however many copies a text has)."""
    m = len(sig)
    per = _PERMUTATIONS // _BANDS
    src, dst = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for band in range(_BANDS):
        part = sig[:, band * per:(band + 1) * per].astype(np.uint64)
        mixed = np.zeros(m, np.uint64)
        for col in range(per):  # one 64-bit key per band; a rare false bucket is caught by the check below
            mixed = (mixed ^ part[:, col]) * np.uint64(0x100000001B3)
        _, bucket = np.unique(mixed, return_inverse=True)
        bucket = bucket.ravel()
        order = np.argsort(bucket, kind="stable")
        head_of = np.empty(bucket.max() + 1, np.int64)
        head_of[bucket[order[::-1]]] = order[::-1]  # the lowest row of each bucket
        head = head_of[bucket]
        cand = np.flatnonzero(head != np.arange(m))
        if not len(cand):
            continue
        agree = (sig[cand] == sig[head[cand]]).mean(axis=1)
        ok = cand[agree >= min_similarity]
        src.append(ok)
        dst.append(head[ok])
    src, dst = np.concatenate(src), np.concatenate(dst)
    graph = ig.Graph(n=m, edges=np.column_stack([src, dst]).tolist())
    label = np.asarray(graph.connected_components().membership, np.int64)
    _, fam = np.unique(label, return_inverse=True)
    return fam.ravel()


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
