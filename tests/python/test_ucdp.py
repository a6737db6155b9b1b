"""A second monitor: UCDP GED (README, "A second monitor: UCDP GED").

The real GED Syria file is read where it lies (../shared/data/external/ucdp-ged-syria, never
copied into the repository) into a build of the demo with var civcas_ucdp_path, over a period
that covers the file (civcas_last_month 2019-12). The figures are checked against what the
file's README states and against the file itself, read here with Python's csv module. Without
the shared folder the tests skip (on CI they fail, as the archive tests do)."""

from __future__ import annotations

import csv
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import PROJECT_DIR, run_dbt

UCDP_FILE = PROJECT_DIR.parent / "shared" / "data" / "external" / "ucdp-ged-syria" / "ged_syria.csv"

# Interface 1 (agreed with the charts): the export's columns, in order, and their types.
EXPORT_COLUMNS = [
    ("month", "DATE"), ("side", "VARCHAR"),
    ("airwars_incidents", "INTEGER"), ("airwars_killed_min", "INTEGER"), ("airwars_killed_max", "INTEGER"),
    ("ucdp_events", "INTEGER"), ("ucdp_civilian_deaths", "INTEGER"), ("ucdp_best_deaths", "INTEGER"),
    ("killed_min_to_ucdp_ratio", "DOUBLE"), ("killed_max_to_ucdp_ratio", "DOUBLE"),
    ("incidents_to_events_ratio", "DOUBLE"), ("is_ucdp_covered", "BOOLEAN"), ("is_synthetic", "BOOLEAN"),
]

UCDP_MODELS = "+fct_monthly_monitor_comparison +fct_monthly_governorate_comparison +export_monthly_monitor_comparison"
# the reconciliation tests and the checks of the UCDP models (only tests whose every parent is built)
UCDP_TESTS = ("assert_ucdp_events_reconcile assert_monitor_comparison_reconciles stg_ucdp__events "
              "int_ucdp_events_validated int_ucdp_events_attributed fct_monthly_monitor_comparison "
              "fct_monthly_governorate_comparison export_monthly_monitor_comparison")


def _require_file() -> None:
    if not UCDP_FILE.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the UCDP GED file is missing: put the shared data folder at {UCDP_FILE.parent}")
        pytest.skip(f"the UCDP GED file is not at {UCDP_FILE}")


@pytest.fixture(scope="module")
def ucdp_rows() -> list[dict[str, str]]:
    _require_file()
    with UCDP_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def ucdp_build(tmp_path_factory: pytest.TempPathFactory):
    _require_file()
    workdir = tmp_path_factory.mktemp("ucdp_build")
    duckdb_path = workdir / "ucdp.duckdb"
    variables = f"{{civcas_ucdp_path: '{UCDP_FILE}', civcas_last_month: '2019-12-01'}}"
    run = run_dbt(["build", "--select", *UCDP_MODELS.split(), "--exclude-resource-type", "test",
                   "--exclude-resource-type", "unit_test", "--vars", variables],
                  PROJECT_DIR, duckdb_path, workdir / "target")
    tests = run_dbt(["test", "--select", *UCDP_TESTS.split(), "--indirect-selection", "cautious",
                     "--exclude-resource-type", "unit_test", "--vars", variables],
                    PROJECT_DIR, duckdb_path, workdir / "target")
    return run, tests, duckdb_path


@pytest.fixture(scope="module")
def uq(ucdp_build) -> Iterator:
    """uq(sql) -> DataFrame over the build."""
    connection = duckdb.connect(str(ucdp_build[2]), read_only=True)
    yield lambda sql: connection.sql(sql).df()
    connection.close()


def test_build_and_reconciliation_tests_pass(ucdp_build):
    run, tests, _ = ucdp_build
    assert run.success, run.exception
    ran = [result.node.name for result in tests.result]
    failures = [result.node.name for result in tests.result if result.status != "pass"]
    assert tests.success and not failures, failures
    assert {"assert_ucdp_events_reconcile", "assert_monitor_comparison_reconciles",
            "export_monthly_monitor_comparison__checks"} <= set(ran), ran


def test_every_line_of_the_file_is_one_clean_event(uq, ucdp_rows):
    counts = uq("select count(*) as lines, count(*) filter (where is_quarantined) as quarantined "
                "from intermediate.int_ucdp_events_validated").iloc[0]
    assert counts.lines == len(ucdp_rows) == 16566
    assert counts.quarantined == 0
    # the README's headline counts: the texts are read whole (quotes, line breaks inside fields)
    headlines = uq("select count(*) filter (where lower(source_headline) like '%coalition%') as coalition, "
                   "count(*) filter (where source_headline like '%Russian%') as russian "
                   "from intermediate.int_ucdp_events_attributed").iloc[0]
    assert (headlines.coalition, headlines.russian) == (776, 707)


def test_mart_gives_the_readme_civilian_deaths(uq):
    monthly = uq("select month, ucdp_civilian_deaths from main.fct_monthly_monitor_comparison "
                 "where side = 'all_actors' order by month")
    assert monthly.ucdp_civilian_deaths.sum() == 26653
    first_half_2017 = monthly[(monthly.month >= pd.Timestamp("2017-01-01")) & (monthly.month <= pd.Timestamp("2017-06-01"))]
    assert first_half_2017.ucdp_civilian_deaths.tolist() == [615, 532, 993, 767, 773, 1029]


def test_mart_months_equal_the_file(uq, ucdp_rows):
    by_month: Counter[str] = Counter()
    events: Counter[str] = Counter()
    for row in ucdp_rows:
        by_month[row["date_start"][:7]] += int(row["deaths_civilians"])
        events[row["date_start"][:7]] += 1
    mart = uq("select strftime(month, '%Y-%m') as month, ucdp_events, ucdp_civilian_deaths, is_ucdp_covered "
              "from main.fct_monthly_monitor_comparison where side = 'all_actors'")
    covered = mart[mart.is_ucdp_covered]
    assert set(covered.month) == set(by_month) and (min(by_month), max(by_month)) == ("2016-01", "2019-11")
    assert dict(zip(covered.month, covered.ucdp_civilian_deaths, strict=True)) == dict(by_month)
    assert dict(zip(covered.month, covered.ucdp_events, strict=True)) == dict(events)
    assert (mart[~mart.is_ucdp_covered].ucdp_events == 0).all()


def test_governorates_keep_every_death_and_report_the_unmapped(uq, ucdp_rows):
    without_adm_1 = [row for row in ucdp_rows if not row["adm_1"]]
    governorates = uq("select governorate_id, sum(ucdp_events) as events, sum(ucdp_civilian_deaths) as deaths, "
                      "sum(ucdp_events_without_adm_1) as without_adm_1, "
                      "sum(ucdp_events_with_unmapped_adm_1) as unmapped "
                      "from main.fct_monthly_governorate_comparison group by governorate_id").set_index("governorate_id")
    assert governorates.deaths.sum() == 26653
    assert governorates.loc["unknown", "without_adm_1"] == len(without_adm_1)
    # every adm_1 written in the file maps onto a governorate (ref_ucdp_governorates)
    assert governorates.loc["unknown", "unmapped"] == 0
    assert governorates.loc["unknown", "events"] == len(without_adm_1)
    by_adm_1 = Counter(row["adm_1"] for row in ucdp_rows if row["adm_1"])
    assert governorates.loc["aleppo", "events"] == by_adm_1["Aleppo Governorate"]
    assert governorates.loc["raqqa", "events"] == by_adm_1["Ar Raqqah Governorate"]


def test_attribution_partitions_the_events(uq):
    sides = uq("select attributed_sides, count(*) as events, "
               "count(*) filter (where is_attributed_to_coalition and not mentions_coalition) as coalition_unnamed, "
               "count(*) filter (where is_attributed_to_russia and not mentions_russia) as russia_unnamed "
               "from intermediate.int_ucdp_events_attributed group by attributed_sides").set_index("attributed_sides")
    print("\nUCDP events by attributed side:", sides.events.to_dict())
    assert sides.events.sum() == 16566
    assert set(sides.index) == {"coalition", "russia", "both", "neither"}
    assert sides.coalition_unnamed.sum() == 0 and sides.russia_unnamed.sum() == 0
    # an event naming both sides counts for each in the per-side rows
    per_side = uq("select side, sum(ucdp_events) as events from main.fct_monthly_monitor_comparison "
                  "group by side").set_index("side").events
    assert per_side["coalition"] == sides.events["coalition"] + sides.events["both"]
    assert per_side["russia"] == sides.events["russia"] + sides.events["both"]
    # most headlines that mention a side blame it; the guards take out a minority
    mentions = uq("select count(*) filter (where mentions_coalition) as coalition, "
                  "count(*) filter (where mentions_russia) as russia from intermediate.int_ucdp_events_attributed").iloc[0]
    assert 0.5 * mentions.coalition < per_side["coalition"] < mentions.coalition
    assert 0.5 * mentions.russia < per_side["russia"] < mentions.russia


def test_export_has_the_agreed_columns(uq):
    described = uq("describe exports.export_monthly_monitor_comparison")
    assert list(zip(described.column_name, described.column_type, strict=True)) == EXPORT_COLUMNS
    export = uq("select * from exports.export_monthly_monitor_comparison")
    assert set(export.side) == {"coalition", "russia", "all_actors"}
    zero = export[export.ucdp_civilian_deaths == 0]
    assert zero.killed_min_to_ucdp_ratio.isna().all() and zero.killed_max_to_ucdp_ratio.isna().all()
    some = export[export.ucdp_civilian_deaths > 0]
    assert (some.killed_max_to_ucdp_ratio == some.airwars_killed_max / some.ucdp_civilian_deaths).all()


def test_without_a_file_the_export_still_has_its_rows(demo_build):
    """The demo (no UCDP file): every month and side, UCDP figures 0, nothing covered."""
    _, duckdb_path = demo_build
    with duckdb.connect(str(Path(duckdb_path)), read_only=True) as connection:
        export = connection.sql("select * from exports.export_monthly_monitor_comparison").df()
        months = connection.sql("select count(distinct month) from main.fct_monthly_belligerent_summary").fetchone()[0]
    assert len(export) == 3 * months > 0
    assert (export.ucdp_events == 0).all() and not export.is_ucdp_covered.any()
    assert export.is_synthetic.all()


def test_bad_lines_are_quarantined_with_their_rule(tmp_path: Path, ucdp_rows):
    """Real lines of the file, changed into the faults the checks name (a synthetic test file,
    in tmp only): every line is clean or quarantined with its rule, and the reconciliation holds."""
    first, second, third = (dict(row) for row in ucdp_rows[:3])
    broken = [
        first, dict(first),                                          # an exact copy: the second quarantined
        {**second, "date_start": "2017-02-31"},                      # no such day
        {**third, "best": str(int(third["best"]) + 1)},              # best is not the sum of the deaths
        {**ucdp_rows[3], "id": "x12"},                               # an id that is no number
        {**ucdp_rows[4], "date_end": "2015-12-31"},                  # ends before it starts
        {**ucdp_rows[5], "id": ucdp_rows[6]["id"]},                   # one id, two different lines
        dict(ucdp_rows[6]),
        dict(ucdp_rows[7]),                                          # clean
    ]
    path = tmp_path / "synthetic_ged_lines.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(ucdp_rows[0]))
        writer.writeheader()
        writer.writerows(broken)
    duckdb_path = tmp_path / "bad.duckdb"
    variables = f"{{civcas_ucdp_path: '{path}'}}"
    result = run_dbt(["build", "--select", "ref_ucdp_governorates", "stg_ucdp__events", "int_ucdp_events_validated",
                      "int_ucdp_events_attributed", "assert_ucdp_events_reconcile", "--indirect-selection", "cautious",
                      "--exclude-resource-type", "unit_test", "--vars", variables],
                     PROJECT_DIR, duckdb_path, tmp_path / "target")
    assert result.success, [r.node.name for r in result.result if r.status not in ("pass", "success")]
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        rules = connection.sql("select event_id_raw, quarantine_rule, quarantine_reason "
                               "from intermediate.int_ucdp_events_validated order by raw_row_key").df()
        clean = connection.sql("select count(*) from intermediate.int_ucdp_events_attributed").fetchone()[0]
    assert len(rules) == len(broken)
    assert Counter(rules.quarantine_rule.dropna()) == Counter({
        "exact_duplicate": 1, "missing_date": 1, "deaths_do_not_add_up": 1, "unreadable_id": 1,
        "date_end_before_start": 1, "conflicting_duplicate_id": 2,
    })
    assert rules.quarantine_rule.notna().eq(rules.quarantine_reason.notna()).all()
    assert clean == 2  # the first copy of the copied line, and the clean line
