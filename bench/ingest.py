"""Ingest speed and peak memory per format.

    python bench/ingest.py [--sizes 1000000] [--repeat 3] [--formats parquet,csv,jsonl,io-archive]

Writes synthetic items (heavy-tailed authors, Cyrillic text, hashtags and URLs) in each format to
a scratch folder, then loads each file into a fresh case in a separate process, `--repeat` times,
and prints a table: rows, file size, seconds (min / median), items per second (at the median run),
and the process's peak resident memory (max over runs). Peak memory should not grow with the
file: compare two sizes with --sizes 500000,1000000.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

WORDS = ("спасибо фонду за заботу о молодёжи отличная работа так держать елбасы всегда думает о народе "
         "правильное решение поддерживаю полностью молодцы страна идёт вперёд рахмет бәрекелді жақсы").split()


def _rows(n: int, seed: int = 1):
    rnd = random.Random(seed)
    start = datetime(2019, 1, 1)
    for i in range(n):
        author = int(rnd.paretovariate(1.2)) % 200_000
        text = " ".join(rnd.choices(WORDS, k=rnd.randint(3, 14)))
        yield {
            "platform": "facebook",
            "item_id": f"c{i}",
            "kind": "comment" if i % 5 else "post",
            "account_id": f"1000{author}",
            "created_at": (start + timedelta(seconds=i * 7 + rnd.randint(0, 6))).isoformat(sep=" "),
            "parent_id": f"p{rnd.randint(0, n // 50)}",
            "target_id": f"page{rnd.randint(0, 300)}",
            "text": text,
            "hashtags": rnd.choice([[], [], ["нұротан"], ["kz", "елбасы"]]),
            "urls": rnd.choice([[], [], [], ["https://tengrinews.kz/news/1"]]),
            "like_count": rnd.randint(0, 40),
        }


def write_inputs(folder: Path, n: int, formats: list[str]) -> dict[str, Path]:
    rows = list(_rows(n))
    files: dict[str, Path] = {}
    if "parquet" in formats:
        files["parquet"] = folder / f"items_{n}.parquet"
        pq.write_table(pa.Table.from_pylist(rows), files["parquet"])
    if "csv" in formats:
        files["csv"] = folder / f"items_{n}.csv"
        with files["csv"].open("w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, list(rows[0]), lineterminator="\n")
            w.writeheader()
            for r in rows:
                w.writerow({**r, "hashtags": json.dumps(r["hashtags"], ensure_ascii=False),
                            "urls": json.dumps(r["urls"])})
    if "jsonl" in formats:
        files["jsonl"] = folder / f"items_{n}.jsonl"
        with files["jsonl"].open("w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    if "io-archive" in formats:
        files["io-archive"] = folder / f"io_archive_{n}.csv"
        cols = ["tweetid", "userid", "user_display_name", "user_screen_name", "user_reported_location",
                "user_profile_description", "user_profile_url", "follower_count", "following_count",
                "account_creation_date", "account_language", "tweet_language", "tweet_text", "tweet_time",
                "tweet_client_name", "in_reply_to_userid", "in_reply_to_tweetid", "quoted_tweet_tweetid",
                "is_retweet", "retweet_userid", "retweet_tweetid", "latitude", "longitude", "quote_count",
                "reply_count", "like_count", "retweet_count", "hashtags", "urls", "user_mentions",
                "poll_choices"]
        with files["io-archive"].open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(cols)
            for i, r in enumerate(rows):
                rt = i % 4 == 0
                w.writerow([i + 10**17, r["account_id"], "Айсулу", f"aisulu_{r['account_id']}", "Алматы", "",
                            "", 12, 40, "2018-08-03", "ru", "ru", r["text"], r["created_at"][:16],
                            "Twitter for Android", "", "", "", "True" if rt else "False",
                            "1000" if rt else "", str(i + 5) if rt else "", "absent", "absent", 0, 0,
                            r["like_count"], 0, "[" + ", ".join(r["hashtags"]) + "]",
                            "[" + ", ".join(r["urls"]) + "]", "[]", ""])
    return files


_CHILD = """
import json, sys, time
from pathlib import Path
from trollscan.store import init_case
from trollscan.ingest import ingest_files
case = init_case(Path(sys.argv[1]))
t = time.perf_counter()
summary = ingest_files(case, [Path(sys.argv[2])])
seconds = time.perf_counter() - t
case.close()
# VmHWM: this process's own peak resident memory (ru_maxrss would include the parent's, kept across exec)
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "items": summary.added.get("items", 0), "peak_mb": hwm / 1024}))
"""


def measure(path: Path, repeat: int, scratch: Path) -> dict:
    runs = []
    for i in range(repeat):
        case = scratch / f"case_{path.stem}_{i}"
        out = subprocess.run([sys.executable, "-c", _CHILD, str(case), str(path)], capture_output=True,
                             text=True, check=True)
        runs.append(json.loads(out.stdout))
        subprocess.run(["rm", "-rf", str(case)], check=True)
    secs = sorted(r["seconds"] for r in runs)
    return {"items": runs[0]["items"], "min_s": secs[0], "median_s": statistics.median(secs),
            "peak_mb": max(r["peak_mb"] for r in runs)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--formats", default="parquet,csv,jsonl,io-archive")
    ap.add_argument("--scratch", default=None, help="Folder for inputs and cases (default: a temp folder).")
    args = ap.parse_args()
    formats = args.formats.split(",")
    with tempfile.TemporaryDirectory(dir=args.scratch) as tmp:
        scratch = Path(tmp)
        print(f"{'format':<11} {'rows':>9} {'file MB':>8} {'min s':>7} {'median s':>9} "
              f"{'items/s':>10} {'peak MB':>8}")
        for n in map(int, args.sizes.split(",")):
            t = time.perf_counter()
            files = write_inputs(scratch, n, formats)
            print(f"# wrote {n:,} rows per format in {time.perf_counter() - t:.1f} s", file=sys.stderr)
            for fmt, path in files.items():
                m = measure(path, args.repeat, scratch)
                print(f"{fmt:<11} {m['items']:>9,} {path.stat().st_size / 2**20:>8.1f} {m['min_s']:>7.2f} "
                      f"{m['median_s']:>9.2f} {m['items'] / m['median_s']:>10,.0f} {m['peak_mb']:>8.0f}",
                      flush=True)


if __name__ == "__main__":
    main()
