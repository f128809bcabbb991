"""Read side: sources, posts (filtered), stats, quarantine. Each returns plain dicts.

These dicts are the one shape that the CLI (table/json/jsonl/csv) and, later,
the web application render.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from ..errors import InputError
from . import schema
from .labels import analyst_labels, post_fields

PAGE = 1000


def as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    value = as_utc(value)
    return value.isoformat().replace("+00:00", "Z") if value else None


@dataclass(frozen=True, slots=True)
class PostFilter:
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None
    kind: str | None = None
    limit: int | None = None
    lang: str | None = None
    mentions: tuple[str, ...] = ()  # entity ids: posts that mention any of them


def list_sources(conn: sa.Connection) -> list[dict[str, Any]]:
    s, p = schema.sources, schema.posts
    query = (
        sa.select(
            s,
            sa.func.count(p.c.id).label("posts"),
            sa.func.min(p.c.date).label("first_post"),
            sa.func.max(p.c.date).label("last_post"),
        )
        .select_from(s.outerjoin(p, p.c.source_id == s.c.id))
        .group_by(*s.c)
        .order_by(s.c.id)
    )
    out = []
    for row in conn.execute(query).mappings():
        item = dict(row)
        item["first_post"], item["last_post"] = iso(row["first_post"]), iso(row["last_post"])
        out.append(item)
    return out


def _source_clause(value: str) -> sa.ColumnElement[bool]:
    s = schema.sources.c
    return sa.or_(s.id == value, s.handle == value, s.title == value)


def source_ids(conn: sa.Connection, value: str) -> tuple[str, ...]:
    """The ids of the sources ``value`` names (id, handle or title); InputError if none."""
    found = tuple(
        conn.execute(sa.select(schema.sources.c.id).where(_source_clause(value))).scalars()
    )
    if not found:
        raise InputError(value, "no such source (see `recruitwatch sources`)")
    return found


def _where(f: PostFilter) -> list[sa.ColumnElement[bool]]:
    p = schema.posts.c
    clauses: list[sa.ColumnElement[bool]] = []
    if f.source:
        ids = sa.select(schema.sources.c.id).where(_source_clause(f.source))
        clauses.append(p.source_id.in_(ids))
    if f.since:
        clauses.append(p.date >= as_utc(f.since))
    if f.until:
        clauses.append(p.date < as_utc(f.until))
    if f.text:
        clauses.append(p.text.ilike(f"%{f.text}%"))
    if f.kind:
        clauses.append(p.kind == f.kind)
    if f.lang:
        e = schema.enrichments.c
        tagged = sa.select(e.post_id).where(
            e.enricher == "language",
            sa.or_(e.result["tag"].as_string() == f.lang, e.result["lang"].as_string() == f.lang),
        )
        clauses.append(p.id.in_(tagged))
    if f.mentions:
        clauses.append(p.id.in_(_mentioning(f.mentions)))
    return clauses


def _mentioning(ids: Sequence[str]) -> sa.Select[tuple[str]]:
    """Posts whose ``entities`` result names one of ``ids``: the stored JSON text holds
    ``"id":"<id>"`` (compact, as the chain writes it, or with a space after the colon)."""
    e = schema.enrichments.c
    stored = sa.cast(e.result, sa.Text)
    found = [
        stored.contains(f'"id":{sep}{json.dumps(i, ensure_ascii=False)}', autoescape=True)
        for i in ids
        for sep in ("", " ")
    ]
    return sa.select(e.post_id).where(e.enricher == "entities", sa.or_(*found))


def _media_for(conn: sa.Connection, ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    m = schema.post_media.c
    out: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    query = sa.select(schema.post_media).where(m.post_id.in_(ids)).order_by(m.post_id, m.position)
    for row in conn.execute(query).mappings():
        item = {k: row[k] for k in ("kind", "sha256", "path", "present", "mime_type")}
        item.update({k: row[k] for k in ("width", "height", "duration_seconds", "file_name")})
        item["absent_reason"] = row["absent_reason"]
        out[row["post_id"]].append(item)
    return out


def enrichment_results(conn: sa.Connection, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``post_id -> {enricher: result}``."""
    e = schema.enrichments.c
    out: dict[str, dict[str, Any]] = {i: {} for i in ids}
    query = sa.select(e.post_id, e.enricher, e.result).where(e.post_id.in_(ids))
    for row in conn.execute(query):
        out[row.post_id][row.enricher] = row.result
    return out


def _enriched_fields(results: dict[str, Any]) -> dict[str, Any]:
    lang = results.get("language") or {}
    text_fp = results.get("text_minhash")
    fingerprints: dict[str, Any] = {}
    if text_fp:
        fingerprints["text"] = {"algorithm": "minhash-128-char5", "value": text_fp["minhash"]}
    media_fp = results.get("media_fingerprints")
    if media_fp:
        fingerprints["media"] = media_fp.get("media", [])
    return {
        "lang": lang.get("tag"),
        "script": lang.get("script"),
        "lang_confidence": lang.get("confidence"),
        "mentions": results.get("entities") or [],
        "fingerprints": fingerprints,
        **post_fields(results.get("classify"), results.get("analyst_labels") or ()),
    }


def post_record(
    row: sa.RowMapping, media: list[dict[str, Any]], results: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The public shape of a post (``posts --format jsonl``)."""
    return {
        "id": row["id"],
        "source": row["source_id"],
        "source_title": row["source_title"],
        "platform": row["platform"],
        "message_id": row["message_id"],
        "kind": row["kind"],
        "date": iso(row["date"]),
        "text": row["text"],
        "author": row["author"],
        "sender": row["sender"],
        "sender_id": row["sender_id"],
        "forwarded_from": row["forwarded_from"],
        "forwarded_from_id": row["forwarded_from_id"],
        "saved_from": row["saved_from"],
        "reply_to": row["reply_to"],
        "reply_to_peer": row["reply_to_peer"],
        "via_bot": row["via_bot"],
        "edited": iso(row["edited"]),
        "action": row["action"],
        "url": row["url"],
        "title": row["title"],
        "lang_hint": row["lang_hint"],
        "media": media,
        "entities": row["entities"],
        "reactions": row["reactions"],
        **_enriched_fields(results or {}),
    }


def iter_posts(
    conn: sa.Connection, f: PostFilter = PostFilter(), with_raw: bool = False
) -> Iterator[dict[str, Any]]:
    """Posts matching ``f`` ordered by (date, id), paged so memory stays bounded."""
    p, s = schema.posts, schema.sources
    cols = [c for c in p.c if with_raw or c.name != "raw"]
    base = (
        sa.select(*cols, s.c.title.label("source_title"))
        .select_from(p.join(s, s.c.id == p.c.source_id))
        .where(*_where(f))
        .order_by(p.c.date, p.c.id)
    )
    emitted, offset = 0, 0
    while True:
        page = PAGE if f.limit is None else min(PAGE, f.limit - emitted)
        if page <= 0:
            return
        rows = list(conn.execute(base.limit(page).offset(offset)).mappings())
        if not rows:
            return
        ids = [r["id"] for r in rows]
        media, results = _media_for(conn, ids), enrichment_results(conn, ids)
        for pid, labs in analyst_labels(conn, ids).items():
            results[pid]["analyst_labels"] = labs
        for row in rows:
            record = post_record(row, media[row["id"]], results[row["id"]])
            if with_raw:
                record["raw"] = row["raw"]
            yield record
        emitted += len(rows)
        offset += len(rows)


def revisions(conn: sa.Connection, post_id: str) -> list[dict[str, Any]]:
    r = schema.post_revisions.c
    query = sa.select(r.text, r.edited).where(r.post_id == post_id).order_by(r.id)
    return [{"text": row.text, "edited": iso(row.edited)} for row in conn.execute(query)]


def stats(conn: sa.Connection) -> dict[str, Any]:
    p = schema.posts.c

    def count(table: sa.Table) -> int:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())

    by_platform = conn.execute(sa.select(p.platform, sa.func.count()).group_by(p.platform)).all()
    by_kind = conn.execute(sa.select(p.kind, sa.func.count()).group_by(p.kind)).all()
    mk = schema.post_media.c
    by_media = conn.execute(sa.select(mk.kind, sa.func.count()).group_by(mk.kind)).all()
    first, last = conn.execute(sa.select(sa.func.min(p.date), sa.func.max(p.date))).one()
    e = schema.enrichments.c
    tag = e.result["tag"].as_string()
    by_lang = conn.execute(
        sa.select(tag, sa.func.count()).where(e.enricher == "language").group_by(tag)
    ).all()
    return {
        "sources": count(schema.sources),
        "posts": count(schema.posts),
        "revisions": count(schema.post_revisions),
        "media_items": count(schema.media_items),
        "media_links": count(schema.post_media),
        "quarantined": count(schema.quarantine),
        "posts_by_platform": {k: int(v) for k, v in by_platform},
        "posts_by_kind": {k: int(v) for k, v in by_kind},
        "media_by_kind": {k: int(v) for k, v in by_media},
        "posts_by_lang": {str(k): int(v) for k, v in sorted(by_lang, key=lambda r: -r[1])},
        "first_post": iso(first),
        "last_post": iso(last),
    }


def list_quarantine(conn: sa.Connection, limit: int | None = None) -> list[dict[str, Any]]:
    q = schema.quarantine.c
    query = sa.select(schema.quarantine).order_by(q.created_at, q.location, q.locator)
    if limit:
        query = query.limit(limit)
    out = []
    for row in conn.execute(query).mappings():
        item = dict(row)
        item["created_at"] = iso(row["created_at"])
        out.append(item)
    return out


def dump(conn: sa.Connection) -> list[dict[str, Any]]:
    """Every post with raw payload and revisions: used to compare two databases."""
    out = []
    for record in iter_posts(conn, with_raw=True):
        record["revisions"] = revisions(conn, record["id"])
        out.append(record)
    return out


@dataclass(frozen=True, slots=True)
class MentionFilter:
    kind: str | None = None
    country: str | None = None
    limit: int | None = 50

    def keeps(self, mention: dict[str, Any]) -> bool:
        if self.kind and mention.get("kind") != self.kind:
            return False
        country = str(mention.get("country") or "").upper()
        return not self.country or country == self.country.upper()


@dataclass(slots=True)
class _Tally:
    mention: dict[str, Any]
    posts: int = 0
    sources: set[str] = field(default_factory=set)
    first: datetime | None = None
    last: datetime | None = None
    forms: Counter[str] = field(default_factory=Counter)

    def add(self, source_id: str, date: datetime | None) -> None:
        self.posts += 1
        self.sources.add(source_id)
        if date is not None:
            self.first = date if self.first is None else min(self.first, date)
            self.last = date if self.last is None else max(self.last, date)

    def row(self) -> dict[str, Any]:
        m = self.mention
        return {
            "id": m.get("id"),
            "kind": m.get("kind"),
            "name": m.get("name"),
            "country": m.get("country"),
            "posts": self.posts,
            "sources": len(self.sources),
            "first_post": iso(as_utc(self.first)),
            "last_post": iso(as_utc(self.last)),
            "forms": [form for form, _ in self.forms.most_common(5)],
        }


def mention_counts(
    conn: sa.Connection, f: PostFilter = PostFilter(), m: MentionFilter = MentionFilter()
) -> list[dict[str, Any]]:
    """Entities mentioned in the posts ``f`` selects, most posts first: id, kind, name,
    country, posts, sources, first and last post, and the forms written (most used first)."""
    p, e = schema.posts.c, schema.enrichments.c
    query = (
        sa.select(p.source_id, p.date, e.result)
        .join(schema.enrichments, e.post_id == p.id)
        .where(e.enricher == "entities", *_where(f))
        .execution_options(yield_per=PAGE)
    )
    tallies: dict[str, _Tally] = {}
    for source_id, date, result in conn.execute(query):
        mentions = [x for x in result or [] if isinstance(x, dict) and m.keeps(x)]
        for x in mentions:
            tallies.setdefault(str(x.get("id")), _Tally(x)).forms[str(x.get("surface"))] += 1
        for entity in {str(x.get("id")) for x in mentions}:
            tallies[entity].add(source_id, date)
    ranked = sorted(tallies.items(), key=lambda kv: (-kv[1].posts, kv[0]))
    return [t.row() for _, t in ranked[: m.limit]]
