"""Known-material matching: match and hash lists."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..output import render
from .app import Ctx, err, main, progress_bar


@main.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="output format",
)
@click.pass_obj
def match(obj: Ctx, path: Path, fmt: str) -> None:
    """Match a file (or every file in a folder) against stored media and hash lists.

    Each file is typed from its content and fingerprinted: PDQ for images (with
    rotations, mirrors and black bars removed), Chromaprint for audio and the
    sound of videos, vPDQ for videos (extra 'video'), text MinHash for
    PDF/EPUB/DOCX, MD5 and SHA-256 for every file. Reports the stored media items
    (with the posts and sources that carry them) and the hash-list entries it
    matches, each with the algorithm and distance. See docs/fingerprints.md.
    """
    from ..enrich.fingerprint.match import COLUMNS, match_paths, table_rows

    with obj.store().connect() as conn, progress_bar("matching") as advance:
        results = []
        for result in match_paths(conn, path):
            results.append(result)
            advance(result.file, 1)
    if fmt == "json":
        click.echo(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
        return
    render(table_rows(results), "table", sys.stdout, list(COLUMNS))


@main.group()
def hashlist() -> None:
    """Import and export hash lists of known material (TCAP-style CSV/JSON)."""


@hashlist.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--list",
    "list_name",
    help="put every entry in this list (default: the list_name column, else the file name)",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"]),
    default=None,
    help="default: from the file extension",
)
@click.pass_obj
def hashlist_import(obj: Ctx, file: Path, list_name: str | None, fmt: str | None) -> None:
    """Import a CSV/JSON hash list (hash_digest, algorithm, ideology, file_type ...).

    Re-importing is idempotent. Rows with an unknown algorithm or a malformed
    digest are quarantined with their line and reason; the rest is imported.
    Exit codes: 0 ok, 3 the file cannot be read, 4 some rows were quarantined.
    """
    from ..enrich.fingerprint.hashlist import import_list

    with obj.store().begin() as conn:
        report = import_list(conn, file, list_name, fmt)
    for problem in report.problems:
        err.print(f"{problem.location}: {problem.locator}: {problem.reason}", highlight=False)
    err.print(
        f"{file}: {report.rows} rows, {report.new} new and {report.updated} known entries in list "
        f"{report.list_name!r}, {len(report.problems)} quarantined",
        highlight=False,
    )
    sys.exit(4 if report.problems else 0)


@hashlist.command(name="export")
@click.option(
    "--list",
    "list_name",
    help="export this imported list (default: every stored media fingerprint)",
)
@click.option(
    "--algorithm",
    "algorithms",
    multiple=True,
    help="only these algorithms (repeatable): pdq, md5, sha256, chromaprint ...",
)
@click.option(
    "--names",
    type=click.Choice(["tcap", "threatexchange", "recruitwatch"]),
    default="tcap",
    show_default=True,
    help="how algorithm values are written",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
    help="output format",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="write to this file (default: standard output)",
)
@click.pass_obj
def hashlist_export(
    obj: Ctx,
    list_name: str | None,
    algorithms: tuple[str, ...],
    names: str,
    fmt: str,
    output: Path | None,
) -> None:
    """Export a hash list, or the stored media fingerprints, as TCAP-style CSV/JSON."""
    from ..enrich.fingerprint.hashlist import export_rows, write_rows

    with obj.store().connect() as conn:
        rows = export_rows(conn, list_name, algorithms, names)
    if output is None:
        write_rows(rows, fmt, sys.stdout)
        return
    with output.open("w", encoding="utf-8", newline="") as fh:
        write_rows(rows, fmt, fh)
    err.print(f"{output}: {len(rows)} entries", highlight=False)
