"""The garbage collector during a long run: what exists at its start is frozen.

CPython's cyclic collector runs a full collection whenever the objects promoted
since the last one reach a quarter of the long-lived heap, and a full collection
visits every tracked object: the ~74,000 of the imported modules (SQLAlchemy,
Alembic, click, rich ...) and an open store, ~38 ms a time here. An ingest
promotes a batch's posts, dicts and tuples every batch, so it paid that visit
about once a batch. ``gc.freeze()`` moves the objects alive at the start into the
permanent generation, which collections skip; what the run allocates is
collected as before. Forked workers inherit the frozen heap. Measured in
``benchmarks/README.md`` ("Garbage collection").
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Freeze the tracked objects alive now for the duration of the block."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
