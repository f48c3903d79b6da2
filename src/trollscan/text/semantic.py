"""Semantic similarity, when a local embedding model is there: texts as unit vectors.

Never required: with no model (`--semantic-model off`, or `auto` where none is installed) nothing
here runs. The hook is any object with a `name` and `embed(texts) -> float32 array` (one row per
text, each of length 1, or all zeros for a text the model cannot place); `talking_points.py`
compares what it returns.

One kind is built in, `WordVectors`: a text's vector is the weighted mean of the vectors of its
words (smooth inverse frequency, "SIF": a word of probability p weighs a / (a + p), so "и", "в",
"это" hardly count and "провокаторы" counts fully; Arora, Liang and Ma 2017), less the two
directions every text vector shares (the model's own, from its commonest words). Words are normalised
exactly as the rest of `trollscan.text` normalises them (`normalise.py`: case, ё, Kazakh and Kyrgyz
letters, look-alikes), the model's vocabulary too, so "Ёлка", "ёлка" and "елка" are one word. Words
the model lacks are ignored; a text with fewer than `min_words` known words gets no vector and is
compared with nothing (a "+1" or "Молодцы!" says no talking point).

Models:
- `navec`: the Russian news vectors bundled with natasha (250K words x 300 d, product-quantised;
  word frequencies included, so SIF weights are exact). Always there with trollscan installed.
- a navec `.tar` file given by path (navec publishes others, e.g. `navec_hudlit_v1_12B_500K_300d_100q`).
- a word2vec / fastText text file given by path: `.vec` or `.vec.gz` (fastText's `cc.kk.300.vec`,
  `cc.ky.300.vec`: first line "N DIM", then "word v1 ... vDIM", most frequent words first). Streamed;
  the first `max_words` words are kept (300 d x 500K words is 600 MB); a word's probability is
  estimated from its rank (Zipf). A malformed line fails the load with the file and line.

A sentence-embedding model (sentence-transformers and the like: `model.encode(texts,
normalize_embeddings=True)`) fits the same hook as an object with `name` and that `embed`; none is
wired in because such models are fetched from their own sites, not from a package registry.
"""

from __future__ import annotations

import gzip
import tarfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import BadFile, BadParameter, BadRecord
from .normalise import normalise_texts

__all__ = ["Embedder", "WordVectors", "load_embedder", "load_navec", "load_word2vec", "navec_available",
           "MODEL_CHOICES"]

MODEL_CHOICES = "auto, off, navec, or the path of a navec .tar or a word2vec/fastText .vec(.gz) file"
_SIF_A = 1e-4  # Arora et al.'s a: a word more frequent than 1 in 10,000 weighs half or less
# Directions shared by all texts, taken out: on bench/text.py's planted talking points, pairwise F1
# at the best cosine goes from 0.56 to 0.68 with them out (a = 1e-4; 1e-3 gave 0.46 without).
_COMMON, _COMMON_WORDS = 2, 30_000
_CHUNK_TEXTS = 4096  # texts summed at a time (their words' vectors are held at once)


class Embedder(Protocol):
    name: str

    def embed(self, texts: pa.Array | list[str]) -> np.ndarray:
        """One float32 row per text: a unit vector, or all zeros when the text cannot be placed."""
        ...


class WordVectors:
    """A text as the SIF-weighted mean of its known words' vectors (see the module's docstring).

    `words`: the model's words, already normalised and distinct; `rows(ids)`: their vectors as a
    float32 (len(ids), dim) array; `probability`: each word's share of running text.
    """

    def __init__(self, name: str, words: pa.Array, rows: Callable[[np.ndarray], np.ndarray], dim: int,
                 probability: np.ndarray, *, min_words: int = 3, sif_a: float = _SIF_A,
                 common: int = _COMMON) -> None:
        if min_words < 1:
            raise BadParameter(f"The 'min_words' parameter of WordVectors must be an int >= 1; got {min_words}.")
        self.name = name
        self.dim = dim
        self.min_words = min_words
        self._words = words
        self._rows = rows
        self.probability = np.asarray(probability, dtype=np.float64)
        self._weight = (sif_a / (sif_a + self.probability)).astype(np.float32)
        self._common = _common_directions(rows, self.probability, common)

    def __len__(self) -> int:
        return len(self._words)

    def embed(self, texts: pa.Array | pa.ChunkedArray | list[str]) -> np.ndarray:
        """One unit float32 row per text (all zeros with fewer than `min_words` known words)."""
        if isinstance(texts, list):
            texts = pa.array(texts, pa.string())
        texts = texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), 1 << 16):
            part = texts.slice(start, 1 << 16)
            out[start:start + len(part)] = self._embed(part)
        return out

    def _embed(self, texts: pa.Array) -> np.ndarray:
        words = pc.utf8_split_whitespace(pc.fill_null(normalise_texts(texts), ""))
        lengths = pc.list_value_length(words).to_numpy(zero_copy_only=False).astype(np.int64)
        ids = pc.index_in(pc.list_flatten(words), value_set=self._words)
        known = pc.is_valid(ids).to_numpy(zero_copy_only=False)
        owner = np.repeat(np.arange(len(texts)), lengths)[known]
        ids = ids.filter(pa.array(known)).to_numpy(zero_copy_only=False).astype(np.int64)
        count = np.bincount(owner, minlength=len(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        keep = count[owner] >= self.min_words
        owner, ids = owner[keep], ids[keep]
        bounds = np.concatenate([[0], np.cumsum(np.bincount(owner, minlength=len(texts)))])
        for t0 in range(0, len(texts), _CHUNK_TEXTS):
            t1 = min(t0 + _CHUNK_TEXTS, len(texts))
            s, e = bounds[t0], bounds[t1]
            if s == e:
                continue
            vec = self._rows(ids[s:e]) * self._weight[ids[s:e], None]
            starts = np.flatnonzero(np.diff(np.concatenate([[-1], owner[s:e]])))
            out[owner[s:e][starts]] = np.add.reduceat(vec, starts, axis=0)
        placed = np.linalg.norm(out, axis=1) > 0
        out[placed] -= (out[placed] @ self._common.T) @ self._common
        norm = np.linalg.norm(out, axis=1)
        placed &= norm > 0
        out[placed] /= norm[placed, None]
        return out


def _common_directions(rows: Callable[[np.ndarray], np.ndarray], probability: np.ndarray, k: int) -> np.ndarray:
    """The `k` directions every text vector shares (k x dim): the top right singular vectors of the
    unit vectors of the model's `_COMMON_WORDS` most frequent words. Taking them out of a text's
    vector leaves what sets it apart (SIF's common-component removal, estimated once from the model
    rather than from the case, so that a text's vector does not depend on what else the case holds)."""
    if k == 0:
        return np.zeros((0, rows(np.arange(1)).shape[1]), dtype=np.float32)
    top = np.argsort(-probability, kind="stable")[:_COMMON_WORDS]
    sample = rows(top).astype(np.float64)
    sample /= np.maximum(np.linalg.norm(sample, axis=1, keepdims=True), 1e-12)
    values, vectors = np.linalg.eigh(sample.T @ sample)  # right singular vectors, from the small d x d matrix
    top_k = vectors[:, np.argsort(-values, kind="stable")[:k]].T
    return (top_k * np.where(top_k.sum(axis=1, keepdims=True) < 0, -1, 1)).astype(np.float32)  # a fixed sign


def _vocabulary(words: list[str], rank: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """The model's words normalised like case texts, one row per normalised word (of two words
    that normalise alike, the one of lower `rank` wins); words that normalise to nothing or to
    several words are left out. Returns (normalised words, the model row of each)."""
    norm = normalise_texts(pa.array(words, pa.string()))
    single = pc.and_(pc.greater(pc.utf8_length(norm), 0), pc.invert(pc.match_substring(norm, " ")))
    rows = np.flatnonzero(single.to_numpy(zero_copy_only=False))
    rows = rows[np.argsort(rank[rows], kind="stable")]
    kept = norm.take(pa.array(rows))
    encoded = pc.dictionary_encode(kept)
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    first = np.full(len(encoded.dictionary), len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes)))
    return encoded.dictionary, rows[first]


def load_navec(path: str | Path | None = None, *, min_words: int = 3) -> WordVectors:
    """navec vectors: natasha's bundled Russian news model (`path` None), or a navec .tar file."""
    try:
        from navec import Navec
    except ImportError:  # pragma: no cover - natasha is a dependency
        raise BadParameter("The navec model needs the navec package.", "pip install natasha") from None
    if path is None:
        from natasha.data import NEWS_EMBEDDING as path
        name = "navec (natasha news, 250K words)"
    else:
        name = f"navec ({Path(path).name})"
        _check_file(Path(path))
    try:
        model = Navec.load(str(path))
    except (OSError, EOFError, ValueError, KeyError, tarfile.TarError, zlib.error) as exc:  # not navec's: name the file
        raise BadFile(f"{path}: not a navec model ({exc.__class__.__name__}).",
                      "Give a navec .tar (https://github.com/natasha/navec) or a word2vec .vec file.") from None
    counts = np.asarray(model.vocab.counts, dtype=np.float64)
    real = counts > 0  # <unk> and <pad> have no count
    words = [w for w, ok in zip(model.vocab.words, real) if ok]
    model_rows = np.flatnonzero(real)
    vocab, rows = _vocabulary(words, -counts[real])
    model_rows = model_rows[rows]
    pq = model.pq
    qdims = np.arange(pq.qdim)

    def vectors(ids: np.ndarray) -> np.ndarray:
        return pq.codes[qdims, pq.indexes[model_rows[ids]]].reshape(len(ids), pq.dim).astype(np.float32, copy=False)

    return WordVectors(name, vocab, vectors, int(pq.dim), counts[real][rows] / counts[real].sum(), min_words=min_words)


def load_word2vec(path: str | Path, *, max_words: int = 500_000, min_words: int = 3) -> WordVectors:
    """Word vectors from a word2vec / fastText text file (.vec, .vec.gz): header "N DIM", then one
    word and DIM numbers a line, most frequent first. The first `max_words` words are kept."""
    path = Path(path)
    _check_file(path)
    if max_words < 1:
        raise BadParameter(f"The 'max_words' parameter of load_word2vec must be an int >= 1; got {max_words}.")
    lines = _lines(path)
    try:
        number, header = next(lines, (1, ""))
        parts = header.split()
        if len(parts) != 2 or not all(p.isdigit() for p in parts) or int(parts[1]) < 1:
            raise BadRecord(f"{path}, line 1: expected the header 'WORDS DIMENSIONS' (two numbers); "
                            f"got {header[:60]!r}.", "Is this a word2vec/fastText .vec text file?")
        total, dim = int(parts[0]), int(parts[1])
        keep = min(total, max_words)
        matrix = np.zeros((keep, dim), dtype=np.float32)
        words: list[str] = []
        for number, line in lines:
            if len(words) >= keep:
                break
            word, _, rest = line.rstrip("\r\n").partition(" ")
            values = rest.split()
            if not word or len(values) != dim:
                raise BadRecord(f"{path}, line {number}: expected a word and {dim} numbers; got "
                                f"{len(values)} value{'s' if len(values) != 1 else ''}.",
                                "The file is damaged or not a word2vec text file.")
            try:
                matrix[len(words)] = np.asarray(values, dtype=np.float32)
            except ValueError:
                raise BadRecord(f"{path}, line {number}: a vector value is not a number.",
                                "The file is damaged or not a word2vec text file.") from None
            words.append(word)
    finally:
        lines.close()
    if not words:
        raise BadFile(f"{path}: holds no word vectors.", "Give a word2vec/fastText .vec file.")
    matrix = matrix[:len(words)]
    if not np.isfinite(matrix).all():
        bad = int(np.flatnonzero(~np.isfinite(matrix).all(axis=1))[0])
        raise BadRecord(f"{path}, line {bad + 2}: a vector value is not finite.", "The file is damaged.")
    vocab, rows = _vocabulary(words, np.arange(len(words)))
    vectors = matrix[rows]
    zipf = 1.0 / ((rows + 1) * (np.log(max(total, 2)) + 0.5772))  # a word's share of text from its rank
    return WordVectors(f"word vectors ({path.name}, {len(vocab):,} words)", vocab, lambda ids: vectors[ids], dim,
                       zipf, min_words=min_words)


def _check_file(path: Path) -> None:
    if not path.exists():
        raise BadFile(f"{path}: no such file.", "Give the path of a model file, or --semantic-model off.")
    if not path.is_file():
        raise BadFile(f"{path}: is not a file.", "Give the path of a model file, or --semantic-model off.")


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) of a UTF-8 text file, gzip-compressed when it ends in .gz; a byte that
    is not UTF-8 fails with the line it is on, a damaged gzip stream with the line it stopped at."""
    with (gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")) as stream:
        number = 0
        while True:
            try:
                line = stream.readline()
            except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
                raise BadFile(f"{path}, line {number + 1}: the file cannot be read ({exc.__class__.__name__}).",
                              "The file is truncated or not gzip; download it again.") from None
            if not line:
                return
            number += 1
            try:
                yield number, line.decode("utf-8")
            except UnicodeDecodeError:
                raise BadRecord(f"{path}, line {number}: not UTF-8 text.",
                                "word2vec/fastText .vec files are UTF-8; re-save it as UTF-8.") from None


def navec_available() -> bool:
    """Whether the bundled navec model can be loaded (natasha installed)."""
    try:
        import natasha.data  # noqa: F401
        import navec  # noqa: F401
    except ImportError:
        return False
    return True


def load_embedder(choice: str, *, min_words: int = 3) -> Embedder | None:
    """The model a scan option names: "off" (None), "auto" (navec when installed, else None),
    "navec", or a path (a navec .tar, or a word2vec/fastText .vec / .vec.gz / .txt file)."""
    if choice == "off":
        return None
    if choice == "auto":
        return load_navec(min_words=min_words) if navec_available() else None
    if choice == "navec":
        if not navec_available():
            raise BadParameter("--semantic-model navec needs the natasha package.", "pip install natasha")
        return load_navec(min_words=min_words)
    path = Path(choice)
    if path.suffix == ".tar":
        return load_navec(path, min_words=min_words)
    if path.suffix in (".vec", ".gz", ".txt"):
        return load_word2vec(path, min_words=min_words)
    if not path.exists():
        raise BadParameter(f"--semantic-model {choice!r}: not a model name, and no such file.",
                           f"Choose {MODEL_CHOICES}.")
    raise BadParameter(f"--semantic-model {choice!r}: unknown kind of model file (expected .tar, .vec, .vec.gz).",
                       f"Choose {MODEL_CHOICES}.")
