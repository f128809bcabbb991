"""The language enricher: language + script per post, with the source's history as prior.

The prior is the distribution of languages already stored for the post's source
(committed posts only), so a short or ambiguous post leans towards what its
channel usually posts. The source's declared language (a feed's language, a
channel marked as Dari) is passed as the hint.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ..store import schema
from .base import Enricher, Item

PRIOR_MIN_POSTS = 5
PRIOR_WINDOW = 200


def source_priors(conn: sa.Connection, sources: Sequence[str]) -> dict[str, dict[str, float]]:
    """Share of each language tag among each source's most recent stored posts.

    Only the last PRIOR_WINDOW posts count (an index range scan per source), so the
    cost stays constant as a channel grows and the prior follows its recent languages.
    """
    e, p = schema.enrichments.c, schema.posts.c
    tag = e.result["tag"].as_string()
    priors = {}
    for source in sources:
        recent = (
            sa.select(p.id).where(p.source_id == source).order_by(p.date.desc()).limit(PRIOR_WINDOW)
        )
        query = sa.select(tag).where(e.enricher == "language", e.post_id.in_(recent))
        counter = Counter(v for v in conn.execute(query).scalars() if v and v != "und")
        total = sum(counter.values())
        if total >= PRIOR_MIN_POSTS:
            priors[source] = {k: v / total for k, v in counter.items()}
    return priors


class LanguageEnricher(Enricher):
    NAME = "language"
    VERSION = "1"
    DESCRIPTION = "language (BCP 47) and script: pycld2 + script and alphabet rules + source prior"

    def __init__(self) -> None:
        self.priors: dict[str, dict[str, float]] = {}

    def prepare(self, conn: sa.Connection | None, items: Sequence[Item]) -> None:
        if conn is not None:
            self.priors = source_priors(conn, sorted({i.source for i in items}))

    def enrich(self, items: Sequence[Item]) -> list[Any]:
        from .language import detect_language

        out = []
        for item in items:
            prior = self.priors.get(item.source)
            res = detect_language(item.text, hint=item.lang_hint, prior=prior)
            out.append(
                {
                    "tag": res.tag,
                    "lang": res.lang,
                    "script": res.script,
                    "confidence": round(res.confidence, 4),
                }
            )
        return out
