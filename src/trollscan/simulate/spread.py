"""A false story spreading (seed 004): a first poster, amplifier bots within minutes, ideological
clusters over hours, real media and researchers the next day, in several languages.

Nothing before the first post mentions the story's query word, so the first poster is the
earliest item that matches it.
"""

from __future__ import annotations

import random

import numpy as np

from .farms import FarmWriter
from .text import TALKING_POINTS, farm_text
from .world import DAY_S, World, epoch, local_hour_times, pick_days

__all__ = ["spread_story"]

# persona -> (share who retweet, share who write their own version, median delay in hours, sigma)
_WAVES = {
    "fake": (0.9, 0.7, 0.1, 1.0),
    "right-wing": (0.12, 0.05, 3.0, 1.0),
    "pro-russia": (0.1, 0.04, 5.0, 1.0),
    "media": (0.05, 0.6, 26.0, 0.4),
    "researcher": (0.03, 0.2, 20.0, 0.6),
    "person": (0.004, 0.001, 10.0, 1.2),
    "loyalist": (0.004, 0.001, 10.0, 1.2),
}
_OUTLETS = ["Gulf World News", "Euro Daily", "Nouvelles Conflits", "Asia Wire", "Deutsche Rundschau Online",
            "Steppe Today", "Global Times Review", "Balkan Post"]
_MEDIA = ["Reports say {s}", "Unverified videos claim {s}", "What we know: {s}", "Fact check needed: {s}"]


def spread_story(world: World) -> None:
    rng, preset = world.rng, world.preset
    at = epoch(preset.extra["first_post_at"])
    right = np.flatnonzero(world.accounts.get("persona") == "right-wing")
    community = int(world.accounts.get("community")[right[0]]) if len(right) else -1
    (poster,) = world.accounts.add(
        created_at=np.array([epoch("2015-03-02T10:00:00")]), persona="first-poster",
        name=np.array(["Sotiri Dimpinoudis"], object), handle=np.array(["sotiridi"], object),
        bio=np.array(["Greek expat born in Belgium. Freelance journalist."], object), location="Brussels",
        is_fake=np.zeros(1, bool), farm="", operator="", community=np.array([community]), platform=world.platform,
        status="active")
    tags = np.empty(1, object)
    tags[0] = ["coronavirus"]
    text = "BREAKING: Kazakhs burn Chinese restaurants and homes in Kordai over #coronavirus panic ⬇️"
    (first,) = world.items.add(kind="post", author=np.array([poster]), created_at=np.array([at]), parent=-1,
                               target=np.array([poster]), text=[text], reaction=None,
                               hashtags=tags, urls=None, media=None,
                               language="en")
    outlets = world.n(8, 4)  # newsrooms that pick the story up the next day
    world.accounts.add(
        created_at=epoch("2010-01-01") + rng.integers(0, 5 * 365, outlets) * DAY_S, persona="media",
        name=np.array([f"{_OUTLETS[k % len(_OUTLETS)]}{'' if k < len(_OUTLETS) else f' {k}'}" for k in range(outlets)],
                      object),
        handle=np.array([f"news_outlet_{k + 1}" for k in range(outlets)], object), bio="News", location=None,
        is_fake=np.zeros(outlets, bool), farm="", operator="", community=np.full(outlets, -1),
        platform=world.platform, status="active")
    followers = right[rng.random(len(right)) < 0.4]
    world.relations.add(account=followers, kind="follow", other=np.full(len(followers), poster), other_name=None,
                        added_at=at - rng.integers(30, 900, len(followers)) * DAY_S)
    persona = world.accounts.get("persona")
    platform = world.accounts.get("platform")
    writers: dict[str, FarmWriter] = {}
    r = random.Random(int(rng.integers(0, 2 ** 63)))
    for kind, (share_rt, share_own, hours, sigma) in sorted(_WAVES.items()):
        who = np.flatnonzero((persona == kind) & (platform == world.platform))
        rt = who[rng.random(len(who)) < share_rt]
        delay = (rng.lognormal(np.log(hours * 3600), sigma, len(rt))).astype(np.int64) + 20
        when = np.minimum(at + delay, world.t1 - 1)
        world.items.add(kind="share", author=rt, created_at=when, parent=np.full(len(rt), first),
                        target=np.full(len(rt), poster), text=[None] * len(rt), reaction=None, hashtags=None,
                        urls=None, media=None, language=None)
        own = who[rng.random(len(who)) < share_own]
        if kind == "fake":  # bots write several versions each
            own = np.repeat(own, 1 + rng.poisson(1.5, len(own)))
        delay = (rng.lognormal(np.log(hours * 3600 * 1.5), sigma, len(own))).astype(np.int64) + 60
        when = np.minimum(at + delay, world.t1 - 1)
        quote = rng.random(len(own)) < (0.8 if kind in ("media", "researcher") else 0.3)
        texts = []
        for q, author in zip(quote, own.tolist()):
            if kind in ("media", "researcher"):
                body = farm_text(r, "story", 0.0).split(" ", 1)[1]
                texts.append(_MEDIA[int(rng.integers(0, len(_MEDIA)))].format(s=body))
            elif kind == "fake":
                farm = world.accounts.get("farm")[author]
                w = writers.setdefault(farm, FarmWriter(world, world.farms[farm]["spec"]))
                op = next(o for o in world.farms[farm]["operators"] if author in o["accounts"])
                texts.append(w.text(op, "story"))
            else:
                texts.append(farm_text(r, "story", 0.1))
        world.items.add(kind=np.where(quote, "quote", "post").astype(object), author=own, created_at=when,
                        parent=np.where(quote, first, -1), target=np.where(quote, poster, own), text=texts,
                        reaction=None, hashtags=None, urls=None, media=None, language=None)
    _agendas(world)
    world.story = {"query": preset.extra["query"], "first_poster": int(poster), "first_post": int(first),
                   "first_post_at": preset.extra["first_post_at"] + "Z",
                   "points": [w for p in TALKING_POINTS["story"][1] for w in p],
                   "agendas": {k: {"hashtags": list(t), "sites": list(s)} for k, (t, s) in sorted(_AGENDAS.items())}}


# Seed 004: three groups spread the story, each reading it its own way (right-wing Europeans,
# pro-Russian accounts, pro-Chinese bots), and researchers traced it. Each shares its own sites'
# articles and hashtags over the window: what tells the groups apart, and what describes them.
_AGENDAS = {
    "right-wing": (("EuropeFirst", "StopIslamisation", "Remigration", "Trump2020"),
                   ("freeeurope-news.example", "patriot-voice.example")),
    "pro-russia": (("Russia", "NATOgohome", "Donbass", "Eurasia"), ("rus-vesna.example", "news-front.example")),
    "fake": (("China", "SilkRoad", "StayStrongWuhan", "ChinaIsNotTheVirus"),
             ("silkroad-daily.example", "global-harmony.example")),
    "researcher": (("disinfo", "OSINT", "factcheck"), ("dfrlab.example", "factcheck-hub.example")),
}
_AGENDA_TEXT = ["Read this", "Must read", "They won't tell you this", "Important", "Thread", "Worth a look"]


def _agendas(world: World) -> None:
    rng = world.rng
    persona, platform = world.accounts.get("persona"), world.accounts.get("platform")
    days = world.local_midnights()
    for kind, (tags, sites) in sorted(_AGENDAS.items()):
        who = np.flatnonzero((persona == kind) & (platform == world.platform))
        if not len(who):
            continue
        author = np.repeat(who, rng.poisson(4.0, len(who)))
        n = len(author)
        article = rng.integers(0, max(3, len(who) // 3), n)
        tag = rng.integers(0, len(tags), (n, 2))
        if kind == "fake":  # the bots post around the clock
            when = world.t0 + rng.integers(0, world.t1 - world.t0, n)
        else:
            when = local_hour_times(rng, pick_days(rng, days, n))
        urls, hashtags = np.empty(n, object), np.empty(n, object)
        texts = []
        for k in range(n):
            urls[k] = [f"https://{sites[article[k] % len(sites)]}/2020/02/{kind}-{article[k]}"]
            hashtags[k] = [tags[t] for t in dict.fromkeys(tag[k].tolist())]
            texts.append(f"{_AGENDA_TEXT[int(article[k]) % len(_AGENDA_TEXT)]}: "
                         + " ".join(f"#{h}" for h in hashtags[k]) + f" {urls[k][0]}")
        world.items.add(kind="post", author=author, created_at=when, parent=-1, target=author, text=texts,
                        reaction=None, hashtags=hashtags, urls=urls, media=None, language=None)
