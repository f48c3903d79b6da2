"""Coordination a platform does not show: the farm's Telegram chat, and a news site's comment log.

A supervisor posts links in the chat; the farm's accounts react and comment within minutes and
operators answer "+" in the chat. On the news site one office's IP address writes under many
nicknames from many devices, while ordinary readers have their own addresses (a few share a
mobile carrier's address, as real readers do).
"""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np

from .farms import client_at, recent_post, working_times
from .text import nicknames, organic_texts, person_names
from .world import DAY_S, LOCAL_OFFSET_S, World

__all__ = ["coordination_chats", "site_comments", "USER_AGENTS"]

USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/{v}.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android {a}; SM-A{m}F) AppleWebKit/537.36 Chrome/{v}.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS {a}_2 like Mac OS X) AppleWebKit/605.1.15 Version/{a}.0 Mobile/15E148",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/13.{a} Safari/605.1.15",
    "Mozilla/5.0 (Linux; Android {a}; Redmi Note {m}) AppleWebKit/537.36 Chrome/{v}.0 Mobile Safari/537.36",
]
_CHAT_NAMES = ["Рабочая группа", "SMM отдел", "Контент план", "Отработка", "Команда"]
_ORDERS = ["Срочно отработать:", "Все сюда, позитив:", "Нужны комментарии под постом:", "Лайки + коммент:",
           "Отработать до обеда:"]
_ANSWERS = ["+", "готово", "сделано", "+ 5 акков", "ок"]


def _user_agent(rng: np.random.Generator) -> str:
    template = USER_AGENTS[int(rng.integers(0, len(USER_AGENTS)))]
    return template.format(v=int(rng.integers(70, 90)), a=int(rng.integers(8, 14)), m=int(rng.integers(10, 72)))


def _people(world: World, n: int, persona: str, platform: str, farm: str = "", operator: object = "",
            ids: list[str] | None = None, handles: list[str] | None = None, fake: bool = False) -> np.ndarray:
    names, _g = person_names(world.rng, n, world.preset.region)
    idx = world.accounts.add(created_at=np.full(n, world.t0 - 400 * DAY_S), persona=persona,
                             name=np.array(names, object), handle=np.array(handles or [None] * n, object),
                             bio=None, location=None, is_fake=np.full(n, fake), farm=farm, operator=operator,
                             community=np.full(n, -1), platform=platform, status="active")
    for i, account_id in zip(idx.tolist(), ids or []):
        world.fixed_id[i] = account_id
    return idx


def coordination_chats(world: World) -> None:
    """One Telegram chat per farm that has one: links posted, the farm's reactions minutes later."""
    rng = world.rng
    if world.platform == "twitter":
        return
    watched = {c: world.posts_by(pages) for c, pages in world.pages.items()}
    for name in sorted(world.farms):
        farm = world.farms[name]
        spec = farm["spec"]
        if not spec.chat:
            continue
        ops = farm["operators"]
        base = 7_000_000 + 100_000 * farm["number"]
        boss = _people(world, 1, "supervisor", "telegram", spec.name, "", [f"user{base}"])[0]
        tg = _people(world, len(ops), "operator", "telegram", spec.name,
                     np.array([op["operator"] for op in ops], object), [f"user{base + 1 + j}" for j in range(len(ops))])
        for op, user in zip(ops, tg.tolist()):
            op["telegram"] = user
        messages: list[dict] = []
        times = working_times(world, spec, (spec.links_per_day, spec.links_per_day), 0.0)
        for t in times.tolist():
            current = sorted({client_at(op, t) for op in ops})
            client = current[int(rng.integers(0, len(current)))]
            (post,) = recent_post(world, watched[client], np.array([t]), DAY_S)
            if post < 0:
                continue
            link = {"time": t, "from": boss, "order": _ORDERS[int(rng.integers(0, len(_ORDERS)))], "post": int(post)}
            messages.append(link)
            mean = spec.reaction_delay_min
            sigma = spec.delay_spread
            for op in ops:
                if client_at(op, t) != client:
                    continue
                who = op["accounts"][rng.random(len(op["accounts"])) < spec.react_share]
                delay = (rng.lognormal(np.log(mean) - sigma ** 2 / 2, sigma, len(who)) * 60).astype(np.int64)
                at = np.minimum(t + 30 + delay, world.t1 - 1)
                target = np.full(len(who), world.post_author(int(post)))
                world.items.add(kind="reaction", author=who, created_at=at, parent=np.full(len(who), post),
                                target=target, text=[None] * len(who), reaction="like", hashtags=None, urls=None,
                                media=None, language=None)
                talk = rng.random(len(who)) < 0.4
                if talk.any():
                    n = int(talk.sum())
                    at2 = np.minimum(at[talk] + rng.integers(60, 600, n), world.t1 - 1)
                    world.items.add(kind="comment", author=who[talk], created_at=at2,
                                    parent=np.full(n, post), target=target[:n],
                                    text=[farm["writer"].text(op, client) for _ in range(n)], reaction=None,
                                    hashtags=None, urls=None, media=None, language=None)
                if len(who) and rng.random() < 0.6:
                    messages.append({"time": int(min(at.max() + int(rng.integers(20, 300)), world.t1 - 1)),
                                     "from": op["telegram"], "reply_to": link,
                                     "text": _ANSWERS[int(rng.integers(0, len(_ANSWERS)))]})
        world.chats[spec.name] = {"id": 1_400_000_000 + 1_000 * farm["number"] + int(rng.integers(0, 999)),
                                  "name": _CHAT_NAMES[farm["number"] % len(_CHAT_NAMES)], "messages": messages}
        farm["telegram_supervisor"] = boss


def site_comments(world: World) -> None:
    """The news site's comment log: the farms' nicknames behind a few IPs, readers with their own."""
    rng, preset = world.rng, world.preset
    if not preset.site:
        return
    days = world.local_midnights()
    clients = sorted(preset.pages)
    n_articles = max(15, world.n(40))
    topic = np.array([clients[i] if r < 0.5 else "" for i, r in
                      zip(rng.integers(0, len(clients), n_articles), rng.random(n_articles))], object)
    published = np.sort(days[rng.integers(0, len(days), n_articles)] + rng.integers(8 * 3600, 20 * 3600, n_articles))
    urls = [f"{preset.site}/news/{datetime.fromtimestamp(int(p) + LOCAL_OFFSET_S, timezone.utc):%Y/%m/%d}/{k + 1}"
            for k, p in enumerate(published)]
    by_client = {c: np.flatnonzero((topic == c) | (topic == "")) for c in clients}
    taken: set[str] = set()

    def unique(nicks: list[str]) -> list[str]:
        out = []
        for nick in nicks:
            while nick.casefold() in taken:
                nick += str(int(rng.integers(0, 10)))
            taken.add(nick.casefold())
            out.append(nick)
        return out

    for name in sorted(world.farms):
        farm = world.farms[name]
        spec = farm["spec"]
        if not spec.site_ips:
            continue
        prefix = ("198.51.100", "203.0.113", "192.0.2")[farm["number"] % 3]
        ips = [f"{prefix}.{10 + 40 * (farm['number'] // 3) + i}" for i in range(spec.site_ips)]
        farm["site_ips"] = ips
        for op in farm["operators"]:
            names, _g = person_names(rng, spec.site_nicks_per_operator, preset.region)
            nicks = unique([n.split()[0] + rng.choice(["_", "", "."]) + str(int(rng.integers(1, 99)))
                            for n in names])
            idx = _people(world, len(nicks), "fake", "web", spec.name, op["operator"],
                          [f"nick:{n.casefold()}" for n in nicks], nicks, fake=True)
            op["site_nicks"] = idx
            agents = [_user_agent(rng) for _ in nicks]
            for t in working_times(world, spec, (4, 10)).tolist():
                client = client_at(op, t)
                fits = by_client[client]
                n_fit = int(np.searchsorted(published[fits], t))
                if n_fit == 0:
                    continue
                k = int(fits[n_fit - 1 - int(rng.integers(0, min(n_fit, 4)))])
                j = int(rng.integers(0, len(nicks)))
                world.site_comments.append({"time": t, "account": int(idx[j]), "nick": nicks[j], "url": urls[k],
                                            "text": farm["writer"].text(op, client),
                                            "ip": ips[int(rng.integers(0, len(ips)))], "ua": agents[j]})
    n_readers = world.n(400, 20)
    names, _g = person_names(rng, n_readers, preset.region)
    nicks = unique(nicknames(rng, names, rng.integers(1, 99, n_readers)))
    idx = _people(world, n_readers, "reader", "web", ids=[f"nick:{n.casefold()}" for n in nicks], handles=nicks)
    own = rng.permutation(1 << 22)[:n_readers]
    ips = [f"100.{64 + (a >> 16)}.{(a >> 8) & 255}.{a & 255}" for a in own.tolist()]
    carrier = rng.random(n_readers) < 0.04
    counts = 1 + rng.geometric(0.35, n_readers)
    popularity = 1.0 / np.arange(1, n_articles + 1) ** 0.8
    popularity = popularity[rng.permutation(n_articles)]
    total = int(counts.sum())
    texts = organic_texts(rng, total, list(preset.languages), list(preset.language_weights)).to_pylist()
    article = rng.choice(n_articles, total, p=popularity / popularity.sum())
    when = published[article] + rng.lognormal(np.log(4 * 3600), 1.0, total).astype(np.int64)
    behind_carrier = rng.random(total) < 0.7
    reader = np.repeat(np.arange(n_readers), counts)
    agents = [_user_agent(rng) for _ in range(n_readers)]
    for k in np.flatnonzero(when < world.t1).tolist():
        r = int(reader[k])
        ip = "100.64.0.1" if carrier[r] and behind_carrier[k] else ips[r]
        world.site_comments.append({"time": int(when[k]), "account": int(idx[r]), "nick": nicks[r],
                                    "url": urls[int(article[k])], "text": texts[k], "ip": ip, "ua": agents[r]})
