"""Language-ID throughput: pycld2 alone against recruitwatch's detect_language.

    python benchmarks/langid.py                         # dev.tsv + test.tsv, whole and 40 chars
    python benchmarks/langid.py --file posts.tsv --prefix 0 --repeat 5
    python benchmarks/langid.py --processes 2 --json > benchmarks/out/langid.json

Texts are the ``text`` column of the langid TSVs (../shared/data/langid by
default), whole (``--prefix 0``) or cut to their first N code points. Each run
is repeated ``--repeat`` times and the best is kept. Figures:

- texts/s: texts / wall seconds of the best repeat (one process);
- texts/CPU-s: texts / CPU seconds of that repeat (steadier on a shared machine);
- with ``--processes N``: texts/s of N worker processes over the same texts
  (the texts split into N parts; start-up of the pool not counted).

Runs: ``pycld2`` (detect, bestEffort, plain text), ``detect_language`` (no hint,
no prior) and ``detect_language+prior`` (a two-language prior on every text).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pycld2

from recruitwatch.enrich.language import detect_language

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "langid"
PRIOR = {"ky": 0.7, "ru": 0.3}
TARGET_CHAIN_POSTS_PER_S = 5_000


def cld2_only(text: str) -> Any:
    return pycld2.detect(text, isPlainText=True, bestEffort=True)


def recruitwatch_plain(text: str) -> Any:
    return detect_language(text)


def recruitwatch_prior(text: str) -> Any:
    return detect_language(text, prior=PRIOR)


RUNS: dict[str, Callable[[str], Any]] = {
    "pycld2": cld2_only,
    "detect_language": recruitwatch_plain,
    "detect_language+prior": recruitwatch_prior,
}


def load_texts(paths: Sequence[Path], prefix: int) -> list[str]:
    texts: list[str] = []
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            texts.extend(row["text"] for row in reader if row.get("text"))
    return [t[:prefix] for t in texts] if prefix else texts


def time_run(func: Callable[[str], Any], texts: Sequence[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one pass."""
    wall, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        func(text)
    return time.perf_counter() - wall, time.process_time() - cpu


def _chunk_seconds(args: tuple[str, list[str]]) -> float:
    name, texts = args
    return time_run(RUNS[name], texts)[0]


def parallel_rate(name: str, texts: list[str], processes: int) -> float:
    parts = [texts[i::processes] for i in range(processes)]
    with ProcessPoolExecutor(processes) as pool:
        list(pool.map(_chunk_seconds, [(name, p[:50]) for p in parts]))  # warm the workers
        start = time.perf_counter()
        list(pool.map(_chunk_seconds, [(name, p) for p in parts]))
        return len(texts) / (time.perf_counter() - start)


def measure(texts: list[str], repeat: int, processes: int) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    for name, func in RUNS.items():
        func(texts[0])
        wall, cpu = min(time_run(func, texts) for _ in range(repeat))
        row = {"texts_per_s": len(texts) / wall, "texts_per_cpu_s": len(texts) / max(cpu, 1e-9)}
        if processes > 1:
            row[f"texts_per_s_{processes}_processes"] = parallel_rate(name, texts, processes)
        results[name] = row
    return results


def render(report: dict[str, Any]) -> str:
    lines = [
        f"{report['texts']} texts ({report['span']}), best of {report['repeat']}, "
        f"load average {report['load']}"
    ]
    for name, row in report["runs"].items():
        figures = ", ".join(f"{k.replace('_', ' ')} {v:,.0f}" for k, v in row.items())
        lines.append(f"  {name:<22} {figures}")
    share = report["runs"]["detect_language"]["texts_per_cpu_s"]
    budget = 100 * TARGET_CHAIN_POSTS_PER_S / (2 * share)
    lines.append(
        f"language ID uses {budget:.0f}% of 2 cores at the chain's "
        f"{TARGET_CHAIN_POSTS_PER_S:,} posts/s target"
    )
    return "\n".join(lines)


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, action="append", help="langid TSV (repeatable)")
    parser.add_argument("--prefix", type=int, action="append", help="0 = whole (repeatable)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    paths = args.file or [DATA / "dev.tsv", DATA / "test.tsv"]
    reports = []
    for prefix in args.prefix or [0, 40]:
        texts = load_texts(paths, prefix)
        reports.append(
            {
                "texts": len(texts),
                "span": f"first {prefix} code points" if prefix else "whole texts",
                "repeat": args.repeat,
                "load": round(os.getloadavg()[0], 2),
                "runs": measure(texts, args.repeat, args.processes),
            }
        )
    if args.json:
        print(json.dumps(reports, indent=2))
    else:
        print("\n\n".join(render(r) for r in reports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
