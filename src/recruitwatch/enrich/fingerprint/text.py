"""Text fingerprints: MinHash of the cross-script matching form, LSH buckets, similar().

The matching form (translit.match_form) makes a post and its Cyrillic-script copy
near-identical; links, punctuation and repeated spaces are removed so reposts
with a link appended and re-punctuated copies agree. Candidates come from LSH
buckets stored in ``text_lsh``; the score is the estimated Jaccard similarity of
the two posts' shingle sets. A candidate above the threshold is then verified
(``different_reports``): template posts that state other numbers or put other
names in the same frame are different reports, not copies. Names are words written as
names or known to the gazetteer; a frame may open with a place (``names_conflict``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import sqlalchemy as sa

from ...errors import InputError
from ...store import schema
from ...store.fast import bulk_upsert
from ..base import Enricher, Item
from . import minhash

if TYPE_CHECKING:
    from ..entity_match import Matcher

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
_TOKEN = re.compile(r"\S+")


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


@lru_cache(maxsize=65536)
def figures(text: str) -> frozenset[str]:
    """The numbers a text states (separators dropped, links left out); cached per text."""
    return frozenset(_NOT_DIGIT.sub("", m) for m in _FIGURE.findall(_URL.sub(" ", text)))


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
    start: int = 0  # where it lies in the text with links left out (``without_links``)
    end: int = 0


def without_links(text: str) -> str:
    """The text with each link replaced by a space: what ``words`` and the gazetteer read."""
    return _URL.sub(" ", text)


@lru_cache(maxsize=4096)
def words(text: str, lang: str | None = None) -> tuple[Word, ...]:
    """The words of ``fingerprint_form``, each with whether it is written as a name.

    A name is a word with a capital letter that does not open a sentence or a line
    ("Ghatal", "West Bengal", "VS401", "iPhone"); ``form`` is the word's matching
    form, so a Cyrillic-script copy has the same forms as its Latin original. Cached per
    text: a post checked against many candidates (``similar``, ``clusters``) is read once.
    """
    from ..translit import match_form

    plain = without_links(text).translate(_sentence_table())  # same length, same offsets
    written: list[str] = []
    names: list[bool] = []
    spans: list[tuple[int, int]] = []
    end = 0
    for found in _TOKEN.finditer(plain):
        opens = not spans or "\n" in plain[end : found.start()]
        end = found.end()
        written.append(found.group())
        names.append(not opens and any(c.isupper() for c in found.group()))
        spans.append(found.span())
    # One call, so that a text without a language is sniffed as a whole, as its form is.
    forms = match_form(" ".join(written), lang).split(" ")
    if len(forms) != len(written):  # a word with an empty form: convert one by one
        forms = [match_form(word, lang) for word in written]
    return tuple(
        Word(form, word, name, *span)
        for form, word, name, span in zip(forms, written, names, spans, strict=True)
        if form
    )


# --- what the gazetteer knows: places and other entities, whatever the case or position ---


_MATCHER_CACHE: list[Path] = []


def use_matcher_cache(folder: Path) -> None:
    """Keep the key table of the verification's matcher in ``folder`` (a workspace's
    ``cache``): later processes load it in about 0.2 s instead of building it (1.4-1.9 s
    here). Call before the first verification; the table is the packaged gazetteer's."""
    _MATCHER_CACHE[:] = [folder]


@lru_cache(maxsize=1)
def _gazetteer_matcher() -> Matcher:
    """The entity matcher over the packaged gazetteer, built once per process."""
    from ..entities import load_matcher
    from ..gazetteer import load_gazetteer

    return load_matcher(load_gazetteer(None), _MATCHER_CACHE[0] if _MATCHER_CACHE else None)


@lru_cache(maxsize=4096)
def known_entities(text: str, lang: str | None = None) -> tuple[tuple[int, int, str, bool], ...]:
    """(start, end, entity id, is a place) of each gazetteer mention in ``without_links(text)``.

    The matcher meets names on cross-script keys with case endings stripped
    (``Баткенде``, ``Batken oblusuna``), keeps its own guards (place names need a capital
    in cased scripts) and does not care where a sentence starts. Cached per text: a
    query is checked against many candidates.
    """
    from ..entity_match import PLACE_KINDS

    found = _gazetteer_matcher().find(without_links(text), lang)
    return tuple((m.start, m.end, m.id, m.kind in PLACE_KINDS) for m in found)


@lru_cache(maxsize=1)
def _entity_names() -> dict[str, tuple[str | None, frozenset[str]]]:
    """Entity id -> (country, the matcher's keys of all its names)."""
    matcher = _gazetteer_matcher()
    keys: dict[int, set[str]] = {}
    for key, rows in matcher.table.items():
        for index, _, _ in rows:
            keys.setdefault(index, set()).add(key)
    return {
        entry.id: (entry.country, frozenset(keys.get(index, ())))
        for index, entry in enumerate(matcher.entries)
    }


def _one_entity(ids_a: set[str], ids_b: set[str]) -> bool:
    """Some entity on one side is one on the other: the same id, or one name in one country
    (a province and the city it is named after: "Naryn oblusu" / "Нарында")."""
    if ids_a & ids_b:
        return True
    names = _entity_names()
    return any(
        names[a][0] == names[b][0] and names[a][1] & names[b][1] for a in ids_a for b in ids_b
    )


class _Known:
    """The gazetteer mentions under each word of one text, looked up on first use."""

    def __init__(self, text: str, lang: str | None) -> None:
        self.text, self.lang = text, lang
        self._mentions: tuple[tuple[int, int, str, bool], ...] | None = None

    def ids(self, word: Word, places_only: bool = False) -> set[str]:
        if self._mentions is None:
            self._mentions = known_entities(self.text, self.lang)
        return {
            ident
            for start, end, ident, place in self._mentions
            if start < word.end and word.start < end and (place or not places_only)
        }

    def run_ids(self, run: Sequence[Word]) -> set[str]:
        return set[str]().union(*(self.ids(w) for w in run))


_Langs = tuple[str | None, str | None]


def _mostly(run: Sequence[Word], count: int) -> bool:
    return 2 * count >= len(run)


def _slot(run: Sequence[Word], known: _Known) -> bool:
    """A run that is mostly names (at least half its words): a filled-in slot.

    A word is a name when it is written as one or when the gazetteer knows it (a place,
    an organisation...), even where it opens a sentence or its script has no capitals.
    """
    if _mostly(run, sum(w.name for w in run)):
        return True
    return _mostly(run, sum(w.name or bool(known.ids(w)) for w in run))


def _same_letters(
    a: Sequence[Word], b: Sequence[Word], lang_a: str | None, lang_b: str | None
) -> bool:
    """The runs are the same letters joined or split otherwise ("Ysyk-Köl" / "YsykKöl")."""
    from ..translit import match_form

    joined_a = match_form("".join(w.text for w in a), lang_a)
    return joined_a == match_form("".join(w.text for w in b), lang_b)


def _swapped_names(
    a: Sequence[Word], b: Sequence[Word], known_a: _Known, known_b: _Known, langs: _Langs
) -> bool:
    """Both runs are slots, not the same letters joined or split otherwise, and not one
    known entity written in two ways (another case ending, spelling or script)."""
    if not _slot(a, known_a) or not _slot(b, known_b) or _same_letters(a, b, *langs):
        return False
    return not _one_entity(known_a.run_ids(a), known_b.run_ids(b))


def _swapped_places(
    a: Sequence[Word], b: Sequence[Word], known_a: _Known, known_b: _Known, langs: _Langs
) -> bool:
    """Both runs are mostly words of known places, and no place is on both sides."""
    places_a = [known_a.ids(w, places_only=True) for w in a]
    places_b = [known_b.ids(w, places_only=True) for w in b]
    if not _mostly(a, sum(map(bool, places_a))) or not _mostly(b, sum(map(bool, places_b))):
        return False
    if _one_entity(set[str]().union(*places_a), set[str]().union(*places_b)):
        return False
    return not _same_letters(a, b, *langs)


def names_conflict(a: str, b: str, lang_a: str | None = None, lang_b: str | None = None) -> bool:
    """True when, in the frame of words the texts share, each puts a different name in one place.

    Template messages keep a frame and change its slots ("Latest news from Ghatal (West
    Bengal) in Urdu ..." / "... from Teonthar (Madhya Pradesh) ...", "Fastrack Reflex Vox
    Smartwatch @1995" / "... Vybe ..."): aligned word by word, they differ in a replaced
    run that lies between shared words and is mostly names on both sides. A copy differs
    otherwise: a truncated one lacks words, a repost adds a header or a signature at an
    end, an edited word that is not a name is no name swapped for a name, and a
    rewritten clause is not mostly names. Words
    only joined or split (a dropped hyphen or full stop: "Ysyk-Köl" / "YsykKöl",
    "B.Yekeshev" / "BYekeshev") are the same letters, not another name.

    A word the gazetteer knows (``known_entities``) counts as a name wherever it stands.
    A frame may also open with its slot: a run replaced at the very start of both texts
    and followed by shared words, that is mostly known places on both sides and names no
    place of the other ("Batken oblusuna ..." / "Naryn oblusuna ...", "Баткенде ..." /
    "Бишкекте ..."), is a swapped place. A header a repost adds is an insertion, not a
    replacement; one that replaces the opening words is rarely mostly places on both sides.
    """
    wa, wb = words(a, lang_a), words(b, lang_b)
    known_a, known_b, langs = _Known(a, lang_a), _Known(b, lang_b), (lang_a, lang_b)
    matcher = SequenceMatcher(None, [w.form for w in wa], [w.form for w in wb], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "replace" or i2 == len(wa) or j2 == len(wb):  # no shared word after it
            continue
        run_a, run_b = wa[i1:i2], wb[j1:j2]
        if i1 > 0 and j1 > 0:
            if _swapped_names(run_a, run_b, known_a, known_b, langs):
                return True
        elif i1 == j1 == 0 and _swapped_places(run_a, run_b, known_a, known_b, langs):
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
    return post_lang(item.results.get("language"))


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
    """(bucket, post id) rows of the fingerprinted posts of ``batch``, in bucket order
    (B-tree inserts stay local; numpy's sort is ~3x faster than sorting the tuples)."""
    present = [(pid, r["minhash"]) for pid, r in batch if r and "minhash" in r]
    if not present:
        return []
    sigs = np.stack([minhash.decode(value) for _, value in present])
    keys = minhash.band_keys(sigs, BANDS, ROWS).ravel()
    order = np.argsort(keys, kind="stable")
    ids = [pid for pid, _ in present]
    return list(zip(keys[order].tolist(), [ids[i] for i in (order // BANDS).tolist()], strict=True))


Stage = Callable[[str, int, int], None]  # progress of long work: (what, done, out of)
LSH_STAGE = "indexing near-duplicate buckets"
_LSH_POST_INDEX = "ix_text_lsh_post_id"


def has_text_fingerprint() -> sa.ColumnElement[bool]:
    """Where an enrichments row of ``text_minhash`` holds a signature (a post with no text
    to fingerprint has a null result and never gets LSH rows)."""
    e = schema.enrichments.c
    return sa.and_(
        e.enricher == TextFingerprintEnricher.NAME, e.result["minhash"].as_string().is_not(None)
    )


def _lsh_counts(conn: sa.Connection) -> tuple[int, int]:
    """(fingerprinted posts without LSH rows, fingerprinted posts with them); the second is
    only counted when the first is not 0."""
    e, lsh = schema.enrichments.c, schema.text_lsh.c
    fingerprinted = sa.select(sa.func.count()).where(has_text_fingerprint())
    missing = fingerprinted.where(~sa.exists().where(lsh.post_id == e.post_id))
    count = int(conn.execute(missing).scalar_one())
    if not count:
        return 0, 0
    return count, int(conn.execute(fingerprinted).scalar_one()) - count


def refresh_lsh(conn: sa.Connection, chunk: int = 20_000, progress: Stage | None = None) -> int:
    """Add LSH buckets for every fingerprinted post that has none; returns posts indexed.

    The LSH index is brought up to date when it is queried rather than during
    ingest: bulk insertion in key order costs a fraction of 25 random B-tree
    inserts per post, and ingest stays fast. When more posts are missing than
    indexed (the first query after a large ingest), the post-id index of the
    table is dropped and built again after the insert, which sorts once instead
    of inserting at random: 100k posts took 21 s instead of 40 s here.
    """
    missing, indexed = _lsh_counts(conn)
    if not missing:
        return 0
    rebuild = missing > indexed
    if rebuild:  # iterate over every post: without the index, "has no rows" is a scan
        conn.execute(sa.text(f"DROP INDEX IF EXISTS {_LSH_POST_INDEX}"))
    e, lsh = schema.enrichments.c, schema.text_lsh.c
    done, after = 0, ""
    while True:
        query = (
            sa.select(e.post_id, e.result)
            .where(has_text_fingerprint(), e.post_id > after)
            .order_by(e.post_id)
            .limit(chunk)
        )
        if not rebuild:
            query = query.where(~sa.exists().where(lsh.post_id == e.post_id))
        batch = [(row.post_id, row.result) for row in conn.execute(query)]
        if not batch:
            break
        bulk_upsert(
            conn,
            "text_lsh",
            ("bucket", "post_id"),
            _lsh_rows(batch),
            ["bucket", "post_id"],
            update=False,  # a post already indexed keeps its rows
        )
        done += len(batch)
        after = batch[-1][0]
        if progress:
            progress(LSH_STAGE, min(done, missing), missing)
    if rebuild:
        conn.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {_LSH_POST_INDEX} ON text_lsh (post_id)"))
    return missing


def _why_no_fingerprint(conn: sa.Connection, post_id: str) -> str:
    p = schema.posts.c
    if conn.execute(sa.select(p.id).where(p.id == post_id)).first() is None:
        return "no such post in the store"
    return "the post has no text fingerprint yet: run `recruitwatch enrich`"


def post_lang(result: Any) -> str | None:
    """The language a ``language`` result names, None when unknown."""
    lang = result.get("lang") if isinstance(result, Mapping) else None
    return str(lang) if lang and lang != "und" else None


def fingerprinted_posts() -> sa.Select[Any]:
    """Fingerprinted posts with their source, date, text and language result."""
    e, p = schema.enrichments.c, schema.posts.c
    language = schema.enrichments.alias("language")
    on_language = (language.c.post_id == e.post_id) & (language.c.enricher == "language")
    return (
        sa.select(e.post_id, e.result, p.source_id, p.date, p.text, language.c.result.label("lang"))
        .join(schema.posts, p.id == e.post_id)
        .outerjoin(language, on_language)
        .where(e.enricher == TextFingerprintEnricher.NAME)
    )


def similar(
    conn: sa.Connection,
    post_id: str,
    threshold: float = THRESHOLD,
    limit: int = 100,
    progress: Stage | None = None,
) -> list[dict[str, Any]]:
    """Posts whose text is a near-duplicate of ``post_id``: [{id, score, source}], best first.

    A candidate counts when its estimated Jaccard similarity reaches ``threshold`` and
    the two texts are not different reports (``different_reports``: conflicting
    numbers, or different names in one frame). A post without text to fingerprint has
    none; an unknown post, or one not fingerprinted yet, raises ``InputError``.
    ``progress`` follows the LSH index's update (``refresh_lsh``).
    """
    refresh_lsh(conn, progress=progress)
    posts, e = fingerprinted_posts(), schema.enrichments.c
    own = conn.execute(posts.where(e.post_id == post_id)).one_or_none()
    if own is None:
        raise InputError(post_id, _why_no_fingerprint(conn, post_id))
    if not own.result or "minhash" not in own.result:
        return []
    sig, lang = minhash.decode(own.result["minhash"]), post_lang(own.lang)
    lsh = schema.text_lsh.c
    keys = minhash.band_keys(sig[None, :], BANDS, ROWS)[0].tolist()
    candidates = sa.select(lsh.post_id).where(lsh.bucket.in_(keys), lsh.post_id != post_id)
    out = []
    for row in conn.execute(posts.where(e.post_id.in_(candidates))):
        score = minhash.jaccard(sig, minhash.decode(row.result["minhash"]))
        if score < threshold or different_reports(own.text, row.text, lang, post_lang(row.lang)):
            continue
        out.append({"id": row.post_id, "score": round(score, 4), "source": row.source_id})
    out.sort(key=lambda r: (-r["score"], r["id"]))
    return out[:limit]
