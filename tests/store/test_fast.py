"""The bulk write path (store.fast) against SQLAlchemy's ordinary one, on both backends.

``bulk_upsert`` leaves a row's None values out of its INSERT on SQLite and
``db_time`` formats timestamps itself; what is read back must be what the
ordinary SQLAlchemy insert of the same posts gives, and an update must still set
a value that became None to NULL.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from recruitwatch.jsonutil import dumps
from recruitwatch.model import Entity, Post, Source
from recruitwatch.store import Store, schema
from recruitwatch.store.fast import SQLITE_TS, by_shape, db_time
from recruitwatch.store.writer import POST_COLUMNS, post_row, upsert, write_posts

CHAN = Source("telegram", "channel1001", "[synthetic] Outlet A", "public_channel", "1001")
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def varied_posts() -> list[Post]:
    """Posts whose optional fields are None in different combinations."""
    posts = []
    for n in range(40):
        posts.append(
            Post(
                source=CHAN,
                message_id=str(n),
                date=T0 + timedelta(minutes=n),
                text=f"[synthetic] message {n}",
                entities=(Entity("hashtag", "#syn", 0, 4),) if n % 3 == 0 else (),
                author="synthetic_editor" if n % 2 else None,
                forwarded_from="[synthetic] outlet" if n % 5 == 0 else None,
                reply_to=str(n - 1) if n % 4 == 1 else None,
                edited=T0 + timedelta(days=1, minutes=n) if n % 7 == 0 else None,
                action={"action": "pin_message"} if n % 11 == 0 else None,
                url=f"https://synthetic.example/{n}" if n % 6 == 0 else None,
                raw={"id": n, "synthetic": True},
            )
        )
    return posts


def read_posts(store: Store) -> list[dict[str, Any]]:
    with store.connect() as conn:
        rows = conn.execute(sa.select(schema.posts).order_by(schema.posts.c.id))
        return [dict(r._mapping) for r in rows]


def test_bulk_write_reads_back_as_the_ordinary_insert(store: Store, tmp_path: Any) -> None:
    posts = varied_posts()
    with store.begin() as conn:
        write_posts(conn, posts)
    fast = read_posts(store)
    with store.begin() as conn:
        conn.execute(sa.delete(schema.posts))
        rows = [post_row(p, p.content_hash()) for p in posts]
        upsert(conn, schema.posts, rows, ["id"])
    ordinary = read_posts(store)
    assert len(fast) == len(posts)
    assert fast == ordinary
    assert any(r["author"] is None for r in fast) and any(r["author"] for r in fast)


def test_update_sets_a_value_that_became_none_to_null(store: Store) -> None:
    first = varied_posts()[1]  # author, reply_to set
    assert first.author is not None and first.reply_to is not None
    later = Post(
        source=CHAN,
        message_id=first.message_id,
        date=first.date,
        text=first.text + " (edited)",
        raw={"id": 1, "synthetic": True, "edited": True},
    )
    with store.begin() as conn:
        write_posts(conn, [first])
    with store.begin() as conn:
        assert [p.id for p in write_posts(conn, [later])] == [later.id]
    (row,) = read_posts(store)
    assert row["text"] == later.text
    assert row["author"] is None and row["reply_to"] is None


values = st.one_of(st.none(), st.text(max_size=3), st.integers(-5, 5))


@given(st.lists(st.tuples(st.text(min_size=1, max_size=3), values, values, values), max_size=30))
def test_by_shape_keeps_every_value_and_drops_only_nones(rows: list[tuple[Any, ...]]) -> None:
    columns = ("id", "a", "b", "c")
    groups = by_shape(columns, rows)
    rebuilt = []
    for present, group in groups.items():
        assert present[0] == "id"
        for row in group:
            assert None not in row and len(row) == len(present)
            full = dict.fromkeys(columns)
            full.update(zip(present, row, strict=True))
            rebuilt.append(tuple(full[c] for c in columns))
    assert sorted(rebuilt, key=repr) == sorted(rows, key=repr)


ZONES = [UTC, timezone(timedelta(hours=5)), timezone(-timedelta(hours=3))]


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1),
        max_value=datetime(2200, 1, 1),
        timezones=st.sampled_from(ZONES),
    )
)
def test_db_time_is_sqlalchemy_sqlite_storage_format(value: datetime) -> None:
    expected = value.astimezone(UTC).replace(tzinfo=None).strftime(SQLITE_TS)
    assert db_time(value, "sqlite") == expected
    assert db_time(value.replace(tzinfo=None), "sqlite") == value.replace(tzinfo=None).strftime(
        SQLITE_TS
    )
    pg = db_time(value, "postgresql")
    assert pg == value and pg.tzinfo is UTC


KEYS = st.text(alphabet="abc", max_size=3) | st.integers(0, 9)  # never both 1 and "1"
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=3),
    max_leaves=12,
)


@settings(max_examples=200)
@given(json_values)
def test_dumps_is_compact_json_with_string_or_number_keys(value: Any) -> None:
    stdlib = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert dumps(value) == stdlib


def test_post_columns_are_the_table_order() -> None:
    # bulk_upsert sends a group's values in this order without reordering
    assert list(POST_COLUMNS) == [c.name for c in schema.posts.columns]
