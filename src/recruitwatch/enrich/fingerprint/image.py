"""PDQ image hashes (pdqhash, Meta's reference C++), with dihedral variants and unletterboxing.

The stored hash is PDQ of the image as it is (the hash other tools and shared
lists hold): 256 bits as 64 hex digits, bit 0 first, as python-threatexchange
writes it. When the image has black bars, the PDQ of the image without them is
kept as ``unletterboxed`` beside it. A file being matched is searched with the
8 dihedral variants (rotations, mirrors) of itself and of its unletterboxed
form, so a rotated, mirrored or letterboxed copy still matches.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ...errors import InputError
from .media import Fingerprint, SignalType

HEX_LEN = 64
BLACK = 24  # a row or column whose brightest pixel is at most this is part of a bar
MIN_KEEP = 0.3  # never crop to less than this share of a side
CHUNK = 1 << 16  # stored hashes compared per numpy step (bounds memory to ~35 MB)

Image = npt.NDArray[np.uint8]


def load_rgb(path: Path) -> Image:
    """The image (first frame) as an RGB array; InputError when Pillow cannot read it."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        with PILImage.open(path) as img:
            return np.asarray(img.convert("RGB"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InputError(str(path), f"not a readable image: {exc}") from exc


def _bar_edges(bright: npt.NDArray[np.uint8]) -> tuple[int, int]:
    content = np.flatnonzero(bright > BLACK)
    if not len(content):
        return 0, len(bright)
    return int(content[0]), int(content[-1]) + 1


def unletterbox(img: Image) -> Image | None:
    """The image without black bars (top/bottom/left/right); None when it has none."""
    gray = img.max(axis=2)
    top, bottom = _bar_edges(gray.max(axis=1))
    left, right = _bar_edges(gray.max(axis=0))
    height, width = gray.shape
    if (top, bottom, left, right) == (0, height, 0, width):
        return None
    if bottom - top < MIN_KEEP * height or right - left < MIN_KEEP * width:
        return None
    return img[top:bottom, left:right]


def bits_to_hex(bits: npt.NDArray[np.integer]) -> str:
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


def hex_to_words(values: Sequence[str]) -> npt.NDArray[np.uint64]:
    """Hashes as an (n, 4) array of 64-bit words (for vectorised Hamming distances)."""
    raw = b"".join(bytes.fromhex(v) for v in values)
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64).reshape(len(values), 4)


def hash_image(img: Image) -> tuple[str, int]:
    import pdqhash

    bits, quality = pdqhash.compute(img)
    return bits_to_hex(bits), int(quality)


def dihedral(img: Image) -> list[str]:
    import pdqhash

    hashes, _qualities = pdqhash.compute_dihedral(img)
    return [bits_to_hex(h) for h in hashes]


class PdqIndex:
    """Linear scan over packed 256-bit hashes with numpy (fine up to ~1M hashes)."""

    def __init__(self, values: Sequence[str]) -> None:
        self.words = hex_to_words(values) if values else np.empty((0, 4), dtype=np.uint64)

    def _chunks(self) -> Iterator[tuple[int, npt.NDArray[np.uint64]]]:
        for start in range(0, len(self.words), CHUNK):
            yield start, self.words[start : start + CHUNK]

    def search(self, queries: Sequence[str]) -> list[tuple[int, float]]:
        q = hex_to_words(queries)[:, None, :]
        out: list[tuple[int, float]] = []
        for start, chunk in self._chunks():
            dist = np.bitwise_count(q ^ chunk[None, :, :]).sum(axis=2).min(axis=0)
            hits = np.flatnonzero(dist <= PdqSignal.THRESHOLD)
            out.extend((start + int(i), float(dist[i])) for i in hits)
        return out


class PdqSignal(SignalType):
    NAME = "pdq"
    VERSION = "1"
    FILE_TYPES = frozenset({"image"})
    THRESHOLD = 31.0  # python-threatexchange's PDQ match threshold
    MEASURE = "Hamming distance of 256 bits (dihedral variants: smallest)"
    DESCRIPTION = "PDQ perceptual image hash (Meta); survives recompression, resizing, captions"
    TX_NAME = "pdq"
    TCAP_NAME = "PDQ"

    @classmethod
    def compute(cls, path: Path) -> Fingerprint:
        img = load_rgb(path)
        value, quality = hash_image(img)
        extra: dict[str, object] = {"quality": quality}
        inner = unletterbox(img)
        if inner is not None:
            extra["unletterboxed"] = hash_image(inner)[0]
        return Fingerprint(value, extra)

    @classmethod
    def query_values(cls, path: Path) -> list[str]:
        img = load_rgb(path)
        inner = unletterbox(img)
        variants = dihedral(img) + (dihedral(inner) if inner is not None else [])
        return list(dict.fromkeys(variants))

    @classmethod
    def stored_values(cls, value: str, extra: Mapping[str, Any]) -> list[str]:
        inner = extra.get("unletterboxed")
        return [value, str(inner)] if inner else [value]

    @classmethod
    def validate(cls, value: str) -> str:
        value = value.strip().lower()
        if len(value) != HEX_LEN:
            raise ValueError(f"a PDQ hash has {HEX_LEN} hex digits, not {len(value)}")
        int(value, 16)
        return value

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        return float((int(a, 16) ^ int(b, 16)).bit_count())

    @classmethod
    def index(cls, values: Sequence[str]) -> PdqIndex:
        return PdqIndex(values)
