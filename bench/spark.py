"""The co-action kernel (numpy + DuckDB) against the relational co-action on DuckDB and on Spark.

    python bench/spark.py [--sizes 100000,1000000] [--repeat 2]

Data: ../shared/bench/gen_actions.py, the retweets only (co-share, 60 s window, at least 2 shared
items, FDR 1 %). Each engine gets the same actions; the table prints wall time (min/median over
repeats; Spark's session start is not counted) and whether edges and links equal the kernel's.
Spark runs in local mode on this machine's cores: the figure says what the relational plan costs
on one machine, not what a cluster would do.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from trollscan.coordination.edges import co_action_edges
from trollscan.coordination.relational import co_action_relational
from trollscan.store.engine import duckdb_views
from trollscan.store.spark import spark_session, spark_views

SHARED = Path(__file__).resolve().parents[2] / "shared" / "bench"
OPTIONS = dict(window_s=60, min_targets=2, fdr=0.01)


def actions(scratch: Path, n: int) -> pa.Table:
    prefix = scratch / f"a{n}"
    if not prefix.with_suffix(".parquet").exists():
        scratch.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(SHARED / "gen_actions.py"), "--n", str(n), "--out", str(prefix)],
                       check=True, capture_output=True)
    t = pq.read_table(prefix.with_suffix(".parquet"), columns=["account_id", "target_id", "kind", "ts"])
    t = t.filter(pc.equal(t["kind"], "retweet"))
    return pa.table({"account": pc.cast(t["account_id"], pa.string()), "target": pc.cast(t["target_id"], pa.string()),
                     "ts": pc.cast(t["ts"], pa.int64()), "row": pa.array(np.arange(t.num_rows), pa.int64())})


def timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--scratch", default="/tmp/trollscan-spark")
    args = ap.parse_args()
    spark = spark_session()
    print(f"{'actions':>10} {'retweets':>10} {'engine':<22} {'min s':>8} {'median s':>9} {'edges':>8} {'same as kernel':>15}")
    for n in (int(x) for x in args.sizes.split(",")):
        acts = actions(Path(args.scratch), n)

        def kernel():
            return co_action_edges(acts["account"], acts["target"], acts["ts"].to_numpy(), **OPTIONS)

        def relational(views):
            def run():
                r, define = views()
                define("actions", acts, {})
                return co_action_relational(r, define, **OPTIONS)
            return run

        lo, med, base = timed(kernel, args.repeat)
        print(f"{n:>10,} {acts.num_rows:>10,} {'kernel (numpy+DuckDB)':<22} {lo:>8.2f} {med:>9.2f} {base.edges.num_rows:>8,} {'-':>15}")
        for name, views in (("relational DuckDB", duckdb_views), ("relational Spark", lambda: spark_views(spark))):
            lo, med, got = timed(relational(views), args.repeat)
            same = got.edges.equals(base.edges) and got.links.equals(base.links)
            print(f"{n:>10,} {acts.num_rows:>10,} {name:<22} {lo:>8.2f} {med:>9.2f} {got.edges.num_rows:>8,} {str(same):>15}")
    spark.stop()


if __name__ == "__main__":
    main()
