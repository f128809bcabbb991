"""Child process of the memory tests: ingest an export under an address-space cap (RLIMIT_AS).

    python telegram_memory_child.py reader EXPORT HEADROOM_MB
    python telegram_memory_child.py pipeline EXPORT HEADROOM_MB HOME
    python telegram_memory_child.py parallel EXPORT 0 HOME WORKERS

The cap is the process's own size after its imports (and, for ``pipeline``, after
opening the store) plus HEADROOM_MB, so it does not depend on how large the
interpreter and libraries are on a given machine. Prints one JSON line of counts.
"""

from __future__ import annotations

import json
import resource
import sqlite3
import sys
from pathlib import Path
from typing import Any


def status_bytes(field: str) -> int:
    """A size from /proc/self/status (VmSize: address space; VmHWM: peak RSS of this image;
    ru_maxrss would carry over the parent's peak across fork + exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def cap(headroom_mb: int) -> int:
    limit = status_bytes("VmSize") + headroom_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return limit


def read(export: str, headroom_mb: int) -> dict[str, Any]:
    from recruitwatch.ingest.telegram_export import TelegramJsonReader

    reader = TelegramJsonReader()
    limit = cap(headroom_mb)
    count = id_sum = chars = 0
    sources = set()
    for raw in reader.records(export):
        post = reader.normalise(raw)
        count, id_sum, chars = count + 1, id_sum + int(post.message_id), chars + len(post.text)
        sources.add(post.source.key)
    return {"count": count, "id_sum": id_sum, "chars": chars, "sources": sorted(sources)} | {
        "cap_mb": limit >> 20
    }


def pipeline(export: str, headroom_mb: int, home: str) -> dict[str, Any]:
    from recruitwatch.ingest.telegram_export import TelegramJsonReader
    from recruitwatch.pipeline import ingest_location
    from recruitwatch.settings import Settings
    from recruitwatch.store import open_store

    settings = Settings(home=Path(home), batch_size=20, ingest_workers=-1)  # in-process
    store = open_store(settings.db_url)
    limit = cap(headroom_mb)
    report = ingest_location(store, export, settings, TelegramJsonReader())
    store.dispose()
    with sqlite3.connect(Path(home) / "recruitwatch.db") as conn:
        count, id_sum, chars, sources = conn.execute(
            "SELECT count(*), sum(CAST(message_id AS INTEGER)), sum(length(text)), "
            "count(DISTINCT source_id) FROM posts"
        ).fetchone()
    return {"count": count, "id_sum": id_sum, "chars": chars, "source_count": sources} | {
        "written": report.written,
        "error": report.error,
        "cap_mb": limit >> 20,
    }


def parallel(export: str, home: str, workers: int) -> dict[str, Any]:
    """The parallel ingest, uncapped (its queue threads reserve address space, not memory):
    the peak RSS of this process and of its largest worker, and their size before ingest."""
    from recruitwatch.ingest.telegram_export import TelegramJsonReader
    from recruitwatch.pipeline import ingest_location
    from recruitwatch.settings import Settings
    from recruitwatch.store import open_store

    settings = Settings(
        home=Path(home), batch_size=20, ingest_workers=workers, ingest_parallel_mb=0.0
    )
    store = open_store(settings.db_url)
    before = status_bytes("VmRSS")
    report = ingest_location(store, export, settings, TelegramJsonReader())
    store.dispose()
    with sqlite3.connect(Path(home) / "recruitwatch.db") as conn:
        count, id_sum, chars = conn.execute(
            "SELECT count(*), sum(CAST(message_id AS INTEGER)), sum(length(text)) FROM posts"
        ).fetchone()
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return {
        "count": count,
        "id_sum": id_sum,
        "chars": chars,
        "written": report.written,
        "error": report.error,
        "before_mb": before / 2**20,
        "worker_peak_rss_mb": children / 2**20,
    }


def main(argv: list[str]) -> int:
    mode, export, headroom = argv[0], argv[1], int(argv[2])
    if mode == "parallel":
        result = parallel(export, argv[3], int(argv[4]))
    elif mode == "reader":
        result = read(export, headroom)
    else:
        result = pipeline(export, headroom, argv[3])
    result["peak_rss_mb"] = status_bytes("VmHWM") / 2**20
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
