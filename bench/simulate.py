"""Simulator speed and output size per scale.

    python bench/simulate.py [--scales 1,10,100] [--preset nurbots] [--images-up-to 10] [--workers N]

Each run writes a case to a scratch folder in a separate process (so peak memory is per run) and
the table gives: accounts, fake accounts, items, relations, image files, output size (all files,
and the image files alone), seconds, accounts per second and the process's peak resident memory.
Images are drawn for scales up to --images-up-to (default 10, as `simulate` does); above it the
media rows carry URLs and no files are written.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_CHILD = """
import json, sys, time
from pathlib import Path
from trollscan.simulate import simulate
out, preset, scale, images, workers = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4] == "1", sys.argv[5]
t = time.perf_counter()
s = simulate(Path(out), preset=preset, seed=1, scale=scale, images=images,
             workers=None if workers == "auto" else int(workers))
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "accounts": s.accounts, "fake": s.fake_accounts, "rows": s.rows,
                  "images": s.images, "image_bytes": s.image_bytes, "total_bytes": s.total_bytes}))
"""


def run(preset: str, scale: float, images: bool, workers: str, scratch: Path) -> dict:
    out = scratch / f"{preset}-{scale:g}"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "-c", _CHILD, str(out), preset, str(scale), "1" if images else "0",
                           workers], capture_output=True, text=True)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(["rm", "-rf", str(out)], check=True)
    if done.returncode != 0:  # e.g. killed for memory (-9): say so in the table, go on with the others
        print(done.stderr[-2000:], file=sys.stderr)
        return {"failed": done.returncode}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["peak_mb"] = max(peak_kb, before) / 1024  # max over the children so far (runs go smallest first)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--preset", default="nurbots")
    parser.add_argument("--images-up-to", type=float, default=10.0)
    parser.add_argument("--workers", default="auto", help="processes drawing photos (default: one per CPU)")
    parser.add_argument("--scratch", default=None, help="folder for the outputs (default: a temporary one)")
    args = parser.parse_args()
    scales = sorted(float(s) for s in args.scales.split(","))
    header = ("scale", "accounts", "fake", "items", "relations", "images", "size MB", "images MB", "seconds",
              "accounts/s", "peak MB")
    rows = []
    with tempfile.TemporaryDirectory(dir=args.scratch) as tmp:
        for scale in scales:
            images = scale <= args.images_up_to
            started = time.perf_counter()
            r = run(args.preset, scale, images, args.workers, Path(tmp))
            if "failed" in r:
                rows.append((f"{scale:g}", *["-"] * 9, f"failed ({r['failed']})"))
                continue
            rows.append((f"{scale:g}", f"{r['accounts']:,}", f"{r['fake']:,}", f"{r['rows']['items']:,}",
                         f"{r['rows']['relations']:,}", f"{r['images']:,}" if images else "off",
                         f"{r['total_bytes'] / 1e6:,.1f}", f"{r['image_bytes'] / 1e6:,.1f}", f"{r['seconds']:.1f}",
                         f"{r['accounts'] / r['seconds']:,.0f}", f"{r['peak_mb']:,.0f}"))
            print(f"scale {scale:g} done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print(f"preset {args.preset}, seed 1; images drawn up to scale {args.images_up_to:g}")
    print("  ".join(h.rjust(w) for h, w in zip(header, widths)))
    for r in rows:
        print("  ".join(v.rjust(w) for v, w in zip(r, widths)))


if __name__ == "__main__":
    main()
