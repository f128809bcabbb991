"""The workspace media cache: every present media file stored once, by SHA-256.

``HOME/media/ab/abcdef...`` (first two hex digits as folder). Files are hard
links where the export lies on the same file system, copies otherwise, written
atomically, so later stages (fingerprints, the web UI) find a file by its hash
alone, even after the export folder is gone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .model import Post


def cached_path(media_dir: Path, sha256: str) -> Path:
    return media_dir / sha256[:2] / sha256


def store_file(media_dir: Path, sha256: str, origin: Path) -> Path:
    """Put ``origin`` into the cache under ``sha256`` (idempotent); return the cached path."""
    target = cached_path(media_dir, sha256)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(origin, target)
        return target
    except FileExistsError:
        return target
    except OSError:
        pass
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    os.close(fd)
    try:
        shutil.copyfile(origin, tmp)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


def cache_media(media_dir: Path, posts: Iterable[Post]) -> int:
    """Cache the present media of ``posts``; returns how many files were added."""
    added = 0
    for post in posts:
        for media in post.media:
            if not (media.present and media.sha256 and media.origin):
                continue
            if not cached_path(media_dir, media.sha256).exists():
                store_file(media_dir, media.sha256, Path(media.origin))
                added += 1
    return added
