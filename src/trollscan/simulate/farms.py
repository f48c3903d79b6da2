"""Farms: operators and their fake accounts, stolen photos, friend bursts and paid comments.

Each operator runs several accounts, works office hours on working days (50-70 comments a day in
the seeds), comments on the watch list of their clients' pages with paraphrased talking points,
copies some texts verbatim and carries personal typos from account to account.
"""

from __future__ import annotations

import random

import numpy as np

from .population import BIOS, LOCATIONS
from .presets import FarmSpec
from .text import apply_typos, farm_text, nicknames, operator_typos, organic_texts, person_names, personal_post
from .world import DAY_S, LOCAL_OFFSET_S, World, epoch

__all__ = ["plan_farms", "farm_activity", "TRANSFORMS", "FarmWriter", "working_times", "recent_post", "client_at"]

TRANSFORMS = ("mirror", "crop", "filter", "recompress", "mirror+crop", "filter+crop")
_HOUR_WEIGHT_LUNCH = 0.3


def plan_farms(world: World) -> int:
    """Create every farm's operators and fake accounts; the number of fake accounts."""
    rng, preset = world.rng, world.preset
    total = 0
    for number, spec in enumerate(preset.farms):
        ops = []
        n_ops = world.n(spec.operators)
        switchers = set(rng.permutation(n_ops)[: int(round(spec.switch[2] * n_ops))].tolist()) if spec.switch else set()
        start = epoch(spec.created[0])
        for j in range(n_ops):
            k = int(rng.integers(spec.accounts_per_operator[0], spec.accounts_per_operator[1] + 1))
            day = start + rng.integers(0, max(spec.created[1], 1), k) * DAY_S - LOCAL_OFFSET_S
            created = day + rng.integers(spec.hours[0] * 3600, min(spec.hours[1], 24) * 3600, k)
            names, _g = person_names(rng, k, preset.region)
            bio = np.array([BIOS[i] or None for i in rng.integers(0, len(BIOS), k)], object)
            bio[rng.random(k) >= spec.bio_share] = None
            places = LOCATIONS[preset.region]
            location = np.array([places[i] for i in rng.integers(0, len(places), k)], object)
            location[rng.random(k) >= spec.bio_share] = None  # thin profiles, unless the farm takes care
            operator = f"{spec.name}/op{j + 1:02d}"
            idx = world.accounts.add(
                created_at=created, persona="fake", name=np.array(names, object),
                handle=np.array(nicknames(rng, names, rng.integers(1, 9999, k)), object), bio=bio,
                location=location, is_fake=np.ones(k, bool), farm=spec.name, operator=operator,
                community=np.full(k, -1), platform=world.platform, status="active")
            clients = (spec.clients[j % len(spec.clients)],)
            ops.append({"operator": operator, "accounts": idx, "clients": clients,
                        "switch_at": epoch(spec.switch[0]) if j in switchers else None,
                        "switch_to": spec.switch[1] if j in switchers else (),
                        "typos": operator_typos(rng, spec.typos_per_operator,
                                                clients + (spec.switch[1] if j in switchers else ()))})
            total += k
        world.farms[spec.name] = {"spec": spec, "number": number, "operators": ops}
    return total


def farm_activity(world: World) -> None:
    """Photos, friends, subscriptions, groups, comments and likes of every farm."""
    stolen_outside = [0]
    for name in sorted(world.farms):
        farm = world.farms[name]
        _avatars(world, farm, stolen_outside)
        _friends(world, farm)
        _subscriptions(world, farm)
        _comments(world, farm)
        if farm["spec"].personal_posts:
            _personal_posts(world, farm)


def _all_accounts(farm: dict) -> np.ndarray:
    return np.concatenate([op["accounts"] for op in farm["operators"]])


def _avatars(world: World, farm: dict, stolen_outside: list[int]) -> None:
    rng, spec = world.rng, farm["spec"]
    accounts = _all_accounts(farm)
    created = world.accounts.get("created_at", np.int64)
    owners = sorted(world.avatar_of)
    used: list[str] = []
    photo_day = int(created[accounts].max()) + int(rng.integers(3, 30)) * DAY_S
    for who in accounts.tolist():
        if used and rng.random() < spec.avatar_reuse:
            person = used[int(rng.integers(0, len(used)))]
        elif owners and rng.random() < spec.avatar_from_case:
            person = world.avatar_of[owners[int(rng.integers(0, len(owners)))]]
        else:
            stolen_outside[0] += 1
            person = f"x{stolen_outside[0]}"
        used.append(person)
        transform = TRANSFORMS[int(rng.integers(0, len(TRANSFORMS)))] if rng.random() < spec.avatar_transform \
            else "none"
        if spec.photos_same_day:
            uploaded = photo_day + int(rng.integers(9 * 3600, 18 * 3600)) - LOCAL_OFFSET_S
        else:
            uploaded = int(created[who]) + int(rng.integers(0, 200 * DAY_S))
        uploaded = min(uploaded, world.t1 - 1)
        world.media.append((person, 0, transform, who, -1, "avatar", uploaded))
        for photo in range(1, 1 + int(rng.integers(0, 4))):
            at = uploaded + photo * 60 if spec.photos_same_day else int(created[who]) + int(rng.integers(0, 400 * DAY_S))
            at = min(at, world.t1 - 1)
            (item,) = world.items.add(kind="post", author=np.array([who]), created_at=np.array([at]), parent=-1,
                                      target=np.array([who]), text=[None], reaction=None, hashtags=None,
                                      urls=None, media=None, language=None)
            world.media.append((person, photo, transform if rng.random() < 0.5 else "none", who, int(item),
                                "photo", at))


def _friends(world: World, farm: dict) -> None:
    rng, spec = world.rng, farm["spec"]
    accounts = _all_accounts(farm)
    created = world.accounts.get("created_at", np.int64)
    k = rng.integers(spec.friends_per_account[0], spec.friends_per_account[1] + 1, len(accounts))
    inside = rng.binomial(k, spec.internal_friend_share)
    owner = np.repeat(accounts, k)
    internal = np.concatenate([np.arange(m) < i for m, i in zip(k, inside)]) if len(k) else np.zeros(0, bool)
    other = np.where(internal, accounts[rng.integers(0, len(accounts), len(owner))],
                     world.people[rng.integers(0, len(world.people), len(owner))])
    a, b = np.minimum(owner, other), np.maximum(owner, other)
    keep = a != b
    pairs = np.unique(np.stack([a[keep], b[keep]], 1), axis=0)
    since = np.maximum(created[pairs[:, 0]], created[pairs[:, 1]])
    if spec.friends_burst:
        added = np.maximum(epoch(spec.friends_month) + rng.integers(0, 28 * DAY_S, len(pairs)), since + 3600)
    else:
        added = since + (rng.random(len(pairs)) * (world.t1 - since)).astype(np.int64)
    added = np.minimum(added, world.t1 - 1)
    flip = rng.random(len(pairs)) < 0.5
    world.relations.add(account=np.where(flip, pairs[:, 1], pairs[:, 0]),
                        kind="follow" if world.platform == "twitter" else "friend",
                        other=np.where(flip, pairs[:, 0], pairs[:, 1]), other_name=None, added_at=added)


def _subscriptions(world: World, farm: dict) -> None:
    rng, spec = world.rng, farm["spec"]
    created = world.accounts.get("created_at", np.int64)
    kind = "follow" if world.platform == "twitter" else "subscribed"
    spread = spec.off_target_share > 0.2
    groups = [f"group{1000 + 20 * farm['number'] + g}" for g in range(12)]
    for op in farm["operators"]:
        watched = np.concatenate([world.pages[c] for c in op["clients"] + tuple(op["switch_to"])])
        for who in op["accounts"].tolist():
            extra = world.page_index[rng.choice(len(world.page_index), int(rng.integers(3, 9) if spread else
                                                                         rng.integers(0, 3)), p=world.page_weight)]
            pages = np.unique(np.concatenate([watched, extra]))
            at = created[who] + rng.integers(3600, (300 if spread else 20) * DAY_S, len(pages))
            world.relations.add(account=np.full(len(pages), who), kind=kind, other=pages, other_name=None,
                                added_at=np.minimum(at, world.t1 - 1))
            m = int(rng.integers(spec.groups[0], spec.groups[1] + 1))
            if m:
                chosen = sorted(rng.choice(len(groups), min(m, len(groups)), replace=False).tolist())
                at = created[who] + rng.integers(3600, 30 * DAY_S, len(chosen))
                world.relations.add(account=np.full(len(chosen), who), kind="member", other=-1,
                                    other_name=np.array([groups[g] for g in chosen], object),
                                    added_at=np.minimum(at, world.t1 - 1))


def working_times(world: World, spec: FarmSpec, per_day: tuple[int, int], n_days_off: float = 0.05) -> np.ndarray:
    """One operator's action times: per_day actions on each working day, in office hours, sorted."""
    rng = world.rng
    days = world.local_midnights(weekends=spec.weekends)
    days = days[rng.random(len(days)) >= n_days_off]
    counts = rng.integers(per_day[0], per_day[1] + 1, len(days))
    hours = np.arange(spec.hours[0], min(spec.hours[1], 24))
    weight = np.where(hours == 13, _HOUR_WEIGHT_LUNCH, 1.0)
    start = np.repeat(days, counts)
    when = start + rng.choice(hours, len(start), p=weight / weight.sum()) * 3600 + rng.integers(0, 3600, len(start))
    return np.sort(when[(when >= world.t0) & (when < world.t1)])


def recent_post(world: World, posts: tuple[np.ndarray, np.ndarray], when: np.ndarray,
                window_s: int = 2 * DAY_S) -> np.ndarray:
    """For each time, a random post among those published in the `window_s` before it (-1: none)."""
    index, ptime = posts
    if len(index) == 0:
        return np.full(len(when), -1)
    hi = np.searchsorted(ptime, when, "left")
    lo = np.searchsorted(ptime, when - window_s, "left")
    lo = np.where(hi > lo, lo, np.maximum(hi - 1, 0))
    pick = lo + (world.rng.random(len(when)) * np.maximum(hi - lo, 1)).astype(np.int64)
    return np.where(hi > 0, index[np.minimum(pick, len(index) - 1)], -1)


def client_at(op: dict, when: int) -> str:
    clients = op["switch_to"] if op["switch_at"] is not None and when >= op["switch_at"] else op["clients"]
    return clients[0]


class FarmWriter:
    """The farm's copywriting: paraphrases, some verbatim repeats, operators' typos."""

    def __init__(self, world: World, spec: FarmSpec) -> None:
        self.rng, self.spec = random.Random(int(world.rng.integers(0, 2 ** 63))), spec
        self.languages = [lang for lang in world.preset.languages if lang in ("ru", "kk", "ky", "en")]
        self.recent: dict[str, list[str]] = {}

    def text(self, op: dict, client: str) -> str:
        recent = self.recent.setdefault(client, [])
        if recent and self.rng.random() < self.spec.repeat_share:
            return self.rng.choice(recent)
        text = farm_text(self.rng, client)
        if self.rng.random() < self.spec.own_words:
            remark = personal_post(self.rng, self.rng.choice(self.languages))
            text = f"{remark} {text}" if self.rng.random() < 0.5 else f"{text} {remark}"
        if op["typos"] and self.rng.random() < 0.8:
            text = apply_typos(text, op["typos"])
        recent.append(text)
        if len(recent) > 40:
            recent.pop(0)
        return text


def _comments(world: World, farm: dict) -> None:
    rng, spec = world.rng, farm["spec"]
    writer = FarmWriter(world, spec)
    farm["writer"] = writer
    watched = {c: world.posts_by(pages) for c, pages in world.pages.items()}
    everywhere = world.posts_by(world.page_index)
    kind = "reply" if world.platform == "twitter" else "comment"
    author_all = world.items.get("author", np.int64)
    for op in farm["operators"]:
        when = working_times(world, spec, spec.comments_per_day)
        clients = np.array([client_at(op, int(t)) for t in when], object)
        parent = np.full(len(when), -1)
        for client in sorted(set(clients.tolist())):
            sel = clients == client
            parent[sel] = recent_post(world, watched[client], when[sel])
        off = rng.random(len(when)) < spec.off_target_share
        parent[off] = recent_post(world, everywhere, when[off])
        keep = parent >= 0
        when, parent, clients = when[keep], parent[keep], clients[keep]
        who = op["accounts"][rng.integers(0, len(op["accounts"]), len(when))]
        target = author_all[parent]
        texts = [writer.text(op, c) for c in clients]
        world.items.add(kind=kind, author=who, created_at=when, parent=parent, target=target, text=texts,
                        reaction=None, hashtags=None, urls=None, media=None, language=None)
        if world.platform != "twitter" and len(when):  # likes on the same posts, soon after
            likes = rng.random(len(when)) < 0.5
            liker = op["accounts"][rng.integers(0, len(op["accounts"]), int(likes.sum()))]
            delay = rng.lognormal(np.log(spec.reaction_delay_min * 30), spec.delay_spread, int(likes.sum()))
            at = np.minimum(when[likes] + 30 + delay.astype(np.int64), world.t1 - 1)
            world.items.add(kind="reaction", author=liker, created_at=at, parent=parent[likes],
                            target=target[likes], text=[None] * int(likes.sum()), reaction="like", hashtags=None,
                            urls=None, media=None, language=None)


def _personal_posts(world: World, farm: dict) -> None:
    rng, spec = world.rng, farm["spec"]
    accounts = _all_accounts(farm)
    weeks = (world.t1 - world.t0) / (7 * DAY_S)
    n = rng.poisson(spec.personal_posts * weeks, len(accounts))
    who = np.repeat(accounts, n)
    days = world.local_midnights()
    when = days[rng.integers(0, len(days), len(who))] + rng.integers(7 * 3600, 24 * 3600, len(who))
    when = np.minimum(when, world.t1 - 1)
    texts = organic_texts(rng, len(who), list(world.preset.languages), list(world.preset.language_weights))
    world.items.add(kind="post", author=who, created_at=when, parent=-1, target=who, text=texts, reaction=None,
                    hashtags=None, urls=None, media=None, language=None)
