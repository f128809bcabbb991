"""Match files against stored media items and imported hash lists (``recruitwatch match``).

Each file is typed from its first bytes (image, audio, video, document, other)
and fingerprinted with every signal type for that type; each fingerprint is
searched in the stored media fingerprints of the same algorithm and in the
hash-list entries of that algorithm. Indexes are built once per algorithm and
reused for every file of a folder. PDQ searches are a numpy scan over packed
256-bit hashes (fine up to about a million stored hashes), Chromaprint compares
aligned fingerprints one by one, MinHash compares signatures as a matrix, and
MD5/SHA-256 look values up exactly.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ...errors import InputError
from ...store import schema
from .media import Index, NoContent, SignalType, file_type, for_file_type

POSTS_PER_ITEM = 50


@dataclass(slots=True)
class Searchable:
    """An index over stored hashes and, per position, what the hash belongs to."""

    index: Index
    owners: list[dict[str, Any]]


def _media_searchable(conn: sa.Connection, cls: type[SignalType]) -> Searchable:
    f = schema.media_fingerprints.c
    values: list[str] = []
    owners: list[dict[str, Any]] = []
    query = sa.select(f.sha256, f.value, f.extra).where(f.algorithm == cls.NAME)
    for row in conn.execute(query):
        for value in cls.stored_values(row.value, row.extra or {}):
            values.append(value)
            owners.append({"target": "media_item", "sha256": row.sha256})
    return Searchable(cls.index(values), owners)


def _list_searchable(conn: sa.Connection, cls: type[SignalType]) -> Searchable:
    h = schema.hash_list_entries.c
    query = sa.select(h.list_name, h.digest, h.ideology, h.file_type, h.note).where(
        h.algorithm == cls.NAME
    )
    rows = list(conn.execute(query))
    owners = [
        {
            "target": "hash_list",
            "list": r.list_name,
            "digest": r.digest,
            "ideology": r.ideology,
            "file_type": r.file_type,
            "note": r.note,
        }
        for r in rows
    ]
    return Searchable(cls.index([r.digest for r in rows]), owners)


def post_count(conn: sa.Connection, sha256: str) -> int:
    pm = schema.post_media.c
    query = sa.select(sa.func.count(sa.distinct(pm.post_id))).where(pm.sha256 == sha256)
    return int(conn.execute(query).scalar_one())


def linked_posts(conn: sa.Connection, sha256: str) -> list[dict[str, Any]]:
    """The posts (and their sources) that carry a media item, oldest first."""
    pm, p = schema.post_media.c, schema.posts.c
    query = (
        sa.select(p.id, p.source_id, p.date)
        .join(schema.posts, p.id == pm.post_id)
        .where(pm.sha256 == sha256)
        .distinct()
        .order_by(p.date, p.id)
        .limit(POSTS_PER_ITEM)
    )
    return [
        {"id": r.id, "source": r.source_id, "date": r.date.isoformat()} for r in conn.execute(query)
    ]


@dataclass
class FileResult:
    file: str
    type: str
    matches: list[dict[str, Any]] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "type": self.type,
            "matches": self.matches,
            "skipped": self.skipped,
            "errors": self.errors,
        }


class Matcher:
    """Matches files against one database; indexes are loaded on first use."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self._indexes: dict[tuple[str, str], Searchable] = {}

    def _searchables(self, cls: type[SignalType]) -> list[Searchable]:
        for target, build in (("media", _media_searchable), ("list", _list_searchable)):
            if (cls.NAME, target) not in self._indexes:
                self._indexes[cls.NAME, target] = build(self.conn, cls)
        return [self._indexes[cls.NAME, "media"], self._indexes[cls.NAME, "list"]]

    def match_file(self, path: Path) -> FileResult:
        result = FileResult(str(path), file_type(path))
        for cls in for_file_type(result.type):
            if reason := cls.unavailable():
                result.skipped[cls.NAME] = reason
                continue
            try:
                queries = cls.query_values(path)
            except NoContent as exc:
                result.skipped[cls.NAME] = exc.reason
                continue
            except InputError as exc:
                result.errors[cls.NAME] = exc.reason
                continue
            result.matches.extend(self._search(cls, queries))
        result.matches.sort(key=_order)
        return result

    def _search(self, cls: type[SignalType], queries: Sequence[str]) -> list[dict[str, Any]]:
        best: dict[tuple[Any, ...], dict[str, Any]] = {}
        for searchable in self._searchables(cls):
            for pos, distance in searchable.index.search(queries):
                owner = searchable.owners[pos]
                key = (owner["target"], owner.get("sha256") or owner["list"], owner.get("digest"))
                if key not in best or distance < best[key]["distance"]:
                    best[key] = {
                        "algorithm": cls.NAME,
                        "distance": distance,
                        "measure": cls.MEASURE,
                        **owner,
                    }
        for row in best.values():
            if row["target"] == "media_item":
                row["post_count"] = post_count(self.conn, row["sha256"])
                row["posts"] = linked_posts(self.conn, row["sha256"])
        return list(best.values())


def _order(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["target"], row["algorithm"], row["distance"], row.get("sha256") or row["digest"])


def files_under(path: Path) -> Iterator[Path]:
    """``path`` itself, or every regular file below it (sorted, hidden ones skipped)."""
    if path.is_file():
        yield path
        return
    if not path.is_dir():
        raise InputError(str(path), "no such file or folder")
    for child in sorted(path.rglob("*")):
        if child.is_file() and not any(p.startswith(".") for p in child.relative_to(path).parts):
            yield child


def match_paths(conn: sa.Connection, path: Path) -> Iterator[FileResult]:
    matcher = Matcher(conn)
    for file in files_under(path):
        yield matcher.match_file(file)


COLUMNS = ("file", "algorithm", "distance", "matched", "id", "detail")


def _detail(m: dict[str, Any]) -> str:
    if "posts" in m:
        return f"{m['post_count']} posts: " + ", ".join(p["id"] for p in m["posts"][:3])
    return " ".join(filter(None, [m["ideology"], m["file_type"]]))


def _table_row(file: str, m: dict[str, Any]) -> dict[str, Any]:
    where = f"list {m['list']}" if m["target"] == "hash_list" else "media item"
    ident = str(m.get("sha256") or m["digest"])[:16]
    values = (file, m["algorithm"], m["distance"], where, ident, _detail(m))
    return dict(zip(COLUMNS, values, strict=True))


def table_rows(results: Sequence[FileResult]) -> list[dict[str, Any]]:
    """One row per match (or one per file without any), for ``--format table``."""
    rows: list[dict[str, Any]] = []
    for res in results:
        rows.extend(_table_row(res.file, m) for m in res.matches)
        if not res.matches:
            values = (res.file, "", "", "no match", "", "; ".join(res.errors.values()))
            rows.append(dict(zip(COLUMNS, values, strict=True)))
    return rows
