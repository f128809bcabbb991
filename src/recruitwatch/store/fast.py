"""Bulk upserts that skip SQLAlchemy's per-row parameter processing.

The statement is built with SQLAlchemy (dialect-correct ON CONFLICT), compiled
once per dialect and table, and run with the driver's executemany on values
already in the driver's form: JSON as text, timestamps as SQLAlchemy's SQLite
storage string (SQLite) or aware datetimes (PostgreSQL). Reading back through
the schema's types gives the same values as the ordinary path (tested).

On SQLite a row's None values are left out of its INSERT (the column takes its
default, NULL; an update still sets every column): Python 3.11's sqlite3 module
binds str, int and float directly but sends every other value, None included,
through its adapter lookup, which costs about 0.5 us a value. A posts row holds
about 12 Nones of 25 values; leaving them out took a bare 25-column executemany
from 12.6 to 7.2 us a row here (``benchmarks/README.md``, "None values").
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from itertools import compress
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from . import schema

SQLITE_TS = "%Y-%m-%d %H:%M:%S.%f"
_SQLITE_FORMAT = "%04d-%02d-%02d %02d:%02d:%02d.%06d"  # SQLITE_TS for %-formatting


def db_time(value: datetime | None, dialect: str) -> Any:
    """A timestamp as the driver stores it for a DateTime(timezone=True) column."""
    if value is None:
        return None
    if dialect == "sqlite" and value.tzinfo is UTC:  # the readers' dates: no conversion
        v = value  # SQLITE_TS; %-formatting is faster than isoformat or strftime (0.9 / 1.4 us)
        return _SQLITE_FORMAT % (v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond)
    utc = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if dialect != "sqlite":
        return utc
    # SQLAlchemy's SQLite storage format (SQLITE_TS), via the faster isoformat
    return utc.replace(tzinfo=None).isoformat(" ", "microseconds")


@lru_cache(maxsize=256)
def _compiled(
    dialect_name: str,
    table: str,
    columns: tuple[str, ...],
    keys: tuple[str, ...],
    update: bool,
    every: tuple[str, ...] | None = None,
) -> tuple[str, tuple[str, ...]]:
    """The upsert's SQL with positional parameters, and their column order.

    ``columns`` are the values inserted; an update sets ``every`` column (default:
    ``columns``), those left out of the insert to their default.
    """
    module: Any = postgresql if dialect_name == "postgresql" else sqlite
    tbl = schema.metadata.tables[table]
    stmt = module.insert(tbl).values({c: sa.bindparam(c) for c in columns})
    if update:
        rest = [c for c in (every or columns) if c not in keys]
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c: stmt.excluded[c] for c in rest}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    paramstyle = "qmark" if dialect_name == "sqlite" else "format"
    compiled = stmt.compile(dialect=module.dialect(paramstyle=paramstyle))
    return str(compiled), tuple(compiled.positiontup or ())


def by_shape(
    columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> dict[tuple[str, ...], list[tuple[Any, ...]]]:
    """``rows`` grouped by the columns that are not None, each row holding only those values.

    Rows keep their order within a group.
    """
    nones = (None,) * len(columns)
    groups: dict[bytes, list[tuple[Any, ...]]] = {}
    for row in rows:
        mask = bytes(map(operator.is_not, row, nones))  # 1 where a value is not None
        found = groups.get(mask)
        if found is None:
            found = groups[mask] = []
        found.append(row)
    shaped: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for mask, group in groups.items():
        if all(mask):
            shaped[tuple(columns)] = group
        else:
            shaped[tuple(compress(columns, mask))] = [tuple(compress(r, mask)) for r in group]
    return shaped


def bulk_upsert(
    conn: sa.Connection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    keys: Sequence[str],
    update: bool = True,
) -> None:
    """executemany an upsert of ``rows``: tuples of driver-ready values in ``columns`` order.

    Key columns must not be None. On SQLite, rows are sent grouped by which of their
    values are None, and those are left out (see the module doc).
    """
    if not rows:
        return
    dialect = conn.dialect.name
    every = tuple(columns)
    groups = by_shape(every, rows) if dialect == "sqlite" else {every: list(rows)}
    for present, group in groups.items():
        sql, order = _compiled(dialect, table, present, tuple(keys), update, every)
        if order != present:
            index = [present.index(c) for c in order]
            group = [tuple(r[i] for i in index) for r in group]
        conn.exec_driver_sql(sql, group)
