"""The readable summary `trollscan spread` prints: Rich tables and lines, built here, printed by
the CLI. Every text from the data goes through `Text` so that no markup in a post is interpreted."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from .match import MATCH_SAID

__all__ = ["render_story"]


def _when(iso: str | None) -> str:
    return iso.replace("T", " ")[:19] if iso else "?"


def _pairs(pairs: list, prefix: str = "", n: int = 3) -> str:
    return ", ".join(f"{prefix}{v} ({c})" for v, c in pairs[:n])


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0%}"


def render_story(result: dict, *, max_hours: int = 24) -> list[RenderableType]:
    """The summary of a story, as Rich renderables in print order."""
    s, chron = result["summary"], result["chronology"]
    terms = " or ".join(result["query"]["terms"])
    parts: list[RenderableType] = [Text.assemble(
        ("Story ", "bold"), (terms, "bold"),
        f": {s['items']:,} items by {s['accounts']:,} accounts ({s['matched']:,} match the query), "
        f"{_when(chron['first_at'])} to {_when(chron['last_at'])} UTC ({chron['span_hours']} hours).")]
    how = ", ".join(f"{n:,} {MATCH_SAID.get(k, k)}" for k, n in s.get("matched_by", {}).items())
    q = result["query"]
    near = (f"near-duplicates of similarity {q['min_similarity']:g} or more" if q.get("near_duplicates")
            else "no near-duplicates")
    tool = (f"translations by {q['translator']} ({len(q['translations'])})" if q.get("translator")
            else "no translator installed or --no-translate")
    parts.append(Text(f"Matched: {how or 'none'} ({near}; {tool})."))
    inferred = ", ".join(f"{n:,} by {how}" for how, n in s["inferred_links"].items()) or "none"
    parts.append(Text(f"Cascade: {s['platform_links']:,} links from the platform, inferred: {inferred}; "
                      f"{s['missing_parents']:,} items whose parent the case lacks; {s['origins']:,} origin(s); "
                      f"depth up to {s['max_depth']}."))
    t = Table(title="First posters (who carried it first)", title_justify="left")
    for col in ("#", "account", "item", "time (UTC)", f"local ({result['timezone']})", "sure", "why"):
        t.add_column(col, overflow="fold")
    for p in result["first_poster_details"]:
        t.add_row(str(p["rank"]), Text(p["name"] or p["account_id"]), Text(p["item_id"] or "(not in the case)"),
                  _when(p["at"]) if p["at"] else f"before {_when(p['before'])}", _when(p["local_at"]), p["sure"],
                  Text(p["why"]))
    parts.append(t)
    if result["amplifiers"]:
        t = Table(title="Key amplifiers (the first large jumps)", title_justify="left")
        for col in ("jump", "from (UTC)", "account", "its items", "items below them"):
            t.add_column(col)
        for a in result["amplifiers"]:
            t.add_row(str(a["surge"]), _when(a["surge_at"]), Text(a["name"]), str(a["items"]), f"{a['below']:,}")
        parts.append(t)
    t = Table(title=f"Chronology per hour ({result['timezone']})", title_justify="left")
    for col in ("hour", "items", "languages", "groups"):
        t.add_column(col)
    for h in chron["hours"][:max_hours]:
        langs = ", ".join(f"{k} {v}" for k, v in sorted(h["by_language"].items(), key=lambda kv: -kv[1])[:4])
        groups = ", ".join(f"{k} {v}" for k, v in sorted(h["by_group"].items(), key=lambda kv: -kv[1])[:3])
        t.add_row(h["hour"], f"{h['items']:,}", Text(langs), Text(groups))
    parts.append(t)
    if len(chron["hours"]) > max_hours:
        parts.append(Text(f"... {len(chron['hours']) - max_hours} more hours in the --json output."))
    parts.append(Text("Languages: " + ", ".join(f"{k} {v:,} (from {_when(chron['language_first_at'][k])[:16]})"
                                                for k, v in list(chron["languages"].items())[:8])))
    joined = chron["mainstream_joined"]
    if joined:
        parts.append(Text("Mainstream or verified accounts joined: " + "; ".join(
            f"{j['name']} at {_when(j['at'])[:16]} UTC, {j['hours_after_first']} h after the first post ({j['why']})"
            for j in joined[:5]) + ("; ..." if len(joined) > 5 else "") + "."))
    else:
        parts.append(Text("No mainstream or verified account carried it."))
    if result["groups"]:
        t = Table(title="Spreader groups (who shares the same things)", title_justify="left")
        for col in ("group", "accounts", "hashtags", "domains", "words", "languages", "fake / doubtful",
                    "bot-like cadence", "near-copies"):
            t.add_column(col, overflow="fold")
        for g in result["groups"]:
            t.add_row(str(g["group"]), f"{g['size']:,}", Text(_pairs(g["top_hashtags"], "#")),
                      Text(_pairs(g["top_domains"])), Text(_pairs(g["top_words"])),
                      Text(", ".join(f"{k} {v}" for k, v in g["languages"].items())),
                      f"{_pct(g['fake_share'])} / {_pct(g['doubtful_share'])}", _pct(g["bot_cadence_share"]),
                      _pct(g["near_duplicate_share"]))
        parts.append(t)
    else:
        parts.append(Text("No spreader group: the spreaders share too little else with each other."))
    tx, ac = result["texts"], result["accounts"]
    parts.append(Text(f"Texts written for the story: {tx['written']:,}; exact copies of another account's "
                      f"{_pct(tx['exact_duplicate_share'])}, near-copies {_pct(tx['near_duplicate_share'])}, "
                      f"templated {_pct(tx['templated_share'])}. Accounts with a bot-like cadence: "
                      f"{ac['bot_cadence']:,} of {ac['accounts']:,} ({_pct(ac['bot_cadence_share'])})."))
    parts.append(Text(f"{len(result['evidence'])} findings stored in the case (detector spread.*): "
                      "see them with trollscan evidence ACCOUNT."))
    return parts
