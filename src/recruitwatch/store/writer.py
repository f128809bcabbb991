"""The ingest writer: one batch, one transaction, idempotent upserts + checkpoint.

A post whose content hash is unchanged is not written again. A post whose text
changed keeps its previous text as a revision. Media files are one row per
SHA-256, linked to every post that carries them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..jsonutil import dumps
from ..model import Batch, Checkpoint, Post, Quarantined, Source
from . import schema
from .fast import bulk_upsert, db_time

CHUNK = 500


def _insert(conn: sa.Connection, table: sa.Table) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def upsert(
    conn: sa.Connection,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    update: bool = True,
) -> None:
    if not rows:
        return
    stmt = _insert(conn, table)
    if update:
        cols = [c for c in rows[0] if c not in keys]
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c: stmt.excluded[c] for c in cols}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    conn.execute(stmt, list(rows))


def _chunks(items: Sequence[str], size: int = CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def source_row(source: Source) -> dict[str, Any]:
    return {
        "id": source.key,
        "platform": source.platform,
        "handle": source.handle,
        "title": source.title,
        "kind": source.kind,
        "external_id": source.external_id,
    }


def post_row(post: Post, content_hash: str) -> dict[str, Any]:
    return {
        "id": post.id,
        "source_id": post.source.key,
        "platform": post.source.platform,
        "message_id": post.message_id,
        "date": post.date,
        "kind": post.kind,
        "text": post.text,
        "entities": [e.to_dict() for e in post.entities],
        "author": post.author,
        "sender": post.sender,
        "sender_id": post.sender_id,
        "forwarded_from": post.forwarded_from,
        "forwarded_from_id": post.forwarded_from_id,
        "saved_from": post.saved_from,
        "reply_to": post.reply_to,
        "reply_to_peer": post.reply_to_peer,
        "via_bot": post.via_bot,
        "edited": post.edited,
        "action": dict(post.action) if post.action is not None else None,
        "reactions": [dict(r) for r in post.reactions],
        "url": post.url,
        "title": post.title,
        "lang_hint": post.lang_hint,
        "raw": dict(post.raw),
        "content_hash": content_hash,
    }


def _upsert_sources(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Upsert sources; a missing title, kind or external id never erases a known one."""
    if not rows:
        return
    stmt = _insert(conn, schema.sources)
    s = schema.sources.c
    keep = {
        "title": sa.func.coalesce(stmt.excluded.title, s.title),
        "external_id": sa.func.coalesce(stmt.excluded.external_id, s.external_id),
        "kind": sa.case((stmt.excluded.kind == "unknown", s.kind), else_=stmt.excluded.kind),
    }
    conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=keep), list(rows))


POST_COLUMNS = (
    "id",
    "source_id",
    "platform",
    "message_id",
    "date",
    "kind",
    "text",
    "entities",
    "author",
    "sender",
    "sender_id",
    "forwarded_from",
    "forwarded_from_id",
    "saved_from",
    "reply_to",
    "reply_to_peer",
    "via_bot",
    "edited",
    "action",
    "reactions",
    "url",
    "title",
    "lang_hint",
    "raw",
    "content_hash",
)


def post_db_row(pid: str, post: Post, digest: str, raw_json: str, dialect: str) -> tuple[Any, ...]:
    """``post_row`` as a tuple in POST_COLUMNS order, in the driver's form (see store.fast)."""
    source = post.source
    entities = dumps([e.to_dict() for e in post.entities]) if post.entities else "[]"
    return (
        pid,
        source.key,
        source.platform,
        post.message_id,
        db_time(post.date, dialect),
        post.kind,
        post.text,
        entities,
        post.author,
        post.sender,
        post.sender_id,
        post.forwarded_from,
        post.forwarded_from_id,
        post.saved_from,
        post.reply_to,
        post.reply_to_peer,
        post.via_bot,
        db_time(post.edited, dialect),
        None if post.action is None else dumps(post.action),
        dumps(post.reactions) if post.reactions else "[]",
        post.url,
        post.title,
        post.lang_hint,
        raw_json,
        digest,
    )


LINK_COLUMNS = (
    "post_id",
    "position",
    "kind",
    "sha256",
    "path",
    "present",
    "absent_reason",
    "mime_type",
    "width",
    "height",
    "duration_seconds",
    "file_name",
    "extra",
)

MediaRows = tuple[list[dict[str, Any]], list[tuple[Any, ...]]]


def _media_rows(pid: str, post: Post) -> MediaRows:
    """The media items (dicts) and post_media links (tuples in LINK_COLUMNS order) of a post."""
    items, links = [], []
    for position, media in enumerate(post.media):
        if media.sha256:
            items.append(
                {
                    "sha256": media.sha256,
                    "kind": media.kind,
                    "mime_type": media.mime_type,
                    "size": media.size,
                    "width": media.width,
                    "height": media.height,
                    "duration_seconds": media.duration_seconds,
                    "path": media.path,
                }
            )
        links.append(
            (
                pid,
                position,
                media.kind,
                media.sha256,
                media.path,
                media.present,
                media.absent_reason,
                media.mime_type,
                media.width,
                media.height,
                media.duration_seconds,
                media.file_name,
                dumps(dict(media.extra)),
            )
        )
    return items, links


def stored_hashes(conn: sa.Connection, ids: Sequence[str]) -> dict[str, str]:
    """``post_id -> content_hash`` of the stored posts among ``ids`` (driver SQL: every batch)."""
    found: dict[str, str] = {}
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    for chunk in _chunks(ids):
        sql = f"SELECT id, content_hash FROM posts WHERE id IN ({', '.join([mark] * len(chunk))})"
        found.update((row[0], row[1]) for row in conn.exec_driver_sql(sql, tuple(chunk)))
    return found


def _existing(conn: sa.Connection, ids: Sequence[str]) -> dict[str, tuple[str, str, Any]]:
    """``id -> (content_hash, text, edited)`` of the stored posts among ``ids``."""
    found: dict[str, tuple[str, str, Any]] = {}
    p = schema.posts
    for chunk in _chunks(ids):
        query = sa.select(p.c.id, p.c.content_hash, p.c.text, p.c.edited).where(p.c.id.in_(chunk))
        for row in conn.execute(query):
            found[row.id] = (row.content_hash, row.text, row.edited)
    return found


def _text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# Where a posts row (POST_COLUMNS order) holds the id, the text and the content hash.
ID, TEXT, HASH = (POST_COLUMNS.index(c) for c in ("id", "text", "content_hash"))


@dataclass(slots=True)
class Prepared:
    """Posts in the writer's form, computed without the database.

    Plain tuples, dicts and strings only, so a worker process can prepare a batch
    and send it to the process that writes (see ``parallel_ingest``).
    """

    posts: list[tuple[Any, ...]] = field(default_factory=list)  # posts rows (POST_COLUMNS)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    media: dict[str, MediaRows] = field(default_factory=dict)
    revisions: list[dict[str, Any]] = field(default_factory=list)  # within the batch

    def __len__(self) -> int:
        return len(self.posts)

    def hashes(self) -> dict[str, str]:
        """``post id -> content hash`` of the prepared posts."""
        return {row[ID]: row[HASH] for row in self.posts}


def prepare_posts(posts: Sequence[Post], dialect: str) -> Prepared:
    """Hashes, rows and media rows of ``posts``; within a batch the last version of a post wins."""
    latest: dict[str, Post] = {}
    out = Prepared()
    for post in posts:
        pid = post.id
        previous = latest.get(pid)
        if previous is not None and previous.text != post.text:
            out.revisions.append(_revision(pid, previous.text, previous.edited))
        latest[pid] = post
    sources: dict[str, Source] = {}
    for pid, post in latest.items():
        raw_json = dumps(post.raw)
        digest = post.content_hash(raw_json)
        row = post_db_row(pid, post, digest, raw_json, dialect)
        out.posts.append(row)
        sources[post.source.key] = post.source
        if post.media:
            out.media[pid] = _media_rows(pid, post)
    out.sources = {key: source_row(source) for key, source in sources.items()}
    return out


def write_prepared(conn: sa.Connection, prepared: Prepared) -> list[str]:
    """Upsert prepared posts (and their sources and media); return the ids that changed.

    A post whose stored content hash is unchanged is skipped; one whose text
    changed keeps its stored text as a revision.
    """
    hashes = stored_hashes(conn, [row[ID] for row in prepared.posts])
    stale = [row[ID] for row in prepared.posts if hashes.get(row[ID], row[HASH]) != row[HASH]]
    existing = _existing(conn, stale) if stale else {}  # stored text and edit time
    revisions = list(prepared.revisions)
    changed: list[str] = []
    rows: list[tuple[Any, ...]] = []
    for row in prepared.posts:
        pid, text = row[ID], row[TEXT]
        old = existing.get(pid)
        if pid in hashes and old is None:
            continue  # stored with the same content hash
        if old is not None and old[1] != text:
            revisions.append(_revision(pid, old[1], old[2]))
        changed.append(pid)
        rows.append(row)
    if not changed:
        return []
    keys = dict.fromkeys(row[1] for row in rows)
    _upsert_sources(conn, [prepared.sources[key] for key in keys])
    bulk_upsert(conn, "posts", POST_COLUMNS, rows, ["id"])
    media_items: dict[str, dict[str, Any]] = {}
    links: list[tuple[Any, ...]] = []
    for pid in changed:
        found = prepared.media.get(pid)
        if found is not None:
            media_items.update((m["sha256"], m) for m in found[0])
            links.extend(found[1])
    upsert(conn, schema.media_items, list(media_items.values()), ["sha256"], update=False)
    for chunk in _chunks([pid for pid in changed if pid in hashes]):
        conn.execute(sa.delete(schema.post_media).where(schema.post_media.c.post_id.in_(chunk)))
    bulk_upsert(conn, "post_media", LINK_COLUMNS, links, ["post_id", "position"])
    upsert(conn, schema.post_revisions, revisions, ["post_id", "text_sha256"], update=False)
    return changed


def write_posts(conn: sa.Connection, posts: Sequence[Post]) -> list[Post]:
    """Upsert posts (and their sources and media); return the posts that changed."""
    changed = write_prepared(conn, prepare_posts(posts, conn.dialect.name))
    latest = {post.id: post for post in posts}
    return [latest[pid] for pid in changed]


def _revision(post_id: str, text: str, edited: Any) -> dict[str, Any]:
    return {"post_id": post_id, "text": text, "edited": edited, "text_sha256": _text_sha(text)}


def write_quarantine(conn: sa.Connection, items: Sequence[Quarantined]) -> None:
    now = datetime.now(UTC)
    rows = {
        q.key: {
            "id": q.key,
            "location": q.location,
            "locator": q.locator,
            "reason": q.reason,
            "error": q.error,
            "raw": q.raw,
            "created_at": now,
        }
        for q in items
    }
    upsert(conn, schema.quarantine, list(rows.values()), ["id"], update=False)


def write_checkpoint(conn: sa.Connection, cp: Checkpoint) -> None:
    row = {
        "stream": cp.stream,
        "fingerprint": cp.fingerprint,
        "position": cp.position,
        "done": cp.done,
        "updated_at": datetime.now(UTC),
    }
    upsert(conn, schema.checkpoints, [row], ["stream"])


def read_checkpoint(conn: sa.Connection, stream: str) -> Checkpoint | None:
    c = schema.checkpoints.c
    row = conn.execute(
        sa.select(c.stream, c.fingerprint, c.position, c.done).where(c.stream == stream)
    ).first()
    if row is None:
        return None
    return Checkpoint(row.stream, row.fingerprint, int(row.position), bool(row.done))


def write_batch(conn: sa.Connection, batch: Batch) -> list[Post]:
    """Everything of one batch in the caller's transaction; returns the posts that changed."""
    changed = write_posts(conn, batch.posts)
    write_quarantine(conn, batch.quarantined)
    if batch.checkpoint is not None:
        write_checkpoint(conn, batch.checkpoint)
    return changed


def write_prepared_batch(
    conn: sa.Connection,
    prepared: Prepared,
    quarantined: Sequence[Quarantined],
    checkpoint: Checkpoint,
) -> list[str]:
    """``write_batch`` for a batch prepared elsewhere; returns the ids of the posts that changed."""
    changed = write_prepared(conn, prepared) if prepared.posts else []
    write_quarantine(conn, quarantined)
    write_checkpoint(conn, checkpoint)
    return changed
