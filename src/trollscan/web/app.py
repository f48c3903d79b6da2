"""`trollscan serve`: a local web app over one case (FastAPI + Jinja2, autoescaped).

Search accounts, open a group, read an account's evidence, set a label with a note. The case is
opened for each request and closed after it (one request at a time), so `trollscan scan` can
run between two clicks. See `security.py` for the defences.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Form, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import PackageLoader
from starlette.exceptions import HTTPException

from ..errors import TrollscanError
from ..report.charts import WEEKDAYS, bar_chart
from ..report.html import environment, json_for_script, profile_lines, static_text
from ..report.profiles import profile_case
from ..report.images import thumbnail_jpeg
from ..report.network import choose_nodes, group_colour, group_network, layout_network
from ..store import Case, open_case
from ..store import report_data as rd
from ..store.entities import read_account_ties
from ..store.results import read_names
from ..store.schema import LABELS
from ..store.report_reads import read_case_state, read_gallery_files
from ..store.verdicts import read_profile_inputs
from .security import SECURITY_HEADERS, TOKEN_COOKIE, Guard

__all__ = ["create_app", "account_url", "MAX_GRAPH_NODES", "PROFILE_CACHE"]

MAX_GRAPH_NODES = 5000  # past this many linked accounts, the graph page shows groups instead
PROFILE_CACHE = 64  # group profiles kept per app, each valid while the case's state is unchanged
_STATIC = {"report.css": "text/css; charset=utf-8", "network.js": "text/javascript; charset=utf-8",
           "filter.js": "text/javascript; charset=utf-8"}


def account_url(platform: str, account_id: str) -> str:
    """The app's page of an account (ids are query values, so any id makes a safe local URL)."""
    return "/account?" + urlencode({"platform": platform, "id": account_id}, quote_via=quote)


def create_app(case_root: Path, *, guard: Guard | None = None, max_graph_nodes: int = MAX_GRAPH_NODES) -> FastAPI:
    """The app serving the case in `case_root`."""
    guard = guard or Guard()
    lock = threading.Lock()
    profiles: dict[tuple, list[str]] = {}  # (group_id, case state) -> the profile's sentences
    env = environment(PackageLoader("trollscan.web", "templates"))
    env.globals.update(account_url=account_url, labels=LABELS, colour=group_colour)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @contextmanager
    def case() -> Iterator[Case]:
        with lock:
            c = open_case(Path(case_root))
            try:
                yield c
            finally:
                c.close()

    def page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
        html = env.get_template(name).render(request=request, csrf=guard.csrf_token(), **context)
        return HTMLResponse(html, status_code=status)

    @app.middleware("http")
    async def defend(request: Request, call_next):
        if not guard.host_allowed(request.headers.get("host")):
            return _headers(Response("Unexpected Host header: open the app at the address trollscan serve printed.",
                                     status_code=400, media_type="text/plain"))
        presented = request.cookies.get(TOKEN_COOKIE) or _bearer(request.headers.get("authorization"))
        via_query = request.query_params.get("token")
        if guard.token is not None and not guard.token_ok(presented):
            if via_query and guard.token_ok(via_query):
                response = RedirectResponse(request.url.path, status_code=303)
                response.set_cookie(TOKEN_COOKIE, via_query, httponly=True, samesite="strict")
                return _headers(response)
            return _headers(Response("This trollscan app needs its token: open the address trollscan serve printed.",
                                     status_code=401, media_type="text/plain"))
        return _headers(await call_next(request))

    @app.exception_handler(TrollscanError)
    async def trollscan_error(request: Request, exc: TrollscanError):
        return page(request, "error.html.j2", 400, message=exc.message, hint=exc.hint)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return page(request, "error.html.j2", exc.status_code, message=str(exc.detail), hint="")

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        where = ", ".join(".".join(str(p) for p in e.get("loc", ())) for e in exc.errors()[:3])
        return page(request, "error.html.j2", 400, message=f"Bad request: check {where}.", hint="")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        return page(request, "error.html.j2", 500, message=f"{type(exc).__name__}: unexpected failure.",
                    hint="Nothing was written. Run trollscan serve --debug and report the traceback.")

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request, page_no: int = Query(1, alias="page", ge=1, le=100_000)):
        with case() as c:
            ov = rd.read_overview(c)
            groups = rd.read_groups(c, offset=(page_no - 1) * rd.PAGE_SIZE, limit=rd.PAGE_SIZE + 1)
        return page(request, "home.html.j2", ov=ov, groups=groups[:rd.PAGE_SIZE], page_no=page_no,
                    more=len(groups) > rd.PAGE_SIZE)

    @app.get("/accounts", response_class=HTMLResponse)
    def accounts(request: Request, q: str | None = Query(None, max_length=200),
                 flagged: bool | None = None, page_no: int = Query(1, alias="page", ge=1, le=100_000)):
        with case() as c:
            rows = rd.read_accounts(c, query=q or None, flagged=flagged, offset=(page_no - 1) * rd.PAGE_SIZE,
                                    limit=rd.PAGE_SIZE + 1)
        base = {k: v for k, v in (("q", q), ("flagged", flagged)) if v not in (None, "")}
        return page(request, "accounts.html.j2", rows=rows[:rd.PAGE_SIZE], q=q or "", page_no=page_no,
                    more=len(rows) > rd.PAGE_SIZE, base=urlencode(base))

    @app.get("/group/{group_id}", response_class=HTMLResponse)
    def group(request: Request, group_id: int, page_no: int = Query(1, alias="page", ge=1, le=100_000)):
        with case() as c:
            tz = c.meta("timezone") or "UTC"
            g = rd.read_group(c, group_id, tz=tz, members_offset=(page_no - 1) * rd.PAGE_SIZE,
                              members_limit=rd.PAGE_SIZE)
            if g is None:
                raise HTTPException(404, f"No group {group_id} in this case.")
            network = _account_network(c, rd.read_graph_edges(c, group_id=group_id, per_node=8), max_graph_nodes)
            key = (group_id, read_case_state(c))
            if key not in profiles:  # one group's profile, not the whole case's
                written = profile_case(read_profile_inputs(c, group_id=group_id))["groups"]
                while len(profiles) >= PROFILE_CACHE:
                    profiles.pop(next(iter(profiles)))
                profiles[key] = profile_lines(written[0]) if written else []
            g["profile"] = profiles[key]
        charts = {
            "hours": bar_chart([f"{h:02d}" for h in range(24)], [g["hours"]], names=("items",), width=480,
                               height=120, max_ticks=8),
            "weekdays": bar_chart(list(WEEKDAYS), [g["weekdays"]], names=("items",), width=480, height=120),
            "created": bar_chart([r["k"] for r in g["created"]], [[r["n"] for r in g["created"]]],
                                 names=("accounts",), width=480, height=120),
        }
        return page(request, "group.html.j2", g=g, charts=charts, tz=tz, page_no=page_no,
                    more=page_no * rd.PAGE_SIZE < g["size"], **network)

    @app.get("/graph", response_class=HTMLResponse)
    def graph(request: Request):
        with case() as c:
            pairs = rd.read_graph_edges(c, per_node=6)
            accounts = len({(p["platform"], x) for p in pairs for x in (p["a"], p["b"])})
            if accounts > max_graph_nodes:
                groups = rd.read_groups(c, limit=2000)
                net = group_network(groups, rd.read_group_links(c))
                data = net.as_json()
                data["names"] = [f"group {n[3]}: {g['size']:,} accounts" for n, g in zip(net.nodes, groups)]
                data["links"] = [f"/group/{n[3]}" for n in net.nodes]
                data["colours"] = {str(n[3]): group_colour(n[3]) for n in net.nodes}
                network = {"network_json": json_for_script(data), "network_note": (
                    f"{accounts:,} linked accounts are too many to draw one by one: each dot is a group, sized by "
                    "its members; open a group to see its accounts.")}
            else:
                network = _account_network(c, pairs, max_graph_nodes)
        return page(request, "graph.html.j2", **network)

    @app.get("/account", response_class=HTMLResponse)
    def account(request: Request, platform: str = Query(..., max_length=40), id: str = Query(..., max_length=2000)):
        with case() as c:
            a = rd.read_account(c, platform, id)
            if a is None:
                raise HTTPException(404, "No such account in this case.")
            a["findings"] = rd.read_account_findings(c, platform, [id], per_detector=6, max_items=20)[id]
            a["ties"] = read_account_ties(c, platform, id)
            names = read_names(c, platform, sorted({x for f in a["findings"] for x in f["account_ids"][:8]} | {
                p["account_id"] for f in a["findings"] for p in f["photos"] if p["account_id"]}))
        for f in a["findings"]:
            for p in f["photos"]:
                p["who"] = p["label"] if p["gallery"] else names.get(p["account_id"], p["account_id"])
        return page(request, "account.html.j2", a=a, names=names, saved=request.query_params.get("saved"))

    @app.post("/label")
    def label(request: Request, platform: str = Form(..., max_length=40), account_id: str = Form(..., max_length=2000),
              label: str = Form(..., max_length=20), note: str = Form("", max_length=10_000),
              csrf: str = Form("", max_length=200)):
        own = f"{request.url.scheme}://{request.headers.get('host', '')}"
        if not guard.csrf_ok(csrf, origin=request.headers.get("origin"),
                             fetch_site=request.headers.get("sec-fetch-site"), own_origin=own):
            raise HTTPException(403, "This form was not sent from this app's own page (CSRF check failed). "
                                     "Reload the account page and try again.")
        with case() as c:
            rd.write_label(c, platform, account_id, label, note=note.strip(), author="trollscan serve")
        return RedirectResponse(account_url(platform, account_id) + "&saved=1", status_code=303)

    @app.get("/media")
    def media(platform: str = Query(..., max_length=40), id: str = Query(..., max_length=200)):
        with case() as c:
            data = rd.read_media_files(c, platform, [id]).get(id)
        jpeg = thumbnail_jpeg(data, max_px=320) if data else None
        if jpeg is None:
            raise HTTPException(404, "No picture for this media.")
        return Response(jpeg, media_type="image/jpeg", headers={"Content-Disposition": "inline"})

    @app.get("/gallery")
    def gallery(sha: str = Query(..., min_length=64, max_length=64, pattern="^[0-9a-f]{64}$")):
        with case() as c:
            data = read_gallery_files(c, [sha]).get(sha)
        jpeg = thumbnail_jpeg(data, max_px=320) if data else None
        if jpeg is None:
            raise HTTPException(404, "No picture for this gallery photo (the file is gone or changed since it was added).")
        return Response(jpeg, media_type="image/jpeg", headers={"Content-Disposition": "inline"})

    @app.get("/favicon.ico")
    def favicon():
        return Response(status_code=204)

    @app.get("/static/{name}")
    def static(name: str):
        if name not in _STATIC:
            raise HTTPException(404, "No such file.")
        return Response(static_text(name), media_type=_STATIC[name])

    return app


def _bearer(value: str | None) -> str | None:
    if value and value.lower().startswith("bearer "):
        return value[7:].strip()
    return None


def _headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response


def _account_network(c: Case, pairs: list[dict], max_nodes: int) -> dict:
    keep = choose_nodes(pairs, max_nodes=max_nodes)
    activity, names = {}, {}
    for platform in sorted({p for p, _ in keep}):
        ids = [a for p, a in keep if p == platform]
        activity.update({(platform, a): n for a, n in rd.read_activity(c, platform, ids).items()})
        names.update({(platform, a): n for a, n in read_names(c, platform, ids).items()})
    net = layout_network(pairs, activity, max_nodes=max_nodes)
    data = net.as_json()
    data["names"] = [names.get((n[4], n[5]), n[5]) + (f" (group {n[3]})" if n[3] else "") for n in net.nodes]
    data["links"] = [account_url(n[4], n[5]) for n in net.nodes]
    data["colours"] = {str(g): group_colour(g) for g in {n[3] for n in net.nodes if n[3]}}
    note = (f"Showing {len(net.nodes):,} of {net.total_nodes:,} linked accounts (members of the largest groups "
            "first)." if net.total_nodes > len(net.nodes) else "")
    return {"network_json": json_for_script(data), "network_note": note}
