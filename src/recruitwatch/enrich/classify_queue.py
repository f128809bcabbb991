"""Active learning: the posts whose analyst labels would teach the model most.

Each classified post without an analyst genre gets a score from its stored
classify result: the model's uncertainty (1 - margin between its two best
genres), disagreement between rules and model (a guard changed the model's
genre), a propaganda genre without a similar labelled post (the support guard:
an analyst's label there teaches the model a new form), and a language the
model was not trained on. Highest scores first.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping
from typing import Any

import sqlalchemy as sa

from ..store import schema

DISAGREEMENT_WEIGHT = 0.5
UNSUPPORTED_WEIGHT = 0.5
NEW_LANGUAGE_WEIGHT = 0.5
SNIPPET = 80


def score(result: Mapping[str, Any]) -> tuple[float, list[str]]:
    """(score, reasons) of one classify result."""
    reasons, value = [], float(result.get("uncertainty") or 0.0)
    if value >= 0.5:
        reasons.append("uncertain")
    if result.get("guarded") or result.get("unlinked"):
        value += DISAGREEMENT_WEIGHT
        reasons.append("rule-model disagreement")
    if result.get("unsupported"):
        value += UNSUPPORTED_WEIGHT
        reasons.append("no similar labelled propaganda")
    if result.get("new_language"):
        value += NEW_LANGUAGE_WEIGHT
        reasons.append("new language")
    return round(value, 4), reasons


def _unlabelled(conn: sa.Connection) -> Iterator[Any]:
    e, lab, p = schema.enrichments.c, schema.labels.c, schema.posts.c
    labelled = sa.select(lab.post_id).where(lab.label == "genre")
    query = (
        sa.select(e.post_id, e.result, p.text)
        .join(schema.posts, p.id == e.post_id)
        .where(e.enricher == "classify", e.post_id.not_in(labelled))
    )
    yield from conn.execute(query.execution_options(yield_per=2000))


def queue(conn: sa.Connection, limit: int = 50) -> list[dict[str, Any]]:
    """The ``limit`` most informative unlabelled posts, best first."""
    rows = []
    for row in _unlabelled(conn):
        value, reasons = score(row.result or {})
        rows.append((value, row.post_id, reasons, row.result or {}, row.text or ""))
    best = heapq.nlargest(limit, rows, key=lambda r: (r[0], r[1]))
    return [
        {
            "id": pid,
            "score": value,
            "reasons": ", ".join(reasons),
            "genre": result.get("genre"),
            "text": " ".join(text.split())[:SNIPPET],
        }
        for value, pid, reasons, result, text in best
    ]
