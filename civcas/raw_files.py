"""File-level checks of the raw folder: CSV files (seeds mode) or Parquet files (files mode).

A malformed file stops the build with a message naming the file and what is
wrong. Row content (bad dates, odd figures) is not checked here: dbt
quarantines such rows later, so reporting them would stop builds for nothing.
Two things are file problems whatever the row: a CSV the parser cannot split
(an unterminated quote is named as such, with its line and column), and a
control character in any value (``CONTROL_CHARACTERS``), which no field of any
raw table may hold and which would pass silently into the marts (a NUL inside a
place name). Fields may be of any length: Python's csv module refuses fields
over 131,072 characters by default; this check lifts that limit.
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from civcas.raw_contract import RAW_CONTRACT_PATH

# Enough to locate a systematic problem without flooding the terminal.
MAX_ROW_PROBLEMS_PER_FILE = 20
# The characters no raw value may hold: the C0 controls (NUL included) but tab, line feed and
# carriage return, then DEL and the C1 controls (U+0080-U+009F, mostly mis-decoded Windows-1252).
# Tab, LF and CR are legitimate inside a value (a multi-line note, a quoted CSV field); every
# other control is invisible in a terminal and a spreadsheet and breaks matching and display.
# One pattern for Python's re and DuckDB's RE2 (files mode) alike.
CONTROL_CHARACTERS = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]"
_CONTROL = re.compile(CONTROL_CHARACTERS)


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


def scan_raw_folder(folder: Path, contract: Mapping[str, Sequence[str]], mode: str = "seeds") -> FolderReport:
    """Check every expected file and look for unexpected ones. mode ``seeds``: <table>.csv
    files; ``files``: <table>.parquet files (and the days added beside them)."""
    if mode not in ("seeds", "files"):
        raise ValueError(f"mode is {mode!r}; use 'seeds' (CSV files) or 'files' (Parquet files)")
    folder = Path(folder)
    report = FolderReport(folder=folder)
    if not folder.is_dir():
        report.problems.append(f"{display(folder)}: raw folder does not exist")
        return report
    for table, columns in contract.items():
        if mode == "seeds":
            report.files.append(check_raw_file(folder / f"{table}.csv", table, list(columns)))
        else:
            report.files.append(check_raw_parquet(folder, table, list(columns)))
    if mode == "seeds":
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
    report.problems.extend(_control_character_problems(rows, header, name))
    report.rows = len(rows) - 1
    return report


def _parse(text: str, name: str) -> tuple[list[tuple[int, list[str]]], str | None]:
    """CSV records with the line each starts on; stops at the first malformed record."""
    rows: list[tuple[int, list[str]]] = []
    start = 1
    limit = csv.field_size_limit()
    # A long field is valid CSV; the module's default limit (131,072 characters) is not a rule of ours.
    csv.field_size_limit(sys.maxsize)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        for row in reader:
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        quote = _unterminated_quote(text, start)
        if quote is not None:
            line, field = quote
            column = _column_name(rows[0][1] if rows else [], field, line)
            return rows, (f"{name} line {line}, column {column}: malformed CSV, unterminated quote: the "
                          "quoted field that opens there is never closed, so the parser reads the rest of the "
                          "file into it; "
                          "close the quote (a quote inside a quoted field is written twice, \"\"); "
                          "later lines were not checked")
        return rows, f"{name} line {start}: malformed CSV ({exc}); later lines were not checked"
    finally:
        csv.field_size_limit(limit)
    return rows, None


def _unterminated_quote(text: str, start_line: int) -> tuple[int, int] | None:
    """(line, 0-based field index) of a quoted field opening in the record that starts on
    ``start_line`` and never closing before the end of the text; None when there is none."""
    offset = 0
    for _ in range(start_line - 1):
        offset = text.find("\n", offset) + 1
        if offset == 0:
            return None
    field, at_field_start, line = 0, True, start_line
    while offset < len(text):
        character = text[offset]
        if at_field_start and character == '"':
            opened_on = line
            offset += 1
            while True:
                close = text.find('"', offset)
                if close == -1:
                    return opened_on, field
                line += text.count("\n", offset, close)
                if text.startswith('""', close):
                    offset = close + 2
                    continue
                offset = close + 1
                break
            at_field_start = False
            continue
        if character == ",":
            field, at_field_start = field + 1, True
        elif character in "\r\n":
            return None  # the record ended without an open quote
        else:
            at_field_start = False
        offset += 1
    return None


def _column_name(header: list[str], index: int, line: int) -> str:
    if line == 1 or not header:
        return f"{index + 1} of the header" if line == 1 else str(index + 1)
    return header[index] if index < len(header) else f"{index + 1} (beyond the header)"


def _control_character_problems(rows: list[tuple[int, list[str]]], header: list[str], name: str) -> list[str]:
    """Every value holding a control character (CONTROL_CHARACTERS): line, column, which one."""
    found: list[str] = []
    total = 0
    for start, row in rows:
        newlines_before = 0
        for index, value in enumerate(row):
            match = _CONTROL.search(value)
            if match is not None:
                total += 1
                if len(found) < MAX_ROW_PROBLEMS_PER_FILE:
                    line = start + newlines_before + value.count("\n", 0, match.start())
                    found.append(f"{name} line {line}, column {_column_name(header, index, start)}: "
                                 f"{_describe_control(match.group())}; {_CONTROL_FIX}")
            newlines_before += value.count("\n")
    if total > len(found):
        found.append(f"{name}: ... and {total - len(found)} more values with a control character")
    return found


_CONTROL_FIX = ("control characters other than tab and line breaks are not allowed in a raw value; "
                "remove it (a NUL often means the file was saved as UTF-16, or copied from a binary field)")


def _describe_control(character: str) -> str:
    return f"control character U+{ord(character):04X}" + (" (NUL)" if character == "\x00" else "")


def check_raw_parquet(folder: Path, table: str, expected: list[str]) -> FileReport:
    """Check one table of a files-mode folder: <table>.parquet present, and in it and in every day
    added beside it (<table>.<YYYY-MM-DD>.parquet): the contract's columns, no control character."""
    import duckdb

    path = folder / f"{table}.parquet"
    report = FileReport(table=table, path=path)
    if not path.is_file():
        report.problems.append(f"{display(path)}: file is missing; {RAW_CONTRACT_PATH} declares table {table}, "
                               f"so the folder must hold {table}.parquet")
        return report
    # The files the dbt source reads: <table>.*parquet (see models/staging/_staging__sources.yml).
    files = [path] + sorted(p for p in folder.glob(f"{table}.*parquet") if p != path)
    report.rows = 0
    with duckdb.connect() as connection:
        for file in files:
            name = display(file)
            try:
                relation = connection.sql(f"select * from read_parquet({_sql_literal(file)}, file_row_number = true)")
                columns = [c for c in relation.columns if c != "file_row_number"]
                report.rows += connection.sql(f"select count(*) from read_parquet({_sql_literal(file)})").fetchone()[0]
            except duckdb.Error as exc:
                report.problems.append(f"{name}: cannot be read as Parquet ({str(exc).splitlines()[0]}); "
                                       "re-run the import that wrote it")
                continue
            report.problems.extend(_header_problems(columns, expected, name))
            report.problems.extend(_parquet_control_problems(connection, file, columns, name))
    return report


def _parquet_control_problems(connection, file: Path, columns: list[str], name: str) -> list[str]:
    found: list[str] = []
    total = 0
    for column in columns:
        quoted = '"' + column.replace('"', '""') + '"'
        source = f"read_parquet({_sql_literal(file)}, file_row_number = true)"
        cell = f"cast({quoted} as varchar)"
        rows = connection.execute(
            f"select file_row_number, regexp_extract({cell}, ?) from {source} "
            f"where regexp_matches({cell}, ?) order by file_row_number",
            [CONTROL_CHARACTERS, CONTROL_CHARACTERS]).fetchall()
        total += len(rows)
        for row_number, character in rows[:max(MAX_ROW_PROBLEMS_PER_FILE - len(found), 0)]:
            found.append(f"{name} row {row_number + 1}, column {column}: {_describe_control(character)}; "
                         f"{_CONTROL_FIX}")
    if total > len(found):
        found.append(f"{name}: ... and {total - len(found)} more values with a control character")
    return found


def _sql_literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


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
