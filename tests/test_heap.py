"""frozen_heap: the objects alive at the start are left out of collections, then given back."""

from __future__ import annotations

import gc
import textwrap
from pathlib import Path

from mypy import api as mypy_api

from recruitwatch.heap import frozen_heap


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
