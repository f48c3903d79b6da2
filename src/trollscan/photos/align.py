"""Checking a candidate pair with both pictures at hand: find where one sits inside the other, then
compare them there.

The low hashes only say "these two might be one photo". Here the smaller picture (the one whose
whole view matched) is slid and scaled over the larger one's matching view until the two agree
best (normalised cross-correlation of 64 x 64 grey thumbnails in a 4 x 4 grid of tiles, refined
edge by edge down to a quarter of a percent; a copy tilted by a few degrees is found by turning the
larger picture too), and the pair is then measured where it fits: the PDQ distance of the two
aligned pictures, and how an 8 x 8 grid of small tiles agrees. A caption or a sticker spoils a few
tiles and leaves the rest nearly perfect; a different photo of the same person in the same place
(same colours, other layout and pose) leaves most tiles only loosely alike, so the median tile
says "one photo" or "two photos" where a mean over the whole picture cannot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pdqhash
from PIL import Image

from .hashing import FULL, LOW_VIEWS, hamming, pack, view_box

__all__ = ["Alignment", "align", "turned", "TURN_OPS", "MAX_ANGLE"]

# PIL transposes that undo dihedral variant k of hashing.DIHEDRAL (None: as is).
TURN_OPS = (None, Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180, Image.Transpose.ROTATE_270,
            Image.Transpose.FLIP_TOP_BOTTOM, Image.Transpose.FLIP_LEFT_RIGHT, Image.Transpose.TRANSPOSE,
            Image.Transpose.TRANSVERSE)
_VIEWS = {v.name: v for v in LOW_VIEWS}
_SIDE = 64
_SEARCH_PX = 160  # the larger picture's longer side while searching
_GIVE_UP = 0.6  # tile agreement under which the coarse search stops
_HOPELESS = 0.3  # tile agreement at the starting box under which no search is tried
MAX_ANGLE = 7.5  # degrees either way that a tilted copy may be turned
_ANGLE_STEP = 1.5  # degrees between the angles first tried
_TILT_FROM = 0.6  # straight fit from which angles are tried (a tilted copy of 3-6 degrees fits 0.7-0.95 straight)
_STRAIGHT = 0.97  # straight fit above which no angle is tried
_ANGLES_SEARCHED = 2  # of the angles tried, those whose box is then searched
_TILT_GAIN = 0.01  # a turned fit must beat the straight one by this much


_AGREE = 0.8  # a small tile's correlation from which it counts as agreeing
_FLAT = 2.0  # grey levels: a small tile of the smaller picture with less spread than this is not judged
_MIN_JUDGED = 16  # small tiles (of 64) that must have texture for the tiles to decide
_PLAIN_LEVEL = 0.25  # standard deviations: a plain tile this close in brightness in both pictures agrees


@dataclass(frozen=True)
class Alignment:
    pdq_distance: int  # PDQ bits that differ between the aligned pictures (0-256)
    correlation: float  # median correlation of the textured tiles of an 8 x 8 grid of the aligned pictures (-1 to 1)
    tiles: int  # of the 64 small tiles, those that agree (textured: correlation at least 0.8; plain: plain in both)
    area: float  # share of the larger picture that the smaller one shows (1: no crop)
    box: tuple[float, float, float, float]  # where, as shares of the larger picture's sides (after turning it)
    angle: float = 0.0  # degrees the larger picture was turned anticlockwise for the smaller to fit
    fit: float = 0.0  # what the search maximised: mean correlation of the 12 best-agreeing of 16 large tiles


def _pixels(grey: Image.Image, box: tuple[float, float, float, float] | None = None) -> np.ndarray:
    """64 x 64 grey pixels of the box (shares of the sides), area-resampled."""
    if box is not None:
        w, h = grey.size
        box = (box[0] * w, box[1] * h, box[2] * w, box[3] * h)
    return np.asarray(grey.resize((_SIDE, _SIDE), Image.Resampling.BOX, box=box), dtype=np.float64)


def _tiles(a: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """64 x 64 pixels as n x n tiles, each centred and scaled to unit length; and each tile's spread."""
    side = _SIDE // n
    t = a.reshape(n, side, n, side).transpose(0, 2, 1, 3).reshape(n * n, -1)
    t = t - t.mean(axis=1, keepdims=True)
    norm = np.sqrt((t * t).sum(axis=1, keepdims=True))
    return t / np.where(norm > 1e-6, norm, np.inf), norm[:, 0] / side


def _thumb(grey: Image.Image, box: tuple[float, float, float, float] | None = None) -> np.ndarray:
    """64 x 64 grey pixels of the box, as 16 tiles of 256, each centred and scaled to unit length."""
    return _tiles(_pixels(grey, box), 4)[0]


def _judge(small: np.ndarray, big: np.ndarray) -> tuple[float, int]:
    """(median correlation of the small tiles with texture, tiles that agree) of two aligned 64 x 64
    pictures; (0, 0) when fewer than _MIN_JUDGED tiles of the smaller picture have texture.

    A textured tile agrees when it correlates; a plain tile (a studio wall, the sky) when it is plain
    in both pictures at the same brightness, relative to each picture's own levels (a filter shifts
    them all): nothing was drawn over it. So a clean copy of a portrait on a plain wall has all 64
    tiles agree, and a patch of colour over the wall still shows."""
    a, spread = _tiles(small, 8)
    b, spread_b = _tiles(big, 8)
    scores = (a * b).sum(axis=1)
    textured = spread >= _FLAT
    judged = scores[textured]
    if len(judged) < _MIN_JUDGED:
        return 0.0, 0
    plain = ~textured & (spread_b < _FLAT) & (np.abs(_levels(small) - _levels(big)) < _PLAIN_LEVEL)
    return float(np.median(judged)), int((textured & (scores >= _AGREE)).sum() + plain.sum())


def _levels(a: np.ndarray) -> np.ndarray:
    """Each small tile's mean, in standard deviations of the whole picture from its mean."""
    means = a.reshape(8, _SIDE // 8, 8, _SIDE // 8).mean(axis=(1, 3)).ravel()
    return (means - a.mean()) / max(float(a.std()), 1e-6)


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


def _search(target: np.ndarray, big: Image.Image, box: list[float], aspect: float, steps: tuple[float, ...],
            best: float) -> tuple[float, list[float]]:
    """Move the box's edges, step by step, while the fit improves (coordinate ascent); the box keeps
    at least half of each side and about the smaller picture's shape."""
    for step in steps:
        if step < 0.02 and best < _GIVE_UP:
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
    return best, box


def _rotate(grey: Image.Image, angle: float) -> Image.Image:
    """The picture turned `angle` degrees anticlockwise about its centre, same size (corners filled grey)."""
    return grey if not angle else grey.rotate(angle, Image.Resampling.BILINEAR, fillcolor=128)


def _moved(box: list[float], angle: float, size: tuple[int, int]) -> list[float]:
    """The box, same size, centred where its centre lands when the picture turns `angle` degrees."""
    w, h = size
    cx, cy = (box[0] + box[2]) / 2 * w - w / 2, (box[1] + box[3]) / 2 * h - h / 2
    t = np.radians(angle)  # anticlockwise on screen, where y points down
    nx, ny = (np.cos(t) * cx + np.sin(t) * cy + w / 2) / w, (-np.sin(t) * cx + np.cos(t) * cy + h / 2) / h
    hw, hh = (box[2] - box[0]) / 2, (box[3] - box[1]) / 2
    nx, ny = min(max(nx, hw), 1 - hw), min(max(ny, hh), 1 - hh)  # kept inside the picture
    return [float(nx - hw), float(ny - hh), float(nx + hw), float(ny + hh)]


def align(small: Image.Image, big: Image.Image, view: str = FULL, *, max_angle: float = MAX_ANGLE) -> Alignment:
    """How well grey picture `small` fits inside grey picture `big`, searching around `big`'s view
    (a name of hashing.LOW_VIEWS) whose low hash matched `small`'s whole picture.

    Position and scale are searched first. When the fit is fair but not close (a tilted copy: turned
    a few degrees, then cropped so the corners do not show), angles up to `max_angle` degrees either
    way are tried too, and the best angle is refined to a quarter of a degree."""
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
        return Alignment(pdq_distance=256, correlation=0.0, tiles=0, area=1.0, box=tuple(round(b, 4) for b in box),
                         fit=round(best, 4))
    best, box = _search(target, big, box, aspect, (0.04, 0.02, 0.01, 0.005, 0.0025), best)
    angle = 0.0
    if max_angle > 0 and _TILT_FROM <= best < _STRAIGHT:
        straight, first = best, {}
        for a in np.arange(-max_angle, max_angle + 1e-9, _ANGLE_STEP):  # each angle where the box lands
            if abs(a) > 1e-9:
                turned_big = _rotate(big, float(a))
                start = _moved(box, float(a), big.size)
                first[float(a)] = (_fit(target, _thumb(turned_big, tuple(start))), turned_big, start)
        tilted = {}
        for a in sorted(first, key=lambda a: -first[a][0])[:_ANGLES_SEARCHED]:  # the likeliest, searched
            score, turned_big, start = first[a]
            tilted[a] = _search(target, turned_big, start, aspect, (0.02, 0.01), score)
        a_best = max(tilted, key=lambda a: tilted[a][0]) if tilted else 0.0
        if tilted and tilted[a_best][0] > straight + _TILT_GAIN:
            angle, (best, box) = a_best, tilted[a_best]
            for step in (_ANGLE_STEP / 2, _ANGLE_STEP / 4, _ANGLE_STEP / 8):
                for a in (angle - step, angle + step):
                    if abs(a) <= max_angle + 1e-9:
                        turned_big = _rotate(big, a)
                        score, trial = _search(target, turned_big, box, aspect, (0.005,),
                                               _fit(target, _thumb(turned_big, tuple(box))))
                        if score > best + 1e-9:
                            best, box, angle = score, trial, a
                            break
            best, box = _search(target, _rotate(big, angle), box, aspect, (0.005, 0.0025), best)
    median, agree = _judge(_pixels(small), _pixels(_rotate(big, angle), tuple(box)))
    return Alignment(pdq_distance=hamming(_pdq(small), _pdq(_rotate(full_big, angle), tuple(box))),
                     correlation=round(median, 4), tiles=agree,
                     area=round((box[2] - box[0]) * (box[3] - box[1]), 4), box=tuple(round(b, 4) for b in box),
                     angle=round(float(angle), 3), fit=round(best, 4))
