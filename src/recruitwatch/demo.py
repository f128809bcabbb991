"""``recruitwatch demo``: the main job on the bundled synthetic corpus, in its own workspace."""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from .enrich.fingerprint.clusters import ClusterFilter, clusters
from .enrich.fingerprint.text import use_matcher_cache
from .output import render
from .settings import Settings, sqlite_url
from .store import Store, open_store
from .store.queries import MentionFilter, list_sources, mention_counts, stats

IngestFn = Callable[[Store, Settings, list[str], str | None], int]  # (..., fmt) -> exit code

MENTIONED = 8
CLUSTERS = 5
NOTICE = (
    "The demo corpus is SYNTHETIC: invented channels, handles and outlets, non-persuasive "
    "descriptions and sentences of the Universal Declaration of Human Rights. It is not real data."
)


def corpus_dir() -> Path:
    return Path(str(files("recruitwatch") / "data" / "demo"))


def corpus_inputs() -> list[str]:
    root = corpus_dir()
    inputs = [root / "telegram_export" / "result.json", *sorted((root / "feeds").glob("*.xml"))]
    return [str(p) for p in inputs if p.exists()]


def run_demo(workspace: Path, fresh: bool, ingest: IngestFn, console: Console) -> int:
    """Ingest the demo corpus into ``workspace`` and print a summary; returns an exit code."""
    workspace.mkdir(parents=True, exist_ok=True)
    db_path = workspace / "recruitwatch.db"
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    settings = Settings(home=workspace, db=sqlite_url(db_path))
    console.print(NOTICE, highlight=False)
    console.print(f"demo workspace: {workspace}", highlight=False)
    inputs = corpus_inputs()
    if not inputs:
        console.print(
            f"[red]error:[/] demo corpus missing under {escape(str(corpus_dir()))}", markup=True
        )
        return 3
    store = open_store(settings.db_url)
    code = ingest(store, settings, inputs, None)
    use_matcher_cache(workspace / "cache")
    with store.begin() as conn:  # clusters bring the LSH index up to date
        summary, sources = stats(conn), list_sources(conn)
        mentioned = mention_counts(conn, m=MentionFilter(limit=MENTIONED))
        copied = clusters(conn, ClusterFilter(limit=CLUSTERS))
    cols = ["id", "title", "kind", "posts", "first_post", "last_post"]
    render(sources, "table", sys.stdout, cols, title="demo sources")
    if mentioned:
        cols = ["id", "kind", "name", "country", "posts", "sources", "forms"]
        title = "most mentioned (entities found across scripts)"
        render(mentioned, "table", sys.stdout, cols, title=title)
    if copied:
        cols = ["cluster", "posts", "sources", "first_post", "origin_source", "text"]
        title = "near-duplicate clusters across sources (origin and copies, across scripts)"
        render(copied, "table", sys.stdout, cols, title=title)
    rows = [{"measure": k, "value": v} for k, v in summary.items()]
    render(rows, "table", sys.stdout, ["measure", "value"], title="demo summary")
    hints = ("posts --limit 20", "mentions", "posts --mention Khorasan --limit 5", "clusters")
    for hint in hints:
        console.print(f"explore it: recruitwatch --home {workspace} {hint}", highlight=False)
    return code
