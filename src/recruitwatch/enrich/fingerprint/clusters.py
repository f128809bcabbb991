"""Clusters of near-duplicate posts across sources (``recruitwatch clusters``).

A cluster is an origin post and the later posts that are near-duplicates *of it*: posts
are taken oldest first, and each joins the cluster of the earlier origin it is most
similar to, or starts a cluster of its own. "Near-duplicate" is what ``similar`` means:
a shared LSH bucket (``text_lsh``), an estimated Jaccard similarity at or above the
threshold, and not different reports (``different_reports``). Every member is therefore
similar to its origin (no chains of A like B like C), and the origin is the oldest post
of its text that was stored: a copy reposted by many channels, or a mirror's back catalogue.

The work is bounded by what shares buckets: only posts in a bucket with another post
are read (signatures, texts, languages). A post is compared with at most ``MAX_TRIES``
origins (those sharing most buckets with it), among the ``RECENT_ORIGINS`` latest
origins of each of its buckets, so a bucket full of template posts that are all
different reports does not cost the square of its size.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import sqlalchemy as sa

from ...store import schema
from ...store.queries import as_utc, iso
from . import minhash
from .text import (
    THRESHOLD,
    Stage,
    different_reports,
    fingerprinted_posts,
    has_text_fingerprint,
    post_lang,
    refresh_lsh,
)

MAX_TRIES = 8
RECENT_ORIGINS = 32
PREVIEW = 120
PROGRESS_EVERY = 1000
CLUSTER_STAGE = "clustering posts that share buckets"


@dataclass(frozen=True, slots=True)
class ClusterFilter:
    """Which posts are clustered (``since``/``until``) and which clusters are kept."""

    since: datetime | None = None
    until: datetime | None = None
    sources: tuple[str, ...] = ()  # keep clusters with a post of one of these sources (ids)
    min_sources: int = 2
    min_posts: int = 2
    limit: int | None = 50


@dataclass(slots=True)
class _Post:
    id: str
    source: str
    date: datetime | None
    text: str
    lang: str | None
    sig: minhash.Signature


def _shared_buckets(conn: sa.Connection, f: ClusterFilter) -> dict[int, list[str]]:
    """Bucket -> post ids, for buckets that hold two or more posts of the window."""
    lsh, p = schema.text_lsh.c, schema.posts.c
    window: list[sa.ColumnElement[bool]] = []
    if f.since:
        window.append(p.date >= as_utc(f.since))
    if f.until:
        window.append(p.date < as_utc(f.until))
    rows = sa.select(lsh.bucket, lsh.post_id)
    if window:
        rows = rows.join(schema.posts, p.id == lsh.post_id).where(*window)
    ranked = rows.subquery()
    crowded = (
        sa.select(ranked.c.bucket).group_by(ranked.c.bucket).having(sa.func.count() > 1)
    ).subquery()
    query = (
        sa.select(ranked.c.bucket, ranked.c.post_id)
        .join(crowded, crowded.c.bucket == ranked.c.bucket)
        .order_by(ranked.c.bucket, ranked.c.post_id)
    )
    buckets: dict[int, list[str]] = defaultdict(list)
    for bucket, post_id in conn.execute(query):
        buckets[int(bucket)].append(str(post_id))
    return buckets


def _load(conn: sa.Connection, ids: Iterable[str]) -> dict[str, _Post]:
    e = schema.enrichments.c
    wanted = sorted(set(ids))
    posts: dict[str, _Post] = {}
    for start in range(0, len(wanted), 500):
        query = fingerprinted_posts().where(e.post_id.in_(wanted[start : start + 500]))
        for row in conn.execute(query):
            if row.result and "minhash" in row.result:
                sig = minhash.decode(row.result["minhash"])
                lang = post_lang(row.lang)
                posts[row.post_id] = _Post(
                    row.post_id, row.source_id, row.date, row.text or "", lang, sig
                )
    return posts


def _linked(a: _Post, b: _Post, threshold: float, score: float | None = None) -> bool:
    """Whether two posts are near-duplicates (``score``: their estimated similarity)."""
    if (minhash.jaccard(a.sig, b.sig) if score is None else score) < threshold:
        return False
    return a.text == b.text or not different_reports(a.text, b.text, a.lang, b.lang)


class _Origins:
    """The origins found so far: their posts, a matrix of their signatures, and per bucket
    the ``RECENT_ORIGINS`` latest of them (as row numbers)."""

    def __init__(self, capacity: int) -> None:
        self.posts: list[_Post] = []
        self.sigs = np.zeros((max(capacity, 1), minhash.NUM_PERM), dtype=np.uint32)
        self.by_bucket: dict[int, deque[int]] = {}
        self.by_signature: dict[bytes, int] = {}

    def add(self, post: _Post, buckets: Sequence[int]) -> None:
        row = len(self.posts)
        self.posts.append(post)
        self.sigs[row] = post.sig
        self.by_signature.setdefault(post.sig.tobytes(), row)
        for bucket in buckets:
            self.by_bucket.setdefault(bucket, deque(maxlen=RECENT_ORIGINS)).append(row)

    def best(self, post: _Post, buckets: Sequence[int], threshold: float) -> _Post | None:
        """The origin ``post`` is most similar to among those sharing a bucket with it."""
        same = self.by_signature.get(post.sig.tobytes())
        if same is not None and _linked(self.posts[same], post, threshold):
            return self.posts[same]
        found: set[int] = set()
        for bucket in buckets:
            found.update(self.by_bucket.get(bucket, ()))
        if not found:
            return None
        rows = np.fromiter(found, dtype=np.int64, count=len(found))
        scores = np.count_nonzero(self.sigs[rows] == post.sig, axis=1) / minhash.NUM_PERM
        for i in np.argsort(-scores, kind="stable")[:MAX_TRIES].tolist():
            if scores[i] < threshold:
                break
            origin = self.posts[int(rows[i])]
            if _linked(origin, post, threshold, float(scores[i])):
                return origin
        return None


def _group(
    posts: dict[str, _Post],
    post_buckets: dict[str, list[int]],
    threshold: float,
    progress: Stage | None = None,
) -> dict[str, list[_Post]]:
    """Origin id -> its cluster (origin first), taking posts oldest first."""
    origins = _Origins(len(posts))
    members: dict[str, list[_Post]] = {}
    for done, post in enumerate(sorted(posts.values(), key=_age)):
        if progress and done % PROGRESS_EVERY == 0:
            progress(CLUSTER_STAGE, done, len(posts))
        buckets = post_buckets.get(post.id, [])
        origin = origins.best(post, buckets, threshold)
        if origin is not None:
            members[origin.id].append(post)
        else:
            members[post.id] = [post]
            origins.add(post, buckets)
    return members


def _age(post: _Post) -> tuple[bool, datetime | None, str]:
    return (post.date is None, post.date, post.id)


def _cluster(ordered: Sequence[_Post]) -> dict[str, Any]:
    origin = ordered[0]
    dates = [m.date for m in ordered if m.date is not None]
    text = " ".join(origin.text.split())
    return {
        "cluster": origin.id,
        "posts": len(ordered),
        "sources": len({m.source for m in ordered}),
        "first_post": _iso(min(dates)) if dates else None,
        "last_post": _iso(max(dates)) if dates else None,
        "origin_source": origin.source,
        "text": text if len(text) <= PREVIEW else text[: PREVIEW - 1] + "…",
        "members": [
            {
                "id": m.id,
                "source": m.source,
                "date": _iso(m.date),
                "score": round(minhash.jaccard(origin.sig, m.sig), 4),
            }
            for m in ordered
        ],
    }


def _iso(value: datetime | None) -> str | None:
    return iso(as_utc(value))


def fingerprinted_count(conn: sa.Connection) -> int:
    """How many stored posts have a text fingerprint."""
    return int(conn.execute(sa.select(sa.func.count()).where(has_text_fingerprint())).scalar_one())


def clusters(
    conn: sa.Connection,
    f: ClusterFilter = ClusterFilter(),
    threshold: float = THRESHOLD,
    progress: Stage | None = None,
) -> list[dict[str, Any]]:
    """Clusters of near-duplicate posts, most sources first, then most posts, then oldest.

    Each: ``cluster`` (the id of its earliest post, its likely origin), ``posts``,
    ``sources``, ``first_post``, ``last_post``, ``origin_source``, ``text`` (the origin's,
    shortened) and ``members`` ({id, source, date, score}: score is the estimated Jaccard
    similarity to the origin), oldest first. ``progress`` follows the LSH index's update
    and the clustering.
    """
    refresh_lsh(conn, progress=progress)
    buckets = _shared_buckets(conn, f)
    post_buckets: dict[str, list[int]] = defaultdict(list)
    for bucket, ids in buckets.items():
        for pid in ids:
            post_buckets[pid].append(bucket)
    posts = _load(conn, post_buckets)
    components = _group(posts, post_buckets, threshold, progress).values()
    found = []
    for members in components:
        sources = {m.source for m in members}
        if len(members) < f.min_posts or len(sources) < f.min_sources:
            continue
        if f.sources and sources.isdisjoint(f.sources):
            continue
        found.append(_cluster(members))
    found.sort(key=lambda c: (-c["sources"], -c["posts"], c["first_post"] or "", c["cluster"]))
    return found[: f.limit]
