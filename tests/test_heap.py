"""frozen_heap: the objects alive at the start are left out of collections, then given back."""

from __future__ import annotations

import gc
import textwrap
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mypy import api as mypy_api

from recruitwatch.enrich.base import Enricher, Item
from recruitwatch.enrich.chain import Chain
from recruitwatch.heap import frozen_heap
from recruitwatch.model import Post, Source
from recruitwatch.store import Store
from recruitwatch.store.writer import write_posts


def test_frozen_heap_freezes_for_the_block_only() -> None:
    before = gc.get_freeze_count()
    marker = {"synthetic": [1, 2, 3]}  # a tracked object alive at the start
    with frozen_heap():
        assert gc.get_freeze_count() > before
        assert not any(o is marker for o in gc.get_objects())  # in the permanent generation
        young = [["made inside"]]  # a list holding a list is tracked
        assert any(o is young for o in gc.get_objects())  # collected as usual
    assert gc.get_freeze_count() == 0
    assert any(o is marker for o in gc.get_objects())


def test_frozen_heap_nests() -> None:
    with frozen_heap():
        frozen = gc.get_freeze_count()
        with frozen_heap():
            assert gc.get_freeze_count() >= frozen
        assert gc.get_freeze_count() == frozen  # the inner block did not unfreeze
    assert gc.get_freeze_count() == 0


def test_enrich_runs_with_the_heap_frozen(store: Store) -> None:
    """``recruitwatch enrich`` (Chain.run_pending) freezes the heap as ingest does."""
    seen: list[int] = []

    class Probe(Enricher):
        NAME = "probe"
        VERSION = "1"
        DESCRIPTION = "test: the freeze count while enriching"

        def enrich(self, items: Sequence[Item]) -> list[Any]:
            seen.append(gc.get_freeze_count())
            return [None for _ in items]

    post = Post(Source("telegram", "c1", None, "channel"), "1", datetime.now(UTC), "[synthetic]")
    with store.begin() as conn:
        write_posts(conn, [post])
    assert Chain([Probe()]).run_pending(store) == {"probe": 1}
    assert seen and all(n > 0 for n in seen)
    assert gc.get_freeze_count() == 0


def test_frozen_heap_unfreezes_on_error() -> None:
    try:
        with frozen_heap():
            raise ValueError("synthetic")
    except ValueError:
        pass
    assert gc.get_freeze_count() == 0


def test_per_message_records_are_frozen_to_the_type_checker(tmp_path: Path) -> None:
    """model.record: plain dataclasses at run time, but mypy rejects an assignment."""
    snippet = tmp_path / "assign.py"
    snippet.write_text(
        textwrap.dedent(
            """
            from datetime import UTC, datetime
            from recruitwatch.ingest.base import RawRecord
            from recruitwatch.model import Entity, MediaRef, Post, Source

            post = Post(Source("telegram", "c1", None, "channel"), "1", datetime.now(UTC))
            post.text = "changed"
            Entity("hashtag", "#a", 0, 2).text = "#b"
            MediaRef("photo").kind = "video"
            RawRecord("f", "r", {}).payload = None
            """
        )
    )
    out, _, status = mypy_api.run(
        ["--strict", "--follow-imports=silent", "--no-incremental", str(snippet)]
    )
    assert status == 1
    for line in (7, 8, 9, 10):
        assert f"assign.py:{line}: error" in out and "read-only" in out, out
