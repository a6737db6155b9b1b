"""civcas benchmark-engines: the measurement on known child processes, the options, the data folder
and the report. The builds themselves are slow and are never run here (make benchmark-engines)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from civcas.engine_benchmark import (
    DEMO,
    EngineBenchmarkError,
    backend_database,
    empty_ledger_tables,
    find_scale_folder,
    format_report,
    nodes_finished,
    parse_engines,
    parse_sizes,
    process_tree,
    rss_bytes,
    run_build,
    size_label,
)
from civcas.raw_contract import LEDGER_TABLES, load_raw_contract

PROJECT_DIR = Path(__file__).resolve().parents[2]
MIB = 2**20


def _holder(mib: int) -> str:
    return (f"import subprocess, sys, time\nblock = bytearray({mib} * 2**20)\n"
            "block[::4096] = b'x' * len(block[::4096])\n"
            "if len(sys.argv) == 1:\n    subprocess.Popen([sys.executable, __file__, 'child'])\n"
            "time.sleep(60)\n")


def test_process_tree_sums_the_rss_of_a_child_and_its_grandchild(tmp_path):
    script = tmp_path / "holder.py"
    script.write_text(_holder(120))
    process = subprocess.Popen([sys.executable, str(script)])
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            tree = process_tree(process.pid)
            if len(tree) == 2 and rss_bytes(tree) >= 240 * MIB:
                break
            time.sleep(0.2)
        assert len(tree) == 2, tree
        assert process.pid in tree
        assert rss_bytes(tree) >= 240 * MIB  # both processes' blocks
        assert rss_bytes(tree[:1]) < rss_bytes(tree)
    finally:
        for pid in process_tree(process.pid)[::-1]:
            subprocess.run(["kill", "-9", str(pid)], check=False)
        process.wait()


BURNER = (
    "import subprocess, sys\n"
    "if len(sys.argv) == 1:\n"
    "    subprocess.Popen([sys.executable, sys.argv[0], 'burn'])\n"  # not waited for: orphaned at exit
    "    raise SystemExit(3)\n"
    "import time\n"
    "end = time.process_time() + 1.5\n"
    "while time.process_time() < end:\n"
    "    pass\n"
)


def test_run_build_counts_an_orphaned_grandchild_as_the_server(tmp_path):
    script = tmp_path / "burner.py"
    script.write_text(BURNER)
    run = run_build([sys.executable, str(script)], env={"PATH": "/usr/bin:/bin"}, cwd=tmp_path,
                    log=tmp_path / "burner.out", split_root=True)
    assert run.returncode == 3
    assert not run.timed_out
    assert run.server_cpu_seconds is not None and run.server_cpu_seconds >= 1.3  # the orphan, reaped here
    assert run.client_cpu_seconds < 1.3
    assert run.peak_server_rss_bytes is not None


def test_run_build_measures_a_client_holding_memory(tmp_path):
    command = [sys.executable, "-c", "b = bytearray(300 * 2**20); b[::4096] = b'x' * len(b[::4096]); "
               "import time; time.sleep(1.5)"]
    run = run_build(command, env={}, cwd=tmp_path, log=tmp_path / "hold.out")
    assert run.returncode == 0
    assert run.peak_rss_bytes >= 300 * MIB
    assert run.peak_client_rss_bytes >= 300 * MIB
    assert run.server_cpu_seconds is None and run.peak_server_rss_bytes is None


def test_run_build_stops_a_build_at_its_timeout(tmp_path):
    started = time.monotonic()
    run = run_build(["sleep", "60"], env={"PATH": "/usr/bin:/bin"}, cwd=tmp_path, log=tmp_path / "sleep.out",
                    timeout=1.0)
    assert run.timed_out
    assert run.returncode != 0
    assert time.monotonic() - started < 30


@pytest.mark.parametrize(("title", "database"), [
    ("postgres: 15/main: civcas civcas_bench 127.0.0.1(51234) idle", "civcas_bench"),
    ("postgres: civcas other [local] SELECT", "other"),
    ("postgres: 15/main: checkpointer ", None),
    ("postgres: 15/main: autovacuum launcher ", None),
    ("/usr/lib/postgresql/15/bin/postgres\0-D\0/var/lib/postgresql/15/main", None),
])
def test_backend_database_reads_the_process_title(title, database):
    assert backend_database(title) == database


def test_sizes_and_engines_are_parsed_and_checked():
    assert parse_sizes("1m,demo,100k,1000000") == (DEMO, 100_000, 1_000_000)
    assert parse_engines("spark, duckdb") == ("duckdb", "spark")
    assert [size_label(size) for size in (DEMO, 100_000, 1_000_000, 1234)] == ["demo", "100k", "1m", "1234"]
    for bad in ("", "lots", "100"):
        with pytest.raises(EngineBenchmarkError):
            parse_sizes(bad)
    for bad in ("", "oracle", "duckdb,sqlite"):
        with pytest.raises(EngineBenchmarkError):
            parse_engines(bad)


def test_find_scale_folder_takes_either_layout_with_a_matching_manifest(tmp_path):
    (tmp_path / "1000" / "raw").mkdir(parents=True)
    (tmp_path / "1000" / "raw" / "_scale_manifest.json").write_text(json.dumps({"claims_requested": 1000}))
    (tmp_path / "2000").mkdir()
    (tmp_path / "2000" / "_scale_manifest.json").write_text(json.dumps({"claims_requested": 2000}))
    (tmp_path / "3000").mkdir()
    (tmp_path / "3000" / "_scale_manifest.json").write_text(json.dumps({"claims_requested": 999}))
    assert find_scale_folder(tmp_path, 1000) == tmp_path / "1000" / "raw"
    assert find_scale_folder(tmp_path, 2000) == tmp_path / "2000"
    assert find_scale_folder(tmp_path, 3000) is None
    assert find_scale_folder(tmp_path, 4000) is None


def test_missing_ledger_tables_are_written_empty_with_the_contract_columns(tmp_path):
    contract = load_raw_contract(PROJECT_DIR)
    assert empty_ledger_tables(tmp_path, contract) == list(LEDGER_TABLES)
    for table in LEDGER_TABLES:
        written = pq.read_table(tmp_path / f"{table}.parquet")
        assert written.num_rows == 0
        assert written.column_names == contract[table]
        assert all(str(kind) == "string" for kind in written.schema.types)
    assert empty_ledger_tables(tmp_path, contract) == []  # present now: left alone


def test_nodes_finished_counts_dbt_progress_lines(tmp_path):
    log = tmp_path / "build.out"
    log.write_text("1 of 9 START sql view model main.a\n1 of 9 OK created sql view model main.a\n"
                   "2 of 9 PASS not_null_a\n3 of 9 START sql table model main.b\n")
    assert nodes_finished(log) == "2 of 9 nodes finished"
    log.write_text("Running with dbt\n")
    assert nodes_finished(log) == "no node finished"


def _run(engine: str, size: str, **build: object) -> dict:
    return {"engine": engine, "size": size, "raw_claims_rows": 1_000_000, "fct_claims_rows": 990_000,
            "passed": build.pop("passed", True), "build": {"wall_seconds": 123.4, "client_cpu_seconds": 20.0,
                                                           "server_cpu_seconds": None, "peak_rss_bytes": 2 * 2**30,
                                                           "peak_client_rss_bytes": 2 * 2**30,
                                                           "peak_server_rss_bytes": None, "peak_pss_bytes": 2**30,
                                                           "timed_out": False, **build}}


def test_the_report_has_a_row_per_build_with_client_and_server_apart():
    report = {
        "machine": {"date_utc": "2026-12-06 18:00 UTC", "cores": 2, "load_average_at_start": [1.5, 1.0, 0.5]},
        "runs": [
            _run("duckdb", "1m"),
            _run("postgres", "1m", server_cpu_seconds=456.0, peak_server_rss_bytes=512 * MIB,
                 peak_client_rss_bytes=200 * MIB),
            {**_run("spark", "1m", timed_out=True, server_cpu_seconds=5000.0, peak_server_rss_bytes=6 * 2**30,
                    passed=False), "error": "stopped after the timeout of 2700 s"},
        ],
    }
    text = format_report(report)
    rows = [line for line in text.splitlines() if line.startswith("| 1m |")]
    assert len(rows) == 3
    assert "| duckdb | 1,000,000 | 990,000 | passed | 123 | 20.0 | 2.00 GiB |" in rows[0]
    assert "| 20.0 + 456 | " in rows[1] and "(200 MiB + 0.50 GiB)" in rows[1]
    assert "| timed out |" in rows[2] and "20.0 + 5,000" in rows[2]
    assert "load average at start 1.5 1.0 0.5" in text
    assert "stopped after the timeout of 2700 s" in text


def test_run_build_leaves_the_callers_other_children_alone(tmp_path):
    # pytest has children of its own (multiprocessing's resource tracker): reaping the build's
    # orphans must neither wait for them (a hang) nor reap them. Run in a child with a deadline.
    script = tmp_path / "caller.py"
    script.write_text(
        "import subprocess, sys\nfrom pathlib import Path\nfrom civcas.engine_benchmark import run_build\n"
        "other = subprocess.Popen(['sleep', '60'])\n"
        f"burner = Path({str(tmp_path / 'burner.py')!r})\nburner.write_text({BURNER!r})\n"
        "run = run_build([sys.executable, str(burner)], env={'PATH': '/usr/bin:/bin'}, cwd=burner.parent,\n"
        "                log=burner.with_suffix('.out'), split_root=True)\n"
        "print(other.poll() is None, run.server_cpu_seconds > 1.0)\nother.kill()\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]
