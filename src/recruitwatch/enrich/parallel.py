"""Enrichment in worker processes, so ingest and ``recruitwatch enrich`` use every core.

The main process reads, normalises and writes (SQLite has one writer); workers
compute the enrich chain for whole batches. Each worker builds its own chain
once and opens its own read connection (for source priors and the like), so
only items travel between processes. Results come back in submission order and
the main process stores them with the batch, in the batch's transaction.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor

import sqlalchemy as sa

from ..heap import frozen_heap
from ..settings import Settings
from ..store import Store
from ..store.db import make_engine
from ..store.writer import stored_hashes
from .base import Item
from .chain import Chain, Progress, load_items

_chain: Chain | None = None
_db_url = ""
_ENGINES: dict[tuple[int, str], sa.Engine] = {}

Computed = tuple[list[Item], dict[str, list[str]]]
PARENT_POLL_SECONDS = 0.5


def _exit_with_parent(parent: int) -> None:
    """A worker whose parent died (even by kill -9) exits instead of lingering."""
    while True:
        time.sleep(PARENT_POLL_SECONDS)
        if os.getppid() != parent:
            os._exit(0)


def worker_engine(db_url: str) -> sa.Engine:
    """This process's own engine for ``db_url``, opened on first use: connections do not
    survive a fork, so one inherited from the parent is never reused."""
    key = (os.getpid(), db_url)
    engine = _ENGINES.get(key)
    if engine is None:
        engine = _ENGINES[key] = make_engine(db_url)
    return engine


def _init(names: list[str], settings: Settings) -> None:
    global _chain, _db_url
    watchdog = threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True)
    watchdog.start()
    _chain = Chain.default(names, settings)
    _db_url = settings.db_url


def _compute(items: list[Item]) -> Computed:
    assert _chain is not None, "worker not initialised"
    with worker_engine(_db_url).connect() as conn:
        done = _chain.compute(conn, items)
    return items, done


class EnrichPool:
    """A pool of enrich workers for ``chain`` (built again in each worker from its names)."""

    def __init__(self, chain: Chain, settings: Settings, workers: int) -> None:
        self.chain = chain
        names = [s.NAME for s in chain.steps]
        context = multiprocessing.get_context("fork")
        self.executor = ProcessPoolExecutor(
            workers, mp_context=context, initializer=_init, initargs=(names, settings)
        )
        self.workers = workers

    def submit(self, items: Sequence[Item]) -> Future[Computed]:
        return self.executor.submit(_compute, list(items))

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def pool_size(settings: Settings) -> int:
    """Enrich workers: the setting, else one per core (1: in-process)."""
    return settings.enrich_workers or (os.cpu_count() or 1)


def enrich_pending(
    chain: Chain, store: Store, settings: Settings, progress: Progress | None = None
) -> dict[str, int]:
    """``Chain.run_pending`` with the enrich workers (``recruitwatch enrich``).

    The main process reads each batch of pending posts and writes what the workers
    computed, in order, one transaction a batch, with at most ``workers + 1`` batches
    in flight. A post whose content changed meanwhile (an ingest running beside) is
    left as that ingest enriched it. A chain that may not fork (``Chain.forks``: a
    classification model with embeddings) runs in-process.
    """
    workers = pool_size(settings)
    if workers <= 1 or not chain.forks():
        return chain.run_pending(store, settings.batch_size, progress)
    totals: Counter[str] = Counter()
    inflight: deque[tuple[dict[str, str], Future[Computed]]] = deque()

    def finish(loaded: dict[str, str], future: Future[Computed]) -> None:
        items, done = future.result()
        with store.begin() as conn:
            now = stored_hashes(conn, list(loaded))
            kept = [i for i in items if now.get(i.post_id) == loaded[i.post_id]]
            keep = {i.post_id for i in kept}
            done = {name: [pid for pid in ids if pid in keep] for name, ids in done.items()}
            totals.update(chain.store(conn, kept, done))
        if progress:
            progress(len(items))

    pool = EnrichPool(chain, settings, workers)
    try:
        with frozen_heap():
            after = ""
            while True:
                with store.connect() as conn:
                    ids = chain.pending_ids(conn, after, settings.batch_size)
                    if not ids:
                        break
                    loaded = stored_hashes(conn, ids)
                    items = load_items(conn, ids)
                inflight.append((loaded, pool.submit(items)))
                after = ids[-1]
                while len(inflight) > workers:
                    finish(*inflight.popleft())
            while inflight:
                finish(*inflight.popleft())
    finally:
        pool.close()
    return dict(totals)
