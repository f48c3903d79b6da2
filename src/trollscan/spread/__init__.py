"""How a story spread (`trollscan spread QUERY`): the cascade of items that carry it, its first
posters and key amplifiers, its chronology, and the groups of accounts that spread it.

`trace_story(case, terms)` reads the story out of the case (store/spread.py does all the I/O),
runs the pure steps of this package over it, stores its findings as evidence rows of detector
"spread" and returns the whole result as JSON-ready data.
"""

from __future__ import annotations

import time
from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import BadParameter
from ..evidence import evidence_table
from ..store import Case
from ..store.spread import (MATCH_SCHEMA, read_cadence, read_co_sharing, read_follow_links, read_group_tags, read_named_items,
                            read_seed_items, read_story_items, read_text_batches, read_timezone, write_spread_results)
from ..text.normalise import normalise_texts
from .cascade import build_cascade, epoch_seconds
from .findings import render_spread_section, spread_evidence
from .groups import bot_cadence, spreader_groups
from .language import item_languages
from .match import MATCH_KINDS, StoryIndex, match_texts, near_duplicates, text_queries
from .query import StoryQuery, parse_query
from .texts import text_families, top_words_by_group
from .timeline import chronology, first_posters, key_amplifiers, snowflake_times
from .translate import Translator, find_translator, translate_all

__all__ = ["trace_story", "find_story", "describe_groups", "parse_query", "StoryQuery", "render_spread_section",
           "spread_evidence", "find_translator", "Translator"]

def find_story(case: Case, query: StoryQuery, *, near: bool = True, min_similarity: float = 0.8,
               translator: Translator | None = None, max_translated_texts: int = 20, seed: int = 1
               ) -> tuple[pa.Table, dict]:
    """The items that match the story (platform, item_id, match, similarity, match_of; see
    `match.py`), and what was looked for: {"translations": [{text, of, how}], "near_texts": n}.

    Near-duplicates are looked for (with `near`) of the phrases and of the texts of the items that
    matched them or that the query names, one hop only; `translator` adds translations of the
    phrases and of the `max_translated_texts` most common story texts.
    """
    named = read_named_items(case, query)
    seeds = read_seed_items(case, query, named)
    phrases = [p for p in query.phrases if not p.endswith("*")]
    translations = translate_all(translator, phrases) if translator is not None and phrases else []
    queries = text_queries(query.phrases, {k: v for k, v in named.items() if v}, translations)
    looked = {"translations": [{"text": t, "of": o, "how": how} for t, o, how in translations], "near_texts": 0}
    parts, kept = [seeds], []
    stands: dict[str, list] = {}  # a story text (normalised) -> [near kind, item it stands for, items, raw text]
    for batch in read_text_batches(case) if queries else []:
        raw = batch.column("text")
        norm = normalise_texts(raw)
        m = match_texts(raw, norm, queries)
        taken = np.not_equal(m.kind, None)  # elementwise
        kept.append((batch.drop_columns(["text"]), norm, taken))  # the raw texts are not needed again
        hit = np.flatnonzero(taken)
        if not len(hit):
            continue
        parts.append(_matches(batch, hit, m.kind[hit], m.similarity[hit], m.of[hit]))
        rows = pa.array(hit)
        for kind, item_id, text, original in zip(m.kind[hit].tolist(), batch.column("item_id").take(rows).to_pylist(),
                                                 norm.take(rows).to_pylist(), raw.take(rows).to_pylist()):
            got = stands.setdefault(text, ["near-duplicate", f"item:{item_id}", 0, original])
            got[2] += 1
            if kind == "translation":
                got[0] = "translation"
            if f"item:{item_id}" < got[1]:  # the same item whatever order the case returns them in
                got[1], got[3] = f"item:{item_id}", original
    if near and kept:
        if translator is not None and stands:
            common = sorted(stands, key=lambda t: (-stands[t][2], t))[:max_translated_texts]
            originals = {stands[t][3]: t for t in common}
            for text, original, how in translate_all(translator, list(originals)):
                looked["translations"].append({"text": text, "of": original, "how": how})
                norm = normalise_texts(pa.array([text], pa.string()))[0].as_py()
                if norm and norm not in stands:
                    stands[norm] = ["translation", stands[originals[original]][1], 0, text]
        by_phrase = {q.norm: q for q in queries if q.source in ("phrase", "translation")}
        index = StoryIndex(list(stands), list(by_phrase), seed=seed)
        looked["near_texts"] = len(index.texts)
        for batch, norm, taken in kept:
            best, is_phrase, which = near_duplicates(norm, taken, index, min_similarity=min_similarity)
            hit = np.flatnonzero(~np.isnan(best))
            if not len(hit):
                continue
            kind, of = np.empty(len(hit), object), np.empty(len(hit), object)
            for j, (phrase, w) in enumerate(zip(is_phrase[hit].tolist(), which[hit].tolist())):
                if phrase:
                    q = by_phrase[index.phrases[w]]
                    kind[j], of[j] = ("translation" if q.source == "translation" else "near-duplicate"), q.of
                else:
                    kind[j], of[j] = stands[index.texts[w]][0], stands[index.texts[w]][1]
            parts.append(_matches(batch, hit, kind, best[hit], of))
    return _best_match(parts), looked


def _matches(batch: pa.RecordBatch, rows: np.ndarray, kind, similarity, of) -> pa.Table:
    take = pa.array(rows)
    return pa.table({"platform": batch.column("platform").take(take), "item_id": batch.column("item_id").take(take),
                     "match": pa.array(kind.tolist(), pa.string()), "similarity": pa.array(similarity, pa.float64()),
                     "match_of": pa.array(of.tolist(), pa.string())})


def _best_match(parts: list[pa.Table]) -> pa.Table:
    """One row per item: its best way of matching (MATCH_KINDS order, then similarity)."""
    matches = pa.concat_tables([t.cast(MATCH_SCHEMA) for t in parts])
    if not matches.num_rows:
        return matches
    rank = pc.index_in(matches["match"], value_set=pa.array(MATCH_KINDS))
    t = matches.append_column("_rank", rank).sort_by([("platform", "ascending"), ("item_id", "ascending"),
                                                      ("_rank", "ascending"), ("similarity", "descending")])
    keys = pc.binary_join_element_wise(t["platform"], t["item_id"], "\x00").combine_chunks().to_numpy(
        zero_copy_only=False)
    return t.filter(pa.array(np.r_[True, keys[1:] != keys[:-1]])).drop_columns(["_rank"])


def trace_story(case: Case, terms: list[str], *, store: bool = True, resolution: float = 1.0, min_group_size: int = 3,
                max_target_accounts: int = 500, near: bool = True, min_similarity: float = 0.8,
                translator: Translator | None = None, seed: int = 1) -> dict:
    """Everything `trollscan spread` shows about the story the `terms` name (see `parse_query`):
    items that match it (as written, normalised, near-duplicates with `near`, translations with a
    `translator`) and everything below them.

    Raises BadParameter when no item of the case carries it.
    """
    if max_target_accounts < 2:
        raise BadParameter(f"The 'max_target_accounts' parameter of spread must be an int >= 2; "
                           f"got {max_target_accounts}.")
    if not 0 < min_similarity <= 1:
        raise BadParameter(f"The 'min_similarity' parameter of spread must be in (0, 1]; got {min_similarity}.")
    started = time.perf_counter()
    query = parse_query(terms)
    matches, looked = find_story(case, query, near=near, min_similarity=min_similarity, translator=translator,
                                 seed=seed)
    story = read_story_items(case, matches)
    if not story.num_rows:
        raise BadParameter(f"No item of the case carries {query.describe()}.",
                           "Check the spelling; phrases match whole words after normalisation (end a word with * "
                           "for any ending) and near-duplicates of phrases of 3 words or more; hashtags need '#', "
                           "item ids 'item:'. Several terms are matched with OR.")
    tz = read_timezone(case)
    follows = read_follow_links(case, story)
    pairs = read_co_sharing(case, story, max_target_accounts=max_target_accounts)
    cascade = build_cascade(story, follows, pairs)
    ts = epoch_seconds(story["created_at"])
    rows = _rows(story)
    parent = cascade["parent"].to_numpy()
    depth = cascade["depth"].to_numpy()
    languages = _languages(story, parent, depth)
    member = spreader_groups(pairs, resolution=resolution, min_size=min_group_size, seed=seed)
    who = _Accounts(story, member)
    labels = np.asarray(["ungrouped"] + [f"group {g}" for g in range(1, max(member.values(), default=0) + 1)], object)
    group_of = labels[who.row_group].tolist()
    bots = bot_cadence(read_cadence(case, story, tz))
    copies = text_families(story["text"], story["account_id"].to_pylist(), seed=seed)
    copies["written"] = _written(story)
    result = {
        "query": {"terms": list(query.terms), "urls": list(query.urls), "hashtags": list(query.hashtags),
                  "phrases": list(query.phrases), "item_ids": list(query.item_ids), "near_duplicates": near,
                  "min_similarity": min_similarity, "translator": translator.name if translator is not None else None,
                  "translations": looked["translations"], "near_duplicates_of_texts": looked["near_texts"]},
        "timezone": tz,
        "summary": _summary(story, cascade, rows, who),
        "first_poster_details": (fp := first_posters(rows, ts, tz=tz, id_ts=snowflake_times(
            story["platform"].combine_chunks(), story["item_id"].combine_chunks(), ts))),
        "first_posters": [p["account_id"] for p in fp],
        "amplifiers": key_amplifiers(rows, ts, cascade["descendants"].to_numpy(),
                                     exclude=frozenset((p["platform"], p["account_id"]) for p in fp[:1])),
        "chronology": chronology(rows, ts, languages, group_of, tz=tz),
        "groups": describe_groups(case, story, rows, who, languages, bots, copies),
        "texts": _text_shares(copies),
        "accounts": _account_shares(rows, who, bots),
        "cascade": _cascade_columns(story, cascade, languages, group_of, ts),
    }
    result["evidence"] = spread_evidence(result)
    result["seconds"] = round(time.perf_counter() - started, 3)
    if store:
        params = {"terms": list(query.terms), "resolution": resolution, "min_group_size": min_group_size,
                  "max_target_accounts": max_target_accounts, "seed": seed, "near": near,
                  "min_similarity": min_similarity, "translate": translator is not None}
        write_spread_results(case, params=params, seconds=result["seconds"],
                             evidence=evidence_table(result["evidence"]))
    return result




class _Accounts:
    """The story's accounts, numbered: each row's account number, each account's first row and key,
    and each row's spreader group (0: none)."""

    def __init__(self, story: pa.Table, member: dict[tuple[str, str], int]) -> None:
        keys = pc.binary_join_element_wise(story["platform"].combine_chunks(), story["account_id"].combine_chunks(),
                                           "\x00")
        encoded = pc.dictionary_encode(keys) if story.num_rows else None
        self.code = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64) if encoded else np.zeros(0, int)
        self.keys = [tuple(k.split("\x00", 1)) for k in encoded.dictionary.to_pylist()] if encoded else []
        _, self.first_row = np.unique(self.code, return_index=True)
        self.group = np.zeros(len(self.keys), np.int64)
        if member:
            where = pc.index_in(pa.array(["\x00".join(k) for k in member], pa.string()),
                                value_set=encoded.dictionary).to_numpy(zero_copy_only=False)
            self.group[where.astype(np.int64)] = list(member.values())
        self.row_group = self.group[self.code]


def _rows(story: pa.Table) -> list[dict]:
    cols = ["platform", "item_id", "kind", "account_id", "parent_account_id", "parent_state", "handle", "name",
            "verified", "followers_count", "bio", "account_status", "label", "verdict"]
    rows = story.select(cols).to_pylist()
    for r in rows:
        shown = f"@{r['handle']}" if r["handle"] else (r["name"] or r["account_id"])
        r["display_name"], r["name"] = r["name"], shown
    return rows


def _languages(story: pa.Table, parent: np.ndarray, depth: np.ndarray) -> list[str]:
    """Each item's language; an item without words (a plain reshare) takes its parent's."""
    langs = np.asarray(item_languages(story["text"].to_pylist(), story["language"].to_pylist()), dtype=object)
    for i in np.argsort(depth, kind="stable"):
        if langs[i] == "und" and parent[i] >= 0:
            langs[i] = langs[parent[i]]
    return langs.tolist()


def _written(story: pa.Table) -> np.ndarray:
    """Items with words of their own: texts, less plain reshares that only repeat their parent."""
    kind = np.asarray(story["kind"].to_pylist(), dtype=object)
    has_text = ~np.asarray(story["text"].is_null().to_numpy(zero_copy_only=False))
    return has_text & (kind != "share")


def _summary(story: pa.Table, cascade: pa.Table, rows: list[dict], who: _Accounts) -> dict:
    links = Counter(cascade["link"].to_pylist())
    inferred = {k.split(":", 1)[1]: v for k, v in sorted(links.items()) if k.startswith("inferred:")}
    return {
        "items": story.num_rows, "matched": int(np.sum(story["matched"].to_numpy(zero_copy_only=False))),
        "matched_by": {k: v for k, v in _counts(story["match"]).items() if k is not None},
        "accounts": len(who.keys),
        "platforms": _counts(story["platform"]), "kinds": _counts(story["kind"]),
        "platform_links": sum(v for k, v in links.items() if k not in ("origin", "missing-parent")
                              and not k.startswith("inferred:")),
        "inferred_links": inferred, "missing_parents": links.get("missing-parent", 0),
        "origins": links.get("origin", 0), "max_depth": int(cascade["depth"].to_numpy().max(initial=0)),
        "undated": int(story["created_at"].null_count),
    }


def _counts(column: pa.ChunkedArray) -> dict[str, int]:
    """Values and their counts, most first (ties alphabetical)."""
    got = pc.value_counts(column).to_pylist()
    return {v["values"]: v["counts"] for v in sorted(got, key=lambda v: (-v["counts"], str(v["values"])))}


def _share(flags, among) -> float | None:
    among = np.asarray(among, bool)
    return round(float(np.asarray(flags, bool)[among].mean()), 4) if among.any() else None


def _text_shares(copies: dict) -> dict:
    written = copies["written"]
    return {"written": int(written.sum()), "exact_duplicate_share": _share(copies["exact"], written),
            "near_duplicate_share": _share(copies["near"], written),
            "templated_share": _share(copies["templated"], written)}


def _account_shares(rows: list[dict], who: _Accounts, bots: dict) -> dict:
    accounts = [rows[i] for i in who.first_row]
    n = len(accounts)
    flagged = sum((r["platform"], r["account_id"]) in bots for r in accounts)
    labels = Counter(r["label"] for r in accounts if r["label"])
    verdicts = Counter(r["verdict"] for r in accounts if r["verdict"])
    keys = set(who.keys)
    return {"accounts": n, "bot_cadence": flagged, "bot_cadence_share": round(flagged / n, 4) if n else None,
            "labels": dict(sorted(labels.items())), "verdicts": dict(sorted(verdicts.items())),
            "bot_cadence_reasons": {f"{p}:{a}": why for (p, a), why in sorted(bots.items()) if (p, a) in keys}}


def _judged(r: dict) -> str | None:
    """The analyst's label, else the computed verdict."""
    return r["label"] or r["verdict"]


def describe_groups(case: Case, story: pa.Table, rows: list[dict], who: _Accounts, languages: list[str],
                    bots: dict, copies: dict, *, limit: int = 5) -> list[dict]:
    """Each spreader group: size, accounts, top hashtags and domains (anywhere in the case), top
    words and languages (in its story items), shares labelled fake/doubtful, of bot-like cadence and
    of near-duplicate texts."""
    grouped = np.flatnonzero(who.group > 0)
    if not len(grouped):
        return []
    members = pa.table({"platform": [who.keys[c][0] for c in grouped], "account_id": [who.keys[c][1] for c in grouped],
                        "group_id": who.group[grouped]})
    tags: dict[int, dict[str, list]] = {}
    for t in read_group_tags(case, members, limit=limit).to_pylist():
        tags.setdefault(t["group_id"], {}).setdefault(t["kind"], []).append([t["value"], t["accounts"]])
    in_group = np.flatnonzero(copies["written"] & (who.row_group > 0))
    words_of = top_words_by_group(story["text"].take(pa.array(in_group, pa.int64())),
                                  story["account_id"].take(pa.array(in_group, pa.int64())).to_pylist(),
                                  who.row_group[in_group].tolist(), limit=limit)
    row_order = np.argsort(who.row_group, kind="stable")
    row_bounds = np.r_[0, np.cumsum(np.bincount(who.row_group, minlength=who.group.max() + 1))]
    langs = np.asarray(languages, dtype=object)
    out = []
    for g in range(1, who.group.max() + 1):
        codes = sorted(np.flatnonzero(who.group == g), key=lambda c: who.keys[c])
        idx = np.sort(row_order[row_bounds[g]:row_bounds[g + 1]])
        first = [rows[who.first_row[c]] for c in codes]
        judged = Counter(_judged(r) for r in first)
        written = copies["written"][idx]
        size = len(codes)
        out.append({
            "group": g, "platform": who.keys[codes[0]][0], "size": size, "items": int(len(idx)),
            "accounts": [who.keys[c][1] for c in codes], "names": [r["name"] for r in first[:10]],
            "top_hashtags": tags.get(g, {}).get("hashtag", []), "top_domains": tags.get(g, {}).get("domain", []),
            "top_words": [[w, c] for w, c in words_of.get(g, [])],
            "languages": dict(Counter(langs[idx].tolist()).most_common(limit)),
            "fake_share": round(judged.get("fake", 0) / size, 4),
            "doubtful_share": round(judged.get("doubtful", 0) / size, 4),
            "bot_cadence_share": round(sum(who.keys[c] in bots for c in codes) / size, 4),
            "near_duplicate_share": _share(copies["near"][idx], written),
            "item_ids": [rows[i]["item_id"] for i in idx[:50]],
        })
    return out


def _cascade_columns(story: pa.Table, cascade: pa.Table, languages: list[str], group_of: list[str],
                     ts: np.ndarray) -> dict:
    """The tree as columns (one entry per item, in time order): compact in JSON even for a million items."""
    parent = cascade["parent"].to_numpy()
    ids = story["item_id"].combine_chunks()
    parent_ids = ids.take(pa.array(np.maximum(parent, 0))).to_numpy(zero_copy_only=False).astype(object)
    parent_ids[parent < 0] = None
    missing = np.asarray(pc.fill_null(pc.equal(story["parent_state"], "missing"), False).to_numpy(
        zero_copy_only=False), bool)
    parent_ids[missing] = story["parent_id"].combine_chunks().filter(pa.array(missing)).to_numpy(zero_copy_only=False)
    return {
        "item_id": ids.to_pylist(), "platform": story["platform"].to_pylist(), "account_id": story["account_id"].to_pylist(),
        "kind": story["kind"].to_pylist(),
        "at": pa.array(np.round(ts, 3), mask=np.isnan(ts)).to_pylist(),
        "parent_item_id": parent_ids.tolist(), "link": cascade["link"].to_pylist(),
        "depth": cascade["depth"].to_pylist(), "descendants": cascade["descendants"].to_pylist(),
        "matched": story["matched"].to_pylist(), "match": story["match"].to_pylist(),
        "similarity": pa.array(np.round(story["similarity"].to_numpy(zero_copy_only=False), 3),
                               mask=story["similarity"].is_null().to_numpy(zero_copy_only=False)).to_pylist(),
        "match_of": story["match_of"].to_pylist(), "language": languages, "group": group_of,
    }
