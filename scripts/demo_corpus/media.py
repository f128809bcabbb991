"""Build the media library: one file per AssetSpec, plus its metadata.

``build_one`` encodes a file (Pillow, espeak-ng, ffmpeg); ``reuse_one`` takes the bytes
from an existing corpus instead (the committed output is canonical), so the JSON can be
regenerated and compared without re-encoding and without Pillow or ffmpeg.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

from . import av
from .assets import MIME, AssetSpec
from .pdf import make_pdf
from .udhr import Sentence

EXT = {
    "photo": "jpg",
    "png": "png",
    "pdf": "pdf",
    "sticker": "webp",
    "voice": "ogg",
    "audio": "mp3",
    "video": "mp4",
    "round": "mp4",
    "animation": "mp4",
}
SPOKEN = {"voice", "audio", "video", "round"}


@dataclass(frozen=True, slots=True)
class Built:
    spec: AssetSpec
    path: Path
    sha256: str
    size: int
    speech: Sentence | None

    @property
    def mime(self) -> str:
        return MIME[self.spec.kind]


def speech_for(
    spec: AssetSpec, sentences: dict[str, list[Sentence]], rng: random.Random
) -> Sentence | None:
    """A short UDHR sentence in the asset's language (derived assets reuse their source's)."""
    if spec.kind not in SPOKEN or spec.lang is None or spec.derived_from:
        return None
    short = [s for s in sentences[spec.lang] if len(s.text) <= 110] or sentences[spec.lang]
    return rng.choice(short)


def _pdf_lines(spec: AssetSpec, body: list[Sentence]) -> list[list[str]]:
    head = [
        f"[synthetic] {spec.description}",
        "",
        "A synthetic stand-in document of the recruitwatch demo corpus.",
        "It contains no real material. Its body reuses sentences of the Universal",
        "Declaration of Human Rights (public text, eric-muller/udhr).",
        "",
    ]
    if spec.pattern != "booklet":
        head += [
            "Outlets named: Synthetic Outlet A, Demo Media Foundation B.",
            "Places named: Tashkent, Dushanbe, Bishkek, Fergana Valley, Khorasan.",
            "",
        ]
    lines = [line for s in body for line in [*textwrap.wrap(s.text, 88), ""]]
    return [head + lines[:30], lines[30:60] or ["[synthetic] end of document"]]


def _picture(spec: AssetSpec, rng: random.Random) -> bytes:
    from . import images  # Pillow: only needed for a full build

    if spec.kind == "sticker":
        return images.sticker(rng, spec.size)
    if spec.pattern == "chart":
        return images.png(images.chart(rng, spec.size))
    if spec.pattern == "flat":
        return images.png(images.flat(rng, spec.size))
    img = images.picture(spec.pattern, spec.size, rng)
    return images.png(img) if spec.kind == "png" else images.jpeg(img)


def _encode_av(spec: AssetSpec, speech: Sentence | None, seed: int, work: Path, out: Path) -> None:
    wav = av.speech(speech.text, spec.lang or "en", work / f"{spec.id}.wav") if speech else None
    if spec.kind == "voice" and wav:
        av.opus_voice(wav, spec.seconds, out)
    elif spec.kind == "audio" and wav:
        av.mp3_song(wav, spec.seconds, 180 + 20 * (seed % 7), out)
    else:
        av.video(spec.pattern, spec.size, spec.seconds, seed, wav, out)


def _derive(spec: AssetSpec, source: Built, out: Path) -> None:
    from . import images

    if spec.kind == "photo":
        out.write_bytes(images.resized_copy(source.path.read_bytes(), spec.size, 70))
    elif spec.kind == "audio":
        av.transcode_mp3(source.path, spec.seconds, out)
    else:
        av.downscale(source.path, spec.size, out)


def _finish(spec: AssetSpec, path: Path, speech: Sentence | None) -> Built:
    data = path.read_bytes()
    return Built(spec, path, hashlib.sha256(data).hexdigest(), len(data), speech)


def build_one(
    spec: AssetSpec,
    speech: Sentence | None,
    body: list[Sentence],
    seed: int,
    work: Path,
    done: dict[str, Built],
) -> Built:
    out = work / f"{spec.id}.{EXT[spec.kind]}"
    rng = random.Random(f"{seed}:asset:{spec.id}")
    if spec.derived_from:
        _derive(spec, done[spec.derived_from], out)
    elif spec.kind == "pdf":
        out.write_bytes(make_pdf(_pdf_lines(spec, body), f"[synthetic] {spec.description}"))
    elif spec.kind in ("photo", "png", "sticker"):
        out.write_bytes(_picture(spec, rng))
    else:
        _encode_av(spec, speech, rng.randrange(1000), work, out)
    return _finish(spec, out, speech)


def reuse_one(spec: AssetSpec, speech: Sentence | None, source: Path, work: Path) -> Built:
    out = work / f"{spec.id}.{EXT[spec.kind]}"
    shutil.copyfile(source, out)
    return _finish(spec, out, speech)
