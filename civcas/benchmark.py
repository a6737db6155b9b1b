"""The benchmark (``civcas benchmark``): where a build's time and memory go, at 100 thousand to 10 million claims.

What it measures, for each size N (issue 6, section 3; the targets are issue 14's):

1. **Data.** ``civcas generate-scale --claims N`` into ``<data dir>/N/raw``, made once and reused while
   its ``_scale_manifest.json`` matches (N, seed, generator version, numpy and pyarrow). One day is
   held out with ``civcas.increments.split_last_days``: the last day of typical traffic (the latest
   with at least the median claims per day; the days after it are a thin tail of late reports).
   ``base/`` is every other row, ``days/<YYYY-MM-DD>/`` that day's new rows. The split is cached
   beside the raw folder too.
2. **Parse.** ``dbt parse`` into a fresh target folder, timed apart: a project is parsed once per
   checkout, and the builds below reuse it (partial parsing), as a deployed warehouse does.
3. **Full build.** ``base`` is copied to a working raw folder and ``dbt build --full-refresh`` runs in
   files mode into a fresh ``civcas.duckdb``; wall time and peak RSS of the dbt process. Unit tests
   are excluded (they check logic on fixed inputs, not data, and do not grow with N; ``make test``
   runs them). The five slowest nodes come from its ``run_results.json``.
4. **Floor.** The same compiled SQL, from the full build's ``manifest.json``, run in DAG order by
   DuckDB alone, in a fresh ``civcas.duckdb`` with the same settings, in a child process:
   the reference seeds read from their CSV files (``read_csv``, cast to the types dbt gave them),
   every model as ``create or replace table|view <relation> as <compiled_code>``, and every data
   test as ``select count(*) from (<compiled_code>)``. It is timed from the first statement to the
   last. dbt-only work is not in it: starting Python and dbt, partial parsing, compiling Jinja, the
   contract checks and typed ``create table`` + ``insert`` of contracted models, ``persist_docs``
   comments, run results and the manifest. Afterwards (untimed) every table's row count is compared
   with the dbt build's, so a floor that did less work would show.
5. **Incremental refresh.** ``civcas.increments.apply_day`` adds the held-out day to the working raw
   folder and ``dbt build`` (no ``--full-refresh``) runs on the same DuckDB file, on what
   ``civcas refresh`` selects for the day: the nodes downstream of the tables that got files.
6. **Growth.** Full-build wall time of each size over the previous one; the target is 10M / 1M.

DuckDB's memory limit and threads and dbt's threads are set explicitly (the environment variables
profiles.yml reads) and recorded with the machine, the versions, the date and the git commit.
Peak RSS is the child's own ``ru_maxrss`` (``os.wait4``), so each measured process is measured
alone. The report is printed and written as ``benchmark.txt`` and ``benchmark.json``.

Why a separate command and not a timed test: timings depend on the machine and its load, so they
are measured and reported against the targets, never asserted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import importlib
import importlib.metadata
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

Progress = Callable[[str], None]

DEFAULT_SIZES = (100_000, 1_000_000, 10_000_000)
# DuckDB's limit covers its buffer pool, not dbt's Python process nor every allocation outside
# the pool: 4GB (3.73 GiB), the profile's default, leaves room under the 5 GiB target (with 5GB
# the dbt process peaked at 4.99 GiB at 1M claims; README, Benchmark).
DEFAULT_MEMORY_LIMIT = "4GB"
DEFAULT_THREADS = 2
SLOWEST = 5
DUCKDB_FILE = "civcas.duckdb"  # views embed the database name, so every build file has this name
WORK_MARKER = ".civcas-benchmark"  # only folders holding it are ever emptied
SPLIT_MARKER = "_split.json"
GIB = 1024**3

# Issue 14's targets, on the 2-core, 24 GiB machine: a figure (phase, measure) at a size.
TEN_MILLION = 10_000_000
ONE_MILLION = 1_000_000


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    limit: float
    shown: str
    size: int
    phase: str  # full_build, incremental, or growth (the 10M full build over the 1M one)
    measure: str = "wall_seconds"


TARGETS = (
    Target("full_build_seconds_10m", "full build of 10M claims", 500.0, "<= 500 s", TEN_MILLION, "full_build"),
    Target("full_build_peak_rss_bytes_10m", "peak memory (RSS) of that build", 5 * GIB, "<= 5 GiB", TEN_MILLION,
           "full_build", "peak_rss_bytes"),
    Target("full_build_seconds_1m", "full build of 1M claims", 50.0, "<= 50 s", ONE_MILLION, "full_build"),
    Target("growth_10m_over_1m", "10M full build / 1M full build", 10.0, "<= 10", TEN_MILLION, "growth"),
    Target("incremental_seconds_10m", "one day's refresh at 10M", 15.0, "<= 15 s", TEN_MILLION, "incremental"),
    Target("incremental_seconds_1m", "one day's refresh at 1M", 10.0, "<= 10 s", ONE_MILLION, "incremental"),
)

# The layers a node's time is counted in (per_layer): models by folder, with the validation
# models (int_*_validated) and the linking models (linking_nodes) apart from the other
# intermediate ones; seeds and data tests on their own.
LAYERS = ("seeds", "staging", "validation", "linking", "intermediate", "marts", "exports", "restricted", "tests")


class BenchmarkError(RuntimeError):
    """The benchmark could not run to the end (a failed dbt build, a failed floor statement, ...)."""


class BenchmarkUsageError(ValueError):
    """A bad option value."""


@dataclass(frozen=True)
class Settings:
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    duckdb_threads: int = DEFAULT_THREADS
    dbt_threads: int = DEFAULT_THREADS

    def environment(self) -> dict[str, str]:
        """The variables profiles.yml reads."""
        return {
            "CIVCAS_DUCKDB_MEMORY_LIMIT": self.memory_limit,
            "CIVCAS_DUCKDB_THREADS": str(self.duckdb_threads),
            "CIVCAS_DBT_THREADS": str(self.dbt_threads),
        }


@dataclass(frozen=True)
class Options:
    project_dir: Path
    sizes: tuple[int, ...] = DEFAULT_SIZES
    data_dir: Path | None = None
    work_dir: Path | None = None
    out_dir: Path | None = None
    settings: Settings = field(default_factory=Settings)
    seed: int | None = None
    days: int = 1
    select: str | None = None
    exclude: str | None = None
    keep: bool = False


@dataclass(frozen=True)
class ProcessRun:
    """One measured child process."""

    wall_seconds: float
    peak_rss_bytes: int
    returncode: int
    log: Path
    cpu_seconds: float = 0.0  # user + system time of the process and the children it waited for


# --------------------------------------------------------------------------- option parsing

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([km]?)\s*$", re.IGNORECASE)
_MEMORY = re.compile(r"^\s*\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """'100000', '100_000', '100k', '1m', '10M' -> claims."""
    match = _SIZE.match(text.replace("_", ""))
    if not match:
        raise BenchmarkUsageError(f"not a size: {text!r} (write e.g. 100000, 100k, 1m or 10m)")
    number, unit = float(match.group(1)), match.group(2).lower()
    value = number * {"": 1, "k": 1_000, "m": 1_000_000}[unit]
    if value != int(value):
        raise BenchmarkUsageError(f"not a whole number of claims: {text!r}")
    return int(value)


def parse_sizes(text: str) -> tuple[int, ...]:
    """A comma-separated list of sizes, smallest first, each once."""
    from civcas.generator import MAX_CLAIMS

    parts = [part for part in text.split(",") if part.strip()]
    if not parts:
        raise BenchmarkUsageError("--sizes is empty; write e.g. 100k,1m,10m")
    sizes = sorted({parse_size(part) for part in parts})
    for size in sizes:
        if not 200 <= size <= MAX_CLAIMS:
            raise BenchmarkUsageError(f"size {size:,} is outside 200 to {MAX_CLAIMS:,} claims")
    return tuple(sizes)


def check_memory_limit(text: str) -> str:
    if not _MEMORY.match(text):
        raise BenchmarkUsageError(f"not a DuckDB memory limit: {text!r} (write e.g. 6GB or 4GiB)")
    return text.strip()


# --------------------------------------------------------------------------- measured processes

_DBT_PROGRESS = re.compile(r"\b(\d+) of (\d+) (OK|PASS|ERROR|FAIL|WARN|SKIP|NO-OP)\b")


def run_measured(command: Sequence[str], *, env: Mapping[str, str], cwd: Path, log: Path,
                 label: str, say: Progress, every: float = 10.0) -> ProcessRun:
    """Run `command`, its output into `log`; return its wall time and its own peak RSS.

    ``os.wait4`` returns the resource usage of that one child (and its waited-for children),
    unlike ``getrusage(RUSAGE_CHILDREN)``, which keeps the maximum over every child so far.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    last_said = started
    done = 0  # nodes finished; dbt's "N of M" is a node's place in the queue, not a count
    with log.open("w", encoding="utf-8") as sink:
        process = subprocess.Popen(list(command), cwd=cwd, env=dict(env), stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, errors="replace")
        assert process.stdout is not None
        for line in process.stdout:
            sink.write(line)
            match = _DBT_PROGRESS.search(line)
            if not match:
                continue
            done += 1
            if match.group(3) in ("ERROR", "FAIL"):
                say(f"{label}: {line.strip()}")
            now = time.perf_counter()
            if now - last_said >= every:
                say(f"{label}: {done} of {match.group(2)} nodes done, {now - started:.0f} s")
                last_said = now
        process.stdout.close()
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    # Linux reports kilobytes, macOS bytes.
    peak = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    return ProcessRun(wall_seconds=wall, peak_rss_bytes=peak, returncode=process.returncode, log=log,
                      cpu_seconds=usage.ru_utime + usage.ru_stime)


def dbt_executable() -> str:
    """The dbt beside this Python (the project's venv), else the one on the PATH."""
    candidate = Path(sys.executable).with_name("dbt")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("dbt")
    if not found:
        raise BenchmarkError("dbt is not installed beside this Python or on the PATH; run `make install`")
    return found


def dbt_command(verb: str, project: Path, target: Path, logs: Path, raw: Path, *,
                full_refresh: bool = False, select: str | None = None, exclude: str | None = None,
                indirect_selection: str = "cautious") -> list[str]:
    command = [dbt_executable(), verb, "--profiles-dir", str(project), "--project-dir", str(project),
               "--target-path", str(target), "--log-path", str(logs), "--no-use-colors",
               "--vars", json.dumps({"civcas_raw_source": "files", "civcas_raw_path": str(raw)})]
    if verb == "build":
        command += ["--exclude-resource-type", "unit_test"]
        if full_refresh:
            command.append("--full-refresh")
        if select:
            # Cautious: only tests whose every parent is built (eager would run tests on unbuilt models).
            command += ["--select", select, "--indirect-selection", indirect_selection]
        if exclude:
            command += ["--exclude", exclude]
    return command


def dbt_environment(settings: Settings, duckdb_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(settings.environment())
    env.update({"CIVCAS_DUCKDB_PATH": str(duckdb_path), "DO_NOT_TRACK": "1",
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"})
    return env


# --------------------------------------------------------------------------- run results

_FAILED = {"error", "fail", "runtime error"}


def failed_nodes(run_results: Mapping) -> list[str]:
    """'<unique_id>: <message>' for each node that failed (skipped nodes follow from these)."""
    return [f"{r['unique_id']}: {(r.get('message') or r['status']).strip()}"
            for r in run_results.get("results", []) if r.get("status") in _FAILED]


def slowest_nodes(run_results: Mapping, manifest: Mapping, count: int = SLOWEST) -> list[dict]:
    """The `count` nodes (models, tests, seeds) that took longest, slowest first."""
    nodes = manifest.get("nodes", {})
    timed = [r for r in run_results.get("results", []) if r["unique_id"] in nodes]
    timed.sort(key=lambda r: (-r.get("execution_time", 0.0), r["unique_id"]))
    return [{"unique_id": r["unique_id"], "name": nodes[r["unique_id"]]["name"],
             "resource_type": nodes[r["unique_id"]]["resource_type"],
             "materialized": nodes[r["unique_id"]]["config"].get("materialized"),
             "seconds": round(r.get("execution_time", 0.0), 3)} for r in timed[:count]]


# Linking: every model between the validated claims and fct_claims (issue 13 times them apart).
LINKING_FROM, LINKING_TO = "int_claims_validated", "fct_claims"


def linking_nodes(run_results: Mapping, manifest: Mapping) -> dict:
    """The models on a path from LINKING_FROM to LINKING_TO (both excluded), with their seconds."""
    nodes = manifest.get("nodes", {})
    by_name = {node["name"]: uid for uid, node in nodes.items() if node["resource_type"] == "model"}
    start, end = by_name.get(LINKING_FROM), by_name.get(LINKING_TO)
    if start is None or end is None:
        return {"seconds": 0.0, "nodes": []}

    def reach(origin: str, edges: Mapping[str, list[str]]) -> set[str]:
        seen: set[str] = set()
        todo = [origin]
        while todo:
            for nxt in edges.get(todo.pop(), []):
                if nxt in nodes and nxt not in seen and nodes[nxt]["resource_type"] == "model":
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    between = reach(start, manifest.get("child_map", {})) & reach(end, manifest.get("parent_map", {}))
    seconds = {r["unique_id"]: r.get("execution_time", 0.0) for r in run_results.get("results", [])}
    timed = sorted(({"name": nodes[uid]["name"], "seconds": round(seconds.get(uid, 0.0), 3)} for uid in between),
                   key=lambda node: (-node["seconds"], node["name"]))
    return {"seconds": round(sum(node["seconds"] for node in timed), 3), "nodes": timed}


def node_layer(node: Mapping, linking: set[str]) -> str | None:
    """The layer of LAYERS a manifest node's time counts in (None: not a seed, model or data test)."""
    kind = node["resource_type"]
    if kind in ("seed", "test"):
        return f"{kind}s"
    if kind != "model":
        return None
    if node["unique_id"] in linking:
        return "linking"
    if re.fullmatch(r"int_\w+_validated", node["name"]):
        return "validation"
    folder = Path(node.get("original_file_path", "")).parts[1:2]
    return folder[0] if folder and folder[0] in LAYERS else "intermediate"


def per_layer(run_results: Mapping, manifest: Mapping) -> dict[str, dict]:
    """Per layer: the nodes run and the sum of their execution times (node-seconds: with several
    threads they overlap, so the sum can exceed the wall time)."""
    nodes = manifest.get("nodes", {})
    linking = {uid for uid, node in nodes.items()
               if node["resource_type"] == "model" and node["name"] in
               {n["name"] for n in linking_nodes(run_results, manifest)["nodes"]}}
    layers = {layer: {"nodes": 0, "seconds": 0.0} for layer in LAYERS}
    for result in run_results.get("results", []):
        node = nodes.get(result["unique_id"])
        layer = node_layer(node, linking) if node else None
        if layer is not None:
            layers[layer]["nodes"] += 1
            layers[layer]["seconds"] += result.get("execution_time", 0.0)
    return {layer: {"nodes": v["nodes"], "seconds": round(v["seconds"], 3)} for layer, v in layers.items()}


def _nodes_by_type(run_results: Mapping) -> dict[str, int]:
    """How many nodes of each type (seed, model, test, exposure, ...) the run had."""
    counts: dict[str, int] = {}
    for r in run_results.get("results", []):
        kind = r["unique_id"].split(".", 1)[0]
        counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items()))


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _check_dbt(run: ProcessRun, target: Path, what: str) -> dict:
    """The run results of a dbt run that must have passed; BenchmarkError naming the failed nodes otherwise."""
    results_path = target / "run_results.json"
    results = _read_json(results_path) if results_path.is_file() else {}
    failed = failed_nodes(results)
    if run.returncode != 0 or failed:
        detail = "\n  ".join(failed) if failed else _tail(run.log)
        raise BenchmarkError(f"{what} failed (dbt exit {run.returncode}); log {run.log}:\n  {detail}")
    return results


# --------------------------------------------------------------------------- data

def _versions_of_generator() -> dict:
    import numpy as np
    import pyarrow as pa

    from civcas import __version__
    from civcas.generator import BLOCK_INCIDENTS

    return {"generated_by": f"civcas.generator {__version__}", "block_incidents": BLOCK_INCIDENTS,
            "numpy": np.__version__, "pyarrow": pa.__version__}


def scale_data_matches(raw: Path, claims: int, seed: int) -> bool:
    """True when `raw` holds generate-scale's output for these claims and seed, by this generator."""
    from civcas.generator import MANIFEST_NAME

    manifest_path = raw / MANIFEST_NAME
    if not manifest_path.is_file():
        return False
    try:
        manifest = _read_json(manifest_path)
    except (OSError, ValueError):
        return False
    wanted = {"claims_requested": claims, "seed": seed, **_versions_of_generator()}
    if any(manifest.get(key) != value for key, value in wanted.items()):
        return False
    return all((raw / entry["file"]).is_file() for entry in manifest.get("tables", {}).values())


def ensure_scale_data(project: Path, raw: Path, claims: int, seed: int, say: Progress) -> dict:
    """Make (or reuse) the raw Parquet files for `claims`; return their _scale_manifest.json."""
    from civcas.generator import MANIFEST_NAME

    if scale_data_matches(raw, claims, seed):
        say(f"benchmark: reusing {raw} ({claims:,} claims, seed {seed})")
    else:
        say(f"benchmark: generating {claims:,} claims into {raw}")
        command = [sys.executable, "-m", "civcas", "generate-scale", "--claims", str(claims), "--seed", str(seed),
                   "--out", str(raw), "--project-dir", str(project)]
        finished = subprocess.run(command, cwd=project, stdout=subprocess.PIPE, text=True)
        if finished.returncode != 0 or not scale_data_matches(raw, claims, seed):
            raise BenchmarkError(f"civcas generate-scale --claims {claims} failed (exit {finished.returncode}); "
                                 "its message is above")
    return _read_json(raw / MANIFEST_NAME)


def _increments():
    try:
        return importlib.import_module("civcas.increments")
    except ImportError as exc:
        raise BenchmarkError("civcas.increments (split_last_days, apply_day) is missing; the benchmark needs it "
                             f"to hold out the last day: {exc}") from exc


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ensure_split(raw: Path, split: Path, days: int, say: Progress) -> tuple[Path, list[Path]]:
    """Hold out the last `days` days of `raw` (cached in `split`); return the base folder and the day folders."""
    from civcas.generator import MANIFEST_NAME

    increments = _increments()
    # The held-out days end on the last day of ordinary traffic, not in the dataset's thin tail
    # of late reports, so the refresh measures a typical day's claims.
    try:
        first_day = increments.last_typical_claim_day(raw) - dt.timedelta(days=days - 1)
    except ValueError as exc:
        raise BenchmarkError(f"finding the last typical day of {raw}: {exc}") from exc
    # The split is remade when the data or the splitting code changes.
    stamp = {"raw_manifest_sha256": _sha256(raw / MANIFEST_NAME), "days": days, "first_day": first_day.isoformat(),
             "increments_sha256": _sha256(Path(increments.__file__))}
    marker = split / SPLIT_MARKER
    if marker.is_file() and _read_json(marker).get("split") == stamp:
        say(f"benchmark: reusing the held-out days in {split}")
        cached = _read_json(marker)
        return split / "base", [split / relative for relative in cached["day_folders"]]
    say(f"benchmark: holding out {days} day(s) from {first_day} (the last day(s) of typical traffic) of {raw} "
        f"into {split}")
    split.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{split.name}.splitting-", dir=split.parent))
    try:
        try:
            day_folders = [Path(day) for day in increments.split_last_days(raw, staging, days, first_day)]
        except ValueError as exc:  # civcas.increments.IncrementError says what to fix
            raise BenchmarkError(f"holding out {days} day(s) from {first_day} of {raw}: {exc}") from exc
        if not (staging / "base").is_dir() or not day_folders:
            raise BenchmarkError(f"split_last_days wrote no base folder or no day folder into {staging}")
        relative = [str(day.relative_to(staging)) for day in day_folders]
        (staging / SPLIT_MARKER).write_text(json.dumps({"split": stamp, "day_folders": relative}, indent=2) + "\n",
                                            encoding="utf-8")
        if split.exists():
            shutil.rmtree(split)
        staging.rename(split)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return split / "base", [split / r for r in relative]


def _parquet_rows(folder: Path, table: str) -> int:
    import pyarrow.parquet as pq

    return sum(pq.read_metadata(path).num_rows for path in sorted(folder.glob(f"{table}.*parquet")))


def _folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


# --------------------------------------------------------------------------- the floor

def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def floor_order(manifest: Mapping, executed: Iterable[str]) -> list[str]:
    """The executed seeds, models and tests in an order their dependencies allow (Kahn's algorithm).

    Ties go to seeds, then tests (as soon as their models exist, as dbt build runs them), then
    models, by name, so the order is the same every run.
    """
    nodes = manifest["nodes"]
    wanted = [uid for uid in executed if uid in nodes and nodes[uid]["resource_type"] in ("seed", "model", "test")]
    members = set(wanted)
    needs = {uid: {d for d in nodes[uid].get("depends_on", {}).get("nodes", []) if d in members} for uid in wanted}
    rank = {"seed": 0, "test": 1, "model": 2}
    order: list[str] = []
    done: set[str] = set()
    pending = set(wanted)
    while pending:
        ready = sorted((uid for uid in pending if needs[uid] <= done),
                       key=lambda uid: (rank[nodes[uid]["resource_type"]], uid))
        if not ready:
            raise BenchmarkError(f"the manifest's dependencies have a cycle among: {', '.join(sorted(pending))}")
        # Take one at a time: a ready test should run before the next model, as in dbt build.
        chosen = ready[0]
        order.append(chosen)
        done.add(chosen)
        pending.discard(chosen)
    return order


def _strip_sql(code: str) -> str:
    """Compiled SQL as a subquery body: no trailing semicolon; a newline so a final -- comment ends."""
    return code.strip().rstrip(";").rstrip() + "\n"


def floor_statement(node: Mapping) -> tuple[str, str | None]:
    """(kind, SQL) for one model or test node; SQL None when the floor runs nothing for it."""
    kind = node["resource_type"]
    code = node.get("compiled_code")
    if kind == "test":
        if code is None:
            raise BenchmarkError(f"{node['unique_id']} has no compiled SQL in the manifest")
        return "test", f"select count(*) from (\n{_strip_sql(code)}) as floor_test"
    materialized = node["config"].get("materialized")
    if materialized == "ephemeral":
        return "model", None  # inlined into its readers' compiled SQL
    if code is None:
        raise BenchmarkError(f"{node['unique_id']} has no compiled SQL in the manifest")
    if materialized == "view":
        return "model", f"create or replace view {node['relation_name']} as\n{_strip_sql(code)}"
    if materialized in ("table", "incremental"):
        # A full refresh: an incremental model's compiled SQL is then its whole select.
        return "model", f"create or replace table {node['relation_name']} as\n{_strip_sql(code)}"
    raise BenchmarkError(f"the floor does not know materialization {materialized!r} of {node['unique_id']}")


def _seed_statement(node: Mapping, project: Path, columns: Sequence[tuple[str, str]]) -> str:
    csv = (project / node["original_file_path"]).resolve()
    if not columns:
        raise BenchmarkError(f"the dbt build has no table for seed {node['unique_id']}")
    casts = ",\n    ".join(f"cast({_quote(name)} as {data_type}) as {_quote(name)}" for name, data_type in columns)
    path = str(csv).replace("'", "''")
    return (f"create or replace table {node['relation_name']} as\nselect\n    {casts}\n"
            f"from read_csv('{path}', header = true, all_varchar = true)")


def run_floor(spec: Mapping) -> dict:
    """Run the floor described by `spec` (see ``_floor_spec``); return its timings and checks."""
    import duckdb

    from civcas.normal_form import register_sql_function

    manifest = _read_json(Path(spec["manifest"]))
    executed = [r["unique_id"] for r in _read_json(Path(spec["run_results"]))["results"]]
    nodes = manifest["nodes"]
    order = floor_order(manifest, executed)
    project = Path(spec["project_dir"])
    config = {"memory_limit": spec["memory_limit"], "threads": int(spec["threads"])}

    # The seeds' column types as dbt made them (untimed metadata).
    seed_columns: dict[str, list[tuple[str, str]]] = {}
    tables_built: dict[str, int] = {}
    with duckdb.connect(spec["dbt_duckdb"], read_only=True) as built:
        for uid in order:
            node = nodes[uid]
            if node["resource_type"] == "seed":
                seed_columns[uid] = built.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [node["schema"], node["alias"]]).fetchall()

    times: dict[str, float] = {}
    seconds = {"seed": 0.0, "model": 0.0, "test": 0.0}
    tests_with_rows: list[str] = []
    schemas_made: set[str] = set()
    floor_path = Path(spec["floor_duckdb"])
    floor_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(floor_path), config=config) as floor:
        # the function dbt gets from its plugin (profiles.yml), for the compiled SQL that calls it
        register_sql_function(floor)
        applied = floor.execute("select current_setting('memory_limit'), current_setting('threads')").fetchone()
        started = time.perf_counter()
        for uid in order:
            node = nodes[uid]
            if node["resource_type"] == "seed":
                kind, sql = "seed", _seed_statement(node, project, seed_columns[uid])
            else:
                kind, sql = floor_statement(node)
            if sql is None:
                continue
            if kind != "test" and node["schema"] not in schemas_made:
                floor.execute(f"create schema if not exists {_quote(node['database'])}.{_quote(node['schema'])}")
                schemas_made.add(node["schema"])
            began = time.perf_counter()
            try:
                row = floor.execute(sql).fetchone()
            except duckdb.Error as exc:
                raise BenchmarkError(f"floor: {uid} failed in DuckDB: {exc}") from exc
            took = time.perf_counter() - began
            times[uid] = round(took, 4)
            seconds[kind] += took
            if kind == "test" and row and row[0]:
                tests_with_rows.append(uid)
        total = time.perf_counter() - started

        # Untimed: the floor built what dbt built (same tables, same row counts).
        floor.execute(f"attach '{spec['dbt_duckdb']}' as dbt_build (read_only)")
        mismatches: list[str] = []
        for uid in order:
            node = nodes[uid]
            if node["resource_type"] == "test" or node["config"].get("materialized") not in ("table", "incremental",
                                                                                               "seed"):
                continue
            relation = f"{_quote(node['schema'])}.{_quote(node['alias'])}"
            ours = floor.execute(f"select count(*) from {_quote(node['database'])}.{relation}").fetchone()[0]
            theirs = floor.execute(f"select count(*) from dbt_build.{relation}").fetchone()[0]
            tables_built[uid] = ours
            if ours != theirs:
                mismatches.append(f"{uid}: floor {ours:,} rows, dbt {theirs:,}")
        floor.execute("detach dbt_build")
    counts = {kind: sum(1 for uid in times if nodes[uid]["resource_type"] == kind) for kind in seconds}
    return {
        "seconds": round(total, 3),
        "seeds_seconds": round(seconds["seed"], 3),
        "models_seconds": round(seconds["model"], 3),
        "tests_seconds": round(seconds["test"], 3),
        "statements": counts,
        "duckdb_settings": {"memory_limit": applied[0], "threads": applied[1]},
        "node_seconds": times,
        "tests_returning_rows": tests_with_rows,
        "tables_compared": len(tables_built),
        "row_count_mismatches": mismatches,
    }


def _floor_main(argv: Sequence[str]) -> int:
    """Child-process entry: ``python -m civcas.benchmark floor <spec.json>``; writes spec['out']."""
    if len(argv) != 2 or argv[0] != "floor":
        print("usage: python -m civcas.benchmark floor <spec.json> (internal; use `civcas benchmark`)",
              file=sys.stderr)
        return 2
    spec = _read_json(Path(argv[1]))
    try:
        result = run_floor(spec)
    except BenchmarkError as exc:
        print(f"civcas benchmark: {exc}", file=sys.stderr)
        return 1
    Path(spec["out"]).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


# --------------------------------------------------------------------------- one size

@dataclass(frozen=True)
class SizePaths:
    """Where one size's files go: cached data under data_dir, throw-away work under work_dir."""

    raw: Path
    split: Path
    work: Path

    @property
    def working_raw(self) -> Path:
        return self.work / "raw"

    @property
    def target(self) -> Path:
        return self.work / "target"

    @property
    def logs(self) -> Path:
        return self.work / "logs"

    @property
    def dbt_duckdb(self) -> Path:
        return self.work / "dbt" / DUCKDB_FILE

    @property
    def floor_duckdb(self) -> Path:
        return self.work / "floor" / DUCKDB_FILE

    @property
    def artifacts(self) -> Path:
        return self.work / "artifacts"


def _fresh_work_folder(work: Path) -> None:
    """Empty `work` for a new run; refuse a non-empty folder the benchmark did not make."""
    if work.exists() and any(work.iterdir()):
        if not (work / WORK_MARKER).is_file():
            raise BenchmarkUsageError(f"{work} is not empty and was not made by civcas benchmark; "
                                      "choose another --work-dir")
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    (work / WORK_MARKER).write_text("made by civcas benchmark; emptied on every run\n", encoding="utf-8")


def _copy_folder(source: Path, destination: Path) -> None:
    destination.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.parquet")):
        shutil.copy2(path, destination / path.name)


def _save(target: Path, artifacts: Path, prefix: str) -> tuple[Path, Path]:
    """Keep a run's manifest and run results: the next dbt command overwrites the target folder."""
    artifacts.mkdir(parents=True, exist_ok=True)
    saved = []
    for name in ("manifest.json", "run_results.json"):
        destination = artifacts / f"{prefix}_{name}"
        shutil.copy2(target / name, destination)
        saved.append(destination)
    return saved[0], saved[1]


def _measured_dbt(verb: str, phase: str, paths: SizePaths, options: Options, label: str, say: Progress, *,
                  full_refresh: bool = False, daily_selection: list[str] | None = None) -> ProcessRun:
    """One dbt command, measured; its output goes to <work>/logs/<phase>.out (dbt's own log beside it).
    `daily_selection` is what `civcas refresh` selects for a day's files (its tests: eager, as there)."""
    if daily_selection and not options.select:
        command = dbt_command(verb, options.project_dir, paths.target, paths.logs, paths.working_raw,
                              select=" ".join(daily_selection), exclude=options.exclude, indirect_selection="eager")
    else:
        command = dbt_command(verb, options.project_dir, paths.target, paths.logs, paths.working_raw,
                              full_refresh=full_refresh, select=options.select, exclude=options.exclude)
    say(f"{label}: dbt {verb}{' --full-refresh' if full_refresh else ''} ...")
    return run_measured(command, env=dbt_environment(options.settings, paths.dbt_duckdb), cwd=options.project_dir,
                        log=paths.logs / f"{phase}.out", label=label, say=say)


def _floor(paths: SizePaths, manifest: Path, run_results: Path, options: Options, label: str,
           say: Progress) -> tuple[ProcessRun, dict]:
    spec = {
        "manifest": str(manifest), "run_results": str(run_results), "project_dir": str(options.project_dir),
        "dbt_duckdb": str(paths.dbt_duckdb), "floor_duckdb": str(paths.floor_duckdb),
        "memory_limit": options.settings.memory_limit, "threads": options.settings.duckdb_threads,
        "out": str(paths.artifacts / "floor.json"),
    }
    spec_path = paths.artifacts / "floor_spec.json"
    spec_path.write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")
    say(f"{label}: the same compiled SQL in DuckDB alone ...")
    run = run_measured([sys.executable, "-m", "civcas.benchmark", "floor", str(spec_path)], env=dict(os.environ),
                       cwd=options.project_dir, log=paths.logs / "floor.out", label=label, say=say)
    if run.returncode != 0:
        raise BenchmarkError(f"the floor failed (exit {run.returncode}):\n  {_tail(run.log)}")
    return run, _read_json(Path(spec["out"]))


def _attach_floor_seconds(slowest: list[dict], floor: Mapping) -> list[dict]:
    for node in slowest:
        node["floor_seconds"] = floor["node_seconds"].get(node["unique_id"])
    return slowest


def benchmark_size(claims: int, options: Options, say: Progress) -> dict:
    """Every measurement for one size; raises BenchmarkError when a build fails."""
    from civcas.generator import DEFAULT_SEED

    seed = DEFAULT_SEED if options.seed is None else options.seed
    data_dir = options.data_dir or options.project_dir / "data" / "scale"
    work_dir = options.work_dir or options.project_dir / "warehouse" / "benchmark"
    paths = SizePaths(raw=data_dir / str(claims) / "raw", split=data_dir / str(claims) / f"typical-{options.days}-days",
                      work=work_dir / str(claims))
    label = f"benchmark {claims:,}"

    scale_manifest = ensure_scale_data(options.project_dir, paths.raw, claims, seed, say)
    base, day_folders = ensure_split(paths.raw, paths.split, options.days, say)
    _fresh_work_folder(paths.work)
    _copy_folder(base, paths.working_raw)
    paths.dbt_duckdb.parent.mkdir(parents=True, exist_ok=True)

    parse = _measured_dbt("parse", "parse", paths, options, f"{label} parse", say)
    if parse.returncode != 0:
        raise BenchmarkError(f"dbt parse failed (exit {parse.returncode}); log {parse.log}:\n  {_tail(parse.log)}")

    full = _measured_dbt("build", "full-build", paths, options, f"{label} full build", say, full_refresh=True)
    full_results = _check_dbt(full, paths.target, f"the full build of {claims:,} claims")
    full_manifest_path, full_results_path = _save(paths.target, paths.artifacts, "full")
    full_manifest = _read_json(full_manifest_path)

    floor_run, floor = _floor(paths, full_manifest_path, full_results_path, options, f"{label} floor", say)

    increments = _increments()
    held_out_rows: dict[str, int] = {}
    for day in day_folders:
        try:
            increments.apply_day(day, paths.working_raw)
        except ValueError as exc:
            raise BenchmarkError(f"adding the held-out day {day.name}: {exc}") from exc
        for path in sorted(day.glob("*.parquet")):
            held_out_rows[path.stem] = held_out_rows.get(path.stem, 0) + _parquet_rows(day, path.stem)
    # the refresh's selection: what the day's files reach (imported here: civcas.refresh imports this module)
    from civcas.refresh import daily_selection

    daily = daily_selection([table for table, rows in sorted(held_out_rows.items()) if rows])
    incremental = _measured_dbt("build", "incremental", paths, options, f"{label} incremental", say,
                                daily_selection=daily)
    incremental_results = _check_dbt(incremental, paths.target, f"the incremental refresh of {claims:,} claims")
    incremental_manifest_path, _ = _save(paths.target, paths.artifacts, "incremental")

    ratio = full.wall_seconds / floor["seconds"] if floor["seconds"] > 0 else None
    result = {
        "claims": claims,
        "data": {
            "raw_folder": str(paths.raw),
            "raw_claims_rows": scale_manifest["tables"].get("raw_claims", {}).get("rows"),
            "raw_megabytes": round(_folder_bytes(paths.raw) / 1e6, 1),
            "base_claims_rows": _parquet_rows(base, "raw_claims"),
            "held_out_days": [day.name for day in day_folders],
            "held_out_claims": held_out_rows.get("raw_claims", 0),
            "held_out_rows": held_out_rows,
        },
        "parse": {"wall_seconds": round(parse.wall_seconds, 2), "cpu_seconds": round(parse.cpu_seconds, 2),
                  "peak_rss_bytes": parse.peak_rss_bytes},
        "full_build": {
            "wall_seconds": round(full.wall_seconds, 2),
            "cpu_seconds": round(full.cpu_seconds, 2),
            "dbt_elapsed_seconds": round(full_results.get("elapsed_time", 0.0), 2),
            "peak_rss_bytes": full.peak_rss_bytes,
            "nodes": len(full_results.get("results", [])),
            "nodes_by_type": _nodes_by_type(full_results),
            "slowest": _attach_floor_seconds(slowest_nodes(full_results, full_manifest), floor),
            "linking": linking_nodes(full_results, full_manifest),
            "layers": per_layer(full_results, full_manifest),
            "log": str(full.log),
        },
        "floor": {**{k: v for k, v in floor.items() if k != "node_seconds"},
                  "process_wall_seconds": round(floor_run.wall_seconds, 2),
                  "process_cpu_seconds": round(floor_run.cpu_seconds, 2),
                  "peak_rss_bytes": floor_run.peak_rss_bytes},
        "dbt_to_floor_ratio": round(ratio, 2) if ratio is not None else None,
        "incremental": {
            "wall_seconds": round(incremental.wall_seconds, 2),
            "cpu_seconds": round(incremental.cpu_seconds, 2),
            "dbt_elapsed_seconds": round(incremental_results.get("elapsed_time", 0.0), 2),
            "peak_rss_bytes": incremental.peak_rss_bytes,
            "nodes": len(incremental_results.get("results", [])),
            "slowest": slowest_nodes(incremental_results, _read_json(incremental_manifest_path)),
            "linking": linking_nodes(incremental_results, _read_json(incremental_manifest_path)),
            "layers": per_layer(incremental_results, _read_json(incremental_manifest_path)),
            "log": str(incremental.log),
        },
    }
    if not options.keep:
        # The DuckDB files and the raw copy are large; the logs and dbt artifacts stay.
        for folder in (paths.working_raw, paths.dbt_duckdb.parent, paths.floor_duckdb.parent):
            shutil.rmtree(folder, ignore_errors=True)
    return result


# --------------------------------------------------------------------------- the report

def _git(project: Path, *args: str) -> str | None:
    try:
        finished = subprocess.run(["git", "-C", str(project), *args], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return finished.stdout.strip() if finished.returncode == 0 else None


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def machine(project: Path) -> dict:
    """The machine, the versions, the date and the commit the numbers belong to."""
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        memory = None
    commit = _git(project, "rev-parse", "HEAD")
    status = _git(project, "status", "--porcelain", "--untracked-files=no")
    return {
        "date_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_bytes": memory,
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "duckdb": _version("duckdb"),
        "dbt_core": _version("dbt-core"),
        "dbt_duckdb": _version("dbt-duckdb"),
        "git_commit": commit,
        "git_uncommitted_changes": bool(status) if status is not None else None,
    }


def _target_value(target: Target, sizes: Mapping[int, Mapping]) -> float | None:
    if target.phase == "growth":
        ten, one = sizes.get(TEN_MILLION), sizes.get(ONE_MILLION)
        return (round(ten["full_build"]["wall_seconds"] / one["full_build"]["wall_seconds"], 2)
                if ten and one else None)
    size = sizes.get(target.size)
    return size[target.phase][target.measure] if size else None


def evaluate_targets(sizes: Mapping[int, Mapping], partial: bool) -> list[dict]:
    """Each target with its figure and met / missed / not run (not comparable when part of the DAG ran)."""
    evaluated = []
    for target in TARGETS:
        value = _target_value(target, sizes)
        if partial:
            status = "not comparable (part of the DAG)"
        elif value is None:
            status = "not run"
        else:
            status = "met" if value <= target.limit else "missed"
        evaluated.append({"key": target.key, "label": target.label, "target": target.shown, "limit": target.limit,
                          "value": value, "status": status})
    return evaluated


def growth(sizes: Mapping[int, Mapping]) -> list[dict]:
    """Full-build wall time of each size over the previous one."""
    ordered = sorted(sizes)
    return [{"from": a, "to": b, "claims_ratio": round(b / a, 2),
             "time_ratio": round(sizes[b]["full_build"]["wall_seconds"] / sizes[a]["full_build"]["wall_seconds"], 2)}
            for a, b in zip(ordered, ordered[1:], strict=False)]


FLOOR_NOTE = (
    "floor = the compiled SQL of the full build's manifest run by DuckDB alone, in DAG order, same settings: "
    "reference seeds read from their CSVs (timed), each model as create or replace table|view, each data test "
    "as select count(*) from (its SQL). Not in the floor (dbt-only): Python and dbt start-up, partial parsing, "
    "Jinja compilation, contract checks and the typed create + insert of contracted models, persist_docs "
    "comments, run results and artifacts. Unit tests are excluded from every build (make test runs them)."
)


def _gib(value: int | float | None) -> str:
    if value is None:
        return "-"
    return f"{value / GIB:.2f} GiB" if value >= GIB / 4 else f"{value / 2**20:.0f} MiB"


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s" if value >= 10 else f"{value:.2f} s"


def _target_cell(targets: Sequence[Mapping], *keys: str) -> str:
    """The targets named, each as '<size> <limit>: <status>'."""
    cells = []
    for key in keys:
        target = next(t for t in targets if t["key"] == key)
        size = "10M/1M" if key.startswith("growth") else key.rsplit("_", 1)[-1].upper()
        cells.append(f"{size} {target['target']}: {target['status']}")
    return "; ".join(cells)


def _wall_cpu(phase: Mapping) -> str:
    """Wall time with the CPU-seconds beside it (a shared machine's wall time varies; CPU less so)."""
    cpu = phase.get("cpu_seconds")
    return _s(phase["wall_seconds"]) + ("" if cpu is None else f" ({cpu:,.0f} CPU-s)")


def format_report(report: Mapping) -> str:
    """The readable table."""
    m, s = report["machine"], report["settings"]
    sizes = {int(k): v for k, v in report["sizes"].items()}
    order = sorted(sizes)
    targets = report["targets"]
    commit = (m["git_commit"] or "unknown")[:12] + (" + uncommitted changes" if m["git_uncommitted_changes"] else "")
    lines = [
        f"civcas benchmark, {m['date_utc']}, commit {commit}",
        f"machine: {m['cores']} cores ({m['cpu']}), {_gib(m['memory_bytes'])} RAM, {m['platform']}, "
        f"load at start {' '.join(str(x) for x in m['load_average_at_start'] or [])}",
        f"versions: Python {m['python']}, DuckDB {m['duckdb']}, dbt-core {m['dbt_core']}, dbt-duckdb {m['dbt_duckdb']}",
        f"settings: DuckDB memory_limit {s['memory_limit']}, threads {s['duckdb_threads']}; dbt threads "
        f"{s['dbt_threads']}; held-out days {s['days']}; seed {s['seed']}"
        + (f"; dbt --select {s['select']}" if s.get("select") else "")
        + (f"; dbt --exclude {s['exclude']}" if s.get("exclude") else ""),
        "",
    ]
    head = ["", *[f"{n:,} claims" for n in order], "target"]
    rows: list[list[str]] = []

    def row(title: str, values: Iterable[str], target: str = "") -> None:
        rows.append([title, *values, target])

    row("raw claims (Parquet MB)", (f"{sizes[n]['data']['raw_claims_rows']:,} ({sizes[n]['data']['raw_megabytes']:,.0f})"
                                    for n in order))
    row("dbt parse, fresh target", (_wall_cpu(sizes[n]["parse"]) for n in order))
    row("full build: wall time (CPU)", (_wall_cpu(sizes[n]["full_build"]) for n in order),
        _target_cell(targets, "full_build_seconds_10m", "full_build_seconds_1m"))
    row("  of which dbt's run (run_results)", (_s(sizes[n]["full_build"]["dbt_elapsed_seconds"]) for n in order))
    row("full build: peak RSS", (_gib(sizes[n]["full_build"]["peak_rss_bytes"]) for n in order),
        _target_cell(targets, "full_build_peak_rss_bytes_10m"))
    row("  nodes run", (f"{sizes[n]['full_build']['nodes']:,}" for n in order))
    row("  of which linking nodes", (_s(sizes[n]["full_build"].get("linking", {}).get("seconds")) for n in order))
    row("floor: DuckDB alone", (_s(sizes[n]["floor"]["seconds"]) for n in order))
    row("  seeds / models / tests", ("/".join(f"{sizes[n]['floor'][k]:.1f}" for k in
                                              ("seeds_seconds", "models_seconds", "tests_seconds")) for n in order))
    row("floor: peak RSS", (_gib(sizes[n]["floor"]["peak_rss_bytes"]) for n in order))
    row("dbt / floor", (f"{sizes[n]['dbt_to_floor_ratio']:.2f}" if sizes[n]["dbt_to_floor_ratio"] else "-"
                        for n in order))
    row("incremental: the day's claims (all rows)",
        (f"{sizes[n]['data']['held_out_claims']:,} ({sum(sizes[n]['data']['held_out_rows'].values()):,})"
         for n in order))
    row("incremental: wall time (CPU)", (_wall_cpu(sizes[n]["incremental"]) for n in order),
        _target_cell(targets, "incremental_seconds_10m", "incremental_seconds_1m"))
    row("  of which dbt's run (run_results)", (_s(sizes[n]["incremental"]["dbt_elapsed_seconds"]) for n in order))
    row("  of which linking nodes", (_s(sizes[n]["incremental"].get("linking", {}).get("seconds")) for n in order))
    row("incremental: peak RSS", (_gib(sizes[n]["incremental"]["peak_rss_bytes"]) for n in order))
    by_to = {g["to"]: g for g in report["growth"]}
    row("growth: full build / previous size",
        (f"{by_to[n]['time_ratio']:.2f}x for {by_to[n]['claims_ratio']:g}x claims" if n in by_to else "-"
         for n in order), _target_cell(targets, "growth_10m_over_1m"))
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    for r in [head, *rows]:
        lines.append("  ".join([r[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(r[1:-1], widths[1:-1],
                                                                                     strict=True)),
                                r[-1]]).rstrip())

    for n in order:
        for phase, title in (("full_build", "full build"), ("incremental", "incremental refresh")):
            lines += ["", f"five slowest nodes, {title}, {n:,} claims (dbt run_results"
                      + (", floor beside)" if phase == "full_build" else ")")]
            for node in sizes[n][phase]["slowest"]:
                floor = node.get("floor_seconds")
                beside = f"   floor {_s(floor)}" if phase == "full_build" and floor is not None else ""
                lines.append(f"  {_s(node['seconds']):>8}  {node['resource_type']:<5} {node['name']}{beside}")

    lines += ["", "node-seconds per layer (sum of dbt's node times; with 2 threads they overlap), "
              "full build / incremental"]
    layer_rows = [["layer", *[f"{n:,} claims" for n in order]]]
    for layer in LAYERS:
        cells = []
        for n in order:
            full, incremental = (sizes[n][phase].get("layers", {}).get(layer) for phase in ("full_build", "incremental"))
            cells.append("-" if full is None else f"{_s(full['seconds'])} / {_s((incremental or {}).get('seconds'))}")
        layer_rows.append([layer, *cells])
    layer_widths = [max(len(r[i]) for r in layer_rows) for i in range(len(layer_rows[0]))]
    lines += ["  " + "  ".join([r[0].ljust(layer_widths[0]), *(c.rjust(w) for c, w in
                                                               zip(r[1:], layer_widths[1:], strict=True))])
              for r in layer_rows]

    for n in order:
        linking = sizes[n]["full_build"].get("linking", {})
        lines += ["", f"linking nodes ({LINKING_FROM} -> {LINKING_TO}), full build, {n:,} claims: "
                  f"{_s(linking.get('seconds'))}"]
        lines += [f"  {_s(node['seconds']):>8}  {node['name']}" for node in linking.get("nodes", [])]

    lines += ["", "targets (issue 14, on 2 cores and 24 GiB):"]
    for t in targets:
        value = t["value"]
        shown = "-" if value is None else (_gib(value) if "bytes" in t["key"] else
                                           _s(value) if "seconds" in t["key"] else f"{value:.2f}")
        lines.append(f"  {t['label']:<40} {t['target']:<9} {shown:>10}  {t['status']}")
    checks = []
    for n in order:
        floor = sizes[n]["floor"]
        checks.append(f"{n:,}: {floor['tables_compared']} tables compared, "
                      f"{len(floor['row_count_mismatches'])} row-count mismatches, "
                      f"{len(floor['tests_returning_rows'])} floor tests returning rows")
    lines += ["", "floor check (untimed): " + "; ".join(checks), "", FLOOR_NOTE]
    failure = report.get("failure")
    if failure:
        lines += ["", f"FAILED at {failure['claims']:,} claims (larger sizes not run): {failure['message']}"]
    return "\n".join(lines) + "\n"


def run_benchmark(options: Options, say: Progress) -> dict:
    """Measure every size in order; the report as a dict.

    A failed build stops the run: the report then holds the sizes measured before it and
    ``failure`` (the size and the message naming the node), so hours of larger sizes are not lost.
    """
    from civcas.generator import DEFAULT_SEED

    project = options.project_dir.resolve()
    options = dataclasses.replace(options, project_dir=project)
    report: dict = {
        "machine": machine(project),
        "settings": {"memory_limit": options.settings.memory_limit, "duckdb_threads": options.settings.duckdb_threads,
                     "dbt_threads": options.settings.dbt_threads, "days": options.days,
                     "seed": DEFAULT_SEED if options.seed is None else options.seed, "select": options.select,
                     "exclude": options.exclude,
                     "unit_tests": "excluded"},
        "sizes": {},
    }
    started = time.perf_counter()
    for claims in options.sizes:
        try:
            report["sizes"][str(claims)] = benchmark_size(claims, options, say)
        except BenchmarkError as exc:
            report["failure"] = {"claims": claims, "message": str(exc)}
            break
        say(f"benchmark: {claims:,} claims measured ({time.perf_counter() - started:.0f} s so far)")
    sizes = {int(k): v for k, v in report["sizes"].items()}
    report["growth"] = growth(sizes)
    report["targets"] = evaluate_targets(sizes, partial=bool(options.select or options.exclude))
    report["floor_includes"] = FLOOR_NOTE
    return report


def write_report(report: Mapping, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    text_path, json_path = out_dir / "benchmark.txt", out_dir / "benchmark.json"
    text_path.write_text(format_report(report), encoding="utf-8")
    json_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return text_path, json_path


if __name__ == "__main__":
    sys.exit(_floor_main(sys.argv[1:]))
