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
SOURCE_ROW = ["SRCX001", "Local council of Manbij", "@manbij_council", "https://example.org/x", "local_news",
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
