"""A release of a period (issue 17): the demo built with the month vars of an odd window
(November 2016 to March 2017, across a year end) passes every dbt test, its monthly exports hold
exactly the months of the window and add up to the incidents of those months; `civcas release`
releases it with the vars the build ran with, refuses it for another period with the command to
run, and refuses run results that are not of one complete build of that warehouse (a later
`dbt run -s <one model> --vars ...`)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, run_dbt

from civcas import cli

FIRST, LAST = "2016-11-01", "2017-03-01"
WINDOW = [dt.date(2016, 11, 1), dt.date(2016, 12, 1), dt.date(2017, 1, 1), dt.date(2017, 2, 1), dt.date(2017, 3, 1)]
MONTHLY_EXPORTS = ("export_monthly_belligerent_summary", "export_grade_summary", "export_admitted_vs_alleged",
                   "export_monthly_coalition_vs_russia")


@pytest.fixture(scope="module")
def window_build(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("window_build")
    warehouse, target = folder / "civcas.duckdb", folder / "target"
    result = run_dbt(["build", "--full-refresh", "--vars", f"{{civcas_first_month: {FIRST}, civcas_last_month: {LAST}}}"],
                     PROJECT_DIR, warehouse, target)
    failed = [r.node.name for r in (result.result or []) if r.status in ("error", "fail")]
    assert result.success, f"dbt build of {FIRST}..{LAST} failed: {failed or result.exception}"
    return warehouse, target


def _release(warehouse: Path, target: Path, out: Path, *extra: str) -> int:
    return cli.main(["release", "--project-dir", str(PROJECT_DIR), "--warehouse", str(warehouse),
                     "--dbt-target", str(target), "--out", str(out), *extra])


def test_monthly_exports_hold_the_window_and_add_up_to_its_incidents(window_build):
    with duckdb.connect(str(window_build[0]), read_only=True) as connection:
        for export in MONTHLY_EXPORTS:
            months = [r[0] for r in connection.execute(
                f"select distinct month from exports.{export} order by month").fetchall()]
            assert months == WINDOW, export
        public = connection.execute(
            "select min(incident_month), max(incident_month) from exports.export_public_incidents").fetchone()
        assert WINDOW[0] <= public[0] and public[1] <= WINDOW[-1]
        # Per belligerent, the monthly export against the incidents of the window, summed here.
        by_month = dict(connection.execute(
            "select belligerent_id || ':' || alleged, total from (select belligerent_id, "
            "unnest(['incidents', 'killed_max', 'likely']) as alleged, unnest([sum(alleged_incidents), "
            "sum(alleged_killed_max), sum(likely_incidents)]) as total "
            "from exports.export_monthly_belligerent_summary group by belligerent_id)").fetchall())
        by_incident = dict(connection.execute(
            "select belligerent_id || ':' || alleged, total from (select belligerent_id, "
            "unnest(['incidents', 'killed_max', 'likely']) as alleged, unnest([count(*), "
            "coalesce(sum(civilians_killed_max), 0), sum(case when is_likely_for_belligerent then 1 else 0 end)]) "
            "as total from main.fct_incident_belligerents where is_civilian_harm_reported "
            f"and incident_month between date '{FIRST}' and date '{LAST}' group by belligerent_id)").fetchall())
        outside = connection.execute(
            "select count(*) from main.fct_incident_belligerents where is_civilian_harm_reported "
            f"and incident_month not between date '{FIRST}' and date '{LAST}'").fetchone()[0]
        build = connection.execute("select first_month, last_month, command_line_vars from main.dim_builds").fetchone()
    assert outside > 0, "the window must leave incidents out, or the test proves nothing"
    assert by_incident["coalition:incidents"] > 0 and by_incident["russia:incidents"] > 0
    assert {k: v for k, v in by_month.items() if v} == {k: v for k, v in by_incident.items() if v}
    assert build[:2] == (WINDOW[0], WINDOW[-1])
    assert json.loads(build[2]) == {"civcas_first_month": FIRST, "civcas_last_month": LAST}


def test_release_of_the_period_records_the_vars_the_build_ran_with(window_build, tmp_path, capsys, monkeypatch):
    # A relative folder, as `make release RELEASE_OUT=releases/x` passes it (the release gate needs
    # an absolute one: the release resolves it).
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "release"
    assert _release(*window_build, Path("release"), "--from-month", "2016-11", "--to-month", "2017-03") == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["build"]["vars"] == {"civcas_first_month": FIRST, "civcas_last_month": LAST}
    assert manifest["period"]["first_month"] == "2016-11" and manifest["period"]["last_month"] == "2017-03"
    assert manifest["credit"] == "Synthetic demo data made by civcas, not real events"
    assert manifest["is_redistributable"] is True and manifest["licence_warnings"] == []
    assert "Period: 2016-11 to 2017-03" in (out / "README.txt").read_text(encoding="utf-8")
    assert "not licensed for redistribution" not in capsys.readouterr().err


def test_release_refuses_a_build_of_another_period_with_the_command_to_run(window_build, tmp_path, capsys):
    out = tmp_path / "release"
    assert _release(*window_build, out, "--from-month", "2017-01", "--to-month", "2017-12") == 1
    error = capsys.readouterr().err
    assert f"{window_build[0]} is a build of 2016-11..2017-03, not of 2017-01..2017-12" in error
    assert f"make build CIVCAS_DUCKDB_PATH={window_build[0]} FROM=2017-01 TO=2017-12" in error
    assert not out.exists()
    assert _release(*window_build, out, "--from-month", "2017-13") == 2
    assert "--from-month '2017-13' is not a month" in capsys.readouterr().err


def test_a_partial_dbt_run_after_the_build_is_not_released(window_build, tmp_path, capsys):
    # A copy of the warehouse (the same file name: dbt-duckdb names the database after it), then
    # one model run again with other vars: its run results are of that command alone.
    copy = tmp_path / "copy" / "civcas.duckdb"
    copy.parent.mkdir()
    shutil.copyfile(window_build[0], copy)
    partial = tmp_path / "partial-target"
    result = run_dbt(["run", "-s", "dim_builds", "export_grade_summary", "--vars", "{civcas_first_month: 2016-01-01}"],
                     PROJECT_DIR, copy, partial)
    assert result.success, result.exception
    out = tmp_path / "release"
    assert _release(copy, partial, out) == 1
    error = capsys.readouterr().err
    assert "the run results are not of a complete build" in error
    assert f"run `make build CIVCAS_DUCKDB_PATH={copy}" in error
    # The full build's run results do not describe the warehouse either: dim_builds was rewritten.
    assert _release(copy, window_build[1], out) == 1
    error = capsys.readouterr().err
    assert "the warehouse was written by dbt invocation" in error and "release straight after it" in error
    assert not out.exists()


def test_a_monthly_export_rewritten_for_other_months_is_not_released(window_build, tmp_path, capsys):
    # The run results stay those of the full build (the later command wrote its own elsewhere),
    # but the warehouse's export no longer covers the build's period.
    copy = tmp_path / "copy" / "civcas.duckdb"
    copy.parent.mkdir()
    shutil.copyfile(window_build[0], copy)
    with duckdb.connect(str(copy)) as connection:
        connection.execute("delete from exports.export_grade_summary where month = date '2017-03-01'")
    out = tmp_path / "release"
    assert _release(copy, window_build[1], out) == 1
    error = capsys.readouterr().err
    assert "release file grade_summary covers 2016-11..2017-02, but the build that wrote the warehouse is of " \
           "2016-11..2017-03" in error
    assert not out.exists()
