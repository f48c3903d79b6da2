"""The report and the web app on the demo case and on a 100k-account simulated case.

Measures, per case: the report's size and the time to generate it; the time to first render
(first contentful paint, and the network picture drawn) of the report and of the app's page of
the largest group in headless chromium. Each figure is repeated; min and median are printed.

    python bench/report.py --demo demo-case --large case100k [--repeat 3]

A missing case folder is built first (the demo with `trollscan demo`, the large one with
`trollscan simulate --scale 10`, ingest and scan), which takes long: build them once and reuse.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from trollscan.web import serving

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _build(root: Path, large: bool) -> None:
    if (root / "case.duckdb").exists():
        return
    if not large:
        subprocess.run(["trollscan", "demo", str(root)], check=True)
        return
    sim = root.with_name(root.name + "-simulated")
    if not sim.exists():
        subprocess.run(["trollscan", "simulate", str(sim), "--preset", "nurbots", "--scale", "10"], check=True)
    subprocess.run(["trollscan", "init", str(root), "--timezone", "Asia/Almaty"], check=True)
    subprocess.run(["trollscan", "ingest", str(sim / "input"), "--case", str(root)], check=True)
    subprocess.run(["trollscan", "scan", "--case", str(root)], check=True)


def _stats(values: list[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f}" if values else "n/a"


# The first contentful paint, waited for (buffered) when the entry is not there yet; null if none.
_FCP = """() => new Promise(done => {
  const seen = performance.getEntriesByName('first-contentful-paint')[0];
  if (seen) { done(seen.startTime); return; }
  new PerformanceObserver(list => {
    const e = list.getEntries().find(x => x.name === 'first-contentful-paint');
    if (e) done(e.startTime);
  }).observe({type: 'paint', buffered: true});
  setTimeout(() => done(null), 5000);
})"""


def _render_times(browser, url: str, repeat: int) -> tuple[list[float], list[float]]:
    """First contentful paint and the time until the network canvas is drawn, in seconds."""
    fcp, drawn = [], []
    for _ in range(repeat):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        started = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=600_000)
        page.wait_for_selector("canvas#network[data-drawn]", state="attached", timeout=600_000)
        drawn.append(time.perf_counter() - started)
        paint = page.evaluate(_FCP)
        if paint is not None:  # chromium gives no entry when nothing contentful was painted in time
            fcp.append(paint / 1000)
        page.close()
    return fcp, drawn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=Path, default=Path("demo-case"))
    parser.add_argument("--large", type=Path, default=Path("case100k"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-large", action="store_true")
    opts = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from trollscan.report.html import write_report
    from trollscan.store import open_case
    from trollscan.store.report_data import read_groups

    rows = []
    cases = [("demo", opts.demo, False)] + ([] if opts.skip_large else [("100k", opts.large, True)])
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for label, root, large in cases:
            _build(root, large)
            out = Path(tmp) / f"{label}.html"
            seconds = []
            with open_case(root) as c:
                accounts = c.con.execute("SELECT count(*) FROM accounts").fetchall()[0][0]
                group = read_groups(c, limit=1)[0]
                for _ in range(opts.repeat):
                    summary = write_report(c, out)
                    seconds.append(summary.seconds)
            fcp, drawn = _render_times(browser, out.as_uri(), opts.repeat)
            with serving(root) as base:
                app_fcp, app_drawn = _render_times(browser, f"{base}/group/{group['group_id']}", opts.repeat)
            rows.append((label, accounts, summary.bytes, summary.cards, group["size"], seconds, fcp, drawn,
                         app_fcp, app_drawn))
        browser.close()
    print(f"repeats: {opts.repeat}; times in seconds as min / median; chromium headless, {sys.platform}")
    head = ("case", "accounts", "report MB", "cards", "generate s", "report FCP s", "report drawn s",
            "largest group", "app group FCP s", "app group drawn s")
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    for label, accounts, size, cards, gsize, seconds, fcp, drawn, app_fcp, app_drawn in rows:
        print(" | ".join([label, f"{accounts:,}", f"{size / 2**20:.1f}", f"{cards:,}", _stats(seconds), _stats(fcp),
                          _stats(drawn), f"{gsize:,} accounts", _stats(app_fcp), _stats(app_drawn)]))


if __name__ == "__main__":
    main()
