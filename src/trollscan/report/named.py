"""Whom each operator group praises and attacks by name inside its comments: the people, parties
and organisations named in the text (`trollscan.text.names`), beside the pages and accounts it
comments on (`report.profiles.praise_and_attack`).

Pure functions over the tables `store.verdicts.read_profile_inputs` reads; the tagger reads only
the comments of grouped accounts. A group whose comments name no one gets no entry, and says
nothing.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..signals.frame import NO_TIME, day, seconds
from ..text.names import mentions
from ..text.tone import Tone
from .profiles import COMMENT_KINDS, allegiance_switch, praise_and_attack

__all__ = ["named_praise_and_attack", "named_lines"]


def named_praise_and_attack(members: pa.Table, items: pa.Table, known: list[dict] = (), *, top: int = 5,
                            ner: bool = True, max_ner_texts: int | None = 200) -> dict[int, dict]:
    """Per group (group_id -> profile part), the names its comments praise and attack most.

    `members`: group_id, platform, account_id; `items`: platform, account_id, item_id, kind,
    created_at, text (comments and replies are read); `known`: the analyst's names
    (`text.names.known_names`). A name is praised when at least 3 of the group's comments naming
    it, 40% of them and 2% of all its praising comments read as praise, more than read as
    attack (the rule `praise_and_attack` applies to pages); attacked the other way round. Each
    entry: key, name, kind, source, comments (naming it), praise, attack, share, words, examples
    (item ids), first and last day; with the group's comments that name anyone, its (comment, name)
    pairs (`mentions`), the names it names, and one dated sentence."""
    if "text" not in items.column_names or not items.num_rows or not members.num_rows:
        return {}
    rows = np.flatnonzero(pc.fill_null(pc.and_(pc.is_in(items["kind"], pa.array(COMMENT_KINDS)),
                                              pc.is_valid(items["text"])), False).to_numpy(zero_copy_only=False))
    group_of = {(p, a): g for g, p, a in zip(*(members[c].to_pylist() for c in ("group_id", "platform", "account_id")))}
    take = pa.array(rows, pa.int64())
    keys = list(zip(items["platform"].take(take).to_pylist(), items["account_id"].take(take).to_pylist()))
    grouped = [k for k, key in enumerate(keys) if key in group_of]
    if not grouped:
        return {}
    rows = rows[grouped]
    take = pa.array(rows, pa.int64())
    groups = [group_of[keys[k]] for k in grouped]
    texts = items["text"].take(take).to_pylist()
    item_ids = items["item_id"].take(take).to_pylist()
    ts = seconds(items["created_at"].take(take)).tolist()
    rows_of: dict[int, list[int]] = {}
    for k, g in enumerate(groups):
        rows_of.setdefault(g, []).append(k)
    per_group: dict[int, list] = {}
    shown: dict[int, dict[str, dict]] = {}
    for gid in sorted(rows_of):  # each group's texts read on their own: its profile is the same alone or in the case
        own = rows_of[gid]
        found = mentions([texts[k] for k in own], known, ner=ner, max_ner_texts=max_ner_texts)
        for m in found.to_pylist():
            k = own[m["row"]]
            tone = Tone(m["tone"], int(m["tone"] == "praise"), int(m["tone"] == "attack"), tuple(m["words"]))
            per_group.setdefault(gid, []).append((m["key"], tone, item_ids[k], int(ts[k])))
            shown.setdefault(gid, {}).setdefault(m["key"], {k: m[k] for k in ("name", "kind", "source")})
    out = {}
    for gid in sorted(per_group):
        named = per_group[gid]
        part = praise_and_attack(named, names={k: v["name"] for k, v in shown[gid].items()}, top=top)
        part.pop("sentence", None)  # worded for pages ("comments there"); names get their own below
        part["mentions"] = part.pop("comments")  # (comment, name) pairs
        part["comments"] = len({i for _key, _t, i, _ts in named})
        part["names"] = len({key for key, _t, _i, _ts in named})
        for side in ("praises", "attacks"):
            for entry in part[side]:
                entry["key"] = entry.pop("target")
                entry.update({k: shown[gid][entry["key"]][k] for k in ("kind", "source")})
        sentence = _sentence(gid, part, named)
        if sentence:
            part["sentence"] = sentence
        switch = _switch(named, {k: v["name"] for k, v in shown[gid].items()})
        if switch:
            part["allegiance"] = switch
        out[gid] = part
    return out


def _switch(named: list, names: dict[str, str]) -> dict | None:
    """The day the names a group praises changed most (`profiles.allegiance_switch` over its praising
    comments, by name), with a sentence: "Praised Мекеним Кыргызстан until 5 Oct 2020, then Садыр
    Жапаров from 6 Oct 2020 (...)". None when the praise did not switch."""
    dated = [(t, key) for key, tone, _i, t in named if tone.label == "praise" and t != NO_TIME]
    if not dated:
        return None
    switch = allegiance_switch(np.array([t for t, _k in dated], np.int64), [k for _t, k in dated])
    if not switch or not switch["after"]:
        return None
    before = ", ".join(names.get(k, k) for k in switch["before"])
    after = ", ".join(names.get(k, k) for k in switch["after"])
    switch["sentence"] = (f"Praised {before} by name until {day(switch['last_before'])}, then {after} from "
                          f"{day(switch['switch_at'])} (their share of the comments praising someone by name went "
                          f"from {switch['after_share_before']:.0%} to {switch['after_share_after']:.0%}).")
    return switch


def _sentence(gid: int, part: dict, named: list) -> str | None:
    """"Group 3 praised Садыр Жапаров in 412 comments between 2 Feb 2019 and 9 Mar 2019, and
    attacked Мухтар Аблязов in 97 (between ...)." None when it praises and attacks no one."""
    parts = []
    for side, verb in (("praises", "praised"), ("attacks", "attacked")):
        if part[side]:
            e = part[side][0]
            n = e["praise" if side == "praises" else "attack"]
            label = "praise" if side == "praises" else "attack"
            dated = [t for key, tone, _i, t in named if key == e["key"] and tone.label == label and t != NO_TIME]
            span = f" between {e['first']} and {e['last']}" if dated and e["first"] != e["last"] else \
                f" on {e['first']}" if dated else ""
            parts.append(f"{verb} {e['name']} in {n:,} comment{'s' if n != 1 else ''}{span}")
    if not parts:
        return None
    return (f"Group {gid} " + ", and ".join(parts) + f" (names read in the text of {part['comments']:,} of its "
            "comments that name a person or organisation).")


def named_lines(part: dict | None) -> list[str]:
    """A group's named praise and attack (`named_praise_and_attack`) as lines for its profile:
    the sentence, then the names praised and attacked most, each with counts, share, dates and
    example items. Nothing when no name is praised or attacked."""
    if not part or not (part.get("praises") or part.get("attacks")):
        return []
    lines = [part[k]["sentence"] if k == "allegiance" else part[k] for k in ("sentence", "allegiance") if part.get(k)]
    for side, head in (("praises", "Praised by name"), ("attacks", "Attacked by name")):
        label = "praise" if side == "praises" else "attack"
        entries = [f"{e['name']}: {e[label]:,} of {e['comments']:,} comments naming them ({e['share']:.0%}), "
                   + (f"{e['first']} to {e['last']}, " if e["first"] and e["first"] != e["last"] else
                      f"on {e['first']}, " if e["first"] else "")
                   + f"e.g. item {', '.join(e['examples'][:2])}"
                   + ("; words " + ", ".join(f"\u201c{w}\u201d" for w in e["words"][:3]) if e["words"] else "")
                   for e in part.get(side, [])]
        if entries:
            lines.append(f"{head}: " + "; ".join(entries) + ".")
    return lines
