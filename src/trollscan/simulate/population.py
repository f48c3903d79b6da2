"""The organic population: pages, real people, their friends, subscriptions and everyday activity.

People fall in communities (a clustered small-world friend graph); activity is heavy-tailed (most
act rarely, a few a lot) and follows a daily rhythm in local time; page popularity is a power law.
A few real people ("loyalists") comment mostly on official pages, as real supporters do.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from .text import nicknames, organic_texts, person_names
from .world import DAY_S, World, epoch, local_hour_times, pick_days

__all__ = ["build_pages", "build_people", "organic_items"]

LOCATIONS = {"kz": ["Алматы", "Астана", "Шымкент", "Караганда", "Актобе", "Павлодар", "Kazakhstan"],
             "kg": ["Бишкек", "Ош", "Каракол", "Джалал-Абад", "Нарын", "Kyrgyzstan"],
             "intl": ["Brussels", "Paris", "Berlin", "Texas, USA", "London", "Delhi", "Moscow", "Athens"]}
_TOPICS = {"kz": "Новости Алматы;Tengri;Kazinform;Погода KZ;Футбол Казахстана;Мамы Астаны;Авто KZ;Рецепты;"
                 "Барахолка;Кино;Қазақ әдебиеті;Бизнес KZ",
           "kg": "Kloop Life;24.kg;Барахолка Бишкек;Погода KG;Кыргыз футбол;Мамы Бишкека;Авто KG;Рецепты;"
                 "Кино;Ош жаңылыктары;Бизнес KG",
           "intl": "World News;Tech Daily;Football Live;Travel;Science Now;Crypto;Cooking;Movies;Gaming;"
                   "Politics EU;Markets"}
BIOS = ["Мама двоих детей", "Люблю путешествия", "Жизнь прекрасна", "Инженер", "Учитель", "Студентка КазНУ",
        "Freelance journalist", "Бизнес, спорт, семья", "Бишкек ↔ Москва", "Photographer", "Врач", ""]


def build_pages(world: World) -> None:
    """Pages: the preset's watched pages (and managers' personal accounts) and ordinary ones, with
    power-law popularity."""
    rng, preset = world.rng, world.preset
    generic = _TOPICS[preset.region].split(";")
    n_generic = max(8, int(round(60 * world.scale ** 0.7)))
    names = [f"{generic[i % len(generic)]}" + (f" {i // len(generic) + 1}" if i >= len(generic) else "")
             for i in range(n_generic)]
    watched: list[tuple[str, str]] = [(c, p) for c, pages in preset.pages.items() for p in pages]
    all_names = [p for _c, p in watched] + names
    n = len(all_names)
    created = epoch("2010-01-01") + rng.integers(0, 6 * 365 * DAY_S, n)
    persona = np.array(["manager" if p.startswith("@") else "page" for p in all_names], object)
    all_names = [p.lstrip("@") for p in all_names]  # "@name": a person whose own posts the farm praises
    idx = world.accounts.add(
        created_at=created, persona=persona, name=np.array(all_names, object),
        handle=np.array([f"page{i}" for i in range(n)], object), bio=None, location=None,
        is_fake=np.zeros(n, bool), farm="", operator="", community=np.full(n, -1), platform=world.platform,
        status="active")
    for k, (client, _p) in enumerate(watched):
        world.pages.setdefault(client, np.zeros(0, np.int64))
        world.pages[client] = np.append(world.pages[client], idx[k])
    # popularity: generic pages by Zipf rank, watched pages in the middle of the ranking
    rank = np.empty(n)
    rank[len(watched):] = rng.permutation(n_generic) + 1
    rank[:len(watched)] = rng.integers(5, 30, len(watched))
    world.page_index = idx
    world.page_weight = 1.0 / rank ** 1.1
    world.page_weight /= world.page_weight.sum()


def build_people(world: World, n_people: int) -> None:
    """Organic people: names, creation over years, communities, friends, subscriptions, groups."""
    rng, preset = world.rng, world.preset
    sizes = []
    while sum(sizes) < n_people:
        sizes.append(int(np.clip(rng.lognormal(3.6, 0.8), 8, 600)))
    sizes[-1] -= sum(sizes) - n_people
    community = np.repeat(np.arange(len(sizes)), sizes)
    persona = np.full(n_people, "person", object)
    if preset.story:
        kinds = np.array(["person", "right-wing", "pro-russia", "media", "researcher"], object)
        comm_kind = rng.choice(len(kinds), len(sizes), p=[0.75, 0.12, 0.1, 0.02, 0.01])
        persona = kinds[comm_kind[community]]
    loyal = rng.random(n_people) < 0.012
    persona = np.where(loyal & (persona == "person"), "loyalist", persona)
    names, _gender = person_names(rng, n_people, preset.region)
    span = world.t0 - 30 * DAY_S - epoch("2009-01-01")
    created = epoch("2009-01-01") + (rng.beta(1.6, 1.0, n_people) * span).astype(np.int64)
    loc = LOCATIONS[preset.region]
    location = np.array([loc[i] for i in rng.integers(0, len(loc), n_people)], object)
    location[rng.random(n_people) < 0.4] = None
    bio = np.array([BIOS[i] or None for i in rng.integers(0, len(BIOS), n_people)], object)
    bio[rng.random(n_people) < 0.5] = None
    idx = world.accounts.add(
        created_at=created, persona=persona, name=np.array(names, object),
        handle=np.array(nicknames(rng, names, rng.integers(1, 999, n_people)), object), bio=bio,
        location=location, is_fake=np.zeros(n_people, bool), farm="", operator="", community=community,
        platform=world.platform, status="active")
    world.people = idx
    for i in idx[rng.random(n_people) < 0.9]:  # most people show their own face
        world.avatar_of[int(i)] = f"p{int(i)}"
    _friends(world, idx, community, np.asarray(sizes), created)
    _subscriptions(world, idx, created)


def _friends(world: World, idx: np.ndarray, community: np.ndarray, sizes: np.ndarray, created: np.ndarray) -> None:
    rng = world.rng
    n = len(idx)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    stubs = np.clip(rng.lognormal(2.0, 0.8, n), 1, 300).astype(np.int64)
    owner = np.repeat(np.arange(n), stubs)
    local = rng.random(len(owner)) < 0.85
    c = community[owner]
    other = np.where(local, starts[c] + (rng.random(len(owner)) * sizes[c]).astype(np.int64),
                     rng.integers(0, n, len(owner)))
    a, b = np.minimum(owner, other), np.maximum(owner, other)
    keep = a != b
    pairs = np.unique(np.stack([a[keep], b[keep]], 1), axis=0)
    flip = rng.random(len(pairs)) < 0.5
    first = np.where(flip, pairs[:, 1], pairs[:, 0])
    second = np.where(flip, pairs[:, 0], pairs[:, 1])
    since = np.maximum(created[first], created[second])
    added = since + (rng.random(len(pairs)) * (world.t1 - since)).astype(np.int64)
    world.relations.add(account=idx[first], kind="follow" if world.platform == "twitter" else "friend",
                        other=idx[second], other_name=None, added_at=added)


def _subscriptions(world: World, idx: np.ndarray, created: np.ndarray) -> None:
    rng = world.rng
    n = len(idx)
    k = rng.integers(1, 8, n)
    owner = np.repeat(np.arange(n), k)
    page = rng.choice(len(world.page_index), len(owner), p=world.page_weight)
    pairs = np.unique(np.stack([owner, page], 1), axis=0)
    added = created[pairs[:, 0]] + (rng.random(len(pairs)) * (world.t1 - created[pairs[:, 0]])).astype(np.int64)
    kind = "follow" if world.platform == "twitter" else "subscribed"
    world.relations.add(account=idx[pairs[:, 0]], kind=kind, other=world.page_index[pairs[:, 1]],
                        other_name=None, added_at=added)
    if world.platform == "twitter":
        return
    n_groups = max(5, int(round(50 * world.scale ** 0.7)))
    weight = 1.0 / np.arange(1, n_groups + 1) ** 1.0
    m = rng.poisson(1.2, n)
    owner = np.repeat(np.arange(n), m)
    group = rng.choice(n_groups, len(owner), p=weight / weight.sum())
    pairs = np.unique(np.stack([owner, group], 1), axis=0)
    added = created[pairs[:, 0]] + (rng.random(len(pairs)) * (world.t1 - created[pairs[:, 0]])).astype(np.int64)
    world.relations.add(account=idx[pairs[:, 0]], kind="member", other=-1,
                        other_name=np.array([f"group{g}" for g in pairs[:, 1]], object), added_at=added)


def organic_items(world: World) -> None:
    """Page posts, personal posts (some with the person's photos), comments and reactions."""
    rng, preset = world.rng, world.preset
    days = world.local_midnights()
    langs, weights = list(preset.languages), list(preset.language_weights)
    # pages post in office hours, several a day when popular
    rate = 0.4 + 40.0 * world.page_weight
    for client_pages in world.pages.values():
        rate[np.isin(world.page_index, client_pages)] = np.maximum(rate[np.isin(world.page_index, client_pages)], 2.5)
    counts = rng.poisson(rate * len(days))
    author = np.repeat(world.page_index, counts)
    when = days[rng.integers(0, len(days), len(author))] + rng.integers(9 * 3600, 20 * 3600, len(author))
    page_posts = world.items.add(kind="post", author=author, created_at=when, parent=-1, target=author,
                                 text=organic_texts(rng, len(author), langs, weights), reaction=None,
                                 hashtags=None, urls=None, media=None, language=None)
    # people: heavy-tailed activity
    people = world.people
    persona = world.accounts.get("persona")[people]
    activity = np.minimum(rng.pareto(1.4, len(people)), 60.0) * len(days) / 28
    n_posts = rng.poisson(1.2 * activity)
    author = np.repeat(people, n_posts)
    when = local_hour_times(rng, pick_days(rng, days, len(author)))
    personal = world.items.add(kind="post", author=author, created_at=when, parent=-1, target=author,
                               text=organic_texts(rng, len(author), langs, weights), reaction=None,
                               hashtags=None, urls=None, media=None, language=None)
    photo = rng.random(len(personal)) < 0.2
    for item, who, at in zip(personal[photo], author[photo], when[photo]):
        key = world.avatar_of.get(int(who), f"p{int(who)}")
        world.media.append((key, 1 + int(rng.integers(0, 6)), "none", int(who), int(item), "photo", int(at)))
    created = world.accounts.get("created_at", np.int64)
    for who, key in sorted(world.avatar_of.items()):
        at = int(created[who] + rng.integers(0, 30 * DAY_S))
        world.media.append((key, 0, "none", who, -1, "avatar", at))
    post_idx = np.concatenate([page_posts, personal])
    post_author = np.concatenate([world.items.get("author", np.int64)[page_posts], author])
    post_time = np.concatenate([world.items.get("created_at", np.int64)[page_posts], when])
    world.post_cache = (post_idx, post_author, post_time)
    _responses(world, people, persona, activity, page_posts, personal, author)


def _responses(world: World, people: np.ndarray, persona: np.ndarray, activity: np.ndarray,
               page_posts: np.ndarray, personal: np.ndarray, personal_author: np.ndarray) -> None:
    """Comments and reactions: on page posts (by popularity) and on posts of the same community."""
    rng, preset = world.rng, world.preset
    when_all = world.items.get("created_at", np.int64)
    author_all = world.items.get("author", np.int64)
    page_of_post = author_all[page_posts]
    page_rank = {int(p): k for k, p in enumerate(world.page_index)}
    post_weight = world.page_weight[[page_rank[int(p)] for p in page_of_post]]
    official = np.isin(page_of_post, np.concatenate(list(world.pages.values())))
    community = world.accounts.get("community")[personal_author].astype(np.int64) if len(personal) else None
    order = np.argsort(community, kind="stable") if len(personal) else None
    comm_sorted = community[order] if len(personal) else None
    langs, weights = list(preset.languages), list(preset.language_weights)
    for kind, per, delay_median_s in (("comment", 2.5, 5400.0), ("reaction", 4.0, 3600.0)):
        n = rng.poisson(per * activity)
        who = np.repeat(people, n)
        on_page = rng.random(len(who)) < 0.65
        loyal = np.repeat(persona == "loyalist", n)
        parent = np.empty(len(who), np.int64)
        p = post_weight / post_weight.sum()
        parent[on_page] = page_posts[rng.choice(len(page_posts), int(on_page.sum()), p=p)]
        if official.any():
            off = page_posts[official]
            parent[loyal] = off[rng.integers(0, len(off), int(loyal.sum()))]
        rest = np.flatnonzero(~on_page & ~loyal)
        if len(personal):
            wc = world.accounts.get("community")[who[rest]].astype(np.int64)
            lo, hi = np.searchsorted(comm_sorted, wc, "left"), np.searchsorted(comm_sorted, wc, "right")
            has = hi > lo
            pick = lo + (rng.random(len(rest)) * (hi - lo)).astype(np.int64)
            parent[rest[has]] = personal[order[pick[has]]]
            rest = rest[~has]
        parent[rest] = page_posts[rng.choice(len(page_posts), len(rest), p=p)]
        start = when_all[parent]
        when = start + (rng.lognormal(np.log(delay_median_s), 1.2, len(who))).astype(np.int64)
        keep = (when < world.t1) & (author_all[parent] != who)
        who, parent, when = who[keep], parent[keep], when[keep]
        target = author_all[parent]
        if kind == "comment":
            world.items.add(kind="reply" if world.platform == "twitter" else "comment", author=who,
                            created_at=when, parent=parent, target=target,
                            text=organic_texts(rng, len(who), langs, weights), reaction=None, hashtags=None,
                            urls=None, media=None, language=None)
        elif world.platform == "twitter":
            world.items.add(kind="share", author=who, created_at=when, parent=parent, target=target,
                            text=pa.nulls(len(who), pa.string()), reaction=None, hashtags=None, urls=None,
                            media=None, language=None)
        else:
            world.items.add(kind="reaction", author=who, created_at=when, parent=parent, target=target,
                            text=pa.nulls(len(who), pa.string()),
                            reaction=np.where(rng.random(len(who)) < 0.8, "like", "love").astype(object),
                            hashtags=None, urls=None, media=None, language=None)
