"""A story's findings in words: evidence rows (the one shape of `evidence.py`) for the first poster,
the key amplifiers and the spreader groups, and the data of the report's "How the story spread"
section."""

from __future__ import annotations

import json

from .match import MATCH_SAID

__all__ = ["spread_evidence", "render_spread_section", "SURE_STRENGTH"]

SURE_STRENGTH = {"high": 0.9, "medium": 0.6, "low": 0.3}


def _when(iso: str | None) -> str:
    return iso.replace("T", " ")[:16] if iso else "an unknown time"


def _tags(pairs: list, prefix: str = "") -> str:
    return ", ".join(f"{prefix}{v}" for v, _n in pairs[:3])


def _group_sentence(g: dict) -> str:
    what = []
    if g["top_hashtags"]:
        what.append(f"hashtags {_tags(g['top_hashtags'], '#')}")
    if g["top_domains"]:
        what.append(f"links to {_tags(g['top_domains'])}")
    if g["top_words"]:
        what.append(f"words like {_tags(g['top_words'])}")
    shares = [f"{g['bot_cadence_share']:.0%} post around the clock or in bursts"]
    if g["fake_share"] or g["doubtful_share"]:
        shares.append(f"{g['fake_share']:.0%} are labelled fake and {g['doubtful_share']:.0%} doubtful")
    if g["near_duplicate_share"]:
        shares.append(f"{g['near_duplicate_share']:.0%} of their texts are near-copies")
    langs = ", ".join(g["languages"]) or "no text"
    return (f"Spreader group {g['group']}: {g['size']} accounts ({', '.join(g['names'][:3])}) that share the same "
            f"things{': ' + '; '.join(what) if what else ''}; they wrote {g['items']} of the story's items "
            f"(languages: {langs}); " + "; ".join(shares) + ".")


def spread_evidence(result: dict) -> list[dict]:
    """Evidence rows for the story's first poster, key amplifiers and spreader groups."""
    terms = result["query"]["terms"]
    story = " or ".join(repr(t) for t in terms)
    rows = []
    fp = result["first_poster_details"]
    if fp:
        top = fp[0]
        nxt = f", {top['gap_to_next_s']:,.0f} s before the next account" if top["gap_to_next_s"] is not None else ""
        if top["item_id"] is None:
            sentence = (f"The first known poster of the story {story} is {top['name'] or top['account_id']}, whose item "
                        f"is not in the case; it came before {_when(top['before'])} UTC.")
        else:
            sentence = (f"{top['name']} posted the story {story} first, at {_when(top['at'])} UTC "
                        f"({_when(top['local_at'])} {result['timezone']}){nxt}; the order is {top['sure']}ly sure"
                        + (f" ({top['why']})" if top["why"] else "") + ".")
        rows.append({"detector": "spread.first_poster", "platform": top["platform"], "account_ids": [top["account_id"]],
                     "strength": SURE_STRENGTH[top["sure"]], "item_ids": [i for i in [top["item_id"]] if i],
                     "sentence": sentence,
                     "details": json.dumps({"terms": terms, "ranked": result["first_posters"][:10],
                                            "places": fp[:10]}, ensure_ascii=False, sort_keys=True)})
    for a in result["amplifiers"][:5]:
        rows.append({"detector": "spread.amplifier", "platform": a["platform"], "account_ids": [a["account_id"]],
                     "strength": min(1.0, (a["items"] + a["below"]) / max(a["surge_items"], 1)),
                     "item_ids": [a["first_item_id"]],
                     "sentence": (f"{a['name']} was part of the story's jump number {a['surge']} (from "
                                  f"{_when(a['surge_at'])} UTC, {a['surge_items']} items in minutes): {a['items']} of "
                                  f"its items, and {a['below']} more items below them in the cascade."),
                     "details": json.dumps({"terms": terms, **a}, ensure_ascii=False, sort_keys=True)})
    for g in result["groups"]:
        rows.append({"detector": "spread.group", "platform": g["platform"],
                     "account_ids": [a for a in g["accounts"]],
                     "strength": min(1.0, 0.3 + 0.7 * max(g["bot_cadence_share"], g["fake_share"] + g["doubtful_share"])),
                     "item_ids": g["item_ids"], "sentence": _group_sentence(g),
                     "details": json.dumps({k: g[k] for k in ("group", "size", "top_hashtags", "top_domains",
                                                               "top_words", "languages", "fake_share",
                                                               "doubtful_share", "bot_cadence_share",
                                                               "near_duplicate_share")} | {"terms": terms},
                                           ensure_ascii=False, sort_keys=True)})
    return rows


def render_spread_section(result: dict, *, max_hours: int = 72) -> dict:
    """What the report's "How the story spread" section shows: a title, plain sentences, and small
    tables (first posters, amplifiers, hours, languages, groups, mainstream joins). No HTML: the
    report's template escapes and lays it out."""
    s, chron = result["summary"], result["chronology"]
    inferred = sum(s["inferred_links"].values())
    lead = (f"{s['items']:,} items by {s['accounts']:,} accounts carry the story ({s['matched']:,} match the query, "
            f"the rest share, quote or answer them) from {_when(chron['first_at'])} to {_when(chron['last_at'])} UTC. "
            f"{s['platform_links']:,} links come from the platform, {inferred:,} are inferred, "
            f"{s['missing_parents']:,} items answer or share an item the case lacks.")
    how = s.get("matched_by", {})
    if how:
        lead += " Matched: " + ", ".join(f"{n:,} {MATCH_SAID.get(k, k)}" for k, n in how.items()) + "."
    texts, accounts = result["texts"], result["accounts"]
    shares = []
    if texts["near_duplicate_share"] is not None:
        shares.append(f"{texts['near_duplicate_share']:.0%} of the {texts['written']:,} texts written for it are "
                      f"near-copies of another account's, {texts['templated_share']:.0%} follow a template used by "
                      "three accounts or more")
    if accounts["bot_cadence_share"] is not None:
        shares.append(f"{accounts['bot_cadence_share']:.0%} of its accounts post with a bot-like cadence")
    joined = chron["mainstream_joined"]
    return {
        "title": "How the story spread: " + " or ".join(result["query"]["terms"]),
        "sentences": [lead] + ([("; ".join(shares) + ".").capitalize()] if shares else [])
                     + ([f"The first mainstream account, {joined[0]['name']}, joined {joined[0]['hours_after_first']} "
                         f"hours after the first post."] if joined else [])
                     + [e["sentence"] for e in result["evidence"]],
        "first_posters": [{k: p.get(k) for k in ("rank", "name", "account_id", "item_id", "at", "local_at", "sure",
                                                 "why", "timed_by", "before")}
                          for p in result["first_poster_details"]],
        "matched_by": how,
        "translations": [t for t in result["query"].get("translations", []) if t["of"] in result["query"]["terms"]],
        "translated_texts": sum(t["of"] not in result["query"]["terms"]
                                for t in result["query"].get("translations", [])),
        "amplifiers": [{k: a[k] for k in ("name", "account_id", "surge", "surge_at", "items", "below")}
                       for a in result["amplifiers"]],
        "hours": [{"hour": h["hour"], "items": h["items"], "by_language": h["by_language"], "by_group": h["by_group"]}
                  for h in chron["hours"][:max_hours]],
        "languages": chron["languages"], "timezone": result["timezone"],
        "mainstream_joined": joined[:20],
        "groups": [{k: g[k] for k in ("group", "size", "names", "top_hashtags", "top_domains", "top_words",
                                      "languages", "fake_share", "doubtful_share", "bot_cadence_share",
                                      "near_duplicate_share")} for g in result["groups"]],
        "texts": texts, "bot_cadence_share": accounts["bot_cadence_share"],
    }
