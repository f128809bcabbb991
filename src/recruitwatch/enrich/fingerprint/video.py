"""Exact file hashes (MD5, SHA-256: every file) and vPDQ video hashes (optional extra 'video').

MD5 and SHA-256 match only byte-identical files; they are what most shared hash
lists carry. vPDQ (Meta's video PDQ, the ``vpdq`` package that
python-threatexchange's video extension uses) hashes one frame per second with
PDQ; two videos match when at least 80% of the query's frames (quality >= 50)
lie within Hamming distance 31 of some frame of the other, as in
python-threatexchange. The ``vpdq`` package builds from source against Debian's
libavcodec-dev, libavformat-dev, libavutil-dev, libswscale-dev, libavdevice-dev
and libavfilter-dev (about a minute): ``pip install 'recruitwatch[video]'``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ...errors import InputError, MissingExtraError
from .image import HEX_LEN
from .media import FILE_TYPES, Fingerprint, SignalType

BLOCK = 1 << 20
SECONDS_PER_HASH = 1.0
QUALITY_MIN = 50
FRAME_DISTANCE = 31
QUERY_MATCH_PERCENT = 80.0


def file_digest(path: Path, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    try:
        with path.open("rb") as fh:
            while block := fh.read(BLOCK):
                digest.update(block)
    except OSError as exc:
        raise InputError(str(path), f"cannot read the file: {exc.strerror or exc}") from exc
    return digest.hexdigest()


class ExactIndex:
    """Exact lookups of normalised hex digests."""

    def __init__(self, values: Sequence[str]) -> None:
        self.positions: dict[str, list[int]] = {}
        for pos, value in enumerate(values):
            self.positions.setdefault(value.lower(), []).append(pos)

    def search(self, queries: Sequence[str]) -> list[tuple[int, float]]:
        found = {p for q in queries for p in self.positions.get(q.lower(), [])}
        return [(p, 0.0) for p in sorted(found)]


class ExactSignal(SignalType):
    """A cryptographic hash of the whole file: distance 0 (same bytes) or 1."""

    ALGORITHM: ClassVar[str]
    FILE_TYPES = frozenset(FILE_TYPES)
    THRESHOLD = 0.0
    MEASURE = "exact: 0 for the same bytes"

    @classmethod
    def compute(cls, path: Path) -> Fingerprint:
        return Fingerprint(file_digest(path, cls.ALGORITHM))

    @classmethod
    def validate(cls, value: str) -> str:
        value = value.strip().lower()
        length = hashlib.new(cls.ALGORITHM).digest_size * 2
        if len(value) != length:
            raise ValueError(f"{cls.NAME} has {length} hex digits, not {len(value)}")
        int(value, 16)
        return value

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        return 0.0 if a.lower() == b.lower() else 1.0

    @classmethod
    def index(cls, values: Sequence[str]) -> ExactIndex:
        return ExactIndex(values)


class Md5Signal(ExactSignal):
    NAME = "md5"
    VERSION = "1"
    ALGORITHM = "md5"
    DESCRIPTION = "MD5 of the file (exact copies; the hash most shared lists carry)"
    TX_NAME = "video_md5"
    TCAP_NAME = "MD5"


class Sha256Signal(ExactSignal):
    NAME = "sha256"
    VERSION = "1"
    ALGORITHM = "sha256"
    DESCRIPTION = "SHA-256 of the file (exact copies; the media item's identity)"
    TCAP_NAME = "SHA256"


@dataclass(frozen=True, slots=True)
class Frame:
    pdq: int
    quality: int
    timestamp: float


def _frame(text: str) -> Frame:
    pdq_hex, quality, timestamp = text.split(",")  # ValueError on a wrong count
    if len(pdq_hex) != HEX_LEN or not 0 <= int(quality) <= 100 or float(timestamp) < 0:
        raise ValueError(f"not a vPDQ frame: {text!r}")
    return Frame(int(pdq_hex, 16), int(quality), float(timestamp))


def parse_vpdq(value: str) -> list[Frame]:
    """python-threatexchange's serialisation: a JSON list of "pdq_hex,quality,timestamp"."""
    try:
        items = json.loads(value)
        return [_frame(str(item)) for item in items]
    except (json.JSONDecodeError, TypeError, ValueError) as exc:
        raise ValueError(f"not a vPDQ hash: {exc}") from exc


def _usable(frames: Iterable[Frame]) -> list[int]:
    return list(dict.fromkeys(f.pdq for f in frames if f.quality >= QUALITY_MIN))


def unmatched_percent(query: list[Frame], other: list[Frame]) -> float:
    """Share (percent) of the query's usable frames with no frame of ``other`` near them."""
    wanted, pool = _usable(query), _usable(other)
    if not wanted:
        return 100.0
    hits = sum(any((q ^ p).bit_count() <= FRAME_DISTANCE for p in pool) for q in wanted)
    return round(100.0 * (1 - hits / len(wanted)), 2)


def _hash_video(path: Path) -> list[Any]:
    try:
        import vpdq
    except ImportError as exc:
        raise MissingExtraError("video", "vpdq") from exc
    return list(vpdq.computeHash(str(path), seconds_per_hash=SECONDS_PER_HASH))


class VpdqSignal(SignalType):
    NAME = "vpdq"
    VERSION = "1"
    FILE_TYPES = frozenset({"video"})
    THRESHOLD = 100.0 - QUERY_MATCH_PERCENT
    MEASURE = "percent of the query's frames with no frame within PDQ distance 31"
    DESCRIPTION = "vPDQ video hash (PDQ per second); optional extra 'video'"
    TX_NAME = "vpdq"
    TCAP_NAME = "VPDQ"
    EXTRA = "video"

    @classmethod
    def unavailable(cls) -> str | None:
        if importlib.util.find_spec("vpdq") is None:
            return str(MissingExtraError("video", "vpdq"))
        return None

    @classmethod
    def compute(cls, path: Path) -> Fingerprint:
        features = _hash_video(path)
        if not features:
            raise InputError(str(path), "vPDQ found no decodable video frames")
        frames = [f"{f.hex},{f.quality},{round(f.timestamp, 3)}" for f in features]
        return Fingerprint(json.dumps(frames), {"frames": len(frames)})

    @classmethod
    def validate(cls, value: str) -> str:
        frames = parse_vpdq(value)
        if not frames:
            raise ValueError("a vPDQ hash with no frames")
        return json.dumps([f"{f.pdq:064x},{f.quality},{f.timestamp}" for f in frames])

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        return unmatched_percent(parse_vpdq(a), parse_vpdq(b))
