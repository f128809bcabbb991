"""Instructions per post of `recruitwatch ingest --no-enrich`, per process, under callgrind.

Wall and CPU seconds on this shared 2-vCPU machine move by 10-20 % from one run to
the next; instruction counts do not (valgrind counts them whatever else runs), so
this script is the one to compare two versions of the code with. It is not a
throughput figure: cache misses and the two vCPUs' contention are not in it.

It ingests a generated export (make_large_export.py) under
``valgrind --tool=callgrind`` with the parallel path forced on, then an export of
10 messages (the serial path: start-up, migrations, one commit), and prints
for the main process and each worker (instructions - the small run's) / posts.
Forked workers inherit the main process's count at the fork, so the start-up is
subtracted from every process.

    python benchmarks/ingest_instructions.py                      # 20,000 messages
    python benchmarks/ingest_instructions.py --messages 10000 --src /tmp/old/src

``--src`` measures another checkout's package (its ``src`` folder goes first on
PYTHONPATH), e.g. a ``git worktree`` of an earlier commit, with this venv.
Needs Debian's valgrind. About 80 s for 20,000 messages.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import make_large_export

HERE = Path(__file__).resolve().parent
COLLECTED = re.compile(r"==(\d+)== Collected : (\d+)")


def callgrind(export: Path, home: Path, src: Path | None, parallel: bool) -> dict[int, int]:
    """Instructions per process id of one CLI ingest of ``export``."""
    env = dict(os.environ, RECRUITWATCH_INGEST_PARALLEL_MB="0")
    env["RECRUITWATCH_INGEST_WORKERS"] = "0" if parallel else "-1"  # 0: one per core
    if src is not None:
        env["PYTHONPATH"] = str(src)
    cli = Path(sys.executable).with_name("recruitwatch")
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    cmd += [str(cli), "--home", str(home), "ingest", str(export), "--no-enrich"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = done.stderr[-2000:]
        raise SystemExit(f"ingest under valgrind failed ({done.returncode}):\n{tail}")
    return {int(pid): int(n) for pid, n in COLLECTED.findall(done.stderr)}


def measure(messages: int, src: Path | None, work: Path) -> dict[str, Any]:
    big = work / f"export_{messages}.json"
    small = work / "export_10.json"
    make_large_export.write_export(big, messages)
    make_large_export.write_export(small, 10)
    startup = max(callgrind(small, work / "home_small", src, False).values())
    counts = callgrind(big, work / "home_big", src, True)
    main_pid = min(counts)  # the first process started; workers are forked later
    per_process = {
        ("main" if pid == main_pid else f"worker {i}"): (n - startup)
        for i, (pid, n) in enumerate(sorted(counts.items()))
    }
    total = sum(per_process.values())
    return {
        "messages": messages,
        "src": str(src) if src else "this checkout",
        "startup_instructions": startup,
        "instructions_per_post": {k: round(v / messages) for k, v in per_process.items()},
        "total_per_post": round(total / messages),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--src", type=Path, help="another checkout's src folder to measure")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian package valgrind)")
    with tempfile.TemporaryDirectory(prefix="rw-instr-") as tmp:
        report = measure(args.messages, args.src, Path(tmp))
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"{report['messages']:,} messages, {report['src']}")
    for name, value in report["instructions_per_post"].items():
        print(f"  {name:10s} {value:>9,} instructions/post")
    print(f"  {'total':10s} {report['total_per_post']:>9,} instructions/post")
    return 0


if __name__ == "__main__":
    sys.exit(main())
