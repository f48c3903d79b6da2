"""The report's "How the story spread" section: which story, traced again from the case, with the
data its template (`report/templates/_spread.html.j2`) lays out.

The report shows the story `trollscan report --spread TERM...` names, else the last story
`trollscan spread` traced in the case (its terms and options are kept with that run), traced again
so that the section always matches the case as it is now.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..errors import BadParameter
from ..report.charts import Chart, bar_chart
from ..store import Case
from ..store.spread import read_last_spread_params
from . import find_translator, render_spread_section, trace_story

__all__ = ["report_section", "chronology_chart", "MAX_HOURLY_BARS"]

MAX_HOURLY_BARS = 240  # a longer story is drawn per day
_OPTIONS = ("resolution", "min_group_size", "max_target_accounts", "seed", "near", "min_similarity")


def chronology_chart(hours: list[dict], *, width: int = 960, height: int = 160) -> Chart:
    """Items per local hour (per day past `MAX_HOURLY_BARS` hours), hours without items included:
    items by accounts in spreader groups, and by the others."""
    if not hours:
        return bar_chart([], [[], []], names=("spreader groups", "other accounts"), width=width, height=height)
    count = {h["hour"]: h for h in hours}
    first = datetime.strptime(hours[0]["hour"], "%Y-%m-%d %H:%M")
    last = datetime.strptime(hours[-1]["hour"], "%Y-%m-%d %H:%M")
    span = int((last - first).total_seconds() // 3600) + 1
    step, fmt = (timedelta(hours=1), "%Y-%m-%d %H:00") if span <= MAX_HOURLY_BARS else (timedelta(days=1), "%Y-%m-%d")
    labels, grouped, other = [], [], []
    at = first if step.days == 0 else first.replace(hour=0)
    while at <= last:
        keys = [at.strftime("%Y-%m-%d %H:00")] if step.days == 0 else [
            (at + timedelta(hours=k)).strftime("%Y-%m-%d %H:00") for k in range(24)]
        rows = [count[k] for k in keys if k in count]
        all_items = sum(r["items"] for r in rows)
        ungrouped = sum(r["by_group"].get("ungrouped", 0) for r in rows)
        labels.append(at.strftime(fmt if step.days else "%d %b %H:00"))
        grouped.append(all_items - ungrouped)
        other.append(ungrouped)
        at += step
    return bar_chart(labels, [grouped, other], names=("spreader groups", "other accounts"), width=width,
                     height=height, max_ticks=8)


def report_section(case: Case, terms: list[str] | None = None) -> dict | None:
    """The section for `terms`, else for the last story traced in the case; None when there is none.
    A story asked for by `terms` that no item carries raises BadParameter; the last traced story
    that no longer matches gives a section with only a notice."""
    params = {"terms": list(terms), "translate": True} if terms else read_last_spread_params(case)  # as `spread` does
    if not params or not params.get("terms"):
        return None
    options = {k: params[k] for k in _OPTIONS if k in params}
    translator = find_translator() if params.get("translate") else None
    try:
        result = trace_story(case, params["terms"], store=False, translator=translator, **options)
    except BadParameter as exc:
        if terms:
            raise
        return {"title": "How the story spread: " + " or ".join(params["terms"]),
                "notice": f"The story last traced with trollscan spread is no longer in the case: {exc.message}"}
    section = render_spread_section(result)
    section["chart"] = chronology_chart(result["chronology"]["hours"])
    section["source"] = ("The story asked for with trollscan report --spread." if terms else
                         "The story trollscan spread traced last, traced again on the case as it is now.")
    return section
