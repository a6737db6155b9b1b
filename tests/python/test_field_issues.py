"""Field-level quarantine and review flags, end to end: bad values planted in a copy of the
demo's raw files are nulled or flagged (never silently accepted), recorded in
fct_field_issues, and kept visible with needs_review; no implausible magnitude reaches a
mart unflagged, and every dbt test (reconciliation and leak test included) still passes."""

from __future__ import annotations

import csv
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import PROJECT_DIR, run_dbt

RAW = Path("seeds") / "raw"
HUGE = "999999999"
# Any figure at least this big is implausible in one record; the ceilings are far below it.
IMPLAUSIBLE = 999_999
GRADES = {"confirmed", "fair", "weak", "contested", "discounted"}


def _read(project: Path, table: str) -> tuple[list[str], list[dict[str, str]]]:
    with open(project / RAW / f"{table}.csv", newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _append(project: Path, table: str, rows: list[dict[str, str]]) -> None:
    header, existing = _read(project, table)
    with open(project / RAW / f"{table}.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(existing + rows)


def _is_count(value: str) -> bool:
    return bool(re.fullmatch(r"\d+", value))


def _plain_assessments(project: Path) -> list[dict[str, str]]:
    """Assessments that are the only one of their incident, graded, with plain figures."""
    _, rows = _read(project, "raw_incident_assessments")
    per_incident: dict[str, int] = {}
    for row in rows:
        per_incident[row["incident_code"]] = per_incident.get(row["incident_code"], 0) + 1
    return [row for row in rows
            if per_incident[row["incident_code"]] == 1 and row["grade"].strip().lower() in GRADES
            and re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["assessed_on"])
            and all(_is_count(row[c]) for c in ["civilians_killed_min", "civilians_killed_max"])]


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory):
    """Build a copy of the project (as conftest's project_copy, once for the module) with the
    bad values planted; yield (dbt result, query, what was planted where)."""
    workdir = tmp_path_factory.mktemp("field_issues")
    project = workdir / "project"
    project.mkdir()
    for name in ["dbt_project.yml", "profiles.yml"]:
        shutil.copy(PROJECT_DIR / name, project / name)
    for name in ["models", "macros", "seeds", "tests", "analyses"]:
        shutil.copytree(PROJECT_DIR / name, project / name, ignore=shutil.ignore_patterns("python"))

    plain = _plain_assessments(project)
    sub_range, ceiling, both_broken = plain[0], plain[1], plain[2]
    plan = {"sub_range_incident": sub_range["incident_code"], "ceiling_incident": ceiling["incident_code"]}
    # Ids that sort after the originals: the planted decision is the one in force.
    _append(project, "raw_incident_assessments", [
        {**sub_range, "assessment_id": "ASM9PYTEST1", "civilians_killed_min": "5",
         "civilians_killed_max": "10", "children_killed_min": "40", "children_killed_max": "50",
         "women_killed_min": "", "women_killed_max": ""},
        {**ceiling, "assessment_id": "ASM9PYTEST2", "civilians_killed_min": "12",
         "civilians_killed_max": HUGE, "children_killed_min": "", "children_killed_max": "",
         "women_killed_min": "", "women_killed_max": ""},
        # min above max in the sub-range, and an injured figure in words: both unknown
        {**both_broken, "assessment_id": "ASM9PYTEST3", "civilians_killed_min": "7",
         "civilians_killed_max": "9", "children_killed_min": "3", "children_killed_max": "2",
         "civilians_injured_min": "", "civilians_injured_max": "dozens",
         "women_killed_min": "", "women_killed_max": ""},
    ])
    plan["both_broken_incident"] = both_broken["incident_code"]
    plan["both_broken_grade"] = both_broken["grade"].strip().lower()

    _, claims = _read(project, "raw_claims")
    linked = next(c for c in claims if c["incident_code"] and _is_count(c["civilians_killed_max"])
                  and re.fullmatch(r"\d{4}-\d{2}-\d{2}", c["date_reported"])
                  and re.fullmatch(r"\d{4}-\d{2}-\d{2}", c["incident_date"])
                  and c["incident_code"] not in plan.values())
    plan["claim_incident"] = linked["incident_code"]
    _append(project, "raw_claims", [
        {**linked, "claim_id": "CLM9PYTEST1", "civilians_killed_min": HUGE, "civilians_killed_max": HUGE},
    ])

    # a protected source's handle typed into a figure cell: the figure is nulled, and the
    # value as written is withheld from the analysts' table
    _, sources = _read(project, "raw_sources")
    protected = next(r for r in sources if r["is_protected"].strip().lower() == "true" and r["source_handle"].strip())
    plan["protected_handle"] = protected["source_handle"].strip()
    _append(project, "raw_claims", [
        {**linked, "claim_id": "CLM9PYTEST2", "source_id": protected["source_id"], "report_url": "",
         "archive_url": "", "civilians_killed_min": "", "civilians_killed_max": plan["protected_handle"]},
    ])

    _, statements = _read(project, "raw_belligerent_statements")
    credible = next(s for s in statements if s["verdict"].strip().lower() == "credible"
                    and _is_count(s["deaths_conceded_max"]) and s["incident_code"])
    plan["statement_incident"] = credible["incident_code"]
    _append(project, "raw_belligerent_statements", [
        {**credible, "statement_id": "STM9PYTEST1", "deaths_conceded_min": "1", "deaths_conceded_max": HUGE},
    ])

    _, strikes = _read(project, "raw_declared_strikes")
    strike = strikes[0]  # Tal Afar, Iraq
    _append(project, "raw_declared_strikes", [
        {**strike, "strike_release_id": "DS9PYTEST1", "latitude": "95", "longitude": "42.45"},
        {**strike, "strike_release_id": "DS9PYTEST2", "latitude": "36.3792", "longitude": "200"},
        {**strike, "strike_release_id": "DS9PYTEST3", "latitude": "42.4497", "longitude": "36.3792"},
        {**strike, "strike_release_id": "DS9PYTEST4", "strike_count": "999999"},
    ])

    # a first publication three weeks before the incident: the date is nulled, the incident kept
    header, incidents = _read(project, "raw_incidents")
    early = next(i for i in incidents if i["incident_code"] not in plan.values()
                 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", i["incident_date"]) and i["incident_date"] >= "2015-01-01"
                 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", i["first_published"]))
    published = (date.fromisoformat(early["incident_date"]) - timedelta(days=21)).isoformat()
    plan["early_publication_incident"] = early["incident_code"]
    plan["early_publication_date"] = published
    with open(project / RAW / "raw_incidents.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows({**i, "first_published": published} if i is early else i for i in incidents)

    duckdb_path = workdir / "planted.duckdb"
    result = run_dbt(["build", "--exclude-resource-type", "unit_test"], project, duckdb_path, workdir / "target")
    connection = duckdb.connect(str(duckdb_path), read_only=True)
    yield result, (lambda sql: connection.sql(sql).df()), plan
    connection.close()


def test_the_planted_build_passes_every_data_test(planted):
    result, _, _ = planted
    failures = [f"{r.node.unique_id}: {r.status} {r.message}" for r in result.result or []
                if str(r.status) not in {"success", "pass", "no-op"}]
    assert failures == [], failures
    assert result.success


def test_a_sub_range_above_its_total_nulls_the_sub_range_and_keeps_the_assessment(planted):
    _, query, plan = planted
    row = query("select * from fct_incident_assessments where assessment_id = 'ASM9PYTEST1'")
    assert len(row) == 1
    row = row.iloc[0]
    assert (row.civilians_killed_min, row.civilians_killed_max) == (5, 10)
    assert pd.isna(row.children_killed_min) and pd.isna(row.children_killed_max)
    assert row.needs_review and "children_killed" in row.review_reasons
    issue = query("select * from fct_field_issues where record_id = 'ASM9PYTEST1'")
    assert issue[["field", "rule", "action", "raw_value"]].values.tolist() == [
        ["children_killed", "sub_range_above_total", "nulled", "40–50"]]
    incident = query(f"select * from fct_incidents where incident_code = '{plan['sub_range_incident']}'").iloc[0]
    assert (incident.civilians_killed_min, incident.civilians_killed_max) == (5, 10)
    assert incident.needs_review and "ASM9PYTEST1" in incident.review_reasons


def test_min_above_max_and_a_figure_in_words_null_their_pairs_and_keep_the_grade(planted):
    _, query, plan = planted
    issues = query("select field, rule, raw_value from fct_field_issues where record_id = 'ASM9PYTEST3' order by field")
    assert issues.values.tolist() == [["children_killed", "min_above_max", "3–2"],
                                      ["civilians_injured_max", "unparseable_number", "dozens"]]
    assert query("select count(*) as n from fct_quarantined_rows where record_id = 'ASM9PYTEST3'").n.iloc[0] == 0
    incident = query(f"select * from fct_incidents where incident_code = '{plan['both_broken_incident']}'").iloc[0]
    assert incident.grade_id == {"disproved": "discounted", "disproven": "discounted"}.get(
        plan["both_broken_grade"], plan["both_broken_grade"])
    assert (incident.civilians_killed_min, incident.civilians_killed_max) == (7, 9)
    assert incident.needs_review


def test_a_figure_above_the_ceiling_is_kept_flagged_and_not_counted(planted):
    _, query, plan = planted
    row = query("select * from fct_incident_assessments where assessment_id = 'ASM9PYTEST2'").iloc[0]
    assert row.civilians_killed_max == int(HUGE) and row.needs_review
    assert "review ceiling" in row.review_reasons
    issue = query("select * from fct_field_issues where record_id = 'ASM9PYTEST2'")
    assert issue[["field", "rule", "action"]].values.tolist() == [["civilians_killed", "above_review_ceiling", "flagged"]]
    incident = query(f"select * from fct_incidents where incident_code = '{plan['ceiling_incident']}'").iloc[0]
    assert incident.needs_review and HUGE in incident.review_reasons
    assert incident.civilians_killed_max != int(HUGE)
    # harm was reported: the incident stays counted as alleged, its flagged size unknown
    assert incident.has_harm_figure_under_review and incident.is_civilian_harm_reported
    alleged = query(f"select count(*) as n from fct_incident_belligerents where incident_code = "
                    f"'{plan['ceiling_incident']}' and is_civilian_harm_reported").n.iloc[0]
    assert alleged >= 1
    backlog_or_monthly = query("select max(alleged_killed_max) as m from fct_monthly_belligerent_summary").m.iloc[0]
    assert backlog_or_monthly < IMPLAUSIBLE


def test_a_first_publication_before_the_incident_is_a_field_issue_and_the_incident_is_kept(planted):
    _, query, plan = planted
    code = plan["early_publication_incident"]
    issue = query(f"select * from fct_field_issues where raw_table = 'raw_incidents' and record_id = '{code}'")
    assert issue[["field", "rule", "action", "raw_value"]].values.tolist() == [
        ["first_published", "published_before_incident", "nulled", plan["early_publication_date"]]]
    assert query(f"select count(*) as n from fct_quarantined_rows where record_id = '{code}'").n.iloc[0] == 0
    validated = query(f"select * from intermediate.int_incidents_validated where incident_code = '{code}'").iloc[0]
    assert pd.isna(validated.first_published_on) and not validated.is_quarantined
    incident = query(f"select * from fct_incidents where incident_code = '{code}'").iloc[0]
    assert incident.needs_review
    assert f"incident {code}: first_published {plan['early_publication_date']} is before" in incident.review_reasons


def test_the_public_incident_list_shows_which_incidents_need_review_without_their_reasons(planted):
    _, query, plan = planted
    exported = query("select incident_code, needs_review from exports.export_public_incidents")
    marts = query("select incident_code, needs_review from fct_incidents")
    assert exported.merge(marts, on="incident_code", suffixes=("_export", "_mart")).pipe(
        lambda m: (m.needs_review_export == m.needs_review_mart).all() and len(m) == len(marts))
    held = set(exported[exported.needs_review].incident_code)
    assert {plan["ceiling_incident"], plan["sub_range_incident"], plan["early_publication_incident"]} <= held
    columns = set(query("select column_name from information_schema.columns "
                        "where table_schema = 'exports' and table_name = 'export_public_incidents'").column_name)
    assert "review_reasons" not in columns


def test_a_claim_and_a_verdict_above_the_ceiling_are_flagged_where_they_are_shown(planted):
    _, query, plan = planted
    claim = query("select * from fct_claims where claim_id = 'CLM9PYTEST1'").iloc[0]
    assert claim.civilians_killed_max == int(HUGE) and claim.needs_review
    statement = query("select * from fct_belligerent_statements where statement_id = 'STM9PYTEST1'").iloc[0]
    assert statement.deaths_conceded_max == int(HUGE) and statement.needs_review
    for code in [plan["claim_incident"], plan["statement_incident"]]:
        incident = query(f"select * from fct_incidents where incident_code = '{code}'").iloc[0]
        assert incident.needs_review, code
    issues = query("select raw_table, rule from fct_field_issues where record_id in ('CLM9PYTEST1', 'STM9PYTEST1')")
    assert sorted(issues.values.tolist()) == [["raw_belligerent_statements", "above_review_ceiling"],
                                              ["raw_claims", "above_review_ceiling"]]


def test_a_field_issue_never_shows_a_protected_source(planted):
    _, query, plan = planted
    issue = query("select * from fct_field_issues where record_id = 'CLM9PYTEST2'")
    assert issue[["field", "rule", "action"]].values.tolist() == [["civilians_killed_max", "unparseable_number", "nulled"]]
    assert issue.raw_value.iloc[0] == "[withheld: protected source]"
    assert plan["protected_handle"] not in issue.reason.iloc[0]
    claim = query("select * from fct_claims where claim_id = 'CLM9PYTEST2'").iloc[0]
    assert claim.needs_review and plan["protected_handle"] not in claim.review_reasons


def test_strike_coordinates_get_the_claims_checks_and_counts_the_ceiling(planted):
    _, query, _ = planted
    quarantined = query("select record_id, quarantine_rule from fct_quarantined_rows "
                        "where raw_table = 'raw_declared_strikes' and record_id like 'DS9PYTEST%' order by 1")
    assert quarantined.values.tolist() == [["DS9PYTEST1", "coordinates_outside_country"],
                                           ["DS9PYTEST2", "coordinates_outside_country"]]
    swapped = query("select * from fct_declared_strikes where strike_release_id = 'DS9PYTEST3'").iloc[0]
    assert swapped.are_coordinates_swapped and (swapped.latitude, swapped.longitude) == (36.3792, 42.4497)
    counted = query("select * from fct_declared_strikes where strike_release_id = 'DS9PYTEST4'").iloc[0]
    assert counted.strike_count == 999999 and counted.needs_review
    assert query("select max(declared_strikes_nearby) as m from fct_incidents").m.iloc[0] < IMPLAUSIBLE


def test_no_implausible_magnitude_reaches_a_mart_or_export_unflagged(planted):
    _, query, _ = planted
    columns = query("select table_schema, table_name, column_name from information_schema.columns "
                    "where table_schema in ('main', 'exports') and data_type in "
                    "('INTEGER', 'BIGINT', 'HUGEINT', 'DOUBLE', 'DECIMAL(18,3)', 'FLOAT')")
    review_tables = set(query("select table_schema || '.' || table_name as t from information_schema.columns "
                              "where column_name = 'needs_review'").t)
    unflagged = []
    for (schema, table), group in columns.groupby(["table_schema", "table_name"]):
        measures = [c for c in group.column_name if "latitude" not in c and "longitude" not in c
                    and not c.endswith("rank")]
        if not measures:
            continue
        condition = " or ".join(f'abs("{c}") >= {IMPLAUSIBLE}' for c in measures)
        if f"{schema}.{table}" in review_tables:
            condition = f"({condition}) and not needs_review"
        n = query(f'select count(*) as n from "{schema}"."{table}" where {condition}').n.iloc[0]
        if n:
            unflagged.append(f"{schema}.{table}: {n} rows")
    assert unflagged == []
    flagged = query("select count(*) as n from fct_field_issues where action = 'flagged'").n.iloc[0]
    assert flagged == 4
