"""Documents: text from PDF, EPUB and DOCX through the text MinHash; thresholds on real text."""

from __future__ import annotations

import csv
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest
from PIL import Image

from recruitwatch.enrich.fingerprint import minhash
from recruitwatch.enrich.fingerprint.document import (
    JACCARD,
    DocMinhashSignal,
    document_text,
    signature,
)
from recruitwatch.enrich.fingerprint.media import NoContent
from recruitwatch.errors import InputError
from tests.enrich.test_fingerprint_samples import document_lines, make_docx, make_epub, make_pdf

LANGID = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "langid"


def test_text_is_extracted_from_every_format(tmp_path: Path) -> None:
    lines = document_lines(4)
    for path in (
        make_pdf(tmp_path / "b.pdf", lines),
        make_epub(tmp_path / "b.epub", lines),
        make_docx(tmp_path / "b.docx", lines),
    ):
        text = document_text(path)
        assert text.split() == " ".join(lines).split(), path.name


def test_same_book_matches_across_formats_and_edits(tmp_path: Path) -> None:
    lines = document_lines(5, 60)
    stored = DocMinhashSignal.compute(make_pdf(tmp_path / "book.pdf", lines))
    index = DocMinhashSignal.index([stored.value])
    copies = {
        "epub": make_epub(tmp_path / "book.epub", lines, chapters=3),
        "docx": make_docx(tmp_path / "book.docx", lines),
        "repaginated": make_pdf(tmp_path / "pages.pdf", lines, per_page=10),
        "new title, last tenth cut": make_pdf(
            tmp_path / "cut.pdf", ["[synthetic] reissue", *lines[1:54]]
        ),
    }
    for name, path in copies.items():
        assert index.search(DocMinhashSignal.query_values(path)), name
    other = make_pdf(tmp_path / "other.pdf", document_lines(6, 60))
    assert index.search(DocMinhashSignal.query_values(other)) == []


def test_documents_without_text(tmp_path: Path) -> None:
    scanned = tmp_path / "scan.pdf"
    Image.new("RGB", (200, 100), (255, 255, 255)).save(scanned)  # a PDF with only an image
    with pytest.raises(NoContent, match="no extractable text"):
        DocMinhashSignal.compute(scanned)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 20)
    with pytest.raises(InputError):
        DocMinhashSignal.compute(broken)
    other_zip = tmp_path / "x.zip"
    with zipfile.ZipFile(other_zip, "w") as zf:
        zf.writestr("notes.txt", "[synthetic] not a book")
    with pytest.raises(NoContent):
        DocMinhashSignal.compute(other_zip)


def _real_sentences() -> dict[str, list[str]]:
    rows: dict[str, list[str]] = defaultdict(list)
    for name in ("dev.tsv", "test.tsv"):
        with (LANGID / name).open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                rows[row["lang"]].append(row["text"])
    return rows


def _text(sentences: list[str], size: int) -> str:
    out: list[str] = []
    for sentence in sentences:
        if sum(map(len, out)) > size:
            break
        out.append(sentence)
    return " ".join(out)


@pytest.mark.skipif(not LANGID.is_dir(), reason="needs ../shared/data/langid")
@pytest.mark.parametrize("lang", ["ru", "uz", "en", "fa", "ky", "ur"])
def test_threshold_on_real_text(lang: str) -> None:
    """Different texts of one language stay below JACCARD; a retitled, cut copy is above."""
    sentences = _real_sentences()[lang]
    half = len(sentences) // 2
    for size in (5_000, 20_000):
        a, b = _text(sentences[:half], size), _text(sentences[half:], size)
        sig_a = signature(a)
        assert sig_a is not None
        different = minhash.jaccard(sig_a, signature(b))  # type: ignore[arg-type]
        kept = a.split(" ")
        copy = "[synthetic] new title " + " ".join(kept[: int(len(kept) * 0.9)])
        same = minhash.jaccard(sig_a, signature(copy))  # type: ignore[arg-type]
        assert different < JACCARD <= same, (lang, size, different, same)
