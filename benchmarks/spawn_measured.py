"""Run one command and write its wall time, CPU time and own peak RSS to a JSON file.

    python -I -S benchmarks/spawn_measured.py REPORT.json COMMAND [ARGS...]

Why a launcher: on Linux a child's ``ru_maxrss`` starts at the resident size of
the process that spawned it (exec keeps the old address space's high-water
mark), so a large parent (pytest, a benchmark driver that generated a file)
would inflate every child's figure. This script imports only the standard
library's smallest modules, so the floor it adds is the bare interpreter's
(~10 MB), below any measured run. The command inherits stdin/stdout/stderr.
"""

from __future__ import annotations

import json
import os
import sys
import time


def run(command: list[str]) -> dict[str, float | int]:
    started = time.perf_counter()
    pid = os.posix_spawnp(command[0], command, os.environ)
    _, status, usage = os.wait4(pid, 0)
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_kib": usage.ru_maxrss,  # KiB on Linux
        "returncode": os.waitstatus_to_exitcode(status),
    }


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: spawn_measured.py REPORT.json COMMAND [ARGS...]", file=sys.stderr)
        return 2
    result = run(argv[1:])
    with open(argv[0], "w", encoding="utf-8") as fh:
        json.dump(result, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
