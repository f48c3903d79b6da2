"""Thumbnails of photos from the data: decoded and re-encoded, never passed through.

A file from social media may be a polyglot, a decompression bomb or not an image at all. Only
what Pillow decodes as a raster image within a pixel budget becomes a thumbnail, re-encoded as a
fresh JPEG, so no byte of the original reaches a browser.
"""

from __future__ import annotations

import base64
import io
import warnings

from PIL import Image, UnidentifiedImageError

__all__ = ["thumbnail_jpeg", "thumbnail_data_uri", "MAX_PIXELS"]

MAX_PIXELS = 40_000_000  # larger images are refused (a decompression bomb is far larger)
_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF")


def thumbnail_jpeg(data: bytes, *, max_px: int = 160, quality: int = 70) -> bytes | None:
    """A JPEG at most `max_px` on its longer side, or None when `data` is not a usable image."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=_FORMATS) as img:
                if img.width * img.height > MAX_PIXELS:
                    return None
                img.draft("RGB", (max_px, max_px))
                picture = img.convert("RGB")
        picture.thumbnail((max_px, max_px))
        out = io.BytesIO()
        picture.save(out, format="JPEG", quality=quality, optimize=True)
        return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, EOFError):
        return None


def thumbnail_data_uri(data: bytes, *, max_px: int = 96) -> str | None:
    """The thumbnail as a `data:image/jpeg;base64,...` URI to inline in the report."""
    jpeg = thumbnail_jpeg(data, max_px=max_px)
    return None if jpeg is None else "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")
