"""File-level checks of the raw CSV folder.

A malformed file stops the build with a message naming the file and what is
wrong. Row content (bad dates, odd figures) is not checked here: dbt
quarantines such rows later, so reporting them would stop builds for nothing.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from civcas.raw_contract import RAW_CONTRACT_PATH

# Enough to locate a systematic problem without flooding the terminal.
MAX_ROW_PROBLEMS_PER_FILE = 20


@dataclass
class FileReport:
    """Outcome of checking one expected raw file."""

    table: str
    path: Path
    rows: int | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class FolderReport:
    """Outcome of checking a whole raw folder."""

    folder: Path
    files: list[FileReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def all_problems(self) -> list[str]:
        """Every problem, file by file, then folder-level ones."""
        return [p for f in self.files for p in f.problems] + self.problems


def check_raw_folder(folder: Path, contract: Mapping[str, Sequence[str]]) -> list[str]:
    """Human-readable problems with the raw folder; empty when it is fine."""
    return scan_raw_folder(folder, contract).all_problems


def scan_raw_folder(folder: Path, contract: Mapping[str, Sequence[str]]) -> FolderReport:
    """Check every expected file and look for unexpected ones."""
    folder = Path(folder)
    report = FolderReport(folder=folder)
    if not folder.is_dir():
        report.problems.append(f"{display(folder)}: raw folder does not exist")
        return report
    for table, columns in contract.items():
        report.files.append(check_raw_file(folder / f"{table}.csv", table, list(columns)))
    report.problems.extend(_unexpected_files(folder, contract))
    return report


def check_raw_file(path: Path, table: str, expected: list[str]) -> FileReport:
    """Check one file: presence, encoding, header and field counts."""
    report = FileReport(table=table, path=path)
    name = display(path)
    if not path.is_file():
        report.problems.append(
            f"{name}: file is missing; {RAW_CONTRACT_PATH} declares table {table}, "
            f"so the folder must hold {table}.csv"
        )
        return report
    data = path.read_bytes()
    # surrogateescape keeps going past bad bytes so one file reports all its problems.
    text = data.decode("utf-8", errors="surrogateescape")
    if text.startswith("\ufeff"):
        report.problems.append(f"{name}: starts with a byte-order mark; re-save the file as UTF-8 without BOM")
        text = text[1:]
    rows, parse_problem = _parse(text, name)
    header = rows[0][1] if rows else []
    report.problems.extend(_encoding_problems(data, rows, header, name))
    if parse_problem:
        report.problems.append(parse_problem)
    if not rows:
        report.problems.append(f"{name}: file is empty; expected a header row: {_expected(expected)}")
        return report
    report.problems.extend(_header_problems(header, expected, name))
    report.problems.extend(_field_count_problems(rows[1:], len(header), name))
    report.rows = len(rows) - 1
    return report


def _parse(text: str, name: str) -> tuple[list[tuple[int, list[str]]], str | None]:
    """CSV records with the line each starts on; stops at the first malformed record."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        return rows, f"{name} line {start}: malformed CSV ({exc}); later lines were not checked"
    return rows, None


def _encoding_problems(
    data: bytes, rows: list[tuple[int, list[str]]], header: list[str], name: str
) -> list[str]:
    """Name the first byte that is not UTF-8: line, column and byte offset."""
    try:
        data.decode("utf-8")
        return []
    except UnicodeDecodeError as exc:
        offset = exc.start
    line = data.count(b"\n", 0, offset) + 1
    column = _column_of_bad_byte(rows, header, line)
    bad_bytes = sum(1 for ch in data.decode("utf-8", errors="surrogateescape") if "\udc80" <= ch <= "\udcff")
    more = f" ({bad_bytes} invalid bytes in the file)" if bad_bytes > 1 else ""
    return [
        f"{name} line {line}, column {column}: byte 0x{data[offset]:02x} at byte offset {offset} "
        f"is not valid UTF-8{more}; re-save the file as UTF-8"
    ]


def _column_of_bad_byte(rows: list[tuple[int, list[str]]], header: list[str], line: int) -> str:
    """The header name of the first field holding an undecodable byte on or before ``line``."""
    for start, row in rows:
        if start > line:
            break
        for index, value in enumerate(row):
            if any("\udc80" <= ch <= "\udcff" for ch in value):
                if start == 1:
                    return f"{index + 1} of the header"
                return header[index] if index < len(header) else f"{index + 1} (beyond the header)"
    return "unknown"


def _header_problems(header: list[str], expected: list[str], name: str) -> list[str]:
    """Missing, extra, repeated or reordered columns, each with what the contract expects."""
    want = f"expected columns, in order: {_expected(expected)} (see {RAW_CONTRACT_PATH})"
    problems: list[str] = []
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if missing:
        problems.append(f"{name}: header is missing column(s) {_names(missing)}; {want}")
    if extra:
        problems.append(f"{name}: header has unexpected column(s) {_names(extra)}; {want}")
    if repeated:
        problems.append(f"{name}: header repeats column(s) {_names(repeated)}; {want}")
    if not problems and header != expected:
        problems.append(f"{name}: columns are out of order: found {_names(header)}; {want}")
    return problems


def _field_count_problems(rows: list[tuple[int, list[str]]], width: int, name: str) -> list[str]:
    """Data records whose number of fields differs from the header's."""
    problems: list[str] = []
    ragged = [(line, row) for line, row in rows if len(row) != width]
    for line, row in ragged[:MAX_ROW_PROBLEMS_PER_FILE]:
        blank = " (blank line)" if not row else ""
        problems.append(f"{name} line {line}: {len(row)} fields{blank}, but the header has {width}")
    if len(ragged) > MAX_ROW_PROBLEMS_PER_FILE:
        problems.append(f"{name}: ... and {len(ragged) - MAX_ROW_PROBLEMS_PER_FILE} more rows with the wrong number of fields")
    return problems


def _unexpected_files(folder: Path, contract: Mapping[str, Sequence[str]]) -> list[str]:
    """CSV files that dbt would load as seeds although the contract does not declare them."""
    strays = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv" and p.name[: -len(p.suffix)] not in contract)
    return [
        f"{display(p)}: unexpected file; it is not declared in {RAW_CONTRACT_PATH} "
        "(dbt would load it as a seed); remove it or declare it"
        for p in strays
    ]


def _names(columns: Sequence[str]) -> str:
    """Column names for a message; quoted when whitespace would hide the difference."""
    return ", ".join(repr(c) if c != c.strip() or not c else c for c in columns)


def _expected(columns: Sequence[str]) -> str:
    return ", ".join(columns)


def display(path: Path) -> str:
    """A path relative to the working directory when it lies below it, else as given."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return relative if not relative.startswith("..") else str(path)
