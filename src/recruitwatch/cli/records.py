"""Commands over collected records: ingest, formats, sources, posts, stats, quarantine, db, demo."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..enrich.gazetteer import KINDS
from ..output import render
from .app import Ctx, _run_ingest, err, format_option, iso_date, main


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
    from ..ingest.columns import parse_map

    parse_map(obj.settings.table_map)  # a bad map fails before any input is read
    store = obj.store()
    code = _run_ingest(store, obj.settings, list(paths), fmt, enrich=not no_enrich, only=only)
    sys.exit(code)


@main.command()
def formats() -> None:
    """List the input formats (readers) and what each reads."""
    from ..ingest import readers

    rows = [{"name": n, "reads": c.DESCRIPTION} for n, c in readers().items()]
    render(rows, "table", sys.stdout, ["name", "reads"])


@main.command()
@format_option()
@click.pass_obj
def sources(obj: Ctx, fmt: str) -> None:
    """List sources (channels, groups, feeds) with post counts and first/last post."""
    from ..store.queries import list_sources

    with obj.store().connect() as conn:
        rows = list_sources(conn)
    cols = ["id", "title", "kind", "posts", "first_post", "last_post"]
    render(rows, fmt, sys.stdout, cols if fmt in ("table", "csv") else None)


@main.command()
@click.option("--source", help="source id, handle or title")
@click.option("--since", help="only posts at or after this UTC date (ISO 8601)")
@click.option("--until", help="only posts before this UTC date (ISO 8601)")
@click.option("--search", "text", help="case-insensitive text search")
@click.option("--kind", type=click.Choice(["message", "service", "article", "row", "unsupported"]))
@click.option("--lang", help="language tag (uz-Latn, ru, fa-AF ...) or base language (uz)")
@click.option(
    "--mention",
    "mentions",
    multiple=True,
    help="posts that mention this entity: an id (region:khorasan, telegram:HANDLE) or a name "
    "in any script (Khorasan, Хуросон), @handle or t.me link; repeatable (any of them)",
)
@click.option("--limit", type=click.IntRange(min=0), help="at most this many posts")
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
    mentions: tuple[str, ...],
    limit: int | None,
    fmt: str,
) -> None:
    """List posts, oldest first, with filters."""
    from ..enrich.entities import entity_ids
    from ..store.queries import PostFilter, iter_posts

    ids = tuple(dict.fromkeys(i for m in mentions for i in entity_ids(m, obj.settings.home)))
    filt = PostFilter(source, iso_date(since), iso_date(until), text, kind, limit, lang, ids)
    with obj.store().connect() as conn:
        rows = iter_posts(conn, filt)
        cols = ["id", "date", "source", "lang", "text"] if fmt in ("table", "csv") else None
        render(rows, fmt, sys.stdout, cols)


@main.command()
@click.option("--kind", type=click.Choice(KINDS), help="only entities of this kind")
@click.option("--country", help="only entities of this country (ISO 3166-1 alpha-2)")
@click.option("--source", help="only posts of this source (id, handle or title)")
@click.option("--since", help="only posts at or after this UTC date (ISO 8601)")
@click.option("--until", help="only posts before this UTC date (ISO 8601)")
@click.option("--lang", help="only posts in this language (tag or base language)")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@format_option()
@click.pass_obj
def mentions(
    obj: Ctx,
    kind: str | None,
    country: str | None,
    source: str | None,
    since: str | None,
    until: str | None,
    lang: str | None,
    limit: int,
    fmt: str,
) -> None:
    """Places, organisations, outlets and handles the posts mention, most posts first.

    Each entity (as the entities step found it, across scripts) with its posts, sources,
    first and last post and the forms written. `posts --mention ID` lists its posts.
    """
    from ..enrich.gazetteer import country_codes
    from ..store.queries import MentionFilter, PostFilter, mention_counts

    if country and country.upper() not in country_codes():
        raise click.BadParameter(
            f"{country!r} is not an ISO 3166-1 alpha-2 code", param_hint="--country"
        )
    posts_filter = PostFilter(source, iso_date(since), iso_date(until), lang=lang)
    with obj.store().connect() as conn:
        rows = mention_counts(conn, posts_filter, MentionFilter(kind, country, limit))
    if not rows:
        if any((kind, country, source, since, until, lang)):
            err.print("no entity mentions match these filters")
        else:
            err.print("no entity mentions stored (has `recruitwatch enrich` run?)")
    cols = ["id", "kind", "name", "country", "posts", "sources", "first_post", "last_post", "forms"]
    render(rows, fmt, sys.stdout, cols if fmt in ("table", "csv") else None)


@main.command()
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_obj
def stats(obj: Ctx, fmt: str) -> None:
    """Counts of sources, posts, media, revisions and quarantined records."""
    from ..store.queries import stats as get_stats

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
    from ..store.queries import list_quarantine

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
    from ..store.db import Store, make_engine

    store = Store(make_engine(obj.settings.db_url))
    before = store.current_revision()
    store.upgrade()
    click.echo(f"database {obj.settings.db_url}: {before or 'empty'} -> {store.current_revision()}")


@db.command()
@click.pass_obj
def current(obj: Ctx) -> None:
    """Show the database's migration and the newest one."""
    from ..store.db import Store, make_engine

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
    from ..demo import run_demo

    target = workspace or obj.settings.home / "demo"
    sys.exit(run_demo(target, fresh=fresh, ingest=_run_ingest, console=err))
