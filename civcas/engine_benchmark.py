"""The engines benchmark (``civcas benchmark-engines``): the same full build on DuckDB,
PostgreSQL and Spark, for the demo and for N synthetic claims.

Each build is one child process (dbt, or ``civcas spark-dbt`` for Spark) in a process group of
its own, timed from start to exit. Memory and CPU are the engine's as well as dbt's, the client
(dbt's Python) apart from the server or JVM:

- DuckDB runs inside dbt's process: everything is the client's;
- Spark in session mode runs a JVM that dbt's Python starts as its child; the JVM (and the
  Python workers it starts for the project's functions) is the "server". Python does not wait
  for the JVM when it exits, so this process makes itself the subreaper of its descendants
  (``PR_SET_CHILD_SUBREAPER``) and reaps the orphaned JVM: its CPU time is then counted. The
  client's own CPU time is read from the exited child before it is reaped (``WNOWAIT``);
  the server's is the tree's total less the client's;
- PostgreSQL runs in a server that is no child of dbt and that other builds may share: its
  processes are sampled (the postmaster, its auxiliary processes and the backends of the
  benchmark's database, not other databases' backends) and the server's CPU is the growth of
  their CPU time between samples; a backend's last half second before it exits can be missed.
  The postmaster's own and reaped children's CPU growth (every database) is kept beside it.

Peak memory is the peak of the sampled sum of resident set sizes (RSS) over those processes,
the client's and the server's apart too; the sum of proportional set sizes (PSS: shared pages
divided among their sharers, such as PostgreSQL's shared buffers) is sampled beside it, as a
sum of RSS counts a shared page once per process.

Unit tests are left out of every build, as in ``civcas benchmark``; the data tests run.
Timings depend on the machine and its load, so they are reported, never asserted.
"""

from __future__ import annotations

import ctypes
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

Progress = Callable[[str], None]
SAMPLE_SECONDS = 0.5
POLL_SECONDS = 0.2
ORPHAN_GRACE_SECONDS = 60.0
_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICKS = os.sysconf("SC_CLK_TCK")
_PR_SET_CHILD_SUBREAPER = 36


@dataclass(frozen=True)
class Measured:
    """One measured process run: a build, or PostgreSQL's raw load."""

    wall_seconds: float
    client_cpu_seconds: float
    server_cpu_seconds: float | None  # None: no server (DuckDB)
    peak_rss_bytes: int  # the peak of the client's and the server's summed RSS, sampled together
    peak_client_rss_bytes: int
    peak_server_rss_bytes: int | None
    peak_pss_bytes: int
    returncode: int
    timed_out: bool
    log: Path
    server_all_cpu_seconds: float | None = None  # PostgreSQL: every process of the server


@dataclass(frozen=True)
class Server:
    """A PostgreSQL server to measure beside the client: its postmaster and our database."""

    postmaster: int
    database: str


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


def pss_bytes(pids: Sequence[int]) -> int:
    """The sum of the proportional set sizes of `pids` (smaps_rollup; RSS where it cannot be read)."""
    total = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            total += rss_bytes([pid])
            continue
        for line in text.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1]) * 1024
                break
    return total


def cpu_seconds_with_reaped(pid: int) -> float:
    """User + system time of `pid` and of the children it has reaped."""
    fields = _stat_fields(pid)
    if not fields:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / _TICKS  # utime, stime, cutime, cstime


def own_cpu_seconds(pid: int) -> float:
    """User + system time of `pid` itself (readable until it is reaped)."""
    fields = _stat_fields(pid)
    return sum(int(value) for value in fields[11:13]) / _TICKS if fields else 0.0


def postmaster_pid(data_directory: Path) -> int | None:
    """The PostgreSQL server's pid, from postmaster.pid in its data directory."""
    try:
        return int((data_directory / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def backend_database(title: str) -> str | None:
    """The database of a PostgreSQL backend from its process title, e.g. 'postgres: 15/main:
    civcas civcas_bench 127.0.0.1(5123) idle' -> 'civcas_bench'; None for the postmaster's
    auxiliary processes (checkpointer, walwriter, autovacuum ...)."""
    words = title.replace("\0", " ").split()
    if not words or not words[0].startswith("postgres"):
        return None
    words = words[1:]
    if words and words[0].endswith(":") and "/" in words[0]:
        words = words[1:]  # Debian's cluster name, 15/main:
    if len(words) >= 3 and (words[2] == "[local]" or words[2].endswith(")")):
        return words[1]
    return None


def _title(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
    except OSError:
        return ""


def server_processes(server: Server, children: Mapping[int, list[int]]) -> list[int]:
    """The postmaster's processes that work for `server.database`: all but other databases' backends."""
    kept = []
    for pid in process_tree(server.postmaster, children):
        database = backend_database(_title(pid)) if pid != server.postmaster else None
        if database is None or database == server.database:
            kept.append(pid)
    return kept


@dataclass
class _Peaks:
    total: int = 0
    client: int = 0
    server: int = 0
    pss: int = 0
    server_cpu_first: dict[int, float] = field(default_factory=dict)
    server_cpu_last: dict[int, float] = field(default_factory=dict)

    @property
    def server_cpu(self) -> float:
        return sum(last - self.server_cpu_first.get(pid, 0.0) for pid, last in self.server_cpu_last.items())


class _Sampler(threading.Thread):
    """Samples memory (and a PostgreSQL server's CPU) of the client and the server until stopped.
    With `split_root`, the root alone is the client and its descendants are the server (Spark)."""

    def __init__(self, root: int, server: Server | None, split_root: bool) -> None:
        super().__init__(daemon=True)
        self.root, self.server, self.split_root = root, server, split_root
        self.peaks = _Peaks()
        self._stop_event = threading.Event()
        if server:  # the server's processes before the build: only their growth counts
            for pid in server_processes(server, _children()):
                self.peaks.server_cpu_first[pid] = own_cpu_seconds(pid)

    def sample(self) -> None:
        children = _children()
        tree = process_tree(self.root, children)
        client, server = (tree[:1], tree[1:]) if self.split_root else (tree, [])
        if self.server:
            server = server_processes(self.server, children)
            for pid in server:
                # own time only: the postmaster's reaped children are the backends counted here
                self.peaks.server_cpu_last[pid] = own_cpu_seconds(pid)
        client_rss, server_rss = rss_bytes(client), rss_bytes(server)
        peaks = self.peaks
        peaks.client = max(peaks.client, client_rss)
        peaks.server = max(peaks.server, server_rss)
        peaks.total = max(peaks.total, client_rss + server_rss)
        peaks.pss = max(peaks.pss, pss_bytes(client + server))

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(SAMPLE_SECONDS)

    def stop(self) -> _Peaks:
        self._stop_event.set()
        self.join()
        return self.peaks


def become_subreaper() -> bool:
    """Make this process the reaper of its orphaned descendants (Linux); False where not possible."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _cpu_of(usage: os.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def _kill_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def reap_orphans(pgid: int, grace: float = ORPHAN_GRACE_SECONDS) -> float:
    """Wait for this process's remaining children in the build's process group `pgid` (the
    build's orphans, reparented here) and return their CPU seconds; those still alive after
    `grace` seconds are killed first. Children of this process outside the group (a pytest
    helper, a resource tracker) are neither waited for nor reaped."""
    cpu, deadline, killed = 0.0, time.monotonic() + grace, False
    while True:
        try:
            pid, _, usage = os.wait4(-pgid, os.WNOHANG)
        except ChildProcessError:
            return cpu
        if pid:
            cpu += _cpu_of(usage)
            continue
        if not killed and time.monotonic() > deadline:
            _kill_group(pgid, signal.SIGKILL)
            killed = True
        time.sleep(POLL_SECONDS)


def _wait_for_exit(pid: int, timeout: float | None) -> bool:
    """Wait until `pid` exits, leaving it unreaped; False when `timeout` seconds passed first."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return True
        if deadline is not None and time.monotonic() > deadline:
            return False
        time.sleep(POLL_SECONDS)


def run_build(command: Sequence[str], *, env: Mapping[str, str], cwd: Path, log: Path,
              server: Server | None = None, split_root: bool = False, timeout: float | None = None) -> Measured:
    """Run one command, its output into `log`, measuring wall time, CPU and peak memory; after
    `timeout` seconds its process group is stopped (TERM, then KILL) and the run marked timed out."""
    log.parent.mkdir(parents=True, exist_ok=True)
    subreaper = become_subreaper()
    server_all_before = cpu_seconds_with_reaped(server.postmaster) if server else 0.0
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as sink:
        process = subprocess.Popen(list(command), cwd=cwd, env=dict(env), stdout=sink, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        sampler = _Sampler(process.pid, server, split_root)
        sampler.start()
        timed_out = not _wait_for_exit(process.pid, timeout)
        if timed_out:
            _kill_group(process.pid, signal.SIGTERM)
            if not _wait_for_exit(process.pid, 15.0):
                _kill_group(process.pid, signal.SIGKILL)
                _wait_for_exit(process.pid, None)
        client_own = own_cpu_seconds(process.pid)  # the exited child, not yet reaped
        peaks = sampler.stop()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    wall = time.perf_counter() - started
    tree_cpu = _cpu_of(usage) + (reap_orphans(process.pid) if subreaper else 0.0)
    server_cpu: float | None = None
    server_all: float | None = None
    client_cpu = tree_cpu
    if split_root:
        client_cpu, server_cpu = client_own, max(tree_cpu - client_own, 0.0)
    if server:
        time.sleep(1.0)  # the backends end as dbt disconnects; let the postmaster reap them
        server_all = cpu_seconds_with_reaped(server.postmaster) - server_all_before
        server_cpu = peaks.server_cpu
    client_peak = peaks.client if split_root else max(peaks.client, usage.ru_maxrss * 1024)
    return Measured(
        wall_seconds=wall, client_cpu_seconds=client_cpu, server_cpu_seconds=server_cpu,
        peak_rss_bytes=max(peaks.total, client_peak), peak_client_rss_bytes=client_peak,
        peak_server_rss_bytes=peaks.server if (server or split_root) else None, peak_pss_bytes=peaks.pss,
        returncode=process.returncode if not timed_out else -1, timed_out=timed_out, log=log,
        server_all_cpu_seconds=server_all)


# --------------------------------------------------------------------------- what to run

ENGINES = ("duckdb", "postgres", "spark")
DEMO = "demo"
DEFAULT_SIZES = "demo,1m"
DEFAULT_DATABASE = "civcas_bench"
DEFAULT_TIMEOUT_SECONDS = 45 * 60.0
WORK_MARKER = ".civcas-benchmark-engines"  # only folders holding it are ever emptied
REPORT_NAME = "benchmark-engines"
Size = str | int  # DEMO, or a number of claims


class EngineBenchmarkError(ValueError):
    """A bad option value, or data the benchmark cannot use."""


def parse_engines(text: str) -> tuple[str, ...]:
    """'duckdb,postgres' -> the engines, in ENGINES' order, each once."""
    names = {part.strip().lower() for part in text.split(",") if part.strip()}
    unknown = sorted(names - set(ENGINES))
    if unknown or not names:
        raise EngineBenchmarkError(f"unknown engine(s) {', '.join(unknown) or '(none given)'}: "
                                   f"choose among {', '.join(ENGINES)}")
    return tuple(engine for engine in ENGINES if engine in names)


def parse_sizes(text: str) -> tuple[Size, ...]:
    """'demo,100k,1m' -> ('demo', 100000, 1000000): the demo first, then claim counts, smallest first."""
    from civcas.benchmark import BenchmarkUsageError, parse_size

    parts = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not parts:
        raise EngineBenchmarkError(f"no sizes given; write e.g. {DEFAULT_SIZES}")
    try:
        claims = sorted({parse_size(part) for part in parts if part != DEMO})
    except BenchmarkUsageError as exc:
        raise EngineBenchmarkError(f"{exc}, or demo") from exc
    if any(number < 200 for number in claims):
        raise EngineBenchmarkError("a size is under 200 claims; the smallest generated size is 200")
    return ((DEMO,) if DEMO in parts else ()) + tuple(claims)


def size_label(size: Size) -> str:
    if size == DEMO:
        return DEMO
    claims = int(size)
    for unit, scale in (("m", 1_000_000), ("k", 1_000)):
        if claims % scale == 0:
            return f"{claims // scale}{unit}"
    return str(claims)


@dataclass(frozen=True)
class Options:
    project_dir: Path
    sizes: tuple[Size, ...]
    engines: tuple[str, ...] = ENGINES
    data_dir: Path | None = None  # generated data: <dir>/<N>/raw or <dir>/<N>
    work_dir: Path | None = None
    out_dir: Path | None = None
    database: str = DEFAULT_DATABASE
    timeout_seconds: float | None = DEFAULT_TIMEOUT_SECONDS
    keep: bool = False


# --------------------------------------------------------------------------- data


def find_scale_folder(data_dir: Path, claims: int) -> Path | None:
    """The folder of generated data for `claims` under `data_dir` (<N>/raw, as make generate-scale
    writes it, or <N> itself), judged by its _scale_manifest.json."""
    import json

    from civcas.generator import MANIFEST_NAME

    for folder in (data_dir / str(claims) / "raw", data_dir / str(claims)):
        try:
            manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if manifest.get("claims_requested") == claims:
            return folder
    return None


def empty_ledger_tables(folder: Path, contract: Mapping[str, list[str]]) -> list[str]:
    """Write an empty <table>.parquet (the contract's columns, all strings) for each ledger table
    (civcas intake's) that `folder` lacks: data generated before the ledger existed has none,
    and files mode reads every raw table. The tables written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from civcas.raw_contract import LEDGER_TABLES

    written = []
    for table in LEDGER_TABLES:
        if table in contract and not any(folder.glob(f"{table}.*parquet")):
            schema = pa.schema([(column, pa.string()) for column in contract[table]])
            pq.write_table(schema.empty_table(), folder / f"{table}.parquet")
            written.append(table)
    return written


def fresh_folder(folder: Path) -> None:
    """Empty `folder` for a new run; refuse a non-empty folder this benchmark did not make."""
    import shutil

    if folder.exists() and any(folder.iterdir()):
        if not (folder / WORK_MARKER).is_file():
            raise EngineBenchmarkError(f"{folder} is not empty and was not made by civcas benchmark-engines; "
                                       "choose another --work-dir")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / WORK_MARKER).write_text("made by civcas benchmark-engines; emptied on every run\n", encoding="utf-8")


def prepare_raw(options: Options, claims: int, work: Path, say: Progress) -> tuple[Path, Path]:
    """A working copy of the generated raw files for `claims` (made first if missing), with any
    missing ledger table added; (the copy, the generated folder it came from)."""
    import shutil

    from civcas.benchmark import ensure_scale_data
    from civcas.generator import DEFAULT_SEED
    from civcas.raw_contract import load_raw_contract

    data_dir = options.data_dir or options.project_dir / "data" / "scale"
    source = find_scale_folder(data_dir, claims)
    if source is None:
        source = data_dir / str(claims) / "raw"
        ensure_scale_data(options.project_dir, source, claims, DEFAULT_SEED, say)
    raw = work / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.parquet")):
        shutil.copy2(path, raw / path.name)
    added = empty_ledger_tables(raw, load_raw_contract(options.project_dir))
    if added:
        say(f"benchmark-engines: {source} has no {', '.join(added)}; an empty one is added to the working copy")
    return raw, source


def demo_claims(project_dir: Path) -> int:
    """Rows of the demo's raw_claims seed."""
    import csv

    with (project_dir / "seeds" / "raw" / "raw_claims.csv").open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def parquet_claims(raw: Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.read_metadata(path).num_rows for path in sorted(raw.glob("raw_claims.*parquet")))


# --------------------------------------------------------------------------- one build


@dataclass(frozen=True)
class Plan:
    """One engine's build of one size: its command, environment and what to measure beside it."""

    engine: str
    command: list[str]
    env: dict[str, str]
    target: Path
    server: Server | None = None
    split_root: bool = False


def dbt_arguments(project: Path, target: Path, raw: Path | None) -> list[str]:
    """The arguments of one full build: unit tests excluded, data tests run; files mode for `raw`."""
    import json

    arguments = ["build", "--full-refresh", "--exclude-resource-type", "unit_test", "--profiles-dir", str(project),
                 "--project-dir", str(project), "--target-path", str(target), "--log-path", str(target / "logs"),
                 "--no-use-colors"]
    if raw is not None:
        arguments += ["--vars", json.dumps({"civcas_raw_source": "files", "civcas_raw_path": str(raw)})]
    return arguments


def base_environment() -> dict[str, str]:
    from civcas.benchmark import Settings

    env = dict(os.environ)
    env.update(Settings().environment())  # DuckDB's memory limit and threads, dbt's threads: as civcas benchmark
    env.update({"DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"})
    return env


def postgres_server(options: Options, say: Progress) -> Server:
    """Start or reuse the server, prepare the benchmark's database; the server to measure."""
    from civcas.faults import OperationalError
    from civcas.postgres import Settings, describe, password_file, setup, superuser_sql

    settings = Settings.from_environment(options.database)
    if not settings.is_local:
        raise OperationalError(f"benchmark-engines measures a local PostgreSQL server (its processes are read "
                               f"from /proc); CIVCAS_PG_HOST is {settings.host}. Unset it, or leave postgres out "
                               "of --engines.")
    say(describe(setup(options.project_dir, settings)))
    # libpq reads the passwords the setup wrote (dbt's environment and the count of the claims built)
    os.environ.setdefault("PGPASSFILE", str(password_file(options.project_dir)))
    data_directory = Path(superuser_sql(settings, "show data_directory").strip())
    pid = postmaster_pid(data_directory)
    if pid is None:
        raise OperationalError(f"benchmark-engines: no postmaster.pid in {data_directory}; is the server local?")
    return Server(pid, options.database)


def plan(engine: str, options: Options, work: Path, raw: Path | None, server: Server | None) -> Plan:
    import sys

    from civcas.benchmark import dbt_executable
    from civcas.postgres import password_file

    project, env = options.project_dir, base_environment()
    target = work / engine / "target"
    if engine == "duckdb":
        env["CIVCAS_DUCKDB_PATH"] = str(work / engine / "civcas.duckdb")
        return Plan(engine, [dbt_executable(), *dbt_arguments(project, target, raw)], env, target)
    if engine == "postgres":
        env.update({"CIVCAS_PG_DATABASE": options.database,
                    "PGPASSFILE": os.environ.get("PGPASSFILE", str(password_file(project)))})
        return Plan(engine, [dbt_executable(), *dbt_arguments(project, target, raw), "--target", "postgres"], env,
                    target, server=server)
    env["CIVCAS_SPARK_DIR"] = str(work / engine)
    command = [sys.executable, "-m", "civcas", "spark-dbt", "--project-dir", str(project),
               *dbt_arguments(project, target, raw), "--target", "spark"]
    return Plan(engine, command, env, target, split_root=True)


def built_claims(engine: str, options: Options, work: Path) -> int | None:
    """Rows of main.fct_claims the build wrote (None when it cannot be read)."""
    try:
        if engine == "duckdb":
            import duckdb

            with duckdb.connect(str(work / engine / "civcas.duckdb"), read_only=True) as connection:
                row = connection.execute("select count(*) from main.fct_claims").fetchone()
        elif engine == "postgres":
            from civcas.postgres import Settings, connect

            with connect(Settings.from_environment(options.database)) as connection, connection.cursor() as cursor:
                cursor.execute("select count(*) from main.fct_claims")
                row = cursor.fetchone()
            connection.close()
        else:
            import duckdb

            files = sorted(str(path) for path in (work / engine / "tables" / "main.db" / "fct_claims").rglob("*.parquet"))
            if not files:
                return None
            with duckdb.connect() as connection:
                row = connection.execute("select count(*) from read_parquet(?)", [files]).fetchone()
    except Exception:  # noqa: BLE001 - a count that cannot be read is reported as unknown
        return None
    return int(row[0]) if row else None


def failures(target: Path, limit: int = 5) -> list[str]:
    """The failed nodes of the build's run_results.json (their messages, shortened)."""
    import json

    from civcas.benchmark import failed_nodes

    try:
        results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [line[:400] for line in failed_nodes(results)[:limit]]


_DBT_DONE = re.compile(r"\b\d+ of (\d+) (OK|PASS|ERROR|FAIL|WARN|SKIP|NO-OP)\b")


def nodes_finished(log: Path) -> str:
    """'<k> of <n> nodes finished', from dbt's progress lines in `log` (a stopped build's progress)."""
    try:
        matches = _DBT_DONE.findall(log.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        matches = []
    return f"{len(matches)} of {matches[-1][0]} nodes finished" if matches else "no node finished"


def _tail(path: Path, lines: int = 8) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def measured_dict(run: Measured) -> dict:
    return {
        "wall_seconds": round(run.wall_seconds, 2),
        "client_cpu_seconds": round(run.client_cpu_seconds, 2),
        "server_cpu_seconds": None if run.server_cpu_seconds is None else round(run.server_cpu_seconds, 2),
        "server_all_cpu_seconds": None if run.server_all_cpu_seconds is None else round(run.server_all_cpu_seconds, 2),
        "peak_rss_bytes": run.peak_rss_bytes,
        "peak_client_rss_bytes": run.peak_client_rss_bytes,
        "peak_server_rss_bytes": run.peak_server_rss_bytes,
        "peak_pss_bytes": run.peak_pss_bytes,
        "returncode": run.returncode,
        "timed_out": run.timed_out,
        "log": str(run.log),
    }


def benchmark_one(engine: str, size: Size, options: Options, work: Path, raw: Path | None,
                  server: Server | None, say: Progress) -> dict:
    """One engine's full build of one size (PostgreSQL's raw load first, measured apart)."""
    import shutil
    import sys

    result: dict = {"engine": engine, "size": size_label(size)}
    if engine == "postgres" and raw is not None:
        say(f"benchmark-engines {size_label(size)} postgres: loading the raw files ...")
        load = run_build([sys.executable, "-m", "civcas", "postgres-load-raw", "--project-dir",
                          str(options.project_dir), "--database", options.database, "--folder", str(raw)],
                         env=base_environment(), cwd=options.project_dir, log=work / engine / "load.out",
                         server=server, timeout=options.timeout_seconds)
        result["load"] = measured_dict(load)
        if load.returncode != 0:
            result.update(passed=False, error=f"postgres-load-raw failed: {_tail(load.log)}")
            return result
    steps = plan(engine, options, work, raw, server)
    say(f"benchmark-engines {size_label(size)} {engine}: dbt build ...")
    build = run_build(steps.command, env=steps.env, cwd=options.project_dir, log=work / engine / "build.out",
                      server=steps.server, split_root=steps.split_root, timeout=options.timeout_seconds)
    failed = failures(steps.target)
    result["build"] = measured_dict(build)
    result["passed"] = build.returncode == 0 and not failed and not build.timed_out
    if build.timed_out:
        result["error"] = (f"stopped after the timeout of {options.timeout_seconds:.0f} s, "
                           f"{nodes_finished(build.log)}; the last lines:\n{_tail(build.log)}")
    elif not result["passed"]:
        result["error"] = "\n".join(failed) if failed else _tail(build.log)
    result["fct_claims_rows"] = built_claims(engine, options, work) if not build.timed_out else None
    say(f"benchmark-engines {size_label(size)} {engine}: {_status(result)} after "
        f"{build.wall_seconds:.0f} s wall, CPU {build.client_cpu_seconds:.0f} s client"
        + ("" if build.server_cpu_seconds is None else f" + {build.server_cpu_seconds:.0f} s server"))
    if not options.keep and engine != "postgres":
        for name in ("civcas.duckdb", "tables", "metastore"):
            path = work / engine / name
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            elif path.exists():
                path.unlink()
    return result


def stop_backends(database: str) -> list[str]:
    """End the backends of `database` (after a timed-out build: the server would run its query on);
    the queries they were running, shortened."""
    from civcas.postgres import Settings, _literal, superuser_sql

    settings = Settings.from_environment(database)
    running = superuser_sql(settings, "select now() - query_start || ' ' || regexp_replace(left(query, 300), "
                                      "'\\s+', ' ', 'g') from pg_stat_activity "
                                      f"where datname = {_literal(database)} and state = 'active' "
                                      "and pid <> pg_backend_pid();")
    superuser_sql(settings, "select pg_terminate_backend(pid) from pg_stat_activity "
                            f"where datname = {_literal(database)} and pid <> pg_backend_pid();")
    return [line for line in running.splitlines() if line.strip()]


# --------------------------------------------------------------------------- the run and its report


def machine(options: Options) -> dict:
    """civcas benchmark's machine facts, with the versions of the other engines."""
    from civcas.benchmark import _version
    from civcas.benchmark import machine as duckdb_machine

    facts = duckdb_machine(options.project_dir)
    facts.update({"dbt_postgres": _version("dbt-postgres"), "dbt_spark": _version("dbt-spark"),
                  "pyspark": _version("pyspark")})
    return facts


def engine_versions(engine: str, options: Options) -> dict:
    """The server's or the JVM's version, found only when the engine is benchmarked."""
    if engine == "postgres":
        from civcas.postgres import Settings, superuser_sql

        return {"postgres_server": superuser_sql(Settings.from_environment(options.database),
                                                 "show server_version").strip()}
    if engine == "spark":
        from civcas.spark import java_version

        return {"java": java_version()}
    return {}


def check_engine(engine: str, options: Options, say: Progress) -> Server | None:
    """Stop with what to do when an engine cannot run here; PostgreSQL's server to measure."""
    if engine == "postgres":
        return postgres_server(options, say)
    if engine == "spark":
        from civcas.spark import java_version

        java_version()  # OperationalError naming what to install
    return None


def run(options: Options, say: Progress, write: Callable[[Mapping], object] | None = None) -> dict:
    """Every size on every engine, in order; the report. `write` is called after each build, so a
    stopped run leaves the builds measured so far."""
    project = options.project_dir
    report: dict = {
        "machine": machine(options),
        "settings": {"engines": list(options.engines), "sizes": [size_label(size) for size in options.sizes],
                     "database": options.database, "timeout_seconds": options.timeout_seconds,
                     "unit_tests": "excluded", "data_tests": "run", "sample_seconds": SAMPLE_SECONDS},
        "runs": [],
    }
    servers = {engine: check_engine(engine, options, say) for engine in options.engines}
    for engine in options.engines:
        report["machine"].update(engine_versions(engine, options))
    work_dir = options.work_dir or project / "warehouse" / REPORT_NAME
    for size in options.sizes:
        work = work_dir / size_label(size)
        fresh_folder(work)
        if size == DEMO:
            raw, source, claims = None, project / "seeds" / "raw", demo_claims(project)
        else:
            raw, source = prepare_raw(options, int(size), work, say)
            claims = parquet_claims(raw)
        for engine in options.engines:
            result = benchmark_one(engine, size, options, work, raw, servers[engine], say)
            if engine == "postgres" and (result.get("build", {}).get("timed_out") or result.get("load", {}).get(
                    "timed_out")):
                result["running_when_stopped"] = stop_backends(options.database)
            result.update(raw_claims_rows=claims, raw_folder=str(source))
            report["runs"].append(result)
            if write:
                write(report)
        if not options.keep and raw is not None:
            import shutil

            shutil.rmtree(raw, ignore_errors=True)
    return report


GIB = 1024**3


def _memory(value: int | None) -> str:
    if value is None:
        return "-"
    return f"{value / GIB:.2f} GiB" if value >= GIB / 4 else f"{value / 2**20:.0f} MiB"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _cpu(phase: Mapping) -> str:
    """'client + server' CPU seconds ('client' alone when there is no server)."""
    client, server = phase.get("client_cpu_seconds"), phase.get("server_cpu_seconds")
    return _seconds(client) if server is None else f"{_seconds(client)} + {_seconds(server)}"


def _rss(phase: Mapping) -> str:
    """The peak of the sum, with the client's and the server's peaks when there is a server."""
    total, server = phase.get("peak_rss_bytes"), phase.get("peak_server_rss_bytes")
    if server is None:
        return _memory(total)
    return f"{_memory(total)} ({_memory(phase.get('peak_client_rss_bytes'))} + {_memory(server)})"


def _status(run: Mapping) -> str:
    if run.get("build", {}).get("timed_out") or run.get("load", {}).get("timed_out"):
        return "timed out"
    return "passed" if run.get("passed") else "FAILED"


def _count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def format_table(report: Mapping) -> list[str]:
    """The measured builds as a markdown table."""
    lines = [
        "| size | engine | raw claims | fct_claims rows | build | wall s | CPU s (client + server) | "
        "peak RSS (client + server) | peak PSS | raw load: wall s, CPU s |",
        "|---|---|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    for run in report["runs"]:
        build, load = run.get("build", {}), run.get("load")
        load_cell = f"{_seconds(load['wall_seconds'])}, {_cpu(load)}" if load else "-"
        lines.append(
            f"| {run['size']} | {run['engine']} | {_count(run.get('raw_claims_rows'))} | "
            f"{_count(run.get('fct_claims_rows'))} | {_status(run)} | {_seconds(build.get('wall_seconds'))} | "
            f"{_cpu(build) if build else '-'} | {_rss(build) if build else '-'} | "
            f"{_memory(build.get('peak_pss_bytes'))} | {load_cell} |")
    return lines


NOTES = (
    "Full build (`dbt build --full-refresh`), unit tests excluded, data tests run; the demo in seeds mode, "
    "generated sizes in files mode. CPU: user + system seconds. Client: dbt's Python (DuckDB runs inside it). "
    "Server: PostgreSQL's processes for the benchmark's database (backends, auxiliary processes) or Spark's "
    "JVM with its Python workers. Peak RSS: the peak of the sampled sum over those processes "
    f"(every {SAMPLE_SECONDS} s); a sum of RSS counts a shared page (PostgreSQL's shared buffers) once per "
    "process, PSS divides it among them. PostgreSQL's raw load (civcas postgres-load-raw) is measured apart. "
    "The machine is shared: wall times vary with its load, CPU seconds less so."
)


def format_report(report: Mapping) -> str:
    m = report["machine"]
    commit = (m.get("git_commit") or "unknown")[:12] + (" + uncommitted changes" if m.get("git_uncommitted_changes")
                                                        else "")
    load = " ".join(str(x) for x in m.get("load_average_at_start") or [])
    versions = [f"Python {m.get('python')}", f"dbt-core {m.get('dbt_core')}", f"DuckDB {m.get('duckdb')}",
                f"dbt-duckdb {m.get('dbt_duckdb')}", f"dbt-postgres {m.get('dbt_postgres')}",
                f"dbt-spark {m.get('dbt_spark')}", f"pyspark {m.get('pyspark')}"]
    versions += [f"{name} {m[key]}" for key, name in (("postgres_server", "PostgreSQL"), ("java", "Java"))
                 if m.get(key)]
    lines = [
        f"# civcas benchmark-engines, {m.get('date_utc')}",
        "",
        f"- commit {commit}",
        f"- machine: {m.get('cores')} cores ({m.get('cpu')}), {_memory(m.get('memory_bytes'))} RAM, "
        f"{m.get('platform')}; load average at start {load}",
        f"- versions: {', '.join(versions)}",
        "",
        *format_table(report),
        "",
        NOTES,
    ]
    for run in report["runs"]:
        if run.get("error"):
            lines += ["", f"{run['size']} on {run['engine']}: {_status(run)}:", "", "```", run["error"],
                      *(f"running when stopped: {query}" for query in run.get("running_when_stopped", [])), "```"]
    return "\n".join(lines) + "\n"


def write_report(report: Mapping, out_dir: Path) -> tuple[Path, Path]:
    import json

    out_dir.mkdir(parents=True, exist_ok=True)
    text_path, json_path = out_dir / f"{REPORT_NAME}.md", out_dir / f"{REPORT_NAME}.json"
    text_path.write_text(format_report(report), encoding="utf-8")
    json_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return text_path, json_path
