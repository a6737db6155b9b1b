"""Implausible dates planted in every raw table are quarantined with a reason that names
the column, the value and the bound, and none reaches a mart (issue 12, part 3)."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, run_dbt

RAW = Path("seeds") / "raw"

# (raw table, id, expected rule or None when the row stays clean, words its reason holds)
PLANTED: list[tuple[str, str, str | None, list[str]]] = [
    ("raw_claims", "CLM-PLAUS-FUTURE", "implausible_date",
     ["date_reported '2031-03-01' is after", "var civcas_date_tolerance_days"]),
    ("raw_claims", "CLM-PLAUS-ANCIENT", "implausible_date",
     ["date_reported '1900-01-01' is before 2014-01-01 (var civcas_earliest_plausible_date)"]),
    ("raw_claims", "CLM-PLAUS-RANGE", "date_after_report",
     ["incident_date_end 2017-03-09 is after the date the claim was reported 2017-03-03"]),
    ("raw_claims", "CLM-PLAUS-NIGHT", None, []),
    ("raw_incidents", "CS9931", "implausible_date", ["incident_date '2031-05-01' is after"]),
    ("raw_incident_assessments", "ASM-PLAUS-2031", "implausible_date", ["assessed_on '2031-01-01' is after"]),
    ("raw_belligerent_statements", "STM-PLAUS-1900", "implausible_date",
     ["statement_date '19000101' (read as 1900-01-01) is before 2014-01-01"]),
    ("raw_belligerent_statements", "STM-PLAUS-2031", "implausible_date", ["statement_date '2031-01-01' is after"]),
    ("raw_declared_strikes", "DS-PLAUS-DMY", "unparseable_date",
     ["strike_date '01/03/2017' is not a date in its source's format", "YYYY-MM-DD only"]),
    ("raw_declared_strikes", "NL-PLAUS-68", "implausible_date", ["'1-Mar-68' (read as 2068-03-01)", "two-digit year"]),
    ("raw_declared_strikes", "DS-PLAUS-1900", "implausible_date", ["strike_date '1900-01-01' is before 2014-01-01"]),
]

MART_IDS = {
    "raw_claims": ("fct_claims", "claim_id"),
    "raw_incidents": ("fct_incidents", "incident_code"),
    "raw_incident_assessments": ("fct_incident_assessments", "assessment_id"),
    "raw_belligerent_statements": ("fct_belligerent_statements", "statement_id"),
    "raw_declared_strikes": ("fct_declared_strikes", "strike_release_id"),
}


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _append(project: Path, table: str, rows: list[dict[str, str]]) -> None:
    path = project / RAW / f"{table}.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    with open(path, "a", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows([[row.get(c, "") for c in header] for row in rows])


def _incident_not_discounted_now(project: Path) -> str:
    """An incident whose latest assessment in the demo does not grade it Discounted."""
    latest: dict[str, dict[str, str]] = {}
    for row in _read(project / RAW / "raw_incident_assessments.csv"):
        code = row["incident_code"]
        if row["assessed_on"][:4].isdigit() and (code not in latest or row["assessed_on"] > latest[code]["assessed_on"]):
            latest[code] = row
    return next(code for code, row in sorted(latest.items())
                if row["grade"].strip().lower() == "fair" and code.startswith("CI"))


@pytest.fixture(scope="module")
def planted_build(tmp_path_factory) -> tuple[duckdb.DuckDBPyConnection, str]:
    import shutil

    tmp_path = tmp_path_factory.mktemp("plausibility")
    project = tmp_path / "project"
    project.mkdir()
    for name in ["dbt_project.yml", "profiles.yml"]:
        shutil.copy(PROJECT_DIR / name, project / name)
    for name in ["models", "macros", "seeds", "tests", "analyses"]:
        shutil.copytree(PROJECT_DIR / name, project / name, ignore=shutil.ignore_patterns("python"))

    claim = _read(project / RAW / "raw_claims.csv")[0]
    _append(project, "raw_claims", [
        {**claim, "claim_id": "CLM-PLAUS-FUTURE", "date_reported": "2031-03-01", "incident_date": "2031-02-28"},
        {**claim, "claim_id": "CLM-PLAUS-ANCIENT", "date_reported": "1900-01-01", "incident_date": "2017-03-01"},
        {**claim, "claim_id": "CLM-PLAUS-RANGE", "date_reported": "2017-03-03", "incident_date": "",
         "incident_date_start": "2017-03-01", "incident_date_end": "2017-03-09"},
        # a night's strike posted under the evening's date: within the one-day tolerance
        {**claim, "claim_id": "CLM-PLAUS-NIGHT", "date_reported": "2017-03-02", "incident_date": "2017-03-03",
         "incident_code": ""},
    ])
    incident = _read(project / RAW / "raw_incidents.csv")[0]
    _append(project, "raw_incidents", [
        {**incident, "incident_code": "CS9931", "incident_date": "2031-05-01", "first_published": "2031-05-02"},
    ])
    graded = _incident_not_discounted_now(project)
    assessment = _read(project / RAW / "raw_incident_assessments.csv")[0]
    _append(project, "raw_incident_assessments", [
        {**assessment, "assessment_id": "ASM-PLAUS-2031", "incident_code": graded, "assessed_on": "2031-01-01",
         "grade": "Discounted"},
    ])
    statement = _read(project / RAW / "raw_belligerent_statements.csv")[0]
    _append(project, "raw_belligerent_statements", [
        {**statement, "statement_id": "STM-PLAUS-1900", "statement_date": "19000101"},
        {**statement, "statement_id": "STM-PLAUS-2031", "statement_date": "2031-01-01"},
    ])
    strike = _read(project / RAW / "raw_declared_strikes.csv")[0]
    _append(project, "raw_declared_strikes", [
        {**strike, "strike_release_id": "DS-PLAUS-DMY", "strike_date": "01/03/2017"},
        {**strike, "strike_release_id": "NL-PLAUS-68", "strike_date": "1-Mar-68"},
        {**strike, "strike_release_id": "DS-PLAUS-1900", "strike_date": "1900-01-01"},
        {**strike, "strike_release_id": "CENTCOM-PLAUS-1", "strike_date": "01/03/2017"},
    ])

    duckdb_path = tmp_path / "w.duckdb"
    # data tests included: the reconciliation test (rows in = clean + quarantined) must hold
    result = run_dbt(["build", "--exclude-resource-type", "unit_test"], project, duckdb_path, tmp_path / "target")
    failures = [f"{r.node.name}: {r.status} {r.message}" for r in (result.result or [])
                if str(r.status) not in {"success", "pass", "no-op"}]
    if not result.success:
        failures.append(f"dbt build failed: {result.exception}")
    connection = duckdb.connect(str(duckdb_path), read_only=True)
    yield connection, graded, failures
    connection.close()


def test_the_build_passes_every_data_test_reconciliation_included(planted_build):
    _, _, failures = planted_build
    assert failures == []


@pytest.mark.parametrize(("table", "record_id", "rule", "words"), PLANTED, ids=[p[1] for p in PLANTED])
def test_planted_date_is_quarantined_with_its_reason_and_reaches_no_mart(planted_build, table, record_id, rule, words):
    connection, _, _ = planted_build
    quarantined = connection.execute(
        "select quarantine_rule, quarantine_reason from fct_quarantined_rows where raw_table = ? and record_id = ?",
        [table, record_id]).fetchall()
    mart, id_column = MART_IDS[table]
    in_mart = connection.execute(f"select count(*) from {mart} where {id_column} = ?", [record_id]).fetchone()[0]
    if rule is None:
        assert quarantined == [] and in_mart == 1
        return
    assert len(quarantined) == 1, quarantined
    assert quarantined[0][0] == rule, quarantined
    for word in words:
        assert word in quarantined[0][1], quarantined[0][1]
    assert in_mart == 0


def test_01_03_2017_is_read_month_first_only_in_a_centcom_line(planted_build):
    connection, _, _ = planted_build
    read = dict(connection.execute(
        "select strike_release_id, cast(strike_date as varchar) from fct_declared_strikes "
        "where strike_release_id in ('CENTCOM-PLAUS-1', 'DS-PLAUS-DMY')").fetchall())
    assert read == {"CENTCOM-PLAUS-1": "2017-01-03"}


def test_an_assessment_dated_2031_is_not_the_grade_in_force(planted_build):
    connection, graded, _ = planted_build
    assert connection.execute("select grade_id from fct_incidents where incident_code = ?",
                              [graded]).fetchone()[0] == "fair"


def test_no_mart_reaches_past_the_reference_date(planted_build):
    connection, _, _ = planted_build
    latest = connection.execute("select latest_plausible_date from intermediate.int_reference_date").fetchone()[0]
    assert latest.year < 2031
    for mart, column in [("fct_incidents", "incident_date_last"), ("fct_monthly_grade_summary", "month"),
                         ("fct_monthly_belligerent_summary", "month"), ("monthly_coalition_vs_russia", "month"),
                         ("fct_monthly_assessment_backlog", "month"), ("fct_declared_strikes", "strike_date"),
                         ("fct_incident_assessments", "assessed_on"), ("fct_belligerent_statements", "statement_date"),
                         ("fct_claims", "date_reported")]:
        assert connection.execute(f"select max({column}) <= ? from {mart}", [latest]).fetchone()[0], mart


def test_an_incremental_run_checks_a_claim_again_when_the_reference_date_grows(project_copy: Path, tmp_path: Path):
    """A claim dated after the latest plausible date is quarantined; when later records raise the
    reference date past it, an incremental run checks it again and it is clean, as a full rebuild
    would have it."""
    claim = _read(project_copy / RAW / "raw_claims.csv")[0]
    base = {**claim, "incident_code": "", "incident_date": ""}
    _append(project_copy, "raw_claims", [{**base, "claim_id": "CLM-PLAUS-EARLY", "date_reported": "2020-10-20"}])
    duckdb_path = tmp_path / "w.duckdb"
    select = ["--select", "+int_claims_validated", "--resource-type", "seed", "--resource-type", "model"]

    def rule_of(claim_id: str):
        with duckdb.connect(str(duckdb_path), read_only=True) as connection:
            return connection.execute("select quarantine_rule from intermediate.int_claims_validated "
                                      "where claim_id = ?", [claim_id]).fetchall()

    # the build runs on 2020-10-15: the claim of 2020-10-20 is in the future, and the demo's
    # latest record (2020-10-09) sets the bound, 2020-10-10
    on_day = ["--vars", "{civcas_run_date: '2020-10-15'}"]
    assert run_dbt(["build", "--full-refresh", *select, *on_day], project_copy, duckdb_path,
                   tmp_path / "target").success
    assert rule_of("CLM-PLAUS-EARLY") == [("implausible_date",)]
    # weeks later, a claim of 2020-10-30 is the latest record: the first claim is plausible now
    _append(project_copy, "raw_claims", [{**base, "claim_id": "CLM-PLAUS-LATER", "date_reported": "2020-10-30"}])
    on_day = ["--vars", "{civcas_run_date: '2020-11-30'}"]
    assert run_dbt(["build", *select, *on_day], project_copy, duckdb_path, tmp_path / "target").success
    assert rule_of("CLM-PLAUS-LATER") == [(None,)]
    assert rule_of("CLM-PLAUS-EARLY") == [(None,)]
