"""What each bad input gives: the message a user sees, and whether the case stayed as it was.

    python bench/bad_inputs.py

Writes each bad file (canonical tables and every platform format) into a scratch folder, loads it
into a case that already holds one good file, and prints one row per input: the input, the first
line of the error (or the load's summary when it loads), and whether the case's rows are exactly
what they were before (an error must change nothing). Not timed: this is the list issues 2 and 9
ask for, kept runnable so it stays true.
"""

from __future__ import annotations

import argparse
import gzip
import json
import lzma
import tempfile
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from trollscan.errors import TrollscanError
from trollscan.ingest import ingest_files
from trollscan.store import init_case
from trollscan.store.schema import TABLES

GOOD = "platform,item_id,kind,account_id,created_at,text\nvk,1,post,10,2019-02-07T10:00:00,Привет\n"
HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)> \u202eevil\u202c'


def _write(name: str, data: str | bytes, encoding: str = "utf-8") -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
        return path
    return make


def _bomb(folder: Path) -> Path:
    path = folder / "items.csv.gz"
    with gzip.open(path, "wb", compresslevel=9) as f:
        f.write(GOOD.encode())
        line = b"vk,2,post,10,2019-02-07T10:00:00," + b"a" * 1000 + b"\n"
        for _ in range(2_100_000):  # 2 GB of text in a 2 MB file
            f.write(line)
    return path


def _parquet_truncated(folder: Path) -> Path:
    path = folder / "items.parquet"
    pq.write_table(pa.table({"platform": ["vk"] * 1000, "item_id": [str(i) for i in range(1000)],
                             "kind": ["post"] * 1000, "account_id": ["1"] * 1000}), path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


def _parquet_wrong_type(folder: Path) -> Path:
    path = folder / "items.parquet"
    pq.write_table(pa.table({"platform": ["vk"], "item_id": ["1"], "kind": ["post"], "account_id": ["1"],
                             "created_at": [3.5e30]}), path)
    return path


def _xz_truncated(folder: Path) -> Path:
    sub = folder / "aisulu"
    sub.mkdir()
    path = sub / "2019-02-07_10-15-00_UTC.json.xz"
    data = lzma.compress(json.dumps({"node": {"id": "1", "shortcode": "B", "owner": {"id": "5"}},
                                     "instaloader": {"node_type": "Post"}}).encode())
    path.write_bytes(data[: len(data) // 2])
    return path


def _without_user_name() -> str:
    """The golden CrowdTangle Instagram export with its first post's User Name emptied."""
    golden = Path(__file__).resolve().parents[1] / "tests" / "golden" / "crowdtangle_instagram" / "input"
    header, first, *rest = next(golden.iterdir()).read_text(encoding="utf-8").splitlines()
    cells = first.split(",")
    cells[1] = ""
    return "\n".join([header, ",".join(cells), *rest]) + "\n"


def _dir(name: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        (folder / name).mkdir()
        return folder / name
    return make


CASES: list[tuple[str, Callable[[Path], Path]]] = [
    ("a path that does not exist", lambda folder: folder / "nowhere.csv"),
    ("an empty folder", _dir("empty")),
    ("an empty file", _write("items.csv", "")),
    ("an unknown format (a PNG named .csv)", _write("items.csv", b"\x89PNG\r\n\x1a\n" + bytes(200))),
    ("a CSV without a required column (account_id)",
     _write("items.csv", "platform,item_id,kind,created_at\nvk,1,post,2019-02-07\n")),
    ("a renamed column (author for account_id)",
     _write("items.csv", "platform,item_id,kind,author\nvk,1,post,10\n")),
    ("a bad date", _write("items.csv", "platform,item_id,kind,account_id,created_at\nvk,1,post,1,31/02/2019 25:61\n")),
    ("a platform that is not one", _write("items.csv", "platform,item_id,kind,account_id\nmyspace,1,post,1\n")),
    ("one id for two different items",
     _write("items.csv", "platform,item_id,kind,account_id\nvk,7,post,1\nvk,7,comment,2\n")),
    ("a row with too many fields", _write("items.csv", "platform,item_id,kind,account_id\nvk,1,post,1,extra,more\n")),
    ("a cp1251 file (loads: Cyrillic decoded)",
     _write("items.csv", "platform,item_id,kind,account_id,text\nvk,5,post,1,\"Привет, мир\"\n", "cp1251")),
    ("UTF-8 and cp1251 mixed in one file",
     lambda folder: _write("items.csv", "platform,item_id,kind,account_id,text\nvk,5,post,1,Привет\n".encode()
                           + "vk,6,post,1,Привет\n".encode("cp1251"))(folder)),
    ("a 2 MB field (the limit is 1 MB)",
     _write("items.csv", "platform,item_id,kind,account_id,text\nvk,5,post,1," + "я" * (1 << 20) + "\n")),
    ("hostile text: script tags, event handlers, RTL override (loads as text)",
     _write("items.csv", f'platform,item_id,kind,account_id,text\nvk,9,post,"{HOSTILE}","{HOSTILE}"\n')),
    ("a gzip bomb (2 MB expanding to 2 GB)", _bomb),
    ("a truncated gzip file", lambda folder: _write("items.csv.gz", gzip.compress(GOOD.encode() * 50)[:60])(folder)),
    ("truncated JSON Lines", _write("items.jsonl", '{"platform": "vk", "item_id": "1", "kind": "post", '
                                    '"account_id": "1"}\n{"platform": "vk", "item_')),
    ("a damaged (truncated) Parquet file", _parquet_truncated),
    ("a Parquet time far out of range", _parquet_wrong_type),
    ("a twarc2 line that is not JSON", _write("tweets.jsonl", '{"data": [{"id": "1", "text": "x"}]}\nnot json\n')),
    ("a truncated Telegram result.json", _write("result.json", '{"name": "chat", "type": "public_supergroup", '
                                                 '"id": 1, "messages": [{"id": 1, "type": "message", "date": "2019')),
    ("a VK API error envelope",
     _write("wall.json", '{"error": {"error_code": 15, "error_msg": "Access denied: wall is disabled"}}\n')),
    ("a Zeeschuimer capture line without its data",
     _write("zeeschuimer-export.ndjson", '{"nav_index": "1:1:1", "item_id": "1", "timestamp_collected": 1, '
                                         '"source_platform": "tiktok.com", "source_platform_url": "x"}\n')),
    ("a truncated Instaloader .json.xz", _xz_truncated),
    ("a CrowdTangle Instagram CSV row without a User Name",
     lambda folder: _write("ct-instagram.csv", _without_user_name())(folder)),
    ("an X/Twitter IO archive with a bad tweet_time",
     _write("io_tweets.csv", "tweetid,userid,user_screen_name,tweet_text,tweet_time,is_retweet\n"
                             "1,u1,bot,hello,yesterday,False\n")),
    ("an XLSX sheet that is not a zip", _write("accounts.xlsx", b"PK\x03\x04 this is not a workbook")),
]


def _counts(case) -> dict[str, int]:
    return {t: case.con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}


def run(folder: Path) -> list[tuple[str, str, bool]]:
    rows = []
    for i, (what, make) in enumerate(CASES):
        work = folder / f"c{i}"
        work.mkdir()
        good = work / "good.csv"
        good.write_text(GOOD, encoding="utf-8")
        case = init_case(work / "case")
        ingest_files(case, [good])
        before = _counts(case)
        try:
            summary = ingest_files(case, [make(work)])
            skipped = {k: v for f in summary.files for k, v in f.skipped.items()}
            said = (f"loaded: {dict(summary.added)}" + (f"; skipped: {skipped}" if skipped else "")
                    + (f"; {summary.notes[0]}" if summary.notes else ""))
            unchanged = None
        except TrollscanError as exc:
            said = exc.message.replace(str(work) + "/", "") + (f" Hint: {exc.hint}" if exc.hint else "")
            unchanged = _counts(case) == before
        case.close()
        rows.append((what, said.splitlines()[0][:300], unchanged))
    return rows


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    with tempfile.TemporaryDirectory(prefix="trollscan-bad-") as tmp:
        rows = run(Path(tmp))
    print("| input | what trollscan said | case unchanged |")
    print("| --- | --- | --- |")
    for what, said, unchanged in rows:
        mark = "n/a (loaded)" if unchanged is None else ("yes" if unchanged else "**NO**")
        print(f"| {what} | {said.replace('|', '/')} | {mark} |")


if __name__ == "__main__":
    main()
