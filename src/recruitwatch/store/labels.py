"""Merging stored labels into a post's public fields: analyst labels win.

``post_fields(result, analyst)`` turns the classify enricher's result and the
analyst labels of one post into ``genre``, ``themes``, ``tier`` and ``labels``
(every label with its provenance and confidence). Nothing here overwrites an
analyst label: model and rule labels are only listed beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from ..errors import InputError
from . import schema

ANALYST_CONFIDENCE = 1.0


def analyst_label(kind: str, value: str, analyst: str) -> dict[str, Any]:
    return {
        "label": kind,
        "value": value,
        "source": f"analyst:{analyst}",
        "confidence": ANALYST_CONFIDENCE,
    }


def _values(labels: Sequence[Mapping[str, Any]], kind: str) -> list[str]:
    return [str(lab["value"]) for lab in labels if lab["label"] == kind]


def post_fields(
    result: Mapping[str, Any] | None, analyst: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """genre, themes, tier and labels of one post (analyst labels win per label kind)."""
    result = result or {}
    machine = list(result.get("labels") or [])
    genre = _values(analyst, "genre")
    themes = _values(analyst, "theme") or list(result.get("themes") or [])
    tier = _values(analyst, "tier")
    return {
        "genre": genre[-1] if genre else result.get("genre"),
        "themes": sorted(set(themes)),
        "tier": tier[-1] if tier else result.get("tier"),
        "labels": [dict(lab) for lab in analyst] + machine,
    }


# --- the analyst label table ------------------------------------------------------------

LABEL_KINDS = ("genre", "theme", "tier")
CSV_COLUMNS = ("post_id", "genre", "themes", "tier", "analyst", "note")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def set_labels(
    conn: sa.Connection,
    post_id: str,
    values: Mapping[str, Sequence[str]],
    analyst: str,
    note: str | None = None,
) -> int:
    """Store ``analyst``'s labels of one post; each kind given replaces that kind."""
    p, t = schema.posts.c, schema.labels
    if conn.execute(sa.select(p.id).where(p.id == post_id)).first() is None:
        raise InputError(post_id, "no such post in the store")
    rows = []
    for kind, vals in values.items():
        conn.execute(
            t.delete().where(t.c.post_id == post_id, t.c.label == kind, t.c.analyst == analyst)
        )
        rows += [
            {"post_id": post_id, "label": kind, "value": v, "analyst": analyst, "note": note}
            for v in dict.fromkeys(vals)
        ]
    if rows:
        conn.execute(t.insert(), [{**r, "created": _now()} for r in rows])
    return len(rows)


def analyst_labels(conn: sa.Connection, ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """``post_id -> [label with provenance]`` for the analyst labels of ``ids``."""
    t = schema.labels.c
    out: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    query = sa.select(t.post_id, t.label, t.value, t.analyst).where(t.post_id.in_(ids))
    for row in conn.execute(query.order_by(t.created, t.label, t.value)):
        out[row.post_id].append(analyst_label(row.label, row.value, row.analyst))
    return out


def all_analyst_labels(conn: sa.Connection) -> dict[str, dict[str, list[str]]]:
    """``post_id -> {kind: [values]}`` over the whole store (for training)."""
    t = schema.labels.c
    out: dict[str, dict[str, list[str]]] = {}
    for row in conn.execute(sa.select(t.post_id, t.label, t.value).order_by(t.post_id)):
        out.setdefault(row.post_id, {}).setdefault(row.label, []).append(row.value)
    return out
