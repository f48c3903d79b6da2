"""The simulator's presets: the organic population and the farms of each kind of case.

Numbers come from the investigations: the Kazakh "Influence Department" (30 agents x 50
accounts), Kyrgyz farms (10-15 people x 5 accounts), groups of 5-10 accounts per admin, 50-70
comments per operator per working day in office hours.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["FarmSpec", "Preset", "PRESETS"]


@dataclass(frozen=True)
class FarmSpec:
    name: str
    clients: tuple[str, ...]  # talking-point keys; operators are split between them ("two sides")
    operators: int  # at scale 1
    accounts_per_operator: tuple[int, int]  # inclusive range
    comments_per_day: tuple[int, int] = (50, 70)  # per operator per working day
    hours: tuple[int, int] = (9, 18)  # local working hours [start, end)
    weekends: bool = False
    created: tuple[str, int] = ("2018-08-01", 10)  # burst start (date) and its length in days
    friends_month: str = "2019-02-01"  # friends are added in the 28 days after this date
    friends_burst: bool = True  # False: friends are added at random times since creation
    internal_friend_share: float = 0.85  # share of a fake's friendships with the same farm
    friends_per_account: tuple[int, int] = (15, 40)
    repeat_share: float = 0.12  # comments copied verbatim from the farm's earlier ones
    own_words: float = 0.0  # share of comments with an everyday remark of the operator's own added
    typos_per_operator: int = 3
    chat: bool = True  # a Telegram coordination chat posts links; the farm reacts
    links_per_day: int = 4
    reaction_delay_min: float = 4.0  # mean minutes from link to reaction
    delay_spread: float = 0.6  # lognormal sigma of the delay
    react_share: float = 0.5  # share of the farm's accounts that answer one link
    off_target_share: float = 0.02  # comments on pages outside the watch list
    personal_posts: float = 0.0  # personal posts per account per week
    avatar_reuse: float = 0.35  # share of fakes whose stolen photo another fake also uses
    avatar_from_case: float = 0.3  # share of stolen photos whose owner is an organic account in the case
    avatar_transform: float = 0.6  # share of stolen avatars mirrored, cropped, filtered or recompressed
    photos_same_day: bool = True  # the stolen photos are all uploaded on one day
    site_ips: int = 1  # IP addresses the farm comments from on the news site (0: no site comments)
    site_nicks_per_operator: int = 4
    switch: tuple[str, tuple[str, ...], float] | None = None  # (date, new clients, share of operators)
    groups: tuple[int, int] = (1, 10)  # groups each fake joins, out of the farm's group set
    bio_share: float = 0.05


@dataclass(frozen=True)
class Preset:
    name: str
    doc: str
    platform: str
    region: str  # names: kz, kg, intl
    languages: tuple[str, ...]
    language_weights: tuple[float, ...]
    start: str  # first day of the collected window (UTC date)
    days: int
    pages: dict[str, tuple[str, ...]]  # client -> names of its watched pages
    farms: tuple[FarmSpec, ...]
    organic_accounts: int = 10_000  # at scale 1, farms and pages included
    site: str = "https://news.example.kz"
    story: bool = False
    takedown: tuple[int, float] | None = None  # (days after the window, share of fakes removed): snapshots
    extra: dict = field(default_factory=dict)


_NURBOTS = Preset(
    "nurbots", "Kazakh nurbots (seeds 000/001): an Influence Department and an SMM agency on official pages.",
    "facebook", "kz", ("ru", "kk"), (0.8, 0.2), "2019-02-04", 28,
    {"foundation": ("Фонд Первого Президента – Елбасы", "Bolashaqqa Bagdar: Rukhani Zhangyru", "@Максим Споткай"),
     "party": ("Nur Otan", "Мажилис Парламента РК"),
     "anti-critic": ("Сушим болото", "1001 лицо Аблязова")},
    (
        FarmSpec("influence-department", ("foundation", "party"), 30, (50, 50),
                 created=("2018-08-03", 12), friends_month="2019-02-01"),
        FarmSpec("smmnetwork", ("anti-critic", "foundation"), 6, (5, 10), created=("2019-02-07", 3),
                 friends_month="2019-02-01", repeat_share=0.05, site_ips=2),
    ),
)

_KLOOP = Preset(
    "kloop-election", "Kyrgyz election farms (seeds 002/003): parties' farms, one farm on two sides, "
    "an allegiance switch to Japarov after 6 Oct 2020, a site attacked from one IP.",
    "facebook", "kg", ("ru", "ky"), (0.6, 0.4), "2020-09-21", 28,
    {"mekenim": ("Мекеним Кыргызстан", "Элнура Алканова"), "japarov": ("Садыр Жапаров", "Мекенчил"),
     "birimdik": ("Биримдик", "Асылбек Жээнбеков"), "respublika": ("Республика",),
     "kyrgyzstan": ("Кыргызстан партиясы",), "matraimov": ("Kloop", "Kaktus Media")},
    (
        FarmSpec("mekenim-farm", ("mekenim",), 12, (5, 5), created=("2019-08-10", 20), friends_month="2020-02-01",
                 switch=("2020-10-06", ("japarov",), 0.6)),
        FarmSpec("birimdik-farm", ("birimdik",), 15, (5, 5), created=("2020-07-01", 14),
                 friends_month="2020-08-01"),
        FarmSpec("media-center", ("respublika", "kyrgyzstan"), 10, (5, 10), created=("2020-06-15", 10),
                 friends_month="2020-07-01", repeat_share=0.2, site_ips=0),
        FarmSpec("matraimov-farm", ("matraimov",), 12, (5, 5), created=("2019-10-01", 60),
                 friends_month="2019-12-01", site_ips=1, site_nicks_per_operator=8, chat=False),
    ),
    site="https://kaktus.example.kg", takedown=(60, 0.94),
)

_EVASIVE_KW = dict(
    comments_per_day=(15, 35), hours=(8, 23), weekends=True, internal_friend_share=0.12, friends_burst=False,
    friends_per_account=(40, 120), repeat_share=0.005, own_words=0.9, typos_per_operator=0, links_per_day=3,
    reaction_delay_min=120.0, delay_spread=1.3, react_share=0.2, off_target_share=0.4, personal_posts=2.0,
    avatar_reuse=0.0, avatar_from_case=0.0, avatar_transform=0.95, photos_same_day=False, site_ips=6,
    site_nicks_per_operator=2, groups=(0, 3), bio_share=0.6)

_EVASIVE = Preset(
    "evasive", "Farms that changed tactics (seed 003): randomised delays, rarely repeated text, few links "
    "among themselves, personal posts mixed in, unique filtered photos, accounts created over years.",
    "facebook", "kg", ("ru", "ky"), (0.6, 0.4), "2020-12-01", 28,
    {"japarov": ("Садыр Жапаров",), "matraimov": ("Kloop", "Kaktus Media"), "birimdik": ("Биримдик",)},
    (
        FarmSpec("quiet-influencers", ("japarov",), 12, (5, 10), created=("2017-01-01", 1100),
                 friends_month="2018-01-01", **_EVASIVE_KW),
        FarmSpec("suggestive-commenters", ("matraimov", "birimdik"), 12, (5, 10), created=("2016-06-01", 1300),
                 friends_month="2017-06-01", **_EVASIVE_KW),
    ),
    site="https://kaktus.example.kg",
)

_SPREAD = Preset(
    "spread", "A false story spreading on Twitter (seed 004): a first poster, amplifier bots, "
    "right-wing and pro-Russian clusters, then real media.",
    "twitter", "intl", ("en", "ru"), (0.7, 0.3), "2020-02-03", 10,
    {"pro-china": ("Silk Road Daily", "Global Harmony Times")},
    (
        FarmSpec("amplifier-bots", ("pro-china",), 12, (20, 40), comments_per_day=(10, 20), hours=(0, 24),
                 weekends=True, created=("2020-01-10", 6), friends_month="2020-01-20", internal_friend_share=0.7,
                 repeat_share=0.3, typos_per_operator=2, chat=False, react_share=0.6,
                 reaction_delay_min=3.0, site_ips=0, avatar_reuse=0.5, groups=(0, 0)),
    ),
    organic_accounts=10_000, site="", story=True,
    extra={"first_post_at": "2020-02-07T23:00:00", "query": "Kordai"},
)

PRESETS: dict[str, Preset] = {p.name: p for p in (_NURBOTS, _KLOOP, _EVASIVE, _SPREAD)}
