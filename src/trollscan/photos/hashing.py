"""PDQ hashes of an image's views, their dihedral variants, and what a matched pair of views means.

A view is the whole picture or one crop of it on a fixed grid (`VIEWS`). A stolen copy cropped by
up to about 20 % looks, as a whole, like one of the original's crops: matching the copy's whole
view against the original's crop views (and the other way round) finds crops that a single global
hash misses. Each view is reduced to 64 x 64 grey pixels (PIL's area resampling) and hashed with
`pdqhash`, Meta's PDQ; its dihedral variants (the 8 rotations and mirrorings, computed from the
same DCT) catch mirrored and rotated copies. Hashes are 32 bytes; the quality is PDQ's 0-100 score
(flat or nearly blank images score low and are not trusted).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pdqhash
from PIL import Image

from .decode import Decoded

__all__ = ["HASHER", "View", "FULL", "LOW_VIEWS", "DIHEDRAL", "view_box", "pdq_rows", "low_rows", "pack",
           "hamming"]

HASHER = "pdq+low-views/1"  # stored in images.hasher: a change of views or sizes is a new hasher


@dataclass(frozen=True)
class View:
    name: str
    scale: float  # side of the crop as a share of the image's side
    x: float  # left edge, as a share of the room left beside the crop (0 left, 0.5 centre, 1 right)
    y: float  # top edge, likewise


FULL = "full"
_GRID = {"tl": (0, 0), "t": (0.5, 0), "tr": (1, 0), "l": (0, 0.5), "c": (0.5, 0.5), "r": (1, 0.5),
         "bl": (0, 1), "b": (0.5, 1), "br": (1, 1)}
LOW_VIEWS: tuple[View, ...] = (
    View(FULL, 1.0, 0.5, 0.5),
    *(View(f"crop90:{k}", 0.9, x, y) for k, (x, y) in _GRID.items()),
    *(View(f"crop80:{k}", 0.8, x, y) for k, (x, y) in _GRID.items()),
)

# How a picture relates to another whose hash matched dihedral variant k of its own (pdqhash's
# order: identity, 3 rotations, flips about the horizontal and vertical axes and the 2 diagonals).
DIHEDRAL = ("", "rotated 90 degrees", "rotated 180 degrees", "rotated 90 degrees", "flipped upside down",
            "mirrored", "mirrored and rotated 90 degrees", "mirrored and rotated 90 degrees")
_TURNS = (lambda a: a, lambda a: np.rot90(a, 1), lambda a: np.rot90(a, 2), lambda a: np.rot90(a, 3), np.flipud,
          np.fliplr, lambda a: a.T, lambda a: np.rot90(a, 2).T)


def view_box(view: View, width: int, height: int) -> tuple[float, float, float, float]:
    """The view's rectangle (left, top, right, bottom) in an image of that size."""
    w, h = width * view.scale, height * view.scale
    left, top = (width - w) * view.x, (height - h) * view.y
    return (left, top, left + w, top + h)


def pack(bits: np.ndarray) -> bytes:
    """Bits (0/1) as bytes: 256 PDQ bits as 32 bytes, 64 low bits as 8."""
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes()


def hamming(a: bytes, b: bytes) -> int:
    """Bits that differ between two packed hashes."""
    return int(np.bitwise_count(np.bitwise_xor(np.frombuffer(a, np.uint8), np.frombuffer(b, np.uint8))).sum())


def _rgb64(grey: Image.Image) -> np.ndarray:
    a = np.asarray(grey.resize((64, 64), Image.Resampling.BOX), dtype=np.uint8)
    return np.repeat(a[:, :, None], 3, axis=2)


def pdq_rows(image: Decoded) -> tuple[list[tuple[str, bytes]], int]:
    """The whole picture's PDQ hash in its 8 dihedral variants, as views `pdq:0` (as is) to `pdq:7`
    (DIHEDRAL order), computed on 64 x 64 grey pixels; and PDQ's quality (0-100)."""
    variants, quality = pdqhash.compute_dihedral(_rgb64(image.grey))
    return [(f"pdq:{k}", pack(v)) for k, v in enumerate(variants)], int(quality)


def _dct_matrix(n: int) -> np.ndarray:
    k = np.arange(n)
    m = np.cos(np.pi * (2 * k[None, :] + 1) * k[:, None] / (2 * n)) * np.sqrt(2 / n)
    m[0] /= np.sqrt(2)
    return m


_DCT32 = _dct_matrix(32)[:8]  # the 8 lowest frequencies of a 32-pixel side


def _low(pixels: np.ndarray) -> bytes:
    coef = (_DCT32 @ pixels @ _DCT32.T).ravel()[1:]  # 63 coefficients, the mean left out
    return pack(np.append(coef > np.median(coef), False))


def _view_pixels(grey: Image.Image, view: View) -> np.ndarray:
    small = grey.resize((32, 32), Image.Resampling.BOX, box=view_box(view, *grey.size))
    return np.asarray(small, dtype=np.float64)


def low_rows(image: Decoded, views: tuple[View, ...] = LOW_VIEWS) -> list[tuple[str, bytes]]:
    """8-byte low-frequency hashes: 63 signs of the 8 x 8 lowest DCT frequencies of a view at
    32 x 32 pixels. The whole picture in its 8 dihedral variants (`low:full:0` to `low:full:7`) and
    each crop view as is (`low:crop80:tl`...). Coarser than PDQ, so a copy cropped a little
    differently from a view still lands near it: they find candidates for `align`, never decide."""
    out = []
    for view in views:
        pixels = _view_pixels(image.grey, view)
        if view.name == FULL:
            out += [(f"low:{FULL}:{k}", _low(np.ascontiguousarray(turn(pixels)))) for k, turn in enumerate(_TURNS)]
        else:
            out.append((f"low:{view.name}", _low(pixels)))
    return out
