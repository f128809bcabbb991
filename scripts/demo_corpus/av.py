"""Speech (espeak-ng) and encoding (ffmpeg) with bit-exact flags.

Media bytes may still differ between ffmpeg/espeak-ng/x264 versions: the committed
output is the canonical corpus.
"""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

ESPEAK_VOICE = {
    "uz-Latn": "uz", "tg": "ru", "ky": "ky", "ru": "ru", "ur": "ur", "hi": "hi", "en": "en-us",
}  # fmt: skip

BITEXACT = shlex.split("-map_metadata -1 -fflags +bitexact -flags:v +bitexact -flags:a +bitexact")
FFMPEG = shlex.split("ffmpeg -hide_banner -loglevel error -nostdin -y -threads 1")
X264 = shlex.split(
    "-c:v libx264 -preset veryfast -pix_fmt yuv420p -threads 1 -g 30 "
    "-bsf:v filter_units=remove_types=6 -movflags +faststart"
)
OPUS_VOICE = shlex.split("-ac 1 -ar 48000 -c:a libopus -b:a 16k -application voip")
MP3 = shlex.split("-ac 1 -c:a libmp3lame -b:a 24k -id3v2_version 0 -write_xing 0")
AAC = shlex.split("-c:a aac -b:a 24k -ac 1 -ar 22050")

SOURCES = {
    "testsrc2": "testsrc2=size={w}x{h}:rate=10",
    "mandelbrot": "mandelbrot=size={w}x{h}:rate=10:start_scale={scale}",
    "spectrum": "colorspectrum=size={w}x{h}:rate=10:type=all,scroll=horizontal=0.02:vertical=0.01",
    "sierpinski": "sierpinski=size={w}x{h}:rate=10:seed={seed}",
    "cellauto": "cellauto=size={qw}x{qh}:rate=10:rule={rule}:random_seed={seed},"
    "scale={w}:{h}:flags=neighbor",
    "life": "life=size={qw}x{qh}:rate=10:random_seed={seed}:mold=10:ratio=0.1,"
    "scale={w}:{h}:flags=neighbor",
}


def run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"command failed: {' '.join(cmd)}\n{done.stderr}")


def speech(text: str, variety: str, out: Path) -> Path:
    """espeak-ng reading ``text`` with the voice for ``variety`` (Tajik: the Russian voice)."""
    run(["espeak-ng", "-v", ESPEAK_VOICE[variety], "-s", "150", "-w", str(out), text])
    return out


def _pad(seconds: int) -> list[str]:
    return ["-af", f"apad=whole_dur={seconds}", "-t", str(seconds)]


def opus_voice(wav: Path, seconds: int, out: Path) -> None:
    run([*FFMPEG, "-i", str(wav), *_pad(seconds), *OPUS_VOICE, *BITEXACT, str(out)])


def mp3_song(wav: Path, seconds: int, tone_hz: int, out: Path) -> None:
    """Speech over a quiet tone, MP3 mono 24 kbit/s, no ID3 tag."""
    graph = (
        f"[0:a]aresample=22050,apad=whole_dur={seconds}[s];"
        f"sine=frequency={tone_hz}:sample_rate=22050:duration={seconds}[t];"
        "[s][t]amix=inputs=2:weights=1 0.15:normalize=0[m]"
    )
    cmd = [*FFMPEG, "-i", str(wav), "-filter_complex", graph, "-map", "[m]"]
    run([*cmd, "-t", str(seconds), *MP3, *BITEXACT, str(out)])


def transcode_mp3(src: Path, seconds: int, out: Path) -> None:
    run([*FFMPEG, "-i", str(src), "-t", str(seconds), "-ar", "22050", *MP3, *BITEXACT, str(out)])


def lavfi_source(pattern: str, size: tuple[int, int], seed: int) -> str:
    w, h = size
    rule, scale = [30, 90, 110, 150][seed % 4], [3, 2, 1.5, 2.5][seed % 4]
    fields = {"w": w, "h": h, "qw": w // 4, "qh": h // 4, "seed": seed}
    return SOURCES[pattern].format(**fields, rule=rule, scale=scale)


def video(
    pattern: str, size: tuple[int, int], seconds: int, seed: int, wav: Path | None, out: Path
) -> None:
    """An H.264 MP4 of a moving test pattern; AAC speech when ``wav`` is given."""
    cmd = [*FFMPEG, "-f", "lavfi", "-i", lavfi_source(pattern, size, seed)]
    audio = ["-an"] if wav is None else ["-i", str(wav), *_pad(seconds), *AAC]
    run([*cmd, *audio, "-t", str(seconds), *X264, "-crf", "40", *BITEXACT, str(out)])


def downscale(src: Path, size: tuple[int, int], out: Path) -> None:
    scale = ["-vf", f"scale={size[0]}:{size[1]}"]
    run([*FFMPEG, "-i", str(src), *scale, *X264, "-crf", "42", *AAC, *BITEXACT, str(out)])


def probe(path: Path) -> dict[str, object]:
    """ffprobe's view of a file: its streams and format (raises when it cannot decode)."""
    cmd = ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format"]
    done = subprocess.run([*cmd, str(path)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"ffprobe cannot read {path}: {done.stderr}")
    result: dict[str, object] = json.loads(done.stdout)
    return result
