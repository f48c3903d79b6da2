"""`trollscan report`: one self-contained HTML file a reporter can mail to an editor.

Everything it shows comes from `store.report_data`; everything from social media in it is
hostile, so: Jinja2 autoescapes every value, data for the script is JSON with `<`, `>`, `&` and
U+2028/9 escaped, a Content-Security-Policy allows only the report's own inline script and style
(by hash) and images inlined as data URIs, and no link is made from data except to http(s) pages.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from .. import __version__
from ..errors import BadParameter
from ..store import Case
from ..store import report_data as rd
from ..store.report_reads import read_gallery_files
from ..store.results import read_names
from .charts import WEEKDAYS, bar_chart
from .images import thumbnail_data_uri
from .network import choose_nodes, group_colour, layout_network
from .named import named_lines
from .profiles import profile_case
from ..store.verdicts import read_profile_inputs

__all__ = ["ReportSummary", "environment", "json_for_script", "static_text", "csp_hash", "safe_url",
           "profile_lines", "build_report", "render_report", "write_report"]


@dataclass(frozen=True)
class ReportSummary:
    path: Path
    bytes: int
    groups: int
    cards: int
    accounts: int
    seconds: float


def static_text(name: str) -> str:
    """One of the report's own CSS/JS files."""
    return resources.files("trollscan.report").joinpath("static", name).read_text(encoding="utf-8")


def csp_hash(text: str) -> str:
    """The CSP source expression allowing exactly this inline script or style."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def json_for_script(value) -> Markup:
    """JSON safe to place inside a <script type="application/json"> block: no `<`, `>` or `&`
    can close the block or open a comment, and U+2028/9 are escaped for older parsers."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    for raw, esc in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"),
                     ("\u2029", "\\u2029")):
        text = text.replace(raw, esc)
    return Markup(text)  # noqa: S704 - escaped above for the script context


def safe_url(url: str | None) -> str | None:
    """`url` when it is an http(s) address, else None: no javascript:, data: or relative links from data."""
    if not url or any(c in url for c in "\x00\r\n\t "):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def _dt(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else ""


def _who(row: dict) -> str:
    return f"@{row['handle']}" if row.get("handle") else (row.get("name") or row.get("account_id") or "")


def _state_tags(row: dict) -> Markup:
    tags = []
    if row.get("analyst"):
        tags.append(Markup('<span class="tag {0}" title="analyst label">analyst: {0}</span>').format(row["analyst"]))
    if row.get("verdict"):
        tags.append(Markup('<span class="tag {0}" title="computed verdict, score {1:.2f}">verdict: {0}</span>').format(
            row["verdict"], row.get("score") or 0))
    if not tags and row.get("group_id"):
        tags.append(Markup('<span class="tag">in group {0}</span>').format(row["group_id"]))
    return Markup(" ").join(tags)


def environment(*extra: PackageLoader) -> Environment:
    """The Jinja2 environment of the report (and, with its own loader first, of the web app)."""
    env = Environment(loader=ChoiceLoader([*extra, PackageLoader("trollscan.report", "templates")]),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=False)
    env.filters.update(dt=_dt, who=_who, state_tags=_state_tags, safe_url=safe_url,
                       num=lambda v: f"{v:,}" if isinstance(v, (int, float)) else "",
                       pct=lambda v: f"{v:.0%}" if isinstance(v, (int, float)) else "")
    return env


def build_report(case: Case, *, max_cards: int = 300, max_list: int = 5000, max_groups: int = 60,
                 max_nodes: int = 2000, thumbnails: bool = True, spread: list[str] | None = None,
                 spread_section: bool = True) -> dict:
    """Everything the report shows, read from the case (capped so a huge case gives a file a
    mail can carry; each cap is stated in the report)."""
    ov = rd.read_overview(case)
    tz = ov["timezone"]
    accounts = rd.read_accounts(case, flagged=True, limit=max_list)
    cards = accounts[:max_cards]
    for n, a in enumerate(accounts, start=1):
        a["card"] = n if n <= max_cards else None
    card_of = {(a["platform"], a["account_id"]): a["card"] for a in cards}
    for platform in sorted({a["platform"] for a in cards}):
        mine = [a for a in cards if a["platform"] == platform]
        findings = rd.read_account_findings(case, platform, [a["account_id"] for a in mine], per_detector=3,
                                            max_items=8)
        media = rd.read_account_media(case, platform, [a["account_id"] for a in mine]) if thumbnails else {}
        names = read_names(case, platform, sorted({x for fs in findings.values() for f in fs
                                                   for x in f["account_ids"][:8]} | {
            p["account_id"] for fs in findings.values() for f in fs for p in f["photos"] if p["account_id"]}))
        avatars = {a["account_id"]: next((m["media_id"] for m in media.get(a["account_id"], [])
                                          if m["kind"] == "avatar"), None) for a in mine}
        photos = [p for fs in findings.values() for f in fs for p in f["photos"]]
        files = rd.read_media_files(case, platform, sorted({m for m in avatars.values() if m} | {
            p["media_id"] for p in photos if p["media_id"]})) if thumbnails else {}
        gallery = read_gallery_files(case, [p["gallery"] for p in photos if p["gallery"]]) if thumbnails else {}
        for a in mine:
            a["findings"] = findings.get(a["account_id"], [])
            avatar = files.get(avatars[a["account_id"]])
            a["avatar"] = thumbnail_data_uri(avatar, max_px=64) if avatar else None
        for p in photos:  # a gallery match shows the gallery photo beside the account's
            p["who"] = p["label"] if p["gallery"] else names.get(p["account_id"], p["account_id"])
            data = gallery.get(p["gallery"]) if p["gallery"] else files.get(p["media_id"])
            p["uri"] = thumbnail_data_uri(data, max_px=96) if data else None
    groups = []
    profiles = profile_case(read_profile_inputs(case))
    written = {p["group_id"]: p for p in profiles["groups"]}
    for g in rd.read_groups(case, limit=max_groups):
        profile = rd.read_group(case, g["group_id"], tz=tz, members_limit=60)
        profile["profile"] = profile_lines(written.get(g["group_id"], {}))
        profile["colour"] = group_colour(g["group_id"])
        profile["hours_chart"] = bar_chart([f"{h:02d}" for h in range(24)], [profile["hours"]], names=("items",),
                                           width=480, height=120, max_ticks=8)
        profile["weekday_chart"] = bar_chart(list(WEEKDAYS), [profile["weekdays"]], names=("items",), width=480,
                                             height=120)
        profile["created_chart"] = bar_chart([c["k"] for c in profile["created"]], [[c["n"] for c in
                                             profile["created"]]], names=("accounts",), width=480, height=120)
        for m in profile["members"]:
            m["card"] = card_of.get((m["platform"], m["account_id"]))
        groups.append(profile)
    kpis = rd.read_page_kpis(case, tz=tz)
    context = {
        "ov": ov, "version": __version__, "generated_at": datetime.now(timezone.utc).replace(tzinfo=None),
        "accounts": accounts, "cards": cards, "groups": groups, "pages": kpis["pages"], "watched": profiles["pages"],
        "charts": _timeline_charts(kpis),
        "accounts_note": f"the first {max_list:,} shown" if len(accounts) == max_list else "",
        "cards_note": (f"The {len(cards):,} flagged accounts with the strongest findings; the others are in the "
                       "account list below.") if len(accounts) > len(cards) else "",
        "groups_note": (f"The {max_groups} largest of {ov['counts']['groups']:,} groups."
                        if ov["counts"]["groups"] > max_groups else ""),
    }
    context.update(_network(case, card_of, max_nodes))
    context["summary"], context["notices"], context["kpis"] = _summary(ov, groups, kpis)
    if spread_section:  # "How the story spread": the story asked for, else the one `trollscan spread` traced last
        from ..spread.section import report_section
        context["spread"] = report_section(case, spread)
    return context


def profile_lines(profile: dict) -> list[str]:
    """A group profile (report.profiles) as sentences: creation, working hours, allegiance,
    shared infrastructure, and the cost under each price model."""
    lines = [profile.get(k, {}).get("sentence") for k in ("created", "schedule", "allegiance", "tone", "infrastructure")]
    lines[4:4] = named_lines(profile.get("named"))  # names praised and attacked in the text, after the pages
    lines += [f"Cost, {c['model']}: {c['range']} ({c['assumes']})" for c in profile.get("cost", [])]
    return [line for line in lines if line]


def _timeline_charts(kpis: dict) -> dict:
    names = ("flagged accounts", "other accounts")
    hours = {r["k"]: r for r in kpis["hours"]}
    hour_rows = [hours.get(h, {"flagged": 0, "other": 0}) for h in range(24)]
    return {
        "hours": bar_chart([f"{h:02d}" for h in range(24)], [[r["flagged"] for r in hour_rows],
                           [r["other"] for r in hour_rows]], names=names, share=True, max_ticks=12),
        "days": bar_chart([r["k"] for r in kpis["days"]], [[r["flagged"] for r in kpis["days"]],
                          [r["other"] for r in kpis["days"]]], names=names, max_ticks=8),
        "created": bar_chart([r["k"] for r in kpis["created"]], [[r["flagged"] for r in kpis["created"]],
                             [r["other"] for r in kpis["created"]]], names=names, max_ticks=8),
    }


def _network(case: Case, card_of: dict, max_nodes: int) -> dict:
    pairs = rd.read_graph_edges(case, per_node=6)
    keep = choose_nodes(pairs, max_nodes=max_nodes)
    activity = {}
    for platform in sorted({p for p, _ in keep}):
        ids = [a for p, a in keep if p == platform]
        activity.update({(platform, a): n for a, n in rd.read_activity(case, platform, ids).items()})
    net = layout_network(pairs, activity, max_nodes=max_nodes)
    names = {}
    for platform in sorted({p for p, _ in keep}):
        names.update({(platform, a): n for a, n in read_names(case, platform, [a for p, a in keep if p == platform]
                                                              ).items()})
    data = net.as_json()
    data["names"] = [f"{names.get((n[4], n[5]), n[5])}" + (f" (group {n[3]})" if n[3] else "") for n in net.nodes]
    data["links"] = [f"#card-{card_of[(n[4], n[5])]}" if (n[4], n[5]) in card_of else
                     (f"#group-{n[3]}" if n[3] else None) for n in net.nodes]
    groups_shown = sorted({n[3] for n in net.nodes if n[3]})
    data["colours"] = {str(g): group_colour(g) for g in groups_shown}
    sizes = {}
    for n in net.nodes:
        if n[3]:
            sizes[n[3]] = sizes.get(n[3], 0) + 1
    note = ""
    if net.total_nodes > len(net.nodes):
        note = (f"Showing {len(net.nodes):,} of {net.total_nodes:,} linked accounts: the members of the largest "
                "groups first, then the most linked others; each account keeps its 6 strongest links.")
    elif not net.nodes:
        note = "No linked accounts: run trollscan scan."
    return {"network_json": json_for_script(data), "network_note": note,
            "network_legend": [{"group_id": g, "colour": group_colour(g), "size": sizes[g]} for g in groups_shown[:24]]}


def _summary(ov: dict, groups: list[dict], kpis: dict) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    c = ov["counts"]
    span = (f", from {ov['first_at']:%d %b %Y} to {ov['last_at']:%d %b %Y}" if ov["first_at"] else "")
    said = [f"This case holds {c['accounts']:,} accounts and {c['items']:,} posts, comments and reactions on "
            f"{', '.join(ov['platforms']) or 'no platform'}{span}."]
    notices = []
    if groups:
        biggest = groups[0]
        said.append(f"trollscan found {c['groups']:,} groups of accounts that act together, with "
                    f"{c['group_members']:,} accounts in all. The largest, group {biggest['group_id']}, has "
                    f"{biggest['size']:,} accounts" + (f": {biggest['sentence']}" if biggest.get("sentence") else "."))
    else:
        notices.append("No operator groups in the case: run trollscan scan.")
    if c["verdicts"]:
        said.append(f"{ov['fake']:,} accounts are judged fake and {ov['doubtful']:,} doubtful, each with its reasons.")
    else:
        notices.append("No verdicts yet: run trollscan scan. Until then an account is flagged when it belongs to a "
                       "group or the analyst labelled it fake or doubtful.")
    if c["labels"]:
        said.append(f"The analyst labelled {ov['analyst_fake']:,} accounts fake, {ov['analyst_doubtful']:,} doubtful "
                    f"and {ov['analyst_real']:,} real; these labels win over computed verdicts.")
    if kpis["pages"]:
        top = kpis["pages"][0]
        said.append(f"Flagged accounts wrote {top['share']:.0%} of the {top['n']:,} items on {top['target']} "
                    f"({top['platform']}), the page where they were most active.")
    office = _office_share(kpis["hours"])
    if office:
        said.append(f"Flagged accounts wrote {office[0]:.0%} of their items between 09:00 and 18:00 "
                    f"({ov['timezone']}); other accounts {office[1]:.0%}.")
    kpi = [("accounts", f"{c['accounts']:,}"), ("items", f"{c['items']:,}"), ("flagged accounts", f"{ov['flagged']:,}"),
           ("groups", f"{c['groups']:,}"), ("findings", f"{c['evidence']:,}")]
    if kpis["pages"]:
        kpi.append(("flagged share on the busiest page", f"{kpis['pages'][0]['share']:.0%}"))
    return said, notices, kpi


def _office_share(hours: list[dict]) -> tuple[float, float] | None:
    flagged = sum(r["flagged"] for r in hours)
    other = sum(r["other"] for r in hours)
    if not flagged or not other:
        return None
    in_office = [r for r in hours if 9 <= r["k"] < 18]
    return sum(r["flagged"] for r in in_office) / flagged, sum(r["other"] for r in in_office) / other


def render_report(context: dict) -> str:
    """The HTML text of the report, with the CSP naming the hashes of its inline style and script."""
    css = static_text("report.css")
    js = static_text("network.js") + "\n" + static_text("filter.js")
    csp = (f"default-src 'none'; img-src data:; style-src {csp_hash(css)}; script-src {csp_hash(js)}; "
           "base-uri 'none'; form-action 'none'; object-src 'none'")
    return environment().get_template("report.html.j2").render(**context, css=Markup(css), js=Markup(js), csp=csp)


def write_report(case: Case, path: Path, **options) -> ReportSummary:
    """Build, render and write the report to `path` in one step: a partial file never appears."""
    started = time.perf_counter()
    path = Path(path)
    if not path.parent.is_dir():
        raise BadParameter(f"Cannot write {path}: the folder {path.parent} does not exist.", "Create it first.")
    context = build_report(case, **options)
    data = render_report(context).encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise BadParameter(f"Cannot write {path}: {exc.strerror}.", "Check the folder is writable.") from None
    return ReportSummary(path, len(data), len(context["groups"]), len(context["cards"]), len(context["accounts"]),
                         time.perf_counter() - started)
