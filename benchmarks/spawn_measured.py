"""Run one command and write its wall time, CPU time and own peak RSS to a JSON file.

    python -I -S benchmarks/spawn_measured.py REPORT.json COMMAND [ARGS...]

Why a launcher: on Linux a child's ``ru_maxrss`` starts at the resident size of
the process that spawned it (exec keeps the old address space's high-water
mark), so a large parent (pytest, a benchmark driver that generated a file)
would inflate every child's figure. This script imports only the standard
library's smallest modules, so the floor it adds is the bare interpreter's
(~10 MB), below any measured run. The command inherits stdin/stdout/stderr.

``peak_rss_kib`` is the largest single process (the command or a worker it
waited for); ``peak_tree_rss_kib`` the largest sum of the resident sizes of
the command and all its descendants, sampled every 0.2 s (pages a forked
worker shares with its parent count twice: an upper bound).
"""

from __future__ import annotations

import json
import os
import sys
import time

PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
SAMPLE_SECONDS = 0.2


def tree_rss_kib(root: int) -> int:
    """Resident KiB of ``root`` and every process descended from it, now."""
    parents: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as fh:
                    stat = fh.read()
            except OSError:
                continue
            parents[int(name)] = int(stat[stat.rindex(b")") + 2 :].split()[1])
    tree, grew = {root}, True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= found
        grew = bool(found)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * PAGE_KIB
        except OSError:
            continue
    return total


def run(command: list[str]) -> dict[str, float | int]:
    started = time.perf_counter()
    pid = os.posix_spawnp(command[0], command, os.environ)
    peak_tree = 0
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        peak_tree = max(peak_tree, tree_rss_kib(pid))
        time.sleep(SAMPLE_SECONDS)
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_kib": usage.ru_maxrss,  # KiB on Linux
        "peak_tree_rss_kib": max(peak_tree, usage.ru_maxrss),
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
