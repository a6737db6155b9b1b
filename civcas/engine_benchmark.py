"""The engines benchmark (``civcas benchmark-engines``): the same full build on DuckDB,
PostgreSQL and Spark, for the demo and for N synthetic claims.

Each build is one child process (dbt, or ``civcas spark-dbt`` for Spark) timed from start to
exit. Memory and CPU are the engine's as well as dbt's:

- DuckDB runs inside dbt's process: the child's peak RSS and CPU (``os.wait4``);
- Spark in session mode runs a JVM that dbt's Python starts as its child: the peak of the
  sum of RSS over the child's process tree, sampled, and the tree's CPU (``os.wait4`` counts
  the waited-for JVM);
- PostgreSQL runs in a server that is no child of dbt: the peak of the sum of RSS of the
  server's processes is sampled beside the client's tree, and the server's CPU is the growth
  of the postmaster's own and reaped children's CPU time (its backends end when dbt
  disconnects, and the postmaster reaps them).

Unit tests are left out of every build, as in ``civcas benchmark``; the data tests run.
Timings depend on the machine and its load, so they are reported, never asserted.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

Progress = Callable[[str], None]
SAMPLE_SECONDS = 0.5
_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class EngineRun:
    """One measured build."""

    engine: str
    size: str
    wall_seconds: float
    cpu_seconds: float
    peak_rss_bytes: int
    returncode: int
    log: Path


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces.
    return text[text.rindex(")") + 2:].split()


def _children() -> dict[int, list[int]]:
    """Each process's children, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def process_tree(root: int, children: Mapping[int, list[int]] | None = None) -> list[int]:
    """`root` and every process below it."""
    children = _children() if children is None else children
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def rss_bytes(pids: Sequence[int]) -> int:
    """The sum of the resident set sizes of `pids` (those still alive)."""
    total = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields:
            total += int(fields[21]) * _PAGE  # field 24, rss in pages
    return total


def cpu_seconds_with_reaped(pid: int) -> float:
    """User + system time of `pid` and of the children it has reaped."""
    fields = _stat_fields(pid)
    if not fields:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / _TICKS  # utime, stime, cutime, cstime


def postmaster_pid(data_directory: Path) -> int | None:
    """The PostgreSQL server's pid, from postmaster.pid in its data directory."""
    try:
        return int((data_directory / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


class _PeakSampler(threading.Thread):
    """Samples the summed RSS of a process tree (and of a server's tree) until stopped."""

    def __init__(self, root: int, server: int | None) -> None:
        super().__init__(daemon=True)
        self.root, self.server, self.peak = root, server, 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            children = _children()
            pids = process_tree(self.root, children)
            if self.server:
                pids += process_tree(self.server, children)
            self.peak = max(self.peak, rss_bytes(pids))
            self._stop_event.wait(SAMPLE_SECONDS)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak


def run_build(engine: str, size: str, command: Sequence[str], *, env: Mapping[str, str], cwd: Path,
              log: Path, server_pid: int | None = None) -> EngineRun:
    """Run one build command, its output into `log`, measuring wall time, CPU and peak RSS."""
    log.parent.mkdir(parents=True, exist_ok=True)
    server_cpu = cpu_seconds_with_reaped(server_pid) if server_pid else 0.0
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as sink:
        process = subprocess.Popen(list(command), cwd=cwd, env=dict(env), stdout=sink, stderr=subprocess.STDOUT)
        sampler = _PeakSampler(process.pid, server_pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        peak = sampler.stop()
    wall = time.perf_counter() - started
    cpu = usage.ru_utime + usage.ru_stime
    if server_pid:
        time.sleep(1.0)  # the backends end as dbt disconnects; let the postmaster reap them
        cpu += cpu_seconds_with_reaped(server_pid) - server_cpu
    peak = max(peak, usage.ru_maxrss * 1024)
    return EngineRun(engine, size, wall, cpu, peak, os.waitstatus_to_exitcode(status), log)
