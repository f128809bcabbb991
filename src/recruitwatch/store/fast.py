"""Bulk upserts that skip SQLAlchemy's per-row parameter processing.

The statement is built with SQLAlchemy (dialect-correct ON CONFLICT), compiled
once per dialect and table, and run with the driver's executemany on values
already in the driver's form: JSON as text, timestamps as SQLAlchemy's SQLite
storage string (SQLite) or aware datetimes (PostgreSQL). Reading back through
the schema's types gives the same values as the ordinary path (tested).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from . import schema

SQLITE_TS = "%Y-%m-%d %H:%M:%S.%f"


def db_time(value: datetime | None, dialect: str) -> Any:
    """A timestamp as the driver stores it for a DateTime(timezone=True) column."""
    if value is None:
        return None
    utc = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if dialect != "sqlite":
        return utc
    # SQLAlchemy's SQLite storage format (SQLITE_TS), via the faster isoformat
    return utc.replace(tzinfo=None).isoformat(" ", "microseconds")


@lru_cache(maxsize=64)
def _compiled(
    dialect_name: str, table: str, columns: tuple[str, ...], keys: tuple[str, ...], update: bool
) -> tuple[str, tuple[str, ...]]:
    """The upsert's SQL with positional parameters, and their column order."""
    module: Any = postgresql if dialect_name == "postgresql" else sqlite
    tbl = schema.metadata.tables[table]
    stmt = module.insert(tbl).values({c: sa.bindparam(c) for c in columns})
    if update:
        rest = [c for c in columns if c not in keys]
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c: stmt.excluded[c] for c in rest}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    paramstyle = "qmark" if dialect_name == "sqlite" else "format"
    compiled = stmt.compile(dialect=module.dialect(paramstyle=paramstyle))
    return str(compiled), tuple(compiled.positiontup or ())


def bulk_upsert(
    conn: sa.Connection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    keys: Sequence[str],
    update: bool = True,
) -> None:
    """executemany an upsert of ``rows``: tuples of driver-ready values in ``columns`` order."""
    if not rows:
        return
    sql, order = _compiled(conn.dialect.name, table, tuple(columns), tuple(keys), update)
    if list(order) != list(columns):
        index = [list(columns).index(c) for c in order]
        rows = [tuple(r[i] for i in index) for r in rows]
    conn.exec_driver_sql(sql, list(rows))
