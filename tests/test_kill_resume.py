"""kill -9 at random moments, re-run, and compare with an uninterrupted run.

A real ``recruitwatch ingest`` process is killed (SIGKILL) at random moments,
many of them inside a commit (RECRUITWATCH_FAULT_COMMIT_SLEEP stretches each
commit's transaction), then re-run until it finishes. A dump of every post
(text, entities, media, raw payload, revisions) must equal the dump of an
uninterrupted run, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from recruitwatch.store import open_store
from recruitwatch.store.queries import dump, stats

pytestmark = pytest.mark.slow

T0 = 1_767_225_600  # 2026-01-01
MESSAGES = 3000  # 75 batches of 40


def export(path: Path, n: int, edited: bool, indent: int | None = None) -> Path:
    """A synthetic single-chat export; ``edited`` rewrites every 7th message."""
    messages = []
    for i in range(1, n + 1):
        text = f"[synthetic] kill test message {i}"
        msg: dict[str, object] = {
            "id": i,
            "type": "message",
            "date_unixtime": str(T0 + 60 * i),
            "from": "[synthetic] Outlet K",
            "from_id": "channel9009",
        }
        if edited and i % 7 == 0:
            text += " (edited)"
            msg["edited_unixtime"] = str(T0 + 60 * i + 30)
        msg["text"] = [text, {"type": "hashtag", "text": f"#synthetic_{i % 5}"}]
        msg["text_entities"] = [
            {"type": "plain", "text": text},
            {"type": "hashtag", "text": f"#synthetic_{i % 5}"},
        ]
        if i % 11 == 0:
            msg["photo"] = "(File not included. Change data exporting settings to download.)"
        messages.append(msg)
    chat = {
        "name": "[synthetic] Outlet K",
        "type": "public_channel",
        "id": 9009,
        "messages": messages,
    }
    path.mkdir(parents=True, exist_ok=True)
    text = json.dumps(chat, ensure_ascii=False, indent=indent)
    (path / "result.json").write_text(text, encoding="utf-8")
    return path / "result.json"


def run(
    db: str,
    home: Path,
    target: Path,
    env: dict[str, str],
    kill_after: float | None = None,
    extra: tuple[str, ...] = (),
) -> int | None:
    cmd = [
        sys.executable,
        "-m",
        "recruitwatch",
        "--home",
        str(home),
        "--db",
        db,
        "ingest",
        "--batch-size",
        "40",
        *extra,
        str(target),
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if kill_after is None:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
        return 0
    time.sleep(kill_after)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()  # reaps the process and closes its pipe
        return None
    proc.communicate()
    return proc.returncode


def assert_no_orphans(home: Path) -> None:
    """Enrich workers of killed runs exit by themselves (they watch their parent)."""
    deadline = time.monotonic() + 10
    while True:
        left = [p for p in Path("/proc").glob("[0-9]*") if _runs_in(p, home)]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert not left, f"{len(left)} processes of killed runs are still alive"


def _runs_in(proc: Path, home: Path) -> bool:
    try:
        return str(home).encode() in (proc / "cmdline").read_bytes()
    except OSError:
        return False


# The parallel ingest (workers prepare, and unless --no-enrich enrich, batches; Telegram
# Desktop's layout split in the main process): forced on for these small files.
PARALLEL = {"RECRUITWATCH_INGEST_PARALLEL_MB": "0", "RECRUITWATCH_INGEST_WORKERS": "2"}


def kill_and_resume(
    db_url: str, tmp_path: Path, parallel: bool = False, enrich: bool = True
) -> None:
    indent = 1 if parallel else None  # Telegram Desktop's own layout
    first = export(tmp_path / "v1", MESSAGES, edited=False, indent=indent)
    second = export(tmp_path / "v2", MESSAGES, edited=True, indent=indent)
    env = dict(os.environ) | (PARALLEL if parallel else {})
    extra = () if enrich else ("--no-enrich",)
    home = tmp_path / "home"
    run(db_url, home, first, env, extra=extra)
    # Each commit's transaction lasts >= 0.1 s, so a run commits at most ~25 of the 75
    # batches before it is killed, most kills land inside a commit, and every run that
    # gets past start-up makes progress.
    env["RECRUITWATCH_FAULT_COMMIT_SLEEP"] = "0.1"
    rng = random.Random(20261128)
    kills = 0
    while kills < 12:
        code = run(db_url, home, second, env, kill_after=rng.uniform(1.5, 4.0), extra=extra)
        if code is not None:
            assert code == 0
            break
        kills += 1
    else:
        run(db_url, home, second, env, extra=extra)
    assert kills >= 3, "the ingest finished before it could be killed: make the export larger"
    assert_no_orphans(home)
    run(db_url, home, second, env, extra=extra)  # a finished stream re-read is a no-op
    store = open_store(db_url)
    with store.connect() as conn:
        got, got_stats = dump(conn), stats(conn)
    store.dispose()
    assert got_stats["posts"] == MESSAGES
    assert got_stats["revisions"] == MESSAGES // 7
    assert got == reference(tmp_path, first, second, extra)


def reference(
    tmp_path: Path, first: Path, second: Path, extra: tuple[str, ...]
) -> list[dict[str, object]]:
    """The same two inputs ingested without interruption, serially."""
    url = f"sqlite:///{tmp_path / 'reference.db'}"
    env = dict(os.environ)
    run(url, tmp_path / "ref-home", first, env, extra=extra)
    run(url, tmp_path / "ref-home", second, env, extra=extra)
    store = open_store(url)
    with store.connect() as conn:
        out = dump(conn)
    store.dispose()
    return out


def test_kill_resume_sqlite(tmp_path: Path) -> None:
    kill_and_resume(f"sqlite:///{tmp_path / 'killed.db'}", tmp_path)


def test_kill_resume_parallel_sqlite(tmp_path: Path) -> None:
    kill_and_resume(f"sqlite:///{tmp_path / 'killed.db'}", tmp_path, parallel=True, enrich=False)


def test_kill_resume_parallel_enriching_sqlite(tmp_path: Path) -> None:
    """The ingest workers enrich: posts and every enrichment result as uninterrupted."""
    kill_and_resume(f"sqlite:///{tmp_path / 'killed.db'}", tmp_path, parallel=True)


@pytest.mark.postgres
def test_kill_resume_postgres(tmp_path: Path, pg_url: str) -> None:
    kill_and_resume(pg_url, tmp_path)
