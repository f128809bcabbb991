"""The stage breakdown: every stage runs on the real reader and writer and stores every post."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import ingest_stages as stages
import make_large_export as gen
import pytest

from recruitwatch.model import Batch
from recruitwatch.store.writer import post_row, write_batch


def test_every_stage_runs_and_the_pipeline_adds_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "result.json"
    gen.write_export(export, 250)
    assert stages.main([str(export), "--batch", "100", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["records"], result["posts"]) == (250, 250)
    for kind in ("wall_seconds", "cpu_seconds"):
        figures = result[kind]
        assert set(stages.STAGES) <= set(figures)
        assert all(figures[name] > 0 for name in stages.STAGES)
        parts = sum(figures[n] for n in ("read", "normalise", "write"))
        assert figures["pipeline"] == pytest.approx(parts)


def test_limit_stops_early_and_text_report_lists_stages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "result.json"
    gen.write_export(export, 120, messages_last=True)
    assert stages.main([str(export), "--limit", "50", "--batch", "20"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("50 records, 50 posts")
    for name in (*stages.STAGES, "SQLAlchemy + other tables", "pipeline"):
        assert f"\n{name} " in out


def test_serialise_matches_what_the_store_holds(tmp_path: Path) -> None:
    export = tmp_path / "result.json"
    gen.write_export(export, 60)
    run = stages.Run(tmp_path, 100)
    posts = stages.normalise_all(run.reader, list(run.reader.records(str(export))))
    with run.store.begin() as conn:
        write_batch(conn, Batch(posts=posts))
    run.close()
    columns = ("entities", "action", "reactions", "raw")
    with sqlite3.connect(tmp_path / "home" / "recruitwatch.db") as conn:
        rows = conn.execute(f"SELECT id, {', '.join(columns)} FROM posts").fetchall()
    stored = {row[0]: row[1:] for row in rows}
    encode = stages._json_encoder()
    expected = [stages.serialise(post_row(p, p.content_hash()), encode) for p in posts]
    assert len(stored) == len(expected) == 60
    for row in expected:
        for column, value in zip(columns, stored[row["id"]], strict=True):
            assert (
                value is None
                if row[column] is None
                else json.loads(value) == json.loads(row[column])
            )
