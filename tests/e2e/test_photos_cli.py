"""`trollscan gallery add` and `trollscan photos match` from the command line."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageOps

from trollscan.simulate.images import photo


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trollscan.cli", *args], cwd=cwd, capture_output=True,
                          text=True, check=False, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})


def _folders(tmp_path: Path) -> tuple[Path, Path]:
    gallery, query = tmp_path / "gallery", tmp_path / "suspects"
    gallery.mkdir()
    query.mkdir()
    owner = photo("saule", 0, 5, size=256)
    owner.save(gallery / "saule.jpg", quality=92)
    photo("other", 0, 5, size=256).save(gallery / "other.png")
    ImageOps.mirror(owner).save(query / "aisulu.jpg", quality=60)
    owner.crop((20, 10, 236, 226)).save(query / "madina.jpg", quality=85)
    photo("saule", 1, 5, size=256).save(query / "another_photo_of_saule.jpg")
    (query / "broken.jpg").write_bytes(b"<html>404 Not Found</html>")
    Image.new("RGB", (100, 100), (90, 90, 90)).save(query / "blank.png")
    return query, gallery


def test_photos_match_writes_one_row_per_query_image(tmp_path: Path) -> None:
    query, gallery = _folders(tmp_path)
    result = run("photos", "match", str(query), "--gallery", str(gallery), "--out", "m.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2 of 5 query images match a gallery photo (1 skipped as broken or not images)." in result.stdout
    with open(tmp_path / "m.csv", encoding="utf-8") as f:
        rows = {r["query"]: r for r in csv.DictReader(f)}
    assert rows["aisulu.jpg"]["match"] == "saule.jpg" and rows["aisulu.jpg"]["transformation"] == "mirrored"
    assert rows["madina.jpg"]["decision"] == "match" and "cropped" in rows["madina.jpg"]["transformation"]
    assert rows["another_photo_of_saule.jpg"]["decision"] == "no match"
    assert rows["broken.jpg"]["decision"] == ("skipped: not an image: the file is text ('<html>404 No'...)")
    assert rows["blank.png"]["decision"].startswith("not compared: low-quality hash")


def test_photos_match_names_a_missing_folder(tmp_path: Path) -> None:
    result = run("photos", "match", "nowhere", "--gallery", "nowhere", "--out", "m.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert "Error: nowhere is not a folder." in result.stderr and not (tmp_path / "m.csv").exists()


def test_gallery_add_reports_what_it_added_and_skipped(tmp_path: Path) -> None:
    _query, gallery = _folders(tmp_path)
    data = (gallery / "saule.jpg").read_bytes()
    (gallery / "bad.jpg").write_bytes(data[: len(data) // 2])  # a download cut short
    assert run("init", "case", cwd=tmp_path).returncode == 0
    result = run("gallery", "add", str(gallery), "--label", "real owner: Saule K.", "--case", "case", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Added 2 photos labelled 'real owner: Saule K.' from 3 image files" in result.stdout
    assert "Skipped 1: broken image:" in result.stdout
    again = run("gallery", "add", str(gallery), "--label", "real owner: Saule K.", "--case", "case", cwd=tmp_path)
    assert "Added 0 photos" in again.stdout


def test_links_in_either_folder_are_skipped_with_a_reason_not_followed(tmp_path: Path) -> None:
    query, gallery = _folders(tmp_path)
    private = tmp_path / "private"
    private.mkdir()
    photo("secret", 0, 5, size=256).save(private / "secret.jpg")
    (query / "elsewhere.jpg").symlink_to(private / "secret.jpg")
    (query / "linked").symlink_to(private, target_is_directory=True)
    (gallery / "stolen.jpg").symlink_to(private / "secret.jpg")
    result = run("photos", "match", str(query), "--gallery", str(gallery), "--out", "m.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Gallery: skipped 1: a symbolic link (links are not followed)" in result.stdout
    with open(tmp_path / "m.csv", encoding="utf-8") as f:
        rows = {r["query"]: r for r in csv.DictReader(f)}
    assert rows["elsewhere.jpg"]["decision"] == "skipped: a symbolic link (links are not followed)"
    assert "linked/secret.jpg" not in rows and rows["aisulu.jpg"]["decision"] == "match"
    assert run("init", "case", cwd=tmp_path).returncode == 0
    added = run("gallery", "add", str(gallery), "--label", "owner", "--case", "case", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "Added 2 photos labelled 'owner' from 3 image files" in added.stdout
    assert "Skipped 1: a symbolic link (links are not followed)" in added.stdout
