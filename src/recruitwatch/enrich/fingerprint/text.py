"""Text fingerprints: MinHash of the cross-script matching form, LSH buckets, similar().

The matching form (translit.match_form) makes a post and its Cyrillic-script copy
near-identical; links, punctuation and repeated spaces are removed so reposts
with a link appended and re-punctuated copies agree. Candidates come from LSH
buckets stored in ``text_lsh``; the score is the estimated Jaccard similarity of
the two posts' shingle sets.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import sqlalchemy as sa

from ...store import schema
from ...store.fast import bulk_upsert
from ..base import Enricher, Item
from . import minhash

THRESHOLD = 0.5
BANDS, ROWS = 25, 5  # datasketch _optimal_param(0.5, 128) -> (25, 5)

_SPACE = re.compile(r"\s+")
# Links are left out: a repost with the reposting channel's link appended is the same text.
# Numbers with their inner separators ("1.45", "12,000", "31/07"); see figures_conflict.
_FIGURE = re.compile(r"\d(?:[\d.,:/-]*\d)?")
_NOT_DIGIT = re.compile(r"\D")
_URL = re.compile(r"(?:https?://|www\.|\b(?:t|telegram)\.me/)\S+", re.IGNORECASE)


@lru_cache(maxsize=1)
def _punctuation_table() -> dict[int, str]:
    ranges = (range(0x10000), range(0x1F000, 0x1FB00))  # BMP, emoji and symbol blocks
    return {
        cp: " "
        for block in ranges
        for cp in block
        if unicodedata.category(chr(cp)).startswith(("P", "S")) and chr(cp) not in "ʻʼ'"
    }


def fingerprint_form(text: str, lang: str | None = None) -> str:
    """The text that is shingled: matching form without links, punctuation or symbols."""
    from ..translit import match_form

    form = match_form(_URL.sub(" ", text), lang).translate(_punctuation_table())
    return _SPACE.sub(" ", form).strip()


def figures(text: str) -> set[str]:
    """The numbers a text states (separators dropped, links left out)."""
    return {_NOT_DIGIT.sub("", m) for m in _FIGURE.findall(_URL.sub(" ", text))}


def figures_conflict(a: str, b: str) -> bool:
    """True when each text states a number the other does not: two reports, not one.

    Template messages ("the city's population is 4444 people" / "... 3325 people",
    the same offer at another price) share most shingles but state different facts;
    a truncated, re-punctuated or edited copy keeps the numbers it still has.
    """
    fa, fb = figures(a), figures(b)
    return bool(fa - fb) and bool(fb - fa)


def _lang(item: Item) -> str | None:
    result = item.results.get("language")
    if isinstance(result, Mapping):
        lang = result.get("lang")
        return str(lang) if lang and lang != "und" else None
    return None


class TextFingerprintEnricher(Enricher):
    NAME = "text_minhash"
    VERSION = "1"
    REQUIRES = ("language",)
    DESCRIPTION = f"MinHash ({minhash.NUM_PERM} permutations, {minhash.SHINGLE}-char shingles)"

    def enrich(self, items: Sequence[Item]) -> list[Any]:
        forms = [fingerprint_form(i.text, _lang(i)) for i in items]
        out: list[Any] = []
        for form, sig in zip(forms, minhash.signatures(forms), strict=True):
            out.append(
                None if sig is None else {"minhash": minhash.encode(sig), "chars": len(form)}
            )
        return out

    def index(self, conn: sa.Connection, results: Mapping[str, Any]) -> None:
        """Drop the LSH rows of re-fingerprinted posts; refresh_lsh adds the new ones."""
        ids = list(results)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            conn.execute(sa.delete(schema.text_lsh).where(schema.text_lsh.c.post_id.in_(chunk)))


def _lsh_rows(batch: Sequence[tuple[str, Any]]) -> list[tuple[int, str]]:
    present = [(pid, r["minhash"]) for pid, r in batch if r and "minhash" in r]
    if not present:
        return []
    sigs = np.stack([minhash.decode(value) for _, value in present])
    keys = minhash.band_keys(sigs, BANDS, ROWS).tolist()
    return [
        (key, pid) for (pid, _), post_keys in zip(present, keys, strict=True) for key in post_keys
    ]


def refresh_lsh(conn: sa.Connection, chunk: int = 20_000) -> int:
    """Add LSH buckets for every fingerprinted post that has none; returns posts indexed.

    The LSH index is brought up to date when it is queried rather than during
    ingest: bulk insertion in key order costs a fraction of 25 random B-tree
    inserts per post, and ingest stays fast.
    """
    e, lsh = schema.enrichments.c, schema.text_lsh.c
    indexed, after = 0, ""
    while True:
        missing = (
            sa.select(e.post_id, e.result)
            .where(e.enricher == TextFingerprintEnricher.NAME, e.post_id > after)
            .where(~sa.exists().where(lsh.post_id == e.post_id))
            .order_by(e.post_id)
            .limit(chunk)
        )
        batch = [(row.post_id, row.result) for row in conn.execute(missing)]
        if not batch:
            return indexed
        rows = sorted(_lsh_rows(batch))  # key order: B-tree inserts stay local
        bulk_upsert(
            conn, "text_lsh", ("bucket", "post_id"), rows, ["bucket", "post_id"], update=False
        )
        indexed += len(batch)
        after = batch[-1][0]


def _signature(conn: sa.Connection, post_id: str) -> minhash.Signature | None:
    e = schema.enrichments.c
    query = sa.select(e.result).where(
        e.post_id == post_id, e.enricher == TextFingerprintEnricher.NAME
    )
    result = conn.execute(query).scalar_one_or_none()
    return minhash.decode(result["minhash"]) if result and "minhash" in result else None


def similar(
    conn: sa.Connection, post_id: str, threshold: float = THRESHOLD, limit: int = 100
) -> list[dict[str, Any]]:
    """Posts whose text is a near-duplicate of ``post_id``: [{id, score, source}], best first.

    A candidate counts when its estimated Jaccard similarity reaches ``threshold`` and
    the two texts do not state conflicting numbers (figures_conflict).
    """
    refresh_lsh(conn)
    sig = _signature(conn, post_id)
    if sig is None:
        return []
    lsh = schema.text_lsh.c
    keys = minhash.band_keys(sig[None, :], BANDS, ROWS)[0].tolist()
    candidates = sa.select(lsh.post_id).where(lsh.bucket.in_(keys), lsh.post_id != post_id)
    e, p = schema.enrichments.c, schema.posts.c
    text = conn.execute(sa.select(p.text).where(p.id == post_id)).scalar_one()
    query = (
        sa.select(e.post_id, e.result, p.source_id, p.text)
        .join(schema.posts, p.id == e.post_id)
        .where(e.enricher == "text_minhash", e.post_id.in_(candidates))
    )
    out = []
    for row in conn.execute(query):
        score = minhash.jaccard(sig, minhash.decode(row.result["minhash"]))
        if score >= threshold and not figures_conflict(text, row.text):
            out.append({"id": row.post_id, "score": round(score, 4), "source": row.source_id})
    out.sort(key=lambda r: (-r["score"], r["id"]))
    return out[:limit]
