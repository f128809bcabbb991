"""Ingest + enrichment throughput (language, script, transliteration, entities, MinHash ...).

Runs, each in its own process on the same generated export (see make_large_export.py):
- floor: streaming parse + bare insert (as in ingest_throughput.py);
- ingest only: ``recruitwatch ingest FILE --no-enrich``;
- ingest + enrich: ``recruitwatch ingest FILE --only language --only entities --only
  text_minhash`` (the enrichment issue's chain: language + script, transliteration inside the
  matching forms, gazetteer entities, MinHash) with enrich workers (one per core);
- ingest + all enrichers: every registered enricher (media fingerprints, labels ...);
- ingest + enrich, in-process: the issue's chain with RECRUITWATCH_ENRICH_WORKERS=1.

Prints posts/s, CPU seconds (the process and its children), peak RSS of the main process,
and the ratio to the floor. Target (enrichment issue): >= 5,000 posts/s using both cores
(stretch 10,000). Peak RSS is the main process's; enrich workers are separate processes.

    .venv/bin/python benchmarks/enrich_throughput.py --messages 100000
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from ingest_throughput import (  # noqa: E402
    Measurement,
    count_rows,
    ensure_export,
    export_paths,
    finish,
    floor_run,
    machine,
    measure,
    script,
    table,
)

TARGET = 5_000


# The enrichment issue's chain: language + script, transliteration, entities, MinHash.
ISSUE_CHAIN = ("--only", "language", "--only", "entities", "--only", "text_minhash")


def ingest_run(
    name: str, export: Path, work: Path, enrich: bool, workers: int, only: tuple[str, ...] = ()
) -> Measurement:
    home = work / name
    cmd = [script("recruitwatch"), "--home", str(home), "ingest", str(export), *only]
    if not enrich:
        cmd.append("--no-enrich")
    env_cmd = ["env", f"RECRUITWATCH_ENRICH_WORKERS={workers}", *cmd]
    result = measure(name, env_cmd, work)
    result.rows = count_rows(home / "recruitwatch.db", "posts")
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument("--skip-in-process", action="store_true", help="leave out the 1-worker run")
    args = ap.parse_args()
    export, _ = export_paths(args.out, args.messages, False)
    ensure_export(export, args.messages)
    work = Path(tempfile.mkdtemp(prefix="enrich-", dir=args.out))
    try:
        results = [floor_run(export, work)]
        results.append(ingest_run("ingest-only", export, work, False, 0))
        results.append(ingest_run("ingest+enrich", export, work, True, 0, ISSUE_CHAIN))
        results.append(ingest_run("ingest+all-enrichers", export, work, True, 0))
        if not args.skip_in_process:
            results.append(ingest_run("enrich-1-worker", export, work, True, 1, ISSUE_CHAIN))
        finish(results, args.messages)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    info = machine()
    print(f"{args.messages:,} messages: {export}")
    print(f"{info}; cores {os.cpu_count()}")
    print(table(results))
    enriched = next(r for r in results if r.name == "ingest+enrich")
    verdict = "met" if enriched.posts_per_s >= TARGET else "NOT met"
    print(f"target ingest+enrich posts/s >= {TARGET:,}: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
