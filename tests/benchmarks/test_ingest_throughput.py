"""The ingest benchmark: per-process measurement, the floor run, the report (never timings)."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import bench_runs
import ingest_throughput as bench
import make_large_export as gen
import pytest


def _report(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict[str, Any]:
    code = bench.main([*argv, "--json"])
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    report["exit"] = code
    return report


def _runs(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in report["runs"]}


def test_measure_reads_the_childs_own_peak_rss(tmp_path: Path) -> None:
    code = "b = bytearray(96 * 2**20); b[::4096] = b'x' * len(b[::4096]); print('{\"n\": 7}')"
    result = bench.measure("alloc", [sys.executable, "-c", code], tmp_path)
    assert result.returncode == 0 and not result.error
    assert result.peak_rss_mb >= 96
    assert result.counts == {"n": 7}
    small = bench.measure("small", [sys.executable, "-c", "pass"], tmp_path)
    assert small.peak_rss_mb < result.peak_rss_mb - 64  # per child, not the maximum so far


def test_measure_reports_a_failing_child(tmp_path: Path) -> None:
    code = "import sys; print('boom: bad input', file=sys.stderr); sys.exit(3)"
    result = bench.measure("fail", [sys.executable, "-c", code], tmp_path)
    assert result.returncode == 3
    assert "boom: bad input" in result.error


@pytest.mark.parametrize("messages_last", [False, True])
def test_floor_stores_every_message(tmp_path: Path, messages_last: bool) -> None:
    export = tmp_path / "result.json"
    gen.write_export(export, 300, messages_last=messages_last)
    counts = bench_runs.run_floor(export, tmp_path / "floor.db")
    assert counts == {"records": 300, "written": 300, "quarantined": 0}
    with sqlite3.connect(tmp_path / "floor.db") as conn:
        rows = conn.execute("SELECT id, text, raw FROM messages ORDER BY id").fetchall()
    messages = json.loads(export.read_text(encoding="utf-8"))["messages"]
    assert [r[0] for r in rows] == list(range(1, 301))
    assert [json.loads(r[2]) for r in rows] == messages
    listed = next(i for i, m in enumerate(messages) if isinstance(m["text"], list))
    assert rows[listed][1] == "".join(p["text"] for p in messages[listed]["text_entities"])


def test_floor_and_sqlite_utils_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--messages", "300", "--out", str(tmp_path), "--runs", "floor", "sqlite-utils"]
    report = _report(capsys, argv)
    runs = _runs(report)
    assert report["exit"] == 0 and report["messages"] == 300
    assert runs["floor"]["rows"] == 300 and runs["floor"]["floor_ratio"] == 1.0
    assert runs["sqlite-utils"]["rows"] == 300 and runs["sqlite-utils"]["returncode"] == 0
    assert runs["sqlite-utils"]["command"][-3:] == ["--pk", "id", "--alter"]
    assert all(r["posts_per_s"] > 0 and r["peak_rss_mb"] > 0 for r in runs.values())
    assert {p.name for p in tmp_path.iterdir()} == {"telegram_300.json", "telegram_300_bare.json"}
    assert report["targets"] == {}  # judged on the recruitwatch run only


@pytest.mark.parametrize("mode", ["cli", "library"])
def test_recruitwatch_run_stores_every_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    argv = ["--messages", "300", "--out", str(tmp_path), "--skip-sqlite-utils"]
    report = _report(capsys, [*argv, "--recruitwatch", mode])
    runs = _runs(report)
    assert report["exit"] == 0, runs["recruitwatch"]["error"]
    assert runs["recruitwatch"]["rows"] == 300
    assert set(report["targets"]) == {
        "posts/s >= 20,000",
        "x floor <= 2.0",
        "peak RSS <= 300 MB (process and workers together)",
    }


def test_text_report_shows_table_and_failures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    floor = bench.Measurement("floor", [], seconds=2.0, peak_rss_mb=20.0, rows=1000)
    slow = bench.Measurement(
        "recruitwatch", [], seconds=5.0, peak_rss_mb=200.0, tree_rss_mb=400.0, rows=1000
    )
    broken = bench.Measurement("sqlite-utils", [], seconds=1.0, returncode=1, error="MemoryError")
    results = [floor, slow, broken]
    bench.finish(results, 100_000)
    assert (slow.posts_per_s, slow.floor_ratio) == (20_000.0, 2.5)
    assert (broken.posts_per_s, broken.floor_ratio) == (0.0, None)
    assert bench.targets(results) == {
        "posts/s >= 20,000": True,
        "x floor <= 2.0": False,
        "peak RSS <= 300 MB (process and workers together)": False,
    }
    info = bench.machine() | {"loadavg_end": (0.0, 0.0, 0.0)}
    assert info["code"] != "unknown"  # the commit measured is recorded
    report = {"messages": 100_000, "export": "x.json", "export_mb": 45.0, "machine": info,
              "targets": bench.targets(results)}  # fmt: skip
    bench.print_text(report, results)
    out = capsys.readouterr().out
    assert "recruitwatch" in out and "20,000" in out and "2.50" in out
    assert "target x floor <= 2.0: NOT met" in out
    assert "sqlite-utils failed: MemoryError" in out


def test_profile_needs_library_mode() -> None:
    with pytest.raises(SystemExit, match="library"):
        bench.plan(bench.parse_args(["--profile", "p.prof"]))


def test_floor_ratio_target_needs_a_floor_run() -> None:
    run = bench.Measurement("recruitwatch", [], seconds=2.0, peak_rss_mb=50.0, tree_rss_mb=90.0)
    bench.finish([run], 100_000)
    assert bench.targets([run]) == {
        "posts/s >= 20,000": True,
        "peak RSS <= 300 MB (process and workers together)": True,
    }


def test_measure_sums_the_workers_resident_memory(tmp_path: Path) -> None:
    """A process and the worker it forks each hold 80 MB for 1.5 s: the tree holds both."""
    code = (
        "import os, time\n"
        "pid = os.fork()\n"
        "b = bytearray(80 * 2**20); b[::4096] = b'x' * len(b[::4096])\n"
        "time.sleep(1.5)\n"
        "os._exit(0) if pid == 0 else os.waitpid(pid, 0)\n"
    )
    result = bench.measure("tree", [sys.executable, "-c", code], tmp_path)
    assert result.returncode == 0, result.error
    assert 80 <= result.peak_rss_mb < 150
    assert result.tree_rss_mb >= 160


def test_repeated_rounds_compare_each_run_with_its_own_floor(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--repeat: each round's ratio uses that round's floor; targets on the medians."""
    rounds = [(2.0, 3.0), (3.0, 7.0), (2.5, 4.5)]  # (floor, recruitwatch) seconds
    results = []
    for n, (floor_s, rw_s) in enumerate(rounds, start=1):
        results.append(bench.Measurement("floor", [], seconds=floor_s, round=n))
        results.append(bench.Measurement("recruitwatch", [], seconds=rw_s, round=n))
    bench.finish(results, 100_000)
    assert [r.floor_ratio for r in results if r.name == "recruitwatch"] == [1.5, 7 / 3, 1.8]
    found = bench.medians(results, "recruitwatch")
    assert found is not None
    assert (found["rounds"], found["seconds"], found["floor_ratio"]) == (3, 4.5, 1.8)
    assert found["posts_per_s"] == 100_000 / 4.5
    assert bench.targets(results)["x floor <= 2.0"] is True  # median 1.8, one round 2.33
    info = bench.machine() | {"loadavg_end": (0.0, 0.0, 0.0)}
    report = {"messages": 100_000, "export": "x.json", "export_mb": 45.0, "machine": info,
              "medians": {n: bench.medians(results, n) for n in ("floor", "recruitwatch")},
              "targets": bench.targets(results)}  # fmt: skip
    bench.print_text(report, results)
    out = capsys.readouterr().out
    assert "median of 3 rounds, recruitwatch: 4.5 s" in out and "rounds: 1.50, 2.33, 1.80" in out


def test_repeat_runs_every_run_each_round(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--messages", "300", "--out", str(tmp_path), "--runs", "floor", "--repeat", "2"]
    report = _report(capsys, argv)
    assert [(r["name"], r["round"]) for r in report["runs"]] == [("floor", 1), ("floor", 2)]
    assert report["medians"]["floor"]["rounds"] == 2
    assert all(r["rows"] == 300 for r in report["runs"])
