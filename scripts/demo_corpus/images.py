"""Abstract pictures drawn with Pillow: posters, 'news' scenes, 'family' snapshots, charts,
stickers. No text except the '[synthetic]' label on charts; no faces or symbols."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFont

Color = tuple[int, int, int]


def _color(rng: random.Random, lo: int = 30, hi: int = 230) -> Color:
    return (rng.randint(lo, hi), rng.randint(lo, hi), rng.randint(lo, hi))


def _texture(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A smooth colour field: a coarse random grid scaled up bicubically."""
    grid = (max(2, size[0] // 80), max(2, size[1] // 80))
    small = Image.frombytes("RGB", grid, rng.randbytes(grid[0] * grid[1] * 3))
    return small.resize(size, Image.Resampling.BICUBIC)


def _shapes(draw: ImageDraw.ImageDraw, rng: random.Random, size: tuple[int, int], n: int) -> None:
    w, h = size
    for _ in range(n):
        x0, y0 = rng.randrange(w), rng.randrange(h)
        x1, y1 = x0 + rng.randint(20, w // 2), y0 + rng.randint(20, h // 2)
        box = (x0, y0, x1, y1)
        if rng.random() < 0.5:
            draw.ellipse(box, fill=_color(rng), outline=_color(rng, 0, 80), width=3)
        else:
            draw.rectangle(box, fill=_color(rng), outline=_color(rng, 0, 80), width=3)


def _scene(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """Sky, ground and blocky buildings: a 'news photo' stand-in."""
    w, h = size
    img = _texture(rng, size)
    draw = ImageDraw.Draw(img)
    horizon = rng.randint(h // 2, 3 * h // 4)
    draw.rectangle((0, horizon, w, h), fill=_color(rng, 60, 140))
    x = 0
    while x < w:
        bw, bh = rng.randint(30, 90), rng.randint(40, horizon - 20)
        draw.rectangle((x, horizon - bh, x + bw, horizon), fill=_color(rng, 80, 200))
        x += bw + rng.randint(5, 30)
    return img


def picture(style: str, size: tuple[int, int], rng: random.Random) -> Image.Image:
    if style == "news":
        return _scene(rng, size)
    img = _texture(rng, size)
    _shapes(ImageDraw.Draw(img), rng, size, 14 if style == "poster" else 6)
    return img


def flat(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """Flat colour shapes on a plain background (compresses well as PNG)."""
    img = Image.new("RGB", size, _color(rng, 180, 250))
    _shapes(ImageDraw.Draw(img), rng, size, 10)
    return img


def jpeg(img: Image.Image, quality: int = 68) -> bytes:
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=quality, optimize=False, progressive=False)
    return out.getvalue()


def png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG", optimize=False, compress_level=9)
    return out.getvalue()


def chart(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A labelled bar chart ('[synthetic]'), twelve monthly bars."""
    w, h = size
    img = Image.new("RGB", size, (250, 250, 250))
    draw = ImageDraw.Draw(img)
    draw.line((40, h - 40, w - 20, h - 40), fill=(0, 0, 0), width=2)
    draw.line((40, 20, 40, h - 40), fill=(0, 0, 0), width=2)
    bar = (w - 80) // 12
    for i in range(12):
        top = rng.randint(40, h - 60)
        draw.rectangle((48 + i * bar, top, 40 + (i + 1) * bar, h - 42), fill=_color(rng, 40, 180))
    draw.text((50, 8), "[synthetic] monthly posts", fill=(0, 0, 0), font=ImageFont.load_default())
    return img


def sticker(rng: random.Random, size: tuple[int, int]) -> bytes:
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    margin = rng.randint(20, 60)
    draw.ellipse((margin, margin, size[0] - margin, size[1] - margin), fill=(*_color(rng), 255))
    for _ in range(3):
        x, y, r = rng.randint(120, 390), rng.randint(120, 390), rng.randint(20, 60)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(*_color(rng), 255))
    out = io.BytesIO()
    img.save(out, "WEBP", quality=70, method=4)
    return out.getvalue()


def resized_copy(data: bytes, size: tuple[int, int], quality: int) -> bytes:
    """A near-duplicate: the same picture scaled and recompressed (different SHA-256)."""
    img = Image.open(io.BytesIO(data))
    return jpeg(img.resize(size, Image.Resampling.LANCZOS), quality)
