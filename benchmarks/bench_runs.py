"""The measured runs of ingest_throughput.py, each meant to run in its own process.

    python benchmarks/bench_runs.py floor FILE DB
    python benchmarks/bench_runs.py recruitwatch-library FILE HOME [--profile OUT]

``floor`` is the least any JSON-export ingest can cost on this machine: ijson's
C backend streams ``messages.item`` and the rows (id, date, text, raw JSON) go
into a bare SQLite table with batched ``executemany`` (WAL, synchronous=NORMAL),
one transaction per batch. ``recruitwatch-library`` is the library call the
``recruitwatch ingest`` command makes, with the Telegram JSON reader named
directly (no format detection). Each prints one JSON line of counts on stdout.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ijson

BATCH = 2000
FLOOR_SCHEMA = "CREATE TABLE messages (id INTEGER PRIMARY KEY, date TEXT, text TEXT, raw TEXT)"


def _flat_text(text: Any) -> str:
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        return "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in text)
    return ""


def _floor_rows(path: Path) -> Iterator[tuple[Any, ...]]:
    with path.open("rb") as fh:
        for msg in ijson.items(fh, "messages.item", use_float=True):
            raw = json.dumps(msg, ensure_ascii=False)
            yield msg.get("id"), msg.get("date"), _flat_text(msg.get("text")), raw


def _open_floor_db(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(FLOOR_SCHEMA)
    return conn


def _insert(conn: sqlite3.Connection, batch: list[tuple[Any, ...]]) -> None:
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO messages VALUES (?, ?, ?, ?)", batch)
    conn.execute("COMMIT")


def run_floor(path: Path, db: Path) -> dict[str, int]:
    """Stream-parse ``path`` and insert every message; return the count."""
    conn = _open_floor_db(db)
    batch: list[tuple[Any, ...]] = []
    count = 0
    for row in _floor_rows(path):
        batch.append(row)
        count += 1
        if len(batch) == BATCH:
            _insert(conn, batch)
            batch = []
    if batch:
        _insert(conn, batch)
    conn.close()
    return {"records": count, "written": count, "quarantined": 0}


def run_recruitwatch(path: Path, home: Path) -> dict[str, int]:
    """``pipeline.ingest_location`` with the Telegram JSON reader into HOME's SQLite store."""
    from recruitwatch.heap import frozen_heap
    from recruitwatch.ingest.telegram_export import TelegramJsonReader
    from recruitwatch.pipeline import ingest_location
    from recruitwatch.settings import load_settings
    from recruitwatch.store import open_store

    settings = load_settings({"home": home}, environ={})
    store = open_store(settings.db_url)
    reader = TelegramJsonReader.from_settings(settings)
    with frozen_heap():  # as pipeline.ingest, which the CLI calls, does
        report = ingest_location(store, str(path), settings, reader)
    store.dispose()
    if report.error:
        print(f"recruitwatch: {report.error}", file=sys.stderr)
    return {"records": report.records, "written": report.written, "quarantined": report.quarantined}


def _profiled(args: argparse.Namespace) -> dict[str, int]:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    result: dict[str, int] = profiler.runcall(run_recruitwatch, args.file, args.target)
    profiler.dump_stats(args.profile)
    with args.profile.with_suffix(".txt").open("w") as fh:
        stats = pstats.Stats(str(args.profile), stream=fh).strip_dirs()
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(40)
    return result


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="one measured ingest run")
    parser.add_argument("run", choices=("floor", "recruitwatch-library"))
    parser.add_argument("file", type=Path, help="the Telegram export (result.json)")
    parser.add_argument("target", type=Path, help="floor: database file; recruitwatch: home")
    parser.add_argument("--profile", type=Path, help="recruitwatch: write cProfile stats here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.run == "floor":
        result = run_floor(args.file, args.target)
    elif args.profile:
        result = _profiled(args)
    else:
        result = run_recruitwatch(args.file, args.target)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
