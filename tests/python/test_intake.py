"""civcas intake (issue 16): a researcher's batch read from CSV or XLSX, checked before anything
is written; problems name the file, the row and the column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import PROJECT_DIR
from openpyxl import Workbook

from civcas.intake import BatchError, cell_text, read_batch
from civcas.raw_contract import load_raw_contract

CONTRACT = load_raw_contract(PROJECT_DIR)
SOURCES = CONTRACT["raw_sources"]
SOURCE_ROW = ["SRCX001", "Local council of Manbij", "@manbij_council", "https://example.org/x", "local_media",
              "Facebook", "Arabic", "false"]


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as sink:
        writer = csv.writer(sink, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def test_the_same_rows_from_csv_and_from_xlsx_are_the_same_batch(tmp_path: Path) -> None:
    from_csv = read_batch(_csv(tmp_path / "raw_sources.csv", SOURCES, [SOURCE_ROW]), CONTRACT)
    # a spreadsheet keeps blank rows and gives typed cells back; "false" stays text
    workbook = _xlsx(tmp_path / "batch.xlsx", {"raw_sources": [SOURCES, [], SOURCE_ROW, [None] * 3]})
    from_xlsx = read_batch(workbook, CONTRACT)
    assert from_csv.problems == [] and from_xlsx.problems == []
    assert from_xlsx.tables["raw_sources"].rows == [SOURCE_ROW]
    assert from_xlsx.tables["raw_sources"].row_numbers == [3]
    assert from_csv.batch_id == from_xlsx.batch_id


def test_another_row_is_another_batch(tmp_path: Path) -> None:
    one = read_batch(_csv(tmp_path / "raw_sources.csv", SOURCES, [SOURCE_ROW]), CONTRACT)
    changed = [*SOURCE_ROW[:1], "Local council of Manbij (corrected)", *SOURCE_ROW[2:]]
    two = read_batch(_csv(tmp_path / "raw_sources.2.csv", SOURCES, [changed]), CONTRACT)
    assert one.batch_id != two.batch_id


@pytest.mark.parametrize(("value", "text"), [
    (None, ""), (12.0, "12"), (36.25, "36.25"), (7, "7"), (True, "true"),
    (dt.datetime(2017, 3, 4), "2017-03-04"), (dt.datetime(2017, 3, 4, 5, 6, 7), "2017-03-04 05:06:07"),
    (dt.date(2017, 3, 4), "2017-03-04"), ("  as typed ", "  as typed "),
])
def test_spreadsheet_cells_are_read_as_the_text_typed(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_an_error_cell_a_stray_value_and_a_bad_header_are_named(tmp_path: Path) -> None:
    row = list(SOURCE_ROW)
    row[1] = "#N/A"  # openpyxl writes it as an error cell, as Excel shows a failed formula
    errors = _xlsx(tmp_path / "raw_sources.xlsx", {"raw_sources": [SOURCES, row, [*SOURCE_ROW, "extra"]]})
    problems = read_batch(errors, CONTRACT).problems
    assert any("row 2, column B" in p and "#N/A" in p for p in problems), problems
    assert any("row 3, column 9 (beyond the header)" in p for p in problems), problems
    header = _xlsx(tmp_path / "other.xlsx", {"raw_sources": [[*SOURCES[:-1], "protected"], SOURCE_ROW]})
    assert any("is_protected" in p and "sheet 'raw_sources'" in p for p in read_batch(header, CONTRACT).problems)


def test_a_file_named_after_no_table_and_a_ragged_csv_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    _csv(folder / "claims_monday.csv", SOURCES, [SOURCE_ROW])
    _csv(folder / "raw_sources.csv", SOURCES, [SOURCE_ROW, SOURCE_ROW[:-1]])
    problems = read_batch(folder, CONTRACT).problems
    assert any("claims_monday.csv: not a raw table" in p for p in problems), problems
    assert any("raw_sources.csv line 3: 7 fields" in p for p in problems), problems


def test_two_files_for_one_table_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    _csv(folder / "raw_sources.csv", SOURCES, [SOURCE_ROW])
    _xlsx(folder / "raw_sources.xlsx", {"Sheet": [SOURCES, SOURCE_ROW]})
    assert any("one file per raw table" in p for p in read_batch(folder, CONTRACT).problems)


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(BatchError, match="no .csv or .xlsx"):
        read_batch(tmp_path, CONTRACT)


# --------------------------------------------------------------------------- the whole intake, on the demo

CLAIMS = CONTRACT["raw_claims"]


def _claim(claim_id: str, source_id: str, reported: str, killed: tuple[str, str]) -> list[str]:
    values = dict.fromkeys(CLAIMS, "")
    values.update(claim_id=claim_id, source_id=source_id, date_reported=reported, incident_date="2017-03-20",
                  place_as_written="Al Tabqah", governorate_as_written="Raqqa", country_as_written="Syria",
                  belligerents_as_written="Coalition", civilians_killed_min=killed[0], civilians_killed_max=killed[1],
                  report_url=f"https://example.org/synthetic/intake/{claim_id.lower()}")
    return [values[c] for c in CLAIMS]


def _raw_snapshot(raw: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(raw.iterdir()) if p.is_file()}


def test_a_batch_is_previewed_appended_once_and_recorded(project_copy: Path, tmp_path: Path) -> None:
    from civcas.intake import RawFolder, intake

    raw = RawFolder(project_copy / "seeds" / "raw", "seeds")
    batch = tmp_path / "monday"
    batch.mkdir()
    _csv(batch / "raw_sources.csv", SOURCES, [SOURCE_ROW])
    _csv(batch / "raw_claims.csv", CLAIMS, [
        _claim("CLMX001", "SRCX001", "2017-03-21", ("4", "6")),
        _claim("CLMX002", "SRCNOPE", "2017-03-21", ("1", "1")),  # no such source: quarantined
        _claim("CLMX003", "SRCX001", "2017-03-22", ("9", "3")),  # min above max: kept, flagged
    ])
    before = _raw_snapshot(raw.path)
    checked = intake(batch, project_copy, raw, by="researcher-a", dry_run=True)
    assert checked.status == "checked", checked.messages
    assert _raw_snapshot(raw.path) == before  # a dry run writes nothing
    judged = {(o.row_number, o.outcome, o.rule) for o in checked.outcomes if o.table == "raw_claims"}
    assert judged == {(2, "clean", ""), (3, "quarantined", "unknown_source"), (4, "flagged", "min_above_max")}

    accepted = intake(batch, project_copy, raw, by="researcher-a", now=dt.datetime(2017, 3, 23, 9, 0))
    assert accepted.status == "accepted"
    claims_csv = (raw.path / "raw_claims.csv").read_text(encoding="utf-8")
    assert claims_csv.startswith(before["raw_claims.csv"].decode()) and claims_csv.count("CLMX00") == 3
    ledger = (raw.path / "raw_intake_batches.csv").read_text(encoding="utf-8").splitlines()
    assert len(ledger) == 3  # the header, one row per table of the batch
    assert f"{accepted.batch_id},2017-03-23 09:00:00,researcher-a,raw_claims," in ledger[1]
    assert ledger[1].endswith(",3,1,1,raw_claims.csv")

    after = _raw_snapshot(raw.path)
    again = intake(batch, project_copy, raw, by="researcher-b")
    assert again.status == "already accepted" and "researcher-a" in again.messages[0]
    assert _raw_snapshot(raw.path) == after


def test_a_malformed_batch_is_refused_and_nothing_is_written(project_copy: Path, tmp_path: Path) -> None:
    from civcas.intake import RawFolder, intake

    raw = RawFolder(project_copy / "seeds" / "raw", "seeds")
    batch = tmp_path / "bad"
    batch.mkdir()
    _csv(batch / "raw_claims.csv", CLAIMS, [_claim("CLMX001", "SRC0001", "2017-03-21", ("1", "2"))[:-1]])
    _csv(batch / "raw_dataset.csv", CONTRACT["raw_dataset"], [["x"] * len(CONTRACT["raw_dataset"])])
    before = _raw_snapshot(raw.path)
    refused = intake(batch, project_copy, raw, by="researcher-a")
    assert refused.status == "refused"
    assert any("raw_claims.csv line 2: 19 fields" in m for m in refused.messages), refused.messages
    assert any("raw_dataset is not handed in" in m for m in refused.messages), refused.messages
    assert _raw_snapshot(raw.path) == before


def _parquet_raw_folder(project: Path, folder: Path) -> Path:
    """The demo's raw tables as a files-mode raw folder: one <table>.parquet each, every column text."""
    import duckdb

    folder.mkdir()
    with duckdb.connect() as connection:
        for table in CONTRACT:
            source = str(project / "seeds" / "raw" / f"{table}.csv")
            connection.execute(f"copy (select * from read_csv('{source}', all_varchar = true, header = true)) "
                               f"to '{folder / (table + '.parquet')}' (format parquet)")
    return folder


def test_files_mode_writes_a_dated_parquet_file_per_table_and_the_refresh_reports_it(
        project_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from civcas.intake import RawFolder, intake
    from civcas.refresh import refresh

    raw = RawFolder(_parquet_raw_folder(project_copy, tmp_path / "raw"), "files")
    warehouse = tmp_path / "warehouse" / "civcas.duckdb"
    assert refresh(project_copy, raw.path, warehouse) == 0
    before = _raw_snapshot(raw.path)
    batch = tmp_path / "tuesday"
    batch.mkdir()
    _csv(batch / "raw_claims.csv", CLAIMS, [
        _claim("CLMX101", "SRC0001", "2017-03-21", ("2", "2")),
        _claim("CLMX102", "SRCNOPE", "2017-03-21", ("1", "1")),  # no such source: quarantined
    ])
    accepted = intake(batch, project_copy, raw, by="researcher-c", now=dt.datetime(2017, 3, 24, 8, 30))
    assert accepted.status == "accepted", accepted.messages
    stamp = f"2017-03-24-{accepted.batch_id}"
    new = set(_raw_snapshot(raw.path)) - set(before)
    assert new == {f"raw_claims.{stamp}.parquet", f"raw_intake_batches.{stamp}.parquet"}
    assert all(_raw_snapshot(raw.path)[name] == data for name, data in before.items())  # nothing edited
    capsys.readouterr()
    assert refresh(project_copy, raw.path, warehouse) == 0
    said = capsys.readouterr().out
    assert "refresh: raw_claims: 2 new rows" in said
    assert "refresh: new rows quarantined: 1 (see main.fct_quarantined_rows)" in said
    assert "quarantined raw_claims: 1 row by unknown_source" in said
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        ledger = connection.execute("select batch_id, accepted_by, raw_table, rows_handed_in, "
                                    "rows_quarantined_in_preview from main.fct_intake_batches").fetchall()
    assert ledger == [(accepted.batch_id, "researcher-c", "raw_claims", 2, 1)]
