"""A small DCT perceptual hash (the idea of PDQ: 256 bits from the lowest frequencies of the
luminance, thresholded at their median), so tests can check how photos look to a photo matcher."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageOps


def _dct_matrix(n: int) -> np.ndarray:
    k = np.arange(n)
    m = np.cos(np.pi * (2 * k[None, :] + 1) * k[:, None] / (2 * n)) * np.sqrt(2 / n)
    m[0] /= np.sqrt(2)
    return m


_D = _dct_matrix(64)


def phash(data: bytes | Image.Image, *, mirror: bool = False) -> np.ndarray:
    img = data if isinstance(data, Image.Image) else Image.open(io.BytesIO(data))
    img = img.convert("L")
    if mirror:
        img = ImageOps.mirror(img)
    x = np.asarray(img.resize((64, 64), Image.Resampling.BOX), dtype=np.float64)
    coef = (_D @ x @ _D.T)[1:17, 1:17]
    return (coef > np.median(coef)).ravel()


def distance(a: bytes, b: bytes) -> int:
    """Bits that differ, the smaller of b as is and b mirrored (PDQ's dihedral check, in part)."""
    ha = phash(a)
    return int(min(np.count_nonzero(ha != phash(b)), np.count_nonzero(ha != phash(b, mirror=True))))
