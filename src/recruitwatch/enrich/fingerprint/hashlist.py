"""Hash lists of known material: import and export as CSV or JSON.

The fields follow Tech Against Terrorism's TCAP hash lists: ``hash_digest``,
``algorithm``, ``ideology``, ``file_type``; optional ``list_name``,
``description`` (stored as the note) and ``added``. JSON is a list of such
objects, or an object holding it under ``hashes``, ``entries``, ``items`` or
``data``. Algorithm values may be TCAP-style (``PDQ``, ``MD5``, ``SHA256``),
python-threatexchange signal type names (``pdq``, ``video_md5``, ``vpdq``) or
recruitwatch's own (``chromaprint``, ``doc_minhash``): ``ALGORITHMS`` maps
them. Every digest is checked by its signal type; a bad row is quarantined
with its line and reason and the rest is imported. Re-importing is idempotent:
an entry is keyed by list, algorithm and digest.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

from ...errors import ConfigError, InputError, RecordError
from ...model import Quarantined
from ...store import schema
from ...store.writer import upsert, write_quarantine
from .media import HINTS, SignalType, signal_types

FIELDS = ("hash_digest", "algorithm", "ideology", "file_type", "list_name", "description", "added")
NAME_STYLES = ("tcap", "threatexchange", "recruitwatch")
_ALIASES = {
    "hash": "hash_digest",
    "digest": "hash_digest",
    "signal": "hash_digest",
    "hash_type": "algorithm",
    "signal_type": "algorithm",
    "list": "list_name",
    "note": "description",
    "date_added": "added",
    "created_at": "added",
}
_EXTRA_NAMES = {"sha-256": "sha256", "photo_md5": "md5", "pdq_hash": "pdq"}
_LIST_KEYS = ("hashes", "entries", "items", "data")


def algorithm_names() -> dict[str, str]:
    """Every accepted algorithm value (lower case) -> recruitwatch signal type name."""
    out = dict(_EXTRA_NAMES)
    for cls in signal_types().values():
        for alias in (cls.NAME, cls.TX_NAME, cls.TCAP_NAME):
            if alias:
                out[alias.lower()] = cls.NAME
    return out


@dataclass(frozen=True, slots=True)
class Entry:
    list_name: str
    algorithm: str
    digest: str
    ideology: str | None = None
    file_type: str | None = None
    note: str | None = None
    added: str | None = None

    @property
    def id(self) -> str:
        key = "\x1f".join((self.list_name, self.algorithm, self.digest))
        return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class ImportReport:
    location: str
    list_name: str
    rows: int = 0
    new: int = 0
    updated: int = 0
    problems: list[Quarantined] = field(default_factory=list)


def _text(row: Mapping[str, Any], name: str) -> str | None:
    value = row.get(name)
    return None if value is None or str(value).strip() == "" else str(value).strip()


def _normalise(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        _ALIASES.get(str(k).strip().lower(), str(k).strip().lower()): v
        for k, v in row.items()
        if k is not None
    }


def to_entry(raw: Mapping[str, Any], default_list: str, locator: str) -> Entry:
    """One list row as an Entry; RecordError naming the row and the reason."""
    row = _normalise(raw)
    digest, algorithm = _text(row, "hash_digest"), _text(row, "algorithm")
    if not digest or not algorithm:
        raise RecordError("a row needs hash_digest and algorithm", locator)
    name = algorithm_names().get(algorithm.lower())
    if name is None:
        raise RecordError(
            f"algorithm {algorithm!r} is not supported "
            f"(known: {', '.join(sorted(algorithm_names()))})",
            locator,
        )
    try:
        digest = signal_types()[name].validate(digest)
    except ValueError as exc:
        raise RecordError(f"{algorithm} digest is not valid: {exc}", locator) from exc
    return Entry(
        _text(row, "list_name") or default_list,
        name,
        digest,
        _text(row, "ideology"),
        _text(row, "file_type"),
        _text(row, "description"),
        _text(row, "added"),
    )


def _json_rows(text: str, location: str) -> list[Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(location, f"not valid JSON: {exc}") from exc
    if isinstance(data, dict):
        data = next((data[k] for k in _LIST_KEYS if isinstance(data.get(k), list)), None)
    if not isinstance(data, list):
        raise InputError(location, f"expected a list of entries (or one under {_LIST_KEYS})")
    return data


def read_rows(path: Path, fmt: str | None = None) -> Iterator[tuple[str, Any]]:
    """``(locator, row)`` for every row of a CSV or JSON list."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read the hash list: {exc}") from exc
    fmt = fmt or ("json" if path.suffix.lower() == ".json" else "csv")
    if fmt == "json":
        for n, row in enumerate(_json_rows(text, str(path))):
            yield f"entry {n}", row
        return
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or "hash_digest" not in _normalise(dict.fromkeys(reader.fieldnames)):
        raise InputError(str(path), "not a hash list: no hash_digest (or hash) column")
    for row in reader:
        yield f"line {reader.line_num}", row


def _problem(location: str, locator: str, exc: RecordError, row: Any) -> Quarantined:
    raw = json.dumps(row, ensure_ascii=False, default=str)
    return Quarantined(location, locator, exc.reason, type(exc).__name__, raw)


def parse_list(
    path: Path, list_name: str, fmt: str | None = None, force_name: bool = False
) -> tuple[list[Entry], list[Quarantined]]:
    """Entries and quarantined rows; ``list_name`` is the default (or, forced, every) list."""
    entries: dict[str, Entry] = {}
    problems: list[Quarantined] = []
    for locator, row in read_rows(path, fmt):
        try:
            if not isinstance(row, Mapping):
                raise RecordError("an entry must be an object", locator)
            entry = to_entry(row, list_name, locator)
            if force_name:
                entry = replace(entry, list_name=list_name)
            entries[entry.id] = entry
        except RecordError as exc:
            problems.append(_problem(str(path), locator, exc, row))
    return list(entries.values()), problems


def _existing(conn: sa.Connection, ids: Sequence[str]) -> set[str]:
    h = schema.hash_list_entries.c
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.update(conn.execute(sa.select(h.id).where(h.id.in_(chunk))).scalars())
    return found


def import_list(
    conn: sa.Connection, path: Path, list_name: str | None = None, fmt: str | None = None
) -> ImportReport:
    """Import a CSV/JSON hash list; bad rows go to the quarantine with their reason.

    Entries go to ``list_name`` when given, else to their list_name column, else to
    a list named after the file.
    """
    name = list_name or path.stem
    entries, problems = parse_list(path, name, fmt, force_name=list_name is not None)
    report = ImportReport(str(path), name, len(entries) + len(problems), problems=problems)
    existing = _existing(conn, [e.id for e in entries])
    report.new = sum(e.id not in existing for e in entries)
    report.updated = len(entries) - report.new
    upsert(conn, schema.hash_list_entries, [{"id": e.id, **asdict(e)} for e in entries], ["id"])
    write_quarantine(conn, problems)
    return report


# --- export -----------------------------------------------------------------------------------


def algorithm_label(cls: type[SignalType], style: str, file_type: str | None) -> str:
    if style == "tcap":
        return cls.TCAP_NAME or cls.NAME.upper()
    if style == "threatexchange" and cls.TX_NAME:
        return cls.TX_NAME if cls.NAME != "md5" or file_type == "video" else "md5"
    return cls.NAME


def _list_rows(conn: sa.Connection, list_name: str) -> Iterator[dict[str, Any]]:
    h = schema.hash_list_entries.c
    query = (
        sa.select(schema.hash_list_entries)
        .where(h.list_name == list_name)
        .order_by(h.algorithm, h.digest)
    )
    for row in conn.execute(query).mappings():
        yield {
            "hash_digest": row["digest"],
            "algorithm": row["algorithm"],
            "ideology": row["ideology"],
            "file_type": row["file_type"],
            "list_name": row["list_name"],
            "description": row["note"],
            "added": row["added"],
        }


def _media_rows(conn: sa.Connection, list_name: str) -> Iterator[dict[str, Any]]:
    f, m = schema.media_fingerprints.c, schema.media_items.c
    query = (
        sa.select(f.sha256, f.algorithm, f.value, m.kind)
        .join(schema.media_items, m.sha256 == f.sha256)
        .order_by(f.algorithm, f.sha256)
    )
    for row in conn.execute(query):
        yield {
            "hash_digest": row.value,
            "algorithm": row.algorithm,
            "ideology": None,
            "file_type": HINTS.get(row.kind, row.kind),
            "list_name": list_name,
            "description": f"media item {row.sha256}",
            "added": None,
        }


def stored_lists(conn: sa.Connection) -> list[str]:
    """The names of the imported hash lists."""
    h = schema.hash_list_entries.c
    return list(conn.execute(sa.select(h.list_name).distinct().order_by(h.list_name)).scalars())


def export_rows(
    conn: sa.Connection,
    list_name: str | None = None,
    algorithms: Iterable[str] = (),
    style: str = "tcap",
) -> list[dict[str, Any]]:
    """A stored list (``list_name``) or every stored media fingerprint, as list rows.

    An algorithm no signal type answers to is a ``ConfigError``, a list that is not
    stored an ``InputError`` (rather than an empty export)."""
    names = algorithm_names()
    unknown = [a for a in algorithms if a.lower() not in names]
    if unknown:
        raise ConfigError(f"unknown algorithm {unknown[0]!r}; known: {sorted(signal_types())}")
    wanted = {names[a.lower()] for a in algorithms}
    if list_name and list_name not in stored_lists(conn):
        lists = ", ".join(stored_lists(conn)) or "none"
        raise InputError(list_name, f"no such hash list (stored lists: {lists})")
    rows = _list_rows(conn, list_name) if list_name else _media_rows(conn, "recruitwatch")
    types = signal_types()
    out = []
    for row in rows:
        cls = types.get(row["algorithm"])
        if cls is None or (wanted and cls.NAME not in wanted):
            continue
        out.append(row | {"algorithm": algorithm_label(cls, style, row["file_type"])})
    return out


def write_rows(rows: Sequence[Mapping[str, Any]], fmt: str, out: IO[str]) -> None:
    if fmt == "json":
        json.dump([{k: r.get(k) for k in FIELDS} for r in rows], out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    writer = csv.DictWriter(
        out, fieldnames=list(FIELDS), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(rows)
