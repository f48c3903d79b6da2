"""Co-action speed, memory and agreement, side by side with coordination-network-toolkit.

    pip install coordination-network-toolkit   # the peer, only for this benchmark
    python bench/coaction.py [--sizes 1000000,5000000] [--repeat 2] [--scratch /tmp/coaction]

Data: ../shared/bench/gen_actions.py (heavy-tailed activity and popularity, bursty reactions,
planted groups), the common input of every co-action figure. For each size:
- trollscan, whole path in a fresh process: init a case, ingest the actions as canonical items
  (Parquet; retweets are `share` items of the retweeted tweet), and compute and store the co-share layer
  (co-retweet) with a 60 s window and at least 2 shared tweets, without the null model (to
  compare edge sets with the peer) and, separately, with it (trollscan's default, FDR 1 %). This is
  `scan_coaction`, the co-action step of `trollscan scan`, without its photo, text, group, signal
  and verdict steps; crowded targets are left out as in a scan (--max-target-pairs 10**15 keeps all).
- coordination-network-toolkit through ../shared/bench/bench_cnt.py: preprocess its CSV into
  SQLite and compute co_retweet with the same window and min edge weight 2, 2 threads.
Prints wall time (min / median of --repeat runs), peak resident memory (max), the ratio, and the
edge-set agreement (pairs with weight >= 2 in either direction for the toolkit; self-loops dropped):
with trollscan's rule (at least 2 distinct retweeted tweets) and, computed with trollscan's kernel,
with the toolkit's rule (at least 2 of one account's retweets matched, which counts an account
retweeting one tweet twice as 2). For planted groups: recall and precision of the planted pairs
among the FDR run's edges, and the adjusted Rand index of its groups.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "bench"

_TROLLSCAN = """
import json, sys, time
from pathlib import Path
from trollscan.store import init_case
from trollscan.ingest import ingest_files
from trollscan.scan import scan_coaction
t = time.perf_counter()
case = init_case(Path(sys.argv[1]))
ingest_files(case, [Path(sys.argv[2])])
loaded = time.perf_counter() - t
fdr = None if sys.argv[3] == "none" else float(sys.argv[3])
summary = scan_coaction(case, layers=["co_share"], window_s=60, min_targets=2, fdr=fdr,
                        max_target_pairs=int(sys.argv[5]))[0]
total = time.perf_counter() - t
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
if sys.argv[4] != "-":  # not timed: the edges, and the operator groups they make (as scan's groups step)
    from trollscan.clusters import find_groups
    from trollscan.store.results import read_query
    import pyarrow as pa
    import pyarrow.parquet as pq
    pq.write_table(read_query(case, "SELECT account_a, account_b, n_targets FROM edges"), sys.argv[4])
    groups = find_groups(read_query(case, "SELECT platform, layer, account_a, account_b, weight, first_at, last_at "
                                          "FROM edges"), seed=1)
    pq.write_table(pa.table({"group_id": [i for i, g in enumerate(groups, 1) for _ in g.members],
                             "account_id": pa.array([m for g in groups for m in g.members], pa.string())}),
                   sys.argv[4].replace(".parquet", ".groups.parquet"))
case.close()
print(json.dumps({"seconds": total, "load_s": loaded, "edges": summary.edges, "crowded": summary.crowded,
                  "peak_mb": hwm / 1024}))
"""


def generate(scratch: Path, n: int) -> Path:
    prefix = scratch / f"a{n}"
    if not prefix.with_suffix(".parquet").exists():
        subprocess.run([sys.executable, str(SHARED / "gen_actions.py"), "--n", str(n), "--out", str(prefix)],
                       check=True, stdout=subprocess.DEVNULL)
    return prefix


def to_items(prefix: Path) -> Path:
    """The generated actions as trollscan's canonical items (not timed: an export step)."""
    out = prefix.with_name(prefix.name + ".items.parquet")
    if out.exists():
        return out
    t = pq.read_table(prefix.with_suffix(".parquet"))
    kind = t["kind"]
    is_rt = pc.equal(kind, "retweet")
    is_reply = pc.equal(kind, "reply")
    items = pa.table({
        "platform": pa.array(["twitter"] * t.num_rows),
        "item_id": pc.cast(t["action_id"], pa.string()),
        "kind": pc.if_else(is_rt, "share", pc.if_else(is_reply, "reply", "post")),
        "account_id": pc.cast(t["account_id"], pa.string()),
        "created_at": pc.cast(pc.multiply(pc.cast(t["ts"], pa.int64()), 1_000_000), pa.timestamp("us")),
        "parent_id": pc.if_else(pc.or_(is_rt, is_reply), pc.cast(t["target_id"], pa.string()), pa.scalar(None, pa.string())),
        "text": t["text"],
    })
    pq.write_table(items, out)
    return out


def run_trollscan(items: Path, scratch: Path, fdr: str, edges_out: str, max_target_pairs: int) -> dict:
    case = scratch / f"case_{os.getpid()}_{time.monotonic_ns()}"
    out = subprocess.run([sys.executable, "-c", _TROLLSCAN, str(case), str(items), fdr, edges_out, str(max_target_pairs)],
                         capture_output=True, text=True, check=True)
    subprocess.run(["rm", "-rf", str(case)], check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_cnt(prefix: Path, scratch: Path) -> dict:
    outdir = scratch / "cnt"
    outdir.mkdir(exist_ok=True)
    db = scratch / "cnt.db"
    cmd = ["/usr/bin/time", "-f", "%M", sys.executable, str(SHARED / "bench_cnt.py"), "--csv",
           str(prefix.with_suffix(".csv")), "--db", str(db), "--outdir", str(outdir), "--networks", "co_retweet",
           "--window", "60", "--min-weight", "2"]
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - t
    peak_kb = int(out.stderr.strip().splitlines()[-1])
    res = json.loads(out.stdout.strip().splitlines()[-1])
    return {"seconds": seconds, "peak_mb": peak_kb / 1024, "edges_raw": res["co_retweet_edges"],
            "parquet": outdir / "cnt_co_retweet.parquet"}


def planted(prefix: Path, edges_file: Path) -> dict:
    """How the kept edges and the groups found match the generator's planted groups."""
    from trollscan.clusters import adjusted_rand_index

    groups = json.loads(prefix.with_suffix(".groups.json").read_text())["groups"]
    truth = {str(a): str(g) for g, members in groups.items() for a in members}
    planted_pairs = {(min(a, b), max(a, b)) for g, members in groups.items()
                     for a in map(str, members) for b in map(str, members) if a < b}
    e = pq.read_table(edges_file)
    kept = set(zip(e["account_a"].to_pylist(), e["account_b"].to_pylist()))
    m = pq.read_table(str(edges_file).replace(".parquet", ".groups.parquet"))
    found = {a: str(g) for g, a in zip(m["group_id"].to_pylist(), m["account_id"].to_pylist())}
    return {"planted_pairs": len(planted_pairs), "recall": round(len(kept & planted_pairs) / max(len(planted_pairs), 1), 3),
            "precision": round(len(kept & planted_pairs) / max(len(kept), 1), 3),
            "groups_found": len(set(found.values())), "ari": round(adjusted_rand_index(truth, found), 3)}


def toolkit_semantics(items: Path) -> set[tuple[str, str]]:
    """Co-retweet pairs computed with trollscan's kernel under the toolkit's own rule: a directed
    weight counts u1's retweets with a retweet of the same tweet by u2 within the window
    (inclusive); a pair is an edge when either direction reaches 2. Counted by the engine."""
    from trollscan.coordination.window import codes, sort_actions, window_pairs
    from trollscan.store.engine import memory_engine

    t = pq.read_table(items, columns=["kind", "account_id", "parent_id", "created_at"])
    t = t.filter(pc.equal(t["kind"], "share"))
    acc, names = codes(t["account_id"])
    tgt, _ = codes(t["parent_id"])
    ts = pc.cast(pc.divide(pc.cast(t["created_at"], pa.int64()), 1_000_000), pa.int64()).to_numpy()
    acts = sort_actions(tgt, ts, acc)
    w = len(names)
    schema = pa.schema([("k", pa.int64()), ("m", pa.int64())])

    def batches():
        for i, j in window_pairs(acts, window_s=60):
            yield pa.record_batch([np.concatenate([acts.account[i] * w + acts.account[j],
                                                   acts.account[j] * w + acts.account[i]]),
                                   np.concatenate([i, j])], schema=schema)

    found = memory_engine()("SELECT k FROM pairs GROUP BY k HAVING count(DISTINCT m) >= 2",
                            {"pairs": pa.RecordBatchReader.from_batches(schema, batches())}, {})
    k = found["k"].to_numpy()
    name = names.to_pylist()
    return {(min(name[a], name[b]), max(name[a], name[b])) for a, b in zip((k // w).tolist(), (k % w).tolist())}


def _toolkit_pairs(path: Path) -> set[tuple[str, str]]:
    t = pq.read_table(path)
    out = set()
    for u, v, w in zip(t["user_1"].to_pylist(), t["user_2"].to_pylist(), t["weight"].to_pylist()):
        if u != v and w >= 2:
            u, v = str(u), str(v)
            out.add((min(u, v), max(u, v)))
    return out


def agreement(ours: Path, theirs: Path) -> dict:
    mine = pq.read_table(ours)
    a = {(x, y) for x, y in zip(mine["account_a"].to_pylist(), mine["account_b"].to_pylist())}
    b = _toolkit_pairs(theirs)
    return {"ours": len(a), "theirs": len(b), "both": len(a & b), "only_ours": len(a - b), "only_theirs": len(b - a)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000000,5000000")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--scratch", default="/tmp/trollscan-coaction")
    ap.add_argument("--skip-peer-above", type=int, default=5_000_000,
                    help="Do not run the peer on more actions than this (it needs minutes and GBs).")
    ap.add_argument("--max-target-pairs", type=int, default=None,
                    help="trollscan's crowding cap (default: the library's); 10**15 keeps every target, as the peer.")
    args = ap.parse_args()
    if args.max_target_pairs is None:
        from trollscan.coordination import MAX_TARGET_PAIRS
        args.max_target_pairs = MAX_TARGET_PAIRS
    scratch = Path(args.scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    print(f"{'actions':>10} {'tool':<28} {'min s':>8} {'median s':>9} {'peak MB':>8} {'edges':>8}")
    for n in map(int, args.sizes.split(",")):
        prefix = generate(scratch, n)
        items = to_items(prefix)
        ours_file = scratch / f"ours_{n}.parquet"
        runs = [run_trollscan(items, scratch, "none", str(ours_file) if i == 0 else "-", args.max_target_pairs)
                for i in range(args.repeat)]
        secs = sorted(r["seconds"] for r in runs)
        ours = (secs[0], statistics.median(secs), max(r["peak_mb"] for r in runs), runs[0]["edges"])
        print(f"{n:>10,} {'trollscan (no null model)':<28} {ours[0]:>8.1f} {ours[1]:>9.1f} {ours[2]:>8.0f} "
              f"{ours[3]:>8,}   (of which ingest {min(r['load_s'] for r in runs):.1f} s, co-action "
              f"{min(r['seconds'] - r['load_s'] for r in runs):.1f} s; {runs[0]['crowded']} crowded targets left out)",
              flush=True)
        fdr_file = scratch / f"ours_fdr_{n}.parquet"
        fdr = run_trollscan(items, scratch, "0.01", str(fdr_file), args.max_target_pairs)
        print(f"{n:>10,} {'trollscan (FDR 1 %)':<28} {fdr['seconds']:>8.1f} {'':>9} {fdr['peak_mb']:>8.0f} "
              f"{fdr['edges']:>8,}   {json.dumps(planted(prefix, fdr_file))}", flush=True)
        if n > args.skip_peer_above:
            continue
        cnt_runs = [run_cnt(prefix, scratch) for _ in range(args.repeat)]
        csecs = sorted(r["seconds"] for r in cnt_runs)
        peer = (csecs[0], statistics.median(csecs), max(r["peak_mb"] for r in cnt_runs))
        agree = agreement(ours_file, cnt_runs[0]["parquet"])
        print(f"{n:>10,} {'coordination-network-toolkit':<28} {peer[0]:>8.1f} {peer[1]:>9.1f} {peer[2]:>8.0f} "
              f"{agree['theirs']:>8,}", flush=True)
        same_rule = toolkit_semantics(items)
        theirs = _toolkit_pairs(cnt_runs[0]["parquet"])
        agree["toolkit_rule_both"] = len(same_rule & theirs)
        agree["toolkit_rule_only_ours"] = len(same_rule - theirs)
        agree["toolkit_rule_only_theirs"] = len(theirs - same_rule)
        print(f"{n:>10,} ratio (toolkit / trollscan, median): {peer[1] / ours[1]:.1f}x; edge sets: "
              f"{json.dumps(agree)}", flush=True)


if __name__ == "__main__":
    main()
