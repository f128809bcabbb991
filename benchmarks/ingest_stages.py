"""Where recruitwatch's ingest time goes, stage by stage, without a profiler's overhead.

    python benchmarks/ingest_stages.py benchmarks/out/telegram_100000.json
    python benchmarks/ingest_stages.py FILE --limit 50000 --json

The file is read in the pipeline's batches (``--batch``, default the
``batch_size`` setting) and each stage is timed with ``perf_counter`` over the
whole run:

- read: the Telegram JSON reader's ``records()`` (ijson parse, RawRecord)
- normalise: ``reader.normalise(raw)`` -> Post
- content_hash: ``Post.content_hash()`` (sorted-keys JSON of the post + SHA-256)
- rows: ``writer.post_row`` for every post
- serialise: what the driver layer does to those rows (``json.dumps`` of the
  JSON columns as SQLAlchemy's JSON type does, datetimes to text)
- write: ``writer.write_batch`` + commit, as the pipeline calls it (it repeats
  content_hash, rows and serialise internally)
- sqlite: the same serialised ``posts`` rows inserted with the bare sqlite3
  driver into a second, identical store (executemany + commit)

``SQLAlchemy + other tables`` is write minus content_hash, rows, serialise and
sqlite: statement compilation, parameter processing, the existing-post lookup
and the sources/media/checkpoint upserts. The stage times add up to more
than a real run (write repeats three stages), so read the ``pipeline`` line
(read + normalise + write) for the whole.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from recruitwatch.errors import RecordError
from recruitwatch.ingest.base import RawRecord, Reader
from recruitwatch.model import Batch, Checkpoint, Post
from recruitwatch.settings import Settings, load_settings, sqlite_url
from recruitwatch.store import Store, open_store, schema
from recruitwatch.store.writer import post_row, source_row, write_batch

JSON_COLUMNS = frozenset(c.name for c in schema.posts.columns if isinstance(c.type, sa.JSON))
STAGES = ("read", "normalise", "content_hash", "rows", "serialise", "write", "sqlite")


class Timer:
    """Seconds per stage, summed over the run."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.totals[stage] += time.perf_counter() - started


def make_reader(settings: Settings) -> Reader:
    from recruitwatch.ingest.telegram_export import TelegramJsonReader

    return TelegramJsonReader.from_settings(settings)


def batches(
    records: Iterator[RawRecord], size: int, limit: int | None, timer: Timer
) -> Iterator[list[RawRecord]]:
    """``records`` in lists of ``size``; only the reader's own work is timed as ``read``."""
    taken = 0
    while limit is None or taken < limit:
        want = size if limit is None else min(size, limit - taken)
        with timer("read"):
            batch = list(islice(records, want))
        if not batch:
            return
        taken += len(batch)
        yield batch


def serialise(row: dict[str, Any]) -> dict[str, Any]:
    """A posts row as the driver receives it: JSON columns as text, datetimes as text."""
    out = {}
    for key, value in row.items():
        if key in JSON_COLUMNS:
            out[key] = json.dumps(value)
        elif isinstance(value, datetime):
            out[key] = value.isoformat(" ")
        else:
            out[key] = value
    return out


class BareSqlite:
    """A second store of the same schema, written with the bare sqlite3 driver."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.conn: Any = store.engine.raw_connection()

    def insert(self, posts: list[Post], rows: list[dict[str, Any]]) -> None:
        cur = self.conn.cursor()
        sources = {p.source.key: source_row(p.source) for p in posts}
        for src in sources.values():
            cur.execute(_insert_sql("sources", list(src), "OR IGNORE "), list(src.values()))
        cur.executemany(_insert_sql("posts", list(rows[0])), [list(r.values()) for r in rows])
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()
        self.store.dispose()


def _insert_sql(table: str, columns: list[str], verb: str = "") -> str:
    marks = ", ".join("?" for _ in columns)
    return f"INSERT {verb}INTO {table} ({', '.join(columns)}) VALUES ({marks})"


def normalise_all(reader: Reader, raws: list[RawRecord]) -> list[Post]:
    posts = []
    for raw in raws:
        try:
            posts.append(reader.normalise(raw))
        except RecordError:
            continue  # quarantined by the pipeline; not part of the stage figures
    return posts


def process(raws: list[RawRecord], ctx: Run, checkpoint: Checkpoint) -> int:
    """Every stage on one batch; returns how many posts it held."""
    timer = ctx.timer
    with timer("normalise"):
        posts = normalise_all(ctx.reader, raws)
    if not posts:
        return 0
    with timer("content_hash"):
        hashes = [p.content_hash() for p in posts]
    with timer("rows"):
        rows = [post_row(p, h) for p, h in zip(posts, hashes, strict=True)]
    with timer("serialise"):
        params = [serialise(r) for r in rows]
    with timer("write"), ctx.store.begin() as conn:
        write_batch(conn, Batch(posts=posts, checkpoint=checkpoint))
    with timer("sqlite"):
        ctx.bare.insert(posts, params)
    return len(posts)


class Run:
    """The reader, the two stores and the timer of one measurement."""

    def __init__(self, folder: Path, batch_size: int) -> None:
        self.settings = load_settings(
            {"home": folder / "home", "batch_size": batch_size}, environ={}
        )
        self.store = open_store(self.settings.db_url)
        self.bare = BareSqlite(open_store(sqlite_url(folder / "bare.db")))
        self.reader = make_reader(self.settings)
        self.timer = Timer()

    def close(self) -> None:
        self.store.dispose()
        self.bare.close()


def measure(path: Path, batch_size: int | None, limit: int | None) -> tuple[int, int, Timer]:
    """Run every stage over ``path``; return (records, posts, timer)."""
    with tempfile.TemporaryDirectory(prefix="rw-stages-") as tmp:
        run = Run(Path(tmp), batch_size or Settings(home=Path(tmp)).batch_size)
        stream = run.reader.stream_key(str(path))
        records = posts = 0
        raws = iter(run.reader.records(str(path)))
        for batch in batches(raws, run.settings.batch_size, limit, run.timer):
            records += len(batch)
            posts += process(batch, run, Checkpoint(stream, "stages", records))
        run.close()
    return records, posts, run.timer


def summary(records: int, posts: int, totals: dict[str, float]) -> dict[str, Any]:
    stages = {name: totals.get(name, 0.0) for name in STAGES}
    repeated = stages["content_hash"] + stages["rows"] + stages["serialise"] + stages["sqlite"]
    stages["SQLAlchemy + other tables"] = stages["write"] - repeated
    pipeline = stages["read"] + stages["normalise"] + stages["write"]
    return {
        "records": records,
        "posts": posts,
        "stages": stages,
        "pipeline_seconds": pipeline,
        "posts_per_s": posts / pipeline if pipeline else 0.0,
    }


def print_text(result: dict[str, Any]) -> None:
    posts, pipeline = max(result["posts"], 1), result["pipeline_seconds"] or 1.0
    print(f"{result['records']:,} records, {result['posts']:,} posts")
    print(f"{'stage':<26}{'seconds':>9}{'us/post':>9}{'of pipeline':>13}")
    for name, seconds in result["stages"].items():
        share = f"{seconds / pipeline:.0%}"
        print(f"{name:<26}{seconds:>9.2f}{seconds / posts * 1e6:>9.1f}{share:>13}")
    print(f"{'pipeline':<26}{pipeline:>9.2f}{pipeline / posts * 1e6:>9.1f}{'100%':>13}")
    print(f"pipeline (read + normalise + write): {result['posts_per_s']:,.0f} posts/s")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path, help="Telegram export (result.json)")
    parser.add_argument("--limit", type=int, help="only the first N records")
    parser.add_argument("--batch", type=int, help="records per batch (default: batch_size)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    records, posts, timer = measure(args.file, args.batch, args.limit)
    result = summary(records, posts, timer.totals)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_text(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
