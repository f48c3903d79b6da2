"""Shared rare misspellings: a word that few accounts write, one letter away from a word that many
accounts of the case write right.

An operator carries their own misspellings from account to account ("подерживаю", "Малаццы"), so two
accounts that share a rare misspelling are more likely run by one hand. The case itself is the
dictionary, whatever its language: a word counts as a misspelling when it is used by at most
`max_accounts` accounts and lies within one edit (two for words of eight letters or more; a swap of
two neighbouring letters is one edit) of a word used by at least `min_ratio` times as many accounts
(and at least `min_correct_accounts`).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz.distance import OSA

from ..errors import BadParameter
from .normalise import normalise_texts

__all__ = ["shared_misspellings", "MISSPELLING_SCHEMA", "word_counts"]

_MAX_WORD = 30  # longer "words" (runs of letters without a space) are not words anyone misspells

MISSPELLING_SCHEMA = pa.schema([
    ("word", pa.string()),  # the misspelling, normalised
    ("correct", pa.string()),  # the case's common spelling it deviates from
    ("correct_accounts", pa.int64()),  # accounts that write the common spelling
    ("accounts", pa.list_(pa.string())),  # the accounts that write the misspelling, sorted
    ("rows", pa.list_(pa.int64())),  # input rows that hold it, in input order
])


def word_counts(text: pa.Array | pa.ChunkedArray, account: pa.Array | pa.ChunkedArray, *, min_length: int = 5
                ) -> pa.Table:
    """Every (word, row, account) of the normalised texts: words of `min_length` to 30 letters."""
    norm = normalise_texts(text)
    words = pc.utf8_split_whitespace(pc.fill_null(norm, ""))
    flat = pc.list_flatten(words)
    row = pc.list_parent_indices(words)
    table = pa.table({"word": flat, "row": pc.cast(row, pa.int64()),
                      "account": pc.take(account, row)})
    size = pc.utf8_length(flat)
    keep = pc.and_(pc.and_(pc.greater_equal(size, min_length), pc.less_equal(size, _MAX_WORD)), pc.utf8_is_alpha(flat))
    return table.filter(keep)


def shared_misspellings(text: pa.Array | pa.ChunkedArray, account: pa.Array | pa.ChunkedArray, *,
                        min_accounts: int = 2, max_accounts: int = 10, min_length: int = 5,
                        min_ratio: float = 5.0, min_correct_accounts: int = 3) -> pa.Table:
    """Misspellings shared by `min_accounts` to `max_accounts` accounts (MISSPELLING_SCHEMA rows,
    most accounts first).

    Reads:    texts and their authors (rows aligned)
    Evidence: the items that hold the misspelling
    Misleads: rare inflections one letter from a common form ("будущим" beside "будущем"), regional
              spellings, names, and two friends' shared slang.
    """
    if not 2 <= min_accounts <= max_accounts:
        raise BadParameter(f"Need 2 <= min_accounts <= max_accounts; got {min_accounts} and {max_accounts}.")
    if min_ratio < 1:
        raise BadParameter(f"The 'min_ratio' parameter must be >= 1; got {min_ratio}.")
    words = word_counts(text, account, min_length=min_length - 1)
    if not words.num_rows:
        return MISSPELLING_SCHEMA.empty_table()
    per_word = words.group_by("word", use_threads=False).aggregate([("account", "count_distinct")])
    vocab = dict(zip(per_word["word"].to_pylist(), per_word["account_count_distinct"].to_pylist()))
    rare = {w: n for w, n in vocab.items() if min_accounts <= n <= max_accounts and len(w) >= min_length}
    floor = max(min_correct_accounts, int(np.ceil(min_ratio * min_accounts)))
    common = {w: n for w, n in vocab.items() if n >= floor}
    found = _nearest_common(rare, common, min_ratio=min_ratio, min_correct_accounts=min_correct_accounts)
    if not found:
        return MISSPELLING_SCHEMA.empty_table()
    hits = words.filter(pc.is_in(words["word"], value_set=pa.array(sorted(found), pa.string())))
    grouped = hits.group_by("word", use_threads=False).aggregate([("account", "distinct"), ("row", "distinct")])
    rows = []
    for word, accounts, where in zip(grouped["word"].to_pylist(), grouped["account_distinct"].to_pylist(),
                                     grouped["row_distinct"].to_pylist()):
        correct = found[word]
        rows.append({"word": word, "correct": correct, "correct_accounts": common[correct],
                     "accounts": sorted(accounts), "rows": sorted(where)})
    rows.sort(key=lambda r: (-len(r["accounts"]), -len(r["rows"]), r["word"]))
    return pa.Table.from_pylist(rows, schema=MISSPELLING_SCHEMA)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))} | {word}


def _nearest_common(rare: dict[str, int], common: dict[str, int], *, min_ratio: float,
                    min_correct_accounts: int) -> dict[str, str]:
    """For each rare word, the most used common word within its edit allowance, if any (found by
    shared one-letter deletions, then checked with the optimal-string-alignment distance)."""
    index: dict[str, list[str]] = defaultdict(list)
    for word in common:
        for key in _deletions(word):
            index[key].append(word)
    out = {}
    for word, n in rare.items():
        allowed = 1 if len(word) < 8 else 2
        best = None
        for key in _deletions(word):
            for other in index.get(key, ()):
                if other == word or common[other] < max(min_correct_accounts, min_ratio * n):
                    continue
                if OSA.distance(word, other, score_cutoff=allowed) > allowed:
                    continue
                if best is None or (common[other], other) > (common[best], best):
                    best = other
        if best is not None:
            out[word] = best
    return out
