"""Document fingerprints: the text of a PDF, EPUB or DOCX through the text MinHash.

The text is extracted (pypdf for PDF; zipfile + lxml for EPUB's XHTML chapters
in spine order and DOCX's paragraphs), put in the text fingerprints' matching
form (``fingerprint_form``: cross-script, without punctuation) and MinHashed
(128 permutations over 5-character shingles). Two documents match when their
estimated Jaccard similarity is at least 0.7, higher than the 0.5 of short
posts: the shingle sets of long texts in one language overlap more. Measured on
real sentences (../shared/data/langid, docs/fingerprints.md): different 5-60 KB
texts 0.14-0.44, a copy with a new title and 10% cut 0.82-0.99.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ...errors import InputError
from . import minhash
from .media import Fingerprint, NoContent, SignalType

MAX_CHARS = 2_000_000  # a book's text is far shorter; bounds work on odd files
JACCARD = 0.7
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
OPF = "{http://www.idpf.org/2007/opf}"
CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"


def _xml(data: bytes) -> object:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    return etree.fromstring(data, parser)


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PyPdfError, OSError, ValueError, KeyError) as exc:
        raise InputError(str(path), f"not a readable PDF: {exc}") from exc


def docx_text(zf: zipfile.ZipFile) -> str:
    root = _xml(zf.read("word/document.xml"))
    paragraphs = root.iter(f"{W}p")  # type: ignore[attr-defined]
    return "\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in paragraphs)


def _spine(zf: zipfile.ZipFile) -> list[str]:
    container = _xml(zf.read("META-INF/container.xml"))
    rootfile = next(container.iter(f"{CONTAINER}rootfile"))  # type: ignore[attr-defined]
    opf_path = str(rootfile.get("full-path"))
    opf = _xml(zf.read(opf_path))
    base = posixpath.dirname(opf_path)
    items = {i.get("id"): i.get("href") for i in opf.iter(f"{OPF}item")}  # type: ignore[attr-defined]
    refs = [r.get("idref") for r in opf.iter(f"{OPF}itemref")]  # type: ignore[attr-defined]
    return [posixpath.join(base, str(items[r])) for r in refs if items.get(r)]


def epub_text(zf: zipfile.ZipFile) -> str:
    parts = []
    for name in _spine(zf):
        root = _xml(zf.read(name))
        parts.append(" ".join(str(t) for t in root.itertext()))  # type: ignore[attr-defined]
    return "\n".join(parts)


def zip_text(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "word/document.xml" in names:
                return docx_text(zf)
            if "META-INF/container.xml" in names:
                return epub_text(zf)
    except (zipfile.BadZipFile, KeyError, StopIteration, AttributeError, OSError) as exc:
        raise InputError(str(path), f"not a readable EPUB/DOCX: {exc!r}") from exc
    raise NoContent(str(path), "a ZIP file that is neither EPUB nor DOCX")


def document_text(path: Path) -> str:
    """The text of a PDF, EPUB or DOCX file."""
    with path.open("rb") as fh:
        head = fh.read(4)
    if head == b"%PDF":
        return pdf_text(path)
    if head == b"PK\x03\x04":
        return zip_text(path)
    raise NoContent(str(path), "not a PDF, EPUB or DOCX file")


def signature(text: str) -> minhash.Signature | None:
    from .text import fingerprint_form

    return minhash.signatures([fingerprint_form(text[:MAX_CHARS])])[0]


class MinhashIndex:
    """Vectorised comparison of one query signature with every stored one."""

    def __init__(self, values: Sequence[str]) -> None:
        sigs = [minhash.decode(v) for v in values]
        self.matrix: npt.NDArray[np.uint32] = (
            np.stack(sigs) if sigs else np.empty((0, minhash.NUM_PERM), dtype=np.uint32)
        )

    def search(self, queries: Sequence[str]) -> list[tuple[int, float]]:
        best = np.ones(len(self.matrix))
        for query in queries:
            same = (self.matrix == minhash.decode(query)[None, :]).mean(axis=1)
            best = np.minimum(best, 1.0 - same)
        hits = np.flatnonzero(best <= DocMinhashSignal.THRESHOLD)
        return [(int(i), round(float(best[i]), 4)) for i in hits]


class DocMinhashSignal(SignalType):
    NAME = "doc_minhash"
    VERSION = "1"
    FILE_TYPES = frozenset({"document"})
    THRESHOLD = 1.0 - JACCARD
    MEASURE = "1 - estimated Jaccard similarity of the texts' 5-character shingles"
    DESCRIPTION = "MinHash of a PDF/EPUB/DOCX's extracted text (same as the text fingerprints)"

    @classmethod
    def compute(cls, path: Path) -> Fingerprint:
        text = document_text(path)
        sig = signature(text)
        if sig is None:
            raise NoContent(str(path), "no extractable text (a scanned document?)")
        return Fingerprint(minhash.encode(sig), {"chars": len(text)})

    @classmethod
    def validate(cls, value: str) -> str:
        try:
            sig = minhash.decode(value.strip())
        except ValueError as exc:
            raise ValueError(f"not a MinHash signature: {exc}") from exc
        if len(sig) != minhash.NUM_PERM:
            raise ValueError(f"a MinHash signature has {minhash.NUM_PERM} values, not {len(sig)}")
        return minhash.encode(sig)

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        return round(1.0 - minhash.jaccard(minhash.decode(a), minhash.decode(b)), 4)

    @classmethod
    def index(cls, values: Sequence[str]) -> MinhashIndex:
        return MinhashIndex(values)
