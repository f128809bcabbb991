"""Media fingerprints: the signal-type interface and registry, file-type sniffing, the enricher.

A *signal type* (after python-threatexchange's SignalType) is one way of
fingerprinting a file: a NAME, the file types it applies to, ``compute`` from a
file, ``validate`` of a hash string, ``distance`` between two hashes and the
largest distance that is a match (THRESHOLD). ``index`` builds a searchable
index over stored hashes; the default scans linearly with ``distance``, and
PDQ, Chromaprint and MinHash override it with numpy. Built-in types are listed
in SIGNAL_TYPES; plug-ins use the ``recruitwatch.signal_types`` entry point.

``MediaFingerprintEnricher`` fingerprints every present media file once per
media item (SHA-256), never once per post: ``prepare`` loads what the
``media_fingerprints`` table already holds, ``enrich`` computes only what is
missing, ``index`` stores the new rows.
"""

from __future__ import annotations

import importlib
import importlib.util
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Protocol

import sqlalchemy as sa

from ...errors import ConfigError, InputError, RecruitwatchError
from ...media_cache import cached_path
from ...plugins import load_plugins
from ...settings import Settings
from ...store import schema
from ...store.writer import upsert
from ..base import Enricher, Item, MediaInfo

FILE_TYPES = ("image", "audio", "video", "document", "other")


class NoContent(InputError):
    """The file has nothing this signal type hashes (a video without sound, a scanned PDF)."""


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """One computed hash; ``extra`` holds side values (PDQ quality, duration ...)."""

    value: str
    extra: Mapping[str, Any] = field(default_factory=dict)


class Index(Protocol):
    def search(self, queries: Sequence[str]) -> list[tuple[int, float]]:
        """``(position, distance)`` of every indexed hash within THRESHOLD of any query."""
        ...


class SignalType(ABC):
    """One kind of media fingerprint (stateless: every method is a classmethod)."""

    NAME: ClassVar[str]
    VERSION: ClassVar[str]
    FILE_TYPES: ClassVar[frozenset[str]]
    THRESHOLD: ClassVar[float]
    MEASURE: ClassVar[str]
    DESCRIPTION: ClassVar[str] = ""
    TX_NAME: ClassVar[str | None] = None  # python-threatexchange's name for it
    TCAP_NAME: ClassVar[str | None] = None  # the algorithm value in TCAP-style lists
    EXTRA: ClassVar[str | None] = None  # optional extra that provides it

    @classmethod
    def unavailable(cls) -> str | None:
        """Why this type cannot compute here (missing extra, library); None when it can."""
        return None

    @classmethod
    @abstractmethod
    def compute(cls, path: Path) -> Fingerprint:
        """The fingerprint of one file; raises a RecruitwatchError on unreadable files."""

    @classmethod
    def query_values(cls, path: Path) -> list[str]:
        """The hashes a file is searched with (PDQ adds its dihedral variants)."""
        return [cls.compute(path).value]

    @classmethod
    def stored_values(cls, value: str, extra: Mapping[str, Any]) -> list[str]:
        """The hashes a stored item is found by (PDQ adds its unletterboxed hash)."""
        return [value]

    @classmethod
    @abstractmethod
    def validate(cls, value: str) -> str:
        """``value`` in normal form; ValueError when it is not a hash of this type."""

    @classmethod
    @abstractmethod
    def distance(cls, a: str, b: str) -> float:
        """Distance in this type's measure (0 = identical)."""

    @classmethod
    def matches(cls, a: str, b: str) -> bool:
        return cls.distance(a, b) <= cls.THRESHOLD

    @classmethod
    def index(cls, values: Sequence[str]) -> Index:
        return LinearIndex(cls, values)


class LinearIndex:
    """Compares every query with every indexed hash using the type's distance."""

    def __init__(self, signal: type[SignalType], values: Sequence[str]) -> None:
        self.signal, self.values = signal, list(values)

    def search(self, queries: Sequence[str]) -> list[tuple[int, float]]:
        out = []
        for pos, value in enumerate(self.values):
            best = min(self.signal.distance(q, value) for q in queries)
            if best <= self.signal.THRESHOLD:
                out.append((pos, best))
        return out


SIGNAL_TYPES = (
    "recruitwatch.enrich.fingerprint.video:Md5Signal",
    "recruitwatch.enrich.fingerprint.video:Sha256Signal",
    "recruitwatch.enrich.fingerprint.image:PdqSignal",
    "recruitwatch.enrich.fingerprint.audio:ChromaprintSignal",
    "recruitwatch.enrich.fingerprint.video:VpdqSignal",
    "recruitwatch.enrich.fingerprint.document:DocMinhashSignal",
)


@cache
def signal_types() -> dict[str, type[SignalType]]:
    """Every signal type by NAME: built-ins, then entry-point plug-ins."""
    return load_plugins(SignalType, SIGNAL_TYPES, "recruitwatch.signal_types")


def signal_type(name: str) -> type[SignalType]:
    try:
        return signal_types()[name]
    except KeyError:
        known = ", ".join(sorted(signal_types()))
        raise ConfigError(f"unknown signal type {name!r}; known: {known}") from None


def for_file_type(file_type: str) -> list[type[SignalType]]:
    return [cls for cls in signal_types().values() if file_type in cls.FILE_TYPES]


# --- file types -------------------------------------------------------------------------------

HINTS = {
    "photo": "image",
    "sticker": "image",
    "audio": "audio",
    "voice": "audio",
    "video": "video",
    "video_message": "video",
    "animation": "video",
}
_MAGIC = (
    (b"\xff\xd8\xff", "image"),
    (b"\x89PNG", "image"),
    (b"GIF8", "image"),
    (b"BM", "image"),
    (b"II*\x00", "image"),
    (b"MM\x00*", "image"),
    (b"%PDF", "document"),
    (b"ID3", "audio"),
    (b"fLaC", "audio"),
    (b"#!AMR", "audio"),
    (b"\x1aE\xdf\xa3", "video"),
)
_RIFF = {b"WEBP": "image", b"WAVE": "audio", b"AVI ": "video"}
_AUDIO_BRANDS = (b"M4A ", b"M4B ", b"M4P ")
_IMAGE_BRANDS = (b"heic", b"heix", b"avif", b"mif1")


def _sniff(head: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF":
        return _RIFF.get(head[8:12])
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return "audio" if brand in _AUDIO_BRANDS else "image" if brand in _IMAGE_BRANDS else "video"
    if head[:4] == b"OggS":
        return "video" if b"theora" in head else "audio"
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "audio"  # MPEG audio frame sync
    return None


def _zip_type(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError):
        return "other"
    return "document" if {"word/document.xml", "META-INF/container.xml"} & names else "other"


def file_type(path: Path, hint: str | None = None) -> str:
    """image, audio, video, document or other: from the file's first bytes, else the hint."""
    with path.open("rb") as fh:
        head = fh.read(64)
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(path)
    return _sniff(head) or HINTS.get(hint or "", "other")


# --- the enricher -----------------------------------------------------------------------------

Stored = tuple[str, str, Mapping[str, Any]]  # version, value, extra
Known = dict[str, dict[str, Stored]]  # sha256 -> algorithm -> stored


def _error_text(exc: Exception) -> str:
    return str(exc) if isinstance(exc, RecruitwatchError) else f"{type(exc).__name__}: {exc}"


@dataclass(slots=True)
class Computed:
    new: dict[str, Fingerprint] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


def compute_missing(path: Path, ftype: str, have: Mapping[str, Stored]) -> Computed:
    """Fingerprints of every applicable type not already in ``have`` (at its version)."""
    out = Computed()
    for cls in for_file_type(ftype):
        stored = have.get(cls.NAME)
        if reason := cls.unavailable():
            out.skipped[cls.NAME] = reason
        elif not (stored and stored[0] == cls.VERSION):
            _compute_one(cls, path, out)
    return out


def _compute_one(cls: type[SignalType], path: Path, out: Computed) -> None:
    try:
        out.new[cls.NAME] = cls.compute(path)
    except NoContent as exc:
        out.skipped[cls.NAME] = exc.reason
    except Exception as exc:  # one bad file never stops the batch: kept as an error
        out.errors[cls.NAME] = _error_text(exc)


def _optional_suffix() -> str:
    """Part of the version: installing an optional extra re-runs the enricher."""
    return "+vpdq" if importlib.util.find_spec("vpdq") else ""


class MediaFingerprintEnricher(Enricher):
    """Per post: its media items and their fingerprints ({"media": [...]}, None without media).

    Each media entry lists ``fingerprints`` as {algorithm: {"value": ..., **extra}}
    (the same values whether computed now or read from ``media_fingerprints``),
    plus ``errors`` and ``skipped`` (with reasons) where there are any. ``index``
    writes the rows the table lacks, from the results alone, so ``enrich`` may run
    in a worker process and ``index`` in the writer.
    """

    NAME = "media_fingerprints"
    VERSION = "1" + _optional_suffix()
    DESCRIPTION = (
        "perceptual and exact fingerprints of media files, once per SHA-256: PDQ (images), "
        "Chromaprint (audio), vPDQ (video, extra), MinHash (documents), MD5 and SHA-256"
    )

    def __init__(self, media_dir: Path | None = None) -> None:
        self.media_dir = media_dir
        self.known: Known = {}
        self.types: dict[str, str] = {}

    @classmethod
    def from_settings(cls, settings: Settings | None) -> MediaFingerprintEnricher:
        return cls(settings.media_dir if settings else None)

    def prepare(self, conn: sa.Connection | None, items: Sequence[Item]) -> None:
        self.known, self.types = {}, {}  # one batch at a time: bounded memory
        shas = sorted({m.sha256 for i in items for m in i.media if m.sha256 and m.present})
        if conn is not None and shas:
            self.known = load_known(conn, shas)

    def enrich(self, items: Sequence[Item]) -> list[Any]:
        out: list[Any] = []
        for item in items:
            media = [self._entry(m) for m in item.media if m.present and m.sha256]
            out.append({"media": media} if media else None)
        return out

    def _entry(self, media: MediaInfo) -> dict[str, Any]:
        sha = str(media.sha256)
        entry: dict[str, Any] = {"sha256": sha, "kind": media.kind}
        if self.media_dir is None:
            return entry | {"status": "not fingerprinted: no media folder configured"}
        path = cached_path(self.media_dir, sha)
        if not path.is_file():
            return entry | {"status": "not fingerprinted: file not in the media cache"}
        ftype = self.types.get(sha) or self.types.setdefault(sha, file_type(path, media.kind))
        computed = compute_missing(path, ftype, self.known.get(sha, {}))
        known = self.known.setdefault(sha, {})
        for name, fp in computed.new.items():
            known[name] = (signal_types()[name].VERSION, fp.value, dict(fp.extra))
        return entry | {"type": ftype} | _fields(known, computed)

    def index(self, conn: sa.Connection, results: Mapping[str, Any]) -> None:
        rows = {(r["sha256"], r["algorithm"]): r for r in _rows(results)}
        current = load_known(conn, sorted({sha for sha, _alg in rows}))
        fresh = [
            row
            for (sha, alg), row in sorted(rows.items())
            if current.get(sha, {}).get(alg, ("",))[0] != row["version"]
        ]
        upsert(conn, schema.media_fingerprints, fresh, ["sha256", "algorithm"])


def _fields(known: Mapping[str, Stored], computed: Computed) -> dict[str, Any]:
    prints = {name: {"value": value, **extra} for name, (_v, value, extra) in sorted(known.items())}
    out: dict[str, Any] = {"fingerprints": prints}
    if computed.errors:
        out["errors"] = computed.errors
    if computed.skipped:
        out["skipped"] = computed.skipped
    return out


def _rows(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """media_fingerprints rows for every fingerprint named in ``results``."""
    types = signal_types()
    out = []
    for result in results.values():
        for media in (result or {}).get("media", []):
            for name, data in media.get("fingerprints", {}).items():
                extra = {k: v for k, v in data.items() if k != "value"}
                version = types[name].VERSION if name in types else "?"
                out.append(
                    {
                        "sha256": media["sha256"],
                        "algorithm": name,
                        "version": version,
                        "value": data["value"],
                        "extra": extra,
                    }
                )
    return out


def load_known(conn: sa.Connection, shas: Sequence[str]) -> Known:
    """What ``media_fingerprints`` holds for ``shas``."""
    f = schema.media_fingerprints.c
    out: Known = {}
    for start in range(0, len(shas), 500):
        chunk = shas[start : start + 500]
        query = sa.select(f.sha256, f.algorithm, f.version, f.value, f.extra).where(
            f.sha256.in_(chunk)
        )
        for row in conn.execute(query):
            out.setdefault(row.sha256, {})[row.algorithm] = (row.version, row.value, row.extra)
    return out
