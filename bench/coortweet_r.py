"""trollscan's CooRTweet-compatible mode side by side with CooRTweet itself, in R.

For each shares table (object_id, account_id, content_id, timestamp_share) and each
(time_window, min_participation, edge_weight), runs CooRTweet's `detect_groups` and
`generate_coordinated_network` in R and trollscan's `trollscan.coordination.coortweet` on the same
rows, and compares exactly:
  - the share pairs (object, both content ids, time_delta, both accounts), as multisets and in order;
  - the edges (account pair, weight, avg_time_delta, n_content_id, n_content_id_y,
    edge_symmetry_score, weight_threshold) and the weight threshold;
  - with --case-path, the whole path too: `trollscan init / ingest / scan --coortweet` in a
    temporary case, its stored edges against R's subgraph=1 edges (tables with unique content ids).
Both sides are timed on data already in memory (min and median of --repeat runs).

R: `library(CooRTweet)` when installed, or `--coortweet-source DIR` to source() the R files of a
checkout (detect_groups.R, calc_group_combinations.R, generate_coordinated_network.R; needs the
R packages data.table and igraph). R runs with LC_COLLATE=C (--r-collate), so its pmin/pmax order ids by bytes
(under C.UTF-8 R collates with ICU: 'b' < 'B').

Without --shares it runs the suite: the row lists of tests/unit/coordination/test_coortweet.py
(windows 0/10/60, min participation 0/1/2), 300 seeded random small tables, a seeded table of ties
(dt exactly the window, dt = 0), duplicated content ids, repeated shares and original posts, and
the retweets of ../shared/bench/gen_actions.py at 10k and 100k actions (windows 10/60, min
participation 1/2).

  python bench/coortweet_r.py --coortweet-source /tmp/coortweet-src [--case-path] [--repeat 3]
  python bench/coortweet_r.py --shares shares.csv --window 60 --min-participation 2
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from trollscan.coordination.coortweet import detect_groups, generate_coordinated_network

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "bench"
COLS = ("object_id", "account_id", "content_id", "timestamp_share")
EDGE_ATTRS = ("weight", "avg_time_delta", "n_content_id", "n_content_id_y", "edge_symmetry_score", "weight_threshold")

R_DRIVER = r"""
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]; src <- args[2]; repeats <- as.integer(args[3])
suppressPackageStartupMessages({library(data.table); library(igraph)})
if (src == "") {
  suppressPackageStartupMessages(library(CooRTweet))
  version <- as.character(packageVersion("CooRTweet"))
} else {
  for (f in list.files(src, pattern = "\\.[Rr]$", full.names = TRUE)) source(f)
  version <- paste("source", src)
}
shares <- fread(file.path(dir, "shares.csv"), colClasses = list(character = c("object_id", "account_id", "content_id"),
                numeric = c("timestamp_share", "case")), na.strings = NULL)
runs <- fread(file.path(dir, "runs.csv"))
num <- function(v) sprintf("%.17g", v)
out_pairs <- list(); out_edges <- list(); out_runs <- list()
for (k in seq_len(nrow(runs))) {
  r <- runs[k]
  x <- shares[case == r$case, .(object_id, account_id, content_id, timestamp_share)]
  err <- ""; times <- c(); thr <- NA_real_; pairs <- NULL; g <- NULL
  for (rep in seq_len(repeats)) {
    t0 <- proc.time()[["elapsed"]]
    res <- tryCatch({
      p <- detect_groups(copy(x), time_window = r$time_window, min_participation = r$min_participation)
      gg <- generate_coordinated_network(p, edge_weight = r$edge_weight)
      list(p = p, g = gg)
    }, error = function(e) conditionMessage(e))
    times <- c(times, proc.time()[["elapsed"]] - t0)
    if (is.character(res)) { err <- gsub("[\r\n,]+", " ", res); break }
    pairs <- res$p; g <- res$g
  }
  if (err == "") {
    w <- E(g)$weight
    thr <- if (length(w)) quantile(w, r$edge_weight, na.rm = TRUE)[[1]] else NA_real_
    if (nrow(pairs)) out_pairs[[k]] <- data.table(run = r$run, pairs[, .(object_id, content_id, content_id_y,
                                 time_delta = num(time_delta), account_id, account_id_y)])
    e <- as.data.table(igraph::as_data_frame(g, what = "edges"))
    if (nrow(e)) out_edges[[k]] <- data.table(run = r$run, from = e$from, to = e$to, weight = e$weight,
        avg_time_delta = num(e$avg_time_delta), n_content_id = e$n_content_id, n_content_id_y = e$n_content_id_y,
        edge_symmetry_score = num(e$edge_symmetry_score), weight_threshold = e$weight_threshold)
  }
  out_runs[[k]] <- data.table(run = r$run, error = err, threshold = num(thr), seconds = paste(num(times), collapse = ";"))
}
empty_p <- data.table(run = integer(), object_id = character(), content_id = character(), content_id_y = character(),
                      time_delta = character(), account_id = character(), account_id_y = character())
empty_e <- data.table(run = integer(), from = character(), to = character(), weight = numeric(),
                      avg_time_delta = character(), n_content_id = numeric(), n_content_id_y = numeric(),
                      edge_symmetry_score = character(), weight_threshold = numeric())
fwrite(rbindlist(c(list(empty_p), out_pairs)), file.path(dir, "r_pairs.csv"), quote = TRUE)
fwrite(rbindlist(c(list(empty_e), out_edges)), file.path(dir, "r_edges.csv"), quote = TRUE)
fwrite(rbindlist(out_runs), file.path(dir, "r_runs.csv"), quote = TRUE)
writeLines(version, file.path(dir, "r_version.txt"))
"""


# -- inputs --------------------------------------------------------------------------------------

def shares_table(rows) -> pa.Table:
    cols = list(zip(*rows)) if rows else [[], [], [], []]
    return pa.table({"object_id": pa.array(cols[0], pa.string()), "account_id": pa.array(cols[1], pa.string()),
                     "content_id": pa.array(cols[2], pa.string()), "timestamp_share": pa.array(cols[3], pa.int64())})


def test_fixtures() -> list[pa.Table]:
    """Every literal list of 4-tuples in the compatibility tests (the hand-made fixtures)."""
    tree = ast.parse((ROOT / "tests/unit/coordination/test_coortweet.py").read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.List) and node.elts and all(isinstance(e, ast.Tuple) and len(e.elts) == 4
                                                              for e in node.elts):
            try:
                rows = ast.literal_eval(node)
            except ValueError:
                continue
            if all(isinstance(r[3], int) for r in rows):
                found.append(shares_table(rows))
    return found


def random_tables(n: int, seed: int) -> list[tuple[pa.Table, int, int, float]]:
    """Small tables full of collisions, as the property test draws them."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        rows = [(rng.choice(["o1", "o2", "o3", "c1"]), rng.choice(["A", "B", "a", "C", "D"]),
                 f"c{rng.randint(1, 8)}", rng.randint(0, 150)) for _ in range(rng.randint(0, 30))]
        out.append((shares_table(rows), rng.randint(0, 80), rng.randint(0, 3), rng.choice([0.0, 0.25, 0.5, 0.9, 1.0])))
    return out


def ties_table(seed: int = 7, n: int = 3000) -> pa.Table:
    """Times on a 5 s grid (dt = 0, 10 and 60 are common), 5% duplicated content ids, accounts
    sharing one object several times, and original posts listed as shares of themselves."""
    rng = random.Random(seed)
    objects = [f"t{i}" for i in range(60)]
    accounts = [f"u{i:03d}" for i in range(40)]
    rows = []
    for i in range(n):
        obj = rng.choice(objects[: rng.choice([5, 60])])  # a few busy objects
        acc = rng.choice(accounts[: rng.choice([8, 40])])  # a few busy accounts
        if rng.random() < 0.04:
            acc = f"r{rng.randint(0, 99):02d}"  # rare accounts, one or two rows: the filters bite
        cid = f"p{i}"
        if rng.random() < 0.05 and rows:
            cid = rng.choice(rows)[2]  # duplicated content id
        if rng.random() < 0.02:
            cid = obj  # the original post itself
        t = 1_700_000_000 + 5 * rng.randint(0, 400)
        rows.append((obj, acc, cid, t))
        if rng.random() < 0.05:
            rows.append((obj, acc, f"p{i}r", t + 5 * rng.randint(0, 12)))  # the same account again
    return shares_table(rows)


def gen_retweets(n: int, scratch: Path) -> pa.Table:
    prefix = scratch / f"a{n}"
    if not prefix.with_suffix(".parquet").exists():
        subprocess.run([sys.executable, str(SHARED / "gen_actions.py"), "--n", str(n), "--out", str(prefix),
                        "--no-csv"], check=True, stdout=subprocess.DEVNULL)
    t = pq.read_table(prefix.with_suffix(".parquet"))
    t = t.filter(pc.equal(t["kind"], "retweet"))
    return pa.table({"object_id": t["target_id"], "account_id": pc.cast(t["account_id"], pa.string()),
                     "content_id": pc.cast(t["action_id"], pa.string()), "timestamp_share": t["ts"]})


def read_shares(path: Path) -> pa.Table:
    t = pq.read_table(path) if path.suffix == ".parquet" else pacsv.read_csv(
        path, convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in COLS[:3]}))
    missing = [c for c in COLS if c not in t.column_names]
    if missing:
        sys.exit(f"{path}: no column {', '.join(missing)} (needs {', '.join(COLS)})")
    return t.select(list(COLS))


# -- the two sides -------------------------------------------------------------------------------

def run_r(tables: list[pa.Table], runs: list[tuple[int, int, int, float]], source: str, repeats: int,
          collate: str = "C") -> dict:
    """runs: (case index, time_window, min_participation, edge_weight). Pairs, edges and runs per run."""
    with tempfile.TemporaryDirectory(prefix="coortweet_r_") as d:
        d = Path(d)
        shares = pa.concat_tables([t.append_column("case", pa.array([i] * t.num_rows, pa.int64()))
                                   for i, t in enumerate(tables)])
        pacsv.write_csv(shares, d / "shares.csv")
        pacsv.write_csv(pa.table({"run": list(range(len(runs))), "case": [r[0] for r in runs],
                                  "time_window": [r[1] for r in runs], "min_participation": [r[2] for r in runs],
                                  "edge_weight": [r[3] for r in runs]}), d / "runs.csv")
        (d / "driver.R").write_text(R_DRIVER)
        env = {k: v for k, v in os.environ.items() if k != "LC_ALL"}
        env.update(LANG="C.UTF-8", LC_COLLATE=collate)
        started = time.perf_counter()
        subprocess.run(["Rscript", str(d / "driver.R"), str(d), source, str(repeats)], check=True, env=env)
        wall = time.perf_counter() - started
        strings = pacsv.ConvertOptions(column_types={c: pa.string() for c in (
            "object_id", "content_id", "content_id_y", "time_delta", "account_id", "account_id_y", "from", "to",
            "avg_time_delta", "edge_symmetry_score", "error", "threshold", "seconds")}, strings_can_be_null=False)
        pairs, edges, meta = (pacsv.read_csv(d / f, convert_options=strings).to_pylist()
                              for f in ("r_pairs.csv", "r_edges.csv", "r_runs.csv"))
        version = (d / "r_version.txt").read_text().strip()
    out = {i: {"pairs": [], "edges": []} for i in range(len(runs))}
    for p in pairs:
        out[p["run"]]["pairs"].append((p["object_id"], p["content_id"], p["content_id_y"], float(p["time_delta"]),
                                       p["account_id"], p["account_id_y"]))
    for e in edges:
        a, b = sorted((e["from"], e["to"]), key=lambda s: s.encode())
        out[e["run"]].setdefault("from_to", []).append((e["from"], e["to"]))
        out[e["run"]]["edges"].append(((a, b), (int(e["weight"]), float(e["avg_time_delta"]), int(e["n_content_id"]),
                                                int(e["n_content_id_y"]), float(e["edge_symmetry_score"]),
                                                int(e["weight_threshold"]))))
    for m in meta:
        out[m["run"]].update(error=m["error"], threshold=None if m["threshold"] == "NA" else float(m["threshold"]),
                             seconds=[float(s) for s in m["seconds"].split(";") if s])
    return {"runs": out, "version": version, "wall": wall}


def run_trollscan(t: pa.Table, tw: int, mp: int, ew: float, repeats: int) -> dict:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        pairs = detect_groups(t["object_id"], t["account_id"], t["content_id"], t["timestamp_share"],
                              time_window=tw, min_participation=mp)
        net = generate_coordinated_network(pairs, edge_weight=ew)
        times.append(time.perf_counter() - started)
    p = [(r["object_id"], r["content_id"], r["content_id_y"], float(r["time_delta"]), r["account_id"],
          r["account_id_y"]) for r in pairs.to_pylist()]
    e = [((r["account_id"], r["account_id_y"]), tuple(r[c] for c in EDGE_ATTRS)) for r in net.edges.to_pylist()]
    return {"pairs": p, "edges": e, "threshold": net.threshold, "seconds": times}


def run_case_path(t: pa.Table, params: list[tuple[int, int, float]], scratch: Path) -> list[dict]:
    """`trollscan init / ingest / scan --coortweet` in a temporary case; the stored edges per params."""
    from trollscan.store import open_case
    from trollscan.store.results import read_query

    case = scratch / f"case{os.getpid()}_{time.monotonic_ns()}"
    items = scratch / f"{case.name}.items.parquet"
    pq.write_table(pa.table({
        "platform": pa.array(["twitter"] * t.num_rows), "item_id": t["content_id"], "kind": pa.array(["share"] * t.num_rows),
        "account_id": t["account_id"], "parent_id": t["object_id"],
        "created_at": pc.cast(pc.multiply(pc.cast(t["timestamp_share"], pa.int64()), 1_000_000), pa.timestamp("us"))}), items)
    cli = [str(Path(sys.executable).with_name("trollscan"))]
    subprocess.run(cli + ["init", str(case)], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(cli + ["ingest", str(items), "--case", str(case)], check=True, stdout=subprocess.DEVNULL)
    out = []
    for tw, mp, ew in params:
        started = time.perf_counter()
        subprocess.run(cli + ["scan", "--coortweet", "--window", str(tw), "--min-participation", str(mp),
                              "--edge-weight", str(ew), "--case", str(case)], check=True, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
        with open_case(case) as c:
            e = read_query(c, "SELECT account_a, account_b, weight FROM edges WHERE layer = 'coortweet'").to_pylist()
        out.append({"edges": {(r["account_a"], r["account_b"]): int(r["weight"]) for r in e}, "seconds": seconds})
    return out


# -- comparison ----------------------------------------------------------------------------------

def compare(r: dict, ts: dict) -> dict:
    from collections import Counter
    rp, tp = Counter(r["pairs"]), Counter(ts["pairs"])
    re_, te = dict(r["edges"]), dict(ts["edges"])
    both = re_.keys() & te.keys()
    differ = [k for k in both if re_[k] != te[k]]
    return {
        "pairs_r": len(r["pairs"]), "pairs_ts": len(ts["pairs"]), "pairs_agree": sum((rp & tp).values()),
        "pairs_only_r": list((rp - tp).elements()), "pairs_only_ts": list((tp - rp).elements()),
        "pair_order": r["pairs"] == ts["pairs"],
        "edges_r": len(re_), "edges_ts": len(te), "edges_agree": len(both) - len(differ),
        "edges_only_r": sorted(re_.keys() - te.keys()), "edges_only_ts": sorted(te.keys() - re_.keys()),
        "edges_differ": [(k, re_[k], te[k]) for k in differ],
        "edge_order": [k for k, _ in r["edges"]] == [k for k, _ in ts["edges"]],
        "threshold": (r.get("threshold"), ts["threshold"]),
        "same_side": sum(ft == k for ft, (k, _) in zip(r.get("from_to", []), ts["edges"])),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--coortweet-source", default="", help="source() the R files in DIR instead of library(CooRTweet)")
    ap.add_argument("--shares", type=Path, help="a CSV or Parquet shares table; without it, the suite")
    ap.add_argument("--window", type=int, nargs="*", default=[10, 60])
    ap.add_argument("--min-participation", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--edge-weight", type=float, default=0.5)
    ap.add_argument("--repeat", type=int, default=1, help="timed runs per side (min/median reported)")
    ap.add_argument("--case-path", action="store_true", help="also the whole CLI path in a temporary case")
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--r-collate", default="C", help="R's LC_COLLATE: C is byte order; any other (C.UTF-8 too) "
                    "is ICU's or the locale's order, which R's pmin/pmax follow")
    ap.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()) / "coortweet_r")
    args = ap.parse_args()
    args.scratch.mkdir(parents=True, exist_ok=True)

    grid = [(tw, mp, args.edge_weight) for tw in args.window for mp in args.min_participation]
    sets: list[tuple[str, list[pa.Table], list[tuple[int, int, int, float]], bool]] = []
    if args.shares:
        sets.append((args.shares.name, [read_shares(args.shares)], [(0, *g) for g in grid], True))
    else:
        fx = test_fixtures()
        sets.append((f"test fixtures ({len(fx)})", fx, [(i, tw, mp, 0.5) for i in range(len(fx))
                                                         for tw in (0, 10, 60) for mp in (0, 1, 2)], False))
        rnd = random_tables(300, seed=11)
        sets.append(("random small (300)", [t for t, *_ in rnd], [(i, *p) for i, (_, *p) in enumerate(rnd)], False))
        sets.append(("ties+duplicates", [ties_table()], [(0, *g) for g in grid], True))
        for n in args.sizes:
            sets.append((f"gen_actions {n // 1000}k retweets", [gen_retweets(n, args.scratch)], [(0, *g) for g in grid], True))

    print(f"{'input':<26} {'tw':>3} {'mp':>2} {'rows':>7} | {'pairs R':>8} {'agree':>8} {'differ':>6} {'order':>5} | "
          f"{'edges R':>7} {'agree':>7} {'differ':>6} {'order':>5} {'thr':>4} | {'R s':>7} {'ts s':>7}"
          + (f" | {'case agree':>10} {'cli s':>6}" if args.case_path else ""))
    shown = 0
    for name, tables, runs, per_run in sets:
        r = run_r(tables, runs, args.coortweet_source, args.repeat, args.r_collate)
        results = []
        for i, (ci, tw, mp, ew) in enumerate(runs):
            ts = run_trollscan(tables[ci], tw, mp, ew, args.repeat)
            rr = r["runs"][i]
            if rr["error"]:
                c = {"error": rr["error"], "pairs_ts": len(ts["pairs"]), "edges_ts": len(ts["edges"])}
            else:
                c = compare(rr, ts)
            c.update(params=(ci, tw, mp, ew), rows=tables[ci].num_rows, r_s=rr.get("seconds") or [0.0], ts_s=ts["seconds"])
            results.append(c)
        case_results = None
        if args.case_path and per_run and all(pc.count_distinct(t["content_id"]).as_py() == t.num_rows for t in tables):
            case_results = run_case_path(tables[0], [p[1:] for p in runs], args.scratch)
        groups = [[c] for c in results] if per_run else [results]
        for gi, g in enumerate(groups):
            ok = [c for c in g if "error" not in c]
            errors = [c for c in g if "error" in c]
            pr = sum(c["pairs_r"] for c in ok)
            pdiff = sum(len(c["pairs_only_r"]) + len(c["pairs_only_ts"]) for c in ok)
            er = sum(c["edges_r"] for c in ok)
            ediff = sum(len(c["edges_only_r"]) + len(c["edges_only_ts"]) + len(c["edges_differ"]) for c in ok)
            thr_ok = sum(c["threshold"][0] == c["threshold"][1] or (c["threshold"][0] is None and c["threshold"][1] is None)
                         for c in ok)
            tw = str(g[0]["params"][1]) if per_run else "*"
            mp = str(g[0]["params"][2]) if per_run else "*"
            r_s = [sum(x) / len(x) for x in zip(*[c["r_s"] for c in g])] if per_run else [sum(min(c["r_s"]) for c in g)]
            t_s = [sum(x) / len(x) for x in zip(*[c["ts_s"] for c in g])] if per_run else [sum(min(c["ts_s"]) for c in g)]
            line = (f"{name:<26} {tw:>3} {mp:>2} {sum(c['rows'] for c in g):>7} | {pr:>8} "
                    f"{sum(c['pairs_agree'] for c in ok):>8} {pdiff:>6} "
                    f"{sum(c['pair_order'] for c in ok):>2}/{len(ok):<2} | {er:>7} {sum(c['edges_agree'] for c in ok):>7} "
                    f"{ediff:>6} {sum(c['edge_order'] for c in ok):>2}/{len(ok):<2} {thr_ok:>2}/{len(ok):<1} | "
                    f"{min(r_s):>7.3f} {min(t_s):>7.3f}")
            if case_results is not None:
                want = {k: v[0] for k, v in dict(r["runs"][gi]["edges"]).items() if v[5] == 1}
                got = case_results[gi]["edges"]
                agree = sum(got.get(k) == w for k, w in want.items())
                line += f" | {agree:>4}/{len(want):<5} {case_results[gi]['seconds']:>6.1f}"
                if agree != len(want) or len(got) != len(want):
                    print(f"  case path differs: only R {sorted(want.keys() - got.keys())[:3]}, only case "
                          f"{sorted(got.keys() - want.keys())[:3]}")
            print(line + (f"   ({len(errors)} R errors)" if errors else ""))
            for c in g:
                if shown >= 12:
                    break
                if "error" in c:
                    if c["pairs_ts"] or c["edges_ts"]:
                        print(f"    R error, trollscan {c['pairs_ts']} pairs: {c['params']} {c['error'][:100]}")
                        shown += 1
                    continue
                for label, items in (("pair only in R", c["pairs_only_r"]), ("pair only in trollscan", c["pairs_only_ts"]),
                                     ("edge only in R", c["edges_only_r"]), ("edge only in trollscan", c["edges_only_ts"]),
                                     ("edge differs (R, trollscan)", c["edges_differ"])):
                    for it in items[:2]:
                        print(f"    {label} {c['params']}: {it}")
                        shown += 1
                if not c["pair_order"] and not c["pairs_only_r"] and not c["pairs_only_ts"] and shown < 12:
                    print(f"    pair order differs {c['params']}")
                    shown += 1
        ok = [c for c in results if "error" not in c]
        print(f"    igraph's from/to is trollscan's (account_id, account_id_y) for {sum(c['same_side'] for c in ok)} "
              f"of {sum(c['edges_r'] for c in ok)} edges (the same unordered pairs; igraph orients by vertex order)")
        if per_run and args.repeat > 1:
            for c in results:
                print(f"    timing tw={c['params'][1]} mp={c['params'][2]}: R min {min(c['r_s']):.3f} median "
                      f"{statistics.median(c['r_s']):.3f} s; trollscan min {min(c['ts_s']):.3f} median "
                      f"{statistics.median(c['ts_s']):.3f} s")
    print(f"R side: CooRTweet {r['version']}, LC_COLLATE={args.r_collate}. Columns: 'agree' = equal rows (pairs as a multiset; "
          "edges keyed by account pair, every attribute exactly); 'order' = runs whose row order is the same; "
          "'thr' = runs with the same threshold; R s / ts s = detect_groups + generate_coordinated_network, "
          "data in memory (min; summed over runs for the many-table inputs).")


if __name__ == "__main__":
    main()
