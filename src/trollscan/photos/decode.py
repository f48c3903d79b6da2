"""Opening untrusted image bytes: only plain raster formats, bounded sizes, every failure named.

Photos come from scraped exports and reporters' folders: some are truncated downloads, HTML error
pages saved as .jpg, decompression bombs or pictures of absurd shape. `decode` either returns a
small greyscale working copy and a colour summary, or raises `BadFile` / `TooLarge` with the
reason that goes into `images.error`. Nothing here executes anything: formats that call outside
programs (EPS) or parse rich documents (PDF, SVG) are never tried.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, UnidentifiedImageError

from ..errors import BadFile, TooLarge

__all__ = ["FORMATS", "SQUARE_PX", "Decoded", "decode", "colour_summary"]

# Raster formats PIL decodes itself, with no outside program: what photos on platforms come as.
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")  # JPEG also opens MPO (multi-picture JPEG)
_WORK_SIDE_PX = 256  # JPEGs are decoded at the smallest scale keeping at least this many pixels a side
SQUARE_PX = 128  # the side of the squeezed copy every hash is computed from


@dataclass(frozen=True)
class Decoded:
    """An image ready to hash: its stated size and format, a greyscale working copy, a colour summary."""

    width: int
    height: int
    format: str
    grey: Image.Image  # mode "L", at most about 2 * _WORK_SIDE_PX a side for JPEGs
    colour: tuple[float, ...]  # see colour_summary
    square: Image.Image | None = None  # mode "L", the whole picture squeezed to SQUARE_PX x SQUARE_PX (for hashing)


def _sniff(data: bytes) -> str:
    head = data[:16].lstrip()[:8].lower()
    if head.startswith((b"<!doc", b"<html", b"<?xml", b"<svg", b"{", b"[")):
        return f"not an image: the file is text ({data[:12].decode('ascii', 'replace')!r}...)"
    if head.startswith(b"%pdf"):
        return "not an image: the file is a PDF"
    if head.startswith(b"%!ps") or data[:4] == b"\xc5\xd0\xd3\xc6":
        return "not an image: the file is PostScript/EPS (never opened)"
    return "not an image: no supported image format (JPEG, PNG, WebP, GIF, BMP, TIFF) recognises it"


def decode(data: bytes, *, max_bytes: int = 50 << 20, max_pixels: int = 60_000_000, min_side_px: int = 16,
           max_aspect: float = 10.0) -> Decoded:
    """Decode `data` safely; raise BadFile or TooLarge with the reason otherwise.

    `max_pixels` bounds width * height as the header states it, checked before any pixel is
    decoded (a decompression bomb is a small file that states a huge size).
    """
    if not data:
        raise BadFile("empty file")
    if len(data) > max_bytes:
        raise TooLarge(f"file of {len(data):,} bytes, more than the {max_bytes:,} accepted")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=FORMATS)
            return _decode(img, max_pixels=max_pixels, min_side_px=min_side_px, max_aspect=max_aspect)
    except (BadFile, TooLarge):
        raise
    except UnidentifiedImageError:
        raise BadFile(_sniff(data)) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise TooLarge("decompression bomb: the image states more pixels than PIL accepts") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, MemoryError) as exc:
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise BadFile(f"broken image: {reason}") from None


def _decode(img: Image.Image, *, max_pixels: int, min_side_px: int, max_aspect: float) -> Decoded:
    width, height = img.size
    fmt = img.format or "unknown"
    if width * height > max_pixels:
        raise TooLarge(f"{width:,} x {height:,} pixels, more than the {max_pixels:,} accepted "
                       "(a decompression bomb or an absurd size)")
    if min(width, height) < min_side_px:
        raise BadFile(f"{width} x {height} pixels: too small to compare (less than {min_side_px} a side)")
    if max(width, height) > max_aspect * min(width, height):
        raise BadFile(f"{width} x {height} pixels: too long and thin for a photo (more than {max_aspect:g}:1)")
    if fmt in ("JPEG", "MPO"):
        img.draft("RGB", (_WORK_SIDE_PX, _WORK_SIDE_PX))
    img.load()  # raises OSError on a truncated file (PIL's LOAD_TRUNCATED_IMAGES is left off)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        rgb = Image.alpha_composite(background, rgba).convert("RGB")
    elif img.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        pixels = np.asarray(img, dtype=np.float64)
        top = pixels.max() if pixels.size and pixels.max() > 0 else 1.0
        rgb = Image.fromarray((pixels * (255.0 / top)).astype(np.uint8), "L").convert("RGB")
    else:
        rgb = img.convert("RGB")
    square = rgb.resize((SQUARE_PX, SQUARE_PX), Image.Resampling.BOX)  # one pass over the pixels for all hashes
    return Decoded(width, height, fmt, rgb.convert("L"), colour_summary(square), square.convert("L"))


def colour_summary(rgb: Image.Image) -> tuple[float, ...]:
    """Mean red, green and blue shares of brightness (each about 1/3 for grey) and mean saturation
    (0-1), from a 32-pixel thumbnail: what a colour filter changes and mirroring or cropping does not."""
    small = np.asarray(rgb.resize((32, 32), Image.Resampling.BOX), dtype=np.float64) + 1.0
    total = small.sum(axis=2, keepdims=True)
    shares = (small / total).reshape(-1, 3).mean(axis=0)
    hi, lo = small.max(axis=2), small.min(axis=2)
    saturation = float(((hi - lo) / hi).mean())
    return (round(float(shares[0]), 4), round(float(shares[1]), 4), round(float(shares[2]), 4), round(saturation, 4))
