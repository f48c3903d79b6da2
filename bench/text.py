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
    ap.add_argument("--semantic", action="store_true", help="only the talking-points section (navec)")
    ap.add_argument("--semantic-sizes", default="100000,1000000")
    ap.add_argument("--exact-check", type=int, default=20_000, help="texts the exact search runs on, for recall")
    ap.add_argument("--chatter", type=int, default=300, help="simulator chatter among the talking points")
    args = ap.parse_args(argv)
    if args.semantic:
        return semantic_bench(args)
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


# --- Talking points in other words (python bench/text.py --semantic) ------------------------------
# Fifteen Russian talking points, each in five wordings that share few words (synonyms, other
# constructions). Points of one political side are hard negatives for each other ("opposition is
# foreign-funded" vs "the opposition only destroys").
TALKING_POINTS_RU = [
    ["Спасибо за отличную работу, так держать", "Благодарю за прекрасный труд, продолжайте в том же духе",
     "Огромное спасибо вам за замечательную работу", "Выражаю благодарность за великолепный труд",
     "Спасибо, вы отлично поработали, так и продолжайте"],
    ["Не верьте провокаторам, они хотят раскачать лодку", "Не поддавайтесь на провокации, кто-то хочет расшатать ситуацию",
     "Провокаторы специально нагнетают обстановку, не ведитесь", "Не слушайте подстрекателей, им нужна дестабилизация",
     "Эти провокаторы просто хотят посеять хаос, не верьте им"],
    ["Всё это проплачено с Запада", "За этими протестами стоят западные гранты", "Эти активисты работают на иностранные деньги",
     "Митинги финансируются из-за рубежа, это очевидно", "Оппозицию спонсируют зарубежные фонды"],
    ["Главное сейчас мир и стабильность в стране", "Для страны сейчас важнее всего спокойствие и порядок",
     "Нам нужны покой и стабильность, а не потрясения", "Самое важное сегодня это мир и согласие в обществе",
     "Без стабильности не будет никакого развития страны"],
    ["В нашем районе наконец отремонтировали дороги", "Дороги в районе наконец-то привели в порядок",
     "Наконец заасфальтировали улицы в нашем районе", "В районе сделали новый асфальт, дороги стали отличные",
     "Спустя годы у нас наконец починили дороги"],
    ["За год построили десятки новых школ и больниц", "В этом году открыли много новых школ и поликлиник",
     "Строят новые школы и больницы по всей стране", "Сколько новых школ и клиник появилось за последний год",
     "По всей стране возводят новые учебные заведения и больницы"],
    ["Этот беглый банкир обманул тысячи людей", "Аблязов украл деньги у народа и сбежал", "Сбежавший олигарх ограбил вкладчиков",
     "Беглый миллиардер присвоил сбережения простых граждан", "Этот мошенник-банкир обокрал людей и скрылся за границей"],
    ["Молодёжи нужны именно такие программы", "Такие проекты очень нужны нашей молодёжи", "Для молодых людей это отличная возможность",
     "Подобные инициативы действительно помогают молодым", "Наконец-то государство думает о молодёжи"],
    ["Журналисты опять пишут заказные статьи", "Это проплаченные журналисты, им нельзя верить", "Продажные СМИ снова врут за деньги",
     "Эти репортёры работают по заказу, всё ложь", "Журналистам заплатили, вот они и клевещут"],
    ["Все на выборы, голосуем за нашего кандидата", "Приходите на избирательные участки и отдайте голос за нашего кандидата",
     "Не забудьте проголосовать в воскресенье за нашего кандидата", "Обязательно сходите на выборы и поддержите нашего кандидата",
     "Голосуйте в воскресенье, каждый голос важен для нашего кандидата"],
    ["Экономика страны уверенно растёт", "Наша экономика развивается быстрыми темпами", "Экономический рост в стране очевиден",
     "Хозяйство страны крепнет с каждым годом", "ВВП растёт, экономика на подъёме"],
    ["Тарифы на коммунальные услуги наконец снизили", "Плату за коммуналку уменьшили, это хорошая новость",
     "Цены на свет и воду стали ниже", "Снижение тарифов на ЖКХ очень порадовало", "Коммунальные платежи сократили, спасибо"],
    ["Президент всегда думает о простом народе", "Глава государства постоянно заботится о людях",
     "Президент по-настоящему переживает за граждан", "Лидер страны думает о каждом из нас",
     "Президент заботится о простых людях как никто другой"],
    ["Оппозиция только разрушает страну", "Эти оппозиционеры ничего не строят, только критикуют", "От оппозиции один вред и никакой пользы",
     "Оппозиционеры хотят развалить государство", "Кроме критики оппозиция ничего не предлагает"],
    ["Вакцинация спасает жизни, прививайтесь", "Сделайте прививку, это защитит вас и близких", "Прививка это лучшая защита от болезни",
     "Вакцина работает, идите прививаться", "Не бойтесь вакцинироваться, это безопасно и спасает жизни"],
]
# Everyday remarks, each about something else: the easy negatives.
EVERYDAY_RU = [
    "Купили дочке новый велосипед, она счастлива", "На работе сегодня завал, домой приду поздно",
    "Кто знает хорошего стоматолога в центре города?", "Посадили на даче помидоры и огурцы",
    "Сын сдал экзамен по математике на отлично", "В подъезде опять не работает домофон",
    "Собака съела мои новые кроссовки", "Ищу репетитора по английскому для ребёнка",
    "Смотрели вчера футбол, наши проиграли в конце", "Испекла торт по бабушкиному рецепту",
    "На рынке клубника подешевела, берите", "Завтра едем к родственникам в деревню",
    "Потеряла перчатку где-то у остановки", "Подскажите, где починить стиральную машину",
    "Соседский мальчик научился играть на гитаре", "Записалась в бассейн, хожу три раза в неделю",
    "Котёнок нашёлся, спасибо всем, кто репостил", "В автобусе сегодня было очень душно",
    "Продаю детскую коляску в хорошем состоянии", "Вечером гуляли в парке, очень красиво",
    "Муж сделал полки в прихожей своими руками", "Опять забыла пароль от почты",
    "Сегодня первый раз попробовала суши", "На выходных идём в театр на премьеру",
    "У нас во дворе поставили новые качели", "Бабушке исполнилось девяносто лет",
    "Начала читать новую книгу, не могу оторваться", "Соседи затопили нам ванную",
    "Машина не заводится на морозе, что делать?", "Дети лепили снеговика весь вечер",
]
_OPENERS = ["", "", "", "Ребята,", "Честно говоря,", "Считаю,", "Друзья,", "Ну что сказать,", "Айгерим,", "Нурлан,"]
_CLOSERS = ["", "", "", "!", "!!!", " 👍", ")))", "...", " 🙏", ". Согласны?"]


def talking_point_corpus(seed: int = 1, copies: int = 2, chatter: int = 300) -> tuple[list[str], np.ndarray, list[str]]:
    """Texts, the talking point of each (-1: everyday, a point of its own) and the account of each.
    Every wording is posted by `copies` accounts, the later ones with an opener, a closer or a typo
    (near-copies: MinHash's to find); everyday remarks once each, by accounts of their own; and
    `chatter` texts of the simulator's Russian chatter (an opener, an event, a place, a closer: the
    same frames around different news, the hardest negatives)."""
    r = random.Random(seed)
    texts, truth, accounts = [], [], []
    for p, wordings in enumerate(TALKING_POINTS_RU):
        for w in wordings:
            for c in range(copies):
                text = w if c == 0 else f"{r.choice(_OPENERS)} {w[0].lower() + w[1:]}{r.choice(_CLOSERS)}".strip()
                texts.append(_edit(r, text, []) if c and r.random() < 0.5 else text)
                truth.append(p)
                accounts.append(f"farm{r.randrange(40)}")
    for k, t in enumerate(EVERYDAY_RU + organic_texts(np.random.default_rng(seed), chatter, ["ru"], [1]).to_pylist()):
        texts.append(t)
        truth.append(-1)
        accounts.append(f"person{k}")
    order = list(range(len(texts)))
    r.shuffle(order)
    return [texts[i] for i in order], np.asarray(truth)[order], [accounts[i] for i in order]


def semantic_bench(args) -> None:
    from trollscan.text.semantic import load_navec
    from trollscan.text.talking_points import similar_pairs, talking_points

    model = load_navec()
    print(f"\nTalking points in other words ({model.name}); accuracy on {len(TALKING_POINTS_RU)} planted points "
          f"x 5 wordings x 2 copies + {len(EVERYDAY_RU)} everyday remarks, per seed")
    print(f"{'seed':>4} {'method':<34} {'prec':>6} {'recall':>6} {'families':>8}")
    for seed in range(1, args.repeats + 1):
        texts, truth, _ = talking_point_corpus(seed, chatter=0)
        arr = pa.array(texts)
        words = normalise_texts(arr)
        copies = text_families(arr, min_similarity=args.threshold)
        minhash = -np.ones(len(texts), dtype=np.int64)
        minhash[copies.members["row"].to_numpy()] = copies.members["family_id"].to_numpy()
        exclude = minhash.copy()
        for cosine in (0.4, 0.45, 0.5):
            points = talking_points(model.embed(arr), exclude=exclude, words=words, embed=model.embed, min_cosine=cosine,
                                    seed=seed)
            semantic = -np.ones(len(texts), dtype=np.int64)
            semantic[points.members["row"].to_numpy()] = points.members["family_id"].to_numpy()
            both = _union(minhash, semantic)
            for label, pred in ((f"talking points {cosine}", semantic), (f"MinHash + talking points {cosine}", both)):
                p, rc = pair_scores(pred, truth)
                print(f"{seed:>4} {label:<34} {p:>6.3f} {rc:>6.3f} {len(np.unique(pred[pred >= 0])):>8}", flush=True)
        p, rc = pair_scores(minhash, truth)
        print(f"{seed:>4} {'MinHash alone':<34} {p:>6.3f} {rc:>6.3f} {len(np.unique(minhash[minhash >= 0])):>8}")
    _chatter_check(model, args)
    print(f"\n{'texts':>9} {'step':<40} {'min s':>7} {'median s':>8} {'per s':>9} {'pairs':>9}")
    for n in (int(s) for s in args.semantic_sizes.split(",")):
        arr = russian_comments(model, n)
        times, vectors = [], None
        for _ in range(args.repeats):
            started = time.perf_counter()
            vectors = model.embed(arr)
            times.append(time.perf_counter() - started)
        placed = vectors.any(axis=1)
        print(f"{n:>9} {'embed (normalise, SIF mean)':<40} {min(times):>7.2f} {statistics.median(times):>8.2f} "
              f"{n / min(times):>9.0f} {'':>9}  ({int(placed.sum()):,} with a vector)", flush=True)
        times = []
        for _ in range(max(1, args.repeats - 1)):
            started = time.perf_counter()
            found = talking_points(vectors, words=normalise_texts(arr), embed=model.embed)
            times.append(time.perf_counter() - started)
        print(f"{n:>9} {'neighbours + families (inverted file)':<40} {min(times):>7.2f} "
              f"{statistics.median(times):>8.2f} {n / min(times):>9.0f} {found.candidates:>9,}  "
              f"({found.distinct:,} distinct, {found.members.num_rows:,} in families)", flush=True)
        if args.exact_check and placed.sum() >= args.exact_check:
            sample = vectors[np.flatnonzero(placed)[:args.exact_check]]
            started = time.perf_counter()
            exact, _ = similar_pairs(sample, min_cosine=0.45, exact_limit=len(sample))
            exact_s = time.perf_counter() - started
            ivf, _ = similar_pairs(sample, min_cosine=0.45, exact_limit=0)
            found_pairs = {tuple(x) for x in ivf.tolist()}
            share = sum(tuple(x) in found_pairs for x in exact.tolist()) / max(len(exact), 1)
            print(f"{args.exact_check:>9} {'exact search (every pair), for recall':<40} {exact_s:>7.2f} {'':>8} {'':>9} "
                  f"{len(exact):>9,}  (inverted file finds {share:.3f} of them)", flush=True)


def _chatter_check(model, args) -> None:
    """The simulator's chatter alone: the same frames (opener, place, closer) around 30 events. Two
    texts about the same event may go together; about different events, they are a false link."""
    from trollscan.simulate.text import _SPLIT
    from trollscan.text.talking_points import talking_points

    events = sorted((e for e in _SPLIT["ru"][1] if e), key=len, reverse=True)
    print(f"\nSimulator chatter ({args.chatter} Russian texts, 30 events in shared frames): pairs grouped, and the "
          "share of them about one event")
    print(f"{'seed':>4} {'method':<34} {'pairs':>7} {'same event':>10}")
    for seed in range(1, args.repeats + 1):
        arr = organic_texts(np.random.default_rng(seed), args.chatter, ["ru"], [1])
        event = np.array([next(k for k, e in enumerate(events) if e in t) for t in arr.to_pylist()])
        copies = text_families(arr, min_similarity=args.threshold)
        minhash = -np.ones(len(arr), dtype=np.int64)
        minhash[copies.members["row"].to_numpy()] = copies.members["family_id"].to_numpy()
        vectors, words = model.embed(arr), normalise_texts(arr)
        runs = {"MinHash alone": minhash}
        for label, kw in (("talking points, whole texts", {}),
                          ("talking points (as shipped)", {"words": words, "embed": model.embed})):
            points = talking_points(vectors, exclude=minhash, seed=seed, **kw)
            pred = -np.ones(len(arr), dtype=np.int64)
            pred[points.members["row"].to_numpy()] = points.members["family_id"].to_numpy()
            runs[label] = pred
        for label, pred in runs.items():
            grouped = [(i, j) for f in np.unique(pred[pred >= 0]) for idx in [np.flatnonzero(pred == f)]
                       for k, i in enumerate(idx) for j in idx[k + 1:]]
            same = sum(event[i] == event[j] for i, j in grouped) / max(len(grouped), 1)
            print(f"{seed:>4} {label:<34} {len(grouped):>7} {same:>10.3f}", flush=True)


def russian_comments(model, n: int, seed: int = 1) -> pa.Array:
    """`n` comments of 4 to 16 words drawn by the words' frequencies in Russian news (navec's own
    counts): as varied as real comments, with near neighbours as rare (the search's base cost)."""
    rng = np.random.default_rng(seed)
    words = model._words.to_numpy(zero_copy_only=False)
    p = model.probability / model.probability.sum()
    lengths = rng.integers(4, 17, n)
    flat = words[rng.choice(len(words), int(lengths.sum()), p=p)]
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    return pa.array([" ".join(flat[offsets[i]:offsets[i + 1]]) for i in range(n)])


def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Groups linked by either labelling (-1: none)."""
    n = len(a)
    pairs = [np.column_stack([np.full(len(idx) - 1, idx[0]), idx[1:]])
             for lab in (a, b) for f in np.unique(lab[lab >= 0]) for idx in [np.flatnonzero(lab == f)]]
    label = connected_labels(n, np.concatenate(pairs) if pairs else np.zeros((0, 2), np.int64))
    size = np.bincount(label, minlength=n)
    return np.where(size[label] >= 2, label, -1)


if __name__ == "__main__":
    sys.exit(main())
