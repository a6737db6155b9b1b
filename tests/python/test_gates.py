"""The Great Expectations gates (civcas.gates): the raw gate before dbt and the release gate
after export. Each gate passes on good input and, on damaged copies, fails with a message
naming the table or file and the column. Damages are combined per run where they cannot hide
each other: every GX run costs seconds, and the suite must stay fast."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR

from civcas import gates
from civcas.cli import main
from civcas.raw_contract import load_raw_contract

SEEDS_RAW = PROJECT_DIR / "seeds" / "raw"


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _set(rows: list[list[str]], row: int, column: str, value: str) -> None:
    rows[row][rows[0].index(column)] = value


def _failures(error: gates.GateFailure) -> set[tuple[str, str | None]]:
    return {(failure.table, failure.column) for failure in error.report.failures}


@pytest.fixture()
def raw_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    shutil.copytree(SEEDS_RAW, folder)
    return folder


# ----------------------------------------------------------------------------------- raw gate


@pytest.fixture(scope="module")
def demo_raw_report() -> gates.GateReport:
    return gates.validate_raw(SEEDS_RAW, mode="seeds", project_dir=PROJECT_DIR)


def test_raw_gate_passes_on_the_demo_with_its_dirty_rows(demo_raw_report):
    contract = load_raw_contract(PROJECT_DIR)
    assert demo_raw_report.success
    assert [t.table for t in demo_raw_report.tables] == list(contract)
    for table in demo_raw_report.tables:
        assert table.rows == len(_read(SEEDS_RAW / f"{table.table}.csv")) - 1, table.table
        # the columns, the row count and at least one rule per table were evaluated
        assert table.evaluated >= 3, table.table
    assert demo_raw_report.data_docs_index is None


def test_raw_gate_stops_on_tables_that_are_unusable_as_a_whole(raw_copy):
    # a required column is missing
    rows = _read(raw_copy / "raw_incident_belligerents.csv")
    drop = rows[0].index("attribution_type")
    _write(raw_copy / "raw_incident_belligerents.csv", [r[:drop] + r[drop + 1:] for r in rows])
    # the manifest has two rows
    rows = _read(raw_copy / "raw_dataset.csv")
    _write(raw_copy / "raw_dataset.csv", rows + [rows[1]])
    # no claims at all
    _write(raw_copy / "raw_claims.csv", _read(raw_copy / "raw_claims.csv")[:1])
    # most assessment dates in another convention (DD/MM/YYYY)
    rows = _read(raw_copy / "raw_incident_assessments.csv")
    assessed_on = rows[0].index("assessed_on")
    for number, row in enumerate(rows[1:], start=1):
        if number % 3:
            iso = row[assessed_on]
            _set(rows, number, "assessed_on", f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}")
    _write(raw_copy / "raw_incident_assessments.csv", rows)
    # a few garbage dates (one row in ten) are dirt for dbt's quarantine, not a gate failure
    rows = _read(raw_copy / "raw_incidents.csv")
    for number in range(1, len(rows), 10):
        _set(rows, number, "incident_date", "last Tuesday")
    _write(raw_copy / "raw_incidents.csv", rows)

    with pytest.raises(gates.GateFailure) as failure:
        gates.validate_raw(raw_copy, mode="seeds", project_dir=PROJECT_DIR)

    assert _failures(failure.value) == {
        ("raw_incident_belligerents", None),
        ("raw_dataset", None),
        ("raw_claims", None),
        ("raw_incident_assessments", "assessed_on"),
    }
    message = str(failure.value)
    assert message.startswith("civcas_raw: gate failed")
    assert "raw_incident_belligerents.csv" in message and "missing column(s) attribution_type" in message
    assert "raw_dataset.csv: the table has exactly 1 row" in message and "observed: 2 rows" in message
    assert "raw_claims.csv: the table has at least one row" in message
    assert "raw_incident_assessments.csv, column assessed_on" in message
    # two thirds fail; the message shows the share and sample values with their rows
    assert re.search(r"\(6\d\.\d%\) fail; e\.g\. '\d\d/\d\d/\d{4}' \(rows? \d+", message), message
    assert message.count("fix: ") == 4


def test_raw_gate_reads_parquet_files_and_their_storage_types(tmp_path: Path):
    folder = tmp_path / "raw"
    folder.mkdir()
    for table in load_raw_contract(PROJECT_DIR):
        if table == "raw_sources":
            continue  # a table the contract declares is missing
        select = f"select * from read_csv('{SEEDS_RAW / table}.csv', all_varchar = true, header = true)"
        if table == "raw_declared_strikes":
            # stored as a number instead of the text as written
            select = f"select * replace (try_cast(strike_count as bigint) as strike_count) from ({select})"
        duckdb.sql(f"copy ({select}) to '{folder / table}.parquet' (format parquet)")

    with pytest.raises(gates.GateFailure) as failure:
        gates.validate_raw(folder, mode="files", data_docs_dir=tmp_path / "docs", project_dir=PROJECT_DIR)

    assert _failures(failure.value) == {("raw_sources", None), ("raw_declared_strikes", "strike_count")}
    message = str(failure.value)
    assert "raw_sources.parquet: the file is present" in message
    assert "raw_declared_strikes.parquet, column strike_count: the column is stored as text" in message
    assert "stored as BIGINT" in message
    assert (tmp_path / "docs" / "index.html").is_file()


def test_raw_gate_passes_on_the_real_archive_import(tmp_path: Path):
    from test_archive_import import ARCHIVE, CENTCOM, DUTCH, require_external_data

    from civcas.archive import import_archive

    require_external_data()
    import_archive(ARCHIVE, tmp_path / "raw", PROJECT_DIR, centcom=CENTCOM, dutch=DUTCH)
    report = gates.validate_raw(tmp_path / "raw", mode="files", project_dir=PROJECT_DIR)
    assert report.success
    assert {t.table: t.rows for t in report.tables}["raw_claims"] > 50_000


def test_cli_validate_raw_passes_on_the_demo(capsys):
    assert main(["validate-raw", "--folder", str(SEEDS_RAW), "--project-dir", str(PROJECT_DIR)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("civcas_raw: OK") and "raw_claims 3," in out


def test_cli_validate_raw_exits_1_with_the_message(raw_copy, capsys):
    rows = _read(raw_copy / "raw_claims.csv")
    drop = rows[0].index("date_reported")
    _write(raw_copy / "raw_claims.csv", [r[:drop] + r[drop + 1:] for r in rows])
    assert main(["validate-raw", "--folder", str(raw_copy), "--project-dir", str(PROJECT_DIR)]) == 1
    err = capsys.readouterr().err
    assert "raw_claims.csv: the columns are exactly, in order" in err
    assert "missing column(s) date_reported" in err
    assert "fix: fix the header to match seeds/raw/_raw__seeds.yml" in err


# ------------------------------------------------------------------------------- release gate


def test_release_keys_agree_with_the_export_contracts():
    contracts = gates.load_export_contracts(PROJECT_DIR)
    assert set(gates.RELEASE_FILES) == set(contracts)
    for file, keys in gates.RELEASE_FILES.items():
        assert contracts[file].yaml_keys() == keys, file
        assert set(keys) <= set(contracts[file].column_names), file


@pytest.fixture(scope="module")
def demo_release(demo_build, warehouse, tmp_path_factory) -> Path:
    """csv/<file>.csv of every export of the session's demo build."""
    release = tmp_path_factory.mktemp("release")
    (release / "csv").mkdir()
    for file in gates.load_export_contracts(PROJECT_DIR):
        warehouse.sql(f"copy (select * from exports.export_{file}) to '{release / 'csv' / file}.csv' (header)")
    return release


def test_release_gate_passes_on_the_demo_release(demo_release, tmp_path: Path):
    report = gates.validate_release_files(demo_release, tmp_path / "data_docs", project_dir=PROJECT_DIR)
    assert report.success
    assert [t.table for t in report.tables] == list(gates.load_export_contracts(PROJECT_DIR))
    assert all(t.rows and t.evaluated > 10 for t in report.tables)
    assert report.data_docs_index == tmp_path / "data_docs" / "index.html"
    index = report.data_docs_index.read_text(encoding="utf-8")
    assert "civcas_release.grade_summary" in index
    assert list((tmp_path / "data_docs" / "validations").rglob("*.html"))


def test_release_gate_names_the_file_and_column_of_each_problem(demo_release, tmp_path: Path):
    release = tmp_path / "release"
    shutil.copytree(demo_release, release)
    csv_dir = release / "csv"
    rows = _read(csv_dir / "public_incidents.csv")
    _set(rows, 5, "civilians_killed_min", "50")
    _set(rows, 5, "civilians_killed_max", "3")
    _set(rows, 9, "source_count", "many")
    _write(csv_dir / "public_incidents.csv", rows)
    rows = _read(csv_dir / "monthly_coalition_vs_russia.csv")
    _write(csv_dir / "monthly_coalition_vs_russia.csv", rows + [rows[3]])
    rows = _read(csv_dir / "grade_summary.csv")
    _set(rows, 7, "grade_group", "probable")
    _set(rows, 11, "alleged_incidents", "-2")
    _write(csv_dir / "grade_summary.csv", rows)
    rows = _read(csv_dir / "admitted_vs_alleged.csv")
    rows[0][rows[0].index("country_id")] = "country"
    _write(csv_dir / "admitted_vs_alleged.csv", rows)
    # a file with no rows but its header is a valid release file
    _write(csv_dir / "monthly_belligerent_summary.csv", _read(csv_dir / "monthly_belligerent_summary.csv")[:1])

    with pytest.raises(gates.GateFailure) as failure:
        gates.validate_release_files(release, release / "data_docs", project_dir=PROJECT_DIR)

    assert _failures(failure.value) == {
        ("public_incidents", "civilians_killed_min, civilians_killed_max"),
        ("public_incidents", "source_count"),
        ("monthly_coalition_vs_russia", "month, country_id"),
        ("grade_summary", "grade_group"),
        ("grade_summary", "alleged_incidents"),
        ("admitted_vs_alleged", None),
    }
    message = str(failure.value)
    assert message.startswith("civcas_release: gate failed")
    assert "csv/public_incidents.csv, columns civilians_killed_min, civilians_killed_max" in message
    assert "(civilians_killed_min=50, civilians_killed_max=3) (row 5)" in message
    assert "csv/public_incidents.csv, column source_count: every value can be read as bigint" in message
    assert "'many' (row 9)" in message
    assert "csv/monthly_coalition_vs_russia.csv, columns month, country_id: no two rows" in message
    assert "csv/grade_summary.csv, column grade_group: every value is in the grade vocabulary" in message
    assert "'probable' (row 7)" in message
    assert "csv/grade_summary.csv, column alleged_incidents: no value is negative" in message
    assert "the smallest value is -2; 1 row below 0: -2 (row 11)" in message
    assert "csv/admitted_vs_alleged.csv: the header" in message
    assert "missing column(s) country_id; unexpected column(s) country" in message
    # the Data Docs are written although the gate failed, so the failure can be inspected
    assert failure.value.report.data_docs_index == release / "data_docs" / "index.html"
    assert failure.value.report.data_docs_index.is_file()
    assert "Data Docs: " in message


def test_belligerent_check_accepts_what_the_keyword_rules_resolve() -> None:
    """The raw gate's blame check reads ref_belligerent_keywords.csv like the warehouse
    (int_claim_belligerents_resolved): another name for one military, unknown in several
    spellings and Arabic pass; a name no alias or keyword resolves still fails."""
    pattern = re.compile(gates.Vocabularies.load(PROJECT_DIR).belligerent_list_pattern())
    for resolved in ["Russian Air Force jets; CJTF-OIR", "طيران مجهول الهوية", "غير معروف", "n/a",
                     "الطيران الروسي", "Unknown, Russian Military", "Turkish-backed factions"]:
        assert pattern.match(resolved), resolved
    for unresolved in ["Martian Air Force", "nationalists", "Russia; Klingon Air Wing"]:
        assert not pattern.match(unresolved), unresolved
