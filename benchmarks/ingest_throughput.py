"""Ingest throughput and memory of a large Telegram export, against its floor and sqlite-utils.

    python benchmarks/ingest_throughput.py                      # 1,000,000 messages
    python benchmarks/ingest_throughput.py --messages 100000 --skip-sqlite-utils
    python benchmarks/ingest_throughput.py --json > benchmarks/out/ingest.json

The export is made by make_large_export.py when missing (benchmarks/out/). Each
run is its own process, started by spawn_measured.py, so its wall time, CPU time
and peak RSS (``ru_maxrss`` from ``os.wait4``) are its own:

- floor: ijson yajl2_c streaming of messages.item + batched executemany of
  (id, date, text, raw JSON) into a bare SQLite table (WAL, synchronous=NORMAL)
- recruitwatch: ``recruitwatch --home TMP ingest FILE --no-enrich`` (``--recruitwatch
  library``: the same pipeline called as a library with the JSON reader named);
  with the default settings a large export goes to the parallel ingest workers
- recruitwatch-serial: the same with ``RECRUITWATCH_INGEST_WORKERS=-1`` (in-process)
- sqlite-utils: ``sqlite-utils insert DB messages MESSAGES --pk id --alter`` on the
  bare messages array of the same messages (sqlite-utils loads it whole: ~2.4 GB
  at 1M messages; ``--skip-sqlite-utils`` leaves it out)

posts/s is messages in the file / wall seconds of the process (start-up,
migrations and the final commit included); ``x floor`` is seconds / the seconds of
the floor run of the same round. ``--repeat N`` runs the chosen runs N times in
turn (floor, recruitwatch, floor, recruitwatch, ...) and judges the targets on the
medians: this machine's speed moves by a third within minutes, so one pair of runs
can land on either side of a target.
``peak RSS MB`` is the largest single process, ``tree RSS MB`` the largest sampled
sum over the process and its workers (the RSS target is judged on the sum).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import make_large_export

HERE = Path(__file__).resolve().parent
TARGET_POSTS_PER_S = 20_000
TARGET_FLOOR_RATIO = 2.0
TARGET_RSS_MB = 300
RUNS = ("floor", "recruitwatch", "recruitwatch-serial", "sqlite-utils")
# recruitwatch-serial: the same CLI run with the ingest workers off (in-process)
SERIAL_ENV = {"RECRUITWATCH_INGEST_WORKERS": "-1"}
TABLE_HEAD = (
    "run",
    "seconds",
    "cpu s",
    "posts/s",
    "peak RSS MB",
    "tree RSS MB",
    "x floor",
    "rows",
    "load",
    "status",
)


@dataclass(slots=True)
class Measurement:
    """One run: what was run, how long, how much memory, how many rows it stored."""

    name: str
    command: list[str]
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_rss_mb: float = 0.0
    tree_rss_mb: float = 0.0  # the process and its workers together (sampled)
    returncode: int = 0
    rows: int | None = None
    posts_per_s: float = 0.0
    floor_ratio: float | None = None
    error: str = ""
    counts: dict[str, Any] = field(default_factory=dict)
    load_after: float = 0.0  # 1-minute load average when the run ended (this run counts ~1)
    round: int = 1  # with --repeat: which round of the runs


def measure(
    name: str, command: list[str], workdir: Path, extra_env: dict[str, str] | None = None
) -> Measurement:
    """Run ``command`` in its own process (via spawn_measured.py); time it, read its peak RSS."""
    out_path, err_path = workdir / f"{name}.stdout", workdir / f"{name}.stderr"
    figures = workdir / f"{name}.measure.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECRUITWATCH_")}
    env |= extra_env or {}
    launcher = [sys.executable, "-I", "-S", str(HERE / "spawn_measured.py"), str(figures)]
    with out_path.open("wb") as out, err_path.open("wb") as err:
        subprocess.run([*launcher, *command], stdout=out, stderr=err, env=env, check=True)
    data = json.loads(figures.read_text())
    result = Measurement(name, command, data["seconds"], data["cpu_seconds"])
    result.peak_rss_mb = data["peak_rss_kib"] / 1024
    result.tree_rss_mb = data.get("peak_tree_rss_kib", data["peak_rss_kib"]) / 1024
    result.returncode = data["returncode"]
    result.counts = _last_json_line(out_path.read_text(errors="replace"))
    result.load_after = os.getloadavg()[0]
    if result.returncode != 0:
        result.error = _tail(err_path.read_text(errors="replace"))
    return result


def _tail(text: str, lines: int = 6) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _last_json_line(text: str) -> dict[str, Any]:
    for line in reversed(text.strip().splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        return value if isinstance(value, dict) else {}
    return {}


def count_rows(db: Path, table: str) -> int | None:
    """Rows in ``table`` of the SQLite file ``db``, or None when it cannot be read."""
    if not db.exists():
        return None
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
    except sqlite3.Error:
        return None


def script(name: str) -> str:
    """A console script of this interpreter's environment (or on PATH)."""
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"cannot find the {name!r} command; install it in this environment")
    return found


def ensure_export(path: Path, count: int, messages_last: bool = False, bare: bool = False) -> Path:
    """Generate the export at ``path`` unless it is already there."""
    if not path.exists():
        print(f"generating {path} ({count:,} messages) ...", file=sys.stderr)
        partial = path.with_suffix(".partial")
        make_large_export.write_export(partial, count, messages_last=messages_last, bare=bare)
        partial.replace(path)
    return path


def export_paths(out: Path, count: int, messages_last: bool) -> tuple[Path, Path]:
    """The chat export and the bare messages array for ``count`` messages."""
    suffix = "_last" if messages_last else ""
    return out / f"telegram_{count}{suffix}.json", out / f"telegram_{count}_bare.json"


def floor_run(export: Path, work: Path) -> Measurement:
    db = work / "floor.db"
    cmd = [sys.executable, str(HERE / "bench_runs.py"), "floor", str(export), str(db)]
    result = measure("floor", cmd, work)
    result.rows = count_rows(db, "messages")
    return result


def recruitwatch_run(
    export: Path, work: Path, mode: str, profile: Path | None, serial: bool = False
) -> Measurement:
    home = work / "home"
    if mode == "cli":
        cmd = [script("recruitwatch"), "--home", str(home), "ingest", str(export), "--no-enrich"]
    else:
        cmd = [sys.executable, str(HERE / "bench_runs.py"), "recruitwatch-library"]
        cmd += [str(export), str(home)] + (["--profile", str(profile)] if profile else [])
    name = "recruitwatch-serial" if serial else "recruitwatch"
    result = measure(name, cmd, work, SERIAL_ENV if serial else None)
    result.rows = count_rows(home / "recruitwatch.db", "posts")
    return result


def sqlite_utils_run(bare: Path, work: Path) -> Measurement:
    db = work / "sqlite_utils.db"
    cmd = [script("sqlite-utils"), "insert", str(db), "messages", str(bare), "--pk", "id"]
    result = measure("sqlite-utils", [*cmd, "--alter"], work)
    result.rows = count_rows(db, "messages")
    return result


def finish(results: Sequence[Measurement], messages: int) -> None:
    """Fill posts/s and the ratio to the floor run of the same round."""
    floors = {r.round: r for r in results if r.name == "floor" and r.returncode == 0}
    for result in results:
        if result.returncode != 0 or not result.seconds:
            continue  # a failed run has no throughput to compare
        result.posts_per_s = messages / result.seconds
        floor = floors.get(result.round)
        if floor is not None:
            result.floor_ratio = result.seconds / floor.seconds


def medians(results: Sequence[Measurement], name: str) -> dict[str, Any] | None:
    """The median seconds, posts/s and ratio to the floor of a run's successful rounds."""
    runs = [r for r in results if r.name == name and r.returncode == 0 and r.seconds]
    if not runs:
        return None
    ratios = [r.floor_ratio for r in runs if r.floor_ratio is not None]
    return {
        "rounds": len(runs),
        "seconds": statistics.median(r.seconds for r in runs),
        "posts_per_s": statistics.median(r.posts_per_s for r in runs),
        "floor_ratio": statistics.median(ratios) if ratios else None,
        "floor_ratios": ratios,
        "tree_rss_mb": max(r.tree_rss_mb for r in runs),
    }


def targets(results: Sequence[Measurement]) -> dict[str, Any]:
    """The issue's targets, judged on the recruitwatch run (the medians over rounds)."""
    if any(r.name == "recruitwatch" and r.returncode != 0 for r in results):
        return {}
    run = medians(results, "recruitwatch")
    if run is None:
        return {}
    met = {f"posts/s >= {TARGET_POSTS_PER_S:,}": run["posts_per_s"] >= TARGET_POSTS_PER_S}
    if run["floor_ratio"] is not None:  # only with a floor run in the same invocation
        met[f"x floor <= {TARGET_FLOOR_RATIO}"] = run["floor_ratio"] <= TARGET_FLOOR_RATIO
    met[f"peak RSS <= {TARGET_RSS_MB} MB (process and workers together)"] = (
        run["tree_rss_mb"] <= TARGET_RSS_MB
    )
    return met


def machine() -> dict[str, Any]:
    """What the figures were taken on (the load average says how noisy they are)."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [ln for ln in cpuinfo.read_text().splitlines() if ln.startswith("model name")]
        model = names[0].split(":", 1)[1].strip() if names else ""
    pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "platform": platform.platform(),
        "cpu": model,
        "cpus": os.cpu_count(),
        "memory_gb": round(pages * page_size / 2**30, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "loadavg_start": os.getloadavg(),
        "code": code_version(),
    }


def code_version() -> str:
    """The commit measured, with "+dirty" when src/ has uncommitted changes."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD")
    dirty = git("status", "--porcelain", "--", str(HERE.parent / "src"))
    return f"{commit}{'+dirty' if dirty else ''}" if commit else "unknown"


def _row(r: Measurement) -> list[str]:
    ratio = f"{r.floor_ratio:.2f}" if r.floor_ratio is not None else "-"
    rows = "-" if r.rows is None else f"{r.rows:,}"
    rate = f"{r.posts_per_s:,.0f}" if r.posts_per_s else "-"
    status = "ok" if r.returncode == 0 else f"exit {r.returncode}"
    return [
        r.name,
        f"{r.seconds:.1f}",
        f"{r.cpu_seconds:.1f}",
        rate,
        f"{r.peak_rss_mb:,.0f}",
        f"{r.tree_rss_mb:,.0f}",
        ratio,
        rows,
        f"{r.load_after:.1f}",
        status,
    ]


def table(results: Sequence[Measurement]) -> str:
    head = list(TABLE_HEAD)
    body = [head, *(_row(r) for r in results)]
    widths = [max(len(line[i]) for line in body) for i in range(len(head))]
    lines = [
        "  ".join(
            c.rjust(w) if i else c.ljust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        )
        for line in body
    ]
    return "\n".join(lines)


def print_text(report: dict[str, Any], results: Sequence[Measurement]) -> None:
    info = report["machine"]
    print(f"{report['messages']:,} messages, {report['export_mb']:,.1f} MB: {report['export']}")
    print(
        f"{info['date']}; {info['cpu']} x{info['cpus']}, {info['memory_gb']} GB; "
        f"Python {info['python']}, SQLite {info['sqlite']}; "
        f"load {info['loadavg_start'][0]:.2f} -> {info['loadavg_end'][0]:.2f}; "
        f"code {info['code']}"
    )
    print(table(results))
    rounds = max((r.round for r in results), default=1)
    for name in dict.fromkeys(r.name for r in results) if rounds > 1 else ():
        found = report["medians"].get(name)
        if found:
            ratio = found["floor_ratio"]
            shown = "-" if ratio is None else f"{ratio:.2f}"
            spread = ", ".join(f"{x:.2f}" for x in found["floor_ratios"])
            print(
                f"median of {found['rounds']} rounds, {name}: {found['seconds']:.1f} s, "
                f"{found['posts_per_s']:,.0f} posts/s, x floor {shown}"
                + (f" (rounds: {spread})" if spread and name != "floor" else "")
            )
    for name, ok in report["targets"].items():
        print(f"target {name}: {'met' if ok else 'NOT met'}")
    for r in results:
        if r.error:
            print(f"{r.name} failed: {r.error}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add(
        "--messages",
        type=int,
        default=make_large_export.DEFAULT_MESSAGES,
        help="messages in the export (generated when missing)",
    )
    add("--out", type=Path, default=HERE / "out", help="folder for exports and run databases")
    add("--messages-last", action="store_true", help="export with name/type/id after messages")
    add("--runs", nargs="+", choices=RUNS, default=list(RUNS), help="which runs, in order")
    add("--repeat", type=int, default=1, help="rounds of the runs; targets judged on medians")
    add("--skip-sqlite-utils", action="store_true", help="leave out the sqlite-utils run")
    add("--recruitwatch", choices=("cli", "library"), default="cli", help="how to run it")
    add("--profile", type=Path, help="library mode: write cProfile stats of recruitwatch here")
    add("--keep", action="store_true", help="keep the run databases under OUT/runs")
    add("--json", action="store_true", help="print the report as JSON")
    add("--save", type=Path, help="also write the JSON report to this file")
    return parser.parse_args(argv)


def plan(args: argparse.Namespace) -> list[str]:
    runs = [r for r in args.runs if not (r == "sqlite-utils" and args.skip_sqlite_utils)]
    if args.profile and args.recruitwatch != "library":
        raise SystemExit("--profile needs --recruitwatch library")
    return runs


def run_all(
    args: argparse.Namespace, runs: list[str], export: Path, bare: Path
) -> list[Measurement]:
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    for round_, name in itertools.product(range(1, max(args.repeat, 1) + 1), runs):
        with tempfile.TemporaryDirectory(prefix=f"{name}-", dir=args.out) as tmp:
            work = Path(tmp)
            if name == "floor":
                results.append(floor_run(export, work))
            elif name in ("recruitwatch", "recruitwatch-serial"):
                serial = name == "recruitwatch-serial"
                results.append(
                    recruitwatch_run(export, work, args.recruitwatch, args.profile, serial)
                )
            else:
                results.append(
                    sqlite_utils_run(ensure_export(bare, args.messages, bare=True), work)
                )
            results[-1].round = round_
            if args.keep:
                shutil.copytree(work, args.out / "runs" / name, dirs_exist_ok=True)
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    runs = plan(args)
    export, bare = export_paths(args.out, args.messages, args.messages_last)
    ensure_export(export, args.messages, args.messages_last)
    info = machine()
    results = run_all(args, runs, export, bare)
    info["loadavg_end"] = os.getloadavg()
    finish(results, args.messages)
    report = {
        "messages": args.messages,
        "export": str(export),
        "export_mb": export.stat().st_size / 1e6,
        "machine": info,
        "runs": [asdict(r) for r in results],
        "medians": {n: medians(results, n) for n in dict.fromkeys(r.name for r in results)},
        "targets": targets(results),
    }
    if args.save:
        args.save.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_text(report, results)
    return 0 if all(r.returncode == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
