"""The enrich chain: ordering, effective versions, re-running only what is out of date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa

from recruitwatch.enrich.base import Enricher, Item
from recruitwatch.enrich.chain import Chain, load_items
from recruitwatch.errors import ConfigError
from recruitwatch.model import Post, Source
from recruitwatch.store import Store, schema
from recruitwatch.store.writer import write_posts

SRC = Source("telegram", "channel5", "[synthetic] C", "public_channel")


class Length(Enricher):
    NAME = "length"
    VERSION = "1"
    DESCRIPTION = "test: text length"
    calls: ClassVar[list[int]] = []

    def enrich(self, items: Sequence[Item]) -> list[Any]:
        Length.calls.append(len(items))
        return [len(i.text) for i in items]


class Double(Enricher):
    NAME = "double"
    VERSION = "1"
    REQUIRES = ("length",)
    DESCRIPTION = "test: twice the length"

    def enrich(self, items: Sequence[Item]) -> list[Any]:
        return [2 * i.results["length"] for i in items]


class Fragile(Enricher):
    NAME = "fragile"
    VERSION = "1"
    DESCRIPTION = "test: fails on one text"

    def enrich(self, items: Sequence[Item]) -> list[Any]:
        if any(i.text == "boom" for i in items):
            raise ValueError("cannot handle boom")
        return ["ok" for _ in items]


def seed(store: Store, texts: list[str]) -> None:
    posts = [
        Post(SRC, str(n), datetime(2026, 1, 1, tzinfo=UTC), t, raw={}) for n, t in enumerate(texts)
    ]
    with store.begin() as conn:
        write_posts(conn, posts)


def results(store: Store, name: str) -> dict[str, Any]:
    e = schema.enrichments.c
    with store.connect() as conn:
        rows = conn.execute(sa.select(e.post_id, e.result).where(e.enricher == name))
        return {r.post_id: r.result for r in rows}


def test_order_follows_requirements_and_versions_chain() -> None:
    chain = Chain([Double(), Length()])
    assert [s.NAME for s in chain.steps] == ["length", "double"]
    assert chain.versions == {"length": "1", "double": "1+length:1"}


def test_missing_requirement_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="requires"):
        Chain([Double()])


def test_run_pending_only_reruns_outdated(store: Store) -> None:
    seed(store, ["a", "bb", "ccc"])
    Length.calls.clear()
    done = Chain([Length(), Double()]).run_pending(store, batch_size=2)
    assert done == {"length": 3, "double": 3}
    assert results(store, "double") == {
        "telegram:channel5/0": 2,
        "telegram:channel5/1": 4,
        "telegram:channel5/2": 6,
    }
    assert Chain([Length(), Double()]).run_pending(store) == {}

    class Double2(Double):
        VERSION = "2"

    Length.calls.clear()
    assert Chain([Length(), Double2()]).run_pending(store) == {"double": 3}
    assert Length.calls == []  # the step that did not change is not re-run


def test_a_failing_item_is_isolated(store: Store) -> None:
    seed(store, ["fine", "boom", "also fine"])
    Chain([Fragile()]).run_pending(store)
    got = results(store, "fragile")
    assert got["telegram:channel5/0"] == "ok" and got["telegram:channel5/2"] == "ok"
    assert got["telegram:channel5/1"] == {"error": "ValueError: cannot handle boom"}


def test_a_failing_single_item_batch_is_recorded_not_raised(store: Store) -> None:
    seed(store, ["boom"])
    assert Chain([Fragile()]).run_pending(store) == {"fragile": 1}
    assert results(store, "fragile") == {
        "telegram:channel5/0": {"error": "ValueError: cannot handle boom"}
    }


def test_rows_made_without_the_store_write_what_store_writes(store: Store) -> None:
    """A worker makes the rows (no database); the writer stores them as ``store`` would."""
    seed(store, ["a", "bb"])
    chain = Chain([Length(), Double()])
    with store.connect() as conn:
        items = load_items(conn, ["telegram:channel5/0", "telegram:channel5/1"])
    done = chain.compute(None, items)
    stored = chain.rows(items, done)
    assert stored.post_ids() == {"telegram:channel5/0", "telegram:channel5/1"}
    assert stored.indexed == {}  # neither step keeps side tables
    with store.begin() as conn:
        assert chain.write(conn, stored) == {"length": 2, "double": 2}
    assert results(store, "double") == {"telegram:channel5/0": 2, "telegram:channel5/1": 4}
    assert chain.run_pending(store) == {}  # stored with the chain's versions


def test_enrich_missing_recomputes_changed_posts_left_out(store: Store) -> None:
    """A post changed by a batch whose enrichment was decided on older contents: its
    stored results (of the text it replaced) are recomputed in the same transaction."""
    seed(store, ["a", "bb"])
    chain = Chain([Length(), Double()])
    chain.run_pending(store)
    with store.begin() as conn:  # post 1 gets a new text, its results are now stale
        write_posts(conn, [Post(SRC, "1", datetime(2026, 1, 1, tzinfo=UTC), "cccccc", raw={})])
        chain.enrich_missing(conn, ["telegram:channel5/0", "telegram:channel5/1"], [])
    assert results(store, "length") == {"telegram:channel5/0": 1, "telegram:channel5/1": 6}
    assert results(store, "double") == {"telegram:channel5/0": 2, "telegram:channel5/1": 12}
    Length.calls.clear()
    with store.begin() as conn:  # nothing left out: nothing recomputed
        chain.enrich_missing(conn, ["telegram:channel5/1"], ["telegram:channel5/1"])
    assert Length.calls == []
