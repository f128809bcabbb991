"""The entity gold set (tests/golden/entities_gold.jsonl) on real text from ../shared/data.

The file stores offsets and SHA-256 hashes, never the text: these tests read the
texts where they are, check they are still the annotated ones, and hold precision
and recall at the level measured when the matcher was tuned (rounded down to 0.05).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / ".." / "shared" / "data"
sys.path.insert(0, str(ROOT / "benchmarks"))

import entities as bench  # noqa: E402  (benchmarks/ is not a package)
import entities_gold as gold  # noqa: E402

# measured: strict precision 0.983, recall 0.849; lenient the same (benchmarks/entities.py)
FLOORS = {"strict": (0.95, 0.80), "lenient": (0.95, 0.80)}


Annotated = tuple[list[gold.Document], list[dict[str, Any]], list[dict[str, Any]]]


@pytest.fixture(scope="module")
def annotated() -> Annotated:
    docs = gold.documents(DATA)
    doc_rows, mentions = gold.read_gold()
    return docs, doc_rows, mentions


def test_gold_texts_are_the_annotated_ones(annotated: Annotated) -> None:
    docs, doc_rows, mentions = annotated
    assert gold.check_documents(docs, doc_rows) == []
    assert len(doc_rows) == len(docs) == 222
    text = {d.key: d.text for d in docs}
    for m in mentions:
        surface = text[(m["file"], m["entry"], m["field"])][m["start"] : m["end"]]
        assert gold.sha256(surface) == m["sha256"] and surface == m["surface"]


def test_gold_covers_enough_mentions_and_both_feeds(annotated: Annotated) -> None:
    _, _, mentions = annotated
    assert len(mentions) >= 100
    files = {m["file"] for m in mentions}
    assert {"feeds/onliner_by_ru/RSS.xml", "feeds/news_digest_en/bbc.xml"} <= files
    assert all(
        m["kind"] in {"country", "province", "city", "region", "organisation"} for m in mentions
    )


def test_precision_and_recall_hold(tmp_path: Path) -> None:
    report = bench.gold_report(tmp_path)
    for name, (precision, recall) in FLOORS.items():
        assert report[name]["precision"] >= precision, report["errors"]
        assert report[name]["recall"] >= recall, report["errors"]
