"""A newcomer's first hour (issue 17): a plain `dbt build` in a fresh clone works (the warehouse
folder is created), a misspelt var stops the run at once with one line naming the closest known
var (macros/vars.sql), every var the project reads is declared in dbt_project.yml, and `make help`
documents every variable a user may set."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import PROJECT_DIR, copy_project

from civcas.duckdb_plugin import create_database_folder

DBT = str(Path(sys.executable).parent / "dbt")


def _dbt(args: list[str], project: Path, tmp_path: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    """`dbt <args>` as a newcomer types it, in `project` (the working directory)."""
    env = {key: value for key, value in os.environ.items() if key != "CIVCAS_DUCKDB_PATH"}
    env.update({"DO_NOT_TRACK": "1", **environment})
    return subprocess.run([DBT, *args, "--profiles-dir", ".", "--project-dir", ".",
                           "--log-path", str(tmp_path / "logs")],
                          cwd=project, capture_output=True, text=True, env=env, check=False, timeout=900)


def _declared_vars() -> set[str]:
    return set(yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"])


def test_every_var_the_project_reads_is_declared_in_dbt_project_yml() -> None:
    """The known vars of check_cli_vars are dbt_project.yml's: a var read but not declared there
    would be refused on the command line."""
    pattern = re.compile(r"""\bvar\(\s*['"]([A-Za-z0-9_]+)['"]""")
    read: dict[str, str] = {}
    for folder in ("models", "macros", "tests", "analyses", "seeds"):
        for path in (PROJECT_DIR / folder).rglob("*"):
            if path.suffix in (".sql", ".yml") and path.is_file():
                for name in pattern.findall(path.read_text(encoding="utf-8")):
                    read.setdefault(name, str(path.relative_to(PROJECT_DIR)))
    assert read, "no var() found: the pattern is broken"
    undeclared = {name: where for name, where in read.items() if name not in _declared_vars()}
    assert not undeclared, f"vars read but not declared in dbt_project.yml vars: {undeclared}"


@pytest.mark.parametrize(("dbt_vars", "closest"), [
    ("{civcas_first_mnth: 2017-01-01}", "civcas_first_month"),  # the example
    ("{first_month: 2017-01-01}", "civcas_first_month"),  # the prefix left out
    ("{civcas_widest_gap_topn: 5}", "civcas_widest_gap_top_n"),  # a saved analysis's var
])
def test_a_misspelt_var_stops_at_once_with_one_line_naming_the_closest(dbt_vars: str, closest: str,
                                                                       tmp_path: Path) -> None:
    result = _dbt(["parse", "--target-path", str(tmp_path / "target"), "--vars", dbt_vars], PROJECT_DIR, tmp_path,
                  CIVCAS_DUCKDB_PATH=str(tmp_path / "p.duckdb"))
    output = result.stdout + result.stderr
    name = dbt_vars.strip("{}").split(":")[0]
    assert result.returncode != 0, output[-2000:]
    lines = [line.strip() for line in output.splitlines() if f"var {name} is not a civcas var" in line]
    assert lines == [f"var {name} is not a civcas var; did you mean {closest}? "
                     "(the vars are listed in dbt_project.yml, vars:)"], output[-2000:]
    assert "Traceback" not in output
    assert not (tmp_path / "target" / "manifest.json").exists(), "the parse went on after the bad var"


def test_a_plain_dbt_build_in_a_fresh_clone_creates_the_warehouse_folder(tmp_path: Path) -> None:
    """No warehouse/ (git ignores it), no CIVCAS_DUCKDB_PATH: `dbt build` writes
    warehouse/civcas.duckdb. Known vars, and a var that is not civcas's (a package's, say), pass."""
    project = copy_project(tmp_path / "clone")
    assert not (project / "warehouse").exists()
    result = _dbt(["build", "--select", "+dim_datasets", "--indirect-selection", "cautious",
                   "--vars", "{civcas_run_date: 2026-01-01, some_package_setting: 3}"], project, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert (project / "warehouse" / "civcas.duckdb").is_file()


def test_the_database_folder_is_made_only_for_a_file(tmp_path: Path) -> None:
    nested = tmp_path / "a" / "b" / "civcas.duckdb"
    assert create_database_folder(str(nested)) == nested.parent
    assert nested.parent.is_dir()
    assert create_database_folder(str(nested)) is None  # already there
    for address in (":memory:", "md:civcas", "s3://bucket/civcas.duckdb", ""):
        assert create_database_folder(address) is None


def _make_help() -> str:
    return subprocess.run(["make", "--no-print-directory", "help"], cwd=PROJECT_DIR, capture_output=True, text=True,
                          check=True).stdout


def test_make_help_lists_every_target_and_every_variable_a_user_may_set() -> None:
    makefile = (PROJECT_DIR / "Makefile").read_text(encoding="utf-8")
    settable = set(re.findall(r"^(?:export\s+)?([A-Z][A-Z0-9_]*)\s*\?=", makefile, flags=re.MULTILINE))
    # read through $(if $(NAME),...) and never assigned: set only on the command line (FORCE=1)
    internal = set(re.findall(r"^(?:export\s+)?([A-Z][A-Z0-9_]*)\s*:?=", makefile, flags=re.MULTILINE))
    settable |= set(re.findall(r"\$\(if \$\(([A-Z][A-Z0-9_]*)\)", makefile)) - internal
    targets = set(re.findall(r"^([a-z][a-z-]*):.*## ", makefile, flags=re.MULTILINE))
    assert {"CIVCAS_DUCKDB_PATH", "AS_OF", "N", "SIZES", "ENGINES", "ARCHIVE"} <= settable  # the parsing works
    listed = _make_help()
    variables = {line.split()[0] for line in listed.split("Variables")[1].splitlines()[1:] if line.strip()}
    assert not settable - variables, f"variables make help does not list: {sorted(settable - variables)}"
    shown = set(re.findall(r"^  make (\S+)", listed, flags=re.MULTILINE))
    assert targets == shown, f"targets missing from make help: {sorted(targets - shown)}"
    for line in listed.splitlines():
        assert len(line.split()) >= 2, f"a line of make help says nothing: {line!r}"


def test_make_test_s_build_stands_in_for_the_session_build_only_when_it_is_a_full_demo_build(tmp_path: Path,
                                                                                               monkeypatch) -> None:
    """conftest.demo_build copies the build make test made (CIVCAS_TEST_DEMO_BUILD) and reads its
    run_results.json back: a failed node fails test_warehouse as dbt's own result would."""
    from conftest import SHARED_BUILD_VARIABLE, _shared_demo_build

    build, target = tmp_path / "warehouse" / "civcas.duckdb", tmp_path / "target"
    build.parent.mkdir()
    build.write_bytes(b"not really a database")
    (target / "sqlfluff").mkdir(parents=True)
    results = [{"unique_id": "unit_test.civcas.m.t", "status": "pass", "message": None},
               {"unique_id": "model.civcas.m", "status": "error", "message": "boom"}]
    (target / "run_results.json").write_text(json.dumps({"results": results}), encoding="utf-8")
    monkeypatch.delenv(SHARED_BUILD_VARIABLE, raising=False)
    assert _shared_demo_build(tmp_path / "none") is None
    monkeypatch.setenv(SHARED_BUILD_VARIABLE, f"{build}:{target}")
    (tmp_path / "copy").mkdir()
    recorded, copy = _shared_demo_build(tmp_path / "copy")
    assert copy.read_bytes() == build.read_bytes()
    assert not (tmp_path / "copy" / "target" / "sqlfluff").exists()
    assert [(r.node.resource_type, r.status) for r in recorded.result] == [("unit_test", "pass"), ("model", "error")]
    assert not recorded.success
    # a build without unit tests (a selection, the archive) is not the session's build
    (target / "run_results.json").write_text(json.dumps({"results": results[1:]}), encoding="utf-8")
    (tmp_path / "again").mkdir()
    assert _shared_demo_build(tmp_path / "again") is None
