"""Shared fixtures: build the demo warehouse once per pytest session, with dbt's
programmatic runner, into a temporary DuckDB file; then read it with pandas."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


def run_dbt(args: list[str], project_dir: Path, duckdb_path: Path, target_path: Path):
    """Run one dbt command in-process against `duckdb_path`; return dbt's result."""
    from dbt.cli.main import dbtRunner

    previous = os.environ.get("CIVCAS_DUCKDB_PATH")
    os.environ["CIVCAS_DUCKDB_PATH"] = str(duckdb_path)
    try:
        return dbtRunner().invoke(
            [
                *args,
                "--project-dir", str(project_dir),
                "--profiles-dir", str(project_dir),
                "--target-path", str(target_path),
                "--log-path", str(target_path / "logs"),
                "--quiet",
            ]
        )
    finally:
        _release_duckdb_handle()
        if previous is None:
            os.environ.pop("CIVCAS_DUCKDB_PATH", None)
        else:
            os.environ["CIVCAS_DUCKDB_PATH"] = previous


def _release_duckdb_handle() -> None:
    """dbt-duckdb keeps its DuckDB database open in-process after a run; close it so
    that the tests (or the next run) can open the file with another configuration."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = DuckDBConnectionManager._ENV
    if environment is not None and hasattr(environment, "close"):
        environment.close()
    DuckDBConnectionManager.close_all_connections()


# `make test` has just built the demo (dbt build, every node passed) when it runs pytest: it names
# that build here, and the session copies it instead of building the demo a second time.
SHARED_BUILD_VARIABLE = "CIVCAS_TEST_DEMO_BUILD"
BUILD_ARTIFACTS = ("manifest.json", "run_results.json", "semantic_manifest.json", "graph.gpickle", "graph_summary.json",
                   "compiled", "run")


@dataclass(frozen=True)
class RecordedNode:
    unique_id: str
    resource_type: str


@dataclass(frozen=True)
class RecordedResult:
    node: RecordedNode
    status: str
    message: str | None


@dataclass(frozen=True)
class RecordedRun:
    """A dbt run read back from its run_results.json, in the shape of dbt's own result."""

    result: list[RecordedResult]
    success: bool
    exception: None = None


def read_run_results(path: Path) -> RecordedRun:
    results = [RecordedResult(RecordedNode(item["unique_id"], item["unique_id"].split(".")[0]), item["status"],
                              item.get("message"))
               for item in json.loads(path.read_text(encoding="utf-8"))["results"]]
    return RecordedRun(results, success=all(r.status not in ("error", "fail", "runtime error") for r in results))


def _shared_demo_build(workdir: Path) -> tuple[RecordedRun, Path] | None:
    """The demo build `make test` made (CIVCAS_TEST_DEMO_BUILD=<duckdb file>:<its target folder>),
    copied into `workdir` as civcas.duckdb and target/; None when there is none to share."""
    named = os.environ.get(SHARED_BUILD_VARIABLE)
    if not named:
        return None
    duckdb_file, _, target = named.partition(":")
    source, source_target = PROJECT_DIR / duckdb_file, PROJECT_DIR / target
    run_results = source_target / "run_results.json"
    # the compiled SQL names the catalog, the file's name: only a civcas.duckdb can stand in
    if source.name != "civcas.duckdb" or not source.is_file() or not run_results.is_file():
        return None
    recorded = read_run_results(run_results)
    if not any(r.node.resource_type == "unit_test" for r in recorded.result):
        return None  # not a full build of the demo
    shutil.copy(source, workdir / "civcas.duckdb")
    # what a build writes into a new target folder, not what earlier commands left there
    (workdir / "target").mkdir()
    for name in BUILD_ARTIFACTS:
        path = source_target / name
        if path.is_dir():
            shutil.copytree(path, workdir / "target" / name)
        elif path.is_file():
            shutil.copy(path, workdir / "target" / name)
    return recorded, workdir / "civcas.duckdb"


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory):
    """`dbt build` of the committed demo dataset; the run result is kept for inspection. Under
    make test, the build make test has just made (a copy of it)."""
    workdir = tmp_path_factory.mktemp("demo_build")
    shared = _shared_demo_build(workdir)
    if shared is not None:
        return shared
    duckdb_path = workdir / "civcas.duckdb"
    result = run_dbt(["build"], PROJECT_DIR, duckdb_path, workdir / "target")
    return result, duckdb_path


@pytest.fixture(scope="session")
def manifest(demo_build) -> dict:
    """dbt's manifest from the session build."""
    _, duckdb_path = demo_build
    return json.loads((duckdb_path.parent / "target" / "manifest.json").read_text())


@pytest.fixture(scope="session")
def warehouse(demo_build) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the built demo warehouse."""
    result, duckdb_path = demo_build
    if not duckdb_path.exists():
        pytest.fail(f"dbt build wrote no warehouse: {result.exception}")
    connection = duckdb.connect(str(duckdb_path), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def query(warehouse):
    """query(sql) -> pandas DataFrame."""

    def run(sql: str) -> pd.DataFrame:
        return warehouse.sql(sql).df()

    return run


def copy_project(destination: Path) -> Path:
    """A copy of the dbt project (its files dbt reads, no Python tests) at `destination`."""
    destination.mkdir()
    for name in ["dbt_project.yml", "profiles.yml"]:
        shutil.copy(PROJECT_DIR / name, destination / name)
    for name in ["models", "macros", "seeds", "tests", "analyses"]:
        shutil.copytree(PROJECT_DIR / name, destination / name, ignore=shutil.ignore_patterns("python"))
    return destination


@pytest.fixture()
def project_copy(tmp_path: Path) -> Path:
    """A throw-away copy of the dbt project, for tests that damage its raw files."""
    return copy_project(tmp_path / "project")


_SESSION_STARTED = [0.0]


def pytest_sessionstart(session) -> None:
    import time

    _SESSION_STARTED[0] = time.time()


def pytest_terminal_summary(terminalreporter) -> None:
    """Show the bad-input corpus's classification when this run wrote it (test_bad_input_corpus.py)."""
    report = PROJECT_DIR / "reports" / "bad_input_corpus.txt"
    if report.exists() and report.stat().st_mtime >= _SESSION_STARTED[0]:
        terminalreporter.section("bad-input corpus")
        terminalreporter.write_line(report.read_text(encoding="utf-8"))


def start_paused(command: list[str], stage: str, folder: Path, **environment: str) -> subprocess.Popen:
    """Start ``command`` (a publish or release) with CIVCAS_PAUSE_AT=stage and wait until it is
    paused there (civcas/faults.py writes the flag file), so that a test can kill it at that stage."""
    from civcas.faults import PAUSE_FLAG_VARIABLE, PAUSE_VARIABLE

    flag = folder / f"paused-{stage}"
    flag.unlink(missing_ok=True)
    process = subprocess.Popen(command, cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "DO_NOT_TRACK": "1", PAUSE_VARIABLE: stage,
                                    PAUSE_FLAG_VARIABLE: str(flag), **environment})
    deadline = time.monotonic() + 600
    while not flag.exists():
        if process.poll() is not None:
            raise AssertionError(f"the run ended before {stage}: {process.stderr.read()}")
        assert time.monotonic() < deadline, f"the run never reached {stage}"
        time.sleep(0.1)
    return process
