"""Text findings as evidence rows and account-pair edges: families of copied words, shared misspellings.

Strength of a family finding: (1 - 0.6 ** (accounts - 1)) * min(1, 2.5 / log2(1 + accounts)) *
min(1, characters / 60) ** 0.5 * the lowest similarity to the first text. Two accounts sharing one
60-character text score 0.4, five accounts 0.84, ten 0.72, and a crowd of eighty 0.4 (a phrase many
people repeat says less about each of them); a 20-character text scores 0.58 of that. A shared
misspelling: min(1, 0.3 + 0.1 * items) * sqrt(2 / accounts).

Edges (for operator groups): every pair of accounts in a family of at most `max_edge_accounts`
accounts and of strength at least `min_edge_strength`, weighted like a co-action target, by rarity 1 / log2(1 + accounts in the family), times the
family's length-and-similarity factor above, summed over the families the pair shares; a shared
misspelling adds half its rarity.
"""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..evidence import EVIDENCE_SCHEMA

__all__ = ["family_findings", "misspelling_findings", "describe_span", "quote", "EDGE_SCHEMA", "FAMILY_ROWS",
           "SAME_TEXT", "NEAR_DUPLICATE", "SHARED_MISSPELLING", "SAME_TALKING_POINT"]

SAME_TEXT, NEAR_DUPLICATE, SHARED_MISSPELLING = "text.same_text", "text.near_duplicate", "text.shared_misspelling"
_LAYERS = {SAME_TEXT: "same_text_family", NEAR_DUPLICATE: "near_text_family", SHARED_MISSPELLING: "shared_misspelling"}
# The same point in other words (semantic.py, talking_points.py): weaker than copied words, so its
# family factor is this share instead of the similarity (scan/text.py ties accounts only over several points).
SAME_TALKING_POINT, _TALKING_POINT_FACTOR = "text.same_talking_point", 0.6
_LAYERS[SAME_TALKING_POINT] = "same_talking_point"

EDGE_SCHEMA = pa.schema([("platform", pa.string()), ("layer", pa.string()), ("account_a", pa.string()),
                         ("account_b", pa.string()), ("weight", pa.float64()), ("n_targets", pa.int64()),
                         ("n_items", pa.int64()), ("first_at", pa.timestamp("us")), ("last_at", pa.timestamp("us"))])
FAMILY_ROWS = pa.schema([("family_id", pa.int64()), ("platform", pa.string()), ("item_id", pa.string()),
                         ("account_id", pa.string()), ("created_at", pa.timestamp("us")), ("similarity", pa.float64())])
_MONTHS = ("January February March April May June July August September October November December").split()


def quote(text: str, limit: int = 60) -> str:
    """A text as a short quote: spaces collapsed, cut at a word near `limit` characters with '...'."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] if " " in flat[:limit] else flat[:limit]
    return cut.rstrip(",.;:!?-— ") + " ..."


def _day(t: datetime, year: bool = True) -> str:
    return f"{t.day} {_MONTHS[t.month - 1]}" + (f" {t.year}" if year else "")


def describe_span(first: datetime | None, last: datetime | None) -> str:
    """' between 3 and 9 March 2019', ' on 3 March 2019', or '' when times are unknown."""
    if first is None or last is None:
        return ""
    if first.date() == last.date():
        return f" on {_day(first)}"
    if (first.year, first.month) == (last.year, last.month):
        return f" between {first.day} and {_day(last)}"
    if first.year == last.year:
        return f" between {_day(first, False)} and {_day(last)}"
    return f" between {_day(first)} and {_day(last)}"


def _who(accounts: list[str], names: dict[str, str], shown: int = 2) -> str:
    named = [names.get(a, a) for a in accounts[:shown]]
    if len(accounts) <= shown:
        return " and ".join(named)
    rest = len(accounts) - shown
    return f"{', '.join(named)} and {rest} other account{'s' if rest > 1 else ''}"


def family_findings(platform: str, members: pa.Table, names: dict[str, str], *, min_accounts: int = 2,
                    max_edge_accounts: int = 200, min_edge_strength: float = 0.3, max_items: int = 100,
                    talking_point: str | None = None) -> tuple[dict[str, pa.Table], dict[str, pa.Table], dict[str, pa.Table]]:
    """Evidence, edges and family rows per detector (SAME_TEXT, NEAR_DUPLICATE) from family members
    (family_id, item_id, account_id, created_at, text, normalised, similarity; by family, then time).
    Families with fewer than `min_accounts` accounts are left out; only families of at most
    `max_edge_accounts` accounts and at least `min_edge_strength` link their accounts in the graph
    (a loose family of everyday phrases is evidence to read, not a tie between its writers).
    With `talking_point` (the embedding model's name), the families are talking points found by
    SAME_TALKING_POINT only (similarity: cosine to the first text)."""
    kinds = (SAME_TALKING_POINT,) if talking_point else (SAME_TEXT, NEAR_DUPLICATE)
    evidence, pairs, keep = ({d: [] for d in kinds} for _ in range(3))
    fam = members["family_id"].to_numpy()
    bounds = np.flatnonzero(np.diff(fam)) + 1
    starts, ends = np.concatenate([[0], bounds]), np.concatenate([bounds, [len(fam)]])
    cols = {c: members[c].to_pylist() for c in ("item_id", "account_id", "created_at", "text", "normalised")}
    sims = members["similarity"].to_numpy()
    for s, e in zip(starts.tolist(), ends.tolist()):
        accounts = list(dict.fromkeys(cols["account_id"][s:e]))
        if len(accounts) < min_accounts:
            continue
        exact = len(set(cols["normalised"][s:e])) == 1
        detector = SAME_TALKING_POINT if talking_point else SAME_TEXT if exact else NEAR_DUPLICATE
        times = [t for t in cols["created_at"][s:e] if t is not None]
        first_at, last_at = (min(times), max(times)) if times else (None, None)
        low = float(sims[s:e].min())
        factor = min(1.0, len(cols["normalised"][s]) / 60) ** 0.5 * (_TALKING_POINT_FACTOR if talking_point else low)
        k = len(accounts)
        strength = (1 - 0.6 ** (k - 1)) * min(1.0, 2.5 / np.log2(1 + k)) * factor
        first_name = names.get(cols["account_id"][s], cols["account_id"][s])
        when = f" on {_day(cols['created_at'][s])}" if cols["created_at"][s] is not None else ""
        alike = "the same words" if exact else "nearly the same words"
        extra = "" if exact else f", {round(low * 100)} % alike or more"
        sentence = (f"{_who(accounts, names)} posted {alike} ('{quote(cols['text'][s])}'{extra}) {e - s} times"
                    f"{describe_span(first_at, last_at)}; first by {first_name}{when}.")
        items, other = cols["item_id"][s:e][:max_items], s
        if talking_point:  # the first text in the most other words, by another account where there is one
            words = set(cols["normalised"][s].split())
            other = min(range(s + 1, min(e, s + max_items)), key=lambda x: (
                sims[x] >= 1, cols["account_id"][x] == cols["account_id"][s],
                round(len(words & set(cols["normalised"][x].split())) / len(words | set(cols["normalised"][x].split())), 1), x))
            items = [cols["item_id"][s], cols["item_id"][other]] + [
                i for i in cols["item_id"][s + 1:e] if i != cols["item_id"][other]][:max_items - 2]
            sentence = (f"{_who(accounts, names)} posted the same talking point in different words {e - s} times"
                        f"{describe_span(first_at, last_at)}: '{quote(cols['text'][s])}' (first, by {first_name}{when})"
                        f" and '{quote(cols['text'][other])}' (by {names.get(cols['account_id'][other], cols['account_id'][other])}"
                        f"; {sims[other]:.2f} alike in meaning, {talking_point}).")
        evidence[detector].append({
            "detector": detector, "platform": platform, "account_ids": accounts, "strength": round(strength, 4),
            "item_ids": items, "sentence": sentence,
            "details": json.dumps({"family_id": int(fam[s]), "exact": exact, "n_items": e - s,
                                   "n_accounts": len(accounts), "first_item": cols["item_id"][s],
                                   "first_account": cols["account_id"][s],
                                   "first_at": first_at.isoformat() if first_at else None,
                                   "similarity_min": round(low, 4), "similarity_mean": round(float(sims[s:e].mean()), 4),
                                   "text": cols["normalised"][s][:500]}
                                  | ({"model": talking_point, "other_item": cols["item_id"][other],
                                      "other_account": cols["account_id"][other], "other_text": cols["normalised"][other][:500]}
                                     if talking_point else {}), ensure_ascii=False)})
        keep[detector].append((s, e))
        if len(accounts) <= max_edge_accounts and strength >= min_edge_strength:
            rarity = 1.0 / np.log2(1 + len(accounts)) * factor
            pairs[detector].append(_family_pairs(cols, s, e, rarity))
    out_edges = {d: _edges(platform, _LAYERS[d], pairs[d]) for d in pairs}
    out_families = {d: _family_rows(platform, members, keep[d]) for d in keep}
    return ({d: pa.Table.from_pylist(rows, schema=EVIDENCE_SCHEMA) for d, rows in evidence.items()},
            out_edges, out_families)


def _family_pairs(cols: dict, s: int, e: int, weight: float) -> pa.Table:
    """Per pair of the family's accounts: the weight, their items in it and their first and last time."""
    acc = cols["account_id"][s:e]
    per: dict[str, list] = {}
    for a, t in zip(acc, cols["created_at"][s:e]):
        n, lo, hi = per.get(a, (0, t, t))
        per[a] = (n + 1, t if lo is None or (t is not None and t < lo) else lo,
                  t if hi is None or (t is not None and t > hi) else hi)
    names = sorted(per)
    i, j = np.triu_indices(len(names), 1)
    a = [names[x] for x in i.tolist()]
    b = [names[x] for x in j.tolist()]
    first = [min((t for t in (per[x][1], per[y][1]) if t is not None), default=None) for x, y in zip(a, b)]
    last = [max((t for t in (per[x][2], per[y][2]) if t is not None), default=None) for x, y in zip(a, b)]
    return pa.table({"account_a": pa.array(a, pa.string()), "account_b": pa.array(b, pa.string()),
                     "w": pa.array(np.full(len(a), weight)), "items": [per[x][0] + per[y][0] for x, y in zip(a, b)],
                     "first": pa.array(first, pa.timestamp("us")), "last": pa.array(last, pa.timestamp("us"))})


def _edges(platform: str, layer: str, parts: list[pa.Table]) -> pa.Table:
    parts = [p for p in parts if p.num_rows]
    if not parts:
        return EDGE_SCHEMA.empty_table()
    long = pa.concat_tables(parts)
    agg = long.group_by(["account_a", "account_b"], use_threads=False).aggregate(
        [("w", "sum"), ("w", "count"), ("items", "sum"), ("first", "min"), ("last", "max")])
    agg = agg.sort_by([("account_a", "ascending"), ("account_b", "ascending")])
    n = agg.num_rows
    return pa.table({"platform": pa.array([platform] * n, pa.string()), "layer": pa.array([layer] * n, pa.string()),
                     "account_a": agg["account_a"], "account_b": agg["account_b"], "weight": agg["w_sum"],
                     "n_targets": pc.cast(agg["w_count"], pa.int64()), "n_items": pc.cast(agg["items_sum"], pa.int64()),
                     "first_at": agg["first_min"], "last_at": agg["last_max"]}, schema=EDGE_SCHEMA)


def _family_rows(platform: str, members: pa.Table, spans: list[tuple[int, int]]) -> pa.Table:
    if not spans:
        return FAMILY_ROWS.empty_table()
    idx = np.concatenate([np.arange(s, e) for s, e in spans])
    t = members.take(pa.array(idx))
    return pa.table({"family_id": t["family_id"], "platform": pa.array([platform] * t.num_rows, pa.string()),
                     "item_id": t["item_id"], "account_id": t["account_id"],
                     "created_at": pc.cast(t["created_at"], pa.timestamp("us")), "similarity": t["similarity"]},
                    schema=FAMILY_ROWS)


def misspelling_findings(platform: str, found: pa.Table, items: pa.Table, names: dict[str, str]
                         ) -> tuple[pa.Table, pa.Table]:
    """Evidence and edges from shared misspellings (`misspellings.MISSPELLING_SCHEMA`; `rows` index
    `items`: item_id, account_id, created_at)."""
    item_id, when = items["item_id"].to_pylist(), items["created_at"].to_pylist()
    account = items["account_id"].to_pylist()
    evidence, parts = [], []
    for r in found.to_pylist():
        accounts, rows = r["accounts"], sorted(r["rows"], key=lambda x: (when[x] is None, when[x] or 0, item_id[x]))
        first_by = list(dict.fromkeys(account[x] for x in rows))  # by first use
        times = [when[x] for x in rows if when[x] is not None]
        who = _who(first_by, names)
        verb = "both write" if len(accounts) == 2 else "all write"
        sentence = (f"{who} {verb} '{r['word']}' (a misspelling of '{r['correct']}', which {r['correct_accounts']} "
                    f"accounts of the case write right; found in no other account of the case), in {len(rows)} "
                    f"texts{describe_span(min(times), max(times)) if times else ''}.")
        strength = min(1.0, 0.3 + 0.1 * len(rows)) * (2 / len(accounts)) ** 0.5
        evidence.append({"detector": SHARED_MISSPELLING, "platform": platform, "account_ids": first_by,
                         "strength": round(strength, 4), "item_ids": [item_id[x] for x in rows][:100],
                         "sentence": sentence,
                         "details": json.dumps({"word": r["word"], "correct": r["correct"],
                                                "correct_accounts": r["correct_accounts"], "n_items": len(rows),
                                                "n_accounts": len(accounts)}, ensure_ascii=False)})
        cols = {"account_id": [account[x] for x in rows], "created_at": [when[x] for x in rows]}
        parts.append(_family_pairs(cols, 0, len(rows), 0.5 / np.log2(1 + len(accounts))))
    return (pa.Table.from_pylist(evidence, schema=EVIDENCE_SCHEMA),
            _edges(platform, _LAYERS[SHARED_MISSPELLING], parts))
