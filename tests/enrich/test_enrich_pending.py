"""`recruitwatch enrich` with the enrich workers: the results of the in-process run."""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from recruitwatch.enrich import language_step
from recruitwatch.enrich.base import Enricher, Item
from recruitwatch.enrich.chain import Chain
from recruitwatch.enrich.parallel import EnrichPool, enrich_pending
from recruitwatch.model import Post, Source
from recruitwatch.settings import Settings
from recruitwatch.store import Store, open_store, schema
from recruitwatch.store.writer import write_posts

DEV = Path(__file__).resolve().parents[3] / "shared" / "data" / "langid" / "dev.tsv"
NAMES = ["language", "entities", "text_minhash"]
SOURCES = [
    Source("telegram", f"channel6{n}", f"[synthetic] Channel {n}", "public_channel")
    for n in range(3)
]


def real_posts(n: int) -> list[Post]:
    """``n`` real sentences of ../shared/data/langid/dev.tsv spread over three sources."""
    rows = DEV.read_text(encoding="utf-8").splitlines()[1 : n + 1]
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    return [
        Post(SOURCES[i % 3], str(i), t0 + timedelta(minutes=i), row.split("\t", 4)[4], raw={})
        for i, row in enumerate(rows)
    ]


def results(store: Store) -> list[tuple[str, str, str, str]]:
    e = schema.enrichments.c
    with store.connect() as conn:
        rows = conn.execute(sa.select(e.post_id, e.enricher, e.version, e.result))
        return sorted((r[0], r[1], r[2], json.dumps(r[3], sort_keys=True)) for r in rows)


@pytest.fixture(autouse=True)
def no_priors(monkeypatch: pytest.MonkeyPatch) -> None:
    """Source priors read what is committed, which differs between the runs by timing."""
    monkeypatch.setattr(language_step, "source_priors", lambda conn, sources: {})


def seeded(tmp_path: Path, name: str, posts: list[Post]) -> tuple[Store, Settings]:
    settings = Settings(home=tmp_path / name, db=f"sqlite:///{tmp_path / name}.db", batch_size=50)
    store = open_store(settings.db_url)
    with store.begin() as conn:
        write_posts(conn, posts)
    return store, settings


def test_workers_give_the_in_process_results(tmp_path: Path) -> None:
    posts = real_posts(600)
    serial, serial_settings = seeded(tmp_path, "serial", posts)
    pooled, pooled_settings = seeded(tmp_path, "pooled", posts)
    chain = Chain.default(NAMES, serial_settings)
    assert chain.run_pending(serial, serial_settings.batch_size) == dict.fromkeys(NAMES, 600)
    seen: list[int] = []
    settings = replace(pooled_settings, enrich_workers=2)
    assert enrich_pending(chain, pooled, settings, seen.append) == dict.fromkeys(NAMES, 600)
    assert sum(seen) == 600 and len(seen) == 12  # one progress step a batch
    assert results(pooled) == results(serial)
    assert len({r[3] for r in results(pooled) if r[1] == "language"}) > 5  # many languages
    assert enrich_pending(chain, pooled, settings) == {}  # nothing left


def test_a_post_changed_meanwhile_keeps_the_newer_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ingest beside rewrites a post after its batch was read: the workers' results for
    the old text are not stored, and the next run enriches the new text."""
    posts = real_posts(120)
    store, base = seeded(tmp_path, "store", posts)
    settings = replace(base, enrich_workers=2)
    chain = Chain.default(NAMES, settings)
    target = posts[60]
    new_text = "[synthetic] Рассказ о погоде в Кундузе и в Хороге, без цифр."
    submit = EnrichPool.submit

    def submit_then_edit(self: EnrichPool, items: Sequence[Item]) -> Future[Any]:
        future = submit(self, items)
        if any(i.post_id == target.id for i in items):
            with store.begin() as conn:
                edited = Post(target.source, target.message_id, target.date, new_text, raw={})
                write_posts(conn, [edited])
        return future

    monkeypatch.setattr(EnrichPool, "submit", submit_then_edit)
    assert enrich_pending(chain, store, settings) == dict.fromkeys(NAMES, 119)
    with store.connect() as conn:
        assert chain.pending_ids(conn, "", 10) == [target.id]
    monkeypatch.setattr(EnrichPool, "submit", submit)
    assert enrich_pending(chain, store, settings) == dict.fromkeys(NAMES, 1)
    mentions = [json.loads(r[3]) for r in results(store) if r[:2] == (target.id, "entities")]
    assert {m["surface"] for m in mentions[0]} >= {"Кундузе", "Хороге"}


class NoFork(Enricher):
    NAME = "no_fork"
    VERSION = "1"
    DESCRIPTION = "test: a step whose library does not survive a fork"

    def enrich(self, items: Sequence[Item]) -> list[Any]:
        return [len(i.text) for i in items]

    def forks(self) -> bool:
        return False


def test_a_chain_that_may_not_fork_runs_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, base = seeded(tmp_path, "store", real_posts(60))
    chain = Chain([NoFork()])
    assert not chain.forks() and Chain.default(NAMES, base).forks()

    def no_pool(*args: Any) -> None:
        raise AssertionError("no worker may be forked")

    monkeypatch.setattr(EnrichPool, "__init__", no_pool)
    assert enrich_pending(chain, store, replace(base, enrich_workers=2)) == {"no_fork": 60}
