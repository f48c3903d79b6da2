"""The command line: parse, call the library, print. Errors are rendered here and nowhere else."""

from __future__ import annotations

import functools
import json
import sys
import traceback
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table
from rich.text import Text

from . import __version__
from .errors import TrollscanError
from .ingest import ADAPTERS, ingest_files
from .store import LoadSummary, init_case, open_case
from .store.case import DB_NAME
from .store.status import read_status
from .store.results import read_evidence, read_findings, read_labels_as_truth, read_query, read_truth_file
from .report.evaluate import evaluate
from .errors import BadParameter
from .clusters import CONTEXT_DETECTORS, score_groups
from .store.export import write_edges_csv
from .scan import scan, scan_coortweet

__all__ = ["app", "main", "init", "ingest", "status", "formats", "demo", "scan_command", "export_edges",
           "export_gexf", "export_graphml", "export_ftm", "report_command", "serve_command",
           "simulate", "eval_command", "evidence_command", "spread_command"]

__all__ += ["export_accounts", "watch_add", "watch_list", "groups_command"]

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  pretty_exceptions_enable=False,
                  help="Find troll farms in social-media data, and keep every piece of evidence.")
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)
_state = {"debug": False}

CaseOption = Annotated[Optional[Path], typer.Option("--case", help="The case folder (default: the current one).")]


def _fail(exc: BaseException) -> None:
    if _state["debug"]:
        err.print(Text("".join(traceback.format_exception(exc)), style="dim"))
    if isinstance(exc, TrollscanError):
        err.print(Text.assemble(("Error: ", "bold red"), exc.message))
        if exc.hint:
            err.print(Text(exc.hint))
    else:
        err.print(Text.assemble(("Error: ", "bold red"), f"{type(exc).__name__}: unexpected failure. "
                                "Nothing was written. Run again with --debug and report the traceback."))
    raise typer.Exit(1)


def _handled(command):
    """Render every failure of `command` as one clear error (no locals: they hold user data)."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            err.print("Interrupted: nothing more was written to the case.")
            raise typer.Exit(130) from None
        except Exception as exc:  # noqa: BLE001 - the one place errors are rendered
            _fail(exc)

    return run


def _version(value: bool) -> None:
    if value:
        out.print(f"trollscan {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version.")] = False,
) -> None:
    _state["debug"] = debug


@app.command()
@_handled
def init(
    folder: Annotated[Path, typer.Argument(help="Folder for the new case (created if missing).")],
    name: Annotated[Optional[str], typer.Option(help="A name for the case.")] = None,
    timezone: Annotated[str, typer.Option(help="The case's local time zone, e.g. Asia/Almaty.")] = "UTC",
) -> None:
    """Create an empty case."""
    init_case(folder, name=name, tz=timezone).close()
    out.print(Text(f"Created case in {folder}. Next: trollscan ingest FILE... --case {folder}"))


@app.command()
@_handled
def ingest(
    files: Annotated[list[Path], typer.Argument(help="Files or folders to load.")],
    case: CaseOption = None,
    format: Annotated[Optional[str], typer.Option("--format", help="Force a format (see `trollscan formats`).")] = None,
    platform: Annotated[Optional[str], typer.Option(help="Platform of files that do not say.")] = None,
    date_format: Annotated[Optional[str], typer.Option(help="strptime format of dates, e.g. %d/%m/%Y.")] = None,
    encoding: Annotated[Optional[str], typer.Option(help="Text encoding when not UTF-8 or cp1251.")] = None,
    timezone: Annotated[Optional[str], typer.Option(
        help="Time zone of times written without an offset, e.g. Asia/Bishkek (default UTC).")] = None,
) -> None:
    """Load files into the case: all of them or, if one fails, none."""
    with open_case(case) as c:
        summary = _ingest_with_progress(c, files, format=format, platform=platform,
                                        date_format=date_format, encoding=encoding, timezone=timezone)
    _print_summary(summary)


def _ingest_with_progress(c, files, **options) -> LoadSummary:
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        tasks: dict[str, int] = {}

        def progress(name: str, done: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(Text(Path(name).name).plain, total=total)
            bar.update(tasks[name], completed=done)

        return ingest_files(c, files, progress=progress, **options)


def _short(path: str) -> str:
    """A path as the user would write it: relative to the current folder when inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(Path(*p.parts[-2:])) if p.is_absolute() else path


def _print_summary(summary: LoadSummary) -> None:
    table = Table(title="Loaded", title_justify="left")
    for col in ("file", "format", "rows added", "notes"):
        table.add_column(col)
    for fs in summary.files:
        added = ", ".join(f"{t} {n:,}" for t, n in sorted(fs.added.items())) or "nothing new"
        notes = []
        if fs.already:
            added, notes = "nothing", [fs.already]
        notes += [f"skipped {n:,}: {reason}" for reason, n in sorted(fs.skipped.items())]
        notes += fs.notes
        table.add_row(Text(_short(fs.path)), fs.format, added, Text("\n".join(notes)))
    out.print(table)
    for note in summary.notes:
        out.print(Text(note))
    for label, counter in (("repeated within these files, kept once", summary.duplicates),
                           ("already in the case", summary.existing),
                           ("already in the case, missing fields filled in", summary.completed),
                           ("differ from the case's copy, which was kept", summary.differing)):
        parts = [f"{t} {n:,}" for t, n in sorted(counter.items()) if n]
        if parts:
            out.print(Text(f"Rows {label}: {', '.join(parts)}."))


@app.command()
@_handled
def status(
    case: CaseOption = None,
    sources: Annotated[bool, typer.Option("--sources", help="List the ingested files.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    takedowns: Annotated[bool, typer.Option("--takedowns", help="How many flagged accounts the platform removed, "
                                            "and when, per group and label (from ingested status checks).")] = False,
    sent_at: Annotated[Optional[str], typer.Option("--sent-at", help="With --takedowns: the day the list went to "
                                                   "the platform, YYYY-MM-DD (UTC); earlier checks are not takedowns. "
                                                   "Default: when the verdicts were computed.")] = None,
) -> None:
    """Show what the case holds: per platform and table, time ranges, labels, sources."""
    if takedowns:
        _print_takedowns(case, as_json, sent_at)
        return
    with open_case(case) as c:
        st = read_status(c)
    if as_json:
        out.print_json(json.dumps(st, default=str))
        return
    _print_status(st, sources)


def _print_takedowns(case, as_json: bool, sent_at: str | None = None) -> None:
    from .report.takedowns import parse_sent_at, takedown_summary
    from .store.verdicts import read_snapshots, read_verdicts, read_verdicts_run_at

    sent = parse_sent_at(sent_at) if sent_at is not None else None
    with open_case(case) as c:
        verdicts = read_verdicts(c)
        snapshots = read_snapshots(c)
        sent = sent or read_verdicts_run_at(c)
    if not verdicts:
        raise BadParameter("The case has no verdicts yet, so no flagged accounts to follow.", "Run trollscan scan first.")
    rows = takedown_summary(snapshots, verdicts, sent_at=sent)
    if as_json:
        out.print_json(json.dumps(rows, default=str))
        return
    if not snapshots:
        out.print(Text("No status checks of judged accounts yet. Ingest a later check (a sheet with a status and "
                       "the date it was checked, or a snapshots file) to follow takedowns."))
    earlier = sum(1 for s in snapshots if sent is not None and s["seen_at"] < sent)
    if earlier:
        out.print(Text(f"{earlier:,} status check(s) made before {sent:%Y-%m-%d %H:%M} UTC "
                       f"({'--sent-at' if sent_at else 'when the verdicts were computed'}) only say whether an account "
                       "was already down; give --sent-at YYYY-MM-DD, the day the list went to the platform, "
                       "if it was earlier."))
    t = Table(title="Takedowns of flagged accounts" + (f" since {sent:%Y-%m-%d}" if sent else ""), title_justify="left")
    for col in ("group", "label", "flagged", "checked", "removed", "share removed", "still up", "reinstated",
                "down before", "last seen up", "first seen gone", "last seen gone"):
        t.add_column(col, justify="left" if col in ("group", "label") else "right")
    when = lambda v: f"{v:%Y-%m-%d}" if v else ""  # noqa: E731
    for r in rows:
        t.add_row("all" if r["group_id"] == "all" else "none" if r["group_id"] is None else str(r["group_id"]),
                  r["label"], f"{r['flagged']:,}", f"{r['checked']:,}", f"{r['removed']:,}",
                  "" if r["share_removed"] is None else f"{r['share_removed']:.0%}", f"{r['still_up']:,}",
                  f"{r['reinstated']:,}", f"{r['gone_before']:,}",
                  when(r["last_seen_active"]), when(r["first_seen_gone"]), when(r["last_seen_gone"]))
    out.print(t)


def _print_status(st: dict, sources: bool) -> None:
    out.print(Text(f"Case {st['name']} ({st['root']}), time zone {st['timezone']}, "
                   f"schema {st['schema_version']}, created {st['created_at']} UTC"))
    if not st["tables"]:
        out.print("The case is empty. Load data with: trollscan ingest FILE...")
        return
    platforms = sorted(st["tables"])
    t = Table(title="Rows per table and platform", title_justify="left")
    t.add_column("table")
    for platform in platforms:
        t.add_column(platform, justify="right")
    for name in ("accounts", "items", "relations", "media", "access_log", "snapshots", "labels"):
        counts = [st["tables"][p].get(name, 0) for p in platforms]
        if any(counts):
            t.add_row(name, *[f"{n:,}" for n in counts])
    out.print(t)
    for platform, (lo, hi) in sorted(st["item_span"].items()):
        out.print(Text(f"{platform} items from {lo:%Y-%m-%d %H:%M} to {hi:%Y-%m-%d %H:%M} UTC"))
    if st["item_kinds"]:
        out.print(Text("Items by kind: " + ", ".join(f"{k} {n:,}" for k, n in st["item_kinds"].items())))
    if st["item_clients"]:
        out.print(Text("Items by app (top 10): " + ", ".join(
            f"{c['platform']}/{c['client']} {c['items']:,}" for c in st["item_clients"])))
    if st["labels"]:
        out.print(Text("Analyst labels: " + ", ".join(f"{k} {n:,}" for k, n in st["labels"].items())))
    out.print(Text(f"{len(st['sources'])} file(s) ingested."))
    if sources:
        s = Table(title="Sources", title_justify="left")
        for col in ("id", "path", "format", "ingested (UTC)", "rows added", "sha256"):
            s.add_column(col)
        for src in st["sources"]:
            s.add_row(str(src["source_id"]), Text(src["path"]), src["format"],
                      f"{src['ingested_at']:%Y-%m-%d %H:%M}", Text(src["rows_added"]), src["sha256"][:12])
        out.print(s)


@app.command("scan")
@_handled
def scan_command(
    case: CaseOption = None,
    layer: Annotated[Optional[list[str]], typer.Option("--layer", help="Only this co-action layer (repeatable).")] = None,
    window: Annotated[Optional[int], typer.Option("--window", help="Seconds within which actions count together "
                                                  "(default: each layer's own).")] = None,
    min_targets: Annotated[int, typer.Option(help="Distinct targets a pair must share.")] = 2,
    fdr: Annotated[float, typer.Option(help="Share of kept edges the null model may explain.")] = 0.01,
    seed: Annotated[int, typer.Option(help="Seed of the null model.")] = 1,
    max_target_actions: Annotated[int, typer.Option(help="Targets with more actions (viral posts) are left out "
                                                    "of the pairing.")] = 5000,
    max_target_pairs: Annotated[int, typer.Option(help="Targets whose actions make more pairs within the window "
                                                  "(bursts on viral posts) are left out too.")] = 1_000_000,
    max_target_accounts: Annotated[int, typer.Option(help="In the same_text layer (at any time), texts more accounts "
                                                     "wrote (slogans, everyday phrases) are left out too.")] = 200,
    coortweet: Annotated[bool, typer.Option("--coortweet", help="CooRTweet 2.1.3's co-share network instead "
                                            "(docs/coortweet.md); --window is its time_window, default 10.")] = False,
    min_participation: Annotated[int, typer.Option(help="CooRTweet's min_participation (with --coortweet).")] = 2,
    edge_weight: Annotated[float, typer.Option(help="CooRTweet's edge_weight quantile (with --coortweet).")] = 0.5,
    engine: Annotated[str, typer.Option(help="duckdb, or spark: the co-action layers as relational queries on a "
                                        "local Spark (pip install 'trollscan[spark]'; the same edges).")] = "duckdb",
    spark_master: Annotated[Optional[str], typer.Option(help="With --engine spark: the cluster to run on "
                                                        "(spark://HOST:7077, yarn, k8s://...); default local.")] = None,
    semantic_model: Annotated[str, typer.Option(help="Talking points said in other words: off, auto (navec when "
                                                "installed), navec, or a navec .tar / word2vec .vec(.gz) file "
                                                "(docs/text.md).")] = "off",
    parquet: Annotated[Optional[str], typer.Option(help="Scan the canonical tables kept as Parquet in this folder "
                                                    "(local, hdfs://, s3a://) instead of a case (docs/spark.md).")] = None,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="With --parquet: where edges.parquet and "
                                                    "links.parquet go.")] = None,
) -> None:
    """Find accounts that act together, and store the edges and evidence in the case."""
    if semantic_model != "off" and (parquet is not None or coortweet):
        raise BadParameter("--semantic-model goes with a full scan of a case, not with --parquet or --coortweet.")
    if parquet is not None:
        from .scan.parquet import scan_parquet

        if out_dir is None:
            raise BadParameter("--parquet needs --out DIR: where to write edges.parquet and links.parquet.")
        summaries = scan_parquet(parquet, out_dir, engine=engine, master=spark_master, layers=layer, window_s=window,
                                 min_targets=min_targets, fdr=fdr, seed=seed, max_target_actions=max_target_actions,
                                 max_target_pairs=max_target_pairs, max_target_accounts=max_target_accounts)
        _print_scan(summaries)
        out.print(Text(f"Wrote {out_dir / 'edges.parquet'} and {out_dir / 'links.parquet'}."))
        return
    if spark_master is not None and engine != "spark":
        raise BadParameter("--spark-master goes with --engine spark.")
    with open_case(case) as c:
        if coortweet:
            summaries = [scan_coortweet(c, window_s=10 if window is None else window,
                                        min_participation=min_participation, edge_weight=edge_weight)]
        else:
            summaries = scan(c, layers=layer, window_s=window, min_targets=min_targets, fdr=fdr, seed=seed,
                             max_target_actions=max_target_actions, max_target_pairs=max_target_pairs,
                             max_target_accounts=max_target_accounts, engine=engine, spark_master=spark_master,
                             semantic_model=semantic_model,
                             progress=lambda name: err.print(Text(f"scanning {name}..."), end="\r")
                             if err.is_terminal else None)
    _print_scan(summaries)


def _print_scan(summaries) -> None:
    t = Table(title="Co-action layers", title_justify="left")
    for col in ("layer", "window", "actions", "candidate pairs", "score threshold", "edges kept", "seconds"):
        t.add_column(col, justify="left" if col == "layer" else "right")
    for s in summaries:
        t.add_row(s.layer, "any time" if s.window_s is None else f"{s.window_s} s", f"{s.actions:,}",
                  f"{s.candidates:,}", "none kept" if s.threshold == float("inf") else f"{s.threshold:.2f}",
                  f"{s.edges:,}", f"{s.seconds:.1f}")
    out.print(t)
    for s in summaries:
        if s.crowded:
            out.print(Text(f"{s.layer}: {s.crowded:,} targets with more than --max-target-actions actions, or "
                           "--max-target-pairs pairs within the window, were left out (too crowded to link the "
                           "accounts on them)" + (f"; {s.many_accounts:,} of them because more than "
                                                  "--max-target-accounts accounts acted on each (slogans, everyday "
                                                  "phrases)." if s.many_accounts else ".")))
    for s in summaries:
        for sentence in s.top:
            out.print(Text(f"- {sentence}"))


export_app = typer.Typer(help="Write what the case found to files for other tools. Without a subcommand: the "
                         "judged accounts, the list a reporter sends to a platform.", invoke_without_command=True)
app.add_typer(export_app, name="export")


@export_app.callback()
@_handled
def export_accounts(
    ctx: typer.Context,
    out_file: Annotated[Optional[Path], typer.Option("--out", help="File to write the judged accounts to.")] = None,
    file_format: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    case: CaseOption = None,
    include_unlikely: Annotated[bool, typer.Option("--all", help="Also list accounts judged unlikely.")] = False,
) -> None:
    """Accounts judged fake or doubtful: platform, account_id, handle, profile_url, label, score, group,
    reasons (joined with "; " in CSV)."""
    if ctx.invoked_subcommand is not None:
        return
    if out_file is None:
        out.print(ctx.get_help())
        raise typer.Exit(0)
    from .report.platform_export import export_rows, write_accounts
    from .store.verdicts import read_account_rows

    if file_format not in ("csv", "json"):
        raise BadParameter(f"Unknown export format {file_format!r}.", "Use --format csv or --format json.")
    with open_case(case) as c:
        accounts = read_account_rows(c)
    if not accounts:
        raise BadParameter("The case has no verdicts to export.", "Run trollscan scan first.")
    labels = ("fake", "doubtful", "unlikely") if include_unlikely else ("fake", "doubtful")
    n = write_accounts(export_rows(accounts, labels=labels), out_file, file_format)
    out.print(Text(f"Wrote {n:,} accounts ({', '.join(labels)}) to {out_file}."))


@export_app.command("edges")
@_handled
def export_edges(
    out_file: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    case: CaseOption = None,
    layer: Annotated[Optional[str], typer.Option("--layer", help="Only this layer.")] = None,
) -> None:
    """One row per account pair and layer: account_a, account_b, layer, weight, n_items, first_at, last_at."""
    with open_case(case) as c:
        n = write_edges_csv(c, out_file, layer=layer)
    out.print(Text(f"Wrote {n:,} edges to {out_file}."))


@export_app.command("gexf")
@_handled
def export_gexf(
    out_file: Annotated[Path, typer.Option("--out", help="GEXF file to write (Gephi).")] = Path("trollscan.gexf"),
    case: CaseOption = None,
) -> None:
    """The account graph as GEXF 1.3 for Gephi: node and edge attributes, activity time spans."""
    from .report.exports import write_gexf

    with open_case(case) as c:
        nodes, edges = write_gexf(c, out_file)
    out.print(Text(f"Wrote {nodes:,} accounts and {edges:,} edges to {out_file}."))


@export_app.command("graphml")
@_handled
def export_graphml(
    out_file: Annotated[Path, typer.Option("--out", help="GraphML file to write.")] = Path("trollscan.graphml"),
    case: CaseOption = None,
) -> None:
    """The account graph as GraphML (Gephi, igraph, networkx, R), with node and edge attributes."""
    from .report.exports import write_graphml

    with open_case(case) as c:
        nodes, edges = write_graphml(c, out_file)
    out.print(Text(f"Wrote {nodes:,} accounts and {edges:,} edges to {out_file}."))


@export_app.command("ftm")
@_handled
def export_ftm(
    out_file: Annotated[Path, typer.Option("--out", help="FollowTheMoney entities, JSON lines.")] = Path(
        "trollscan.ftm.json"),
    case: CaseOption = None,
) -> None:
    """Flagged and labelled accounts, their groups and links as FollowTheMoney entities (Aleph)."""
    from .report.exports import write_ftm

    with open_case(case) as c:
        n = write_ftm(c, out_file)
    out.print(Text(f"Wrote {n:,} FollowTheMoney entities to {out_file}."))


@app.command("report")
@_handled
def report_command(
    out_file: Annotated[Path, typer.Option("--out", help="HTML file to write.")] = Path("report.html"),
    case: CaseOption = None,
    max_cards: Annotated[int, typer.Option(help="Flagged accounts shown in detail (the strongest).")] = 300,
    thumbnails: Annotated[bool, typer.Option("--thumbnails/--no-thumbnails",
                                             help="Inline small copies of the photos.")] = True,
    spread: Annotated[Optional[list[str]], typer.Option(
        "--spread", metavar="TERM", help="A story to show how it spread (a term as in trollscan spread; repeat for "
        "more). Default: the story trollscan spread traced last.")] = None,
    no_spread: Annotated[bool, typer.Option("--no-spread", help="Leave the story section out.")] = False,
) -> None:
    """Write one self-contained HTML report (works offline, can be mailed)."""
    from .report.html import write_report

    with open_case(case) as c:
        summary = write_report(c, out_file, max_cards=max_cards, thumbnails=thumbnails, spread=spread,
                               spread_section=not no_spread)
    out.print(Text(f"Wrote {out_file} ({summary.bytes / 2**20:,.1f} MB: {summary.groups:,} groups, "
                   f"{summary.cards:,} account cards, {summary.accounts:,} flagged accounts) in "
                   f"{summary.seconds:,.1f} s."))


@app.command("serve")
@_handled
def serve_command(
    case: CaseOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on; anything but localhost needs --token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    token: Annotated[Optional[str], typer.Option(help="Secret every request must carry (16+ characters).",
                                                 envvar="TROLLSCAN_TOKEN")] = None,
) -> None:
    """Open the case in a local web app: search accounts, read groups and evidence, set labels."""
    from .web import serve

    serve(case, host=host, port=port, token=token, announce=lambda line: out.print(Text(line)))


@app.command()
@_handled
def simulate(
    out_dir: Annotated[Path, typer.Argument(help="Empty or new folder for the simulated case's files.")],
    preset: Annotated[str, typer.Option(help="nurbots, kloop-election, evasive or spread.")] = "nurbots",
    seed: Annotated[int, typer.Option(help="Seed: the same seed writes the same bytes.")] = 1,
    scale: Annotated[float, typer.Option(help="1 is about 10,000 accounts; 10 is 100,000.")] = 1.0,
    images: Annotated[Optional[bool], typer.Option("--images/--no-images",
                                                   help="Draw photo files (default: up to scale 10).")] = None,
    file_format: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
) -> None:
    """Write a simulated case with known truth: input files, photos, truth.csv."""
    from .simulate import simulate as run_simulation

    summary = run_simulation(out_dir, preset=preset, seed=seed, scale=scale, images=images, fmt=file_format)
    out.print(Text(f"Wrote {summary.accounts:,} accounts ({summary.fake_accounts:,} fake, {summary.operators:,} "
                   f"operators in {len(summary.farms)} farms: {', '.join(summary.farms)}), {summary.images:,} photos, "
                   f"{summary.total_bytes / 2**20:,.0f} MB to {out_dir}."))
    out.print(Text(f"Load it: trollscan init CASE && trollscan ingest {out_dir / 'input'} --case CASE"))


@app.command("evidence")
@_handled
def evidence_command(
    accounts: Annotated[list[str], typer.Argument(help="One account id, or two for what links them.")],
    case: CaseOption = None,
    platform: Annotated[Optional[str], typer.Option(help="Only this platform.")] = None,
) -> None:
    """The findings about an account, or about a pair, with the items that show them."""
    with open_case(case) as c:
        found = read_evidence(c, accounts, platform=platform)
    if not found:
        out.print(Text(f"No finding names {' and '.join(accounts)}. Run trollscan scan first, or check the ids."))
        return
    for f in found:
        out.print(Text.assemble((f"{f['detector']} ", "bold"), f"({f['platform']}, strength {f['strength']:.2f}): ",
                                f["sentence"]))
        t = Table(show_header=True, box=None, pad_edge=False)
        for col in ("time (UTC)", "author", "kind", "item", "where", "text"):
            t.add_column(col, overflow="fold")
        for item in f["items"]:
            when = f"{item['created_at']:%Y-%m-%d %H:%M:%S}" if item["created_at"] else ""
            who = f"@{item['handle']}" if item["handle"] else item["account_id"]
            t.add_row(when, Text(who), item["kind"], Text(item["item_id"]), Text(item["target"] or ""),
                      Text((item["text"] or "")[:120]))
        out.print(t)
        out.print()


@app.command("spread")
@_handled
def spread_command(
    query: Annotated[list[str], typer.Argument(help="The story: a link, a #hashtag, a phrase (word* for any ending) "
                                               "or item:ID; several terms are matched with OR.")],
    case: CaseOption = None,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Write the full result (cascade, ranked "
                                                     "first_posters, groups...) as JSON.")] = None,
    min_group_size: Annotated[int, typer.Option(help="Smallest spreader group shown.")] = 3,
    max_target_accounts: Annotated[int, typer.Option(help="Things shared by more spreaders than this do not link "
                                                     "them (too popular).")] = 500,
    near: Annotated[bool, typer.Option("--near/--no-near", help="Also near-duplicates of the phrases (3+ words) and "
                                       "of the texts that match.")] = True,
    min_similarity: Annotated[float, typer.Option(help="Near-duplicates: the least similarity, 0-1.")] = 0.8,
    translate: Annotated[bool, typer.Option("--translate/--no-translate", help="Also translations, when a translator "
                                            "(Apertium) is installed.")] = True,
) -> None:
    """How a story spread: cascade, first posters, key amplifiers, chronology and spreader groups."""
    from .spread import find_translator, trace_story
    from .spread.render import render_story

    translator = find_translator() if translate else None
    with open_case(case) as c:
        result = trace_story(c, query, min_group_size=min_group_size, max_target_accounts=max_target_accounts,
                             near=near, min_similarity=min_similarity, translator=translator)
    for part in render_story(result):
        out.print(part)
    if json_out is not None:
        tmp = json_out.with_name(json_out.name + ".part")
        tmp.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
        tmp.replace(json_out)
        out.print(Text(f"Wrote the full result to {json_out}."))


watch_app = typer.Typer(help="The pages and accounts the reporter watches (target concentration, page KPIs).",
                        no_args_is_help=True)
app.add_typer(watch_app, name="watch")


@watch_app.command("add")
@_handled
def watch_add(
    target: Annotated[str, typer.Argument(help="A profile or page URL, or an id or handle.")],
    case: CaseOption = None,
    note: Annotated[Optional[str], typer.Option(help="Why it is watched, e.g. 'the party's official page'.")] = None,
    platform: Annotated[Optional[str], typer.Option(help="Platform of an id or handle (a URL says it itself).")] = None,
) -> None:
    """Add a page or account to the watch list; the next scan measures who comments only there."""
    from .ingest.profile_url import PROFILE_URL_EXAMPLES, parse_profile_url
    from .store.verdicts import add_watch

    looks_like_url = "/" in target or target.lower().startswith(("http:", "https:", "www."))
    if looks_like_url:
        profile = parse_profile_url(target)
        if profile is None:
            raise BadParameter(f"{target!r} is not a profile or page URL trollscan knows.",
                               f"Give the page's id with --platform, or a URL like: {PROFILE_URL_EXAMPLES}.")
        if platform is not None and platform != profile.platform:
            raise BadParameter(f"{target!r} is a {profile.platform} URL, but --platform says {platform}.")
        target, platform = profile.account_id, profile.platform
    with open_case(case) as c:
        row = add_watch(c, target, platform=platform, note=note)
    where = f" on {row['platform']}" if row["platform"] else " on any platform"
    out.print(Text(f"{'Watching' if row['added'] else 'Already watching'} {row['target']}{where}."))


@watch_app.command("list")
@_handled
def watch_list(case: CaseOption = None) -> None:
    """The watch list, with the accounts of the case each entry names."""
    from .store.verdicts import read_watchlist

    with open_case(case) as c:
        rows = read_watchlist(c)
    if not rows:
        out.print("The watch list is empty. Add a page with: trollscan watch add URL")
        return
    t = Table(title="Watch list", title_justify="left")
    for col in ("platform", "target", "name in the case", "note", "added (UTC)"):
        t.add_column(col)
    for r in rows:
        t.add_row(r["platform"] or "any", Text(r["target"]), Text(r["name"] or ("not in the case" if not r["accounts"]
                                                                                else "")),
                  Text(r["note"] or ""), f"{r['added_at']:%Y-%m-%d %H:%M}")
    out.print(t)


@app.command("groups")
@_handled
def groups_command(
    case: CaseOption = None,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Also write the profiles as JSON.")] = None,
    limit: Annotated[int, typer.Option(help="Groups shown (the largest).")] = 20,
) -> None:
    """Profiles of the operator groups: members and labels, creation, working hours, targets,
    allegiance, shared infrastructure, estimated cost; and the watched pages' share of flagged comments."""
    from .report.named import named_lines
    from .report.profiles import profile_case
    from .store.verdicts import read_profile_inputs

    with open_case(case) as c:
        result = profile_case(read_profile_inputs(c))
    if not result["groups"]:
        out.print("No operator groups in the case yet. Run trollscan scan first.")
    for g in sorted(result["groups"], key=lambda g: (-g["size"], g["group_id"]))[:limit]:
        labels = ", ".join(f"{n} {k}" for k, n in sorted(g["labels"].items()))
        out.print(Text.assemble((f"Group {g['group_id']} ", "bold"), f"({g['platform']}): {g['size']} accounts ({labels})"))
        lines = [g.get("created", {}).get("sentence"), g.get("schedule", {}).get("sentence"),
                 g.get("allegiance", {}).get("sentence"), g.get("tone", {}).get("sentence"),
                 g.get("infrastructure", {}).get("sentence")]
        if g.get("targets"):
            lines.append("Acts most on: " + ", ".join(f"{t['name']} ({t['share']:.0%})" for t in g["targets"][:4]) + ".")
        for side, key, head in (("praise", "praises", "Praises most"), ("attack", "attacks", "Attacks most")):
            if g.get("tone", {}).get(key):
                lines.append(f"{head}: " + ", ".join(f"{t['name']} ({t[side]:,} of {t['comments']:,} comments, e.g. "
                                                     f"item {t['examples'][0]})" for t in g["tone"][key][:3]) + ".")
        lines += named_lines(g.get("named"))  # people and organisations praised or attacked in the text
        for cost in g.get("cost", []):
            lines.append(f"Cost, {cost['model']}: {cost['range']} ({cost['assumes']})")
        for line in filter(None, lines):
            out.print(Text(f"  {line}"))
    if result["pages"]:
        t = Table(title="Watched pages: comments from flagged accounts", title_justify="left")
        for col in ("page", "comments", "from flagged", "share"):
            t.add_column(col, justify="left" if col == "page" else "right")
        for p in result["pages"]:
            t.add_row(Text(p["name"]), f"{p['comments']:,}", f"{p['from_flagged']:,}",
                      "" if p["share"] is None else f"{p['share']:.0%}")
        out.print(t)
    if json_out is not None:
        tmp = json_out.with_name(json_out.name + ".part")
        tmp.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
        tmp.replace(json_out)


@app.command("eval")
@_handled
def eval_command(
    case: CaseOption = None,
    truth: Annotated[Optional[Path], typer.Option(help="truth.csv of a simulated case (default: the analyst "
                                                  "labels in the case).")] = None,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Also write the figures as JSON.")] = None,
) -> None:
    """Score the case's findings against a truth file or the analyst's labels."""
    with open_case(case) as c:
        if truth is not None:
            rows = read_truth_file(truth)
        else:
            rows = read_labels_as_truth(c)
            if not rows:
                raise BadParameter("The case has no analyst labels to compare with.",
                                   "Pass --truth FILE, or ingest a reporter's sheet with labels.")
        members = read_query(c, "SELECT group_id, platform, account_id FROM group_members").to_pylist()
        seconds = c.con.execute("SELECT coalesce(sum(seconds), 0) FROM runs").fetchall()[0][0]
        from .store.verdicts import read_verdict_weights, read_verdicts

        judged = read_verdicts(c)
        weights = read_verdict_weights(c)
        figures = evaluate(rows, read_findings(c, context=CONTEXT_DETECTORS), members, verdicts=judged or None)
    figures["scan_seconds"] = seconds
    if judged:
        figures["verdict_weights"] = weights.get("weights", "default")
        if weights.get("cv_accuracy") is not None:
            figures["learned_from_labels"] = weights["labels"]
            figures["cv_accuracy"] = weights["cv_accuracy"]
    t = Table(title="Findings against " + (str(truth) if truth else "the analyst's labels"), title_justify="left")
    t.add_column("measure")
    t.add_column("value", justify="right")
    for name, value in figures.items():
        t.add_row(name, "n/a" if value is None else f"{value:,.3f}" if isinstance(value, float) else
                  value if isinstance(value, str) else f"{value:,}")
    out.print(t)
    if json_out is not None:
        json_out.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


@app.command()
@_handled
def formats() -> None:
    """List the input formats trollscan reads, in the order auto-detection tries them."""
    t = Table(title="Formats", title_justify="left")
    t.add_column("--format")
    t.add_column("what")
    t.add_column("records counted in")
    for a in ADAPTERS:
        t.add_row(a.name, a.title, a.unit)
    out.print(t)


@app.command()
@_handled
def demo(
    folder: Annotated[Path, typer.Argument(help="Where to create the demo case.")] = Path("demo-case"),
) -> None:
    """Simulate a small case (nurbots preset, seed 1), load it, scan it, check the findings
    against the simulation's truth, and write the report (DIR/report.html)."""
    from .simulate import simulate as run_simulation

    simulated = folder / "simulated"
    if not (folder / DB_NAME).exists():
        if not simulated.exists():
            out.print(Text(f"Simulating a Kazakh 'nurbots' case of 3,000 accounts into {simulated}/ ..."))
            run_simulation(simulated, preset="nurbots", seed=1, scale=0.3)
        init_case(folder, name="trollscan demo (simulated nurbots)", tz="Asia/Almaty").close()
    with open_case(folder) as c:
        out.print(Text(f"Loading {simulated / 'input'} into the case in {folder}/ (trollscan ingest) ..."))
        _print_summary(_ingest_with_progress(c, [simulated / "input"]))
        _print_status(read_status(c), sources=False)
        out.print(Text("\nScanning for accounts that act together (trollscan scan) ..."))
        _print_scan(scan(c))
        members = read_query(c, "SELECT group_id, platform, account_id FROM group_members")
        from .report.html import write_report

        report = write_report(c, folder / "report.html")
    _print_truth_check(simulated / "truth.csv", members)
    out.print(Text(f"\nReport: {folder / 'report.html'} ({report.bytes / 2**20:,.1f} MB, works offline; "
                   f"{report.groups:,} groups, {report.accounts:,} flagged accounts)."))
    out.print(Text(f"Browse and label: trollscan serve --case {folder}"))
    out.print(Text(f"Edges: trollscan export edges --case {folder} --out edges.csv"))


def _print_truth_check(truth_file: Path, members) -> None:
    """How the groups found compare with the simulation's truth (this is a simulated case)."""
    score = score_groups(read_truth_file(truth_file), members.to_pylist())
    out.print(Text(
        f"\nAgainst the simulation's truth: {score['in_groups']:,} accounts are in groups, "
        f"{score['fake_in_groups']:,} of them fake ({score['precision']:.0%}); the groups hold "
        f"{score['recall']:.0%} of the {score['fakes']:,} fakes; adjusted Rand index of the groups "
        f"against farms {score['ari_farm']:.2f}, against operators {score['ari_operator']:.2f}."))


gallery_app = typer.Typer(help="Reference photos of the people whose pictures farms steal.", no_args_is_help=True)
app.add_typer(gallery_app, name="gallery")
photos_app = typer.Typer(help="Find stolen photos.", no_args_is_help=True)
app.add_typer(photos_app, name="photos")
__all__ += ["gallery_add", "photos_match", "photos_scan"]


@gallery_app.command("add")
@_handled
def gallery_add(
    folder: Annotated[Path, typer.Argument(help="Folder of reference photos (searched recursively).")],
    label: Annotated[str, typer.Option(help='Whose photos they are, e.g. "real owner: Saule K." or "stock site".')],
    case: CaseOption = None,
) -> None:
    """Hash a folder of reference photos into the case; scans then report accounts using them."""
    from .scan.photos import add_gallery

    with open_case(case) as c:
        added, seen, skipped = add_gallery(c, folder, label)
    out.print(Text(f"Added {added:,} photos labelled {label!r} from {seen:,} image files in {folder}."))
    for reason, n in sorted(skipped.items()):
        out.print(Text(f"Skipped {n:,}: {reason}"))


@photos_app.command("match")
@_handled
def photos_match(
    query_dir: Annotated[Path, typer.Argument(help="Folder of photos to check (say, the avatars of suspect accounts).")],
    gallery: Annotated[Path, typer.Option("--gallery", help="Folder of reference photos.")],
    out_file: Annotated[Path, typer.Option("--out", help="CSV file to write: one row per query image.")],
    max_pdq_distance: Annotated[int, typer.Option(help="PDQ bits (of 256) that may differ in a match.")] = 31,
    min_correlation: Annotated[float, typer.Option(help="Tile agreement (0-1) that makes an aligned pair a match "
                                                   "even when PDQ differs more (captions, stickers).")] = 0.92,
) -> None:
    """Match each photo of a folder against a gallery folder; no case needed."""
    import csv

    from .scan.photos import match_folders

    rows, gallery_skipped = match_folders(query_dir, gallery, max_pdq_distance=max_pdq_distance,
                                          min_correlation=min_correlation)
    for reason, n in sorted(gallery_skipped.items()):
        out.print(Text(f"Gallery: skipped {n:,}: {reason}"))
    tmp = out_file.with_name(out_file.name + ".part")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["query", "match", "distance", "transformation", "method", "decision"])
        w.writeheader()
        w.writerows(rows)
    tmp.replace(out_file)
    matched = sum(r["decision"] == "match" for r in rows)
    skipped = sum(r["decision"].startswith("skipped") for r in rows)
    out.print(Text(f"{matched:,} of {len(rows):,} query images match a gallery photo ({skipped:,} skipped as "
                   f"broken or not images). Wrote {out_file}."))


@photos_app.command("scan")
@_handled
def photos_scan(case: CaseOption = None) -> None:
    """Hash the case's new photo files and find photos shared by accounts or taken from the gallery."""
    from .scan.photos import scan_photos
    from .store.results import input_fingerprint

    with open_case(case) as c:
        s = scan_photos(c, input_fingerprint(c))
    out.print(Text(f"Photos: {s.hashed:,} files hashed now, {s.actions:,} compared, {s.candidates:,} pairs of "
                   f"images show one photo; {s.edges:,} account pairs share a photo, {s.gallery:,} photos match the "
                   f"gallery ({s.seconds:.1f} s; {s.verified:,} image pairs checked now, the others decided by "
                   "earlier scans)."))
    for reason, n in sorted(s.skipped.items()):
        out.print(Text(f"Skipped {n:,} files: {reason}"))
    if s.missing:
        out.print(Text(f"{s.missing:,} media files were not found (or changed since ingest)."))
    if s.low_quality:
        out.print(Text(f"{s.low_quality:,} images have low-quality hashes (flat or blank) and were only "
                       "compared byte for byte."))
    for sentence in s.top:
        out.print(Text(f"- {sentence}"))


entities_app = typer.Typer(help="The people, companies and addresses behind the accounts, as the reporter records "
                           "them (exported as FollowTheMoney entities).", no_args_is_help=True)
app.add_typer(entities_app, name="entities")
__all__ += ["entities_add", "entities_list"]


@entities_app.command("add")
@_handled
def entities_add(
    files: Annotated[list[Path], typer.Argument(help="Entities and links sheets (CSV or XLSX); see docs/exports.md.")],
    case: CaseOption = None,
) -> None:
    """Load sheets of entities (id, type, name...) and of links (from, relation, to...) into the case."""
    from .ingest.entities_sheet import add_entities_sheets

    with open_case(case) as c:
        done = add_entities_sheets(c, files)
    for r in done:
        if r["already"]:
            out.print(Text(f"{r['path']}: already loaded; nothing added."))
            continue
        out.print(Text(f"{r['path']}: {r['entities']:,} entities ({r['replaced']:,} replaced) and {r['links']:,} "
                       "links."))
        if r["accounts_not_in_case"]:
            out.print(Text(f"  {r['accounts_not_in_case']:,} linked accounts are not in the case yet; they are kept "
                           "as named."))


@entities_app.command("list")
@_handled
def entities_list(case: CaseOption = None) -> None:
    """The recorded entities and their links."""
    from .store.entities import read_entities, read_entity_links

    with open_case(case) as c:
        entities, links = read_entities(c), read_entity_links(c)
    if not entities and not links:
        out.print("No entities recorded. Add a sheet with: trollscan entities add entities.csv")
        return
    for e in entities:
        out.print(Text(f"{e['key']}: {e['schema']} {e['name']}" + (f" ({e['note']})" if e["note"] else "")))
    for x in links:
        out.print(Text(f"{x['subject']} --{x['schema']}{': ' + x['role'] if x['role'] else ''}--> {x['object']}"))


def main() -> None:  # pragma: no cover - the console script calls app()
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
