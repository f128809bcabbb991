"""The CLI application: the root group, shared options and helpers (commands live beside it)."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .. import __version__
from ..errors import RecruitwatchError, RecruitwatchWarning
from ..output import FORMATS
from ..settings import Settings, load_settings
from ..store import Store, open_store

F = TypeVar("F", bound=Callable[..., Any])
# Messages name files, ids and texts: "[x]" in a file name is no markup and ":x:" no emoji.
err = Console(stderr=True, soft_wrap=True, markup=False, emoji=False, highlight=False)


class Ctx:
    def __init__(self, cli_settings: dict[str, Any]) -> None:
        self.cli_settings = cli_settings
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.cli_settings)
        return self._settings

    def store(self) -> Store:
        return open_store(self.settings.db_url)


def fail(exc: RecruitwatchError) -> None:
    # the message is plain text: "pip install 'recruitwatch[live]'" is not markup
    err.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True, highlight=False)
    sys.exit(exc.exit_code)


class Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RecruitwatchError as exc:
            fail(exc)


def iso_date(value: str | None) -> datetime | None:
    """A ``--since``/``--until`` value: ISO 8601, UTC when no offset is given."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not an ISO date (YYYY-MM-DD[THH:MM])") from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def format_option(default: str = "table") -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default=default,
        show_default=True,
        help="output format",
    )


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="recruitwatch")
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=None,
    help="workspace folder (default: RECRUITWATCH_HOME or the user data folder)",
)
@click.option("--db", help="database URL (default: RECRUITWATCH_DB or HOME/recruitwatch.db)")
@click.pass_context
def main(ctx: click.Context, home: Path | None, db: str | None) -> None:
    """recruitwatch: offline monitoring of extremist recruitment outreach.

    Ingest Telegram exports, feeds and post tables into a local workspace, then
    list, filter and count what was collected. Every command has --help.
    """
    ctx.obj = Ctx({"home": home, "db": db})


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[str, int], None]]:
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        MofNCompleteColumn(),
        TextColumn("records"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task(label, total=None)

        def advance(location: str, n: int) -> None:
            bar.update(task, advance=n, description=f"{label} {Path(location).name}")

        yield advance


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    if issubclass(category, RecruitwatchWarning):
        err.print(f"[yellow]warning:[/] {escape(str(message))}", markup=True)
    else:
        text = warnings.formatwarning(message, category, filename, lineno, line)
        err.print(text, end="", markup=False, highlight=False)


@contextmanager
def printed_warnings() -> Iterator[None]:
    """Print the package's warnings (e.g. a malformed feed) to stderr as they happen."""
    with warnings.catch_warnings():
        warnings.simplefilter("always", RecruitwatchWarning)
        warnings.showwarning = _show_warning
        yield


def _run_ingest(
    store: Store,
    settings: Settings,
    paths: list[str],
    fmt: str | None,
    enrich: bool = True,
    only: tuple[str, ...] = (),
) -> int:
    from ..enrich.chain import Chain
    from ..pipeline import FileReport, ingest

    chain = Chain.default(list(only) or None, settings=settings) if enrich else None

    def on_file(report: FileReport) -> None:
        if report.error:
            err.print(f"[red]error:[/] {escape(str(report.error))}", markup=True)
        resumed = f", resumed after record {report.resumed_from}" if report.resumed_from else ""
        err.print(
            f"{report.location}: {report.records} records, {report.written} posts written, "
            f"{report.quarantined} quarantined ({report.reader or 'unread'}{resumed})",
            highlight=False,
        )
        if report.unknown:
            top = sorted(report.unknown.items(), key=lambda kv: -kv[1])[:8]
            listed = ", ".join(f"{k} ({n})" for k, n in top)
            err.print(f"  kept in raw, not understood: {listed}", highlight=False)

    with progress_bar("ingesting") as advance, printed_warnings():
        result = ingest(
            store, paths, settings, fmt=fmt, progress=advance, on_file=on_file, chain=chain
        )
    totals = result.totals()
    err.print(
        f"done: {totals['files']} inputs, {totals['records']} records, {totals['written']} posts "
        f"written, {totals['quarantined']} quarantined, {totals['failed_files']} failed inputs",
        highlight=False,
    )
    if totals["quarantined"]:
        err.print("see 'recruitwatch quarantine' for the reasons", highlight=False)
    return result.exit_code
