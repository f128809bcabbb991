"""Where recruitwatch's ingest time goes, stage by stage, without a profiler's overhead.

    python benchmarks/ingest_stages.py benchmarks/out/telegram_100000.json
    python benchmarks/ingest_stages.py FILE --limit 50000 --json

The file is read in the pipeline's batches (``--batch``, default the
``batch_size`` setting) and each stage is timed, wall (``perf_counter``) and
CPU (``process_time``: what other load on the machine does not inflate), over
the whole run:

- read: the Telegram JSON reader's ``records()`` (ijson parse, RawRecord)
- normalise: ``reader.normalise(raw)`` -> Post
- content_hash: ``Post.content_hash()`` (JSON of the post + SHA-256)
- rows: ``writer.post_row`` for every post
- serialise: the JSON columns of those rows encoded with the store's encoder
  (``recruitwatch.jsonutil.dumps`` where it exists, else ``json.dumps`` as
  SQLAlchemy's JSON type does), datetimes to text
- write: ``writer.write_batch`` + commit, as the pipeline calls it (it repeats
  content_hash, rows and serialise internally)
- sqlite: the ``posts`` rows just written, read back exactly as stored, inserted
  with the bare sqlite3 driver into a second, identical store (executemany +
  commit): what SQLite itself costs for them

``SQLAlchemy + other tables`` is write minus content_hash, rows, serialise and
sqlite: statement compilation and parameter processing, the existing-post
lookup, the sources/media/checkpoint upserts and the commit. The stage times add up to more
than a real run (write repeats three stages), so read the ``pipeline`` line
(read + normalise + write) for the whole.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa

from recruitwatch.errors import RecordError
from recruitwatch.ingest.base import RawRecord, Reader
from recruitwatch.model import Batch, Checkpoint, Post
from recruitwatch.settings import Settings, load_settings, sqlite_url
from recruitwatch.store import Store, open_store, schema
from recruitwatch.store.writer import post_row, write_batch

JSON_COLUMNS = frozenset(c.name for c in schema.posts.columns if isinstance(c.type, sa.JSON))
STAGES = ("read", "normalise", "content_hash", "rows", "serialise", "write", "sqlite")


class Timer:
    """Wall and CPU seconds per stage, summed over the run (CPU time shrugs off other load)."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        started, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.totals[stage] += time.perf_counter() - started
            self.cpu[stage] += time.process_time() - cpu


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


def _json_encoder() -> Callable[[Any], str]:
    """The store's JSON encoder: recruitwatch.jsonutil.dumps where it exists, else json.dumps."""
    try:
        from recruitwatch.jsonutil import dumps
    except ImportError:
        return json.dumps
    return cast(Callable[[Any], str], dumps)


def serialise(row: dict[str, Any], encode: Callable[[Any], str] = json.dumps) -> dict[str, Any]:
    """A posts row as the driver receives it: JSON columns as text, datetimes as text."""
    out = {}
    for key, value in row.items():
        if key in JSON_COLUMNS and value is not None:
            out[key] = encode(value)
        elif isinstance(value, datetime):
            out[key] = value.isoformat(" ")
        else:
            out[key] = value
    return out


def stored_rows(store: Store, table: str, ids: list[str] | None = None) -> list[sqlite3.Row]:
    """Rows of ``table`` exactly as the store holds them (all, or those with ``ids``)."""
    conn = store.engine.raw_connection()
    try:
        cur: Any = conn.cursor()
        cur.row_factory = sqlite3.Row
        if ids is None:
            return list(cur.execute(f"SELECT * FROM {table}"))
        marks = ", ".join("?" for _ in ids)
        return list(cur.execute(f"SELECT * FROM {table} WHERE id IN ({marks})", ids))
    finally:
        conn.close()


class BareSqlite:
    """A second store of the same schema, written with the bare sqlite3 driver."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.conn: Any = store.engine.raw_connection()

    def insert(self, table: str, rows: list[sqlite3.Row], verb: str = "") -> None:
        """executemany ``rows`` (read back from the main store) into ``table``; commit."""
        if rows:
            columns = rows[0].keys()
            marks = ", ".join("?" for _ in columns)
            sql = f"INSERT {verb}INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            self.conn.cursor().executemany(sql, [tuple(r) for r in rows])
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()
        self.store.dispose()


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
        for row in rows:
            serialise(row, ctx.encode)
    with timer("write"), ctx.store.begin() as conn:
        write_batch(conn, Batch(posts=posts, checkpoint=checkpoint))
    ctx.copy_to_bare(list(dict.fromkeys(p.id for p in posts)))
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
        self.encode = _json_encoder()

    def copy_to_bare(self, ids: list[str]) -> None:
        """Time inserting the posts just written, exactly as stored, with bare sqlite3."""
        sources, posts = stored_rows(self.store, "sources"), stored_rows(self.store, "posts", ids)
        with self.timer("sqlite"):
            self.bare.insert("sources", sources, "OR IGNORE ")
            self.bare.insert("posts", posts)

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


def derive(totals: dict[str, float]) -> dict[str, float]:
    """The stages plus the SQLAlchemy remainder and the pipeline total."""
    stages = {name: totals.get(name, 0.0) for name in STAGES}
    repeated = stages["content_hash"] + stages["rows"] + stages["serialise"] + stages["sqlite"]
    stages["SQLAlchemy + other tables"] = stages["write"] - repeated
    stages["pipeline"] = stages["read"] + stages["normalise"] + stages["write"]
    return stages


def summary(records: int, posts: int, timer: Timer) -> dict[str, Any]:
    wall, cpu = derive(timer.totals), derive(timer.cpu)
    return {
        "records": records,
        "posts": posts,
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "posts_per_s": posts / wall["pipeline"] if wall["pipeline"] else 0.0,
        "posts_per_cpu_s": posts / cpu["pipeline"] if cpu["pipeline"] else 0.0,
    }


def print_text(result: dict[str, Any]) -> None:
    posts, cpu = max(result["posts"], 1), result["cpu_seconds"]
    print(f"{result['records']:,} records, {result['posts']:,} posts")
    print(f"{'stage':<26}{'wall s':>9}{'cpu s':>9}{'cpu us/post':>13}{'of pipeline':>13}")
    for name, wall in result["wall_seconds"].items():
        share = f"{cpu[name] / (cpu['pipeline'] or 1.0):.0%}"
        per_post = cpu[name] / posts * 1e6
        print(f"{name:<26}{wall:>9.2f}{cpu[name]:>9.2f}{per_post:>13.1f}{share:>13}")
    print(
        f"pipeline (read + normalise + write): {result['posts_per_s']:,.0f} posts/s wall, "
        f"{result['posts_per_cpu_s']:,.0f} posts per CPU second"
    )


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
    result = summary(records, posts, timer)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_text(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
