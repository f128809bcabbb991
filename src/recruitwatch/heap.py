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

_depth = 0


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Freeze the tracked objects alive now for the duration of the block. Blocks nest
    (an ingest that enriches): only the outermost one freezes and unfreezes."""
    global _depth
    if _depth == 0:
        gc.freeze()
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            gc.unfreeze()
