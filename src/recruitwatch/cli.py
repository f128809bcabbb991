"""Command-line interface: thin commands over the library verbs."""

from __future__ import annotations

import getpass
import json
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from . import __version__
from .errors import InputError, RecruitwatchError, RecruitwatchWarning
from .output import FORMATS, render
from .settings import Settings, load_settings
from .store import Store, open_store

F = TypeVar("F", bound=Callable[..., Any])
err = Console(stderr=True, soft_wrap=True)


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
    err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
    sys.exit(exc.exit_code)


class Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RecruitwatchError as exc:
            fail(exc)


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
        TextColumn("{task.description}"),
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
        err.print(f"[yellow]warning:[/] {message}", highlight=False)
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
    from .enrich.chain import Chain
    from .pipeline import FileReport, ingest

    chain = Chain.default(list(only) or None, settings=settings) if enrich else None

    def on_file(report: FileReport) -> None:
        if report.error:
            err.print(f"[red]error:[/] {report.error}", highlight=False)
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


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    default=None,
    help="reader name (see 'recruitwatch formats'); default: detect",
)
@click.option("--no-enrich", is_flag=True, help="skip the enrich stage (store raw records only)")
@click.option(
    "--only",
    multiple=True,
    help="run only these enrichers and what they require (repeatable; default: all)",
)
@click.option("--batch-size", type=int, default=None, help="records per commit")
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="CSV/JSONL column map, repeatable: --map body=text (docs/formats.md)",
)
@click.pass_obj
def ingest(
    obj: Ctx,
    paths: tuple[str, ...],
    fmt: str | None,
    no_enrich: bool,
    only: tuple[str, ...],
    batch_size: int | None,
    maps: tuple[str, ...],
) -> None:
    """Ingest Telegram exports (JSON/HTML), RSS/Atom feeds (file or URL), CSV or JSONL.

    Exit codes: 0 ok, 3 an input could not be read, 4 records were quarantined,
    5 database error.
    """
    if batch_size:
        obj.cli_settings["batch_size"] = batch_size
    if maps:
        obj.cli_settings["table_map"] = ",".join(maps)
    from .ingest.columns import parse_map

    parse_map(obj.settings.table_map)  # a bad map fails before any input is read
    store = obj.store()
    code = _run_ingest(store, obj.settings, list(paths), fmt, enrich=not no_enrich, only=only)
    sys.exit(code)


@main.command()
def formats() -> None:
    """List the input formats (readers) and what each reads."""
    from .ingest import readers

    rows = [{"name": n, "reads": c.DESCRIPTION} for n, c in readers().items()]
    render(rows, "table", sys.stdout, ["name", "reads"])


@main.command()
@format_option()
@click.pass_obj
def sources(obj: Ctx, fmt: str) -> None:
    """List sources (channels, groups, feeds) with post counts and first/last post."""
    from .store.queries import list_sources

    with obj.store().connect() as conn:
        rows = list_sources(conn)
    cols = ["id", "title", "kind", "posts", "first_post", "last_post"]
    render(rows, fmt, sys.stdout, cols if fmt in ("table", "csv") else None)


def _date(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not an ISO date (YYYY-MM-DD[THH:MM])") from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


@main.command()
@click.option("--source", help="source id, handle or title")
@click.option("--since", help="only posts at or after this UTC date (ISO 8601)")
@click.option("--until", help="only posts before this UTC date (ISO 8601)")
@click.option("--search", "text", help="case-insensitive text search")
@click.option("--kind", type=click.Choice(["message", "service", "article", "row", "unsupported"]))
@click.option("--lang", help="language tag (uz-Latn, ru, fa-AF ...) or base language (uz)")
@click.option("--limit", type=int, help="at most this many posts")
@format_option()
@click.pass_obj
def posts(
    obj: Ctx,
    source: str | None,
    since: str | None,
    until: str | None,
    text: str | None,
    kind: str | None,
    lang: str | None,
    limit: int | None,
    fmt: str,
) -> None:
    """List posts, oldest first, with filters."""
    from .store.queries import PostFilter, iter_posts

    filt = PostFilter(source, _date(since), _date(until), text, kind, limit, lang)
    with obj.store().connect() as conn:
        rows = iter_posts(conn, filt)
        cols = ["id", "date", "source", "lang", "text"] if fmt in ("table", "csv") else None
        render(rows, fmt, sys.stdout, cols)


@main.command()
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_obj
def stats(obj: Ctx, fmt: str) -> None:
    """Counts of sources, posts, media, revisions and quarantined records."""
    from .store.queries import stats as get_stats

    with obj.store().connect() as conn:
        data = get_stats(conn)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    rows = [{"measure": k, "value": v} for k, v in data.items()]
    render(rows, "table", sys.stdout, ["measure", "value"])


@main.command()
@click.option("--limit", type=int, help="at most this many entries")
@format_option()
@click.pass_obj
def quarantine(obj: Ctx, limit: int | None, fmt: str) -> None:
    """Records that could not be ingested, with file, record and reason."""
    from .store.queries import list_quarantine

    with obj.store().connect() as conn:
        rows = list_quarantine(conn, limit)
    cols = ["location", "locator", "reason", "error"] if fmt in ("table", "csv") else None
    render(rows, fmt, sys.stdout, cols)


@main.group()
def db() -> None:
    """Database maintenance (migrations)."""


@db.command()
@click.pass_obj
def upgrade(obj: Ctx) -> None:
    """Apply every pending migration (Alembic) to the database."""
    from .store.db import Store, make_engine

    store = Store(make_engine(obj.settings.db_url))
    before = store.current_revision()
    store.upgrade()
    click.echo(f"database {obj.settings.db_url}: {before or 'empty'} -> {store.current_revision()}")


@db.command()
@click.pass_obj
def current(obj: Ctx) -> None:
    """Show the database's migration and the newest one."""
    from .store.db import Store, make_engine

    store = Store(make_engine(obj.settings.db_url))
    click.echo(f"current: {store.current_revision()}  head: {store.head_revision()}")


@main.command()
@click.option(
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    help="demo workspace (default: HOME/demo); never the user's own database",
)
@click.option("--fresh", is_flag=True, help="delete the demo database first")
@click.pass_obj
def demo(obj: Ctx, workspace: Path | None, fresh: bool) -> None:
    """Run the main job on the bundled synthetic demo corpus and print a summary."""
    from .demo import run_demo

    target = workspace or obj.settings.home / "demo"
    sys.exit(run_demo(target, fresh=fresh, ingest=_run_ingest, console=err))


@main.command()
@click.option("--only", multiple=True, help="run only these enrichers (repeatable)")
@click.pass_obj
def enrich(obj: Ctx, only: tuple[str, ...]) -> None:
    """Enrich every post whose results are missing or out of date (language, fingerprints ...)."""
    from .enrich.chain import Chain

    store = obj.store()
    chain = Chain.default(list(only) or None, obj.settings)
    pending = chain.count_pending(store)
    columns = (SpinnerColumn(), TextColumn("enriching"), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("enrich", total=pending)
        done = chain.run_pending(
            store, obj.settings.batch_size, lambda n: bar.update(task, advance=n)
        )
    summary = ", ".join(f"{k}: {v}" for k, v in done.items()) or "nothing to do"
    err.print(f"enriched {pending} posts ({summary})", highlight=False)


@main.command()
@click.argument("post_id")
@click.option(
    "--threshold",
    type=float,
    default=None,
    help="lowest estimated Jaccard similarity (default: the calibrated threshold)",
)
@click.option("--limit", type=int, default=100, show_default=True)
@format_option("json")
@click.pass_obj
def similar(obj: Ctx, post_id: str, threshold: float | None, limit: int, fmt: str) -> None:
    """Near-duplicates of a post's text across sources: [{id, score, source}], best first."""
    from .enrich.fingerprint.text import THRESHOLD
    from .enrich.fingerprint.text import similar as find_similar

    with obj.store().begin() as conn:  # brings the LSH index up to date first
        rows = find_similar(conn, post_id, THRESHOLD if threshold is None else threshold, limit)
    render(rows, fmt, sys.stdout, ["id", "score", "source"] if fmt in ("table", "csv") else None)


@main.group(name="eval")
def evaluate() -> None:
    """Evaluate components on labelled data."""


@evaluate.command(name="langid")
@click.argument("tsv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--prefix",
    type=int,
    default=None,
    help="use only the first N characters (code points) of each sentence",
)
@click.option(
    "--context",
    is_flag=True,
    help="prior from the detector's answers on earlier rows of the same source",
)
@click.option("--baseline", is_flag=True, help="score pycld2 (bestEffort) alone, for comparison")
def eval_langid(tsv: Path, prefix: int | None, context: bool, baseline: bool) -> None:
    """Language ID accuracy on a TSV (columns lang, script, ..., text): per language, confusions."""
    from .enrich.langid_eval import evaluate as run_eval
    from .enrich.langid_eval import format_report

    report = run_eval(tsv, prefix, context=context, baseline=baseline)
    click.echo(format_report(report))


@evaluate.command(name="classify")
@click.argument(
    "labels_csv", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.pass_obj
def eval_classify(obj: Ctx, labels_csv: Path | None) -> None:
    """Cross-validate the classifier: P/R/F1, confusion, per language (default: demo set).

    LABELS_CSV: post_id, genre and text columns, or the label-import schema for posts
    already in the store.
    """
    from .enrich.classify import bundled_labels_path
    from .enrich.classify_train import evaluate_csv, format_report, has_text_column
    from .enrich.codebook import load

    path = labels_csv or bundled_labels_path()
    book = load(obj.settings.home)
    if has_text_column(path):
        report = evaluate_csv(path, book)
    else:
        with obj.store().connect() as conn:
            report = evaluate_csv(path, book, conn)
    click.echo(format_report(report, synthetic=path == bundled_labels_path()))


@main.command()
@click.argument("channels", nargs=-1, required=True)
@click.option("--limit", type=int, help="at most this many new messages per channel in this run")
@click.option(
    "--max-flood-waits",
    type=int,
    default=5,
    show_default=True,
    help="give a channel up after this many flood waits (a rerun resumes it)",
)
@click.option(
    "--download-media",
    is_flag=True,
    help="download photos and files into HOME/media/telegram-live "
    "(default: record them as not downloaded)",
)
@click.option("--no-enrich", is_flag=True, help="skip the enrich stage (store raw records only)")
@click.pass_obj
def collect(
    obj: Ctx,
    channels: tuple[str, ...],
    limit: int | None,
    max_flood_waits: int,
    download_media: bool,
    no_enrich: bool,
) -> None:
    """Collect new messages from public Telegram channels (live, read-only, resumable).

    CHANNEL is a public username: name, @name or https://t.me/name. Read-only:
    nothing is joined, sent, forwarded or reacted to; invite links (t.me/+...,
    joinchat) and private chats are refused. Each channel resumes after its last
    stored message; Telegram's flood waits are slept off.

    Needs the optional extra 'live' (pip install 'recruitwatch[live]') and the
    api id/hash settings from my.telegram.org: telegram_api_id and
    telegram_api_hash (RECRUITWATCH_TELEGRAM_API_ID, RECRUITWATCH_TELEGRAM_API_HASH).
    The first run asks for the account's phone number and login code; the
    session file stays in the workspace. See docs/live-collection.md.

    Exit codes: 0 ok, 2 settings or extra missing, 4 messages quarantined,
    5 database error, 6 a channel could not be collected.
    """
    from .ingest.telegram_live import CollectOptions, preflight
    from .ingest.telegram_live import collect as run_collect

    names = preflight(obj.settings, channels)
    store = obj.store()
    chain = None
    if not no_enrich:
        from .enrich.chain import Chain

        chain = Chain.default(settings=obj.settings)
    options = CollectOptions(
        max_flood_waits=max_flood_waits, download_media=download_media, chain=chain
    )
    with progress_bar("collecting") as advance:
        report = run_collect(obj.settings, store, names, limit, advance, options)
    for channel in report.channels:
        err.print(channel.summary(), highlight=False)
    sys.exit(report.exit_code)


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
    from .enrich.fingerprint.match import COLUMNS, match_paths, table_rows

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
    from .enrich.fingerprint.hashlist import import_list

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
    from .enrich.fingerprint.hashlist import export_rows, write_rows

    with obj.store().connect() as conn:
        rows = export_rows(conn, list_name, algorithms, names)
    if output is None:
        write_rows(rows, fmt, sys.stdout)
        return
    with output.open("w", encoding="utf-8", newline="") as fh:
        write_rows(rows, fmt, fh)
    err.print(f"{output}: {len(rows)} entries", highlight=False)


@main.command()
@click.argument("post_id")
@click.argument("pairs", nargs=-1, required=True)
@click.option("--analyst", default=getpass.getuser, show_default="login name", help="who labels")
@click.option("--note", help="free-text note stored with the labels")
@click.pass_obj
def label(obj: Ctx, post_id: str, pairs: tuple[str, ...], analyst: str, note: str | None) -> None:
    """Label a post as an analyst: genre=..., themes=a,b, tier=... (codebook values)."""
    from .enrich.codebook import load
    from .labelling import parse_pairs
    from .store.labels import set_labels

    values = parse_pairs(pairs, load(obj.settings.home))
    with obj.store().begin() as conn:
        count = set_labels(conn, post_id, values, analyst, note)
    err.print(f"{post_id}: {count} label(s) by analyst:{analyst}", highlight=False)


@main.command(name="label-import")
@click.argument("csv_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--analyst", default=getpass.getuser, show_default="login name", help="for empty cells"
)
@click.pass_obj
def label_import(obj: Ctx, csv_path: Path, analyst: str) -> None:
    """Import analyst labels from CSV: post_id, genre, themes (a;b), tier, analyst, note."""
    from .enrich.codebook import load
    from .labelling import import_csv

    with obj.store().begin() as conn:
        report = import_csv(conn, csv_path, load(obj.settings.home), analyst)
    for line in report.errors:
        err.print(line, highlight=False, markup=False)
    err.print(f"{csv_path}: {report.rows} row(s), {report.labels} label(s)", highlight=False)
    if report.errors:
        sys.exit(InputError.exit_code)


@main.command()
@click.pass_obj
def train(obj: Ctx) -> None:
    """Train the genre (and theme) model on analysts' labels; next versions in HOME/models."""
    from .enrich.classify_train import train_from_store

    with obj.store().connect() as conn:
        cards = train_from_store(conn, obj.settings.home / "models")
    for card in cards:
        err.print(f"model written: {card}", highlight=False)
    err.print("run `recruitwatch enrich` to relabel the posts", highlight=False)


@main.command()
@click.option("--limit", type=int, default=50, show_default=True)
@format_option()
@click.pass_obj
def queue(obj: Ctx, limit: int, fmt: str) -> None:
    """Unlabelled posts whose labels would teach the model most (uncertain, disputed, new)."""
    from .enrich.classify_queue import queue as build_queue

    with obj.store().connect() as conn:
        rows = build_queue(conn, limit)
    columns = ["id", "score", "reasons", "genre", "text"]
    render(rows, fmt, sys.stdout, columns if fmt in ("table", "csv") else None)
