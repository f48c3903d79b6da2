"""The web app's group page on a large case: the time of a request, first and repeated, for the
largest and a small group; and the parts of it (one group's profile vs the whole case's).

    python bench/group_page.py --case case100k [--repeat 3]

Run it once with this checkout and once with an older one on PYTHONPATH to compare (the first
line says which trollscan was imported). Requests go through FastAPI's TestClient in-process, so
the figures are the server's work without a browser.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from pathlib import Path

import trollscan
from trollscan.store import open_case
from trollscan.web import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def _stats(values: list[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f}"


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    opts = parser.parse_args()
    print(f"trollscan from {Path(trollscan.__file__).parent}")
    with open_case(opts.case) as c:
        n_accounts = c.con.execute("SELECT count(*) FROM accounts").fetchall()[0][0]
        n_items = c.con.execute("SELECT count(*) FROM items").fetchall()[0][0]
        groups = c.con.execute("SELECT group_id, size FROM groups ORDER BY size DESC, group_id").fetchall()
    print(f"case: {n_accounts:,} accounts, {n_items:,} items, {len(groups)} groups")
    picks = [("largest", *groups[0]), ("smallest", *groups[-1])]
    rows = []
    for name, gid, size in picks:
        first, again = [], []
        for _ in range(opts.repeat):
            client = TestClient(create_app(opts.case), base_url="http://127.0.0.1:8765")  # a fresh app: no cache
            for out in (first, again):
                seconds = _timed(lambda: client.get(f"/group/{gid}").raise_for_status())
                out.append(seconds)
        rows.append((f"group page, {name} group ({size:,} accounts)", _stats(first), _stats(again)))
    try:
        from trollscan.report.profiles import profile_case
        from trollscan.store.verdicts import read_profile_inputs

        with open_case(opts.case) as c:
            whole = [_timed(lambda: profile_case(read_profile_inputs(c))) for _ in range(opts.repeat)]
        rows.append(("profile of the whole case (what each group page computed before)", _stats(whole), "-"))

        with open_case(opts.case) as c:
            for name, gid, size in picks:
                one = [_timed(lambda: profile_case(read_profile_inputs(c, group_id=gid))) for _ in range(opts.repeat)]
                rows.append((f"profile of the {name} group only ({size:,} accounts)", _stats(one), "-"))
    except ImportError:
        pass  # an older trollscan has no per-group read
    print(f"\n| what (s, min / median of {opts.repeat}) | first request | same page again |")
    print("|---|---|---|")
    for row in rows:
        print(f"| {row[0]} | {row[1]} | {row[2]} |")


if __name__ == "__main__":
    main()
