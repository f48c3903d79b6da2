"""Pinned PDQ hashes of known generated photos and of their mirrored, cropped and re-encoded copies,
with the distances between them. Regenerate with `pytest --update-golden` and review the diff."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageOps

from tests.conftest import check_golden
from trollscan.photos import decode
from trollscan.photos.hashing import hamming, low_rows, pdq_rows
from trollscan.simulate.images import photo

_HERE = Path(__file__).parent


def _jpeg(img: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _copies() -> dict[str, bytes]:
    out = {}
    for person in ("p1", "p7", "x3"):
        img = photo(person, 0, 1, size=256)
        out[f"{person}"] = _jpeg(img, 90)
        out[f"{person}.mirrored"] = _jpeg(ImageOps.mirror(img), 90)
        out[f"{person}.cropped"] = _jpeg(img.crop((13, 13, 243, 243)), 90)
        out[f"{person}.reencoded"] = _jpeg(img, 30)
    return out


def test_pdq_hashes_of_known_photos_and_their_copies(update_golden):
    actual = {}
    for name, data in _copies().items():
        decoded = decode(data)
        pdq, quality = pdq_rows(decoded)
        actual[name] = {"pdq": pdq[0][1].hex(), "quality": quality, "low": dict(low_rows(decoded))["low:full:0"].hex(),
                        "variants": [code.hex() for _, code in pdq]}
    for name in list(actual):
        if "." in name:
            base, mine = actual[name.split(".")[0]], bytes.fromhex(actual[name]["pdq"])
            actual[name]["distance_to_original"] = hamming(bytes.fromhex(base["pdq"]), mine)
            actual[name]["dihedral_distance"] = min(hamming(bytes.fromhex(v), mine) for v in base["variants"])
    check_golden(_HERE / "expected.json", actual, update_golden)
