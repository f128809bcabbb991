"""The column mapping shared by the CSV and JSONL readers: one row -> one Post.

A table of posts names its columns freely; the mapping says which column
feeds which Post field. The default mapping expects columns named like the
fields (``id``, ``source``, ``date``, ``text`` and the optional ``author``,
``url``, ``lang``, ``reply_to``, ``forwarded_from``, ``platform``). A map spec
``"body=text,created_at=date"`` (``COLUMN=FIELD`` pairs, from ``--map`` or the
``table_map`` setting) renames columns; unmapped fields keep their default
column. Column names match exactly first, then case-insensitively.
See docs/formats.md.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..errors import ConfigError, RecordError
from ..model import Post, Source

REQUIRED = ("id", "source", "date", "text")
OPTIONAL = ("author", "url", "lang", "reply_to", "forwarded_from", "platform")
FIELDS = REQUIRED + OPTIONAL
DEFAULT_PLATFORM = "table"
UNIX_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?", re.ASCII)
# Unix seconds beyond this (year 5138) are almost surely milliseconds.
MAX_UNIX_SECONDS = 1e11


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Which column feeds each Post field (``pairs``: (field, column name)); hashable."""

    pairs: tuple[tuple[str, str], ...] = tuple((f, f) for f in FIELDS)

    @property
    def columns(self) -> dict[str, str]:
        return dict(self.pairs)

    def column(self, name: str) -> str:
        return self.columns.get(name, name)

    def find(self, keys: Iterable[str], name: str) -> str | None:
        """The key among ``keys`` that feeds field ``name``: exact, else case-insensitive."""
        wanted = self.column(name)
        folded = wanted.strip().casefold()
        match = None
        for key in keys:
            if key == wanted:
                return key
            if match is None and key.strip().casefold() == folded:
                match = key
        return match

    def missing(self, keys: Iterable[str]) -> list[str]:
        """The required fields that no key in ``keys`` feeds."""
        present = list(keys)
        return [name for name in REQUIRED if self.find(present, name) is None]


def parse_map(spec: str | None) -> ColumnMap:
    """``"col=field,col2=field2"`` -> ColumnMap; raises ConfigError on a bad spec."""
    columns = {f: f for f in FIELDS}
    for pair in (spec or "").split(","):
        if not pair.strip():
            continue
        column, sep, target = (part.strip() for part in pair.partition("="))
        if not sep or not column or not target:
            raise ConfigError(f"column map {pair.strip()!r}: expected COLUMN=FIELD")
        if target not in FIELDS:
            raise ConfigError(
                f"column map {pair.strip()!r}: unknown field {target!r}; fields: "
                + ", ".join(FIELDS)
            )
        columns[target] = column
    return ColumnMap(tuple(columns.items()))


def _scalar(value: Any, name: str) -> str | None:
    """A cell as a string: None stays None; objects, arrays and booleans are refused."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        kind = "a boolean" if isinstance(value, bool) else f"a {type(value).__name__}"
        raise RecordError(f"{name} is {kind}, expected text or a number")
    return str(value)


def _optional(value: Any, name: str) -> str | None:
    text = _scalar(value, name)
    text = text.strip() if text is not None else None
    return text or None


def _required(value: Any, name: str) -> str:
    text = _optional(value, name)
    if text is None:
        raise RecordError(f"missing {name}")
    return text


def _from_unix(seconds: float, value: Any) -> datetime:
    if abs(seconds) > MAX_UNIX_SECONDS:
        raise RecordError(f"date {value!r} is too large for unix seconds (milliseconds?)")
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise RecordError(f"date {value!r} is out of range") from exc


def parse_date(value: Any) -> datetime:
    """ISO 8601 (naive = UTC) or unix seconds (number or digits) -> aware UTC datetime."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_unix(float(value), value)
    text = _required(value, "date")
    if UNIX_NUMBER.fullmatch(text):
        return _from_unix(float(text), value)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise RecordError(f"date {text!r} is neither ISO 8601 nor unix seconds") from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@functools.lru_cache(maxsize=1024)
def _resolve(cmap: ColumnMap, keys: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(field, key) for every field that one of ``keys`` feeds; cached per header/key set."""
    found = ((name, cmap.find(keys, name)) for name in FIELDS)
    return tuple((name, key) for name, key in found if key is not None)


def pick(record: Mapping[str, Any], cmap: ColumnMap) -> dict[str, Any]:
    """Field -> cell for every field whose column is in ``record``."""
    return {name: record[key] for name, key in _resolve(cmap, tuple(record))}


def _text(value: Any) -> str:
    text = _scalar(value, "text")
    return "" if text is None else text


def row_to_post(record: Mapping[str, Any], cmap: ColumnMap) -> Post:
    """Map one row (column -> cell) to a Post of kind "row"; RecordError when it cannot."""
    cells = pick(record, cmap)
    message_id = _required(cells.get("id"), "id")
    handle = _required(cells.get("source"), "source")
    date = parse_date(cells.get("date"))
    platform = _optional(cells.get("platform"), "platform") or DEFAULT_PLATFORM
    return Post(
        source=Source(platform, handle),
        message_id=message_id,
        date=date,
        text=_text(cells.get("text")),
        kind="row",
        author=_optional(cells.get("author"), "author"),
        url=_optional(cells.get("url"), "url"),
        lang_hint=_optional(cells.get("lang"), "lang"),
        reply_to=_optional(cells.get("reply_to"), "reply_to"),
        forwarded_from=_optional(cells.get("forwarded_from"), "forwarded_from"),
        raw=dict(record),
    )
