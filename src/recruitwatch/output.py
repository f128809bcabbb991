"""Render lists of dicts as table, JSON, JSONL or CSV (one data function, many renderings)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from typing import IO, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

FORMATS = ("table", "json", "jsonl", "csv")


def _cell(value: Any, width: int = 80) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value).replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def render(
    rows: Iterable[dict[str, Any]],
    fmt: str,
    out: IO[str],
    columns: Sequence[str] | None = None,
    title: str | None = None,
) -> int:
    """Write ``rows`` to ``out``; returns how many were written."""
    count = 0
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
            count += 1
        return count
    if fmt == "json":
        items = list(rows)
        json.dump(items, out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
        return len(items)
    if fmt == "csv":
        writer: csv.DictWriter[str] | None = None
        for row in rows:
            flat = {k: _cell(v, 10**9) for k, v in row.items()}
            if writer is None:
                writer = csv.DictWriter(
                    out, fieldnames=list(columns or flat), extrasaction="ignore"
                )
                writer.writeheader()
            writer.writerow(flat)
            count += 1
        return count
    table = Table(title=title, show_lines=False)
    items = list(rows)
    cols = list(columns or (items[0].keys() if items else []))
    for col in cols:
        table.add_column(col, overflow="fold")
    for row in items:
        table.add_row(*(Text(_cell(row.get(c))) for c in cols))  # never markup
    Console(file=out, width=200).print(table)
    return len(items)
