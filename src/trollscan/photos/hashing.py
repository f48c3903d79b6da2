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

from .decode import SQUARE_PX, Decoded

__all__ = ["HASHER", "COMPATIBLE", "View", "FULL", "LOW_VIEWS", "DIHEDRAL", "view_box", "pdq_rows", "low_rows", "pack",
           "hamming"]

HASHER = "pdq+low-views/2"  # stored in images.hasher: a change of views or sizes is a new hasher
# Earlier hashers whose codes still compare with this one's (/1 cut the crop views from the full
# picture, /2 from a 128-pixel copy: a bit or two differs), used when a file is gone and cannot be hashed again.
COMPATIBLE = ("pdq+low-views/1", HASHER)


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


def _square(image: Decoded) -> Image.Image:
    """The whole picture squeezed to 128 x 128 grey pixels (made once, when decoded)."""
    if image.square is not None:
        return image.square
    return image.grey.resize((_WORK_PX, _WORK_PX), Image.Resampling.BOX)


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
_WORK_PX = SQUARE_PX  # the picture's side, both ways, before the views are cut from it


def _box_weights(start: float, stop: float, out: int = 32, size: int = _WORK_PX) -> np.ndarray:
    """(out, size): row k averages pixels [start + k * step, start + (k + 1) * step) of a `size`-pixel
    side, with fractional pixels at the ends weighted by how much of them is covered (area resampling)."""
    edges = start + (stop - start) * np.arange(out + 1) / out
    lo, hi = edges[:-1, None], edges[1:, None]
    px = np.arange(size)[None, :]
    covered = np.clip(np.minimum(hi, px + 1) - np.maximum(lo, px), 0.0, None)
    return covered / covered.sum(axis=1, keepdims=True)


def _operators(views: tuple[View, ...]) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]:
    """The crop views' 8 lowest DCT frequencies of their 32 area-resampled pixels, as matrices on the
    working picture: the distinct row ranges stacked (8 rows each, on 128 pixel rows), the distinct
    column ranges likewise (transposed), and per view its (row range, column range)."""
    rows: dict[tuple[float, float], int] = {}
    cols: dict[tuple[float, float], int] = {}
    pairs = []
    for view in views:
        left, top, right, bottom = view_box(view, _WORK_PX, _WORK_PX)
        pairs.append((rows.setdefault((top, bottom), len(rows)), cols.setdefault((left, right), len(cols))))
    row_ops = np.concatenate([_DCT32 @ _box_weights(a, b) for a, b in rows])
    col_ops = np.concatenate([_DCT32 @ _box_weights(a, b) for a, b in cols]).T
    return row_ops, col_ops, pairs


_CROPS = tuple(v for v in LOW_VIEWS if v.name != FULL)
_CROP_ROWS, _CROP_COLS, _CROP_PAIRS = _operators(_CROPS)


def _product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b in slices of a's rows small enough (under 2^17 multiply-adds) that OpenBLAS runs each on
    the calling thread: its worker threads spin, and on a busy machine a larger product took 30
    times longer than the slices do."""
    step = max(1, (1 << 17) // (a.shape[1] * b.shape[1]))
    return np.concatenate([a[i:i + step] @ b for i in range(0, len(a), step)])


def _signs(coef: np.ndarray) -> np.ndarray:
    """(n, 8, 8) coefficients -> (n, 8) packed bytes: 63 signs against their median, the mean left out."""
    flat = coef.reshape(len(coef), 64)[:, 1:]
    median = np.partition(flat, 31, axis=1)[:, 31:32]  # the 32nd of 63
    return np.packbits(np.concatenate([flat > median, np.zeros((len(coef), 1), bool)], axis=1), axis=1)


def low_rows(image: Decoded, views: tuple[View, ...] = LOW_VIEWS) -> list[tuple[str, bytes]]:
    """8-byte low-frequency hashes: 63 signs of the 8 x 8 lowest DCT frequencies of a view at
    32 x 32 pixels. The whole picture in its 8 dihedral variants (`low:full:0` to `low:full:7`) and
    each crop view as is (`low:crop80:tl`...). Coarser than PDQ, so a copy cropped a little
    differently from a view still lands near it: they find candidates for `align`, never decide.

    The picture is reduced once to 128 x 128 pixels, and every crop view's 8 x 8 frequencies come
    from it by two matrix products (area resampling and DCT in one) over the 6 distinct row ranges
    and 6 distinct column ranges of the views, all views at once."""
    out = []
    names = {v.name for v in views}
    square = _square(image)
    if FULL in names:
        full = np.asarray(image.grey.resize((32, 32), Image.Resampling.BOX), dtype=np.float64)
        turned = np.stack([np.ascontiguousarray(turn(full)) for turn in _TURNS])
        out += [(f"low:{FULL}:{k}", code.tobytes()) for k, code in enumerate(_signs(_DCT32 @ turned @ _DCT32.T))]
    crops = [n for n, v in enumerate(_CROPS) if v.name in names]
    if crops:
        work = np.asarray(square, dtype=np.float64)
        grid = _product(_product(_CROP_ROWS, work), _CROP_COLS).reshape(len(_CROP_ROWS) // 8, 8, -1, 8)
        coef = np.stack([grid[_CROP_PAIRS[n][0], :, _CROP_PAIRS[n][1], :] for n in crops])
        out += [(f"low:{_CROPS[n].name}", code.tobytes()) for n, code in zip(crops, _signs(coef))]
    return out
