"""Names praised or attacked inside comment text (`trollscan.text.names`): accuracy on a small
hand-labelled set, the tagger's speed on short Russian comments, and what the named-people
profile adds to the demo report and to the app's group page.

    python bench/names.py [--demo demo-case] [--repeat 3] [--comments 100000]

1. Accuracy: 60 comments written for this benchmark (36 Russian, 12 Kazakh, 12 Kyrgyz), each
   labelled with the people and parties it names and whether it praises, attacks or only names
   each. Scored as (comment, name) and (comment, name, tone) pairs, with the analyst's names
   and the tagger (the default), with the analyst's names only, and with the tagger only. A
   name counts as the same when its surname is (the tagger cannot know that Елбасы is Назарбаев).
2. Speed: texts and spans per second of the tagger alone (every comment), and texts and mentions
   per second of `mentions` (which tags only comments with capitalised words it has not seen
   twice), on 2,000 short capitalised comments from the simulator's talking points.
3. Cost in the report: `named_praise_and_attack` on the demo case's groups, the report built
   with and without it, the app's group page of the largest group (first and repeated), and a
   synthetic volume of `--comments` farm comments in 30 groups (the size of a 100k-account case's
   grouped comments is about that order).
Timings repeat `--repeat` times; min / median printed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import warnings
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

KNOWN = [
    {"name": "Қасым-Жомарт Тоқаев", "aliases": [], "kind": "PER"},
    {"name": "Нурсултан Назарбаев", "aliases": ["Елбасы", "Первый Президент"], "kind": "PER"},
    {"name": "Мухтар Аблязов", "aliases": [], "kind": "PER"},
    {"name": "Садыр Жапаров", "aliases": [], "kind": "PER"},
    {"name": "Сооронбай Жээнбеков", "aliases": [], "kind": "PER"},
    {"name": "Райымбек Матраимов", "aliases": [], "kind": "PER"},
    {"name": "Алмазбек Атамбаев", "aliases": [], "kind": "PER"},
    {"name": "Элнура Алканова", "aliases": [], "kind": "PER"},
    {"name": "Нур Отан", "aliases": [], "kind": "ORG"},
]
ORGS = {"нур отан"}
P, A, N = "praise", "attack", "neutral"
# (comment, {surname or party: tone}); names the analyst did not list: Бабанов, Ташиев, Путин, Мамин
LABELLED: list[tuple[str, dict[str, str]]] = [
    ("Спасибо Токаеву за заботу", {"токаев": P}),
    ("Жапаров предатель", {"жапаров": A}),
    ("Позор Аблязову", {"аблязов": A}),
    ("Токаев молодец, а Аблязов вор", {"токаев": P, "аблязов": A}),
    ("Елбасы всегда думает о народе, спасибо", {"назарбаев": P}),
    ("Аблязов украл деньги у народа и сбежал", {"аблязов": A}),
    ("Садыр Жапаров провёл встречу с акимами", {"жапаров": N}),
    ("Поддерживаю Садыра Жапарова полностью!", {"жапаров": P}),
    ("Не поддерживаю Жапарова, он обманул людей", {"жапаров": A}),
    ("Матраимов построил мечеть, молодец", {"матраимов": P}),
    ("Хватит врать про Матраимова", {"матраимов": A}),
    ("Атамбаев опять врёт, позор", {"атамбаев": A}),
    ("Спасибо Сооронбаю Жээнбекову за школы", {"жээнбеков": P}),
    ("Жээнбеков ничего не сделал для страны, позор", {"жээнбеков": A}),
    ("Нур Отан работает для людей, так держать", {"нур отан": P}),
    ("Позор Нур Отану, одни обещания", {"нур отан": A}),
    ("Бабанов знает как поднять экономику, уважаю", {"бабанов": P}),
    ("Ташиев опять угрожает журналистам, позор", {"ташиев": A}),
    ("Путин провёл переговоры с Токаевым", {"путин": N, "токаев": N}),
    ("Мамин подал в отставку", {"мамин": N}),
    ("Айгерим, спасибо за совет!", {}),
    ("Мадина, согласна с тобой", {}),
    ("Сегодня снег и пробки на Абая", {}),
    ("Цены на бензин опять выросли, ужас", {}),
    ("Молодцы! Так держать!", {}),
    ("Благодарю Касым-Жомарта Кемелевича за поддержку малого бизнеса", {"токаев": P}),
    ("Первый Президент заботится о каждом из нас", {"назарбаев": P}),
    ("Назарбаев ушёл, а воры остались", {"назарбаев": N}),
    ("Элнура Алканова лучший депутат, поддерживаю", {"алканова": P}),
    ("Алканова врёт избирателям", {"алканова": A}),
    ("Садыр Жапаров молодец, а Атамбаев предатель", {"жапаров": P, "атамбаев": A}),
    ("Жапаров и Ташиев наведут порядок, уважаю", {"жапаров": P, "ташиев": P}),
    ("Вчера видел Токаева по телевизору", {"токаев": N}),
    ("аблязов вор и лжец", {"аблязов": A}),
    ("спасибо токаеву, наконец дороги сделали", {"токаев": P}),
    ("Интервью Аблязова — сплошная ложь", {"аблязов": A}),
    # Kazakh
    ("Тоқаевқа рахмет, елімізге көп жақсылық жасады", {"токаев": P}),
    ("Тоқаевтың сөзі өтірік", {"токаев": A}),
    ("Елбасына алғыс айтамыз!", {"назарбаев": P}),
    ("Аблязов сатқын, ұят!", {"аблязов": A}),
    ("Аблязовқа сенбеңдер, ол ұры", {"аблязов": A}),
    ("Нұр Отан партиясын қолдаймын", {"нур отан": P}),
    ("Назарбаевтың кезінде бәрі басқаша еді", {"назарбаев": N}),
    ("Тоқаев бүгін Ақордада кездесу өткізді", {"токаев": N}),
    ("Бүгін ауа райы жақсы", {}),
    ("Рахмет бәріңізге!", {}),
    ("Тоқаевқа ұят, уәдесін орындамады", {"токаев": A}),
    ("Бәрекелді, Тоқаев! Жарайсың", {"токаев": P}),
    # Kyrgyz
    ("Жапаровго рахмат, колдойбуз!", {"жапаров": P}),
    ("Жапаровдун сөзү калп", {"жапаров": A}),
    ("Садыр Жапаров элдин лидери, алга Садыр!", {"жапаров": P}),
    ("Матраимовдор элге жардам берет, рахмат", {"матраимов": P}),
    ("Матраимов ууру, уят!", {"матраимов": A}),
    ("Атамбаевди колдобойм", {"атамбаев": A}),
    ("Жээнбековдун убагында жакшы болчу, рахмат ага", {"жээнбеков": P}),
    ("Алканова эже, ийгилик!", {"алканова": P}),
    ("Бүгүн Бишкекте кар жаады", {}),
    ("Баарыңарга салам!", {}),
    ("Ташиев мыкты иштеп жатат", {"ташиев": P}),
    ("Жапаров менен Ташиев шерменде болушту", {"жапаров": A, "ташиев": A}),
]
KNOWN_ID = {"касым жомарт токаев": "токаев", "нурсултан назарбаев": "назарбаев", "мухтар аблязов": "аблязов",
            "садыр жапаров": "жапаров", "сооронбай жээнбеков": "жээнбеков", "райымбек матраимов": "матраимов",
            "алмазбек атамбаев": "атамбаев", "элнура алканова": "алканова", "нур отан": "нур отан"}


def _id(key: str) -> str:
    return KNOWN_ID.get(key) or (key if key in ORGS else key.split()[-1])


def _score(pred: set, gold: set) -> tuple[float, float, int, int, int]:
    hit = len(pred & gold)
    return (hit / len(pred) if pred else 1.0, hit / len(gold) if gold else 1.0, hit, len(pred), len(gold))


def accuracy() -> list[tuple]:
    from trollscan.text.names import mentions

    texts = [t for t, _g in LABELLED]
    gold_names = {(k, n) for k, (_t, g) in enumerate(LABELLED) for n in g}
    gold_tones = {(k, n, tone) for k, (_t, g) in enumerate(LABELLED) for n, tone in g.items()}
    rows = []
    for mode, known, ner in (("analyst's names + tagger", KNOWN, True), ("analyst's names only", KNOWN, False),
                             ("tagger only", [], True)):
        found = mentions(texts, known, ner=ner).to_pylist()
        names = {(m["row"], _id(m["key"])) for m in found}
        tones = {(m["row"], _id(m["key"]), m["tone"]) for m in found}
        rows.append((mode, *_score(names, gold_names), *_score(tones, gold_tones)[:2]))
        if mode.startswith("analyst's names +"):
            for k, n, tone in sorted(tones - gold_tones):
                print(f"  extra or wrong tone: {LABELLED[k][0]!r}: {n} {tone}")
            for k, n, tone in sorted(gold_tones - tones):
                print(f"  missed: {LABELLED[k][0]!r}: {n} {tone}")
    return rows


def _stats(values: list[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f}"


def _farm_texts(n: int, seed: int = 1) -> list[str]:
    from trollscan.simulate.text import farm_text

    r = random.Random(seed)
    clients = ("foundation", "party", "anti-critic", "japarov", "matraimov", "mekenim")
    return [farm_text(r, clients[k % len(clients)]) for k in range(n)]


def speed(repeat: int) -> list[tuple]:
    from threadpoolctl import threadpool_limits

    from trollscan.text import name_tagger
    from trollscan.text.names import mentions

    name_tagger._models.cache_clear()
    started = time.perf_counter()
    name_tagger._models()
    load = time.perf_counter() - started
    texts = [t for t in _farm_texts(6000) if t != t.lower()][:2000]  # short Russian-led comments, capitalised
    tag, full, found = [], [], 0
    for _ in range(repeat):
        with threadpool_limits(limits=1, user_api="blas"):
            started = time.perf_counter()
            spans = name_tagger._tag(texts)
            tag.append(time.perf_counter() - started)
        started = time.perf_counter()
        found = mentions(texts, KNOWN[:0], max_ner_texts=None).num_rows
        full.append(time.perf_counter() - started)
    n_spans = sum(len(s) for s in spans)
    return [("models loaded (once per process)", f"{load:.2f} s", ""),
            (f"tagger alone, {len(texts):,} comments, {n_spans:,} spans", f"{len(texts) / min(tag):,.0f} texts/s",
             f"{n_spans / min(tag):,.0f} spans/s (median {len(texts) / statistics.median(tag):,.0f} texts/s)"),
            (f"mentions() on the same comments (the tagger reads only those with unseen capitalised words), "
             f"{found:,} mentions", f"{len(texts) / min(full):,.0f} texts/s",
             f"{found / min(full):,.0f} mentions/s (median {len(texts) / statistics.median(full):,.0f} texts/s)")]


def report_cost(demo: Path, repeat: int, comments: int) -> list[tuple]:
    import trollscan.report.named as named_module
    from trollscan.report.html import build_report
    from trollscan.report.named import named_praise_and_attack
    from trollscan.store import open_case
    from trollscan.store.verdicts import read_profile_inputs
    from trollscan.web import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    rows = []
    with open_case(demo) as c:
        inputs = read_profile_inputs(c)
        known = inputs["known_names"]
        gid = c.con.execute("SELECT group_id FROM groups ORDER BY size DESC, group_id LIMIT 1").fetchall()[0][0]
        part = []
        for _ in range(repeat):
            started = time.perf_counter()
            named_praise_and_attack(inputs["members"], inputs["items"], known)
            part.append(time.perf_counter() - started)
        with_names, without = [], []
        original = named_module.named_praise_and_attack
        for _ in range(repeat):
            started = time.perf_counter()
            build_report(c)
            with_names.append(time.perf_counter() - started)
            named_module.named_praise_and_attack = lambda *a, **k: {}  # the report as it was before
            try:
                started = time.perf_counter()
                build_report(c)
                without.append(time.perf_counter() - started)
            finally:
                named_module.named_praise_and_attack = original
    comments_read = sum(1 for t in inputs["items"]["text"].to_pylist() if t)
    rows.append((f"demo: named part alone ({comments_read:,} grouped comments)", _stats(part), "s"))
    rows.append(("demo: report built, with names / without", f"{_stats(with_names)} / {_stats(without)}", "s"))
    pages = {}
    for label, patch in (("with names", False), ("without", True)):
        times = []
        for _ in range(repeat):
            if patch:
                named_module.named_praise_and_attack = lambda *a, **k: {}
            try:
                client = TestClient(create_app(demo), base_url="http://127.0.0.1:8765")  # a new app: no cached profile
                started = time.perf_counter()
                client.get(f"/group/{gid}")
                first = time.perf_counter() - started
                started = time.perf_counter()
                client.get(f"/group/{gid}")
                times.append((first, time.perf_counter() - started))
            finally:
                named_module.named_praise_and_attack = original
        pages[label] = times
    for label, times in pages.items():
        rows.append((f"demo: app page of group {gid}, {label}: first / repeated",
                     f"{_stats([a for a, _b in times])} / {_stats([b for _a, b in times])}", "s"))
    members, items = _synthetic(comments, 30)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        named_praise_and_attack(members, items, KNOWN)
        times.append(time.perf_counter() - started)
    rows.append((f"synthetic: {items.num_rows:,} farm and everyday comments in 30 groups", _stats(times), "s"))
    return rows


def _synthetic(n: int, groups: int) -> tuple[pa.Table, pa.Table]:
    from trollscan.simulate.text import organic_texts

    rng = np.random.default_rng(1)
    farm = _farm_texts(n)
    everyday = organic_texts(rng, n, ["ru", "kk"], [0.8, 0.2]).to_pylist()
    size = np.maximum((rng.dirichlet(np.ones(groups) * 0.7) * n).astype(int), 5)
    rows, k = [], 0
    for g, m in enumerate(size):
        for j in range(m):
            rows.append({"platform": "facebook", "account_id": f"g{g}a{j % 50}", "item_id": f"i{k}", "kind": "comment",
                         "created_at": datetime(2020, 9, 21) + timedelta(minutes=k % 40_000),
                         "text": farm[k % n] if k % 5 else everyday[k % n]})
            k += 1
    members = pa.Table.from_pylist([{"group_id": g, "platform": "facebook", "account_id": f"g{g}a{j}"}
                                    for g in range(groups) for j in range(50)])
    return members, pa.Table.from_pylist(rows)


def _table(title: str, rows: list[tuple], head: tuple) -> None:
    print(f"\n{title}")
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    for r in rows:
        print(" | ".join(f"{x:.3f}" if isinstance(x, float) else str(x) for x in r))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=Path, default=None, help="a demo case (trollscan demo DIR) for the cost rows")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--comments", type=int, default=100_000, help="synthetic grouped comments (0: skip)")
    args = parser.parse_args()
    with open("/proc/loadavg") as f:
        print(f"load average at start: {f.read().split()[0]}")
    _table(f"Accuracy on {len(LABELLED)} hand-labelled comments "
           f"({sum(len(g) for _t, g in LABELLED)} labelled names)",
           accuracy(), ("mode", "name P", "name R", "hits", "found", "labelled", "name+tone P", "name+tone R"))
    _table("Speed on short Russian comments (simulator talking points)", speed(args.repeat),
           ("what", "rate", "also"))
    if args.demo is not None:
        _table("Cost in the report and the app (min / median)", report_cost(args.demo, args.repeat, args.comments),
               ("what", "time", "unit"))
    with open("/proc/loadavg") as f:
        print(f"\nload average at end: {f.read().split()[0]}")


if __name__ == "__main__":
    main()
