"""Photo kernels and detectors: hostile files, copies that match, photos that must not, the index."""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zlib
from datetime import datetime

import numpy as np
import pyarrow as pa
import pytest
from PIL import Image, ImageOps

from trollscan.errors import BadFile, TooLarge
from trollscan.photos import HammingIndex, MATCH_SCHEMA, decode, find_matches, gallery_match, hash_image, same_photo
from trollscan.photos.index import probe_depths
from trollscan.simulate.images import photo


def _jpeg(img: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _matches(*images: Image.Image) -> tuple[list, pa.Table]:
    hashed, decoded = [], []
    for img in images:
        data = _jpeg(img)
        h, d = hash_image(hashlib.sha256(data).hexdigest(), data)
        hashed.append(h)
        decoded.append(d)
    return hashed, find_matches(hashed, lambda i: decoded[i])


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("data", "error", "reason"), [
    (b"", BadFile, "empty file"),
    (b"<!DOCTYPE html><html>404</html>", BadFile, "not an image: the file is text"),
    (b"%!PS-Adobe-3.0 EPSF-3.0\n", BadFile, "PostScript/EPS (never opened)"),
    (_png_header(100_000, 100_000), TooLarge, "decompression bomb"),
    (_png_header(9_000, 9_000), TooLarge, "9,000 x 9,000 pixels, more than the 60,000,000 accepted"),
    (_png_header(4000, 10), BadFile, "too small to compare"),
    (_png_header(3000, 200), BadFile, "too long and thin"),
], ids=["empty", "html", "eps", "bomb", "huge", "tiny", "thin"])
def test_decode_rejects_hostile_files_with_a_reason(data, error, reason):
    with pytest.raises(error) as info:
        decode(data)
    assert reason in info.value.message


def test_decode_names_a_truncated_jpeg():
    data = _jpeg(photo("p1", 0, 1, size=256))
    with pytest.raises(BadFile) as info:
        decode(data[: len(data) // 2])
    assert info.value.message.startswith("broken image:")


def test_decode_reads_a_png_named_jpg_and_flattens_transparency():
    img = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    out = io.BytesIO()
    img.save(out, "PNG")
    decoded = decode(out.getvalue())
    assert decoded.format == "PNG" and decoded.grey.getextrema() == (255, 255)


def test_mirrored_and_rotated_copies_match_by_pdq():
    original = photo("p1", 0, 1, size=256)
    _, m = _matches(original, ImageOps.mirror(original), original.transpose(Image.Transpose.ROTATE_90))
    rows = m.to_pylist()
    assert len(rows) == 3 and all(r["method"] == "pdq" and r["distance"] <= 31 for r in rows)
    words = sorted(r["transformation"] for r in rows)
    assert "mirrored" in words and "rotated 90 degrees" in words


def test_a_copy_cropped_by_20_percent_matches_after_alignment():
    original = photo("p2", 0, 1, size=320)
    crop = original.crop((40, 0, 296, 256))  # 80 % of each side, off centre
    hashed, m = _matches(original, crop)
    (row,) = m.to_pylist()
    assert row["method"] == "aligned" and "cropped" in row["transformation"] and row["distance"] <= 31
    assert row["basis"] == "aligned_pdq" and 48 <= row["tiles"] <= 64  # what decided it, for the sentence
    cropped_side = "a" if row["sha_a"] == hashed[1].key else "b"
    assert row["copy"] == cropped_side and 0.55 < row["area"] < 0.75


def test_a_copy_tilted_a_few_degrees_and_cropped_matches_with_its_angle():
    original = photo("p5", 0, 1, size=320)
    tilted = original.rotate(-5, Image.Resampling.BICUBIC).crop((20, 20, 300, 300))  # corners hidden
    hashed, m = _matches(original, tilted)
    (row,) = m.to_pylist()
    assert row["method"] == "aligned" and 4.5 <= abs(row["angle"]) <= 5.5
    assert row["transformation"].startswith("tilted (5 degrees), cropped") and row["distance"] <= 31
    assert row["copy"] == ("a" if row["sha_a"] == hashed[1].key else "b")


def test_a_copy_with_a_caption_and_a_sticker_matches_on_its_tiles():
    from PIL import ImageDraw

    original = photo("p6", 0, 1, size=320)
    covered = original.copy()
    draw = ImageDraw.Draw(covered)
    draw.rectangle([0, 270, 320, 300], fill=(255, 255, 255))  # a caption band
    for x in range(10, 300, 22):
        draw.rectangle([x, 278, x + 14, 292], fill=(200, 30, 30))
    draw.ellipse([230, 20, 270, 60], fill=(250, 210, 40))  # a sticker
    _, m = _matches(original, covered)
    (row,) = m.to_pylist()
    assert row["correlation"] >= 0.92 and row["tiles"] < 64  # most tiles agree, the covered ones do not
    assert row["basis"] == "tiles" or row["distance"] <= 31


def _portrait_on_a_plain_wall() -> Image.Image:
    canvas = Image.new("RGB", (320, 320), (182, 176, 170))
    canvas.paste(photo("p2", 0, 1, size=320).resize((180, 320)), (140, 0))
    return canvas


def test_plain_background_agrees_so_a_clean_crop_is_not_called_altered():
    original = _portrait_on_a_plain_wall()
    _, m = _matches(original, ImageOps.mirror(original).crop((20, 30, 300, 300)))
    (row,) = m.to_pylist()
    assert row["transformation"] == "mirrored, cropped" and row["tiles"] == 64  # the wall's tiles agree too


def test_a_plain_patch_over_a_plain_wall_still_shows():
    from PIL import ImageDraw

    original = _portrait_on_a_plain_wall()
    covered = original.copy()
    ImageDraw.Draw(covered).rectangle([10, 100, 120, 200], fill=(40, 90, 200))  # plain, but another colour
    _, m = _matches(original, covered)
    (row,) = m.to_pylist()
    assert row["transformation"] == "partly covered or altered" and 40 <= row["tiles"] < 60


def test_the_crop_views_low_hashes_match_hashing_each_view_on_its_own():
    from trollscan.photos.hashing import LOW_VIEWS, low_rows, view_box

    decoded = decode(_jpeg(photo("p8", 0, 1, size=300)))
    rows = dict(low_rows(decoded))
    big = np.repeat(np.repeat(np.asarray(decoded.square, float), 5, axis=0), 5, axis=1)  # every view edge on a pixel
    k = np.arange(32)
    dct = np.cos(np.pi * (2 * k[None, :] + 1) * k[:, None] / 64)[:8] * np.sqrt(2 / 32)
    dct[0] /= np.sqrt(2)  # orthonormal DCT-II
    for view in LOW_VIEWS[1:]:  # each view cut out, averaged over 32 x 32 blocks, its 8 x 8 lowest frequencies
        left, top, right, bottom = (round(v) for v in view_box(view, 640, 640))
        cut = big[top:bottom, left:right]
        pixels = cut.reshape(32, cut.shape[0] // 32, 32, cut.shape[1] // 32).mean(axis=(1, 3))
        coef = (dct @ pixels @ dct.T).ravel()[1:]
        alone = np.packbits(np.append(coef > np.median(coef), False)).tobytes()
        assert alone == rows[f"low:{view.name}"], view.name


def test_another_photo_of_the_same_person_is_not_a_match():
    _, m = _matches(photo("p3", 0, 1, size=256), photo("p3", 1, 1, size=256), photo("p4", 0, 1, size=256))
    assert m.num_rows == 0


def test_low_quality_hashes_never_match():
    flat_a = Image.new("RGB", (200, 200), (120, 120, 120))
    flat_b = Image.new("RGB", (200, 200), (121, 120, 119))
    hashed, m = _matches(flat_a, flat_b)
    assert all(h.quality < 50 for h in hashed) and m.num_rows == 0


@pytest.mark.parametrize(("n_bytes", "radius", "n"), [(32, 31, 60_000), (8, 12, 3_000)])
def test_index_finds_every_code_within_the_radius_as_codes_arrive(n_bytes, radius, n):
    rng = np.random.default_rng(7)
    codes = rng.integers(0, 256, (n, n_bytes), dtype=np.uint8)
    queries = codes[rng.integers(0, n, 20)] ^ (rng.integers(0, 256, (20, n_bytes), dtype=np.uint8)
                                               & rng.integers(0, 256, (20, n_bytes), dtype=np.uint8)
                                               & rng.integers(0, 256, (20, n_bytes), dtype=np.uint8))
    index = HammingIndex(n_bytes)
    index.add(codes[: n // 2], np.arange(n // 2))
    index.add(codes[n // 2:], np.arange(n // 2, n))
    q, ids, d = index.search(queries, radius)
    brute = np.unpackbits(queries[:, None, :] ^ codes[None, :, :], axis=2).sum(axis=2)
    expected = {(int(a), int(b)) for a, b in zip(*np.nonzero(brute <= radius))}
    assert {(int(a), int(b)) for a, b in zip(q, ids)} == expected
    assert all(brute[a, b] == dist for a, b, dist in zip(q, ids, d))


_T0 = datetime(2019, 2, 7, 10, 0)
_T1 = datetime(2019, 3, 1, 10, 0)


def _media(rows: list[tuple]) -> pa.Table:
    return pa.Table.from_pylist([
        {"platform": "facebook", "media_id": f"m{n}", "kind": kind, "account_id": acc, "item_id": item,
         "sha256": sha, "uploaded_at": at} for n, (acc, kind, sha, item, at) in enumerate(rows)])


def _match_rows(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=MATCH_SCHEMA)


def test_same_photo_names_the_copy_the_transformation_and_the_distance():
    media = _media([("1", "avatar", "s1", None, _T0), ("2", "avatar", "s2", None, _T1), ("3", "avatar", "s3", None, _T0)])
    matches = _match_rows([{"sha_a": "s1", "sha_b": "s2", "distance": 12, "method": "pdq",
                            "transformation": "mirrored", "copy": "", "area": 1.0, "correlation": 1.0}])
    names = {("facebook", "1"): "@madina_8181", ("facebook", "2"): "@aisulu_8080"}
    edges, ev, crowded = same_photo(media, matches, names)
    (row,) = ev.to_pylist()
    assert row["sentence"] == "@aisulu_8080's avatar is a mirrored copy of @madina_8181's avatar (PDQ distance 12)."
    # the later upload is known to be the copy: the finding is about its account; the owner is named
    assert row["account_ids"] == ["2"] and row["item_ids"] == ["m0", "m1"] and row["strength"] == 1.0
    assert json.loads(row["details"])["original_account"] == "1"
    assert json.loads(row["details"])["sha256"] == ["s2", "s1"]
    # account 1 posted the photo first: its owner and account 2's victim, so no edge ties them
    assert edges.num_rows == 0 and crowded == 0


def test_accounts_that_took_one_photo_from_elsewhere_are_tied_but_not_to_its_owner():
    media = _media([("1", "avatar", "s1", None, _T0), ("2", "avatar", "s1", None, _T1), ("3", "avatar", "s1", None, _T1),
                    ("4", "avatar", "s4", None, _T0), ("5", "avatar", "s4", None, _T0),  # posted at once: no owner
                    ("6", "avatar", "s6", None, _T0), ("7", "avatar", "s6", None, None)])  # a time unknown
    edges, ev, _ = same_photo(media, _match_rows([]), {})
    assert {(e["account_a"], e["account_b"]) for e in edges.to_pylist()} == {("2", "3"), ("4", "5"), ("6", "7")}
    assert edges.to_pylist()[0]["layer"] == "same_photo"
    # every pair is still a finding: the owner is named as the copiers' victim
    assert {tuple(sorted(r["account_ids"])) for r in ev.to_pylist()} == {
        ("2",), ("3",), ("2", "3"), ("4", "5"), ("6", "7")}


def test_same_file_on_two_accounts_is_found_without_matches_and_crowded_photos_are_left_out():
    media = _media([("1", "avatar", "s1", None, _T0), ("2", "photo", "s1", "post9", _T1),
                    *[(str(10 + k), "avatar", "meme", None, _T0) for k in range(5)]])
    edges, ev, crowded = same_photo(media, _match_rows([]), {}, max_accounts=4)
    (row,) = ev.to_pylist()
    assert row["sentence"] == "2's photo is the same file as 1's avatar." and row["item_ids"] == ["m0", "post9"]
    assert crowded == 1 and edges.num_rows == 0  # 1 posted the photo before 2: owner and copier


def test_gallery_match_names_the_label_and_how_the_photo_was_changed():
    media = _media([("1", "avatar", "s1", None, _T0), ("2", "avatar", "g1", None, _T0), ("3", "avatar", "s3", None, _T0)])
    gallery = pa.Table.from_pylist([{"sha256": "g1", "path": "/g/saule.jpg", "label": "real owner: Saule K."}])
    matches = _match_rows([{"sha_a": "g1", "sha_b": "s1", "distance": 20, "method": "aligned",
                            "transformation": "cropped", "copy": "b", "area": 0.7, "correlation": 0.97, "tiles": 60,
                            "basis": "aligned_pdq"}])
    ev = gallery_match(media, gallery, matches, {("facebook", "1"): "@x"}).to_pylist()
    assert [r["sentence"] for r in ev] == [
        "The avatar of @x matches a gallery photo labelled 'real owner: Saule K.' (cropped; matched after alignment: "
        "PDQ distance 20 where they overlap, 60 of 64 tiles agree).",
        "The avatar of 2 matches a gallery photo labelled 'real owner: Saule K.' (the same file)."]


def test_a_pair_matched_after_alignment_says_how_not_a_whole_picture_distance():
    media = _media([("1", "avatar", "s1", None, _T0), ("2", "avatar", "s2", None, _T1)])
    matches = _match_rows([{"sha_a": "s1", "sha_b": "s2", "distance": 46, "method": "aligned",
                            "transformation": "mirrored, cropped", "copy": "b", "area": 0.8, "correlation": 0.95,
                            "tiles": 64, "basis": "tiles"}])
    names = {("facebook", "1"): "@daniyar1961_698", ("facebook", "2"): "@zhumabaeva_n2141"}
    (row,) = same_photo(media, matches, names)[1].to_pylist()
    assert row["sentence"] == ("@zhumabaeva_n2141's avatar is a mirrored, cropped copy of @daniyar1961_698's avatar "
                               "(matched after alignment: 64 of 64 tiles agree).")
    assert "distance 46" not in row["sentence"] and json.loads(row["details"])["basis"] == "tiles"
    gallery = pa.Table.from_pylist([{"sha256": "s1", "path": "/g/x.jpg", "label": "real owner"}])
    found = {r["account_ids"][0]: r for r in gallery_match(media, gallery, matches, names).to_pylist()}["2"]
    assert found["sentence"].endswith("(mirrored, cropped; matched after alignment: 64 of 64 tiles agree).")


def test_photo_findings_do_not_depend_on_the_order_of_media_rows():
    rows = [("1", "avatar", "s1", None, _T0), ("1", "photo", "s1", "post1", _T0), ("1", "photo", "s1", "post2", _T0),
            ("2", "avatar", "s2", None, _T0), ("2", "photo", "s2", "post3", _T0)]
    media = _media(rows)
    matches = _match_rows([{"sha_a": "s1", "sha_b": "s2", "distance": 10, "method": "pdq", "transformation": "",
                            "copy": "", "area": 1.0, "correlation": 1.0}])
    gallery = pa.Table.from_pylist([{"sha256": "s2", "path": "/g/a.jpg", "label": "owner"},
                                    {"sha256": "s2", "path": "/g/b.jpg", "label": "owner"}])
    reversed_media = media.take(pa.array(list(range(media.num_rows))[::-1]))
    for detector in (lambda m: same_photo(m, matches, {})[1], lambda m: gallery_match(m, gallery, matches, {})):
        assert detector(media).to_pylist() == detector(reversed_media).to_pylist()


def test_index_probes_64_bit_codes_at_the_default_low_radius():
    assert probe_depths(16, 4) == [4, 3, 3, 3] and probe_depths(31, 16) == [1] * 16 and probe_depths(14, 4) == [3, 3, 3, 2]
    rng = np.random.default_rng(11)
    n = 60_000
    codes = rng.integers(0, 256, (n, 8), dtype=np.uint8)
    queries = codes[rng.integers(0, n, 40)] ^ (rng.integers(0, 256, (40, 8), dtype=np.uint8)
                                               & rng.integers(0, 256, (40, 8), dtype=np.uint8)
                                               & rng.integers(0, 256, (40, 8), dtype=np.uint8))
    index = HammingIndex(8)
    index.add(codes, np.arange(n))
    q, ids, d = index.search(queries, 16)
    assert index.checked < 0.2 * n * len(queries)  # the chunk tables, not a comparison with every code
    brute = np.unpackbits(queries[:, None, :] ^ codes[None, :, :], axis=2).sum(axis=2)
    assert {(int(a), int(b)) for a, b in zip(q, ids)} == {(int(a), int(b)) for a, b in zip(*np.nonzero(brute <= 16))}
    assert all(brute[a, b] == dist for a, b, dist in zip(q, ids, d))


def test_a_pair_left_undecided_while_a_file_is_gone_is_decided_once_it_is_back():
    from trollscan.photos import match_images, pairs_decided

    original = photo("p9", 0, 1, size=320)
    hashed, decoded = [], []
    for img in (original, original.crop((30, 20, 300, 290)), photo("p10", 0, 1, size=320)):
        data = _jpeg(img)
        h, d = hash_image(hashlib.sha256(data).hexdigest(), data)
        hashed.append(h)
        decoded.append(d)
    m, checked = match_images(hashed, lambda i: None if i == 1 else decoded[i])  # the crop's file is gone
    compared = {r["sha_a"] for r in checked.to_pylist() if r["sha_a"] == r["sha_b"]}
    assert m.num_rows == 0 and hashed[1].key not in compared and hashed[0].key not in compared
    m2, again = match_images(hashed, lambda i: decoded[i], known=checked)
    assert m2.num_rows == 1 and pairs_decided(again) >= 1
    rows = again.to_pylist()
    assert all(hashed[2].key not in (r["sha_a"], r["sha_b"]) for r in rows)  # compared before: not looked up again
    _, third = match_images(hashed, lambda i: decoded[i], known=pa.concat_tables([checked, again]))
    assert third.num_rows == 0  # everything decided


def test_an_earlier_picture_takes_a_new_candidate_closer_than_the_ones_it_kept():
    from trollscan.photos import Hashed, find_candidates

    rng = np.random.default_rng(3)
    base = rng.integers(0, 256, 8, dtype=np.uint8)

    def flipped(bits: list[int]) -> bytes:
        code = np.unpackbits(base)
        code[bits] ^= 1
        return np.packbits(code).tobytes()

    def picture(key: str, low: bytes) -> Hashed:
        return Hashed(key, 100, 100, "JPEG", 100, {"pdq:0": rng.integers(0, 256, 32, dtype=np.uint8).tobytes(),
                                                   "low:full:0": low})

    images = [picture("a", flipped([])), picture("b", flipped(list(range(10)))),  # a kept b, 10 bits away
              picture("c", flipped([20, 21, 22])), picture("d", flipped([20, 21, 22, 30]))]  # c's closest is d

    def pairs(reach_of_a: int) -> set:
        _, found, reach = find_candidates(images, [0] * 4, max_pdq_distance=31, max_low_distance=16, min_quality=50,
                                          skip_within=(), max_candidates=1, fresh=np.array([False, False, True, True]),
                                          reach=np.array([reach_of_a, 10, 17, 17]))
        return {tuple(sorted(k)) for k in found}, reach

    taken, reach = pairs(10)
    assert taken == {(2, 3), (0, 2)} and reach[0] == 3  # c is closer to a (3 bits) than b was: a takes it
    assert pairs(3)[0] == {(2, 3)}  # a's candidates were as close: c, which has d, is not a's
