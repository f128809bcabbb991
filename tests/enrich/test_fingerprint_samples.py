"""[synthetic] media for the fingerprint tests (Pillow, espeak-ng, sox, ffmpeg, a PDF writer).

Other fingerprint tests import the makers from here; the tests below check that
each maker produces the file type it claims. Everything is made in tmp_path
from neutral, invented content: nothing is copied from real material.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from recruitwatch.enrich.fingerprint.media import file_type

TOOLS = ("ffmpeg", "espeak-ng", "sox")
needs_tools = pytest.mark.skipif(
    any(shutil.which(t) is None for t in TOOLS),
    reason="needs Debian's ffmpeg, espeak-ng and sox (scripts/setup --dev installs them)",
)

# Neutral sentences: weather, schools, libraries, markets. Never real material.
SENTENCES = (
    (
        "en",
        "The weather report for the northern valleys says light rain is expected tomorrow "
        "afternoon, with clear skies returning on the weekend.",
    ),
    (
        "en-us",
        "Everyone has the right to education, and the new school building opens its "
        "library to the whole district every morning.",
    ),
    (
        "ru",
        "Все люди рождаются свободными и равными в своем достоинстве и правах, "
        "и городская библиотека открыта каждый день.",
    ),
    (
        "de",
        "Der Wochenmarkt auf dem Platz beginnt um acht Uhr, und die Bäckerei verkauft "
        "frisches Brot bis zum Mittag.",
    ),
    ("fa", "تمام افراد بشر آزاد به دنیا می‌آیند و از لحاظ حیثیت و حقوق با هم برابرند."),
    ("uz", "Barcha odamlar erkin, qadr-qimmat va huquqlarda teng bo'lib tug'iladilar."),
)

WORDS = [
    "river",
    "library",
    "school",
    "market",
    "bridge",
    "harvest",
    "winter",
    "teacher",
    "bakery",
    "garden",
    "museum",
    "valley",
    "railway",
    "station",
    "festival",
    "weather",
    "village",
    "orchard",
    "mountain",
    "lesson",
    "notebook",
    "bicycle",
    "lantern",
    "meadow",
    "ferry",
    "workshop",
    "pottery",
    "carpet",
    "melon",
    "apricot",
    "kettle",
]


def run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)


# --- images -----------------------------------------------------------------------------------


def make_image(path: Path, seed: int, size: tuple[int, int] = (480, 360)) -> Path:
    """A picture of random coloured shapes on a gradient (structure for PDQ)."""
    rng = np.random.default_rng(seed)
    w, h = size
    ramp = np.linspace(0, 255, w, dtype=np.float64)[None, :, None]
    base = (ramp * rng.random(3)[None, None, :] + rng.integers(0, 60, 3)).clip(0, 255)
    img = Image.fromarray(np.repeat(base, h, axis=0).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    for _ in range(14):
        x0, y0 = int(rng.integers(0, w - 20)), int(rng.integers(0, h - 20))
        box = (x0, y0, x0 + int(rng.integers(20, w // 2)), y0 + int(rng.integers(20, h // 2)))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    img.save(path)
    return path


def recompress(src: Path, dst: Path, quality: int = 30, scale: float = 1.0) -> Path:
    with Image.open(src) as img:
        size = (int(img.width * scale), int(img.height * scale))
        img.convert("RGB").resize(size).save(dst, "JPEG", quality=quality)
    return dst


def letterbox(src: Path, dst: Path, bar: int = 60) -> Path:
    with Image.open(src) as img:
        canvas = Image.new("RGB", (img.width, img.height + 2 * bar), (0, 0, 0))
        canvas.paste(img.convert("RGB"), (0, bar))
        canvas.save(dst)
    return dst


def transform(src: Path, dst: Path, op: Image.Transpose) -> Path:
    with Image.open(src) as img:
        img.transpose(op).save(dst)
    return dst


def caption(src: Path, dst: Path) -> Path:
    """A short white caption with a dark outline written over the bottom of the picture."""
    with Image.open(src) as img:
        out = img.convert("RGB")
        font = ImageFont.load_default(size=14)
        ImageDraw.Draw(out).text(
            (10, out.height - 24),
            "[synthetic] caption text",
            font=font,
            fill=(255, 255, 255),
            stroke_width=2,
            stroke_fill=(0, 0, 0),
        )
        out.save(dst)
    return dst


# --- audio and video --------------------------------------------------------------------------


def make_speech(path: Path, index: int) -> Path:
    """About 10-15 s of generated speech: sentence ``index`` said twice around another one."""
    voice, text = SENTENCES[index % len(SENTENCES)]
    other = SENTENCES[(index + 3) % len(SENTENCES)][1]
    run("espeak-ng", "-v", voice, "-w", str(path), f"{text} {other} {text}")
    return path


def audio_copies(src: Path, out: Path) -> dict[str, Path]:
    """Copies: MP3, Opus 16 kbps mono 48 kHz (Telegram voice), 8 kHz, 1 s trimmed, noise."""
    stem = out / src.stem
    copies = {
        "mp3": stem.with_suffix(".mp3"),
        "opus16": stem.with_suffix(".ogg"),
        "8k": Path(f"{stem}_8k.wav"),
        "trim1s": Path(f"{stem}_trim.wav"),
        "noise": Path(f"{stem}_noise.wav"),
    }
    quiet = ("ffmpeg", "-y", "-nostdin", "-v", "error", "-i", str(src))
    run(*quiet, "-b:a", "64k", str(copies["mp3"]))
    run(*quiet, "-ac", "1", "-ar", "48000", "-c:a", "libopus", "-b:a", "16k", str(copies["opus16"]))
    run("sox", str(src), "-r", "8000", str(copies["8k"]))
    run("sox", str(src), str(copies["trim1s"]), "trim", "1")
    noise = Path(f"{stem}_white.wav")
    run("sox", str(src), str(noise), "synth", "whitenoise", "vol", "0.03")
    run("sox", "-m", str(src), str(noise), str(copies["noise"]))
    return copies


def make_video(
    path: Path,
    pattern: str = "testsrc2",
    size: str = "320x240",
    seconds: int = 4,
    audio: Path | None = None,
) -> Path:
    """A test-pattern video (ffmpeg lavfi), with ``audio`` as its sound track if given."""
    args = [
        "ffmpeg",
        "-y",
        "-nostdin",
        "-v",
        "error",
        "-f",
        "lavfi",
        "-i",
        f"{pattern}=size={size}:rate=15",
    ]
    if audio is not None:
        args += ["-i", str(audio), "-c:a", "aac"]
    run(*args, "-t", str(seconds), "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path))
    return path


def downscale(src: Path, dst: Path, width: int = 240) -> Path:
    run(
        "ffmpeg",
        "-y",
        "-nostdin",
        "-v",
        "error",
        "-i",
        str(src),
        "-vf",
        f"scale={width}:-2",
        "-c:v",
        "libx264",
        "-crf",
        "30",
        "-pix_fmt",
        "yuv420p",
        str(dst),
    )
    return dst


# --- documents --------------------------------------------------------------------------------


def document_lines(seed: int, count: int = 40) -> list[str]:
    """[synthetic] neutral text: lines of words drawn from WORDS."""
    rng = np.random.default_rng(seed)
    lines = [f"[synthetic] booklet {seed}"]
    for _ in range(count):
        lines.append(" ".join(WORDS[int(i)] for i in rng.integers(0, len(WORDS), 9)))
    return lines


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(path: Path, lines: list[str], per_page: int = 25) -> Path:
    """A small PDF (Helvetica text, ASCII) written by hand, ``per_page`` lines a page."""
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)]
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    kids = []
    for page in pages:
        body = " ".join(f"({_pdf_escape(line)}) Tj T*" for line in page)
        stream = f"BT /F1 10 Tf 14 TL 50 800 Td {body} ET"
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
            f"<< /Font << /F1 3 0 R >> >> /Contents {len(objects)} 0 R >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{obj}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    path.write_bytes(bytes(out))
    return path


def make_docx(path: Path, lines: list[str]) -> Path:
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in lines)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr(
            "word/document.xml", f'<w:document xmlns:w="{ns}"><w:body>{body}</w:body></w:document>'
        )
    return path


def make_epub(path: Path, lines: list[str], chapters: int = 2) -> Path:
    size = -(-len(lines) // chapters)
    parts = [lines[i : i + size] for i in range(0, len(lines), size)]
    items = "".join(
        f'<item id="c{n}" href="text/c{n}.xhtml" media-type="application/xhtml+xml"/>'
        for n in range(len(parts))
    )
    spine = "".join(f'<itemref idref="c{n}"/>' for n in range(len(parts)))
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/epub+zip")
        zf.writestr(
            "META-INF/container.xml",
            '<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
            '<rootfiles><rootfile full-path="OEBPS/book.opf"/></rootfiles></container>',
        )
        zf.writestr(
            "OEBPS/book.opf",
            f'<package xmlns="http://www.idpf.org/2007/opf"><manifest>{items}</manifest>'
            f"<spine>{spine}</spine></package>",
        )
        for n, part in enumerate(parts):
            paras = "".join(f"<p>{line}</p>" for line in part)
            zf.writestr(
                f"OEBPS/text/c{n}.xhtml",
                f'<html xmlns="http://www.w3.org/1999/xhtml"><body>{paras}</body></html>',
            )
    return path


# --- the makers make what they claim ----------------------------------------------------------


def test_image_and_document_makers(tmp_path: Path) -> None:
    lines = document_lines(1)
    assert file_type(make_image(tmp_path / "a.png", 1)) == "image"
    assert file_type(recompress(tmp_path / "a.png", tmp_path / "a.jpg")) == "image"
    assert file_type(make_pdf(tmp_path / "a.pdf", lines)) == "document"
    assert file_type(make_docx(tmp_path / "a.docx", lines)) == "document"
    assert file_type(make_epub(tmp_path / "a.epub", lines)) == "document"


@needs_tools
def test_audio_and_video_makers(tmp_path: Path) -> None:
    speech = make_speech(tmp_path / "s.wav", 0)
    assert file_type(speech) == "audio"
    assert {file_type(p) for p in audio_copies(speech, tmp_path).values()} == {"audio"}
    assert file_type(make_video(tmp_path / "v.mp4", seconds=1)) == "video"
