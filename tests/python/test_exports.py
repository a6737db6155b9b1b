"""Checks on the release exports (schema `exports`) and the restricted schema, on the demo
warehouse built once per session by conftest's `demo_build`.

The release command finds its files through the `release_<file>` exposures in the manifest,
so each export must have one; releases must be byte-identical for the same data, so each
export is sorted on its full key; and no protected source's name, handle or link may appear
anywhere outside the `restricted` schema, which is checked here by scanning every text column
of `main` and `exports` with DuckDB, independently of the dbt test that does the same. The
dbt tests written for the exports are shown to fail on a damaged copy of the warehouse.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import PROJECT_DIR, run_dbt

# release file name -> the columns its rows are sorted on (the full key)
EXPORT_KEYS: dict[str, list[str]] = {
    "public_incidents": ["incident_date", "incident_code"],
    "monthly_coalition_vs_russia": ["month", "country_id"],
    "monthly_belligerent_summary": ["month", "belligerent_id", "country_id"],
    "grade_summary": ["month", "belligerent_id", "country_id", "grade_group_sort_order", "grade_group"],
    "admitted_vs_alleged": ["month", "belligerent_id", "country_id"],
    "monthly_monitor_comparison": ["month", "side"],
}
PUBLICATION_OWNER = {"name": "civcas publication team", "email": "publication@civcas.invalid"}
SCANNED_SCHEMAS = ("main", "exports")
EXPORT_TESTS = [
    "assert_no_protected_value_outside_restricted",
    "assert_export_grade_summary_partitions_alleged_totals",
    "assert_export_admitted_vs_alleged_reconciles",
    "assert_exports_agree_with_marts",
]


def _text_columns(connection: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(schema, table, column) of every text column of the base tables in `schemas`."""
    return connection.execute(
        "select c.table_schema, c.table_name, c.column_name "
        "from information_schema.columns as c "
        "inner join information_schema.tables as t "
        "on c.table_catalog = t.table_catalog and c.table_schema = t.table_schema "
        "and c.table_name = t.table_name "
        "where t.table_type = 'BASE TABLE' and c.data_type = 'VARCHAR' "
        f"and c.table_schema in ({', '.join('?' for _ in schemas)}) "
        "order by 1, 2, 3",
        list(schemas),
    ).fetchall()


def _protected_values_found(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(table, column, value) for every protected value found in a text column of `main` or
    `exports`, ignoring letter case."""
    found = []
    for schema, table, column in _text_columns(connection, SCANNED_SCHEMAS):
        rows = connection.execute(
            f'select distinct values_.protected_value from "{schema}"."{table}" as scanned '
            "inner join restricted.restricted_protected_values as values_ "
            f'on position(lower(values_.protected_value) in lower(scanned."{column}")) > 0'
        ).fetchall()
        found += [(f"{schema}.{table}", column, value) for (value,) in rows]
    return found


def _copy_warehouse(demo_build, destination: Path) -> Path:
    """A private copy of the demo warehouse (named civcas.duckdb: views embed the file name)."""
    _, duckdb_path = demo_build
    destination.mkdir(parents=True, exist_ok=True)
    copy = destination / "civcas.duckdb"
    shutil.copyfile(duckdb_path, copy)
    return copy


# ----------------------------------------------------------------------------- exposures


@pytest.mark.parametrize("release_file", sorted(EXPORT_KEYS))
def test_every_export_has_its_release_exposure(manifest, release_file):
    exposure = manifest["exposures"].get(f"exposure.civcas.release_{release_file}")
    assert exposure is not None, f"no exposure release_{release_file} in models/exports/_exports__models.yml"
    assert exposure["type"] in {"application", "dashboard"}
    assert exposure["owner"]["name"] == PUBLICATION_OWNER["name"]
    assert exposure["owner"]["email"] == PUBLICATION_OWNER["email"]
    assert exposure["depends_on"]["nodes"] == [f"model.civcas.export_{release_file}"]
    assert exposure["meta"]["release_file"] == release_file
    assert exposure["description"].strip()


def test_every_export_model_is_released_and_every_release_is_an_export(manifest):
    export_models = {node["name"] for node in manifest["nodes"].values()
                     if node["resource_type"] == "model" and node["schema"] == "exports"}
    released = {exposure["meta"]["release_file"]: exposure["depends_on"]["nodes"]
                for exposure in manifest["exposures"].values() if exposure["name"].startswith("release_")}
    assert export_models == {f"export_{name}" for name in EXPORT_KEYS}
    assert set(released) == set(EXPORT_KEYS)


@pytest.mark.parametrize("release_file", sorted(EXPORT_KEYS))
def test_every_export_is_a_contracted_table_in_the_exports_schema(manifest, warehouse, release_file):
    node = manifest["nodes"][f"model.civcas.export_{release_file}"]
    assert node["schema"] == "exports"
    assert node["config"]["materialized"] == "table"
    assert node["config"]["contract"]["enforced"]
    documented = list(node["columns"])
    assert all(node["columns"][c]["data_type"] and node["columns"][c]["description"].strip() for c in documented)
    built = [row[0] for row in warehouse.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'exports' and table_name = ? order by ordinal_position",
        [f"export_{release_file}"],
    ).fetchall()]
    # the CSV's column order is the contract's order
    assert built == documented
    assert "is_synthetic" in built


# ----------------------------------------------------------------------------- ordering


@pytest.mark.parametrize("release_file, key", sorted(EXPORT_KEYS.items()))
def test_every_export_is_sorted_on_its_full_key(manifest, warehouse, release_file, key):
    compiled = manifest["nodes"][f"model.civcas.export_{release_file}"]["compiled_code"]
    final_order = re.search(r"order by ([\w, ]+)\s*$", compiled.strip())
    assert final_order, f"export_{release_file}: the final select has no order by"
    assert [c.strip() for c in final_order.group(1).split(",")] == key

    table = f"exports.export_{release_file}"
    keys = ", ".join(key)
    rows = warehouse.execute(f"select count(*), count(distinct ({keys})) from {table}").fetchone()
    assert rows[0] > 0 and rows[0] == rows[1], f"{table}: ({keys}) is not a key"
    # read in storage order, the rows already come sorted, the same way twice
    as_stored = warehouse.sql(f"select * from {table}").fetchall()
    assert as_stored == warehouse.sql(f"select * from {table} order by {keys}").fetchall()
    assert as_stored == warehouse.sql(f"select * from {table}").fetchall()


def test_the_public_incident_list_is_every_registered_incident(query):
    exported = query("select incident_code from exports.export_public_incidents")
    registered = query("select incident_code from fct_incidents")
    assert sorted(exported.incident_code) == sorted(registered.incident_code)
    assert not exported.incident_code.str.startswith("CAND-").any()
    basis = query("select grade_basis, count(*) as n, count(grade_id) as graded "
                  "from exports.export_public_incidents group by grade_basis").set_index("grade_basis")
    assert set(basis.index) <= {"assessed", "suggested", "none"}
    assert basis.loc["assessed", "graded"] == basis.loc["assessed", "n"]
    assert basis.loc["suggested", "graded"] == 0


def test_the_public_incident_list_says_which_incidents_are_held_for_review_but_not_why(query):
    exported = query("select incident_code, needs_review from exports.export_public_incidents")
    marts = query("select incident_code, needs_review from fct_incidents")
    joined = exported.merge(marts, on="incident_code", suffixes=("_export", "_mart"))
    assert len(joined) == len(marts)
    assert (joined.needs_review_export == joined.needs_review_mart).all()
    assert joined.needs_review_export.any(), "the demo plants figures that need review"
    # review_reasons quotes raw values, which may name a source: never published
    columns = set(query("select column_name from information_schema.columns where table_schema = 'exports' "
                        "and table_name = 'export_public_incidents'").column_name)
    assert "needs_review" in columns and "review_reasons" not in columns


# ----------------------------------------------------------------------------- protected sources


def test_protected_values_cover_every_protected_source_on_the_demo(query):
    values = query("select * from restricted.restricted_protected_values")
    protected = query("select * from restricted.restricted_sources where is_protected")
    assert not protected.empty, "the demo has protected sources"
    assert set(values.value_kind) >= {"source_name", "source_handle", "source_url", "report_url"}
    listed = set(values.protected_value)
    for column in ["source_name", "source_handle", "source_url"]:
        missing = set(protected[column].dropna()) - listed
        assert not missing, f"protected {column}s missing from restricted_protected_values: {sorted(missing)[:3]}"
    assert (values.protected_value == values.protected_value.str.strip()).all()
    assert (values.protected_value != "").all()


def test_no_protected_value_appears_in_main_or_exports(warehouse):
    scanned = _text_columns(warehouse, SCANNED_SCHEMAS)
    scanned_tables = {f"{schema}.{table}" for schema, table, _ in scanned}
    assert {"main.fct_quarantined_rows", "main.dim_sources", "main.fct_claims"} <= scanned_tables
    assert {f"exports.export_{name}" for name in EXPORT_KEYS} <= scanned_tables
    found = _protected_values_found(warehouse)
    assert found == [], f"protected values outside the restricted schema: {found[:5]}"


def test_the_quarantine_keeps_every_row_and_withholds_what_is_protected(query):
    public = query("select raw_table, raw_row_key, quarantine_rule, raw_record from fct_quarantined_rows")
    restricted = query("select raw_table, raw_row_key, quarantine_rule, raw_record, is_from_protected_source "
                       "from restricted.restricted_quarantined_rows")
    assert len(public) == len(restricted)
    merged = public.merge(restricted, on=["raw_table", "raw_row_key", "quarantine_rule"],
                          suffixes=("_public", "_restricted"))
    assert len(merged) == len(public)
    from_protected = merged[merged.is_from_protected_source]
    # the demo quarantines claims of protected sources, so the masking is exercised here
    assert not from_protected.empty
    assert from_protected.raw_record_public.str.contains("withheld", regex=False).all()
    assert (from_protected.raw_record_public != from_protected.raw_record_restricted).all()
    untouched = merged[~merged.raw_record_public.str.contains("withheld", regex=False)]
    assert (untouched.raw_record_public == untouched.raw_record_restricted).all()


# ----------------------------------------------------------------------------- on a copy of the warehouse


def _damage(copy: Path) -> None:
    """Plant a protected handle in a mart, break the grade partition and a running total of
    the exports, and make both exports differ from their marts."""
    with duckdb.connect(str(copy)) as connection:
        (handle,) = connection.execute(
            "select min(protected_value) from restricted.restricted_protected_values "
            "where value_kind = 'source_handle'").fetchone()
        assert handle, "the demo has protected handles"
        connection.execute(
            "update main.fct_incidents set place_as_written = 'near ' || upper(?) "
            "where incident_code = (select min(incident_code) from main.fct_incidents)", [handle])
        connection.execute(
            "update exports.export_grade_summary set alleged_incidents = alleged_incidents + 1 "
            "where grade_group = 'ungraded' and month = (select max(month) from exports.export_grade_summary) "
            "and belligerent_id = 'coalition' and country_id = 'syria'")
        connection.execute(
            "update exports.export_admitted_vs_alleged "
            "set cumulative_deaths_conceded_max = cumulative_deaths_conceded_max + 5 "
            "where belligerent_id = 'coalition' and country_id = 'iraq' "
            "and month = (select min(month) from exports.export_admitted_vs_alleged)")


@pytest.fixture(scope="module")
def copy_runs(demo_build, tmp_path_factory) -> dict:
    """On one private copy of the demo warehouse (one dbt parse, reused): every saved analysis
    compiled by dbt and run; then the copy damaged and the export tests run on it."""
    workdir = tmp_path_factory.mktemp("warehouse_copy")
    copy = _copy_warehouse(demo_build, workdir)
    target = workdir / "target"
    compiled = run_dbt(["compile", "--select", "resource_type:analysis"], PROJECT_DIR, copy, target)
    assert compiled.success, compiled.exception
    answers = {}
    with duckdb.connect(str(copy), read_only=True) as connection:
        for path in sorted((target / "compiled" / "civcas" / "analyses").glob("*.sql")):
            answers[path.stem] = connection.sql(path.read_text()).df().to_dict("records")
    _damage(copy)
    tested = run_dbt(["test", "--select", *EXPORT_TESTS], PROJECT_DIR, copy, target)
    return {"analyses": answers, "damaged_test_statuses": {r.node.name: str(r.status) for r in tested.result}}


def test_the_export_tests_fail_on_a_damaged_warehouse(copy_runs):
    """Each dbt test written for the exports and the restricted schema catches its damage
    (they all pass on the real build: test_warehouse checks every node)."""
    assert copy_runs["damaged_test_statuses"] == {name: "fail" for name in EXPORT_TESTS}


# ----------------------------------------------------------------------------- analyses


@pytest.fixture(scope="module")
def analyses(copy_runs) -> dict[str, list[dict]]:
    """Every saved analysis's answer on the demo, as records."""
    return copy_runs["analyses"]


def test_every_analysis_compiles_runs_and_is_documented(analyses):
    documented = (PROJECT_DIR / "analyses" / "_analyses.yml").read_text()
    for name in [path.stem for path in (PROJECT_DIR / "analyses").glob("*.sql")]:
        assert name in analyses, f"analyses/{name}.sql did not compile"
        assert analyses[name], f"analyses/{name}.sql returns no row on the demo"
        assert f"- name: {name}" in documented, f"analyses/{name}.sql is not in analyses/_analyses.yml"


def test_contested_shares_are_shares_of_consistent_counts(analyses):
    for row in analyses["share_contested_per_belligerent"]:
        assert row["graded_incidents"] + row["ungraded_incidents"] == row["alleged_incidents"]
        assert 0 <= row["contested_incidents"] <= row["graded_incidents"]
        assert 0 <= row["contested_share_of_alleged"] <= 1
    assert {"coalition", "russia"} <= {row["belligerent_id"] for row in analyses["share_contested_per_belligerent"]}


def test_the_admitted_gap_accumulates_year_by_year(analyses):
    rows = [r for r in analyses["admitted_vs_alleged_gap"] if r["belligerent_id"] == "coalition"]
    assert rows
    running = 0
    for row in sorted(rows, key=lambda r: r["incident_year"]):
        running += row["likely_minus_conceded_max"]
        assert row["cumulative_likely_minus_conceded_max"] == running


def test_the_pause_total_adds_up_its_months(analyses):
    rows = analyses["unassessed_during_pause"]
    months = [r for r in rows if not r["is_whole_pause"]]
    (total,) = [r for r in rows if r["is_whole_pause"]]
    assert {r["belligerent_id"] for r in rows} == {"russia"}
    assert len(months) == 4  # March to June 2017, the default window
    for column in ["alleged_incidents", "waiting_incidents", "waiting_killed_max", "assessor_decisions"]:
        assert total[column] == sum(r[column] for r in months)
    assert all(r["ungraded_alleged_incidents"] <= r["alleged_incidents"] for r in rows)


def test_the_widest_gaps_come_first(analyses):
    rows = analyses["widest_claimed_vs_conceded_gap"]
    assert 0 < len(rows) <= 20
    gaps = [r["claimed_minus_conceded_max"] for r in rows]
    assert gaps == sorted(gaps, reverse=True)
    for row in rows:
        conceded = 0 if pd.isna(row["deaths_conceded_max"]) else row["deaths_conceded_max"]
        assert row["claimed_minus_conceded_max"] == row["claimed_killed_max"] - conceded
