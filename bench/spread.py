"""How a story spread: accuracy on the simulator's spread preset, and speed on a 1M-item story.

    python bench/spread.py [--scales 0.3,1] [--seeds 1,2,3] [--story-items 1000000] [--repeat 3]
                           [--scratch /tmp/spread-bench]

1. Spread preset (seed 004's false story): for each scale and seed, simulate, ingest, and run
   `trace_story` with the story's query. Reports whether the planted first poster is ranked first,
   the adjusted Rand index of the spreader groups against the planted groups (the `persona` column of
   truth.csv: amplifier bots, right-wing, pro-Russian, researchers, media, people) over every
   spreader (an ungrouped spreader counts as its own group), and as a baseline the ARI of Leiden
   communities of the follow graph among the same spreaders; plus the time of `trace_story`.
2. A 1M-item story, written directly as canonical Parquet (an origin post, quotes and replies
   below earlier items, own versions with no parent link, plain reshares, four agenda groups with
   their own links and hashtags, follows inside each group, 3 background posts per account):
   ingest once, then run `trace_story` in a fresh process `--repeat` times. Prints wall time
   (min / median), peak resident memory (max), and the same accuracy figures against the groups
   it planted. 3 % of the own posts are planted as near-duplicates that lack the query word (the
   place spelt "Kordaj" or "Qordai", no hashtag), and 1 % of the background posts as unrelated texts
   about Chinese restaurants: the near-duplicate matching's precision and recall against them.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

_GROUPS = ("bots", "right", "russia", "research")


def _ari_figures(result: dict, truth: dict[str, str], follows: list[tuple[str, str]]) -> tuple[float, float]:
    import igraph as ig
    import leidenalg

    from trollscan.clusters import adjusted_rand_index

    spreaders = sorted(set(result["cascade"]["account_id"]))
    found = {a: str(g["group"]) for g in result["groups"] for a in g["accounts"]}
    planted = {a: truth.get(a, "?") for a in spreaders}
    ari = adjusted_rand_index(planted, {a: found[a] for a in spreaders if a in found})
    index = {a: k for k, a in enumerate(spreaders)}
    edges = sorted({(min(index[a], index[b]), max(index[a], index[b])) for a, b in follows
                    if a in index and b in index and a != b})
    graph = ig.Graph(n=len(spreaders), edges=edges)
    part = leidenalg.find_partition(graph, leidenalg.ModularityVertexPartition, seed=1)
    sizes = np.bincount(part.membership)
    base = {a: str(part.membership[k]) for a, k in index.items() if sizes[part.membership[k]] >= 3}
    return ari, adjusted_rand_index(planted, base)


def preset_rows(scales: list[float], seeds: list[int], scratch: Path) -> list[dict]:
    from trollscan.ingest import ingest_files
    from trollscan.simulate import simulate
    from trollscan.spread import trace_story
    from trollscan.store import init_case
    from trollscan.store.results import read_truth_file

    rows = []
    for scale in scales:
        for seed in seeds:
            folder = scratch / f"preset-{scale}-{seed}"
            shutil.rmtree(folder, ignore_errors=True)
            simulate(folder / "sim", preset="spread", seed=seed, scale=scale, images=False)
            story = json.loads((folder / "sim" / "story.json").read_text(encoding="utf-8"))
            with init_case(folder / "case", tz="Asia/Almaty") as case:
                ingest_files(case, [folder / "sim" / "input"])
                started = time.perf_counter()
                result = trace_story(case, [story["query"]])
                seconds = time.perf_counter() - started
                follows = case.con.execute("SELECT account_id, other_id FROM relations WHERE kind = 'follow'").fetchall()
            truth = {t["account_id"]: t["persona"] for t in read_truth_file(folder / "sim" / "truth.csv")}
            ari, base = _ari_figures(result, truth, follows)
            rank = result["first_posters"].index(story["first_poster"]) + 1 if story["first_poster"] in \
                result["first_posters"] else None
            rows.append({"scale": scale, "seed": seed, "items": result["summary"]["items"],
                         "spreaders": result["summary"]["accounts"], "groups": len(result["groups"]),
                         "first_poster_rank": rank, "sure": result["first_poster_details"][0]["sure"],
                         "ari": ari, "ari_follow_baseline": base, "seconds": seconds,
                         "matched_by": result["summary"]["matched_by"]})
            shutil.rmtree(folder, ignore_errors=True)
    return rows


def write_story(folder: Path, n_items: int, seed: int = 1) -> tuple[dict[str, str], set[str]]:
    """A story of `n_items` items as canonical Parquet in `folder`; returns account -> planted group,
    and the items planted as near-duplicates without the query word."""
    rng = np.random.default_rng(seed)
    n_acc = max(100, n_items // 5)
    group = rng.integers(0, len(_GROUPS) + 1, n_acc)  # the last value: people with no agenda
    accounts = np.array([f"u{k}" for k in range(n_acc)], object)
    t0 = int(datetime(2020, 2, 7, 23, 0).timestamp())
    kinds = rng.choice(np.array(["share", "quote", "reply", "post"], object), n_items, p=[0.6, 0.12, 0.1, 0.18])
    kinds[0] = "post"
    delay = np.sort(rng.lognormal(np.log(6 * 3600), 1.2, n_items - 1)).astype(np.int64)
    when = np.r_[t0, t0 + 20 + delay]
    # bots come first: the earliest tenth of the items are theirs
    author = rng.integers(1, n_acc, n_items)
    bots = np.flatnonzero(group == 0)
    early = slice(1, n_items // 10)
    author[early] = bots[rng.integers(0, len(bots), n_items // 10 - 1)]
    author[0] = 0
    group[0] = len(_GROUPS)
    # parents: always an earlier item; shares of the origin or of quotes, replies below anything
    idx = np.arange(n_items)
    quote_pos = np.flatnonzero((kinds == "quote") | (idx == 0))
    below_quote = quote_pos[np.maximum(0, np.searchsorted(quote_pos, idx, "left") - 1 -
                                       (rng.random(n_items) * 50).astype(np.int64)).clip(0)]
    parent = np.where(rng.random(n_items) < 0.4, 0, below_quote)
    parent = np.where(kinds == "reply", (rng.random(n_items) * idx).astype(np.int64), parent)
    parent = np.where((kinds == "post") | (idx == 0), -1, np.minimum(parent, np.maximum(idx - 1, 0)))
    openers = np.array(["BREAKING:", "Horrible news:", "SHOCKING", "Watch:", "Now in #Kazakhstan:"], object)
    bodies = np.array(["Kazakhs burn Chinese restaurants in Kordai over coronavirus panic",
                       "pogroms against Chinese in Kordai because of coronavirus",
                       "в Кордае громят китайские рестораны из-за коронавируса Kordai",
                       "à Kordai des restaurants chinois incendiés à cause du coronavirus"], object)
    text = np.full(n_items, None, object)
    own = (kinds == "post") | (kinds == "quote")
    text[own] = openers[rng.integers(0, len(openers), own.sum())] + " " + bodies[rng.integers(0, len(bodies),
                                                                                              own.sum())]
    text[own] = text[own] + np.where(rng.random(own.sum()) < 0.5, " RT!", " #Kordai")
    variant = own & (idx > 0) & (rng.random(n_items) < 0.03)  # near-duplicates without the query word
    spelt = np.array(["Kordaj", "Qordai"], object)[rng.integers(0, 2, variant.sum())]
    text[variant] = [t.replace(" #Kordai", " RT!").replace("Kordai", s) for t, s in zip(text[variant], spelt)]
    text[kinds == "reply"] = np.array(["fake!", "is this true?", "source?", "horrible"], object)[
        rng.integers(0, 4, (kinds == "reply").sum())]
    ids = np.array([f"s{k}" for k in range(n_items)], object)
    items = pa.table({
        "platform": pa.repeat("twitter", n_items), "item_id": ids, "kind": kinds, "account_id": accounts[author],
        "created_at": pa.array(when * 1_000_000, pa.timestamp("us")),
        "parent_id": pa.array(np.where(parent >= 0, ids[np.maximum(parent, 0)], None), pa.string()),
        "text": pa.array(text, pa.string())})
    # each account's agenda: 3 posts with its group's links and hashtags (people: random chatter)
    per = 3
    who = np.repeat(np.arange(n_acc), per)
    g = group[who]
    article = rng.integers(0, max(10, n_acc // 60), len(who))
    urls = [[f"https://{_GROUPS[x]}-site.example/a/{a}"] if x < len(_GROUPS) else None for x, a in zip(g, article)]
    tags = [[f"{_GROUPS[x]}_tag{a % 4}"] if x < len(_GROUPS) else None for x, a in zip(g, article)]
    background = pa.table({
        "platform": pa.repeat("twitter", len(who)), "item_id": [f"b{k}" for k in range(len(who))],
        "kind": pa.repeat("post", len(who)), "account_id": accounts[who],
        "created_at": pa.array((t0 - rng.integers(0, 30 * 86400, len(who))) * 1_000_000, pa.timestamp("us")),
        "text": np.where(rng.random(len(who)) < 0.01, "Chinese restaurants open in Almaty this week, come and try",
                         "agenda post"), "urls": pa.array(urls, pa.list_(pa.string())),
        "hashtags": pa.array(tags, pa.list_(pa.string()))})
    pq.write_table(pa.concat_tables([items, background], promote_options="default"), folder / "items.parquet")
    # follows, mostly inside one's group
    src = np.repeat(np.arange(n_acc), 5)
    same = rng.random(len(src)) < 0.8
    order = np.argsort(group, kind="stable")
    lo, hi = np.searchsorted(group[order], group[src], "left"), np.searchsorted(group[order], group[src], "right")
    other = np.where(same, order[lo + (rng.random(len(src)) * (hi - lo)).astype(np.int64)],
                     rng.integers(0, n_acc, len(src)))
    keep = other != src
    pairs = np.unique(np.stack([src[keep], other[keep]], 1), axis=0)
    pq.write_table(pa.table({"platform": pa.repeat("twitter", len(pairs)), "account_id": accounts[pairs[:, 0]],
                             "kind": pa.repeat("follow", len(pairs)), "other_id": accounts[pairs[:, 1]]}),
                   folder / "relations.parquet")
    pq.write_table(pa.table({"platform": pa.repeat("twitter", n_acc), "account_id": accounts,
                             "handle": [f"handle{k}" for k in range(n_acc)]}), folder / "accounts.parquet")
    names = _GROUPS + ("people",)
    return {a: names[x] for a, x in zip(accounts.tolist(), group.tolist())}, set(ids[variant].tolist())


def _child(case_dir: str, json_out: str | None) -> None:
    """One timed run in this fresh process: trace the story; print seconds and peak memory."""
    from trollscan.spread import trace_story
    from trollscan.store import open_case

    with open_case(Path(case_dir)) as case:
        started = time.perf_counter()
        result = trace_story(case, ["Kordai"])
        seconds = time.perf_counter() - started
        if json_out:
            Path(json_out).write_text(json.dumps(result, ensure_ascii=False, default=str), encoding="utf-8")
    print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "items": result["summary"]["items"]}))


def big_story(n_items: int, repeat: int, scratch: Path) -> dict:
    from trollscan.ingest import ingest_files
    from trollscan.store import init_case

    folder = scratch / f"story-{n_items}"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "input").mkdir(parents=True)
    started = time.perf_counter()
    truth, planted = write_story(folder / "input", n_items)
    written = time.perf_counter() - started
    started = time.perf_counter()
    with init_case(folder / "case", tz="Asia/Almaty") as case:
        ingest_files(case, sorted((folder / "input").iterdir()))
        follows = case.con.execute("SELECT account_id, other_id FROM relations").fetchall()
    ingested = time.perf_counter() - started
    runs = []
    for k in range(repeat):
        out = folder / "result.json" if k == 0 else None
        proc = subprocess.run([sys.executable, __file__, "--child", str(folder / "case")]
                              + (["--child-json", str(out)] if out else []), capture_output=True, text=True, check=True)
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    result = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    ari, base = _ari_figures(result, truth, follows)
    near = {i for i, m in zip(result["cascade"]["item_id"], result["cascade"]["match"]) if m == "near-duplicate"}
    shutil.rmtree(folder, ignore_errors=True)
    secs = [r["seconds"] for r in runs]
    return {"items": runs[0]["items"], "spreaders": result["summary"]["accounts"], "groups": len(result["groups"]),
            "first_poster_rank": result["first_posters"].index("u0") + 1 if "u0" in result["first_posters"] else None,
            "ari": ari, "ari_follow_baseline": base, "write_s": written, "ingest_s": ingested,
            "near_planted": len(planted), "near_found": len(near),
            "near_precision": len(near & planted) / len(near) if near else None,
            "near_recall": len(near & planted) / len(planted) if planted else None,
            "min_s": min(secs), "median_s": statistics.median(secs), "peak_mb": max(r["peak_mb"] for r in runs)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", default="0.3,1")
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--story-items", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scratch", type=Path, default=Path("/tmp/spread-bench"))
    ap.add_argument("--child")
    ap.add_argument("--child-json")
    args = ap.parse_args()
    if args.child:
        _child(args.child, args.child_json)
        return
    args.scratch.mkdir(parents=True, exist_ok=True)
    scales = [float(s) for s in args.scales.split(",") if s]
    seeds = [int(s) for s in args.seeds.split(",") if s]
    print("Spread preset: planted first poster and spreader groups")
    print(f"{'scale':>6} {'seed':>5} {'items':>7} {'spreaders':>9} {'groups':>6} {'first rank':>10} {'sure':>7} "
          f"{'ARI':>6} {'ARI follow':>10} {'seconds':>8}  matched by")
    for r in preset_rows(scales, seeds, args.scratch):
        print(f"{r['scale']:>6} {r['seed']:>5} {r['items']:>7,} {r['spreaders']:>9,} {r['groups']:>6} "
              f"{r['first_poster_rank']!s:>10} {r['sure']:>7} {r['ari']:>6.3f} {r['ari_follow_baseline']:>10.3f} "
              f"{r['seconds']:>8.2f}  {r['matched_by']}")
    if args.story_items:
        print(f"\nA story of {args.story_items:,} items (canonical Parquet), {args.repeat} runs in fresh processes")
        r = big_story(args.story_items, args.repeat, args.scratch)
        print(f"{'items':>9} {'spreaders':>9} {'groups':>6} {'first rank':>10} {'ARI':>6} {'ARI follow':>10} "
              f"{'write s':>8} {'ingest s':>8} {'min s':>7} {'median s':>8} {'peak MB':>8}")
        print(f"{r['items']:>9,} {r['spreaders']:>9,} {r['groups']:>6} {r['first_poster_rank']!s:>10} {r['ari']:>6.3f} "
              f"{r['ari_follow_baseline']:>10.3f} {r['write_s']:>8.1f} {r['ingest_s']:>8.1f} {r['min_s']:>7.1f} "
              f"{r['median_s']:>8.1f} {r['peak_mb']:>8,.0f}")
        print(f"Near-duplicates without the query word: {r['near_planted']:,} planted, {r['near_found']:,} found, "
              f"precision {r['near_precision']}, recall {r['near_recall']}")


if __name__ == "__main__":
    main()
