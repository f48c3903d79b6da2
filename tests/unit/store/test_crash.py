"""A load killed at any moment leaves the case exactly as it was before the load."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trollscan.ingest import ingest_files
from trollscan.store import init_case, open_case

_LOADER = """
import sys, time
from pathlib import Path
from trollscan.store import open_case
from trollscan.ingest import ingest_files
marker = Path(sys.argv[3])
def progress(name, done, total):
    marker.touch()
    if sys.argv[4] == "pause":
        time.sleep(60)  # hold the transaction open, mid-file, until killed
with open_case(Path(sys.argv[1])) as case:
    ingest_files(case, [Path(sys.argv[2])], progress=progress)
marker.with_suffix(".done").touch()
"""


def _big_items(path: Path, n: int) -> Path:
    with path.open("w") as f:
        f.write("platform,item_id,kind,account_id,created_at,text\n")
        for i in range(n):
            f.write(f"vk,{i},comment,acc{i % 977},2019-02-07 10:{i % 60:02d}:00,text number {i}\n")
    return path


def _counts(root: Path) -> tuple[int, int, int]:
    with open_case(root) as case:
        return tuple(case.con.execute(
            "SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM sources), "
            "(SELECT count(*) FROM accounts)").fetchone())


@pytest.mark.parametrize("mode,delay_s", [("pause", 0.0), ("run", 0.5), ("run", 1.5)])
def test_a_killed_load_leaves_the_case_as_it_was(tmp_path: Path, mode: str, delay_s: float) -> None:
    root = tmp_path / "case"
    with init_case(root) as case:
        first = tmp_path / "accounts.csv"
        first.write_text("platform,account_id\nvk,acc1\n")
        ingest_files(case, [first])
    before = _counts(root)
    big = _big_items(tmp_path / "items.csv", 600_000)
    marker = tmp_path / "started"
    proc = subprocess.Popen([sys.executable, "-c", _LOADER, str(root), str(big), str(marker), mode])
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    time.sleep(delay_s)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    after = _counts(root)
    if marker.with_suffix(".done").exists():  # it committed before the kill
        assert after == (600_000, 2, 1)
    assert after in (before, (600_000, 2, 1))  # never in between (killed after COMMIT: all of it)
    # and the case still takes the same file afterwards
    with open_case(root) as case:
        ingest_files(case, [big])
    assert _counts(root) == (600_000, 2, 1)
