"""Procedural photos: every person's photos are their own, and copies are transformed as truth says.

A photo is a smooth random colour field (the scene), a head and shoulders in the person's skin and
hair colours at a random place and size, random shapes and a fine texture. The large-scale light
and dark pattern, which perceptual hashes such as PDQ read, is random per photo, so different
people (and different photos of one person) never look alike to them; a copy keeps the pattern
through mirroring (PDQ's dihedral variants), cropping, filtering and recompression.
"""

from __future__ import annotations

import hashlib
import io

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageOps

__all__ = ["photo", "encode", "SIZE_PX"]

SIZE_PX = 128
_SKIN = np.array([[241, 194, 167], [224, 172, 138], [198, 145, 110], [160, 110, 80], [235, 200, 170],
                  [210, 160, 120]])
_HAIR = np.array([[20, 15, 10], [60, 40, 25], [110, 75, 40], [30, 25, 25], [150, 120, 80], [90, 60, 50]])


def _seed(person: str, number: int, seed: int) -> list[int]:
    """A stable seed for one photo (sha256, not hash(): the same across runs and machines)."""
    digest = hashlib.sha256(f"{seed}:{person}:{number}".encode()).digest()
    return [int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4)]


def _field(rng: np.random.Generator, cells: int, size: int) -> Image.Image:
    low = rng.integers(0, 256, (cells, cells, 3), dtype=np.uint8)
    return Image.fromarray(low, "RGB").resize((size, size), Image.Resampling.BICUBIC)


def photo(person: str, number: int, seed: int, size: int = SIZE_PX) -> Image.Image:
    """Photo `number` of `person` (0 is the profile photo); the same arguments give the same pixels."""
    person_rng = np.random.default_rng(_seed(person, -1, seed))
    skin = np.clip(_SKIN[person_rng.integers(0, len(_SKIN))] + person_rng.integers(-15, 16, 3), 0, 255)
    hair = np.clip(_HAIR[person_rng.integers(0, len(_HAIR))] + person_rng.integers(-10, 11, 3), 0, 255)
    rng = np.random.default_rng(_seed(person, number, seed))
    img = _field(rng, int(rng.integers(2, 5)), size)
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(3, 8))):  # background objects
        x, y = rng.integers(-size // 4, size, 2)
        w, h = rng.integers(size // 8, size // 2, 2)
        color = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            draw.rectangle([int(x), int(y), int(x + w), int(y + h)], fill=color)
        else:
            draw.ellipse([int(x), int(y), int(x + w), int(y + h)], fill=color)
    cx = int(rng.integers(size * 2 // 10, size * 8 // 10))
    cy = int(rng.integers(size * 2 // 10, size * 7 // 10))
    r = int(rng.integers(size // 10, size // 5))
    shirt = tuple(int(c) for c in rng.integers(0, 256, 3))
    draw.ellipse([cx - 2 * r, cy + r, cx + 2 * r, cy + 4 * r], fill=shirt)  # shoulders
    draw.ellipse([cx - r - 3, cy - r - 6, cx + r + 3, cy + r // 2], fill=tuple(int(c) for c in hair))
    draw.ellipse([cx - r, cy - r, cx + r, int(cy + 1.3 * r)], fill=tuple(int(c) for c in skin))
    eye = max(2, r // 6)
    for dx in (-r // 2, r // 2):
        draw.ellipse([cx + dx - eye, cy - eye, cx + dx + eye, cy + eye], fill=(30, 25, 20))
    draw.line([cx - r // 3, cy + r // 2 + 2, cx + r // 3, cy + r // 2 + 2], fill=(150, 60, 60), width=2)
    pixels = np.asarray(img, dtype=np.int16)
    noise = rng.integers(-6, 7, (size, size, 1), dtype=np.int16)
    return Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8), "RGB")


def _transform(img: Image.Image, transform: str, rng: np.random.Generator) -> tuple[Image.Image, int]:
    """Apply a transform ('mirror', 'crop', 'filter', 'recompress' or combinations with '+'); the JPEG quality."""
    quality = 82
    size = img.size[0]
    for step in transform.split("+"):
        if step == "mirror":
            img = ImageOps.mirror(img)
        elif step == "crop":
            left, top, right, bottom = (int(size * f) for f in rng.uniform(0.01, 0.03, 4))
            img = img.crop((left, top, size - right, size - bottom)).resize((size, size), Image.Resampling.BICUBIC)
        elif step == "filter":
            img = ImageEnhance.Color(img).enhance(float(rng.uniform(0.2, 0.6)))
            img = ImageEnhance.Contrast(img).enhance(float(rng.uniform(1.1, 1.4)))
            img = img.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.5, 1.2))))
            tint = np.array([1.08, 1.0, 0.88]) if rng.random() < 0.5 else np.array([0.92, 1.0, 1.1])
            img = Image.fromarray(np.clip(np.asarray(img) * tint, 0, 255).astype(np.uint8), "RGB")
        elif step == "recompress":
            quality = int(rng.integers(25, 45))
    return img, quality


def encode(person: str, number: int, transform: str, seed: int, account: str = "") -> bytes:
    """JPEG bytes of a person's photo after `transform` ('none' for the original)."""
    img = photo(person, number, seed)
    quality = 82
    if transform != "none":
        img, quality = _transform(img, transform, np.random.default_rng(_seed(person + transform + account,
                                                                              number, seed)))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, optimize=False)
    return out.getvalue()
