"""Checks on the demo warehouse built by dbt, read with pandas."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from conftest import PROJECT_DIR

MARTS = [
    "fct_assessment_backlog",
    "fct_monthly_assessment_backlog",
    "dim_belligerents",
    "dim_datasets",
    "dim_sources",
    "fct_belligerent_statements",
    "fct_claims",
    "fct_declared_strikes",
    "fct_incident_assessments",
    "fct_incident_belligerents",
    "fct_incidents",
    "fct_monthly_belligerent_summary",
    "fct_monthly_grade_summary",
    "fct_quarantined_rows",
    "fct_field_issues",
    "monthly_coalition_vs_russia",
]
RAW_TABLES = {
    "raw_claims": ("fct_claims", None),
    "raw_sources": ("dim_sources", None),
    "raw_incidents": ("fct_incidents", None),
    "raw_incident_assessments": ("fct_incident_assessments", None),
    "raw_belligerent_statements": ("fct_belligerent_statements", None),
    "raw_declared_strikes": ("fct_declared_strikes", None),
    "raw_incident_belligerents": ("intermediate.int_incident_belligerents_validated", "not is_quarantined"),
}


def test_dbt_build_succeeds_with_every_node_passing(demo_build):
    result, _ = demo_build
    assert result.exception is None, result.exception
    failures = [
        f"{r.node.unique_id}: {r.status} {r.message}"
        for r in result.result
        # exposures report no-op in `dbt build`; no other node may
        if str(r.status) not in {"success", "pass"}
        and not (str(r.status) == "no-op" and r.node.resource_type == "exposure")
    ]
    assert failures == []
    assert result.success


def test_every_mart_is_a_table_in_the_duckdb_file(query):
    tables = set(query("select table_name from information_schema.tables "
                       "where table_schema = 'main' and table_type = 'BASE TABLE'")["table_name"])
    assert set(MARTS) <= tables


def test_march_2017_coalition_above_russia(query):
    rows = query("select * from monthly_coalition_vs_russia where month = date '2017-03-01'")
    in_scope = set(query("select distinct country_id from fct_monthly_belligerent_summary").country_id)
    assert set(rows.country_id) == {"all"} | in_scope and {"syria", "iraq"} <= in_scope
    assert (rows[rows.country_id != "unknown"].side_with_more_alleged_incidents == "coalition").all()
    row = rows[rows.country_id == "all"].iloc[0]
    assert row.coalition_alleged_incidents > row.russia_alleged_incidents
    assert row.coalition_alleged_killed_max > row.russia_alleged_killed_max
    assert row.side_with_more_alleged_incidents == "coalition"
    assert row.side_with_more_alleged_deaths == "coalition"


def test_march_2017_is_the_coalitions_record_month(query):
    monthly = query("select month, coalition_alleged_incidents from monthly_coalition_vs_russia "
                    "where country_id = 'all'")
    record = monthly.sort_values("coalition_alleged_incidents", ascending=False).iloc[0]
    assert str(record.month)[:7] == "2017-03"


def test_coalition_overtakes_russia_in_the_early_2017_surge(query):
    monthly = query("select * from monthly_coalition_vs_russia where country_id = 'all' "
                    "and month between date '2016-06-01' and date '2017-06-01' order by month")
    before = monthly[monthly.month < pd.Timestamp("2017-01-01")]
    surge = monthly[monthly.month.between(pd.Timestamp("2017-02-01"), pd.Timestamp("2017-04-01"))]
    assert (before.russia_alleged_incidents > before.coalition_alleged_incidents).mean() > 0.5
    assert (surge.coalition_alleged_incidents > surge.russia_alleged_incidents).all()


def test_every_mart_says_it_is_synthetic(query):
    for mart in MARTS:
        flags = query(f"select distinct is_synthetic from {mart}")["is_synthetic"].tolist()
        assert flags == [True], f"{mart} does not flag the demo as synthetic: {flags}"


def test_monthly_spine_has_every_month_for_every_belligerent(query):
    summary = query("select month, belligerent_id, country_id from fct_monthly_belligerent_summary")
    months = pd.date_range("2014-08-01", summary.month.max(), freq="MS")
    belligerents = query("select belligerent_id from dim_belligerents")["belligerent_id"]
    # The countries in scope: those with an incident or a claim (unknown: one with no country).
    countries = set(query("select coalesce(country_id, 'unknown') as country_id from fct_incidents union "
                          "select coalesce(country_id, 'unknown') from fct_claims").country_id)
    assert countries >= {"syria", "iraq"}
    assert set(summary.country_id) == countries
    assert len(summary) == len(months) * len(belligerents) * len(countries)
    assert not summary.duplicated().any()
    assert summary.month.min() == pd.Timestamp("2014-08-01")
    assert summary.month.max() >= pd.Timestamp("2019-12-01")


def test_russia_has_no_allegations_before_its_campaign(query):
    early = query("select sum(alleged_incidents) as n from fct_monthly_belligerent_summary "
                  "where belligerent_id = 'russia' and month < date '2015-09-01'")
    assert early.n.iloc[0] == 0


def _raw_csv_rows(table: str) -> list[dict[str, str]]:
    with open(PROJECT_DIR / "seeds" / "raw" / f"{table}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("table", list(RAW_TABLES) + ["raw_dataset"])
def test_raw_tables_keep_the_evidence_byte_for_byte(query, table):
    """Raw tables are all text, exactly as recorded (an empty field is null)."""
    expected = _raw_csv_rows(table)
    stored = query(f"select * from raw.{table}")
    assert (stored.dtypes == object).all()  # noqa: E721 (a dtype, not a type), "raw columns must all be text"
    assert len(stored) == len(expected)
    expected_frame = pd.DataFrame(expected, columns=stored.columns).replace({"": None})
    stored_sorted = stored.astype(object).where(stored.notna(), None)
    key = list(stored.columns)
    left = expected_frame.fillna("\x00").sort_values(key).reset_index(drop=True)
    right = stored_sorted.fillna("\x00").sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right, check_dtype=False)


@pytest.mark.parametrize("raw_table", list(RAW_TABLES))
def test_every_raw_row_is_clean_or_quarantined(query, raw_table):
    clean_model, clean_filter = RAW_TABLES[raw_table]
    raw_rows = query(f"select count(*) as n from raw.{raw_table}").n.iloc[0]
    where = f" where {clean_filter}" if clean_filter else ""
    clean_rows = query(f"select count(*) as n from {clean_model}{where}").n.iloc[0]
    quarantined = query(
        f"select count(*) as n from fct_quarantined_rows where raw_table = '{raw_table}'"
    ).n.iloc[0]
    assert raw_rows == clean_rows + quarantined
    assert raw_rows > 0


def test_quarantine_reasons_are_readable_and_name_the_value(query):
    quarantined = query("select * from fct_quarantined_rows")
    assert quarantined.quarantine_reason.str.len().min() > 20
    bad_dates = quarantined[quarantined.quarantine_rule == "unparseable_date"]
    assert not bad_dates.empty
    # The reason quotes the value as written, so a researcher can find and fix it.
    assert bad_dates.quarantine_reason.str.contains("'").all()


@pytest.mark.parametrize(
    "rule",
    [
        "unparseable_date",
        "unknown_belligerent",
        "coordinates_outside_country",
        "exact_duplicate",
        "conflicting_duplicate_id",
        "unknown_governorate",
        "unknown_incident_code",
        "implausible_date",
    ],
)
def test_demo_dirty_rows_are_quarantined_by_rule(query, rule):
    count = query(f"select count(*) as n from fct_quarantined_rows where quarantine_rule = '{rule}'").n.iloc[0]
    assert count > 0, f"no raw row was quarantined for {rule}"


@pytest.mark.parametrize("rule", ["min_above_max", "negative_number", "unparseable_number"])
def test_demo_dirty_figures_are_field_issues_on_clean_rows(query, rule):
    """A broken figure nulls its field (pair), not the row: the row is in its mart, flagged."""
    issues = query(f"select * from fct_field_issues where rule = '{rule}'")
    assert not issues.empty, f"no field issue was recorded for {rule}"
    assert (issues.action == "nulled").all()
    quarantined = query(f"select count(*) as n from fct_quarantined_rows where quarantine_rule = '{rule}'").n.iloc[0]
    assert quarantined == 0
    for raw_table, mart, id_column in [("raw_claims", "fct_claims", "claim_id"),
                                       ("raw_incident_assessments", "fct_incident_assessments", "assessment_id")]:
        ids = issues[issues.raw_table == raw_table].record_id.tolist()
        if ids:
            rows = query(f"select {id_column}, needs_review, review_reasons from {mart} "
                         f"where {id_column} in ({', '.join(repr(i) for i in ids)})")
            assert set(rows[id_column]) == set(ids) and rows.needs_review.all()


def test_swapped_coordinates_are_put_back_in_syria_or_iraq(query):
    swapped = query("select * from fct_claims where are_coordinates_swapped")
    assert not swapped.empty
    countries = query("select * from reference.ref_countries").set_index("country_id")
    for _, claim in swapped.iterrows():
        box = countries.loc[claim.country_id]
        assert box.min_latitude <= claim.latitude <= box.max_latitude
        assert box.min_longitude <= claim.longitude <= box.max_longitude


def test_disproved_is_read_as_discounted_and_blank_grades_stay_ungraded(query):
    decisions = query("select grade_as_written, grade_id from fct_incident_assessments")
    disproved = decisions[decisions.grade_as_written.str.lower().str.strip().eq("disproved").fillna(False)]
    assert not disproved.empty
    assert (disproved.grade_id == "discounted").all()
    blank = decisions[decisions.grade_as_written.isna()]
    assert not blank.empty and blank.grade_id.isna().all()


def test_ungraded_incidents_are_visible_and_not_counted_as_weak(query):
    incidents = query("select grade_id, is_graded from fct_incidents")
    assert (~incidents.is_graded).sum() > 0
    assert incidents[~incidents.is_graded].grade_id.isna().all()


def test_grade_groups_partition_alleged_totals_recomputed_in_pandas(query):
    rows = query("select * from fct_incident_belligerents where is_civilian_harm_reported")
    rows["grade_group"] = rows.grade_id.fillna("ungraded")
    for measure in ["civilians_killed_min", "civilians_killed_max"]:
        by_group = rows.groupby(["belligerent_id", "grade_group"])[measure].sum().groupby("belligerent_id").sum()
        total = rows.groupby("belligerent_id")[measure].sum()
        pd.testing.assert_series_equal(by_group, total, check_names=False)
    summary = query("select belligerent_id, sum(alleged_killed_max) as killed_max, "
                    "sum(alleged_incidents) as incidents from fct_monthly_belligerent_summary group by 1")
    summary = summary.set_index("belligerent_id")
    recomputed = rows.groupby("belligerent_id").agg(killed_max=("civilians_killed_max", "sum"),
                                                    incidents=("incident_code", "count"))
    for belligerent, figures in recomputed.iterrows():
        assert summary.loc[belligerent, "killed_max"] == figures.killed_max
        assert summary.loc[belligerent, "incidents"] == figures.incidents


def test_likely_for_russia_means_fair_only(query):
    russia = query("select grade_id, is_likely_for_belligerent from fct_incident_belligerents "
                   "where belligerent_id = 'russia'")
    assert set(russia[russia.is_likely_for_belligerent].grade_id) <= {"fair"}


def test_incidents_blamed_on_both_sides_count_for_each(query):
    both = query("select incident_code from fct_incident_belligerents "
                 "where belligerent_id in ('coalition', 'russia') and is_civilian_harm_reported "
                 "group by incident_code having count(distinct belligerent_id) = 2")
    assert len(both) > 0
    reported = query("select sum(incidents_blamed_on_both) as n from monthly_coalition_vs_russia "
                     "where country_id = 'all'").n.iloc[0]
    assert reported == len(both)


def test_contested_incidents_blamed_on_russia_and_the_regime_exist(query):
    contested = query("select incident_code from fct_incident_belligerents "
                      "where belligerent_id in ('russia', 'syrian_regime') "
                      "group by incident_code having count(distinct belligerent_id) = 2")
    assert len(contested) > 0


def test_claims_are_linked_or_unlinked(query):
    claims = query("select is_linked, incident_code from fct_claims")
    assert (claims.is_linked == claims.incident_code.notna()).all()
    assert (~claims.is_linked).sum() > 0 and claims.is_linked.sum() > 0


def test_protected_sources_never_appear_in_marts(query):
    protected = query("select source_name, source_handle, source_url from raw.raw_sources "
                      "where lower(trim(is_protected)) = 'true'")
    assert not protected.empty
    values = {v.strip() for v in protected.to_numpy().ravel() if isinstance(v, str) and v.strip()}
    # fct_quarantined_rows too: it withholds protected rows (the full ones are in restricted)
    for mart in MARTS:
        frame = query(f"select * from {mart}")
        text = frame.select_dtypes(include="object").astype(str).to_numpy().ravel()
        hits = {value for value in values for cell in text if value in cell}
        assert not hits, f"{mart} reveals protected source values {sorted(hits)[:3]}"


def test_coalition_verdicts_include_credible_with_conceded_deaths(query):
    statements = query("select verdict_id, deaths_conceded_max from fct_belligerent_statements "
                       "where belligerent_id = 'coalition' and is_verdict_in_force")
    credible = statements[statements.verdict_id == "credible"]
    assert len(credible) > 0 and credible.deaths_conceded_max.fillna(0).sum() > 0
    assert (statements.verdict_id == "non_credible").sum() > 0


def test_grade_history_shows_grades_changing(query):
    changed = query("select count(*) as n from fct_incidents where previous_grade_id is not null").n.iloc[0]
    assert changed > 0


def test_declared_strikes_match_some_incidents(query):
    matched = query("select count(*) as n from fct_incidents where declared_strike_releases_nearby > 0").n.iloc[0]
    assert matched > 0


def test_every_model_states_its_grain_and_describes_every_column(manifest, query):
    built = query("select table_schema, table_name, column_name from information_schema.columns")
    problems = []
    for node in manifest["nodes"].values():
        if node["resource_type"] not in {"model", "seed"} or node["package_name"] != "civcas":
            continue
        if "grain" not in node["description"].lower():
            problems.append(f"{node['name']}: description does not state its grain")
        columns = built[(built.table_schema == node["schema"]) & (built.table_name == node["alias"])]
        assert not columns.empty, f"{node['name']} was not built"
        for column in columns.column_name:
            documented = node["columns"].get(column, {}).get("description", "").strip()
            if not documented:
                problems.append(f"{node['name']}.{column}: not described")
    assert problems == []


def test_every_mart_has_an_enforced_contract(manifest):
    marts = [n for n in manifest["nodes"].values()
             if n["resource_type"] == "model" and n["original_file_path"].startswith("models/marts/")]
    assert {m["name"] for m in marts} >= set(MARTS)
    assert all(m["config"]["contract"]["enforced"] for m in marts)
