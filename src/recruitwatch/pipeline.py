"""ingest -> (enrich) -> store, with batches, checkpoints and quarantine.

The local runner here is the reference. Each input is streamed; every
``batch_size`` records or ``commit_seconds`` the batch and its checkpoint are
committed in one transaction, so a killed run resumes where it stopped and an
interrupted + resumed run stores exactly what an uninterrupted one does.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from . import parallel_ingest
from .enrich.base import Item
from .enrich.chain import Chain, changed_items
from .enrich.parallel import Computed, EnrichPool, pool_size
from .errors import InputError, RecordError, RecruitwatchError
from .heap import frozen_heap
from .ingest.base import Reader, detect_reader, quarantine_record
from .media_cache import cache_media
from .model import Batch, Checkpoint, Quarantined
from .settings import Settings
from .store import Store
from .store.writer import (
    Prepared,
    prepare_posts,
    read_checkpoint,
    write_batch,
    write_prepared_batch,
)

PROGRESS_EVERY = 500  # records between two progress callbacks
# Fault injection for the kill -9 test: seconds to sleep inside each commit's transaction.
FAULT_COMMIT_SLEEP = parallel_ingest.FAULT_COMMIT_SLEEP

Progress = Callable[[str, int], None]


@dataclass(slots=True)
class FileReport:
    location: str
    reader: str = ""
    records: int = 0
    written: int = 0
    quarantined: int = 0
    resumed_from: int = 0
    error: str | None = None
    # fields, types and values the reader kept in raw but did not understand, with counts
    unknown: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class IngestReport:
    files: list[FileReport] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 all good; 3 an input could not be read; 4 some records were quarantined."""
        if any(f.error for f in self.files):
            return InputError.exit_code
        if any(f.quarantined for f in self.files):
            return RecordError.exit_code
        return 0

    def totals(self) -> dict[str, int]:
        return {
            "files": len(self.files),
            "records": sum(f.records for f in self.files),
            "written": sum(f.written for f in self.files),
            "quarantined": sum(f.quarantined for f in self.files),
            "failed_files": sum(1 for f in self.files if f.error),
        }


class LazyPool:
    """Starts the enrich workers only when an input turns out to need more than one batch."""

    def __init__(self, chain: Chain, settings: Settings) -> None:
        self.chain, self.settings = chain, settings
        self.pool: EnrichPool | None = None

    def get(self) -> EnrichPool:
        if self.pool is None:
            self.pool = EnrichPool(self.chain, self.settings, pool_size(self.settings))
        return self.pool

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()


class _Committer:
    """Collects batches and commits each with its checkpoint, in order.

    Each batch is one transaction (posts, enrichments, checkpoint). Without an
    enrich pool it is written at once. With a pool, the batch goes to the enrich
    workers and a writer thread commits batches in order as their results come
    back, while the reader goes on; at most ``workers + 1`` batches are in flight.
    (A writer thread without a pool measured no faster on SQLite: the GIL.)
    """

    def __init__(
        self,
        store: Store,
        settings: Settings,
        stream: str,
        fingerprint: str,
        chain: Chain | None,
        pool: LazyPool | None = None,
    ) -> None:
        self.store, self.settings, self.chain, self.pool = store, settings, chain, pool
        self.stream, self.fingerprint = stream, fingerprint
        self.batch = Batch()
        self.last = time.monotonic()
        self.written = 0
        self.inflight: deque[Future[None]] = deque()
        self.writer: ThreadPoolExecutor | None = None

    def due(self) -> bool:
        return (
            len(self.batch) >= self.settings.batch_size
            or time.monotonic() - self.last >= self.settings.commit_seconds
        )

    def commit(self, position: int, done: bool = False) -> None:
        batch, self.batch = self.batch, Batch()
        batch.checkpoint = Checkpoint(self.stream, self.fingerprint, position, done)
        cache_media(self.settings.media_dir, batch.posts)  # content-addressed: idempotent
        prepared = prepare_posts(batch.posts, self.store.dialect)  # hashes and rows, once
        pool = self.pool.get() if self.pool and (self.inflight or not done) else None
        if pool is None:
            self._write(batch, prepared, None)
            self.last = time.monotonic()
            return
        future = pool.submit(self._to_enrich(batch, prepared))
        if self.writer is None:
            self.writer = ThreadPoolExecutor(1, thread_name_prefix="recruitwatch-writer")
        self.inflight.append(self.writer.submit(self._write, batch, prepared, future))
        depth = pool.workers + 1
        while len(self.inflight) > (0 if done else depth):
            self.inflight.popleft().result()
        self.last = time.monotonic()

    def drain(self) -> None:
        """Wait for every batch in flight to be committed (re-raising a failed write)."""
        while self.inflight:
            self.inflight.popleft().result()

    def close(self) -> None:
        try:
            self.drain()
        finally:
            if self.writer is not None:
                self.writer.shutdown(wait=True, cancel_futures=True)

    def _to_enrich(self, batch: Batch, prepared: Prepared) -> list[Item]:
        """Items for the posts that will change (unchanged posts keep their results)."""
        with self.store.connect() as conn:
            return changed_items(conn, batch.posts, prepared)

    def _write(self, batch: Batch, prepared: Prepared, future: Future[Computed] | None) -> None:
        computed = future.result() if future is not None else None
        assert batch.checkpoint is not None, "a committed batch has its checkpoint"
        with self.store.begin() as conn:
            ids = write_prepared_batch(conn, prepared, batch.quarantined, batch.checkpoint)
            latest = {post.id: post for post in batch.posts}
            changed = [latest[pid] for pid in ids]
            if computed is not None and self.chain is not None:
                self.chain.store(conn, *computed)
                self.chain.enrich_missing(conn, ids, (item.post_id for item in computed[0]))
            elif self.chain is not None and changed:
                self.chain.run_posts(conn, changed)
            self.written += len(changed)
            if delay := float(os.environ.get(FAULT_COMMIT_SLEEP) or 0):
                time.sleep(delay)


def _start_position(store: Store, stream: str, fingerprint: str) -> int:
    with store.connect() as conn:
        cp = read_checkpoint(conn, stream)
    if cp is None or cp.done or cp.fingerprint != fingerprint:
        return 0
    return cp.position


def _read(
    reader: Reader,
    location: str,
    start: int,
    committer: _Committer,
    report: FileReport,
    progress: Progress | None,
) -> int:
    """Stream, normalise and commit one input; returns the records read."""
    position = 0
    try:
        for raw in reader.records(location):
            position += 1
            if position <= start:
                continue
            try:
                committer.batch.posts.append(reader.normalise(raw))
            except Exception as exc:  # batch boundary: quarantine, never drop
                committer.batch.quarantined.append(quarantine_record(raw, exc))
                report.quarantined += 1
            if progress and position % PROGRESS_EVERY == 0:
                progress(location, PROGRESS_EVERY)
            if committer.due():
                committer.commit(position)
    except InputError as exc:
        report.error = str(exc)
        locator = f"after record {position}" if position else "whole input"
        committer.batch.quarantined.append(
            Quarantined(location, locator, exc.reason, type(exc).__name__, "")
        )
        report.quarantined += 1
        committer.commit(position, done=False)
    else:
        committer.commit(position, done=True)
    return position


def ingest_location(
    store: Store,
    location: str,
    settings: Settings,
    reader: Reader,
    progress: Progress | None = None,
    chain: Chain | None = None,
    pool: LazyPool | None = None,
) -> FileReport:
    report = FileReport(location, reader.NAME)
    stream, fingerprint = reader.stream_key(location), reader.fingerprint(location)
    start = _start_position(store, stream, fingerprint)
    report.resumed_from = start
    # with a chain, only when it may run in workers (``pool``): else enrich in-process
    if parallel_ingest.wanted(reader, location, settings) and (chain is None or pool is not None):
        enrich = parallel_ingest.Enrichment(chain, settings.db_url) if chain else None
        return _ingest_parallel(
            store, (location, stream, fingerprint), settings, reader, report, progress, enrich
        )
    committer = _Committer(store, settings, stream, fingerprint, chain, pool)
    try:
        position = _read(reader, location, start, committer, report, progress)
    finally:
        committer.close()
    if progress and position % PROGRESS_EVERY:
        progress(location, position % PROGRESS_EVERY)
    report.unknown = dict(getattr(reader, "unknown", None) or {})
    report.records = max(position - start, 0)
    report.written = committer.written
    return report


def _ingest_parallel(
    store: Store,
    what: tuple[str, str, str],
    settings: Settings,
    reader: Reader,
    report: FileReport,
    progress: Progress | None,
    enrich: parallel_ingest.Enrichment | None = None,
) -> FileReport:
    """Ingest on every core (``parallel_ingest``); ``what``: location, stream, fingerprint.

    Telegram Desktop's own layout is split in the main process; other inputs, and
    the rest of a file that leaves that layout, are streamed by every worker. With
    ``enrich``, the workers also enrich each batch they prepare.
    """
    location, stream, fingerprint = what
    start = report.resumed_from

    def plan(first: int, split: bool) -> parallel_ingest.Plan:
        workers = parallel_ingest.worker_count(settings, split, enrich is not None)
        return parallel_ingest.Plan(
            location, first, settings.batch_size, workers, store.dialect, settings.media_dir,
            enrich,
        )  # fmt: skip

    outcome = None
    split_plan = getattr(reader, "split_plan", None)
    found = split_plan(location) if split_plan is not None else None
    if found is not None:
        outcome = parallel_ingest.run_split(
            store, reader, found, plan(start, True), (stream, fingerprint), progress
        )
    if outcome is None or not outcome.complete:
        first = outcome.position if outcome is not None else start
        rest = parallel_ingest.run_stream(
            store, reader, plan(first, False), (stream, fingerprint), progress
        )
        if outcome is not None:
            rest.written += outcome.written
            rest.quarantined += outcome.quarantined
        outcome = rest
    report.records = max(outcome.position - start, 0)
    report.written = outcome.written
    report.quarantined = outcome.quarantined
    report.unknown = outcome.unknown or {}
    if outcome.error is not None:
        report.error = str(outcome.error)
    return report


def _failed(store: Store, location: str, exc: RecruitwatchError) -> FileReport:
    reason = exc.reason if isinstance(exc, InputError) else str(exc)
    item = Quarantined(location, "whole input", reason, type(exc).__name__, "")
    with store.begin() as conn:
        write_batch(conn, Batch(quarantined=[item]))
    return FileReport(location, error=str(exc), quarantined=1)


def ingest(
    store: Store,
    locations: Iterable[str],
    settings: Settings,
    fmt: str | None = None,
    progress: Progress | None = None,
    on_file: Callable[[FileReport], None] | None = None,
    chain: Chain | None = None,
) -> IngestReport:
    """Ingest every location; one bad input is reported and the others go on.

    With ``chain``, every new or changed post is enriched in the same transaction.
    """
    report = IngestReport()
    pool = None  # enrich workers: a chain that may fork, more than one worker
    if chain is not None and chain.forks() and pool_size(settings) > 1:
        pool = LazyPool(chain, settings)
    with frozen_heap():  # the long-lived objects are not collected again and again
        try:
            for location in locations:
                try:
                    reader = detect_reader(location, fmt, settings)
                    file_report = ingest_location(
                        store, location, settings, reader, progress, chain, pool
                    )
                except InputError as exc:
                    file_report = _failed(store, location, exc)
                report.files.append(file_report)
                if on_file:
                    on_file(file_report)
        finally:
            if pool is not None:
                pool.close()
    return report
