"""Ingest on every core: parse, normalise (and enrich) in workers, write in one place.

SQLite has one writer, and in the serial runner the writer waits while the
same process parses and normalises. Here worker processes prepare batches
(normalise, content hash, rows) and the main process commits them in order,
each with its checkpoint, as the serial runner does: batch k holds records
``k * batch_size + 1`` to ``(k + 1) * batch_size`` after the resume point and
is prepared by worker ``k % W``. So the database, the checkpoints and the
resume points are those of a serial run with count-only batches, a killed run
resumes from its last commit, and memory stays bounded (bounded queues).

Two ways to feed the workers:

- **split** (Telegram Desktop's own JSON layout, ``ingest.telegram_split``):
  the main process cuts the file into one JSON text per message (a byte
  search) and sends each batch's texts to its worker, which parses them
  (orjson) and normalises. Parsing is done once, in the workers. If the file
  leaves the layout, the worker says so and the rest is read the other way,
  from the last commit.
- **stream** (any reader with ``PARALLEL``): each worker streams the whole
  input itself with ``reader.records()`` (parsing is the cheap part) and
  prepares only its own batches.

With an enrich chain (``Enrichment``), each worker also enriches the posts of its
batches that are new or changed, reading the store (stored hashes, source priors) on
a connection of its own, and sends the results, ready to store, with the batch; the
main process writes the batch and its results in one transaction (and re-enriches
there a post that changed again in a batch committed meanwhile).

Only local inputs of at least ``ingest_parallel_mb`` take this path; workers
are forked (they inherit the reader and settings) and exit when their parent
dies, even by kill -9.
"""

from __future__ import annotations

import io
import itertools
import multiprocessing
import os
import pickle
import queue
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from .enrich.chain import Chain, Stored, changed_items
from .enrich.parallel import _exit_with_parent, worker_engine
from .errors import InputError, StoreError
from .ingest.base import RawRecord, Reader, quarantine_record
from .ingest.telegram_split import Layout, Unsplittable, bodies
from .media_cache import cache_media
from .model import Checkpoint, Post, Quarantined
from .settings import Settings
from .store import Store
from .store.writer import Prepared, prepare_posts, write_prepared_batch

# Fault injection for the kill -9 test: seconds to sleep inside each commit's transaction.
FAULT_COMMIT_SLEEP = "RECRUITWATCH_FAULT_COMMIT_SLEEP"
QUEUE_DEPTH = 2  # prepared batches waiting per worker
POLL_SECONDS = 1.0

Progress = Callable[[str, int], None]


@dataclass(frozen=True, slots=True)
class Plan:
    """What every worker needs to agree on the batches."""

    location: str
    start: int  # records already committed (resume point)
    batch_size: int
    workers: int
    dialect: str
    media_dir: Path
    enrich: Enrichment | None = None


@dataclass(frozen=True, slots=True)
class Enrichment:
    """The enrich chain the workers run on each batch (inherited by the fork), and the
    store they read from (source priors, stored hashes: each opens its own connection)."""

    chain: Chain
    db_url: str


@dataclass(slots=True)
class Outcome:
    """What the main process learnt from the workers."""

    position: int = 0
    written: int = 0
    quarantined: int = 0
    error: InputError | None = None
    unknown: dict[str, int] | None = None
    complete: bool = True  # False: split mode stopped where the file left the layout


def input_bytes(location: str) -> int:
    """Size of a local input: the file, or the files directly inside a folder (0 for URLs)."""
    path = Path(location)
    try:
        if path.is_file():
            return path.stat().st_size
        if path.is_dir():
            return sum(p.stat().st_size for p in path.iterdir() if p.is_file())
    except OSError:
        return 0
    return 0


MAX_AUTO_WORKERS = 4  # every worker parses the whole input: beyond a few, parsing dominates


def worker_count(settings: Settings, split: bool = False, enrich: bool = False) -> int:
    """Workers to start: the setting, else one per core (split mode: parsing happens once,
    in the workers; with enrichment, which costs more than parsing the input again) or
    one per core but the writer's (stream mode: every worker parses the whole input), at
    most 4; none on a one-core machine."""
    if settings.ingest_workers:
        return max(settings.ingest_workers, 0)
    if enrich and settings.enrich_workers:
        return max(settings.enrich_workers, 0)
    cores = os.cpu_count() or 1
    if cores < 2:
        return 0
    return min(cores if split or enrich else cores - 1, MAX_AUTO_WORKERS)


def wanted(reader: Reader, location: str, settings: Settings) -> bool:
    """Whether ``location`` is ingested by the parallel runner."""
    if not reader.PARALLEL or worker_count(settings) < 1:
        return False
    if location.startswith(("http://", "https://")):
        return False
    return input_bytes(location) >= settings.ingest_parallel_mb * 1_000_000


# -- worker side --------------------------------------------------------------------------
def _packed(message: tuple[Any, ...]) -> bytes:
    """A worker's message pickled without the memo (the queue then sends bytes).

    The memo records every object pickled, so that an object met twice is sent once:
    that cost 2.5 us a post for a prepared batch, 0.5 us without (measured here;
    unpickling: 1.1 against 1.3 us). Messages hold no object that refers to itself,
    and an id or text that appears twice in a post is sent twice.
    """
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(message)
    return buffer.getvalue()


def _send(out: Any, message: tuple[Any, ...]) -> None:
    out.put(_packed(message))


def _enriched(enrich: Enrichment, posts: list[Post], prepared: Prepared) -> Stored:
    """The enrichment of the batch's posts that will change, ready to store."""
    with worker_engine(enrich.db_url).connect() as conn:
        items = changed_items(conn, posts, prepared)
        done = enrich.chain.compute(conn, items)
    return enrich.chain.rows(items, done)


def _prepared(
    plan: Plan, k: int, position: int, posts: list[Post], quarantined: list[Quarantined]
) -> tuple[Any, ...]:
    cache_media(plan.media_dir, posts)  # content-addressed, before the batch is committed
    prepared = prepare_posts(posts, plan.dialect)
    enriched = _enriched(plan.enrich, posts, prepared) if plan.enrich else None
    return ("batch", k, position, prepared, quarantined, enriched)


def _normalise(reader: Reader, raw: RawRecord, posts: list[Post], bad: list[Quarantined]) -> None:
    try:
        posts.append(reader.normalise(raw))
    except Exception as exc:  # batch boundary: quarantine, never drop
        bad.append(quarantine_record(raw, exc))


def _start_worker() -> None:
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _stream_work(reader: Reader, plan: Plan, index: int, out: Any) -> None:
    """Stream worker ``index``: read every record, prepare the batches that are its own."""
    _start_worker()
    size, workers, start = plan.batch_size, plan.workers, plan.start
    posts: list[Post] = []
    bad: list[Quarantined] = []
    position, error = 0, None
    try:
        try:
            for raw in reader.records(plan.location):
                position += 1
                done = position - start
                if done <= 0 or ((done - 1) // size) % workers != index:
                    continue
                _normalise(reader, raw, posts, bad)
                if done % size == 0:
                    _send(out, _prepared(plan, done // size - 1, position, posts, bad))
                    posts, bad = [], []
        except InputError as exc:
            error = exc
        done = max(position - start, 0)
        if done % size and ((done - 1) // size) % workers == index:  # the last, partial batch
            _send(out, _prepared(plan, done // size, position, posts, bad))
        _send(out, ("end", position, error, dict(getattr(reader, "unknown", None) or {})))
    except BaseException:  # a bug or a signal: tell the parent, which stops the ingest
        _send(out, ("failed", traceback.format_exc()))


def _split_work(reader: Any, plan: Plan, context: dict[str, Any], inbox: Any, out: Any) -> None:
    """Split worker: parse and prepare the batches of message texts the main process sends."""
    _start_worker()
    try:
        while (message := inbox.get())[0] == "texts":
            _, k, first, texts = message
            posts: list[Post] = []
            bad: list[Quarantined] = []
            try:
                for offset, body in enumerate(texts):
                    text = b"{" + body + b"}"
                    raw = reader.split_record(plan.location, first + offset, text, context)
                    _normalise(reader, raw, posts, bad)
            except Unsplittable as exc:
                _send(out, ("unsplittable", k, str(exc)))
                continue
            _send(out, _prepared(plan, k, first + len(texts), posts, bad))
        _send(out, ("end", None, None, dict(getattr(reader, "unknown", None) or {})))
    except BaseException:
        _send(out, ("failed", traceback.format_exc()))


# -- main side ----------------------------------------------------------------------------
def _get(channel: Any, process: BaseProcess) -> tuple[Any, ...]:
    """The next message of a worker; a worker that died without a word is an error."""
    while True:
        try:
            message: tuple[Any, ...] = pickle.loads(channel.get(timeout=POLL_SECONDS))
        except queue.Empty:
            if not process.is_alive():
                raise StoreError(
                    f"ingest worker {process.name} stopped (exit code {process.exitcode})"
                ) from None
            continue
        if message[0] == "failed":
            raise StoreError(f"ingest worker {process.name} failed:\n{message[1]}")
        return message


def _merge_unknown(reader: Reader, counts: list[dict[str, int]]) -> dict[str, int]:
    merged: Counter[str] = Counter()
    for found in counts:
        for key, value in found.items():
            if reader.PARSE_UNKNOWN and key.startswith(reader.PARSE_UNKNOWN):
                merged[key] = max(merged[key], value)
            else:
                merged[key] += value
    return dict(merged)


class _Run:
    """The main process's side: workers, their queues, and the commits in order."""

    def __init__(
        self, store: Store, plan: Plan, checkpoint: tuple[str, str], progress: Progress | None
    ) -> None:
        self.store, self.plan, self.progress = store, plan, progress
        self.stream, self.fingerprint = checkpoint
        self.context = multiprocessing.get_context("fork")
        self.outcome = Outcome(position=plan.start)
        self.processes: list[BaseProcess] = []
        self.outboxes: list[Any] = []
        self.inboxes: list[Any] = []

    def start(self, target: Callable[..., None], args: Callable[[int], tuple[Any, ...]]) -> None:
        for index in range(self.plan.workers):
            out = self.context.Queue(QUEUE_DEPTH)
            process = self.context.Process(
                target=target,
                args=(*args(index), out),
                name=f"recruitwatch-ingest-{index}",
                daemon=True,
            )
            process.start()
            self.processes.append(process)
            self.outboxes.append(out)

    def receive(self, k: int) -> tuple[Any, ...]:
        index = k % self.plan.workers
        return _get(self.outboxes[index], self.processes[index])

    def commit(self, message: tuple[Any, ...]) -> None:
        _, _, position, prepared, quarantined, enriched = message
        written = self._transaction(prepared, quarantined, position, False, enriched)
        self.outcome.written += written
        self.outcome.quarantined += len(quarantined)
        self.advance(position)

    def advance(self, position: int) -> None:
        if self.progress and position > self.outcome.position:
            self.progress(self.plan.location, position - self.outcome.position)
        self.outcome.position = max(position, self.outcome.position)

    def finish(
        self, error: InputError | None, unknown: list[dict[str, int]], reader: Reader
    ) -> None:
        """The last transaction: the input's error (if any) and the final checkpoint."""
        self.outcome.error = error
        self.outcome.unknown = _merge_unknown(reader, unknown)
        final: list[Quarantined] = []
        position = self.outcome.position
        if error is not None:
            locator = f"after record {position}" if position else "whole input"
            final.append(
                Quarantined(self.plan.location, locator, error.reason, type(error).__name__, "")
            )
            self.outcome.quarantined += 1
        self._transaction(Prepared(), final, position, error is None)

    def _transaction(
        self,
        prepared: Prepared,
        quarantined: list[Quarantined],
        position: int,
        done: bool,
        enriched: Stored | None = None,
    ) -> int:
        """One transaction: a batch, its enrichment, its quarantined records, the checkpoint."""
        checkpoint = Checkpoint(self.stream, self.fingerprint, position, done)
        with self.store.begin() as conn:
            changed = write_prepared_batch(conn, prepared, quarantined, checkpoint)
            if enriched is not None and self.plan.enrich is not None:
                chain = self.plan.enrich.chain
                chain.write(conn, enriched)
                chain.enrich_missing(conn, changed, enriched.post_ids())
            if delay := float(os.environ.get(FAULT_COMMIT_SLEEP) or 0):
                time.sleep(delay)  # fault injection for the kill -9 test
        return len(changed)

    def close(self) -> None:
        for inbox in self.inboxes:
            inbox.cancel_join_thread()
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        for process in self.processes:
            process.join(timeout=5)
        for channel in self.outboxes + self.inboxes:
            channel.close()
            channel.cancel_join_thread()


def run_stream(
    store: Store,
    reader: Reader,
    plan: Plan,
    checkpoint: tuple[str, str],
    progress: Progress | None = None,
) -> Outcome:
    """Stream mode: every worker reads the input; returns what was committed."""
    state = _Run(store, plan, checkpoint, progress)
    try:
        state.start(_stream_work, lambda index: (reader, plan, index))
        k = 0
        while (message := state.receive(k))[0] == "batch":
            state.commit(message)
            k += 1
        ends = [message] + [state.receive(k + i) for i in range(1, plan.workers)]
        state.advance(message[1])
        state.finish(message[2], [end[3] for end in ends], reader)
        return state.outcome
    finally:
        state.close()


def run_split(
    store: Store,
    reader: Any,
    found: tuple[Path, Layout, dict[str, Any]],
    plan: Plan,
    checkpoint: tuple[str, str],
    progress: Progress | None = None,
) -> Outcome:
    """Split mode (see the module doc); ``complete`` is False when the file left the layout.

    ``reader``: one with ``split_record`` (``TelegramJsonReader``); ``found``: what its
    ``split_plan`` said of ``plan.location``.

    Then ``outcome.position`` records are committed, and the caller reads the rest
    with ``run_stream`` or the serial runner from that checkpoint.
    """
    path, layout, context = found
    state = _Run(store, plan, checkpoint, progress)
    state.inboxes = [state.context.Queue(QUEUE_DEPTH) for _ in range(plan.workers)]
    try:
        state.start(_split_work, lambda index: (reader, plan, context, state.inboxes[index]))
        texts = itertools.chain.from_iterable(bodies(path, layout, skip=plan.start))
        sent = committed = 0
        first = plan.start
        split_ok = True
        fed_all = False
        while True:
            while not fed_all and sent - committed < plan.workers + 1:
                try:
                    batch = list(itertools.islice(texts, plan.batch_size))
                except Unsplittable:
                    batch, split_ok = [], False
                if not batch:
                    fed_all = True
                    break
                state.inboxes[sent % plan.workers].put(("texts", sent, first, batch))
                first += len(batch)
                sent += 1
            if committed == sent:
                break
            message = state.receive(committed)
            if message[0] == "unsplittable":
                state.outcome.complete = False
                return state.outcome
            state.commit(message)
            committed += 1
        for inbox in state.inboxes:
            inbox.put(("end",))
        ends = [state.receive(i) for i in range(plan.workers)]
        if not split_ok:
            state.outcome.complete = False
            return state.outcome
        state.finish(None, [end[3] for end in ends], reader)
        return state.outcome
    finally:
        state.close()
