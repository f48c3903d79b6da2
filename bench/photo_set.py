"""A photo-matching benchmark set drawn procedurally: originals, transformed copies, hard negatives.

Real photographs are not available offline, so each "photo" is drawn: a lit room or street (a
gradient, a low-frequency colour field, multi-scale texture, furniture and windows as shapes), a
person (head with shading, hair, eyes, brows, nose, mouth, neck, shoulders in clothes), a vignette
and sensor noise, saved as JPEG. `same_subject` draws a different photo of the same person in the
same kind of place (same palette and person, new layout, pose, clothes and light): a hard negative
that must NOT match. `copy` applies what farms do to stolen photos.
"""

from __future__ import annotations

import hashlib
import io

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageOps

__all__ = ["TRANSFORMS", "original", "same_subject", "copy", "jpeg"]

TRANSFORMS = ("mirror", "rotate90", "rotate5", "crop10", "crop20", "filter", "grayscale", "blur", "overlay",
              "recompress", "resize", "mirror+crop10", "mirror+filter", "crop20+recompress")
_SHAPES = ((512, 512), (480, 600), (640, 480), (400, 400))


def _rng(*key: object) -> np.random.Generator:
    digest = hashlib.sha256(":".join(map(str, key)).encode()).digest()
    return np.random.default_rng([int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4)])


def _upscale(rng: np.random.Generator, cells: tuple[int, int], size: tuple[int, int], channels: int) -> np.ndarray:
    low = rng.random((cells[1], cells[0], channels)).astype(np.float32)
    out = [np.asarray(Image.fromarray(low[:, :, c], "F").resize(size, Image.Resampling.BICUBIC)) for c in range(channels)]
    return np.stack(out, -1)


def _scene(palette_rng: np.random.Generator, layout_rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    w, h = size
    palette = palette_rng.integers(20, 236, (5, 3)).astype(np.float32)
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    img = palette[0] * (1 - t) + palette[1] * t + np.zeros((h, w, 3), np.float32)
    field = _upscale(layout_rng, tuple(int(c) for c in layout_rng.integers(2, 6, 2)), size, 3)
    img = img * 0.6 + field * 255 * 0.4
    texture = palette_rng.choice([8, 16, 32])
    img += (_upscale(layout_rng, (w // texture, h // texture), size, 1) - 0.5) * float(palette_rng.uniform(10, 40))
    canvas = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(canvas)
    for _ in range(int(layout_rng.integers(4, 11))):
        x, y = int(layout_rng.integers(-w // 5, w)), int(layout_rng.integers(-h // 5, h))
        bw, bh = int(layout_rng.integers(w // 10, w // 2)), int(layout_rng.integers(h // 10, h // 2))
        color = palette[int(layout_rng.integers(2, 5))] * layout_rng.uniform(0.6, 1.2)
        fill = tuple(int(c) for c in np.clip(color, 0, 255))
        kind = layout_rng.random()
        if kind < 0.4:
            draw.rectangle([x, y, x + bw, y + bh], fill=fill)
            if layout_rng.random() < 0.5:  # a window with bars
                draw.line([x + bw // 2, y, x + bw // 2, y + bh], fill=(40, 40, 40), width=max(2, w // 120))
        elif kind < 0.7:
            draw.ellipse([x, y, x + bw, y + bh], fill=fill)
        else:
            pts = [(int(x + layout_rng.integers(0, bw)), int(y + layout_rng.integers(0, bh))) for _ in range(5)]
            draw.polygon(pts, fill=fill)
    return np.asarray(canvas, np.float32)


def _person(draw: ImageDraw.ImageDraw, person: np.random.Generator, pose: np.random.Generator,
            size: tuple[int, int]) -> None:
    w, h = size
    skin = tuple(int(c) for c in person.integers([150, 100, 70], [245, 205, 180]))
    hair = tuple(int(c) for c in person.integers([10, 5, 0], [160, 120, 90]))
    eyes = tuple(int(c) for c in person.integers(20, 120, 3))
    face_ratio = float(person.uniform(1.15, 1.45))
    r = int(min(w, h) * pose.uniform(0.1, 0.2))
    cx, cy = int(w * pose.uniform(0.25, 0.75)), int(h * pose.uniform(0.28, 0.6))
    clothes = tuple(int(c) for c in pose.integers(0, 256, 3))
    draw.ellipse([cx - 2.6 * r, cy + 1.2 * r, cx + 2.6 * r, cy + 5 * r], fill=clothes)
    draw.rectangle([cx - 0.4 * r, cy + 0.8 * r, cx + 0.4 * r, cy + 1.6 * r], fill=skin)
    draw.ellipse([cx - 1.15 * r, cy - 1.25 * r * face_ratio, cx + 1.15 * r, cy + 0.4 * r], fill=hair)
    draw.ellipse([cx - r, cy - r * face_ratio, cx + r, cy + r * face_ratio * 0.9], fill=skin)
    e = max(2, r // 6)
    for dx in (-r * 0.42, r * 0.42):
        draw.ellipse([cx + dx - 1.6 * e, cy - e, cx + dx + 1.6 * e, cy + e], fill=(235, 235, 230))
        draw.ellipse([cx + dx - e * 0.8, cy - e * 0.8, cx + dx + e * 0.8, cy + e * 0.8], fill=eyes)
        draw.line([cx + dx - 2 * e, cy - 2.2 * e, cx + dx + 2 * e, cy - 2.4 * e], fill=hair, width=max(2, e // 2))
    draw.line([cx, cy, cx - e * 0.6, cy + 0.45 * r], fill=tuple(int(c * 0.8) for c in skin), width=max(1, e // 2))
    draw.line([cx - 0.35 * r, cy + 0.62 * r, cx + 0.35 * r, cy + 0.6 * r], fill=(150, 60, 60), width=max(2, e // 2))


def _finish(img: np.ndarray, light: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    w, h = size
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = light.uniform(0, 2 * np.pi)
    direction = (np.cos(angle) * (xs / w - 0.5) + np.sin(angle) * (ys / h - 0.5)) * light.uniform(0.1, 0.4)
    vignette = 1 - 0.35 * (((xs / w - 0.5) ** 2 + (ys / h - 0.5) ** 2) * 2)
    img = img * (1 + direction)[:, :, None] * vignette[:, :, None]
    img += light.normal(0, 3.0, (h, w, 1)).astype(np.float32)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")


def _draw(subject: int, shot: int, seed: int) -> Image.Image:
    size = _SHAPES[subject % len(_SHAPES)]
    scene = _scene(_rng(seed, "palette", subject), _rng(seed, "layout", subject, shot), size)
    canvas = Image.fromarray(np.clip(scene, 0, 255).astype(np.uint8), "RGB")
    _person(ImageDraw.Draw(canvas), _rng(seed, "person", subject), _rng(seed, "pose", subject, shot), size)
    return _finish(np.asarray(canvas, np.float32), _rng(seed, "light", subject, shot), size)


def original(subject: int, seed: int = 1) -> Image.Image:
    """The photo of `subject` that gets stolen."""
    return _draw(subject, 0, seed)


def same_subject(subject: int, shot: int, seed: int = 1) -> Image.Image:
    """Another photo (shot >= 1) of the same person in the same kind of place: not a copy."""
    return _draw(subject, shot, seed)


def _crop(img: Image.Image, keep: float, rng: np.random.Generator) -> Image.Image:
    w, h = img.size
    cw, ch = int(w * keep), int(h * keep)
    x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
    return img.crop((x, y, x + cw, y + ch))


def _overlay(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    img = img.copy()
    w, h = img.size
    draw = ImageDraw.Draw(img)
    bh = int(h * rng.uniform(0.06, 0.1))  # a caption band with "text"
    y = int(h - bh - rng.integers(0, h // 10))
    draw.rectangle([0, y, w, y + bh], fill=(255, 255, 255) if rng.random() < 0.5 else (0, 0, 0))
    for i in range(int(rng.integers(6, 14))):
        x = int(w * 0.05 + i * w * 0.065)
        draw.rectangle([x, y + bh // 4, x + int(w * 0.045), y + 3 * bh // 4], fill=(200, 30, 30))
    s = int(min(w, h) * rng.uniform(0.08, 0.14))  # a sticker
    sx, sy = int(rng.integers(0, w - s)), int(rng.integers(0, h // 3))
    draw.ellipse([sx, sy, sx + s, sy + s], fill=(250, 210, 40))
    return img


def copy(img: Image.Image, transform: str, rng_key: object, seed: int = 1) -> tuple[Image.Image, int]:
    """A stolen copy of `img` after `transform` (steps joined by '+'), and the JPEG quality to save it at."""
    rng = _rng(seed, "copy", rng_key, transform)
    quality = int(rng.integers(75, 92))
    for step in transform.split("+"):
        if step == "mirror":
            img = ImageOps.mirror(img)
        elif step == "rotate90":
            img = img.transpose([Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180,
                                 Image.Transpose.ROTATE_270][int(rng.integers(0, 3))])
        elif step == "rotate5":  # a small tilt, cropped to hide the corners
            w, h = img.size
            img = img.rotate(float(rng.choice([-1, 1]) * rng.uniform(3, 6)), Image.Resampling.BILINEAR)
            img = img.crop((int(w * 0.06), int(h * 0.06), int(w * 0.94), int(h * 0.94)))
        elif step in ("crop10", "crop20"):
            img = _crop(img, 0.9 if step == "crop10" else 0.8, rng)
        elif step == "filter":
            img = ImageEnhance.Color(img).enhance(float(rng.uniform(0.3, 1.6)))
            img = ImageEnhance.Contrast(img).enhance(float(rng.uniform(0.8, 1.35)))
            img = ImageEnhance.Brightness(img).enhance(float(rng.uniform(0.85, 1.15)))
            tint = np.array([1.1, 1.0, 0.85]) if rng.random() < 0.5 else np.array([0.9, 1.0, 1.12])
            img = Image.fromarray(np.clip(np.asarray(img) * tint, 0, 255).astype(np.uint8), "RGB")
        elif step == "grayscale":
            img = ImageOps.grayscale(img).convert("RGB")
        elif step == "blur":
            img = img.filter(ImageFilter.GaussianBlur(float(rng.uniform(1.5, 3.0))))
        elif step == "overlay":
            img = _overlay(img, rng)
        elif step == "recompress":
            quality = int(rng.integers(15, 35))
        elif step == "resize":
            f = float(rng.uniform(0.35, 0.6))
            img = img.resize((max(32, int(img.width * f)), max(32, int(img.height * f))), Image.Resampling.BILINEAR)
        else:
            raise ValueError(f"unknown transform step {step!r}")
    return img, quality


def jpeg(img: Image.Image, quality: int = 88) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()
