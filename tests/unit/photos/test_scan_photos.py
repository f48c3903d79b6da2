"""The photo step on a simulated case: stolen avatars found against the simulator's truth, incrementally."""

from __future__ import annotations

import csv
import json
from itertools import combinations
from pathlib import Path

import pytest
from PIL import Image, ImageOps

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
    # edges: pairs that took one photo from elsewhere; never the photo's owner and one who copied it
    edges = {(r["account_a"], r["account_b"]) for r in read_query(
        case, "SELECT account_a, account_b FROM edges WHERE layer = 'same_photo'").to_pylist()}
    victim_of = {(r["person_account_id"], r["used_by"]) for r in truth if r["person_account_id"]}
    assert edges and edges <= found and len(edges) < len(found)
    assert not any((a, b) in victim_of or (b, a) in victim_of for a, b in edges)
    assert summary.hashed > 0 and summary.edges == len(edges)
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


def _add_photos(case, folder: Path, photos: dict[str, Image.Image], source_id: int) -> dict[str, str]:
    """Write JPEGs into `folder` and list them as avatars of accounts named like the files (one source
    per call); the sha256 of each."""
    import hashlib
    import io
    from datetime import datetime

    folder.mkdir(exist_ok=True)
    shas = {}
    for name, img in photos.items():
        out = io.BytesIO()
        img.save(out, "JPEG", quality=90)
        (folder / f"{name}.jpg").write_bytes(out.getvalue())
        shas[name] = hashlib.sha256(out.getvalue()).hexdigest()
    case.con.execute("INSERT INTO sources VALUES (?, ?, ?, 0, 'test', ?, '{}', 'test')",
                     [source_id, str(folder / f"export{source_id}.csv"), f"sha{source_id}", datetime(2024, 1, 1)])
    case.con.executemany(
        "INSERT INTO media (platform, media_id, kind, account_id, sha256, path, source_id, source_record) "
        "VALUES ('vk', ?, 'avatar', ?, ?, ?, ?, 1)",
        [[f"m-{name}", name, sha, f"{name}.jpg", source_id] for name, sha in shas.items()])
    return shas


def test_a_second_scan_after_new_photos_checks_only_the_pairs_they_bring(case, tmp_path):
    from trollscan.simulate.images import photo

    people = {f"p{k}": photo(f"p{k}", 0, 5, size=320) for k in range(4)}
    first = {**people, "copy0": people["p0"].crop((20, 30, 300, 300)),
             "copy1": ImageOps.mirror(people["p1"]).crop((0, 0, 290, 280))}
    shas = _add_photos(case, tmp_path / "one", first, 1)
    one = scan_photos(case, "fingerprint-1")
    decided = {(a, b) for a, b in case.con.execute("SELECT sha_a, sha_b FROM photo_matches").fetchall()}
    compared = {a for a, b in decided if a == b}  # each picture marked as compared with all the others
    decided -= {(a, a) for a in compared}
    assert compared == set(shas.values()) and one.verified == len(decided) > 0 and one.candidates >= 2
    later = {"copy2": people["p2"].rotate(4, Image.Resampling.BICUBIC).crop((25, 25, 295, 295)),
             "copy0b": people["p0"].crop((0, 0, 280, 300))}
    new = _add_photos(case, tmp_path / "two", later, 2)
    two = scan_photos(case, "fingerprint-2")
    after = {(a, b) for a, b in case.con.execute("SELECT sha_a, sha_b FROM photo_matches WHERE sha_a <> sha_b")
             .fetchall()}
    added = after - decided
    assert decided <= after and two.verified == len(added) > 0
    assert all(a in new.values() or b in new.values() for a, b in added)  # no old pair decided again
    assert two.candidates >= one.candidates + 2  # the old matches are kept, the new copies found
    ev = read_query(case, "SELECT sentence FROM evidence WHERE detector = 'photos.same_photo'")["sentence"].to_pylist()
    assert any(s.startswith("copy2's avatar is a tilted (4 degrees), cropped copy of p2's avatar") for s in ev), ev
    third = scan_photos(case, "fingerprint-3")
    assert third.verified == 0 and third.candidates == two.candidates  # nothing new: nothing checked
    assert len(set(shas.values()) | set(new.values())) == 8  # eight distinct files


def test_changed_thresholds_decide_stored_pairs_again(case, tmp_path):
    from trollscan.simulate.images import photo

    img = photo("q1", 0, 2, size=320)
    _add_photos(case, tmp_path / "one", {"a": img, "b": img.crop((30, 10, 310, 300))}, 1)
    first = scan_photos(case, "f")
    again = scan_photos(case, "f", min_correlation=0.95)
    assert first.verified > 0 and again.verified == first.verified  # other settings: nothing reused
    settings = case.con.execute("SELECT DISTINCT settings FROM photo_matches").fetchall()
    assert len(settings) == 1 and json.loads(settings[0][0])["min_correlation"] == 0.95


def test_changed_candidate_options_compare_stored_images_again(case, tmp_path):
    """Options that choose which pairs are looked at also key the stored decisions: with tighter
    ones first, the cropped copy is never a candidate; with the defaults after, it must be found."""
    from trollscan.simulate.images import photo

    img = photo("q2", 0, 2, size=320)
    _add_photos(case, tmp_path / "one", {"a": img, "b": img.crop((30, 10, 310, 300))}, 1)
    tight = scan_photos(case, "f", max_low_distance=0)
    loose = scan_photos(case, "f")
    assert tight.edges == 0 and loose.edges == 1
