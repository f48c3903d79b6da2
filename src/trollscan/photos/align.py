"""Checking a candidate pair with both pictures at hand: find where one sits inside the other, then
compare them there.

The low hashes only say "these two might be one photo". Here the smaller picture (the one whose
whole view matched) is slid and scaled over the larger one's matching view until the two agree
best (normalised cross-correlation of 64 x 64 grey thumbnails, refined edge by edge down to a
quarter of a percent), and the pair is then measured where it fits: the PDQ distance of the two
aligned pictures, and the share of a 4 x 4 grid of tiles that agree (a caption or a sticker spoils
a few tiles, a different photo spoils most).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pdqhash
from PIL import Image

from .hashing import FULL, LOW_VIEWS, hamming, pack, view_box

__all__ = ["Alignment", "align", "turned", "TURN_OPS"]

# PIL transposes that undo dihedral variant k of hashing.DIHEDRAL (None: as is).
TURN_OPS = (None, Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180, Image.Transpose.ROTATE_270,
            Image.Transpose.FLIP_TOP_BOTTOM, Image.Transpose.FLIP_LEFT_RIGHT, Image.Transpose.TRANSPOSE,
            Image.Transpose.TRANSVERSE)
_VIEWS = {v.name: v for v in LOW_VIEWS}
_SIDE = 64
_SEARCH_PX = 160  # the larger picture's longer side while searching
_GIVE_UP = 0.6  # tile agreement under which the coarse search stops
_HOPELESS = 0.3  # tile agreement at the starting box under which no search is tried


@dataclass(frozen=True)
class Alignment:
    pdq_distance: int  # PDQ bits that differ between the aligned pictures (0-256)
    correlation: float  # mean correlation of the 12 best-agreeing of 16 tiles of the aligned pictures (-1 to 1)
    tiles: float  # share of the 16 tiles whose own correlation is at least 0.6
    area: float  # share of the larger picture that the smaller one shows (1: no crop)
    box: tuple[float, float, float, float]  # where, as shares of the larger picture's sides


def _thumb(grey: Image.Image, box: tuple[float, float, float, float] | None = None) -> np.ndarray:
    """64 x 64 grey pixels of the box, as 16 tiles of 256, each centred and scaled to unit length."""
    if box is not None:
        w, h = grey.size
        box = (box[0] * w, box[1] * h, box[2] * w, box[3] * h)
    a = np.asarray(grey.resize((_SIDE, _SIDE), Image.Resampling.BOX, box=box), dtype=np.float64)
    t = a.reshape(4, _SIDE // 4, 4, _SIDE // 4).transpose(0, 2, 1, 3).reshape(16, -1)
    t = t - t.mean(axis=1, keepdims=True)
    norm = np.sqrt((t * t).sum(axis=1, keepdims=True))
    return t / np.where(norm > 1e-6, norm, np.inf)


def _tile_scores(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sort((a * b).sum(axis=1))


def _fit(a: np.ndarray, b: np.ndarray) -> float:
    """Mean correlation of the 12 best-agreeing of 16 tiles: a caption or sticker over a few tiles
    does not pull the alignment away."""
    return float(_tile_scores(a, b)[4:].mean())


def _pdq(grey: Image.Image, box: tuple[float, float, float, float] | None = None) -> bytes:
    if box is not None:
        w, h = grey.size
        box = (box[0] * w, box[1] * h, box[2] * w, box[3] * h)
    a = np.asarray(grey.resize((64, 64), Image.Resampling.BOX, box=box), dtype=np.uint8)
    return pack(pdqhash.compute(np.repeat(a[:, :, None], 3, axis=2))[0])


def turned(grey: Image.Image, turn: int) -> Image.Image:
    """The picture after dihedral variant `turn` (hashing.DIHEDRAL order)."""
    return grey if TURN_OPS[turn] is None else grey.transpose(TURN_OPS[turn])


def align(small: Image.Image, big: Image.Image, view: str = FULL) -> Alignment:
    """How well grey picture `small` fits inside grey picture `big`, searching around `big`'s view
    (a name of hashing.LOW_VIEWS) whose low hash matched `small`'s whole picture."""
    left, top, right, bottom = view_box(_VIEWS[view], 1, 1)
    box = [left, top, right, bottom]
    target = _thumb(small)
    full_big = big
    if max(big.size) > _SEARCH_PX:  # search on a smaller copy: the box is in shares, so it carries over
        f = _SEARCH_PX / max(big.size)
        big = big.resize((max(1, round(big.size[0] * f)), max(1, round(big.size[1] * f))), Image.Resampling.BOX)
    aspect = (small.size[0] / small.size[1]) / (big.size[0] / big.size[1])  # the box's width/height in shares
    best = _fit(target, _thumb(big, tuple(box)))
    if best < _HOPELESS:  # copies agree well even before the search; a different photo does not
        return Alignment(pdq_distance=256, correlation=round(best, 4), tiles=0.0, area=1.0,
                         box=tuple(round(b, 4) for b in box))
    for step in (0.04, 0.02, 0.01, 0.005, 0.0025):
        if step < 0.01 and best < _GIVE_UP:
            break  # nowhere near: not worth refining
        improved = True
        while improved:
            improved = False
            for edge in range(4):
                for sign in (-1, 1):
                    trial = list(box)
                    trial[edge] = min(1.0, max(0.0, trial[edge] + sign * step))
                    bw, bh = trial[2] - trial[0], trial[3] - trial[1]
                    if bw < 0.5 or bh < 0.5 or not 0.87 < bw / bh / aspect < 1.15:
                        continue
                    score = _fit(target, _thumb(big, tuple(trial)))
                    if score > best + 1e-9:
                        best, box, improved = score, trial, True
    tiles = _tile_scores(target, _thumb(big, tuple(box)))
    return Alignment(pdq_distance=hamming(_pdq(small), _pdq(full_big, tuple(box))), correlation=round(best, 4),
                     tiles=float((tiles >= 0.6).mean()), area=round((box[2] - box[0]) * (box[3] - box[1]), 4),
                     box=tuple(round(b, 4) for b in box))
