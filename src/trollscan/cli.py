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
           "simulate", "eval_command", "evidence_command"]

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
) -> None:
    """Show what the case holds: per platform and table, time ranges, labels, sources."""
    with open_case(case) as c:
        st = read_status(c)
    if as_json:
        out.print_json(json.dumps(st, default=str))
        return
    _print_status(st, sources)


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
    coortweet: Annotated[bool, typer.Option("--coortweet", help="CooRTweet 2.1.3's co-share network instead "
                                            "(docs/coortweet.md); --window is its time_window, default 10.")] = False,
    min_participation: Annotated[int, typer.Option(help="CooRTweet's min_participation (with --coortweet).")] = 2,
    edge_weight: Annotated[float, typer.Option(help="CooRTweet's edge_weight quantile (with --coortweet).")] = 0.5,
    engine: Annotated[str, typer.Option(help="duckdb, or spark: the co-action layers as relational queries on a "
                                        "local Spark (pip install 'trollscan[spark]'; the same edges).")] = "duckdb",
    spark_master: Annotated[Optional[str], typer.Option(help="With --engine spark: the cluster to run on "
                                                        "(spark://HOST:7077, yarn, k8s://...); default local.")] = None,
    parquet: Annotated[Optional[str], typer.Option(help="Scan the canonical tables kept as Parquet in this folder "
                                                    "(local, hdfs://, s3a://) instead of a case (docs/spark.md).")] = None,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="With --parquet: where edges.parquet and "
                                                    "links.parquet go.")] = None,
) -> None:
    """Find accounts that act together, and store the edges and evidence in the case."""
    if parquet is not None:
        from .scan.parquet import scan_parquet

        if out_dir is None:
            raise BadParameter("--parquet needs --out DIR: where to write edges.parquet and links.parquet.")
        summaries = scan_parquet(parquet, out_dir, engine=engine, master=spark_master, layers=layer, window_s=window,
                                 min_targets=min_targets, fdr=fdr, seed=seed, max_target_actions=max_target_actions)
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
                             max_target_actions=max_target_actions, engine=engine, spark_master=spark_master,
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
            out.print(Text(f"{s.layer}: {s.crowded:,} targets with more than --max-target-actions actions were "
                           "left out (too popular to link the accounts on them)."))
    for s in summaries:
        for sentence in s.top:
            out.print(Text(f"- {sentence}"))


export_app = typer.Typer(help="Write what the case found to files for other tools.", no_args_is_help=True)
app.add_typer(export_app, name="export")


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
        figures = evaluate(rows, read_findings(c, context=CONTEXT_DETECTORS), members)
    figures["scan_seconds"] = seconds
    t = Table(title="Findings against " + (str(truth) if truth else "the analyst's labels"), title_justify="left")
    t.add_column("measure")
    t.add_column("value", justify="right")
    for name, value in figures.items():
        t.add_row(name, "n/a" if value is None else f"{value:,.3f}" if isinstance(value, float) else f"{value:,}")
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
    """Simulate a small case (nurbots preset, seed 1), load it, scan it, and check the findings
    against the simulation's truth."""
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
    _print_truth_check(simulated / "truth.csv", members)
    out.print(Text(f"\nEdges: trollscan export edges --case {folder} --out edges.csv"))


def _print_truth_check(truth_file: Path, members) -> None:
    """How the groups found compare with the simulation's truth (this is a simulated case)."""
    score = score_groups(read_truth_file(truth_file), members.to_pylist())
    out.print(Text(
        f"\nAgainst the simulation's truth: {score['in_groups']:,} accounts are in groups, "
        f"{score['fake_in_groups']:,} of them fake ({score['precision']:.0%}); the groups hold "
        f"{score['recall']:.0%} of the {score['fakes']:,} fakes; adjusted Rand index of the groups "
        f"against farms {score['ari_farm']:.2f}, against operators {score['ari_operator']:.2f}."))


def main() -> None:  # pragma: no cover - the console script calls app()
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
