"""The photo step on a simulated case: stolen avatars found against the simulator's truth, incrementally."""

from __future__ import annotations

import csv
import json
from itertools import combinations
from pathlib import Path

import pytest

from trollscan.ingest import ingest_files
from trollscan.scan.photos import add_gallery, scan_photos
from trollscan.simulate import simulate
from trollscan.store.images import read_photo_media
from trollscan.store.results import input_fingerprint, read_query


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    out = tmp_path_factory.mktemp("sim")
    simulate(out, preset="nurbots", seed=3, scale=0.01)
    return out


def test_scan_finds_shared_photos_and_gallery_photos_as_the_truth_says(simulated, case):
    ingest_files(case, [simulated / "input"])
    added, seen, skipped = add_gallery(case, simulated / "gallery", "real owner: someone outside the case")
    assert added == seen > 0 and not skipped
    summary = scan_photos(case, input_fingerprint(case))
    with open(simulated / "media_truth.csv", encoding="utf-8") as f:
        truth = list(csv.DictReader(f))
    person = {}
    for r in truth:
        person.setdefault(r["used_by"], set()).add(r["person"])
    sharing = {tuple(sorted(p)) for p in combinations(person, 2) if person[p[0]] & person[p[1]]}
    ev = read_query(case, "SELECT account_ids, details FROM evidence WHERE detector = 'photos.same_photo'").to_pylist()
    found = {tuple(sorted(set(r["account_ids"]) | {json.loads(r["details"])["original_account"]} - {None}))
             for r in ev}
    assert found <= sharing  # no pair without a shared photo
    assert len(found) >= 0.9 * len(sharing)
    outside = {r["used_by"] for r in truth if r["person"].startswith("x")}
    gallery = read_query(case, "SELECT account_ids FROM evidence WHERE detector = 'photos.gallery'").to_pylist()
    assert {r["account_ids"][0] for r in gallery} == outside
    assert summary.hashed > 0 and summary.edges == len(found)
    assert any(json.loads(r["details"])["transformation"] for r in ev)
    again = scan_photos(case, input_fingerprint(case))
    assert again.hashed == 0 and again.edges == summary.edges  # nothing hashed twice


def test_a_media_file_changed_since_ingest_is_counted_missing_not_hashed(simulated, case):
    ingest_files(case, [simulated / "input"])
    path, source = case.con.execute(
        "SELECT m.path, s.path FROM media m JOIN sources s USING (source_id) ORDER BY m.sha256 LIMIT 1").fetchall()[0]
    target = Path(source).parent / path
    original = target.read_bytes()
    try:
        target.write_bytes(b"<html>gone</html>")
        summary = scan_photos(case, input_fingerprint(case))
    finally:
        target.write_bytes(original)
    assert summary.missing == 1  # bytes that are not the file the case ingested are not hashed


def test_photo_media_come_in_one_order_whatever_order_they_were_stored_in(tmp_path):
    from trollscan.store import init_case

    rows = [("vk", f"m{k}", "photo", "a", f"i{k % 2}" if k % 3 else None, "same", None) for k in range(6)]
    read = []
    for name, order in (("one", rows), ("two", rows[::-1])):
        with init_case(tmp_path / name) as c:
            c.con.executemany("INSERT INTO media (platform, media_id, kind, account_id, item_id, sha256, uploaded_at, "
                              "source_id, source_record) VALUES (?, ?, ?, ?, ?, ?, ?, 1, 1)", order)
            read.append(read_photo_media(c).to_pylist())
    assert read[0] == read[1] and [r["media_id"] for r in read[0]] == [f"m{k}" for k in range(6)]
