"""The simulator: deterministic, consistent with its truth, ingestible, and shaped like the seeds."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

import trollscan.simulate as sim
from trollscan.errors import BadParameter
from trollscan.ingest import ingest_files
from trollscan.simulate import PRESETS, simulate

from .phash import distance, phash

SMALL = 0.05  # about 500 accounts


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> dict[str, Path]:
    out = {}
    for preset in PRESETS:
        folder = tmp_path_factory.mktemp("sim") / preset
        simulate(folder, preset=preset, seed=7, scale=SMALL)
        out[preset] = folder
    return out


def _truth(folder: Path) -> list[dict]:
    with (folder / "truth.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _table(folder: Path, name: str) -> list[dict]:
    return pq.read_table(folder / "input" / f"{name}.parquet").to_pylist()


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _epoch(value: datetime) -> float:
    """Seconds since the epoch of a naive UTC time (as the tables hold them)."""
    return value.replace(tzinfo=timezone.utc).timestamp()


def _fake_comments(folder: Path) -> list[dict]:
    fake = {r["account_id"] for r in _truth(folder) if r["is_fake"] == "true"}
    return [i for i in _table(folder, "items") if i["kind"] in ("comment", "reply") and i["account_id"] in fake]


def test_the_package_exports_its_entry_points():
    assert {"simulate", "SimulationSummary", "PRESETS"} <= set(sim.__all__)


def test_same_seed_gives_identical_files(tmp_path):
    simulate(tmp_path / "a", seed=3, scale=0.03)
    simulate(tmp_path / "b", seed=3, scale=0.03)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_photos_are_the_same_bytes_however_many_processes_draw_them(tmp_path, monkeypatch):
    import trollscan.simulate.writers as writers

    monkeypatch.setattr(writers, "_POOL_MIN_JOBS", 10)
    simulate(tmp_path / "a", seed=3, scale=0.02, workers=1)
    simulate(tmp_path / "b", seed=3, scale=0.02, workers=2)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_different_seed_gives_different_files(tmp_path):
    simulate(tmp_path / "a", seed=3, scale=0.03)
    simulate(tmp_path / "b", seed=4, scale=0.03)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a["input/items.parquet"] != b["input/items.parquet"]
    assert a["truth.csv"] != b["truth.csv"]


def test_truth_covers_every_account_in_the_files(cases):
    for preset, folder in cases.items():
        truth = {(r["platform"], r["account_id"]): r for r in _truth(folder)}
        accounts = {(a["platform"], a["account_id"]) for a in _table(folder, "accounts")}
        assert accounts <= set(truth), preset
        on_platform = {k for k, r in truth.items() if k[0] == PRESETS[preset].platform}
        assert on_platform == accounts, preset  # every fake (and everyone else) exists in the files
        items = _table(folder, "items")
        assert {i["account_id"] for i in items} <= {k[1] for k in accounts}


def test_operators_run_the_presets_numbers_of_accounts(cases):
    for preset, folder in cases.items():
        per_operator = Counter((r["farm"], r["operator"]) for r in _truth(folder)
                               if r["is_fake"] == "true" and r["platform"] == PRESETS[preset].platform)
        specs = {f.name: f for f in PRESETS[preset].farms}
        assert per_operator, preset
        assert {farm for farm, _op in per_operator} == set(specs)
        for (farm, _op), n in per_operator.items():
            low, high = specs[farm].accounts_per_operator
            assert low <= n <= high, (preset, farm, n)


def test_influence_department_has_fifty_accounts_per_agent(cases):
    farms = json.loads((cases["nurbots"] / "farms.json").read_text(encoding="utf-8"))
    assert all(len(op["accounts"]) == 50 for op in farms["influence-department"]["operators"])
    assert all(5 <= len(op["accounts"]) <= 10 for op in farms["smmnetwork"]["operators"])


def test_farm_comments_concentrate_on_watched_pages(cases):
    folder = cases["nurbots"]
    farms = json.loads((folder / "farms.json").read_text(encoding="utf-8"))
    watched = {p for f in farms.values() for pages in f["watched_pages"].values() for p in pages}
    fake = _fake_comments(folder)
    on_watch = sum(c["target_id"] in watched for c in fake) / len(fake)
    organic = [i for i in _table(folder, "items") if i["kind"] == "comment" and i not in fake]
    organic_on_watch = sum(c["target_id"] in watched for c in organic) / len(organic)
    assert on_watch > 0.95
    assert 0.0 < organic_on_watch < 0.5  # real people comment on official pages too, but less


def test_farm_comments_fall_in_office_hours_on_working_days(cases):
    fake = _fake_comments(cases["nurbots"])
    local = [datetime.fromtimestamp(_epoch(c["created_at"]) + 6 * 3600) for c in fake]
    assert sum(9 <= t.hour < 19 for t in local) / len(local) > 0.97
    assert sum(t.weekday() >= 5 for t in local) / len(local) < 0.01


def test_output_ingests_cleanly_into_a_fresh_case(cases, case):
    folder = cases["kloop-election"]
    summary = ingest_files(case, [folder / "input"])
    truth = _truth(folder)
    assert summary.added["accounts"] == len(truth)
    items = case.con.execute("SELECT count(*) FROM items WHERE platform = 'facebook'").fetchall()[0][0]
    assert items == len(_table(folder, "items"))
    assert case.con.execute("SELECT count(DISTINCT ip_hash) FROM access_log").fetchall()[0][0] > 1
    media = case.con.execute("SELECT count(*) FROM media WHERE path LIKE 'images/%' AND sha256 IS NOT NULL")
    assert media.fetchall()[0][0] == len(_table(folder, "media"))
    removed = case.con.execute("SELECT count(*) FROM snapshots WHERE status = 'removed'").fetchall()[0][0]
    fakes = sum(r["is_fake"] == "true" and r["platform"] == "facebook" for r in truth)
    assert 0.6 * fakes <= removed <= fakes  # most fakes were taken down
    assert case.con.execute("SELECT count(*) FROM snapshots WHERE status = 'active'").fetchall()[0][0] > 0


def test_csv_tables_ingest_too(tmp_path, case):
    simulate(tmp_path / "out", seed=2, scale=0.02, fmt="csv", images=False)
    summary = ingest_files(case, [tmp_path / "out" / "input"])
    assert summary.added["items"] > 0 and summary.added["media"] > 0
    assert not (tmp_path / "out" / "input" / "images").exists()


def test_scale_changes_counts_roughly_proportionally(tmp_path):
    small = simulate(tmp_path / "a", seed=5, scale=0.05, images=False)
    large = simulate(tmp_path / "b", seed=5, scale=0.1, images=False)
    assert 1.7 < large.accounts / small.accounts < 2.3
    assert 1.5 < large.rows["items"] / small.rows["items"] < 2.6
    assert 480 <= small.accounts <= 520


def _repeat_share(folder: Path) -> float:
    texts = Counter(c["text"] for c in _fake_comments(folder))
    return sum(n for n in texts.values() if n > 1) / sum(texts.values())


def _internal_friend_share(folder: Path) -> float:
    fake = {r["account_id"]: r["farm"] for r in _truth(folder) if r["is_fake"] == "true"}
    pairs = [(r["account_id"], r["other_id"]) for r in _table(folder, "relations") if r["kind"] == "friend"
             and (r["account_id"] in fake or r["other_id"] in fake)]
    return sum(fake.get(a) == fake.get(b) for a, b in pairs) / len(pairs)


def _link_delays_min(folder: Path) -> list[float]:
    """Minutes from a link in the chat to the farm's reactions on the linked post."""
    fake = {r["account_id"] for r in _truth(folder) if r["is_fake"] == "true"}
    reactions = defaultdict(list)
    for i in _table(folder, "items"):
        if i["kind"] == "reaction" and i["account_id"] in fake:
            reactions[i["parent_id"]].append(_epoch(i["created_at"]))
    delays = []
    for chat in sorted((folder / "input" / "telegram").glob("*/result.json")):
        for m in json.loads(chat.read_text(encoding="utf-8"))["messages"]:
            links = [e["text"] for e in m["text_entities"] if e["type"] == "link"]
            if links:
                post = links[0].rsplit("/", 1)[1]
                t = int(m["date_unixtime"])
                delays += [(r - t) / 60 for r in reactions[post] if 0 <= r - t < 86_400]
    return delays


def test_evasive_farms_are_measurably_harder_than_nurbots(cases):
    easy, hard = cases["nurbots"], cases["evasive"]
    assert _repeat_share(easy) > 0.1
    assert _repeat_share(hard) < _repeat_share(easy) / 4
    assert _internal_friend_share(easy) > 0.6
    assert _internal_friend_share(hard) < 0.3
    assert np.median(_link_delays_min(easy)) < 10
    assert np.median(_link_delays_min(hard)) > 30
    fake = {r["account_id"] for r in _truth(hard) if r["is_fake"] == "true"}
    posts = [i for i in _table(hard, "items") if i["kind"] == "post" and i["account_id"] in fake and i["text"]]
    assert len(posts) > len(fake)  # personal posts mixed in


def test_fake_accounts_are_created_and_befriended_in_bursts(cases):
    folder = cases["nurbots"]
    fake = {r["account_id"] for r in _truth(folder) if r["farm"] == "influence-department"}
    created = sorted(a["created_at"] for a in _table(folder, "accounts") if a["account_id"] in fake)
    assert (created[-1] - created[0]).days <= 12
    added = [r["added_at"] for r in _table(folder, "relations") if r["kind"] == "friend" and r["account_id"] in fake
             and r["other_id"] in fake]
    assert sum(a.strftime("%Y-%m") in ("2019-02", "2019-03") for a in added) / len(added) > 0.95


def test_photos_are_shared_and_transformed_exactly_where_truth_says(cases):
    folder = cases["nurbots"]
    with (folder / "media_truth.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["use"] == "avatar"]
    data = {r["file"]: (folder / "input" / r["file"]).read_bytes() for r in rows}
    originals = {}
    for r in rows:
        if r["transform"] == "none":
            originals.setdefault((r["person"], r["photo"]), set()).add(r["media_sha256"])
    assert all(len(ids) == 1 for ids in originals.values())  # an untouched copy is the same file
    by_person = {}
    for r in rows:
        by_person.setdefault(r["person"], []).append(r)
    copies = [(rs[0], r) for rs in by_person.values() for r in rs[1:]]
    assert copies, "some stolen photos are used twice"
    for a, b in copies:
        if "crop" not in a["transform"] + b["transform"]:
            assert distance(data[a["file"]], data[b["file"]]) <= 32, (a, b)
    gallery = {p.stem for p in (folder / "gallery").glob("*.jpg")}
    assert {f"{r['person']}_{r['photo']}" for r in rows if r["person"].startswith("x")} <= gallery
    stolen_from_case = [r for r in rows if r["person_account_id"] and r["person_account_id"] != r["used_by"]]
    assert stolen_from_case  # some fakes wear the face of a real account in the case
    assert {"mirror", "none"} <= {r["transform"] for r in rows}


def test_different_people_never_look_alike(cases):
    folder = cases["nurbots"]
    with (folder / "media_truth.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["use"] == "avatar" and r["transform"] == "none"]
    one = {}
    for r in rows:
        one.setdefault(r["person"], r["file"])
    paths = list(one.values())[:200]
    hashes = np.array([phash((folder / "input" / p).read_bytes()) for p in paths])
    mirrored = np.array([phash((folder / "input" / p).read_bytes(), mirror=True) for p in paths])
    d = np.minimum((hashes[:, None] != hashes[None]).sum(-1), (hashes[:, None] != mirrored[None]).sum(-1))
    assert len(paths) == 200
    assert d[np.triu_indices(len(paths), 1)].min() > 40  # PDQ calls <= 31 of 256 bits a match


def test_allegiance_switches_on_the_date(cases):
    folder = cases["kloop-election"]
    farms = json.loads((folder / "farms.json").read_text(encoding="utf-8"))
    farm = farms["mekenim-farm"]
    switched = [op for op in farm["operators"] if op["switch_at"]]
    assert switched
    japarov = set(farm["watched_pages"]["japarov"])
    accounts = {a for op in switched for a in op["accounts"]}
    cut = datetime.fromisoformat(switched[0]["switch_at"]).timestamp()
    comments = [c for c in _fake_comments(folder) if c["account_id"] in accounts]
    before = [c["target_id"] in japarov for c in comments if _epoch(c["created_at"]) < cut]
    after = [c["target_id"] in japarov for c in comments if _epoch(c["created_at"]) >= cut]
    assert before and after
    assert np.mean(before) < 0.1 < 0.9 < np.mean(after)


def test_site_farm_writes_under_many_nicknames_from_one_ip(cases):
    folder = cases["nurbots"]
    with (folder / "input" / "site_comments.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    nicks_per_ip = defaultdict(set)
    for r in rows:
        nicks_per_ip[r["ip"]].add(r["nickname"])
    farms = json.loads((folder / "farms.json").read_text(encoding="utf-8"))
    farm_ips = {ip for f in farms.values() for ip in f["site_ips"]}
    assert max(len(nicks_per_ip[ip]) for ip in farm_ips) >= 8
    readers = [ip for ip in nicks_per_ip if ip not in farm_ips]
    assert sum(len(nicks_per_ip[ip]) == 1 for ip in readers) / len(readers) > 0.9


def test_spread_writes_the_story_and_its_true_first_poster(cases):
    folder = cases["spread"]
    story = json.loads((folder / "story.json").read_text(encoding="utf-8"))
    items = _table(folder, "items")
    matching = sorted((i["created_at"], i["account_id"]) for i in items
                      if i["text"] and story["query"].lower() in i["text"].lower())
    assert matching[0][1] == story["first_poster"]
    truth = {r["account_id"]: r for r in _truth(folder)}
    spreaders = {a for _t, a in matching} | {i["account_id"] for i in items if i["parent_id"] == story["first_post"]}
    bots = sum(truth[a]["is_fake"] == "true" for a in spreaders)
    assert bots / len(spreaders) > 0.3
    assert {"media", "right-wing"} <= {truth[a]["persona"] for a in spreaders}


def test_bad_parameters_are_refused(tmp_path):
    with pytest.raises(BadParameter, match="Unknown preset"):
        simulate(tmp_path / "x", preset="nope")
    with pytest.raises(BadParameter, match="scale"):
        simulate(tmp_path / "x", scale=0)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "f.txt").write_text("x")
    with pytest.raises(BadParameter, match="not an empty folder"):
        simulate(tmp_path / "full", scale=0.02)
