"""Photo matching: accuracy on stolen copies and hard negatives, hashing speed, index query speed.

    python bench/photos.py [--subjects 150] [--repeats 3] [--stored 1000000] [--index-only]

The benchmark set is drawn by bench/photo_set.py (procedural photos: no real photographs offline).
Gallery: one original photo per subject. Queries: a copy of each original under every transform of
photo_set.TRANSFORMS (must match its original), two other photos of the same person in the same kind
of place (hard negatives: must match nothing) and photos of people outside the gallery (must match
nothing). A method's answer per query is its closest gallery photo within its threshold, or none.
Precision = right answers / answers given; recall = copies matched to their own original.

Compared in the same run: PDQ alone (the whole picture, 31 bits), PDQ with its dihedral variants,
trollscan (dihedral PDQ + low-frequency hashes of crop views + alignment of candidates, angle
included), and
imagededup's PHash, DHash, WHash and AHash (64 bits, its default threshold of 10). imagededup is
imported without its CNN module (which needs torch): `pip install --no-deps imagededup pywavelets
scikit-learn tqdm` is enough for its hashing.

Also measured: incremental matching (the set less a tenth of the queries is matched, then the whole
set with the decisions of that run, as a scan after new photos does: time and pairs checked), a
sanity check on the two real photographs scikit-learn ships (their copies must match; other parts of
the same photograph, overlapping it by 5-25 %, must not), and hashing speed in images per second of
wall time and of CPU time (on a shared machine the CPU figure is the steadier one).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import os
import pathlib
import statistics
import sys
import time
import types
from collections import defaultdict

import numpy as np
from PIL import Image

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import photo_set  # noqa: E402

from trollscan.photos import HammingIndex, decode, hash_image, match_images, pairs_decided  # noqa: E402
from trollscan.photos.hashing import hamming  # noqa: E402


def _imagededup() -> dict:
    """imagededup's hashing classes, without importing its torch-based CNN module."""
    try:
        root = pathlib.Path(importlib.import_module("imagededup").__file__).parent
    except ImportError:
        return {}
    for sub in ("methods", "utils"):
        if f"imagededup.{sub}" not in sys.modules:
            pkg = types.ModuleType(f"imagededup.{sub}")
            pkg.__path__ = [str(root / sub)]
            sys.modules[f"imagededup.{sub}"] = pkg
    hashing = importlib.import_module("imagededup.methods.hashing")
    return {name: getattr(hashing, name)(verbose=False) for name in ("PHash", "DHash", "WHash", "AHash")}


def build_set(subjects: int, seed: int) -> tuple[dict, list[tuple[str, bytes, int | None, str]]]:
    """Gallery {subject: jpeg} and queries [(name, jpeg, true subject or None, kind)]."""
    gallery, queries = {}, []
    for s in range(subjects):
        img = photo_set.original(s, seed)
        gallery[s] = photo_set.jpeg(img, 90)
        for t in photo_set.TRANSFORMS:
            copy, quality = photo_set.copy(img, t, s, seed)
            queries.append((f"{s}:{t}", photo_set.jpeg(copy, quality), s, t))
        for shot in (1, 2):
            queries.append((f"{s}:shot{shot}", photo_set.jpeg(photo_set.same_subject(s, shot, seed), 88), None,
                            "same person, other photo"))
    for s in range(subjects, subjects + subjects // 2):
        queries.append((f"{s}:outside", photo_set.jpeg(photo_set.original(s, seed), 88), None, "not in gallery"))
    return gallery, queries


def _score(answers: dict[str, int | None], queries: list) -> dict:
    given = right = copies = 0
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name, _data, truth, kind in queries:
        got = answers.get(name)
        if got is not None:
            given += 1
            right += got == truth
        if truth is not None:
            copies += 1
            per_kind[kind][0] += got == truth
        per_kind[kind][1] += 1 if truth is not None else got is not None
    out = {"precision": right / given if given else 1.0, "recall": right / copies}
    for kind, (hit, n) in per_kind.items():
        out[kind] = hit / n if n else 0.0
    return out


def _best(dist: np.ndarray, threshold: int) -> int | None:
    j = int(np.argmin(dist))
    return j if dist[j] <= threshold else None


def pdq_methods(gallery: dict, queries: list) -> dict[str, dict]:
    g = [hash_image("g", data)[0] for data in gallery.values()]
    qh = [hash_image("q", data)[0].hashes["pdq:0"] for _, data, _, _ in queries]
    plain = np.array([[hamming(q, x.hashes["pdq:0"]) for x in g] for q in qh])
    variants = [[x.hashes[f"pdq:{k}"] for k in range(8)] for x in g]
    dihedral = np.array([[min(hamming(q, v) for v in vs) for vs in variants] for q in qh])
    keys = list(gallery)
    out = {}
    for name, dist in (("PDQ alone", plain), ("PDQ + dihedral", dihedral)):
        answers = {}
        for (qname, *_), row in zip(queries, dist):
            b = _best(row, 31)
            answers[qname] = None if b is None else keys[b]
        out[name] = _score(answers, queries)
    return out


def _hashed(gallery: dict, queries: list) -> tuple[list, list, list, list]:
    images, decoded, side, owner = [], [], [], []
    for s, data in gallery.items():
        h, d = hash_image(hashlib.sha256(data).hexdigest(), data)
        images.append(h), decoded.append(d), side.append(1), owner.append(s)
    for name, data, _truth, _kind in queries:
        h, d = hash_image(hashlib.sha256(data).hexdigest(), data)
        images.append(h), decoded.append(d), side.append(0), owner.append(name)
    return images, decoded, side, owner


def _answers(m, images: list, side: list, owner: list) -> dict:
    index = {h.key: n for n, h in enumerate(images)}
    best: dict[str, tuple[int, int]] = {}
    for r in m.to_pylist():
        a, b = index[r["sha_a"]], index[r["sha_b"]]
        q, g = (a, b) if side[a] == 0 else (b, a)
        if owner[q] not in best or r["distance"] < best[owner[q]][0]:
            best[owner[q]] = (r["distance"], owner[g])
    return {k: v[1] for k, v in best.items()}


def trollscan_method(gallery: dict, queries: list) -> tuple[dict, float, int, dict]:
    """Scores, matching seconds, pairs kept; and the incremental run's figures."""
    images, decoded, side, owner = _hashed(gallery, queries)
    started = time.perf_counter()
    m, checked = match_images(images, lambda i: decoded[i], sides=side, skip_within=(0, 1))
    seconds = time.perf_counter() - started
    # incremental: all but the last tenth of the queries first, then everything with what that run decided
    first = len(gallery) + len(queries) * 9 // 10
    t = time.perf_counter()
    _, part = match_images(images[:first], lambda i: decoded[i], sides=side[:first], skip_within=(0, 1))
    part_s = time.perf_counter() - t
    t = time.perf_counter()
    m2, new = match_images(images, lambda i: decoded[i], sides=side, skip_within=(0, 1), known=part)
    incremental = {"added": len(images) - first, "seconds": time.perf_counter() - t, "checked": pairs_decided(new),
                   "first_seconds": part_s, "first_checked": pairs_decided(part), "full_checked": pairs_decided(checked),
                   "same": _score(_answers(m2, images, side, owner), queries) == _score(_answers(m, images, side, owner),
                                                                                       queries)}
    return _score(_answers(m, images, side, owner), queries), seconds, m.num_rows, incremental


def real_photos() -> list[tuple[str, str, str]]:
    """(photo, what, result) for scikit-learn's two sample photographs, when scikit-learn is installed."""
    try:
        from sklearn.datasets import load_sample_images
    except ImportError:
        return []
    gallery, queries = {}, []
    for n, pixels in enumerate(load_sample_images().images):
        img = Image.fromarray(pixels)
        w, h = img.size
        original = img.crop((0, 0, int(w * 0.55), h))
        gallery[n] = photo_set.jpeg(original, 90)
        for t in photo_set.TRANSFORMS:
            copy, quality = photo_set.copy(original, t, n, 1)
            queries.append((f"{n}:{t}", photo_set.jpeg(copy, quality), n, t))
        for k, (left, top, right, bottom) in enumerate(((0.45, 0, 1, 1), (0.3, 0, 0.85, 1), (0.5, 0.1, 1, 0.9))):
            part = img.crop((int(w * left), int(h * top), int(w * right), int(h * bottom)))
            queries.append((f"{n}:part{k}", photo_set.jpeg(part, 88), None, f"another part ({0.55 - left:.0%} overlap)"))
    images, decoded, side, owner = _hashed(gallery, queries)
    m, _ = match_images(images, lambda i: decoded[i], sides=side, skip_within=(0, 1))
    answers = _answers(m, images, side, owner)
    names = ("china.jpg", "flower.jpg")
    out = []
    for name, _data, truth, kind in queries:
        got = answers.get(name)
        verdict = ("found" if got == truth else "MISSED") if truth is not None else \
            ("no match (right)" if got is None else "WRONG MATCH")
        out.append((names[int(name.split(":")[0])], kind, verdict))
    return out


def imagededup_methods(gallery: dict, queries: list) -> dict[str, dict]:
    out = {}
    for name, method in _imagededup().items():
        def code(data: bytes, method=method) -> int:
            arr = np.asarray(Image.open(__import__("io").BytesIO(data)).convert("RGB"))
            return int(method.encode_image(image_array=arr), 16)
        g = np.array([code(d) for d in gallery.values()], dtype=np.uint64)
        keys = list(gallery)
        answers = {}
        for qname, data, _t, _k in queries:
            b = _best(np.bitwise_count(g ^ np.uint64(code(data))), 10)
            answers[qname] = None if b is None else keys[b]
        out[f"imagededup {name}"] = _score(answers, queries)
    return out


def hashing_speed(blobs: list[bytes], repeats: int) -> dict[str, tuple[float, float, float]]:
    """Images per second (min and median over repeats, wall time) and per CPU-second (median), one
    process, decoding included."""
    def pdq_full(data: bytes) -> None:
        import pdqhash
        pdqhash.compute(np.asarray(Image.open(__import__("io").BytesIO(data)).convert("RGB")))

    methods = {"trollscan (decode + 8 PDQ + 26 low hashes)": lambda d: hash_image("k", d),
               "decode only (trollscan guards)": decode, "PDQ alone, full resolution (pdqhash)": pdq_full}
    for name, method in _imagededup().items():
        methods[f"imagededup {name}"] = lambda d, m=method: m.encode_image(
            image_array=np.asarray(Image.open(__import__("io").BytesIO(d)).convert("RGB")))
    out = {}
    for name, fn in methods.items():
        rates, cpu = [], []
        for _ in range(repeats):
            t, c = time.perf_counter(), time.process_time()
            for data in blobs:
                fn(data)
            rates.append(len(blobs) / (time.perf_counter() - t))
            cpu.append(len(blobs) / max(time.process_time() - c, 1e-9))
        out[name] = (min(rates), statistics.median(rates), statistics.median(cpu))
    return out


def index_speed(real: np.ndarray, n: int, repeats: int) -> list[tuple[str, float, float, float]]:
    """ms per query (min, median over repeats) for 1M stored hashes, by index kind, and the codes
    compared per query."""
    rng = np.random.default_rng(1)
    rows = []
    for n_bytes, radius, label in ((32, 31, "PDQ 256 bits, radius 31"), (8, 14, "low 64 bits, radius 14"),
                                   (8, 16, "low 64 bits, radius 16 (the default max_low_distance)")):
        stored = rng.integers(0, 256, (n, n_bytes), dtype=np.uint8)
        if n_bytes == 32:
            stored[: len(real)] = real
        index = HammingIndex(n_bytes)
        t = time.perf_counter()
        index.add(stored, np.arange(n))
        build = time.perf_counter() - t
        queries = stored[rng.integers(0, n, 200)] ^ (rng.integers(0, 256, (200, n_bytes), dtype=np.uint8)
                                                     & rng.integers(0, 256, (200, n_bytes), dtype=np.uint8)
                                                     & rng.integers(0, 256, (200, n_bytes), dtype=np.uint8))
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            index.search(queries, radius)
            times.append((time.perf_counter() - t) / len(queries) * 1e3)
        rows.append((f"{label}: index ({n:,} stored, built in {build:.1f} s)", min(times), statistics.median(times)))
        rows[-1] = rows[-1][:1] + (min(times), statistics.median(times), getattr(index, "checked", float("nan")) / len(queries))
        if n_bytes == 32 or radius == 16:
            t = time.perf_counter()
            for q in queries[:20]:
                np.bitwise_count(np.bitwise_xor(stored, q)).sum(axis=1)
            ms = (time.perf_counter() - t) / 20 * 1e3
            rows.append((f"{label}: numpy brute force", ms, ms, n))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=150)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stored", type=int, default=1_000_000)
    parser.add_argument("--index-only", action="store_true", help="Only time the index (random codes).")
    args = parser.parse_args()
    if args.index_only:
        print("| query | ms/query min | ms/query median | codes compared per query |\n|---|---|---|---|")
        for name, lo, med, checked in index_speed(np.zeros((0, 32), np.uint8), args.stored, args.repeats):
            print(f"| {name} | {lo:.2f} | {med:.2f} | {checked:,.0f} |")
        return
    t = time.perf_counter()
    gallery, queries = build_set(args.subjects, args.seed)
    copies = sum(q[2] is not None for q in queries)
    print(f"Benchmark set: {len(gallery)} gallery photos, {len(queries)} queries ({copies} copies, "
          f"{len(queries) - copies} that must not match); drawn in {time.perf_counter() - t:.0f} s\n")
    print(f"Load average at the start: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1 / 5 / 15 min)\n")
    results = pdq_methods(gallery, queries)
    scores, match_s, pairs, incremental = trollscan_method(gallery, queries)
    results["trollscan"] = scores
    results.update(imagededup_methods(gallery, queries))
    kinds = list(photo_set.TRANSFORMS) + ["same person, other photo", "not in gallery"]
    print("| method | precision | recall | " + " | ".join(kinds) + " |")
    print("|---" * (3 + len(kinds)) + "|")
    for name, r in results.items():
        print(f"| {name} | {r['precision']:.3f} | {r['recall']:.3f} | " + " | ".join(f"{r.get(k, 0):.2f}" for k in kinds)
              + " |")
    print("\n(per transform: share of copies matched to their original; for the two negative kinds: share "
          "wrongly matched)")
    inc = incremental
    print(f"\ntrollscan matching of all {len(gallery) + len(queries)} images (candidates + alignment): "
          f"{match_s:.1f} s, {inc['full_checked']} pairs decided, {pairs} kept. Incremental: the set less "
          f"{inc['added']} queries took {inc['first_seconds']:.1f} s ({inc['first_checked']} pairs decided); adding "
          f"them with those decisions took {inc['seconds']:.1f} s and decided {inc['checked']} pairs "
          f"(answers {'the same as' if inc['same'] else 'DIFFERENT from'} the full run)")
    photographs = real_photos()
    if photographs:
        print("\n| real photograph (scikit-learn sample) | query | result |\n|---|---|---|")
        for name, kind, verdict in photographs:
            print(f"| {name} | {kind} | {verdict} |")
    blobs = [q[1] for q in queries[:300]]
    print("\n| hashing, one process | images/s min | images/s median | images per CPU-second, median |\n"
          "|---|---|---|---|")
    for name, (lo, med, cpu) in hashing_speed(blobs, args.repeats).items():
        print(f"| {name} | {lo:.0f} | {med:.0f} | {cpu:.0f} |")
    real = np.stack([np.frombuffer(hash_image("k", q[1])[0].hashes["pdq:0"], np.uint8) for q in queries[:500]])
    print("\n| query | ms/query min | ms/query median | codes compared per query |\n|---|---|---|---|")
    for name, lo, med, checked in index_speed(real, args.stored, args.repeats):
        print(f"| {name} | {lo:.2f} | {med:.2f} | {checked:,.0f} |")
    print(f"\nLoad average at the end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1 / 5 / 15 min)")


if __name__ == "__main__":
    main()
