"""Streaming proof: exports several times larger than an address-space cap are ingested whole.

Each test runs a child process under RLIMIT_AS (its own size after imports plus a
32 MB headroom) on a generated single-chat export several times larger than the
headroom, once with ``messages`` before the chat's name/type/id and once after.
Holding the export (or its messages) in memory would raise MemoryError. The
reader alone reads ~290 MB under a ~60 MB cap; the whole pipeline (reader,
normalise, SQLite) stores ~95 MB under a ~90 MB cap. The pipeline batches by
record count, so these runs use batch_size=20 (long messages, ~200 KB each).
The parallel ingest (workers, queues) is measured by peak RSS instead: its queue
threads reserve address space that RLIMIT_AS counts but that is never used.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .telegram_json_support import CHAT

CHILD = Path(__file__).with_name("telegram_memory_child.py")
FILLER = "[synthetic] filler sentence describing a weekly schedule notice. "


def write_big_export(path: Path, count: int, text_chars: int, messages_last: bool) -> int:
    """A single-chat export of ``count`` messages with long texts; returns its size in bytes."""
    filler = (FILLER * (text_chars // len(FILLER) + 1))[:text_chars]
    inner = json.dumps(filler)[1:-1]
    meta = json.dumps(CHAT)[1:-1]
    sender = '"from": "[synthetic] outlet a", "from_id": "channel1000000101"'
    with path.open("w", encoding="utf-8") as fh:
        fh.write("{" + ("" if messages_last else meta + ", ") + '"messages": [\n')
        for i in range(1, count + 1):
            fh.write(f'{"," if i > 1 else ""}{{"id": {i}, "type": "message", ')
            fh.write(f'"date_unixtime": "{1686200000 + i}", {sender}, "text": "{i} {inner}"}}\n')
        fh.write("]" + (", " + meta if messages_last else "") + "}\n")
    return path.stat().st_size


def run_child(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(CHILD), *args], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def expected(count: int, text_chars: int) -> dict[str, int]:
    chars = sum(len(f"{i} ") for i in range(1, count + 1)) + count * text_chars
    return {"count": count, "id_sum": count * (count + 1) // 2, "chars": chars}


@pytest.mark.slow
@pytest.mark.parametrize("messages_last", [False, True], ids=["metadata-first", "messages-first"])
def test_reader_streams_an_export_larger_than_the_cap(tmp_path: Path, messages_last: bool) -> None:
    count, text_chars, headroom_mb = 1500, 200_000, 32
    export = tmp_path / "result.json"
    size = write_big_export(export, count, text_chars, messages_last)
    assert size > 8 * headroom_mb * 2**20
    result = run_child("reader", str(export), str(headroom_mb))
    assert size > 4 * result["cap_mb"] * 2**20
    assert {k: result[k] for k in ("count", "id_sum", "chars")} == expected(count, text_chars)
    assert result["sources"] == ["telegram:channel1000000101"]
    assert result["peak_rss_mb"] < result["cap_mb"]


@pytest.mark.slow
@pytest.mark.parametrize("messages_last", [False, True], ids=["metadata-first", "messages-first"])
def test_pipeline_stores_every_message_under_the_cap(tmp_path: Path, messages_last: bool) -> None:
    count, text_chars, headroom_mb = 500, 200_000, 32
    export = tmp_path / "result.json"
    size = write_big_export(export, count, text_chars, messages_last)
    assert size > 2.5 * headroom_mb * 2**20
    result = run_child("pipeline", str(export), str(headroom_mb), str(tmp_path / "home"))
    assert size > result["cap_mb"] * 2**20  # the pipeline process is smaller than its input
    assert result["error"] is None and result["written"] == count
    assert {k: result[k] for k in ("count", "id_sum", "chars")} == expected(count, text_chars)
    assert result["source_count"] == 1


def write_layout_export(path: Path, count: int, text_chars: int) -> int:
    """The same messages in Telegram Desktop's indented layout (the parallel split mode)."""
    filler = json.dumps((FILLER * (text_chars // len(FILLER) + 1))[:text_chars])[1:-1]
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{\n "name": "[synthetic] outlet a",\n "type": "public_channel",\n')
        fh.write(' "id": 1000000101,\n "messages": [\n')
        for i in range(1, count + 1):
            fh.write(",\n" if i > 1 else "")
            fh.write(f'  {{\n   "id": {i},\n   "type": "message",\n')
            fh.write(f'   "date_unixtime": "{1686200000 + i}",\n   "text": "{i} {filler}"\n  }}')
        fh.write("\n ]\n}\n")
    return path.stat().st_size


@pytest.mark.slow
@pytest.mark.parametrize("layout", [False, True], ids=["stream", "split"])
def test_parallel_ingest_memory_is_bounded(tmp_path: Path, layout: bool) -> None:
    """Two workers ingest ~190 MB; neither they nor the writer grow by more than 80 MB.

    Batches of 20 messages of ~200 KB: up to workers + 1 batches of message texts in
    flight, one prepared batch being written, and the splitter's 4 MB read buffer.
    """
    count, text_chars = 1000, 200_000
    export = tmp_path / "result.json"
    if layout:
        size = write_layout_export(export, count, text_chars)
    else:
        size = write_big_export(export, count, text_chars, messages_last=False)
    result = run_child("parallel", str(export), "0", str(tmp_path / "home"), "2")
    assert result["error"] is None and result["written"] == count
    assert {k: result[k] for k in ("count", "id_sum", "chars")} == expected(count, text_chars)
    assert size > 180 * 2**20
    assert result["peak_rss_mb"] - result["before_mb"] < 80, result
    assert result["worker_peak_rss_mb"] - result["before_mb"] < 80, result
