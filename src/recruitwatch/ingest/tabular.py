"""CSV/TSV and JSONL tables of posts, one row per post (kind "row").

Both readers stream: CSV rows come from the csv module over lines read one at
a time, JSONL one line at a time, so memory stays bounded by the longest row.
Files are UTF-8 (a BOM is skipped). Bytes that are not UTF-8 spoil only their
own row, which is quarantined with "invalid UTF-8 at byte N" (N counted from
the start of the file); the other rows go on. Columns map to Post fields
through ``columns.ColumnMap`` (docs/formats.md).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import IO, Any, ClassVar

from ..errors import InputError, RecordError
from ..model import Post
from ..settings import Settings
from .base import RawRecord, Reader
from .columns import ColumnMap, parse_map, row_to_post

BOM = b"\xef\xbb\xbf"
SURROGATE = re.compile("[\udc80-\udcff]")
DELIMITERS = ",;\t|"
JSON_TYPES = {list: "array", str: "string", int: "number", float: "number", bool: "boolean"}
JSON_TYPES[type(None)] = "null"


class _Lines:
    """Lines of a binary file decoded as UTF-8 (surrogateescape), with byte offsets.

    ``take()`` returns the raw lines consumed since the last call, so a row can be
    checked for invalid bytes and located in the file.
    """

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.offset = 0
        self.line_no = 0
        self.pending: list[tuple[int, bytes]] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        raw = self.fh.readline()
        if not raw:
            raise StopIteration
        if self.offset == 0 and raw.startswith(BOM):
            self.offset = len(BOM)
            raw = raw[len(BOM) :]
        self.pending.append((self.offset, raw))
        self.offset += len(raw)
        self.line_no += 1
        return raw.decode("utf-8", "surrogateescape")

    def take(self) -> list[tuple[int, bytes]]:
        taken, self.pending = self.pending, []
        return taken


def invalid_utf8_at(lines: list[tuple[int, bytes]]) -> int | None:
    """File offset of the first byte in ``lines`` that is not valid UTF-8, if any."""
    for offset, raw in lines:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return offset + exc.start
    return None


def _replaced(lines: list[tuple[int, bytes]]) -> str:
    return b"".join(raw for _, raw in lines).decode("utf-8", "replace")


def _open(location: str) -> IO[bytes]:
    try:
        return Path(location).open("rb")
    except OSError as exc:
        raise InputError(location, f"cannot read: {exc.strerror}") from exc


def _bad(location: str, locator: str, reason: str, payload: Any) -> RawRecord:
    """A record known to be bad while reading: normalise raises with ``reason``."""
    return RawRecord(location, locator, payload, {"error": reason})


class _TableReader(Reader):
    """What the CSV and JSONL readers share: the column map and normalising."""

    PARALLEL: ClassVar[bool] = True  # local files, read the same way each time

    def __init__(self, columns: ColumnMap | str | None = None) -> None:
        self.columns = columns if isinstance(columns, ColumnMap) else parse_map(columns)

    @classmethod
    def from_settings(cls, settings: Settings) -> Reader:
        return cls(settings.table_map)

    def normalise(self, raw: RawRecord) -> Post:
        if "error" in raw.context:
            raise RecordError(str(raw.context["error"]), raw.locator)
        if not isinstance(raw.payload, dict):
            raise RecordError(f"row is a {type(raw.payload).__name__}, expected an object")
        return row_to_post(raw.payload, self.columns)


class CsvReader(_TableReader):
    """CSV or TSV with a header row; the delimiter is found from the header."""

    NAME: ClassVar[str] = "csv"
    DESCRIPTION: ClassVar[str] = "CSV/TSV of posts with a header row (docs/formats.md)"
    EXAMPLE: ClassVar[str] = "tables/posts.csv"
    SUFFIXES: ClassVar[tuple[str, ...]] = (".csv", ".tsv")

    @classmethod
    def sniff(cls, location: str, head: bytes) -> bool:
        return Path(location).suffix.lower() in cls.SUFFIXES and Path(location).is_file()

    def records(self, location: str) -> Iterator[RawRecord]:
        with _open(location) as fh:
            yield from self._rows(location, _Lines(fh))

    def _header(self, location: str, lines: _Lines) -> tuple[list[str], Iterator[list[str]]]:
        first = next(lines, None)
        if first is None:
            raise InputError(location, "empty file: no header row")
        delimiter = "\t" if location.lower().endswith(".tsv") else _delimiter(first)
        reader = csv.reader(chain([first], lines), delimiter=delimiter, strict=True)
        try:
            header = next(reader)
        except csv.Error as exc:
            raise InputError(location, f"header row: {exc}") from exc
        self._check_header(location, header, lines.take())
        return [name.strip() or f"column {i + 1}" for i, name in enumerate(header)], reader

    def _check_header(
        self, location: str, header: list[str], lines: list[tuple[int, bytes]]
    ) -> None:
        bad = invalid_utf8_at(lines)
        if bad is not None:
            reason = f"header row: invalid UTF-8 at byte {bad} (tables must be UTF-8)"
            raise InputError(location, reason)
        names = [name.strip() for name in header if name.strip()]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise InputError(location, f"header row: duplicate columns {', '.join(duplicates)}")
        missing = self.columns.missing(names)
        if missing:
            wanted = ", ".join(f"{self.columns.column(m)!r} for {m}" for m in missing)
            raise InputError(
                location,
                f"header row has no column {wanted} (header: "
                f"{', '.join(names)}); rename with --map COLUMN=FIELD",
            )

    def _rows(self, location: str, lines: _Lines) -> Iterator[RawRecord]:
        header, reader = self._header(location, lines)
        number = 0
        while True:
            first_line = lines.line_no + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                number += 1
                taken = lines.take()
                reason = f"CSV error: {exc}{_span(first_line, taken)}"
                yield _bad(location, f"row {number} (line {first_line})", reason, _replaced(taken))
                continue
            if not row:
                lines.take()
                continue
            number += 1
            yield _row_record(location, f"row {number} (line {first_line})", header, row, lines)


def _span(first_line: int, taken: list[tuple[int, bytes]]) -> str:
    """A hint when one row ran over several lines: most often an unclosed quote."""
    if len(taken) < 2:
        return ""
    return f" (lines {first_line}-{first_line + len(taken) - 1}: an unclosed quote?)"


def _delimiter(header_line: str) -> str:
    """The most frequent of , ; TAB | in the header line (comma when none)."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _row_record(
    location: str, locator: str, header: list[str], row: list[str], lines: _Lines
) -> RawRecord:
    taken = lines.take()
    if any(SURROGATE.search(cell) for cell in row):
        bad = invalid_utf8_at(taken)
        return _bad(location, locator, f"invalid UTF-8 at byte {bad}", _replaced(taken))
    if len(row) != len(header):
        first_line = int(locator.rpartition("line ")[2].rstrip(")"))
        reason = f"row has {len(row)} fields, the header has {len(header)}"
        return _bad(location, locator, reason + _span(first_line, taken), row)
    return RawRecord(location, locator, dict(zip(header, row, strict=True)))


class JsonlReader(_TableReader):
    """JSON Lines: one JSON object per line; blank lines are skipped."""

    NAME: ClassVar[str] = "jsonl"
    DESCRIPTION: ClassVar[str] = "JSON Lines of posts, one object per line (docs/formats.md)"
    EXAMPLE: ClassVar[str] = "tables/posts.jsonl"
    SUFFIXES: ClassVar[tuple[str, ...]] = (".jsonl", ".ndjson")

    @classmethod
    def sniff(cls, location: str, head: bytes) -> bool:
        return Path(location).suffix.lower() in cls.SUFFIXES and Path(location).is_file()

    def records(self, location: str) -> Iterator[RawRecord]:
        with _open(location) as fh:
            lines = _Lines(fh)
            for text in lines:
                taken = lines.take()
                if text.strip():
                    yield _json_record(location, f"line {lines.line_no}", text, taken)


def _json_record(
    location: str, locator: str, text: str, taken: list[tuple[int, bytes]]
) -> RawRecord:
    bad = invalid_utf8_at(taken)
    if bad is not None:
        return _bad(location, locator, f"invalid UTF-8 at byte {bad}", _replaced(taken))
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        return _bad(location, locator, f"not valid JSON: {exc.msg} at column {exc.colno}", text)
    except RecursionError:
        return _bad(location, locator, "not valid JSON: nested too deeply", text[:1000])
    if not isinstance(payload, dict):
        kind = JSON_TYPES.get(type(payload), type(payload).__name__)
        return _bad(location, locator, f"a JSON {kind}, expected an object", payload)
    return RawRecord(location, locator, payload)
