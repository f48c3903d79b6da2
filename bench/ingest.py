"""Ingest speed and peak memory per format.

    python bench/ingest.py [--sizes 1000000] [--repeat 3] [--formats parquet,csv,jsonl,io-archive]
    python bench/ingest.py --formats vk,zeeschuimer,crowdtangle,mcl,instaloader

The platform formats (issue 9) are written from the same synthetic items, in each tool's shape: VK
wall.get pages of 100 posts with their authors' profiles (one response per line), Zeeschuimer TikTok
captures (one video to four comments), CrowdTangle's Facebook CSV (all 40 dashboard columns), Meta
Content Library posts CSV, and an Instaloader folder (one post with 249 comments per post file pair,
so "rows" counts posts and comments).

Writes synthetic items (heavy-tailed authors, Cyrillic text, hashtags and URLs) in each format to
a scratch folder, then loads each file into a fresh case in a separate process, `--repeat` times,
(the row `floor` is DuckDB alone inserting the Parquet file's rows, unchecked: the engine's limit),
and prints a table: rows, file size, seconds (min / median), items per second (at the median run),
and the process's peak resident memory (max over runs). Peak memory should not grow with the
file: compare two sizes with --sizes 500000,1000000.
"""

from __future__ import annotations

import argparse
import csv
import json
import lzma
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
    files: dict[str, Path] = {}
    for fmt, (name, writer) in PLATFORM_WRITERS.items():
        if fmt in formats:
            files[fmt] = folder / name.format(n=n)
            writer(files[fmt], n)
    if not {"parquet", "csv", "jsonl", "io-archive"} & set(formats):
        return files
    rows = list(_rows(n))
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


def _vk(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        page: list[dict] = []
        for i, r in enumerate(_rows(n)):
            post = {"id": i + 1, "owner_id": -(int(r["target_id"][4:]) + 1), "from_id": int(r["account_id"]),
                    "date": int(datetime.fromisoformat(r["created_at"]).timestamp()), "post_type": "post",
                    "text": r["text"] + "".join(f" #{t}" for t in r["hashtags"]),
                    "likes": {"count": r["like_count"]}, "comments": {"count": 0}, "reposts": {"count": 0},
                    "post_source": {"type": "api" if i % 3 else "vk"}}
            if i % 5 == 0:
                post["attachments"] = [{"type": "photo", "photo": {"sizes": [
                    {"url": f"https://sun9-1.userapi.com/impg/{i}.jpg", "width": 604, "height": 453}]}}]
            page.append(post)
            if len(page) == 100:
                _vk_page(f, page)
                page = []
        if page:
            _vk_page(f, page)


def _vk_page(f, page: list[dict]) -> None:
    authors = sorted({p["from_id"] for p in page})
    profiles = [{"id": a, "first_name": "Айсулу", "last_name": f"N{a}", "screen_name": f"aisulu_{a}",
                 "photo_100": f"https://sun9-2.userapi.com/impg/a{a}.jpg"} for a in authors]
    f.write(json.dumps({"response": {"count": 10**6, "items": page, "profiles": profiles, "groups": []}},
                       ensure_ascii=False) + "\n")


def _zeeschuimer(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        video = None
        for i, r in enumerate(_rows(n)):
            when = int(datetime.fromisoformat(r["created_at"]).timestamp())
            user = {"uid": r["account_id"], "unique_id": f"user_{r['account_id']}", "nickname": "Дана"}
            if i % 5 == 0:
                video = r["item_id"]
                data = {"id": video, "desc": r["text"], "createTime": when,
                        "author": {"id": r["account_id"], "uniqueId": f"user_{r['account_id']}", "nickname": "Дана",
                                   "avatarThumb": f"https://p16.tiktokcdn.com/{r['account_id']}.jpeg"},
                        "stats": {"diggCount": r["like_count"], "shareCount": 0, "commentCount": 4, "playCount": 100},
                        "challenges": [{"title": t} for t in r["hashtags"]]}
                source = "tiktok.com"
            else:
                data = {"cid": r["item_id"], "aweme_id": video, "text": r["text"], "create_time": when,
                        "reply_id": "0", "digg_count": r["like_count"], "user": user}
                source = "tiktok-comments"
            f.write(json.dumps({"nav_index": "1:1:0", "item_id": r["item_id"], "timestamp_collected": 1700000000000,
                                "source_platform": source, "source_platform_url": "https://www.tiktok.com/",
                                "source_url": "https://www.tiktok.com/api/", "user_agent": "Firefox", "data": data},
                               ensure_ascii=False) + "\n")


_CT_COLUMNS = ["Page Name", "User Name", "Facebook Id", "Page Category", "Page Admin Top Country", "Page Description",
               "Page Created", "Likes at Posting", "Followers at Posting", "Post Created", "Post Created Date",
               "Post Created Time", "Type", "Total Interactions", "Likes", "Comments", "Shares", "Love", "Wow", "Haha",
               "Sad", "Angry", "Care", "Video Share Status", "Is Video Owner?", "Post Views", "Total Views",
               "Total Views For All Crossposts", "Video Length", "URL", "Message", "Link", "Final Link", "Image Text",
               "Link Text", "Description", "Sponsor Id", "Sponsor Name", "Sponsor Category", "Overperforming Score"]


def _crowdtangle(path: Path, n: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(_CT_COLUMNS)
        for i, r in enumerate(_rows(n)):
            page = r["account_id"]
            w.writerow(["Страница " + page, f"page{page}", page, "COMMUNITY", "KZ", "", "2012-03-01 09:00:00 ALMT",
                        "100", "120", r["created_at"] + " ALMT", r["created_at"][:10], r["created_at"][11:], "Status",
                        r["like_count"] + 2, r["like_count"], 1, 1, 0, 0, 0, 0, 0, 0, "", "", 0, 0, 0, "",
                        f"https://www.facebook.com/{page}/posts/{i + 10**15}", r["text"],
                        (r["urls"] or [""])[0], "", "", "", "", "", "", "", "1.0"])


def _mcl(path: Path, n: int) -> None:
    cols = ["id", "creation_time", "text", "lang", "post_owner.id", "post_owner.name", "post_owner.type",
            "surface.id", "surface.name", "surface.type", "statistics.reaction_count", "statistics.comment_count",
            "statistics.share_count", "statistics.views", "multimedia", "link_attachment.link", "match_type"]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(cols)
        for i, r in enumerate(_rows(n)):
            w.writerow([10**14 + i, r["created_at"].replace(" ", "T") + "+0000", r["text"], "ru", r["account_id"],
                        "Айсулу", "user", r["target_id"], "Страница", "page", r["like_count"], 0, 0, "", "[]",
                        (r["urls"] or [""])[0], "keyword"])


def _instaloader(folder: Path, n: int) -> None:
    """One post and 249 comments per pair of files (a busy official page), n items in all."""
    folder.mkdir()
    rows = _rows(n)
    for p in range(max(n // 250, 1)):
        post = next(rows)
        stamp = datetime(2019, 1, 1) + timedelta(minutes=p)
        stem = folder / stamp.strftime("%Y-%m-%d_%H-%M-%S_UTC")
        node = {"__typename": "GraphImage", "id": str(10**18 + p), "shortcode": f"B{p:010d}",
                "taken_at_timestamp": int(stamp.timestamp()), "owner": {"id": "51234567890", "username": "akimat"},
                "edge_media_to_caption": {"edges": [{"node": {"text": post["text"]}}]},
                "edge_media_preview_like": {"count": 10}, "edge_media_to_comment": {"count": 249},
                "display_url": f"https://scontent.cdninstagram.com/{p}_n.jpg", "is_video": False}
        stem.with_suffix(".json.xz").write_bytes(lzma.compress(json.dumps(
            {"node": node, "instaloader": {"version": "4.10.3", "node_type": "Post"}}).encode(), preset=1))
        comments = [{"id": c["item_id"][1:] or "0", "created_at": int(stamp.timestamp()) + k, "text": c["text"],
                     "owner": {"id": c["account_id"], "username": f"u{c['account_id']}",
                               "profile_pic_url": f"https://scontent.cdninstagram.com/p{c['account_id']}.jpg"},
                     "likes_count": 0, "answers": []}
                    for k, c in zip(range(249), rows)]
        (folder / f"{stem.name}_comments.json").write_text(json.dumps(comments, ensure_ascii=False), encoding="utf-8")


PLATFORM_WRITERS = {"vk": ("wall.get_{n}.jsonl", _vk), "zeeschuimer": ("tiktok_{n}.ndjson", _zeeschuimer),
                    "crowdtangle": ("crowdtangle_{n}.csv", _crowdtangle), "mcl": ("mcl_fb_posts_{n}.csv", _mcl),
                    "instaloader": ("instaloader_{n}", _instaloader)}


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

# The engine's floor for the same Parquet file: one INSERT of its rows into the items table, with no
# checks, no provenance, no de-duplication. What trollscan adds is the rest of the time.
_FLOOR = """
import json, sys, time
from pathlib import Path
from trollscan.store import init_case
case = init_case(Path(sys.argv[1]))
cols = [r[0] for r in case.con.execute("DESCRIBE items").fetchall()]
have = [r[0] for r in case.con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [sys.argv[2]]).fetchall()]
select = ", ".join("1" if c == "source_id" else "file_row_number + 1" if c == "source_record" else
                   c if c in have else "NULL" for c in cols)
t = time.perf_counter()
case.con.execute("BEGIN")
case.con.execute(f"INSERT INTO items SELECT {select} FROM read_parquet(?, file_row_number = true)", [sys.argv[2]])
case.con.execute("COMMIT")
seconds = time.perf_counter() - t
items = case.con.execute("SELECT count(*) FROM items").fetchall()[0][0]
case.close()
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "items": items, "peak_mb": hwm / 1024}))
"""


def measure(path: Path, repeat: int, scratch: Path, child: str = _CHILD) -> dict:
    runs = []
    for i in range(repeat):
        case = scratch / f"case_{path.stem}_{i}"
        out = subprocess.run([sys.executable, "-c", child, str(case), str(path)], capture_output=True,
                             text=True, check=True)
        *said, last = out.stdout.strip().splitlines()
        if said:
            print(f"# {path.name}: the child also printed {said[:3]}", file=sys.stderr)
        runs.append(json.loads(last))
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
            runs = [(fmt, path, _CHILD) for fmt, path in files.items()]
            if "parquet" in files:
                runs.append(("floor", files["parquet"], _FLOOR))
            for fmt, path, child in runs:
                m = measure(path, args.repeat, scratch, child)
                size = sum(p.stat().st_size for p in path.rglob("*")) if path.is_dir() else path.stat().st_size
                print(f"{fmt:<11} {m['items']:>9,} {size / 2**20:>8.1f} {m['min_s']:>7.2f} "
                      f"{m['median_s']:>9.2f} {m['items'] / m['median_s']:>10,.0f} {m['peak_mb']:>8.0f}",
                      flush=True)


if __name__ == "__main__":
    main()
