"""Checks that every generated file is real and decodable, and the size stays small."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pypdf
from PIL import Image

from . import av

MAX_BYTES = 20 * 1024 * 1024


def _streams(path: Path) -> list[dict[str, Any]]:
    info = av.probe(path)
    streams = info.get("streams")
    assert isinstance(streams, list)
    return streams


def _check_av(path: Path) -> None:
    streams = _streams(path)
    if not streams:
        raise SystemExit(f"{path}: no streams")
    for stream in streams:
        small = stream.get("width", 0) < 320 or stream.get("height", 0) < 240
        if stream.get("codec_type") == "video" and small:
            raise SystemExit(f"{path}: video smaller than 320x240")
    if "animation" in path.name and any(s.get("codec_type") == "audio" for s in streams):
        raise SystemExit(f"{path}: an animation must have no audio")


def _check_pdf(path: Path) -> None:
    text = "".join(page.extract_text() for page in pypdf.PdfReader(path, strict=True).pages)
    if "[synthetic]" not in text:
        raise SystemExit(f"{path}: no extractable '[synthetic]' text")


def check_file(path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix in (".jpg", ".png", ".webp"):
        with Image.open(path) as img:
            img.load()
    elif suffix in (".ogg", ".mp3", ".mp4"):
        _check_av(path)
    elif suffix == ".pdf":
        _check_pdf(path)
    else:
        raise SystemExit(f"{path}: unexpected file type")


def _referenced(export: dict[str, Any]) -> set[str]:
    chats = export["chats"]["list"] + export["left_chats"]["list"]
    return {
        m[k]
        for c in chats
        for m in c["messages"]
        for k in ("photo", "file")
        if k in m and not str(m[k]).startswith("(")
    }


def corpus(root: Path) -> dict[str, int]:
    """Validate a built corpus; returns figures for the report."""
    export_dir = root / "telegram_export"
    export = json.loads((export_dir / "result.json").read_text(encoding="utf-8"))
    files = sorted(p for p in export_dir.rglob("*") if p.is_file() and p.name != "result.json")
    for path in files:
        check_file(path)
    on_disk = {str(p.relative_to(export_dir)) for p in files}
    missing = _referenced(export) - on_disk
    if missing:
        raise SystemExit(f"media referenced but missing: {sorted(missing)[:5]}")
    total = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    if total > MAX_BYTES:
        raise SystemExit(f"corpus is {total} bytes, over {MAX_BYTES}")
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    return {"media_files": len(files), "distinct_media": len(digests), "corpus_bytes": total}
