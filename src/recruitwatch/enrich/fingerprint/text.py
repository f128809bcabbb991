"""Text fingerprints: MinHash of the cross-script matching form, LSH buckets, similar().

The matching form (translit.match_form) makes a post and its Cyrillic-script copy
near-identical; links, punctuation and repeated spaces are removed so reposts
with a link appended and re-punctuated copies agree. Candidates come from LSH
buckets stored in ``text_lsh``; the score is the estimated Jaccard similarity of
the two posts' shingle sets. A candidate above the threshold is then verified
(``different_reports``): template posts that state other numbers or put other
names in the same frame are different reports, not copies.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any, NamedTuple

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
# What ends a sentence (Latin, Arabic-script, Devanagari, Armenian, CJK) or a line: the next
# word is capitalised by grammar, not because it is a name.
_SENTENCE_END = ".!?…؟۔।։。！？\n"


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


@lru_cache(maxsize=1)
def _sentence_table() -> dict[int, str]:
    """The punctuation table, with sentence ends (and line breaks) made line breaks."""
    return {**_punctuation_table(), **{ord(c): "\n" for c in _SENTENCE_END}}


class Word(NamedTuple):
    form: str  # matching form
    text: str  # as written, punctuation left out
    name: bool  # written as a name


def words(text: str, lang: str | None = None) -> list[Word]:
    """The words of ``fingerprint_form``, each with whether it is written as a name.

    A name is a word with a capital letter that does not open a sentence or a line
    ("Ghatal", "West Bengal", "VS401", "iPhone"); ``form`` is the word's matching
    form, so a Cyrillic-script copy has the same forms as its Latin original.
    """
    from ..translit import match_form

    written, names = [], []
    for line in _URL.sub(" ", text).translate(_sentence_table()).split("\n"):
        for i, word in enumerate(line.split()):
            written.append(word)
            names.append(i > 0 and any(c.isupper() for c in word))
    # One call, so that a text without a language is sniffed as a whole, as its form is.
    forms = match_form(" ".join(written), lang).split(" ")
    if len(forms) != len(written):  # a word with an empty form: convert one by one
        forms = [match_form(word, lang) for word in written]
    return [Word(*w) for w in zip(forms, written, names, strict=True) if w[0]]


def _slot(run: list[Word]) -> bool:
    """A run that is mostly names (at least half its words): a filled-in slot."""
    return 2 * sum(w.name for w in run) >= len(run)


def _swapped_names(a: list[Word], b: list[Word], lang_a: str | None, lang_b: str | None) -> bool:
    """Both runs are slots, and not the same letters joined or split otherwise."""
    from ..translit import match_form

    if not _slot(a) or not _slot(b):
        return False
    joined_a = match_form("".join(w.text for w in a), lang_a)
    return joined_a != match_form("".join(w.text for w in b), lang_b)


def names_conflict(a: str, b: str, lang_a: str | None = None, lang_b: str | None = None) -> bool:
    """True when, inside the words the texts share, each puts a different name in one place.

    Template messages keep a frame and change its slots ("Latest news from Ghatal (West
    Bengal) in Urdu ..." / "... from Teonthar (Madhya Pradesh) ...", "Fastrack Reflex Vox
    Smartwatch @1995" / "... Vybe ..."): aligned word by word, they differ in a replaced
    run that lies between shared words and is mostly names on both sides. A copy differs
    otherwise: a truncated one lacks words, a repost adds a header or a signature at an
    end, an edited word that is not a name is no name swapped for a name, and a
    rewritten clause is not mostly names. Words
    only joined or split (a dropped hyphen or full stop: "Ysyk-Köl" / "YsykKöl",
    "B.Yekeshev" / "BYekeshev") are the same letters, not another name.
    """
    wa, wb = words(a, lang_a), words(b, lang_b)
    matcher = SequenceMatcher(None, [w.form for w in wa], [w.form for w in wb], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        inside = i1 > 0 and j1 > 0 and i2 < len(wa) and j2 < len(wb)
        if tag == "replace" and inside and _swapped_names(wa[i1:i2], wb[j1:j2], lang_a, lang_b):
            return True
    return False


def different_reports(a: str, b: str, lang_a: str | None = None, lang_b: str | None = None) -> bool:
    """The verification of an LSH candidate: True when two similar texts are two posts.

    They are when they state conflicting numbers (``figures_conflict``) or put different
    names in one frame (``names_conflict``). ``similar`` and the benchmark apply it; so
    must anything that groups near-duplicates.
    """
    return figures_conflict(a, b) or names_conflict(a, b, lang_a, lang_b)


def _lang(item: Item) -> str | None:
    return _post_lang(item.results.get("language"))


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


def _post_lang(result: Any) -> str | None:
    """The language a ``language`` result names, None when unknown."""
    lang = result.get("lang") if isinstance(result, Mapping) else None
    return str(lang) if lang and lang != "und" else None


def _fingerprinted_posts() -> sa.Select[Any]:
    """Fingerprinted posts with their source, text and language result."""
    e, p = schema.enrichments.c, schema.posts.c
    language = schema.enrichments.alias("language")
    on_language = (language.c.post_id == e.post_id) & (language.c.enricher == "language")
    return (
        sa.select(e.post_id, e.result, p.source_id, p.text, language.c.result.label("lang"))
        .join(schema.posts, p.id == e.post_id)
        .outerjoin(language, on_language)
        .where(e.enricher == TextFingerprintEnricher.NAME)
    )


def similar(
    conn: sa.Connection, post_id: str, threshold: float = THRESHOLD, limit: int = 100
) -> list[dict[str, Any]]:
    """Posts whose text is a near-duplicate of ``post_id``: [{id, score, source}], best first.

    A candidate counts when its estimated Jaccard similarity reaches ``threshold`` and
    the two texts are not different reports (``different_reports``: conflicting
    numbers, or different names in one frame).
    """
    refresh_lsh(conn)
    posts, e = _fingerprinted_posts(), schema.enrichments.c
    own = conn.execute(posts.where(e.post_id == post_id)).one_or_none()
    if own is None or not own.result or "minhash" not in own.result:
        return []
    sig, lang = minhash.decode(own.result["minhash"]), _post_lang(own.lang)
    lsh = schema.text_lsh.c
    keys = minhash.band_keys(sig[None, :], BANDS, ROWS)[0].tolist()
    candidates = sa.select(lsh.post_id).where(lsh.bucket.in_(keys), lsh.post_id != post_id)
    out = []
    for row in conn.execute(posts.where(e.post_id.in_(candidates))):
        score = minhash.jaccard(sig, minhash.decode(row.result["minhash"]))
        if score < threshold or different_reports(own.text, row.text, lang, _post_lang(row.lang)):
            continue
        out.append({"id": row.post_id, "score": round(score, 4), "source": row.source_id})
    out.sort(key=lambda r: (-r["score"], r["id"]))
    return out[:limit]
