"""Chromaprint audio fingerprints (voice messages, songs, speeches), compared after alignment.

Audio is decoded by Debian's ffmpeg to 11,025 Hz mono 16-bit PCM (Chromaprint's
own rate; at most the first 120 s) and fingerprinted by the Chromaprint library
through pyacoustid's ctypes wrapper (``chromaprint.Fingerprinter``), the same
library backend as ``acoustid.fingerprint_file(path, force_fpcalc=False)``.
Decoding with ffmpeg ourselves, rather than through audioread, gives every
input the same resampler: audioread reads plain WAV files with Python's wave
module and hands 8 kHz audio to Chromaprint unresampled, which gave a different
(3-frame instead of 9-frame) fingerprint for an 8 kHz copy.

The stored value is Chromaprint's compressed base64 fingerprint (AcoustID's
form). Two fingerprints are compared by sliding one against the other (up to
MAX_OFFSET frames of ~0.124 s either way) and taking the best bit agreement over
the overlap; the distance is 1 - agreement. THRESHOLD was measured on generated
speech (docs/fingerprints.md): re-encoded copies 0.921-1.0, different speech
0.568-0.688; a copy matches when agreement >= 0.80. Overlaps shorter than
MIN_FRAMES never match: on the demo corpus two different ~3 s recordings that
began with the same word in the same voice agreed 0.87 over 11 frames.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ...errors import InputError
from .media import Fingerprint, NoContent, SignalType

SAMPLE_RATE = 11025
MAX_SECONDS = 120
MAX_OFFSET = 80  # frames (~10 s) a copy may be shifted (trimmed start, added intro)
MIN_FRAMES = 16  # shorter overlaps (under ~4.5 s of audio) never match: see below
MIN_OVERLAP = 0.5  # share of the shorter fingerprint that must overlap
AGREEMENT = 0.80

Frames = npt.NDArray[np.uint32]


@cache
def _library_problem() -> str | None:
    if shutil.which("ffmpeg") is None:
        return "ffmpeg is not installed (Debian package ffmpeg)"
    try:
        import chromaprint  # noqa: F401  (loads libchromaprint with ctypes)
    except ImportError as exc:
        return f"the Chromaprint library is missing (Debian package libchromaprint1): {exc}"
    return None


def _ffmpeg_args(path: Path) -> list[str]:
    rate, limit = str(SAMPLE_RATE), str(MAX_SECONDS)
    opts = f"-vn -ac 1 -ar {rate} -f s16le -".split()
    return ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-t", limit, *opts]


def decode_pcm(path: Path) -> bytes:
    """The first MAX_SECONDS of the file as 11,025 Hz mono s16le PCM (ffmpeg)."""
    done = subprocess.run(_ffmpeg_args(path), capture_output=True, check=False)
    if b"does not contain any stream" in done.stderr:
        raise NoContent(str(path), "no audio track")
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        raise InputError(str(path), f"ffmpeg could not decode the audio: {tail[0]}")
    return done.stdout


def fingerprint_pcm(pcm: bytes) -> str:
    import chromaprint

    fper = chromaprint.Fingerprinter()
    fper.start(SAMPLE_RATE, 1)
    fper.feed(pcm)
    return bytes(fper.finish()).decode("ascii")


def frames(value: str) -> Frames:
    """The raw 32-bit frames of a compressed fingerprint."""
    import chromaprint

    try:
        raw, _algorithm = chromaprint.decode_fingerprint(value.encode("ascii"))
    except (chromaprint.FingerprintError, UnicodeEncodeError, ValueError) as exc:
        raise ValueError(f"not a Chromaprint fingerprint: {exc}") from exc
    return np.array(raw, dtype=np.int64).astype(np.uint32)


def agreement(a: Frames, b: Frames) -> float:
    """Best share of equal bits over the overlap, sliding ``b`` against ``a``."""
    shorter = min(len(a), len(b))
    if shorter < MIN_FRAMES:
        return 0.0
    overlap_min = max(MIN_FRAMES, int(shorter * MIN_OVERLAP))
    best = 0.0
    for off in range(
        -min(MAX_OFFSET, len(b) - overlap_min), min(MAX_OFFSET, len(a) - overlap_min) + 1
    ):
        x, y = (a[off:], b) if off >= 0 else (a, b[-off:])
        n = min(len(x), len(y))
        differing = int(np.bitwise_count(x[:n] ^ y[:n]).sum())
        best = max(best, 1.0 - differing / (32 * n))
    return best


class ChromaprintIndex:
    def __init__(self, values: Sequence[str]) -> None:
        self.frames = [frames(v) for v in values]

    def search(self, queries: Sequence[str]) -> list[tuple[int, float]]:
        wanted = [frames(q) for q in queries]
        out = []
        for pos, stored in enumerate(self.frames):
            dist = 1.0 - max(agreement(q, stored) for q in wanted)
            if dist <= ChromaprintSignal.THRESHOLD:
                out.append((pos, round(dist, 4)))
        return out


class ChromaprintSignal(SignalType):
    NAME = "chromaprint"
    VERSION = "1"
    FILE_TYPES = frozenset({"audio", "video"})
    THRESHOLD = round(1.0 - AGREEMENT, 4)
    MEASURE = "1 - bit agreement of the raw fingerprints at the best alignment"
    DESCRIPTION = "Chromaprint (AcoustID) audio fingerprint; survives re-encoding, trimming, noise"
    TCAP_NAME = "CHROMAPRINT"

    @classmethod
    def unavailable(cls) -> str | None:
        return _library_problem()

    @classmethod
    def compute(cls, path: Path) -> Fingerprint:
        pcm = decode_pcm(path)
        if len(pcm) < 2 * SAMPLE_RATE:
            raise NoContent(str(path), "less than one second of audio")
        seconds = round(len(pcm) / 2 / SAMPLE_RATE, 2)
        return Fingerprint(fingerprint_pcm(pcm), {"seconds": seconds})

    @classmethod
    def validate(cls, value: str) -> str:
        value = value.strip()
        if not len(frames(value)):
            raise ValueError("an empty Chromaprint fingerprint")
        return value

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        return round(1.0 - agreement(frames(a), frames(b)), 4)

    @classmethod
    def index(cls, values: Sequence[str]) -> ChromaprintIndex:
        return ChromaprintIndex(values)
