"""The annotated gold set for entity mentions: its documents, its mentions, and scoring.

Documents are real news text from ../shared/data (never copied into the
repository): the title and summary of every entry of the Russian onliner.by feed
and of the English BBC and DW feeds (summary HTML reduced to plain text by
``plain``), plus news sentences from ../shared/data/langid/test.tsv: the first 40
Uzbek (Latin) rows of the Uzbek UD treebank, the news rows of the Kyrgyz UD
treebank (lines 704-726 and 824-880) and the first 30 Persian rows.

tests/golden/entities_gold.jsonl holds one ``document`` row per document (where
it is, SHA-256 and length of its text) and one ``mention`` row per annotated
mention: offsets in code points, the expected entity ``id`` (null when the entity
has no identifier the gazetteer could use: a village under 15,000 people, a sea,
a mountain range outside the curated regions), ``kind``, English ``name``,
``country``, the surface form and its SHA-256.

Scoring: strict = same document, same span, same id; lenient = overlapping span
and same id (or, for a gold mention without id, same kind). Every predicted
mention is scored, including kinds outside the annotation scope, so precision
counts them as errors.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
GOLD = ROOT / "tests" / "golden" / "entities_gold.jsonl"

FEEDS = (
    "feeds/onliner_by_ru/RSS.xml",
    "feeds/news_digest_en/bbc.xml",
    "feeds/news_digest_en/dw.xml",
)
LANGID = "langid/test.tsv"
LANGID_LINES = (
    ("uz", range(1291, 1331)),
    ("ky", range(704, 727)),
    ("ky", range(824, 881)),
    ("fa", range(2537, 2567)),
)


@dataclass(frozen=True, slots=True)
class Document:
    file: str
    entry: str
    field: str
    text: str
    lang_hint: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.file, self.entry, self.field)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plain(html: str) -> str:
    """Plain text of an HTML fragment: every text node, whitespace collapsed."""
    import lxml.html

    if not html.strip():
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return " ".join(root.text_content().split())


def feed_documents(data: Path = DATA) -> Iterator[Document]:
    import feedparser

    for name in FEEDS:
        parsed = feedparser.parse(str(data / name))
        lang = parsed.feed.get("language")
        for entry in parsed.entries:
            entry_id = entry.get("id") or entry.get("link") or ""
            yield Document(name, entry_id, "title", entry.get("title", ""), lang)
            yield Document(name, entry_id, "summary", plain(entry.get("summary", "")), lang)


def langid_documents(data: Path = DATA) -> Iterator[Document]:
    with (data / LANGID).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    for lang, lines in LANGID_LINES:
        for line in lines:
            row = rows[line - 1]
            if row[0] != lang:
                raise ValueError(f"{LANGID} line {line}: expected {lang}, found {row[0]}")
            yield Document(LANGID, f"line:{line}", "text", row[4])


def documents(data: Path = DATA) -> list[Document]:
    return [*feed_documents(data), *langid_documents(data)]


# --- the gold file ------------------------------------------------------------------------


def read_gold(path: Path = GOLD) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(document rows, mention rows) of the gold file."""
    docs, mentions = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["type"] == "document":
            docs.append(row)
        elif row["type"] == "mention":
            mentions.append(row)
    return docs, mentions


def check_documents(docs: Sequence[Document], rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Differences between the documents as read now and as annotated."""
    now = {d.key: d for d in docs}
    problems = []
    for row in rows:
        key = (row["file"], row["entry"], row["field"])
        doc = now.get(key)
        if doc is None:
            problems.append(f"{key}: document missing")
        elif sha256(doc.text) != row["text_sha256"]:
            problems.append(f"{key}: text changed")
    return problems


# --- scoring -------------------------------------------------------------------------------

Span = tuple[tuple[str, str, str], int, int, str | None, str]


def _gold_spans(mentions: Iterable[Mapping[str, Any]]) -> list[Span]:
    return [
        ((m["file"], m["entry"], m["field"]), m["start"], m["end"], m["id"], m["kind"])
        for m in mentions
    ]


def _same_entity(gold: Span, pred: Span) -> bool:
    return gold[3] == pred[3] if gold[3] is not None else False


def _lenient_same(gold: Span, pred: Span) -> bool:
    if gold[3] is not None:
        return gold[3] == pred[3]
    return gold[4] == pred[4]


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


def _match_count(gold: Sequence[Span], pred: Sequence[Span], strict: bool) -> int:
    used: set[int] = set()
    hits = 0
    for g in gold:
        for i, p in enumerate(pred):
            if i in used:
                continue
            exact = strict and p[:3] == g[:3] and _same_entity(g, p)
            loose = not strict and _overlaps(g, p) and _lenient_same(g, p)
            if exact or loose:
                used.add(i)
                hits += 1
                break
    return hits


def score(gold_mentions: Sequence[Mapping[str, Any]], predicted: Sequence[Span]) -> dict[str, Any]:
    """Precision, recall and F1, strict (span + id) and lenient (overlap + id)."""
    gold = _gold_spans(gold_mentions)
    out: dict[str, Any] = {"gold": len(gold), "predicted": len(predicted)}
    for name, strict in (("strict", True), ("lenient", False)):
        hits = _match_count(gold, predicted, strict)
        precision = hits / len(predicted) if predicted else 0.0
        recall = hits / len(gold) if gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[name] = {
            "hits": hits,
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
        }
    return out
