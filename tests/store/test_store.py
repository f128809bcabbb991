"""The store suite: every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from recruitwatch.model import Checkpoint, Entity, MediaRef, Post, Quarantined, Source
from recruitwatch.store import Store, schema
from recruitwatch.store.queries import PostFilter, iter_posts, list_quarantine, list_sources, stats
from recruitwatch.store.writer import (
    read_checkpoint,
    write_checkpoint,
    write_posts,
    write_quarantine,
)

CHAN = Source("telegram", "channel1001", "[synthetic] Outlet A", "public_channel", "1001")
FEED = Source("feed", "synthetic-news.example", "[synthetic] News", "feed")
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
SHA_A = "a" * 64
SHA_B = "b" * 64


def post(n: int, text: str = "", source: Source = CHAN, **kw: object) -> Post:
    return Post(
        source=source,
        message_id=str(n),
        date=T0 + timedelta(hours=n),
        text=text or f"[synthetic] message {n}",
        raw={"id": n},
        **kw,
    )  # type: ignore[arg-type]


def count(store: Store, table: sa.Table) -> int:
    with store.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def write(store: Store, posts: list[Post]) -> int:
    with store.begin() as conn:
        return len(write_posts(conn, posts))


def all_posts(store: Store, f: PostFilter | None = None) -> list[dict[str, object]]:
    with store.connect() as conn:
        return list(iter_posts(conn, f or PostFilter()))


def test_schema_matches_migrations(store: Store) -> None:
    with store.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), schema.metadata)
    assert diff == []
    assert store.current_revision() == store.head_revision() == "0004_labels"


def test_upsert_is_idempotent(store: Store) -> None:
    posts = [post(i) for i in range(5)]
    assert write(store, posts) == 5
    assert write(store, posts) == 0
    assert count(store, schema.posts) == 5
    assert count(store, schema.sources) == 1


def test_edit_keeps_previous_text_as_revision(store: Store) -> None:
    write(store, [post(1, "[synthetic] first wording")])
    edited = post(1, "[synthetic] second wording", edited=T0 + timedelta(days=1))
    assert write(store, [edited]) == 1
    assert write(store, [edited]) == 0
    rows = all_posts(store)
    assert [r["text"] for r in rows] == ["[synthetic] second wording"]
    assert rows[0]["edited"] == "2026-01-02T12:00:00Z"
    with store.connect() as conn:
        revs = conn.execute(sa.select(schema.post_revisions.c.text)).scalars().all()
    assert revs == ["[synthetic] first wording"]


def test_edits_within_one_batch_keep_every_version(store: Store) -> None:
    write(store, [post(1, "v1"), post(1, "v2"), post(1, "v3")])
    with store.connect() as conn:
        revs = sorted(conn.execute(sa.select(schema.post_revisions.c.text)).scalars())
    assert revs == ["v1", "v2"]
    assert all_posts(store)[0]["text"] == "v3"


def test_same_file_in_two_channels_is_one_media_item(store: Store) -> None:
    photo = MediaRef("photo", "photos/a.jpg", True, SHA_A, 10, "image/jpeg", 320, 240)
    other = Source("telegram", "channel2002", "[synthetic] Outlet A (backup)", "public_channel")
    absent = MediaRef("voice", None, False, absent_reason="(File not included. ...)")
    write(store, [post(1, media=(photo, absent)), post(7, source=other, media=(photo,))])
    assert count(store, schema.media_items) == 1
    assert count(store, schema.post_media) == 3
    first = all_posts(store)[0]
    assert [m["kind"] for m in first["media"]] == ["photo", "voice"]  # type: ignore[index]
    assert first["media"][1]["present"] is False  # type: ignore[index]


def test_media_change_replaces_links(store: Store) -> None:
    write(store, [post(1, media=(MediaRef("photo", "a.jpg", True, SHA_A),))])
    write(store, [post(1, media=(MediaRef("document", "b.pdf", True, SHA_B),))])
    media = all_posts(store)[0]["media"]
    assert [m["sha256"] for m in media] == [SHA_B]  # type: ignore[index]
    assert count(store, schema.media_items) == 2


def test_unicode_entities_and_dates_round_trip(store: Store) -> None:
    text = "Ўзбекистон 🙂 دوشنبه — हिन्दी \U0001f9ea"
    ent = Entity("text_link", "Ўзбекистон", 0, 10, href="https://t.me/synthetic_channel_b")
    write(store, [post(3, text, entities=(ent,), reactions=({"type": "emoji", "count": 2},))])
    row = all_posts(store)[0]
    assert row["text"] == text
    assert row["entities"] == [ent.to_dict()]
    assert row["date"] == "2026-01-01T15:00:00Z"
    assert row["reactions"] == [{"type": "emoji", "count": 2}]


def test_filters(store: Store) -> None:
    write(store, [post(i) for i in range(10)] + [post(100, "[synthetic] Feed article", FEED)])
    assert len(all_posts(store, PostFilter(source="channel1001"))) == 10
    assert len(all_posts(store, PostFilter(source="[synthetic] News"))) == 1
    since = PostFilter(since=T0 + timedelta(hours=5), until=T0 + timedelta(hours=8))
    assert [r["message_id"] for r in all_posts(store, since)] == ["5", "6", "7"]
    assert [r["message_id"] for r in all_posts(store, PostFilter(text="FEED art"))] == ["100"]
    assert len(all_posts(store, PostFilter(limit=4))) == 4


def test_paging_returns_every_post_once(store: Store) -> None:
    write(store, [post(i) for i in range(2345)])
    ids = [r["id"] for r in all_posts(store)]
    assert len(ids) == len(set(ids)) == 2345


def test_quarantine_is_idempotent(store: Store) -> None:
    bad = Quarantined("x.json", "messages[3] (id 4)", "message has no date", "RecordError", "{}")
    for _ in range(2):
        with store.begin() as conn:
            write_quarantine(conn, [bad, bad])
    with store.connect() as conn:
        rows = list_quarantine(conn)
    assert [(r["location"], r["locator"], r["reason"]) for r in rows] == [
        ("x.json", "messages[3] (id 4)", "message has no date")
    ]


def test_checkpoint_round_trip(store: Store) -> None:
    with store.begin() as conn:
        write_checkpoint(conn, Checkpoint("telegram-json:x", "fp", 10))
        write_checkpoint(conn, Checkpoint("telegram-json:x", "fp", 20, done=True))
    with store.connect() as conn:
        assert read_checkpoint(conn, "telegram-json:x") == Checkpoint(
            "telegram-json:x", "fp", 20, True
        )
        assert read_checkpoint(conn, "missing") is None


def test_stats_and_sources(store: Store) -> None:
    photo = MediaRef("photo", "a.jpg", True, SHA_A)
    write(store, [post(1, media=(photo,)), post(2), post(3, "[synthetic] a", FEED, kind="article")])
    with store.connect() as conn:
        data, srcs = stats(conn), list_sources(conn)
    assert data["posts"] == 3 and data["sources"] == 2 and data["media_items"] == 1
    assert data["posts_by_kind"] == {"message": 2, "article": 1}
    assert data["media_by_kind"] == {"photo": 1}
    assert {s["id"]: s["posts"] for s in srcs} == {CHAN.key: 2, FEED.key: 1}


def test_source_title_is_not_erased_by_a_titleless_record(store: Store) -> None:
    write(store, [post(1)])
    bare = Source("telegram", "channel1001")  # e.g. a table row naming the same source
    write(store, [post(2, source=bare)])
    with store.connect() as conn:
        (row,) = list_sources(conn)
    assert row["title"] == CHAN.title and row["kind"] == "public_channel"
    renamed = Source("telegram", "channel1001", "[synthetic] Outlet A renamed", "public_channel")
    write(store, [post(3, source=renamed)])
    with store.connect() as conn:
        assert list_sources(conn)[0]["title"] == "[synthetic] Outlet A renamed"
