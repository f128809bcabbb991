"""Analyst labelling verbs: one post from ``key=value`` pairs, or a CSV of many.

CSV schema (header row required; ``#`` comment lines before it are skipped):
``post_id, genre, themes, tier, analyst, note`` -- ``themes`` separated by ``;``,
empty cells mean "not labelled". Values are checked against the codebook; a bad
row is reported with its file, row number and reason, and the rest go on.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from .enrich.classify import skip_comments
from .enrich.codebook import Codebook
from .errors import ConfigError, InputError
from .store.labels import set_labels

KEYS = {"genre": "genre", "theme": "theme", "themes": "theme", "tier": "tier"}


@dataclass
class ImportReport:
    rows: int = 0
    labels: int = 0
    errors: list[str] = field(default_factory=list)


def parse_pairs(pairs: Sequence[str], book: Codebook) -> dict[str, list[str]]:
    """``["genre=news", "themes=a,b"]`` -> ``{"genre": ["news_reporting"], "theme": [...]}``.

    Values are codebook labels or their aliases (``news`` for ``news_reporting``).
    """
    out: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        kind = KEYS.get(key.strip())
        if not sep or kind is None:
            raise ConfigError(f"{pair!r}: expected genre=..., themes=a,b or tier=...")
        values = [v.strip() for v in value.replace(";", ",").split(",") if v.strip()]
        out.setdefault(kind, []).extend(book.check(kind, v) for v in values)
    return out


def _row_values(row: dict[str, str], book: Codebook) -> dict[str, list[str]]:
    pairs = [f"{k}={row.get(k) or ''}" for k in ("genre", "themes", "tier") if row.get(k)]
    return parse_pairs(pairs, book)


def import_csv(conn: sa.Connection, path: Path, book: Codebook, analyst: str) -> ImportReport:
    """Store every valid row of ``path``; ``analyst`` fills an empty analyst cell."""
    report = ImportReport()
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(skip_comments(fh)))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(str(path), f"cannot read the label CSV: {exc}") from exc
    for number, row in enumerate(rows, start=2):
        try:
            values = _row_values(row, book)
            who = (row.get("analyst") or "").strip() or analyst
            report.labels += set_labels(conn, row["post_id"], values, who, row.get("note"))
            report.rows += 1
        except (ConfigError, InputError, KeyError) as exc:
            report.errors.append(f"{path}: row {number}: {exc}")
    return report
