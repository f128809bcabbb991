"""ingest -> (enrich) -> store, with batches, checkpoints and quarantine.

The local runner here is the reference. Each input is streamed; every
``batch_size`` records or ``commit_seconds`` the batch and its checkpoint are
committed in one transaction, so a killed run resumes where it stopped and an
interrupted + resumed run stores exactly what an uninterrupted one does.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .enrich.chain import Chain
from .errors import InputError, RecordError, RecruitwatchError
from .ingest.base import RawRecord, Reader, detect_reader
from .media_cache import cache_media
from .model import Batch, Checkpoint, Quarantined
from .settings import Settings
from .store import Store
from .store.writer import read_checkpoint, write_batch

RAW_LIMIT = 100_000
# Fault injection for the kill -9 test: seconds to sleep inside each commit's transaction.
FAULT_COMMIT_SLEEP = "RECRUITWATCH_FAULT_COMMIT_SLEEP"

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


def _raw_text(payload: Any) -> str:
    try:
        text = json.dumps(payload, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(payload)
    return text[:RAW_LIMIT]


def quarantine_record(raw: RawRecord, exc: Exception) -> Quarantined:
    if isinstance(exc, RecordError):
        reason, locator = exc.reason, exc.locator or raw.locator
    else:
        reason, locator = f"unexpected {type(exc).__name__}: {exc}", raw.locator
    return Quarantined(raw.location, locator, reason, type(exc).__name__, _raw_text(raw.payload))


class _Committer:
    """Collects one batch and commits it with the checkpoint when it is due."""

    def __init__(
        self, store: Store, settings: Settings, stream: str, fingerprint: str, chain: Chain | None
    ) -> None:
        self.store, self.settings, self.chain = store, settings, chain
        self.stream, self.fingerprint = stream, fingerprint
        self.batch = Batch()
        self.last = time.monotonic()
        self.written = 0

    def due(self) -> bool:
        return (
            len(self.batch) >= self.settings.batch_size
            or time.monotonic() - self.last >= self.settings.commit_seconds
        )

    def commit(self, position: int, done: bool = False) -> None:
        self.batch.checkpoint = Checkpoint(self.stream, self.fingerprint, position, done)
        cache_media(self.settings.media_dir, self.batch.posts)  # content-addressed: idempotent
        with self.store.begin() as conn:
            changed = write_batch(conn, self.batch)
            if self.chain is not None and changed:
                self.chain.run_posts(conn, changed)
            self.written += len(changed)
            if delay := float(os.environ.get(FAULT_COMMIT_SLEEP) or 0):
                time.sleep(delay)
        self.batch = Batch()
        self.last = time.monotonic()


def _start_position(store: Store, stream: str, fingerprint: str) -> int:
    with store.connect() as conn:
        cp = read_checkpoint(conn, stream)
    if cp is None or cp.done or cp.fingerprint != fingerprint:
        return 0
    return cp.position


def ingest_location(
    store: Store,
    location: str,
    settings: Settings,
    reader: Reader,
    progress: Progress | None = None,
    chain: Chain | None = None,
) -> FileReport:
    report = FileReport(location, reader.NAME)
    stream, fingerprint = reader.stream_key(location), reader.fingerprint(location)
    start = _start_position(store, stream, fingerprint)
    report.resumed_from = start
    committer = _Committer(store, settings, stream, fingerprint, chain)
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
            if progress:
                progress(location, 1)
            if committer.due():
                committer.commit(position)
    except InputError as exc:
        report.error = str(exc)
        locator = f"after record {position}" if position else "whole input"
        committer.batch.quarantined.append(
            Quarantined(location, locator, exc.reason, type(exc).__name__, "")
        )
        report.quarantined += 1
        committer.commit(position)
    else:
        committer.commit(position, done=True)
    report.records = max(position - start, 0)
    report.written = committer.written
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
    for location in locations:
        try:
            reader = detect_reader(location, fmt, settings)
            file_report = ingest_location(store, location, settings, reader, progress, chain)
        except InputError as exc:
            file_report = _failed(store, location, exc)
        report.files.append(file_report)
        if on_file:
            on_file(file_report)
    return report
