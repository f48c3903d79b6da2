"""Near-duplicate text families: speed and accuracy on planted paraphrase families, beside datasketch.

    python bench/text.py [--sizes 100000,1000000] [--peer-max 100000] [--repeats 3]

The corpus: background comments (5 to 16 words drawn Zipf-wise, short words commonest, from the words
of the simulator's Russian, Kazakh and Kyrgyz chatter and talking points) and planted families (30 %
of the texts, 2 to 60 members). A family's first text is a talking-point paraphrase from the
simulator (`farm_text`, the region's clients) plus six to twelve words of its own (content words: the
longer half of the vocabulary); each member
is that text with one to three edits: the operator's own typos (`operator_typos`), a random typo,
a particle inserted, a word dropped, two words swapped, a name addressed, look-alike Latin letters,
or only case, punctuation and emoji changed. Truth: the family each text was planted in.

Figures (pairwise, against the planted truth): precision = pairs grouped together that belong
together / pairs grouped together; recall = pairs that belong together and were grouped together /
pairs that belong together. "ceiling" is the recall exact verification of *every* pair inside each
planted family would reach at the same threshold: what any index can at best find.

Peers, on the same normalised texts and the same shingles: datasketch MinHashLSH (threshold 0.8,
the plain setting; and 0.5, indexed lower) with families as connected query results, and the 0.5
index with the same exact verification as trollscan. The peers' times leave out normalisation
(they start from normalised texts); trollscan's include it. "cpu s" is the process's CPU time (all
threads): on a shared machine it moves less than the wall-clock time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

import numpy as np
import pyarrow as pa
from rapidfuzz import fuzz, process

from trollscan.simulate.text import TALKING_POINTS, apply_typos, farm_text, operator_typos, organic_texts
from trollscan.text.families import connected_labels, text_families, verify_pairs
from trollscan.text.normalise import normalise_texts

_LATIN = str.maketrans({"а": "a", "о": "o", "е": "e", "с": "c", "р": "p", "х": "x", "у": "y"})
_PARTICLES = ["реально", "очень", "действительно", "честно", "правда", "конечно", "шынында", "чын эле",
              "безусловно", "по-моему", "ведь", "всё-таки", "просто", "вообще"]
_NAMES = ["Айгерим", "Нурлан", "Асель", "Бакыт", "Мээрим", "Ерлан", "Дана", "Улан", "Жанар", "Азамат"]


def vocabulary(seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    r = random.Random(seed)
    words: dict[str, None] = {}
    for text in organic_texts(rng, 20_000, ["ru", "kk", "ky"], [5, 2, 2]).to_pylist():
        words.update(dict.fromkeys(w.strip(".,!?:") for w in text.split()))
    for client in TALKING_POINTS:
        for _ in range(300):
            words.update(dict.fromkeys(w.strip(".,!?:") for w in farm_text(r, client).split()))
    return [w for w in words if len(w) > 1 and any(ch.isalpha() for ch in w)]


def _edit(r: random.Random, text: str, typos: list[tuple[str, str]]) -> str:
    words = text.split()
    kind = r.randrange(9)
    if kind == 0:  # the operator's own typos
        return apply_typos(text, typos) if typos else text.lower()
    if kind == 1 and words:  # a random typo in one word
        i = r.randrange(len(words))
        w = words[i]
        if len(w) > 3:
            j = r.randrange(1, len(w) - 1)
            op = r.randrange(3)
            w = w[:j] + w[j + 1:] if op == 0 else (w[:j] + w[j] + w[j:] if op == 1 else w[:j] + w[j + 1] + w[j] + w[j + 2:])
        words[i] = w
    elif kind == 2:
        words.insert(r.randrange(len(words) + 1), r.choice(_PARTICLES))
    elif kind == 3 and len(words) > 6:
        del words[r.randrange(len(words))]
    elif kind == 4 and len(words) > 2:
        i = r.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    elif kind == 5:
        words.insert(0, r.choice(_NAMES) + ",")
    elif kind == 6:
        return "".join(ch.translate(_LATIN) if r.random() < 0.3 else ch for ch in text)
    else:  # only what normalisation removes
        text = text.lower() if r.random() < 0.5 else text.upper() if r.random() < 0.1 else text
        return text.rstrip("!.") + r.choice(["!!!", " 👍", ")))", "...", " 🙏🙏", "!", ""])
    return " ".join(words)


def make_corpus(n: int, *, family_share: float = 0.3, seed: int = 1) -> tuple[list[str], np.ndarray]:
    """`n` texts and the planted family of each (-1: background, a family of its own)."""
    r = random.Random(seed)
    rng = np.random.default_rng(seed)
    words = vocabulary(seed)
    r.shuffle(words)
    # Zipf's law over words ranked by length: short words are the common ones, as in a language.
    vocab = np.array(sorted(words, key=len), dtype=object)
    zipf = 1.0 / np.arange(1, len(vocab) + 1)
    zipf /= zipf.sum()

    def phrase(k: int, p=zipf) -> str:
        return " ".join(vocab[rng.choice(len(vocab), k, p=p)])

    content = np.where(np.arange(len(vocab)) >= len(vocab) // 2, 1.0, 0.0)  # the longer half, evenly
    content /= content.sum()

    clients = [c for c in TALKING_POINTS if c not in ("story", "pro-china")]  # the region's languages
    texts: list[str] = []
    family: list[int] = []
    fid = 0
    target = int(n * family_share)
    while len(texts) < target:
        client = r.choice(clients)
        base = farm_text(r, client) + " " + phrase(r.randint(6, 12), content)
        typos = operator_typos(rng, 2, (client,))
        size = min(2 + int(rng.geometric(0.12)), 60, target - len(texts) + 1)
        for m in range(size):
            text = base
            if m:
                for _ in range(r.randint(1, 3)):
                    text = _edit(r, text, typos)
            texts.append(text)
            family.append(fid)
        fid += 1
    lengths = rng.integers(5, 17, n - len(texts))
    for k in lengths:
        text = phrase(int(k))
        texts.append(text if r.random() < 0.7 else text.capitalize() + r.choice(["!", ".", " 😂", "?", ")))"]))
        family.append(-1)
    order = rng.permutation(len(texts))
    return [texts[i] for i in order], np.asarray(family)[order]


def pair_scores(pred: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """Pairwise precision and recall of predicted groups against true groups (-1: a singleton)."""
    n = len(pred)
    truth = np.where(truth < 0, -1 - np.arange(n), truth)  # each background text alone
    pred = np.where(pred < 0, -1 - np.arange(n) - n, pred)

    def pairs(labels: np.ndarray) -> int:
        _, counts = np.unique(labels, return_counts=True)
        return int((counts * (counts - 1) // 2).sum())

    _, t = np.unique(truth, return_inverse=True)
    _, p = np.unique(pred, return_inverse=True)
    both = pairs(t.astype(np.int64) * (p.max() + 1) + p)
    found, true = pairs(p), pairs(t)
    return (both / found if found else 1.0), (both / true if true else 1.0)


def ceiling(texts_norm: list[str], truth: np.ndarray, threshold: float) -> float:
    """Recall of exact verification of every pair inside each planted family (the best an index can do)."""
    labels = -np.ones(len(truth), dtype=np.int64)
    for fam in np.unique(truth[truth >= 0]):
        idx = np.flatnonzero(truth == fam)
        group = [texts_norm[i] for i in idx]
        sims = process.cdist(group, group, scorer=fuzz.ratio, dtype=np.float64)
        a, b = np.nonzero(np.triu(sims >= threshold * 100, 1))
        lab = connected_labels(len(idx), np.column_stack([a, b]))
        labels[idx] = fam * 1000 + lab
    return pair_scores(labels, truth)[1]


def ours(texts: pa.Array, threshold: float, workers: int) -> tuple[float, float, np.ndarray, object]:
    started, cpu = time.perf_counter(), time.process_time()
    result = text_families(texts, min_similarity=threshold, min_chars=20, workers=workers)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    pred = -np.ones(len(texts), dtype=np.int64)
    pred[result.members["row"].to_numpy()] = result.members["family_id"].to_numpy()
    return seconds, cpu, pred, result


def datasketch_run(norm: list[str], threshold: float, lsh_threshold: float, verify: bool, k: int = 4,
                   num_perm: int = 64) -> tuple[float, np.ndarray]:
    from datasketch import MinHash, MinHashLSH

    started = time.perf_counter()
    keep = [i for i, t in enumerate(norm) if len(t) >= 20]
    shingles = [{norm[i][j:j + k].encode() for j in range(len(norm[i]) - k + 1)} for i in keep]
    hashes = MinHash.bulk(shingles, num_perm=num_perm)
    lsh = MinHashLSH(threshold=lsh_threshold, num_perm=num_perm)
    with lsh.insertion_session() as session:
        for j, m in enumerate(hashes):
            session.insert(j, m)
    found = [(j, q) for j, m in enumerate(hashes) for q in lsh.query(m) if q > j]
    pairs = np.asarray(found, dtype=np.int64).reshape(-1, 2)
    if verify:
        pairs = verify_pairs([norm[i] for i in keep], pairs, min_similarity=threshold)
    label = connected_labels(len(keep), pairs)
    seconds = time.perf_counter() - started
    size = np.bincount(label, minlength=len(keep))
    pred = -np.ones(len(norm), dtype=np.int64)
    grouped = size[label] >= 2
    pred[np.asarray(keep)[grouped]] = label[grouped]
    return seconds, pred


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--peer-max", type=int, default=100_000, help="largest size datasketch runs on")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--workers", type=int, default=2, help="threads for trollscan (the machine has 2 cores)")
    ap.add_argument("--methods", default="trollscan,ds-0.8,ds-0.5,ds-0.5-verify",
                    help="which to run, of trollscan, ds-0.8, ds-0.5, ds-0.5-verify")
    args = ap.parse_args(argv)
    print(f"{'size':>9} {'method':<38} {'min s':>7} {'median s':>8} {'texts/s':>9} {'prec':>6} {'recall':>6} "
          f"{'ceiling':>7} {'cpu s':>6}")
    for n in (int(s) for s in args.sizes.split(",")):
        texts, truth = make_corpus(n)
        arr = pa.array(texts)
        norm = normalise_texts(arr).to_pylist()
        top = ceiling(norm, truth, args.threshold)
        methods = args.methods.split(",")
        times, cpus = [], []
        for _ in range(args.repeats if "trollscan" in methods else 0):
            seconds, cpu, pred, result = ours(arr, args.threshold, args.workers)
            times.append(seconds)
            cpus.append(cpu)
        if times:
            p, rc = pair_scores(pred, truth)
            print(f"{n:>9} {'trollscan (normalise+LSH+verify)':<38} {min(times):>7.2f} "
                  f"{statistics.median(times):>8.2f} {n / min(times):>9.0f} {p:>6.3f} {rc:>6.3f} {top:>7.3f} "
                  f"{min(cpus):>6.1f}", flush=True)
            print(f"{'':>9}   candidates {result.candidates:,}, verified {result.verified:,}, "
                  f"distinct {result.distinct:,} of {result.texts:,}", flush=True)
        if n > args.peer_max:
            continue
        for key, label, lsh_t, verify in (("ds-0.8", "datasketch LSH 0.8", 0.8, False),
                                          ("ds-0.5", "datasketch LSH 0.5", 0.5, False),
                                          ("ds-0.5-verify", "datasketch LSH 0.5 + verify", 0.5, True)):
            if key not in methods:
                continue
            times, cpus = [], []
            for _ in range(max(1, args.repeats - 2)):
                cpu = time.process_time()
                seconds, pred = datasketch_run(norm, args.threshold, lsh_t, verify)
                times.append(seconds)
                cpus.append(time.process_time() - cpu)
            p, rc = pair_scores(pred, truth)
            print(f"{n:>9} {label + ' (on normalised)':<38} {min(times):>7.2f} {statistics.median(times):>8.2f} "
                  f"{n / min(times):>9.0f} {p:>6.3f} {rc:>6.3f} {top:>7.3f} {min(cpus):>6.1f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
