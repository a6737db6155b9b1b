"""civcas benchmark: one tiny run end to end (a slice of the DAG, so it stays fast), plus the pure parts.

The timings themselves are never asserted (they depend on the machine): the run must finish, every
section must be in the report with plausible values, the slowest nodes must be real nodes, the floor
must have built what dbt built, and the DuckDB settings asked for must be the ones the floor used.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from civcas.benchmark import (
    TARGETS,
    BenchmarkUsageError,
    evaluate_targets,
    failed_nodes,
    floor_order,
    floor_statement,
    growth,
    linking_nodes,
    node_layer,
    parse_size,
    parse_sizes,
    slowest_nodes,
)

PROJECT_DIR = Path(__file__).resolve().parents[2]
TINY = 2000
# Seeds, the staging of claims (a view, incremental later) and its tests: every kind of floor statement.
SELECTION = "+stg_monitor__claims"


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path, Path]:
    root = tmp_path_factory.mktemp("benchmark")
    out, work = root / "reports", root / "work"
    environment = {**os.environ, "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    finished = subprocess.run(
        [sys.executable, "-m", "civcas", "benchmark", "--sizes", str(TINY), "--select", SELECTION,
         "--memory-limit", "1GB", "--threads", "1", "--data-dir", str(root / "data"), "--work-dir", str(work),
         "--out", str(out), "--project-dir", str(PROJECT_DIR)],
        cwd=PROJECT_DIR, env=environment, capture_output=True, text=True, timeout=600,
    )
    return finished, out, work


def test_tiny_benchmark_runs_and_reports_every_section(tiny_run) -> None:
    finished, out, _ = tiny_run
    assert finished.returncode == 0, finished.stderr[-3000:]
    text = (out / "benchmark.txt").read_text(encoding="utf-8")
    assert text in finished.stdout
    for section in ("full build: wall time", "full build: peak RSS", "floor: DuckDB alone", "dbt / floor",
                    "incremental: wall time", "growth: full build / previous size", "five slowest nodes, full build",
                    "targets (issue 14", "node-seconds per layer", "CPU-s", "DuckDB memory_limit 1GB, threads 1",
                    "machine:", "versions:"):
        assert section in text, section
    assert f"{TINY:,} claims" in text
    # Progress goes to stderr, not into the table.
    assert "full build" in finished.stderr and "benchmark:" not in finished.stdout.split("report written")[0]


def test_tiny_benchmark_numbers_are_plausible(tiny_run) -> None:
    finished, out, work = tiny_run
    assert finished.returncode == 0, finished.stderr[-3000:]
    report = json.loads((out / "benchmark.json").read_text(encoding="utf-8"))
    size = report["sizes"][str(TINY)]

    assert size["data"]["raw_claims_rows"] >= TINY
    assert 0 < size["data"]["base_claims_rows"] < size["data"]["raw_claims_rows"]
    assert len(size["data"]["held_out_days"]) == 1
    for phase in ("full_build", "incremental"):
        assert size[phase]["wall_seconds"] > 0
        # dbt and DuckDB do work: some CPU, and on these cores no more than threads x wall (plus start-up)
        assert 0 < size[phase]["cpu_seconds"] <= 4 * size[phase]["wall_seconds"] + 5
        # every node run is counted in exactly one layer
        layers = size[phase]["layers"]
        assert sum(layer["nodes"] for layer in layers.values()) == size[phase]["nodes"]
        assert layers["staging"]["nodes"] > 0 and layers["tests"]["nodes"] > 0
        assert size[phase]["dbt_elapsed_seconds"] > 0
        assert size[phase]["wall_seconds"] >= size[phase]["dbt_elapsed_seconds"]
        # A Python process running dbt and DuckDB takes tens of MB at least, and far less than the machine.
        assert 30 * 2**20 < size[phase]["peak_rss_bytes"] < report["machine"]["memory_bytes"]

    manifest = json.loads((work / str(TINY) / "artifacts" / "full_manifest.json").read_text(encoding="utf-8"))
    slowest = size["full_build"]["slowest"]
    assert len(slowest) == 5
    assert [n["seconds"] for n in slowest] == sorted((n["seconds"] for n in slowest), reverse=True)
    for node in slowest:
        assert node["unique_id"] in manifest["nodes"]
        assert manifest["nodes"][node["unique_id"]]["name"] == node["name"]
        assert node["floor_seconds"] is not None and node["floor_seconds"] >= 0

    floor = size["floor"]
    assert floor["seconds"] > 0 and size["dbt_to_floor_ratio"] > 0
    assert floor["statements"]["seed"] > 0 and floor["statements"]["model"] > 0 and floor["statements"]["test"] > 0
    # One floor statement per seed, model and test dbt ran.
    ran = size["full_build"]["nodes_by_type"]
    assert floor["statements"] == {"seed": ran["seed"], "model": ran["model"], "test": ran["test"]}
    assert floor["row_count_mismatches"] == [] and floor["tests_returning_rows"] == []
    assert floor["tables_compared"] >= floor["statements"]["seed"]
    # The settings asked for are the ones DuckDB ran with (1GB is shown as about 953 MiB).
    assert str(floor["duckdb_settings"]["threads"]) == "1"
    assert "MiB" in floor["duckdb_settings"]["memory_limit"]

    assert report["settings"] == {**report["settings"], "memory_limit": "1GB", "duckdb_threads": 1, "select": SELECTION}
    assert report["machine"]["duckdb"] == duckdb.__version__
    # The commit is None outside a git checkout (a release tarball); the key is always there.
    assert report["machine"]["cores"] >= 1 and "git_commit" in report["machine"]
    assert {t["key"] for t in report["targets"]} == {t.key for t in TARGETS}
    assert all(t["status"] == "not comparable (part of the DAG)" for t in report["targets"])
    # The large files are removed after the run unless --keep; the logs stay.
    assert not (work / str(TINY) / "dbt").exists()
    assert (work / str(TINY) / "logs" / "dbt.log").is_file()


def test_sizes_accept_short_forms() -> None:
    assert parse_size("100k") == 100_000
    assert parse_size("1m") == 1_000_000
    assert parse_size("10M") == 10_000_000
    assert parse_size("1_000_000") == 1_000_000
    assert parse_sizes("10m, 100k,1m,100000") == (100_000, 1_000_000, 10_000_000)
    for bad in ("ten", "1.5k7", "0.0001k", "", "20m", "100"):
        with pytest.raises(BenchmarkUsageError):
            parse_sizes(bad)


def test_failed_nodes_name_the_node() -> None:
    results = {"results": [
        {"unique_id": "model.civcas.a", "status": "success", "message": "OK"},
        {"unique_id": "model.civcas.b", "status": "error", "message": "Catalog Error: no table x"},
        {"unique_id": "test.civcas.c", "status": "fail", "message": "Got 3 results"},
        {"unique_id": "model.civcas.d", "status": "skipped", "message": None},
    ]}
    assert failed_nodes(results) == ["model.civcas.b: Catalog Error: no table x", "test.civcas.c: Got 3 results"]


def _node(uid: str, kind: str, deps: list[str], materialized: str = "table") -> dict:
    return {"unique_id": uid, "name": uid.split(".")[-1], "resource_type": kind, "config": {"materialized": materialized},
            "depends_on": {"nodes": deps}, "compiled_code": "select 1 as x -- trailing comment",
            "relation_name": f'"civcas"."main"."{uid.split(".")[-1]}"'}


def test_floor_order_follows_dependencies_and_statements_match_materialization() -> None:
    nodes = {n["unique_id"]: n for n in [
        _node("model.p.c", "model", ["model.p.b"]),
        _node("test.p.t_b", "test", ["model.p.b"], "test"),
        _node("model.p.b", "model", ["seed.p.a", "model.p.e"], "view"),
        _node("seed.p.a", "seed", [], "seed"),
        _node("model.p.e", "model", [], "ephemeral"),
    ]}
    order = floor_order({"nodes": nodes}, ["model.p.c", "test.p.t_b", "model.p.b", "seed.p.a", "model.p.e",
                                           "exposure.p.x"])
    assert order.index("seed.p.a") < order.index("model.p.b") < order.index("test.p.t_b") < order.index("model.p.c")
    assert order.index("model.p.e") < order.index("model.p.b")
    assert floor_statement(nodes["model.p.e"]) == ("model", None)
    kind, view_sql = floor_statement(nodes["model.p.b"])
    assert view_sql.startswith('create or replace view "civcas"."main"."b" as')
    kind, test_sql = floor_statement(nodes["test.p.t_b"])
    # The compiled SQL's trailing comment must not swallow the closing parenthesis.
    assert duckdb.sql(test_sql).fetchone() == (1,)


def test_slowest_growth_and_targets() -> None:
    manifest = {"nodes": {f"model.p.m{i}": _node(f"model.p.m{i}", "model", []) for i in range(7)}}
    results = {"results": [{"unique_id": f"model.p.m{i}", "execution_time": float(i)} for i in range(7)]
                           + [{"unique_id": "exposure.p.x", "execution_time": 99.0}]}
    assert [n["name"] for n in slowest_nodes(results, manifest)] == ["m6", "m5", "m4", "m3", "m2"]

    def size(full: float, rss: int, incremental: float, ratio: float) -> dict:
        return {"full_build": {"wall_seconds": full, "peak_rss_bytes": rss}, "incremental": {"wall_seconds": incremental},
                "dbt_to_floor_ratio": ratio}

    sizes = {1_000_000: size(40.0, 2**30, 12.0, 1.1), 10_000_000: size(460.0, 6 * 2**30, 14.0, 1.3)}
    assert growth(sizes) == [{"from": 1_000_000, "to": 10_000_000, "claims_ratio": 10.0, "time_ratio": 11.5}]
    status = {t["key"]: t["status"] for t in evaluate_targets(sizes, partial=False)}
    assert status == {"full_build_seconds_10m": "met", "full_build_peak_rss_bytes_10m": "missed",
                      "full_build_seconds_1m": "met", "growth_10m_over_1m": "missed",
                      "incremental_seconds_10m": "met", "incremental_seconds_1m": "missed"}
    only_small = {t["key"]: t["status"] for t in evaluate_targets({1_000_000: sizes[1_000_000]}, partial=False)}
    assert only_small == {"full_build_seconds_10m": "not run", "full_build_peak_rss_bytes_10m": "not run",
                          "full_build_seconds_1m": "met", "growth_10m_over_1m": "not run",
                          "incremental_seconds_10m": "not run", "incremental_seconds_1m": "missed"}


def test_linking_nodes_are_the_models_between_validated_claims_and_fct_claims() -> None:
    # validated -> linked -> pairs -> fct_claims; validated -> quarantine (not on a path to fct_claims);
    # records -> linked (not reached from validated)
    edges = {"int_claims_validated": ["int_claims_linked", "fct_quarantined_rows"],
             "int_linking_records": ["int_claims_linked"], "int_claims_linked": ["int_claim_pairs", "fct_claims"],
             "int_claim_pairs": ["fct_claims"], "fct_claims": [], "fct_quarantined_rows": []}
    uid = {name: f"model.p.{name}" for name in edges}
    manifest = {"nodes": {uid[name]: _node(uid[name], "model", []) for name in edges},
                "child_map": {uid[name]: [uid[child] for child in children] for name, children in edges.items()},
                "parent_map": {uid[name]: [uid[parent] for parent, children in edges.items() if name in children]
                               for name in edges}}
    results = {"results": [{"unique_id": uid[name], "execution_time": float(i + 1)} for i, name in enumerate(edges)]}
    linking = linking_nodes(results, manifest)
    assert [node["name"] for node in linking["nodes"]] == ["int_claim_pairs", "int_claims_linked"]
    assert linking["seconds"] == 4.0 + 3.0


def test_nodes_fall_in_their_layer() -> None:
    def node(name: str, kind: str, path: str) -> dict:
        return {"unique_id": f"{kind}.p.{name}", "name": name, "resource_type": kind, "original_file_path": path}

    linking = {"model.p.int_claims_linked"}
    assert node_layer(node("ref_x", "seed", "seeds/ref_x.csv"), linking) == "seeds"
    assert node_layer(node("not_null_x", "test", "models/x.yml"), linking) == "tests"
    assert node_layer(node("stg_monitor__claims", "model", "models/staging/stg_monitor__claims.sql"), linking) == "staging"
    assert node_layer(node("int_claims_validated", "model", "models/intermediate/a.sql"), linking) == "validation"
    assert node_layer(node("int_claims_linked", "model", "models/intermediate/b.sql"), linking) == "linking"
    assert node_layer(node("int_reference_date", "model", "models/intermediate/c.sql"), linking) == "intermediate"
    assert node_layer(node("fct_claims", "model", "models/marts/fct_claims.sql"), linking) == "marts"
    assert node_layer(node("monthly", "model", "models/exports/monthly.sql"), linking) == "exports"
    assert node_layer(node("an", "analysis", "analyses/an.sql"), linking) is None
