"""The media library of the demo: about 65 small files, each described once.

``kind`` is the library's own kind; ``EXPORT_KIND`` maps it to how a Telegram export shows
it. Speech is espeak-ng reading a UDHR sentence of ``lang``; pictures and video are
abstract patterns (no text, no faces, no symbols).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AssetSpec:
    id: str
    kind: str  # photo png sticker voice audio video round animation pdf
    name: str  # file name inside the export (documents, audio, video) or a stem
    description: str
    lang: str | None = None  # variety spoken or written
    seconds: int = 0
    size: tuple[int, int] = (0, 0)
    pattern: str = ""
    derived_from: str | None = None
    month_from: int = 1  # first month (1 = Dec 2025) in which it may be posted


EXPORT_KIND = {
    "photo": "photo",
    "png": "document",
    "pdf": "document",
    "sticker": "sticker",
    "voice": "voice",
    "audio": "audio",
    "video": "video",
    "round": "video_message",
    "animation": "animation",
}

MIME = {
    "photo": "image/jpeg",
    "png": "image/png",
    "pdf": "application/pdf",
    "sticker": "image/webp",
    "voice": "audio/ogg",
    "audio": "audio/mpeg",
    "video": "video/mp4",
    "round": "video/mp4",
    "animation": "video/mp4",
}


def _photos() -> list[AssetSpec]:
    styles = [("poster", (512, 512))] * 6 + [("news", (800, 450))] * 4
    styles += [("family", (640, 480))] * 4 + [("poster", (480, 640))] * 2
    owners = ["Outlet A poster"] * 6 + ["news photo"] * 4 + ["family photo"] * 4
    owners += ["relay poster"] * 2
    return [
        AssetSpec(
            f"img{i:02d}",
            "photo",
            f"img{i:02d}",
            f"[synthetic] abstract {owners[i - 1]}",
            size=size,
            pattern=style,
        )
        for i, (style, size) in enumerate(styles, start=1)
    ]


def _documents() -> list[AssetSpec]:
    out = [
        AssetSpec(
            f"png{i:02d}",
            "png",
            f"synthetic_chart_{i:02d}.png",
            "[synthetic] bar chart of a research note",
            size=(600, 400),
            pattern="chart",
        )
        for i in range(1, 4)
    ]
    out.append(
        AssetSpec(
            "png04",
            "png",
            "synthetic_poster_04.png",
            "[synthetic] abstract Outlet A poster (PNG)",
            size=(600, 400),
            pattern="flat",
        )
    )
    out += [
        AssetSpec(
            f"pdf{i:02d}",
            "pdf",
            f"synthetic_booklet_{i:02d}.pdf",
            f"[synthetic] booklet {i} listed by Synthetic Outlet A",
            lang="en",
            pattern="booklet",
        )
        for i in range(1, 6)
    ]
    out += [
        AssetSpec(
            f"pdf{i:02d}",
            "pdf",
            f"synthetic_research_report_{i - 5:02d}.pdf",
            f"[synthetic] research report {i - 5}",
            lang="en",
            pattern="report",
        )
        for i in range(6, 9)
    ]
    out.append(
        AssetSpec(
            "pdf09",
            "pdf",
            "synthetic_press_digest.pdf",
            "[synthetic] press digest of a news desk",
            lang="en",
            pattern="digest",
        )
    )
    return out


def _sounds() -> list[AssetSpec]:
    voices = ["uz-Latn", "uz-Latn", "tg", "tg", "ky", "ky", "ru", "ur", "hi", "en"]
    out = [
        AssetSpec(
            f"voc{i:02d}",
            "voice",
            f"voc{i:02d}",
            f"[synthetic] voice note ({lang})",
            lang=lang,
            seconds=5 + i % 4,
            month_from=7 if lang == "ky" else 1,
        )
        for i, lang in enumerate(voices, start=1)
    ]
    songs = ["uz-Latn", "uz-Latn", "uz-Latn", "tg", "tg", "ky", "ky", "ur"]
    out += [
        AssetSpec(
            f"mp3{i:02d}",
            "audio",
            f"synthetic_series_part_{i:02d}.mp3",
            f"[synthetic] audio series part {i} ({lang}) by Demo Songwriter Q",
            lang=lang,
            seconds=6 + i % 3,
            month_from=7 if lang == "ky" else 1,
        )
        for i, lang in enumerate(songs, start=1)
    ]
    return out


def _videos() -> list[AssetSpec]:
    patterns = ["testsrc2", "mandelbrot", "spectrum", "sierpinski", "cellauto", "testsrc2"]
    sizes = [(400, 300), (480, 360), (320, 240), (320, 240), (320, 240), (480, 272)]
    langs = ["uz-Latn", "tg", "uz-Latn", "ru", "tg", "en"]
    out = [
        AssetSpec(
            f"vid{i:02d}",
            "video",
            f"synthetic_video_{i:02d}.mp4",
            f"[synthetic] abstract video {i} ({pattern})",
            lang=lang,
            seconds=4 + i % 2,
            size=size,
            pattern=pattern,
            month_from=7 if lang == "ky" else 1,
        )
        for i, (pattern, size, lang) in enumerate(zip(patterns, sizes, langs, strict=True), 1)
    ]
    out += [
        AssetSpec(
            f"rnd{i:02d}",
            "round",
            f"rnd{i:02d}",
            f"[synthetic] round video {i}",
            lang=lang,
            seconds=4,
            size=(320, 320),
            pattern=pattern,
            month_from=7 if lang == "ky" else 1,
        )
        for i, (pattern, lang) in enumerate(
            [("mandelbrot", "uz-Latn"), ("spectrum", "ky"), ("testsrc2", "ru")], 1
        )
    ]
    out += [
        AssetSpec(
            f"gif{i:02d}",
            "animation",
            f"synthetic_animation_{i:02d}.gif.mp4",
            f"[synthetic] silent animation {i}",
            seconds=3,
            size=(320, 240),
            pattern=pattern,
        )
        for i, pattern in enumerate(["life", "cellauto", "sierpinski"], 1)
    ]
    return out


def _stickers() -> list[AssetSpec]:
    return [
        AssetSpec(
            f"stk{i:02d}",
            "sticker",
            "sticker.webp",
            f"[synthetic] abstract sticker {i}",
            size=(512, 512),
            pattern="sticker",
        )
        for i in range(1, 4)
    ]


def _derived() -> list[AssetSpec]:
    return [
        AssetSpec(
            "img01s",
            "photo",
            "img01s",
            "[synthetic] img01 resized to 75% and recompressed",
            size=(384, 384),
            derived_from="img01",
        ),
        AssetSpec(
            "voc01m",
            "audio",
            "synthetic_voice_copy_01.mp3",
            "[synthetic] voc01 (Opus voice) transcoded to MP3",
            lang="uz-Latn",
            seconds=6,
            derived_from="voc01",
        ),
        AssetSpec(
            "vid01s",
            "video",
            "synthetic_video_01_small.mp4",
            "[synthetic] vid01 downscaled to 320x240 and re-encoded",
            lang="uz-Latn",
            seconds=5,
            size=(320, 240),
            derived_from="vid01",
        ),
    ]


def all_specs() -> list[AssetSpec]:
    return _photos() + _documents() + _sounds() + _videos() + _stickers() + _derived()


SPECS = {spec.id: spec for spec in all_specs()}
