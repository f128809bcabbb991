"""Enrichment in worker processes, so ingest uses every core.

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
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor

import sqlalchemy as sa

from ..settings import Settings
from ..store.db import make_engine
from .base import Item
from .chain import Chain

_chain: Chain | None = None
_engine: sa.Engine | None = None

Computed = tuple[list[Item], dict[str, list[str]]]
PARENT_POLL_SECONDS = 0.5


def _exit_with_parent(parent: int) -> None:
    """A worker whose parent died (even by kill -9) exits instead of lingering."""
    while True:
        time.sleep(PARENT_POLL_SECONDS)
        if os.getppid() != parent:
            os._exit(0)


def _init(names: list[str], settings: Settings) -> None:
    global _chain, _engine
    watchdog = threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True)
    watchdog.start()
    _chain = Chain.default(names, settings)
    _engine = make_engine(settings.db_url)


def _compute(items: list[Item]) -> Computed:
    assert _chain is not None and _engine is not None, "worker not initialised"
    with _engine.connect() as conn:
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
