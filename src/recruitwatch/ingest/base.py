"""The reader plug-in point.

A reader turns one input location (a file path or URL) into a stream of
``RawRecord``s and normalises each with a pure function ``normalise(raw) ->
Post``. Streaming (``records``) raises ``InputError`` when the input as a whole
cannot be read (possibly after some records); normalising raises
``RecordError`` for one bad record, which the pipeline quarantines.

Built-in readers register in ``BUILTIN_READERS``; third-party readers use the
``recruitwatch.readers`` entry-point group. Every reader runs the shared
contract test in tests/contracts/test_reader_contract.py.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import field
from importlib.resources import files
from pathlib import Path
from typing import Any, ClassVar

from ..errors import FormatNotRecognised, InputError, RecordError
from ..model import Post, Quarantined, record
from ..plugins import load_plugins
from ..settings import Settings

HEAD_BYTES = 64 * 1024


@record
class RawRecord:
    """One record as read, before normalising. ``locator`` names it for errors."""

    location: str
    locator: str
    payload: Any
    context: Mapping[str, Any] = field(default_factory=dict)


class Reader(ABC):
    """One input format."""

    NAME: ClassVar[str]
    VERSION: ClassVar[str] = "1"
    DESCRIPTION: ClassVar[str] = ""
    # Example input shipped with the package (data/examples/...), run by the contract test.
    EXAMPLE: ClassVar[str] = ""
    # True when several processes may each read records() of the same local input from
    # the start and get the same records (parallel ingest: see recruitwatch.parallel_ingest).
    PARALLEL: ClassVar[bool] = False
    # Prefixes of ``unknown`` counts made while reading records (not in normalise): every
    # parallel worker reads every record, so these are merged by maximum, not summed.
    PARSE_UNKNOWN: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def example(cls) -> Path | None:
        """The shipped example input of this reader, if it has one."""
        if not cls.EXAMPLE:
            return None
        return Path(str(files("recruitwatch") / "data" / "examples" / cls.EXAMPLE))

    @classmethod
    def from_settings(cls, settings: Settings) -> Reader:
        """The reader configured from ``settings``; override to read options (default: cls())."""
        return cls()

    @classmethod
    @abstractmethod
    def sniff(cls, location: str, head: bytes) -> bool:
        """True when this reader claims the input (``head``: its first bytes, or b"")."""

    @abstractmethod
    def records(self, location: str) -> Iterator[RawRecord]:
        """Stream raw records in a deterministic order."""

    @abstractmethod
    def normalise(self, raw: RawRecord) -> Post:
        """Pure function raw -> Post; raises RecordError for a bad record."""

    def stream_key(self, location: str) -> str:
        return f"{self.NAME}:{location}"

    def fingerprint(self, location: str) -> str:
        """Identity of the input's content, so a checkpoint is only reused on the same input."""
        path = Path(location)
        if not path.exists():
            return ""
        digest = hashlib.sha256()
        paths = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for item in paths:
            stat = item.stat()
            digest.update(f"{item}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
        return digest.hexdigest()[:32]


BUILTIN_READERS = (
    "recruitwatch.ingest.telegram_export:TelegramJsonReader",
    "recruitwatch.ingest.telegram_html:TelegramHtmlReader",
    "recruitwatch.ingest.feeds:FeedReader",
    "recruitwatch.ingest.tabular:CsvReader",
    "recruitwatch.ingest.tabular:JsonlReader",
)


def readers() -> dict[str, type[Reader]]:
    """Every reader by NAME: built-ins first, then the entry-point plug-ins."""
    return load_plugins(Reader, BUILTIN_READERS, "recruitwatch.readers")


def read_head(location: str) -> bytes:
    path = Path(location)
    if path.is_dir() or not path.exists():
        return b""
    try:
        with path.open("rb") as fh:
            return fh.read(HEAD_BYTES)
    except OSError as exc:
        raise InputError(location, f"cannot read: {exc.strerror}") from exc


def _make(cls: type[Reader], settings: Settings | None) -> Reader:
    return cls() if settings is None else cls.from_settings(settings)


def detect_reader(
    location: str, fmt: str | None = None, settings: Settings | None = None
) -> Reader:
    """The reader for ``location``: by name when ``fmt`` is given, else by sniffing."""
    available = readers()
    if fmt:
        if fmt not in available:
            raise FormatNotRecognised(
                location, f"unknown format {fmt!r}; known: {sorted(available)}"
            )
        return _make(available[fmt], settings)
    is_url = location.startswith(("http://", "https://"))
    if not is_url and not Path(location).exists():
        raise InputError(location, "no such file or folder")
    head = b"" if is_url else read_head(location)
    for cls in available.values():
        if cls.sniff(location, head):
            return _make(cls, settings)
    raise FormatNotRecognised(
        location,
        "format not recognised (expected a Telegram JSON/HTML export, RSS/Atom feed, CSV or JSONL)",
    )


RAW_LIMIT = 100_000  # characters of a quarantined record's payload kept


def _raw_text(payload: Any) -> str:
    try:
        text = json.dumps(payload, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(payload)
    return text[:RAW_LIMIT]


def quarantine_record(raw: RawRecord, exc: Exception) -> Quarantined:
    if isinstance(exc, RecordError):
        reason, locator = exc.reason, exc.locator or raw.locator
    else:
        reason, locator = f"unexpected {type(exc).__name__}: {exc}", raw.locator
    return Quarantined(raw.location, locator, reason, type(exc).__name__, _raw_text(raw.payload))
