"""A case simulator: realistic social-media data with troll farms planted, and the truth about them.

`simulate(out)` writes a complete case's input files, shaped like the investigations in the seeds
(Kazakh nurbots, Kyrgyz election farms, farms that changed tactics, a false story spreading), and
the truth about every account. The same preset, seed and scale always give the same bytes.

Layout of `out`:

    input/                  ingest this folder: `trollscan ingest OUT/input --case CASE`
      accounts.parquet      canonical tables (or .csv with fmt="csv")
      items.parquet
      relations.parquet     friend (one row per pair: friendship is mutual), follow, subscribed, member
      media.parquet         avatars and photos; `path` is relative to input/
      snapshots.parquet     (kloop-election) account status weeks later, after the takedown
      images/*.jpg          the photo files (named by content), skipped by folder ingest as media files
      telegram/<farm>/result.json   the farm's coordination chat (Telegram Desktop export)
      site_comments.csv     a news site's comment log with IP addresses and user agents
    truth.csv               platform, account_id, is_fake, operator, farm, persona (every account)
    media_truth.csv         whose photo each media row shows (person; person_account_id when that person
                            is an account in the case), and how it was transformed
    farms.json              per farm: clients, watched pages, chat id, IPs, operators and their accounts
    story.json              (preset "spread") the story's query and its true first poster
    gallery/<person>_<n>.jpg   originals of the photos stolen from people outside the case

Times in the tables are UTC; the site log writes local time with its offset (+06:00) and the Telegram
export local time with `date_unixtime`, as the real exports do. A link in a chat is
`https://www.facebook.com/<page account_id>/posts/<item_id>`. Personas in truth.csv: person,
loyalist (a real person who comments mostly on official pages), page, manager (a client's own
account), fake, operator and supervisor (their Telegram accounts), reader (site commenters); the
spread preset adds first-poster, right-wing, pro-russia, media and researcher. Ingesting `out`
itself (not `out/input`) fails on farms.json, so the truth cannot slip into a case.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import BadParameter
from .coord import coordination_chats, site_comments
from .farms import farm_activity, plan_farms
from .population import build_pages, build_people, organic_items
from .presets import PRESETS, FarmSpec, Preset
from .spread import spread_story
from .world import DAY_S, LOCAL_OFFSET_S, World, epoch
from .writers import write_world

__all__ = ["simulate", "SimulationSummary", "PRESETS", "Preset", "FarmSpec", "MAX_IMAGE_SCALE"]

MAX_IMAGE_SCALE = 10.0  # above this scale images are off unless asked for


@dataclass
class SimulationSummary:
    out: Path
    preset: str
    seed: int
    scale: float
    accounts: int  # rows of accounts (on the preset's platform)
    fake_accounts: int  # fake accounts on the platform (site nicknames not counted)
    operators: int
    farms: list[str]
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows written
    images: int = 0  # distinct image files
    image_bytes: int = 0
    total_bytes: int = 0  # everything under out
    files: list[Path] = field(default_factory=list)


def simulate(out: Path, *, preset: str = "nurbots", seed: int = 1, scale: float = 1.0,
             images: bool | None = None, fmt: str = "parquet", workers: int | None = None) -> SimulationSummary:
    """Write a simulated case to the empty or new folder `out`; deterministic for (preset, seed, scale).

    `scale=1.0` gives about 10,000 accounts, 10 about 100,000 and 100 about 1,000,000 (farms grow
    with it: operators scale, accounts per operator stay as in the seeds). `images` writes the photo
    files (default: when scale <= 10); without them media rows carry URLs. `fmt` is "parquet" or "csv"
    for the canonical tables. `workers` processes draw the photos (default: one per CPU); the bytes
    are the same for any number. Presets: nurbots, kloop-election, evasive, spread.
    """
    if preset not in PRESETS:
        raise BadParameter(f"Unknown preset {preset!r}.", f"Use one of: {', '.join(PRESETS)}.")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise BadParameter(f"The 'seed' parameter of simulate must be an int >= 0; got {seed!r}.")
    if not isinstance(scale, (int, float)) or not 0.005 <= scale <= 1000:
        raise BadParameter(f"The 'scale' parameter of simulate must be a number in [0.005, 1000]; got {scale!r}.",
                           "1 gives about 10,000 accounts.")
    if fmt not in ("parquet", "csv"):
        raise BadParameter(f"The 'fmt' parameter of simulate must be 'parquet' or 'csv'; got {fmt!r}.")
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BadParameter(f"{out} is not an empty folder.", "Give a new folder, or delete this one first.")
    if images is None:
        images = scale <= MAX_IMAGE_SCALE
    spec = PRESETS[preset]
    t0 = epoch(spec.start) - LOCAL_OFFSET_S
    world = World(spec, float(scale), seed, np.random.default_rng([seed, _preset_number(preset)]), t0,
                  t0 + spec.days * DAY_S)
    build_pages(world)
    n_fake = plan_farms(world)
    n_people = max(50, world.n(spec.organic_accounts) - n_fake - len(world.page_index))
    build_people(world, n_people)
    organic_items(world)
    farm_activity(world)
    coordination_chats(world)
    site_comments(world)
    if spec.story:
        spread_story(world)
    out.mkdir(parents=True, exist_ok=True)
    try:
        written = write_world(world, out, fmt=fmt, images=images,
                              workers=workers if workers is not None else (os.cpu_count() or 1))
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    platform = world.accounts.get("platform") == spec.platform
    fake = world.accounts.get("is_fake").astype(bool)
    return SimulationSummary(
        out=out, preset=preset, seed=seed, scale=float(scale), accounts=written["rows"]["accounts"],
        fake_accounts=int((platform & fake).sum()),
        operators=sum(len(f["operators"]) for f in world.farms.values()), farms=sorted(world.farms),
        rows=written["rows"], images=written["images"], image_bytes=written["image_bytes"],
        total_bytes=sum(p.stat().st_size for p in out.rglob("*") if p.is_file()), files=written["files"])


def _preset_number(name: str) -> int:
    return sorted(PRESETS).index(name)
