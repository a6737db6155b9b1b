"""A researcher's batch, read and checked before anything is written (``civcas intake``, issue 16).

A batch is one file per raw table in the raw contract (seeds/raw/_raw__seeds.yml): CSV, or
XLSX, the spreadsheet most monitors keep, or a folder of them. A workbook may also hold one
sheet per raw table, each sheet named after its table. A file is named after its table
(``raw_claims.csv``; anything after the first dot is free: ``raw_claims.monday.xlsx``).

Every cell is read as text, as the raw contract wants: a spreadsheet's typed cells are written
back as the text a researcher typed (a whole number without ``.0``, a date as YYYY-MM-DD), so the
same rows give the same batch from CSV or from XLSX. Shape problems name the file (and sheet),
the row and the column; a batch with any of them is refused whole.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civcas.raw_files import (
    MAX_ROW_PROBLEMS_PER_FILE,
    _control_character_problems,
    _header_problems,
    check_raw_file,
    display,
)

FILE_TYPES = (".csv", ".xlsx")


class BatchError(ValueError):
    """The batch cannot be read at all (no such path, no file of a known type)."""


@dataclass
class BatchTable:
    """The rows a batch brings for one raw table, as text, with where each row came from."""

    table: str
    source: str  # file, and sheet for a workbook: how messages name it
    sha256: str  # of the file handed in
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)  # line (CSV) or sheet row (XLSX) of each row


@dataclass
class Batch:
    """A batch as read: its tables, and every problem that refuses it."""

    tables: dict[str, BatchTable]
    problems: list[str]

    @property
    def batch_id(self) -> str:
        """The batch's identity: a hash of its rows by table, whatever files carried them. The same
        rows handed in again (as CSV or as XLSX, in any file order) have the same id."""
        content = {name: [table.header, table.rows] for name, table in sorted(self.tables.items())}
        digest = hashlib.sha256(json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode())
        return "b" + digest.hexdigest()[:15]

    @property
    def rows(self) -> int:
        return sum(len(table.rows) for table in self.tables.values())


def batch_files(path: Path) -> list[Path]:
    """The files of a batch: the file itself, or the CSV and XLSX files of a folder."""
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in FILE_TYPES
                       and not p.name.startswith(("~$", ".")))  # Excel's lock files, hidden files
        if files:
            return files
        raise BatchError(f"{display(path)}: the folder holds no .csv or .xlsx file; a batch is one file per raw table")
    raise BatchError(f"{display(path)}: no such file or folder")


def read_batch(path: Path, contract: Mapping[str, Sequence[str]]) -> Batch:
    """Read every file of the batch at `path` against the raw contract."""
    batch = Batch(tables={}, problems=[])
    for file in batch_files(path):
        if file.suffix.lower() not in FILE_TYPES:
            batch.problems.append(f"{display(file)}: a batch file is .csv or .xlsx")
            continue
        read = _read_csv if file.suffix.lower() == ".csv" else _read_workbook
        for table, problems in read(file, contract):
            batch.problems.extend(problems)
            if table is None:
                continue
            if table.table in batch.tables:
                batch.problems.append(f"{table.source}: {batch.tables[table.table].source} already brings rows for "
                                      f"{table.table}; hand in one file per raw table")
                continue
            batch.tables[table.table] = table
    if not batch.problems and not batch.rows:
        batch.problems.append(f"{display(path)}: the batch holds no rows")
    return batch


def _table_named(stem: str, contract: Mapping[str, Sequence[str]]) -> str | None:
    name = stem.split(".", 1)[0]
    return name if name in contract else None


def _unknown_table(source: str, contract: Mapping[str, Sequence[str]]) -> str:
    return (f"{source}: not a raw table; name the file (or sheet) after one of: {', '.join(contract)} "
            "(see seeds/raw/_raw__seeds.yml)")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- CSV


def _read_csv(file: Path, contract: Mapping[str, Sequence[str]]) -> Iterable[tuple[BatchTable | None, list[str]]]:
    table = _table_named(file.name, contract)
    if table is None:
        yield None, [_unknown_table(display(file), contract)]
        return
    # The checks of check-raw: encoding, byte-order mark, header, field counts, control characters.
    report = check_raw_file(file, table, list(contract[table]))
    if report.problems:
        yield None, report.problems
        return
    records = list(csv.reader(io.StringIO(file.read_text(encoding="utf-8"), newline="")))
    lines = _record_lines(file.read_text(encoding="utf-8"))
    read = BatchTable(table=table, source=display(file), sha256=_sha256(file), header=records[0])
    for line, record in zip(lines[1:], records[1:], strict=True):
        read.rows.append(record)
        read.row_numbers.append(line)
    yield read, []


def _record_lines(text: str) -> list[int]:
    """The line each CSV record starts on (a quoted value may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    lines, start = [], 1
    for _ in reader:
        lines.append(start)
        start = reader.line_num + 1
    return lines


# --------------------------------------------------------------------------- XLSX


def _read_workbook(file: Path, contract: Mapping[str, Sequence[str]]) -> Iterable[tuple[BatchTable | None, list[str]]]:
    from openpyxl import load_workbook

    try:
        # data_only: a formula cell gives the value Excel last computed, as the researcher saw it
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a file that is not a workbook
        yield None, [f"{display(file)}: cannot be read as an XLSX workbook ({exc}); save it again from the "
                     "spreadsheet as .xlsx"]
        return
    try:
        sheets = workbook.worksheets
        by_file_name = _table_named(file.name, contract)
        for sheet in sheets:
            source = f"{display(file)}, sheet {sheet.title!r}"
            table = sheet.title if sheet.title in contract else None
            if table is None and by_file_name is not None and len(sheets) == 1:
                table = by_file_name
            if table is None:
                yield None, [_unknown_table(source, contract)]
                continue
            yield _read_sheet(sheet, source, table, list(contract[table]), _sha256(file))
    finally:
        workbook.close()


def _read_sheet(sheet: Any, source: str, table: str, expected: list[str],
                sha256: str) -> tuple[BatchTable | None, list[str]]:
    problems: list[str] = []
    header: list[str] | None = None
    read: BatchTable | None = None
    text_rows: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        values = [_cell_text(cell, source, number, problems) for cell in cells]
        while values and values[-1] == "":
            values.pop()
        if not values:
            continue  # an empty row (a spreadsheet keeps formatted empty rows)
        if header is None:
            header = values
            header_problems = _header_problems(header, expected, source)
            if header_problems:
                return None, header_problems
            read = BatchTable(table=table, source=source, sha256=sha256, header=header)
            continue
        if len(values) > len(header):
            problems.append(f"{source} row {number}, column {len(header) + 1} (beyond the header): a value outside "
                            "the table's columns; delete it or move it into a column")
        values += [""] * (len(header) - len(values))
        text_rows.append((number, values))
    if header is None or read is None:
        return None, [f"{source}: the sheet is empty; expected a header row: {', '.join(expected)}"]
    problems += _control_character_problems(text_rows, header, source)
    read.rows = [values[: len(header)] for _, values in text_rows]
    read.row_numbers = [number for number, _ in text_rows]
    return (None if problems else read), problems[: MAX_ROW_PROBLEMS_PER_FILE * 2]


def _cell_text(cell: Any, source: str, row: int, problems: list[str]) -> str:
    """A cell as the text a researcher typed; an error cell (#N/A, #REF!) is a problem."""
    value = cell.value
    if getattr(cell, "data_type", None) == "e":
        problems.append(f"{source} row {row}, column {getattr(cell, 'column_letter', '?')}: the cell holds the "
                        f"spreadsheet error {value}; correct the formula or type the value")
        return ""
    return cell_text(value)


def cell_text(value: Any) -> str:
    """A spreadsheet value as raw text: empty for none, whole numbers without '.0', the shortest
    text of other numbers, dates as YYYY-MM-DD and times of day as YYYY-MM-DD HH:MM:SS."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)
