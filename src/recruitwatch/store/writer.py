"""The ingest writer: one batch, one transaction, idempotent upserts + checkpoint.

A post whose content hash is unchanged is not written again. A post whose text
changed keeps its previous text as a revision. Media files are one row per
SHA-256, linked to every post that carries them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
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


def _media_db_row(link: dict[str, Any], columns: Sequence[str]) -> tuple[Any, ...]:
    return tuple(dumps(link[c]) if c == "extra" else link[c] for c in columns)


def _media_rows(post: Post) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
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
            {
                "post_id": post.id,
                "position": position,
                "kind": media.kind,
                "sha256": media.sha256,
                "path": media.path,
                "present": media.present,
                "absent_reason": media.absent_reason,
                "mime_type": media.mime_type,
                "width": media.width,
                "height": media.height,
                "duration_seconds": media.duration_seconds,
                "file_name": media.file_name,
                "extra": dict(media.extra),
            }
        )
    return items, links


def _existing(conn: sa.Connection, ids: Sequence[str]) -> dict[str, tuple[str, str, Any]]:
    found: dict[str, tuple[str, str, Any]] = {}
    p = schema.posts
    for chunk in _chunks(ids):
        query = sa.select(p.c.id, p.c.content_hash, p.c.text, p.c.edited).where(p.c.id.in_(chunk))
        for row in conn.execute(query):
            found[row.id] = (row.content_hash, row.text, row.edited)
    return found


def stored_hashes(conn: sa.Connection, ids: Sequence[str]) -> dict[str, str]:
    """``post_id -> content_hash`` of the stored posts among ``ids``."""
    return {pid: found[0] for pid, found in _existing(conn, ids).items()}


def _text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def write_posts(conn: sa.Connection, posts: Sequence[Post]) -> list[Post]:
    """Upsert posts (and their sources and media); return the posts that changed."""
    latest: dict[str, Post] = {}
    revisions: list[dict[str, Any]] = []
    for post in posts:  # within one batch the last version of a post wins
        previous = latest.get(post.id)
        if previous is not None and previous.text != post.text:
            revisions.append(_revision(post.id, previous.text, previous.edited))
        latest[post.id] = post
    existing = _existing(conn, list(latest))
    changed: list[tuple[Post, str]] = []
    dialect = conn.dialect.name
    rows: list[tuple[Any, ...]] = []
    for pid, post in latest.items():
        raw_json = dumps(post.raw)
        digest = post.content_hash(raw_json)
        old = existing.get(pid)
        if old is not None and old[0] == digest:
            continue
        if old is not None and old[1] != post.text:
            revisions.append(_revision(pid, old[1], old[2]))
        changed.append((post, digest))
        rows.append(post_db_row(pid, post, digest, raw_json, dialect))
    if not changed:
        return []
    sources = {p.source.key: source_row(p.source) for p, _ in changed}
    _upsert_sources(conn, list(sources.values()))
    bulk_upsert(conn, "posts", POST_COLUMNS, rows, ["id"])
    media_items: dict[str, dict[str, Any]] = {}
    links: list[dict[str, Any]] = []
    for post, _ in changed:
        items, post_links = _media_rows(post)
        media_items.update((m["sha256"], m) for m in items)
        links.extend(post_links)
    upsert(conn, schema.media_items, list(media_items.values()), ["sha256"], update=False)
    ids = [p.id for p, _ in changed if p.id in existing]
    for chunk in _chunks(ids):
        conn.execute(sa.delete(schema.post_media).where(schema.post_media.c.post_id.in_(chunk)))
    if links:
        columns = tuple(links[0])
        media_rows = [_media_db_row(link, columns) for link in links]
        bulk_upsert(conn, "post_media", columns, media_rows, ["post_id", "position"])
    upsert(conn, schema.post_revisions, revisions, ["post_id", "text_sha256"], update=False)
    return [p for p, _ in changed]


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
