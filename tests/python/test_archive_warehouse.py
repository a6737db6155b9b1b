"""The warehouse built from the real Airwars Syria archive: invariants, and agreement
with the figures the archive's README documents from Airwars' own publications.

The archive is read from ../shared/data/external beside the checkout and never copied
into the repository. Without it these tests skip, except on CI (CI=true), where they
fail with a message that says where the archive should be."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import PROJECT_DIR, run_dbt
from test_analyst_copy import compile_analyses, readme_section_sql, run_read_only
from test_archive_import import ARCHIVE, CENTCOM, DUTCH, has_verdict, require_external_data

from civcas.archive import import_archive
from civcas.publish import publish

# Governorate values in the archive that are not a Syrian governorate at all (Hatay is in
# Turkey, Haifa in Israel, the others name two governorates or a region): quarantined by
# design, with a reason, rather than resolved by an alias.
NOT_A_GOVERNORATE = {
    "Hattai", "Haifa", "Al-Jazeera", "Hama and Idlib governorate", "Al-Hasakah and Deir Ezzor",
    "Deir ez-Zor/Damascus", "Homs or Aleppo", "Hama or Idlib", "Syria", "36.38472222",
}


@pytest.fixture(scope="module")
def archive_build(tmp_path_factory: pytest.TempPathFactory):
    require_external_data()
    workdir = tmp_path_factory.mktemp("archive_build")
    raw = workdir / "raw"
    import_archive(ARCHIVE, raw, PROJECT_DIR, centcom=CENTCOM, dutch=DUTCH)
    duckdb_path = workdir / "archive.duckdb"
    result = run_dbt(
        ["build", "--vars", f"{{civcas_raw_source: files, civcas_raw_path: '{raw}'}}",
         "--exclude-resource-type", "unit_test"],
        PROJECT_DIR, duckdb_path, workdir / "target",
    )
    return result, duckdb_path


@pytest.fixture(scope="module")
def aq(archive_build) -> Iterator:
    """aq(sql) -> DataFrame over the archive warehouse."""
    _, duckdb_path = archive_build
    connection = duckdb.connect(str(duckdb_path), read_only=True)
    yield lambda sql: connection.sql(sql).df()
    connection.close()


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_archive_build_passes_every_data_test(archive_build):
    result, _ = archive_build
    assert result.exception is None, result.exception
    failures = [f"{r.node.unique_id}: {r.status} {r.message}" for r in result.result
                if str(r.status) not in {"success", "pass"}
                and not (str(r.status) == "no-op" and r.node.resource_type == "exposure")]
    assert failures == []


def test_every_incident_code_is_an_incident_or_quarantined_with_a_reason(aq):
    codes = {row["code"].strip().upper() for row in _csv(ARCHIVE / "incidents.csv")}
    incidents = set(aq("select incident_code from fct_incidents").incident_code)
    quarantined = aq("select record_id, quarantine_reason from fct_quarantined_rows "
                     "where raw_table = 'raw_incidents'")
    assert quarantined.quarantine_reason.notna().all()
    assert codes - incidents - set(quarantined.record_id) == set()
    raw_rows = len(_csv(ARCHIVE / "incidents.csv"))
    assert raw_rows == len(incidents) + len(quarantined)


def test_the_known_mess_is_handled(aq):
    rules = aq("select record_id, quarantine_rule from fct_quarantined_rows where raw_table = 'raw_incidents'")
    by_code = rules.groupby("record_id").quarantine_rule.apply(set).to_dict()
    assert by_code["TS631"] == {"conflicting_duplicate_id"} and by_code["TS633"] == {"conflicting_duplicate_id"}
    assert by_code["CS1033"] == {"coordinates_outside_country"}  # longitude 4239.00416
    assert by_code["TRSOM001"] == {"implausible_date"}  # 1970-01-01
    grade = aq("select quarantine_reason from fct_quarantined_rows where quarantine_rule = 'unknown_grade'")
    assert len(grade) == 1 and "'Contested, Discounted'" in grade.quarantine_reason.iloc[0]
    ungraded = aq("select count(*) as n from fct_incidents where not is_graded").n.iloc[0]
    assert ungraded > 0
    # russia and russian_forces are one belligerent; so are the coalition's names
    assert aq("select count(*) as n from fct_incident_belligerents where belligerent_id in ('russian_forces')").n.iloc[0] == 0
    assert aq("select count(distinct campaign_code_prefix) as n from fct_incident_belligerents "
              "where belligerent_id = 'coalition' and campaign_code_prefix in ('CS', 'NCS')").n.iloc[0] == 2


def test_cs143_keeps_its_grade_and_figures_and_records_its_children_range(aq):
    """CS143's assessment gives children killed 3-2 (min above max): that pair is a field
    issue, nulled and recorded; the assessment stays, so the incident keeps Fair and 7-9."""
    incident = aq("select * from fct_incidents where incident_code = 'CS143'")
    assert len(incident) == 1
    incident = incident.iloc[0]
    assert incident.grade_id == "fair"
    assert (incident.civilians_killed_min, incident.civilians_killed_max) == (7, 9)
    assert pd.isna(incident.children_killed_min) and pd.isna(incident.children_killed_max)
    assert incident.needs_review and "children_killed" in incident.review_reasons
    issues = aq("select field, raw_value, rule, action from fct_field_issues where raw_table = 'raw_incident_assessments' "
                "and record_id in (select assessment_id from fct_incident_assessments where incident_code = 'CS143')")
    assert issues.values.tolist() == [["children_killed", "3–2", "min_above_max", "nulled"]]
    assert aq("select count(*) as n from fct_quarantined_rows where raw_table = 'raw_incident_assessments' "
              "and quarantine_reason like '%children_killed%'").n.iloc[0] == 0


def test_no_archive_figure_is_silently_implausible(aq):
    """Every figure of the archive is below the review ceilings or flagged; the field issues are
    few (the archive is curated) and each names its record."""
    issues = aq("select * from fct_field_issues")
    assert issues.record_id.notna().all() and issues.reason.str.len().min() > 20
    # a rule that misfires on sound published figures would show here (the archive has 5)
    assert len(issues) < 50
    flagged_codes = set(aq("select a.incident_code from fct_incident_assessments as a "
                           "inner join fct_field_issues as f on f.record_id = a.assessment_id "
                           "and f.raw_table = 'raw_incident_assessments'").incident_code)
    assert flagged_codes <= set(aq("select incident_code from fct_incidents where needs_review").incident_code)


def test_every_alias_in_the_data_resolves(aq):
    quarantined = aq("select quarantine_rule, quarantine_reason from fct_quarantined_rows")
    for rule in ["unknown_belligerent", "unknown_verdict", "unknown_strike_status", "unknown_geo_precision",
                 "unknown_date_precision", "unknown_source_type", "unknown_attribution_type"]:
        assert (quarantined.quarantine_rule != rule).all(), quarantined[quarantined.quarantine_rule == rule].head()
    unresolved = quarantined[quarantined.quarantine_rule == "unknown_governorate"].quarantine_reason
    values = set(unresolved.str.extract(r"^governorate '(.*?)' is not")[0])
    assert values <= NOT_A_GOVERNORATE, values - NOT_A_GOVERNORATE


def test_grade_groups_partition_the_alleged_totals(aq):
    totals = aq("select belligerent_id, sum(alleged_incidents) as n, sum(alleged_killed_min) as kmin, "
                "sum(alleged_killed_max) as kmax from fct_monthly_belligerent_summary group by 1").set_index("belligerent_id")
    by_grade = aq("select belligerent_id, sum(alleged_incidents) as n, sum(alleged_killed_min) as kmin, "
                  "sum(alleged_killed_max) as kmax from fct_monthly_grade_summary group by 1").set_index("belligerent_id")
    pd.testing.assert_frame_equal(totals.sort_index(), by_grade.sort_index())
    assert totals.loc["russia", "n"] > 4000


def test_conceded_deaths_in_the_marts_equal_the_belligerent_rows(aq):
    rows = _csv(ARCHIVE / "belligerent_assessments.csv")
    quarantined_codes = set(aq("select record_id from fct_quarantined_rows "
                               "where raw_table = 'raw_incidents'").record_id)
    # statements quarantined on their own (e.g. statement_before_incident), by their
    # statement_id AW-<airwars_id>-<data row number> (civcas/archive.py)
    quarantined_statements = set(aq("select record_id from fct_quarantined_rows "
                                    "where raw_table = 'raw_belligerent_statements'").record_id)
    rows = [r for n, r in enumerate(rows, start=1) if f"AW-{r['airwars_id']}-{n}" not in quarantined_statements]
    distinct = {tuple(r.items()) for r in rows}  # the file repeats some rows exactly
    verdicts = [dict(r) for r in distinct if has_verdict(dict(r)) and dict(r)["code"] not in quarantined_codes]
    expected_min = sum(int(r["civilian_deaths_conceded_min"] or 0) for r in verdicts)
    expected_max = sum(int(r["civilian_deaths_conceded_max"] or 0) for r in verdicts)
    assert expected_max > 0
    for mart, where in [("fct_belligerent_statements", "where is_verdict_in_force"),
                        ("fct_incidents", ""), ("fct_incident_belligerents", "")]:
        sums = aq(f"select sum(deaths_conceded_min) as lo, sum(deaths_conceded_max) as hi from {mart} {where}")
        assert (sums.lo.iloc[0], sums.hi.iloc[0]) == (expected_min, expected_max), mart
    monthly = aq("select sum(deaths_conceded_max) as hi from fct_monthly_belligerent_summary "
                 "where belligerent_id = 'coalition'").hi.iloc[0]
    coalition = aq("select sum(deaths_conceded_max) as hi from fct_incident_belligerents "
                   "where belligerent_id = 'coalition' and is_civilian_harm_reported").hi.iloc[0]
    assert monthly == coalition


def test_no_month_in_range_is_missing(aq):
    monthly = aq("select month, belligerent_id, country_id from fct_monthly_belligerent_summary")
    months = pd.date_range("2014-08-01", monthly.month.max(), freq="MS")
    assert monthly.month.max() >= pd.Timestamp("2026-03-01")
    for (_, _), group in monthly.groupby(["belligerent_id", "country_id"]):
        assert list(group.month.sort_values()) == list(months)
    comparison = aq("select month from monthly_coalition_vs_russia where country_id = 'syria' "
                    "and month between date '2014-09-01' and date '2019-12-01'")
    assert len(comparison) == len(pd.date_range("2014-09-01", "2019-12-01", freq="MS"))


def test_2017_comparison_reads_straight_from_the_mart(aq):
    rows = aq("select * from monthly_coalition_vs_russia where country_id = 'syria' "
              "and month between date '2017-01-01' and date '2017-12-01' order by month")
    assert len(rows) == 12
    assert (rows.coalition_alleged_incidents > 0).all() and (rows.russia_alleged_incidents > 0).all()
    assert rows.is_synthetic.eq(False).all()


def test_figures_agree_with_airwars_published_numbers(aq):
    """The archive README quotes Airwars' own publications; Airwars revises its data, so
    agreement is within a few incidents, and exact where the README says so."""
    russia = aq("select month, alleged_incidents, alleged_killed_min, alleged_killed_max "
                "from fct_monthly_belligerent_summary where belligerent_id = 'russia' and country_id = 'syria'")
    russia = russia.set_index(russia.month.dt.strftime("%Y-%m"))
    assert abs(russia.loc["2017-02", "alleged_incidents"] - 60) <= 3
    assert abs(russia.loc["2017-03", "alleged_incidents"] - 114) <= 3
    march_2018 = russia.loc["2018-03"]
    assert abs(march_2018.alleged_incidents - 250) <= 3
    assert (march_2018.alleged_killed_min, march_2018.alleged_killed_max) == (935, 1518)
    h1_2018 = aq("select sum(likely_killed_min) as lo, sum(likely_killed_max) as hi "
                 "from fct_monthly_belligerent_summary where belligerent_id = 'coalition' "
                 "and country_id = 'syria' and month between date '2018-01-01' and date '2018-06-01'")
    assert (h1_2018.lo.iloc[0], h1_2018.hi.iloc[0]) == (312, 484)


def test_nothing_from_the_archive_is_marked_synthetic(aq):
    assert not aq("select bool_or(is_synthetic) as any_synthetic from fct_incidents").any_synthetic.iloc[0]
    assert aq("select is_synthetic from dim_datasets").is_synthetic.tolist() == [False]


def test_the_syria_only_archive_has_no_iraq_rows_and_is_not_free_to_share(aq):
    # In scope: the countries with an incident or a claim. The archive covers Syria only (its two
    # stray CI codes are placed in Syria), so no monthly file has all-zero Iraq rows.
    in_scope = set(aq("select coalesce(country_id, 'unknown') as c from fct_incidents union "
                      "select coalesce(country_id, 'unknown') from fct_claims").c)
    assert in_scope == {"syria"}
    for export in ("export_monthly_belligerent_summary", "export_grade_summary", "export_admitted_vs_alleged",
                   "export_monthly_coalition_vs_russia"):
        assert set(aq(f"select distinct country_id from exports.{export}").country_id) - {"all"} == in_scope, export
    terms = aq("select is_redistributable, credit from dim_datasets")
    assert terms.is_redistributable.tolist() == [False]
    assert terms.credit.tolist() == ["Data: Airwars (airwars.org)"]


def test_saved_analyses_and_readme_questions_run_on_the_published_archive_copy(archive_build, tmp_path):
    """The analyst's first hour on the real data: the archive published as the analysts' copy
    archive.duckdb (catalog `archive`); every saved analysis, compiled against the build, and every
    SQL block of the README's "Which table answers my question" run on it read-only. The archive is
    Syria only, so a question about an Iraqi town may find no row here: errors fail, not emptiness."""
    result, duckdb_path = archive_build
    assert result.success
    link = publish(duckdb_path, tmp_path / "published", name="archive",
                   run_results=duckdb_path.parent / "target" / "run_results.json").link
    # Compiled against a file of its own: the build file is open in this process (read-only, other
    # tests), and DuckDB refuses a second connection to it with another configuration. The SQL names
    # no catalog, so the file it was compiled against does not matter.
    analyses = compile_analyses(tmp_path / "compile" / "scratch.duckdb", tmp_path / "compile_target")
    queries = {**analyses, **{f"README block {index + 1}": sql for index, sql in enumerate(readme_section_sql())}}
    failures, rows = {}, {}
    for name, sql in queries.items():
        try:
            rows[name] = len(run_read_only(link, sql))
        except duckdb.Error as exc:
            failures[name] = str(exc).splitlines()[0]
    assert not failures, f"failing on the published archive copy: {failures}"
    # the archive has Russia's and the coalition's incidents: the per-side analyses have rows
    assert rows["record_month_per_side"] > 0 and rows["share_contested_per_belligerent"] > 0
