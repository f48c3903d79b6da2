"""Text as copy-pasters vary it, reduced to what they keep: the words.

`normalise_texts` works on a whole Arrow array at once (all texts as one flat array of code points,
one lookup table, a few numpy passes); `normalise` is the same kernel on one text. Steps, in order:

1. Unicode NFKC (full-width letters, ligatures, compatibility forms become plain letters).
2. Links (`http://...`, `www....`) and @mentions become spaces.
3. Per code point: letters to lower case; Kazakh, Kyrgyz, Uzbek and Tajik letters to the Russian
   keyboard's (ә→а, ғ→г, қ→к, ң→н, ө→о, ұ→у, ү→у, һ→х, і→и, ў→у, ҳ→х) and ё→е (`fold_letters`); any
   decimal digit to 0-9; combining marks, zero-width and other invisible format characters removed;
   everything else (punctuation, emoji, symbols, spaces) becomes one space; ends trimmed.
4. Letter runs: three or more of the same letter (look-alikes counted as the same) become one
   ("спасибоооо" → "спасибо"); doubled letters stay.
5. Look-alike letters: a word mixing Cyrillic and Latin letters becomes one script: the one of its
   letters that have no look-alike in the other ("HAPOД": Д has none, so Cyrillic "народ"), else
   the script of most of its letters (ties: Cyrillic); only look-alikes change ("Cпасибо" with a
   Latin C becomes "спасибо").
6. Optionally (`transliterate`), Cyrillic to plain Latin ("спасибо" → "spasibo"), so a text typed in
   Latin letters matches its Cyrillic original; Cyrillic letters of other languages go by their base
   letter (ӂ as ж) or, with none, are dropped.

The result is idempotent: normalising twice gives what normalising once gives.
"""

from __future__ import annotations

import functools
import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["normalise", "normalise_texts", "normalised_codes", "to_codes", "from_codes", "FOLD",
           "LATIN_TO_CYRILLIC", "CYRILLIC_TO_LATIN", "TRANSLITERATION"]

_SPACE = 32
_END = 0x110000  # ends every text inside the flat code array (past the last code point)
_DELETE = 0x110001
_TABLE = 0x110002  # lookup tables cover every code point and the two markers
_END_CHAR = "\x1f"
_CHUNK = 1 << 18  # texts normalised at a time
# A link runs to the next space or control character (a text's end marker is one).
_URLS = r"(?i)(?:https?://|www\.)[^\s\p{Z}\p{Cc}]+|@[\p{L}\p{N}_]+"

# Letters of the region's Cyrillic alphabets that Russian-keyboard typists replace by the nearest
# Russian letter; folding them makes "рақмет" and "ракмет" one word.
FOLD = {"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и", "ў": "у",
        "ҳ": "х", "ё": "е"}
# Latin letters that look like Cyrillic ones (after lower-casing; B and H are look-alikes in upper case).
LATIN_TO_CYRILLIC = {"a": "а", "b": "в", "c": "с", "e": "е", "h": "н", "i": "і", "k": "к", "m": "м", "o": "о",
                     "p": "р", "t": "т", "x": "х", "y": "у"}
CYRILLIC_TO_LATIN = {"а": "a", "в": "b", "с": "c", "е": "e", "н": "h", "і": "i", "к": "k", "м": "m", "о": "o",
                     "р": "p", "т": "t", "х": "x", "у": "y", "ѕ": "s", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w"}
TRANSLITERATION = {"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i",
                   "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
                   "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh",
                   "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "ё": "e", "ә": "a", "ғ": "g",
                   "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i", "ў": "u", "ҳ": "h",
                   "ѕ": "s", "ј": "j"}
# Hangul conjoining jamo could compose with a neighbour once a character between them is removed;
# NFKC has already composed every modern syllable, so the leftovers become spaces.
_JAMO = ((0x1100, 0x11FF), (0xA960, 0xA97F), (0xD7B0, 0xD7FF))


def normalise(text: str, *, fold_letters: bool = True, transliterate: bool = False) -> str:
    """One text normalised (see the module's steps); the same kernel as `normalise_texts`."""
    return normalise_texts(pa.array([text], pa.string()), fold_letters=fold_letters,
                           transliterate=transliterate)[0].as_py()


def normalise_texts(texts: pa.Array | pa.ChunkedArray, *, fold_letters: bool = True,
                    transliterate: bool = False) -> pa.Array:
    """Every text of `texts` normalised, as a string array of the same length (null stays null)."""
    codes, lengths = normalised_codes(texts, fold_letters=fold_letters, transliterate=transliterate)
    out = from_codes(codes, lengths)
    texts = texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts
    return pc.if_else(pc.is_null(texts), pa.scalar(None, out.type), out) if texts.null_count else out


def normalised_codes(texts: pa.Array | pa.ChunkedArray, *, fold_letters: bool = True,
                     transliterate: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The normalised texts as one flat uint32 array of code points and each text's length."""
    texts = texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts
    codes, lengths = [], []
    for start in range(0, len(texts), _CHUNK):  # bounded memory: a slice of texts at a time
        c = _prepared_codes(texts.slice(start, _CHUNK))
        c = _kernel(c, fold_letters, transliterate)
        ends = np.flatnonzero(c == _END)
        lengths.append(np.diff(ends, prepend=-1) - 1)
        codes.append(c[c != _END].astype(np.uint32))
    if not codes:
        return np.zeros(0, np.uint32), np.zeros(0, np.int64)
    return np.concatenate(codes), np.concatenate(lengths).astype(np.int64)


def to_codes(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Texts as one flat uint32 array of code points and each text's length (null: empty)."""
    texts = pc.fill_null(texts.cast(pa.large_string()), "")
    lengths = pc.utf8_length(texts).to_numpy(zero_copy_only=False).astype(np.int64)
    return _decode(texts), lengths


def from_codes(codes: np.ndarray, lengths: np.ndarray) -> pa.Array:
    """The inverse of `to_codes`: a string array from flat code points and per-text lengths."""
    codes = np.ascontiguousarray(codes, dtype=np.uint32)
    data = codes.tobytes().decode("utf-32-le").encode("utf-8")
    width = 1 + (codes >= 0x80) + (codes >= 0x800) + (codes >= 0x10000)
    byte_end = np.concatenate([[0], np.cumsum(width, dtype=np.int64)])
    char_end = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
    offsets = byte_end[char_end]
    arr = pa.LargeStringArray.from_buffers(len(lengths), pa.py_buffer(offsets.astype(np.int64).tobytes()),
                                           pa.py_buffer(data))
    return arr.cast(pa.string()) if len(data) < 2**31 else arr


def _decode(texts: pa.Array) -> np.ndarray:
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int64)[texts.offset:texts.offset + len(texts) + 1]
    data = texts.buffers()[2]
    raw = data.to_pybytes()[offsets[0]:offsets[-1]] if data is not None and len(texts) else b""
    return np.frombuffer(raw.decode("utf-8").encode("utf-32-le"), dtype=np.uint32)


def _prepared_codes(texts: pa.Array) -> np.ndarray:
    """Steps 1 and 2, each text ending with _END_CHAR (which the text itself cannot hold)."""
    large = pa.large_string()
    raw = pc.replace_substring(pc.fill_null(texts.cast(large), ""), _END_CHAR, " ")
    raw = pc.binary_join_element_wise(raw, pa.scalar(_END_CHAR, large), pa.scalar("", large))
    texts = pc.replace_substring_regex(raw, pattern=_URLS, replacement=" ")
    codes = _decode(texts)
    unsafe = [cp for cp in _present(codes) if _needs_nfkc(int(cp))]
    if not unsafe:  # NFKC leaves these texts as they are: skip it (it is the slowest step)
        return codes
    ends = np.flatnonzero(codes == ord(_END_CHAR))
    which = np.unique(np.searchsorted(ends, np.flatnonzero(np.isin(codes, unsafe))))
    mask = np.zeros(len(texts), dtype=bool)
    mask[which] = True
    # Python's NFKC, not Arrow's: the Unicode version must be the one `_needs_nfkc` consulted.
    fixed = pa.array([unicodedata.normalize("NFKC", t) for t in raw.take(pa.array(which)).to_pylist()], large)
    fixed = pc.replace_substring_regex(fixed, pattern=_URLS, replacement=" ")
    return _decode(pc.replace_with_mask(texts, pa.array(mask), fixed))


@functools.cache
def _needs_nfkc(cp: int) -> bool:
    """Whether NFKC could change a text holding `cp` in a way the kernel would see: punctuation that
    NFKC turns into other punctuation ("…" into "...") makes no difference, "ﬁ" or "①" does."""
    ch = chr(cp)
    # Marks may compose with the letter before them (all that NFC composes with a preceding
    # character is a mark or a Hangul jamo).
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:  # variation selectors compose with nothing
        return False
    if unicodedata.category(ch)[0] == "M" or any(lo <= cp <= hi for lo, hi in _JAMO):
        return True
    nfkc = unicodedata.normalize("NFKC", ch)
    if nfkc == ch:
        return False
    return _char_map(cp, False) != _SPACE or any(unicodedata.category(x)[0] not in "PSZ" and
                                                 unicodedata.category(x) != "Cc" for x in nfkc)


def _kernel(c: np.ndarray, fold: bool, transliterate: bool) -> np.ndarray:
    c = _base_map(c, fold)
    c = c[c != _DELETE]
    c = _squeeze_spaces(c)
    c = _collapse_runs(c, _skeleton(fold))
    c = _lookalikes(c, fold)
    if transliterate:
        c = _squeeze_spaces(_transliterate(c))
        c = _collapse_runs(c, None)
    return c


def _char_map(cp: int, fold: bool) -> int:
    ch = chr(cp)
    cat = unicodedata.category(ch)
    if cat in ("Mn", "Mc", "Me", "Cf") or 0xFE00 <= cp <= 0xFE0F:
        return _DELETE
    if cat[0] == "L":
        if any(lo <= cp <= hi for lo, hi in _JAMO):
            return _SPACE
        low = ch.lower()
        if len(low) != 1 or unicodedata.normalize("NFKC", low) != low:
            low = ch
        if fold:
            low = FOLD.get(low, low)
        return ord(low)
    if cat == "Nd":
        return ord(str(unicodedata.digit(ch)))
    return _SPACE


def _present(codes: np.ndarray) -> np.ndarray:
    """The distinct code points, sorted (counting is faster than sorting for many texts)."""
    if len(codes) < 1 << 16:
        return np.unique(codes)
    return np.flatnonzero(np.bincount(codes, minlength=1))


def _base_map(codes: np.ndarray, fold: bool) -> np.ndarray:
    """Step 3 by a lookup table built for the code points present."""
    if not len(codes):
        return codes.astype(np.int32)
    present = _present(codes)
    mapped = np.array([_char_map(int(cp), fold) for cp in present], dtype=np.int32)
    mapped[present == ord(_END_CHAR)] = _END
    if len(codes) < 1 << 16:  # few code points: no table the size of the largest one
        return mapped[np.searchsorted(present, codes)]
    table = np.zeros(int(present[-1]) + 1, dtype=np.int32)
    table[present] = mapped
    return table[codes]


def _shift(x: np.ndarray, fill, forward: bool = True) -> np.ndarray:
    """x moved one place: out[i] = x[i - 1] (forward) or x[i + 1], `fill` where there is none."""
    out = np.empty_like(x)
    if forward:
        out[0], out[1:] = fill, x[:-1]
    else:
        out[-1], out[:-1] = fill, x[1:]
    return out


def _squeeze_spaces(c: np.ndarray) -> np.ndarray:
    """One space between words, none at either end of a text."""
    if not len(c):
        return c
    space = c == _SPACE
    before = _shift(c, _END)
    c = c[~(space & ((before == _SPACE) | (before == _END)))]
    return c[~((c == _SPACE) & (_shift(c, _END, forward=False) == _END))]


def _collapse_runs(c: np.ndarray, skeleton: np.ndarray | None) -> np.ndarray:
    """Runs of three or more letters of one skeleton class become their first letter."""
    if len(c) < 3:
        return c
    sk = c if skeleton is None else skeleton[c]
    eq = sk[1:] == sk[:-1]
    middle = np.flatnonzero(eq[:-1] & eq[1:]) + 1  # the middle of three equal in a row
    if not len(middle) or not _is_letter(c[middle]).any():
        return c
    start = np.ones(len(c), dtype=bool)
    start[1:] = ~eq
    start |= ~_is_letter(c)
    run = np.cumsum(start, dtype=np.int32) - 1
    long_run = np.bincount(run) >= 3
    return c[start | ~long_run[run]]


def _is_letter(c: np.ndarray) -> np.ndarray:
    return (c != _SPACE) & (c != _END) & ((c < 48) | (c > 57))


def _lut(mapping: dict[int, int]) -> np.ndarray:
    """A lookup table over every code point (and the markers): identity but for `mapping`."""
    table = np.arange(_TABLE, dtype=np.int32)
    for src, dst in mapping.items():
        table[src] = dst
    return table


@functools.cache
def _skeleton(fold: bool) -> np.ndarray:
    """Code point -> a representative of its look-alike class (Latin a and Cyrillic а are one)."""
    lat2cyr, cyr2lat = _lookalike_maps(fold)
    out: dict[int, int] = {}
    for a, b in [*lat2cyr.items(), *((v, k) for k, v in cyr2lat.items())]:
        out[b] = a  # every class holds one Latin letter: it is the representative
    return _lut(out)


@functools.cache
def _lookalike_luts(fold: bool) -> tuple[np.ndarray, np.ndarray]:
    lat2cyr, cyr2lat = _lookalike_maps(fold)
    return _lut(lat2cyr), _lut(cyr2lat)


@functools.cache
def _lookalike_maps(fold: bool) -> tuple[dict[int, int], dict[int, int]]:
    lat2cyr = dict(LATIN_TO_CYRILLIC)
    cyr2lat = dict(CYRILLIC_TO_LATIN)
    if fold:  # і is folded to и: the Latin i stands for и, and и in a Latin word for i
        lat2cyr["i"] = "и"
        del cyr2lat["і"]
        cyr2lat["и"] = "i"
    return ({ord(k): ord(v) for k, v in lat2cyr.items()}, {ord(k): ord(v) for k, v in cyr2lat.items()})


@functools.cache
def _scripts() -> np.ndarray:
    """Per code point: 1 a Latin letter, 2 a Cyrillic letter, 3 a word gap (space, end), else 0."""
    table = np.zeros(_TABLE, dtype=np.int8)
    table[97:123] = 1
    table[0xC0:0x250] = 1
    table[[0xD7, 0xF7]] = 0
    table[0x1E00:0x1F00] = 1
    table[0x400:0x530] = 2
    table[[_SPACE, _END]] = 3
    return table


def _lookalikes(c: np.ndarray, fold: bool) -> np.ndarray:
    """Step 5: a word mixing scripts becomes the script of its letters without look-alikes, else
    of most of its letters (ties: Cyrillic)."""
    if not len(c):
        return c
    script = _scripts()[c]
    seen = script[script != 0]  # letters of the two scripts and gaps: a mixed word shows as 1 next to 2
    if not len(seen) or not ((seen[1:] + seen[:-1]) == 3).any():
        return c
    cyr, lat = script == 2, script == 1
    word = np.cumsum(script == 3, dtype=np.int32)  # a gap starts the word after it
    has_cyr = np.zeros(int(word[-1]) + 1, dtype=bool)
    has_lat = np.zeros(len(has_cyr), dtype=bool)
    has_cyr[word[cyr]] = True
    has_lat[word[lat]] = True
    mixed = has_cyr & has_lat
    where = np.flatnonzero(mixed[word])
    w = word[where]
    sub = c[where]
    lat2cyr, cyr2lat = _lookalike_luts(fold)

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(w, weights=mask, minlength=len(mixed))

    n_cyr, n_lat = count(cyr[where]), count(lat[where])
    # Letters with no look-alike in the other script decide first: a word whose Latin letters all
    # have Cyrillic look-alikes and that holds a Cyrillic letter without one ("HAPOД") is Cyrillic.
    cyr_only = count(cyr[where] & (cyr2lat[sub] == sub)) > 0
    lat_only = count(lat[where] & (lat2cyr[sub] == sub)) > 0
    to_cyr = np.where(cyr_only != lat_only, cyr_only, n_cyr >= n_lat)
    out = c.copy()
    out[where] = np.where(to_cyr[w], lat2cyr[sub], cyr2lat[sub])
    return out


def _latin_for(cp: int) -> str:
    """Latin letters for a letter of the Cyrillic blocks: the table's, its look-alike's, its base
    letter's (ӂ as ж), else none (so that no Cyrillic letter is left beside Latin ones)."""
    ch = chr(cp)
    if ch in TRANSLITERATION:
        return TRANSLITERATION[ch]
    if ch in CYRILLIC_TO_LATIN:
        return CYRILLIC_TO_LATIN[ch]
    base = unicodedata.normalize("NFKD", ch.lower())[:1]
    return TRANSLITERATION.get(base, CYRILLIC_TO_LATIN.get(base, ""))


@functools.cache
def _transliteration_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    first, second = np.arange(_TABLE, dtype=np.int32), np.zeros(_TABLE, np.int32)
    width = np.ones(_TABLE, np.int64)
    table = {chr(cp): _latin_for(cp) for cp in range(0x400, 0x530) if unicodedata.category(chr(cp))[0] == "L"}
    for src, dst in table.items():
        width[ord(src)] = len(dst)
        first[ord(src)] = ord(dst[0]) if dst else 0
        second[ord(src)] = ord(dst[1]) if len(dst) > 1 else 0
    return first, second, width


def _transliterate(c: np.ndarray) -> np.ndarray:
    """Step 6: Cyrillic letters to one or two Latin letters (ь and ъ to none)."""
    if not len(c):
        return c
    first, second, width = _transliteration_tables()
    pos = np.repeat(np.arange(len(c), dtype=np.int64), width[c])
    is_second = np.zeros(len(pos), dtype=bool)
    is_second[1:] = pos[1:] == pos[:-1]
    out = first[c][pos]
    out[is_second] = second[c[pos[is_second]]]
    return out
