"""File-level checks of the raw folder (civcas check-raw): each fault names the file and where."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from civcas.cli import main
from civcas.raw_contract import load_raw_contract
from civcas.raw_files import check_raw_folder

PROJECT = Path(__file__).resolve().parents[2]
RAW = PROJECT / "seeds" / "raw"


@pytest.fixture(scope="module")
def contract() -> dict[str, list[str]]:
    return load_raw_contract(PROJECT)


@pytest.fixture()
def raw_copy(tmp_path: Path, contract: dict[str, list[str]]) -> Path:
    """A throw-away copy of the committed raw folder."""
    missing = [t for t in contract if not (RAW / f"{t}.csv").is_file()]
    assert not missing, f"seeds/raw lacks {missing}; run `civcas generate-demo`"
    destination = tmp_path / "raw"
    shutil.copytree(RAW, destination)
    return destination


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def drop_column(path: Path, column: str) -> None:
    rows = read_rows(path)
    index = rows[0].index(column)
    write_rows(path, [row[:index] + row[index + 1 :] for row in rows])


def only(problems: list[str], *fragments: str) -> str:
    """The one problem that mentions every fragment."""
    matching = [p for p in problems if all(f in p for f in fragments)]
    assert len(matching) == 1, problems
    return matching[0]


def test_committed_raw_folder_passes(contract: dict[str, list[str]]) -> None:
    assert check_raw_folder(RAW, contract) == []


def test_cli_check_raw_prints_ok_with_row_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-raw", "--project-dir", str(PROJECT)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("check-raw: OK")
    assert "raw_claims " in out


def test_missing_column_is_named(raw_copy: Path, contract: dict[str, list[str]]) -> None:
    drop_column(raw_copy / "raw_claims.csv", "place_as_written")
    problem = only(check_raw_folder(raw_copy, contract), "raw_claims.csv")
    assert "missing column(s) place_as_written;" in problem
    assert "seeds/raw/_raw__seeds.yml" in problem
    assert ", ".join(contract["raw_claims"]) in problem


def test_extra_column_is_named(raw_copy: Path, contract: dict[str, list[str]]) -> None:
    path = raw_copy / "raw_sources.csv"
    rows = read_rows(path)
    write_rows(path, [rows[0] + ["notes"]] + [row + [""] for row in rows[1:]])
    problem = only(check_raw_folder(raw_copy, contract), "raw_sources.csv")
    assert "unexpected column(s) notes;" in problem


def test_column_order_is_checked(raw_copy: Path, contract: dict[str, list[str]]) -> None:
    path = raw_copy / "raw_incidents.csv"
    rows = read_rows(path)
    write_rows(path, [[row[1], row[0], *row[2:]] for row in rows])
    problem = only(check_raw_folder(raw_copy, contract), "raw_incidents.csv")
    assert "out of order" in problem
    assert "found previous_codes, incident_code," in problem


def test_ragged_row_names_file_line_and_counts(raw_copy: Path, contract: dict[str, list[str]]) -> None:
    path = raw_copy / "raw_incidents.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[4] += ",surplus"
    path.write_text("\n".join(lines), encoding="utf-8")
    width = len(contract["raw_incidents"])
    problem = only(check_raw_folder(raw_copy, contract), "raw_incidents.csv")
    assert f"raw_incidents.csv line 5: {width + 1} fields, but the header has {width}" in problem


def test_short_row_is_reported_too(raw_copy: Path, contract: dict[str, list[str]]) -> None:
    path = raw_copy / "raw_declared_strikes.csv"
    rows = read_rows(path)
    rows[9] = rows[9][:-2]
    write_rows(path, rows)
    problem = only(check_raw_folder(raw_copy, contract), "raw_declared_strikes.csv")
    width = len(contract["raw_declared_strikes"])
    assert f"line 10: {width - 2} fields, but the header has {width}" in problem


def test_undecodable_byte_names_file_line_column_and_offset(raw_copy: Path, contract: dict[str, list[str]]) -> None:
    path = raw_copy / "raw_claims.csv"
    rows = read_rows(path)
    rows[16][rows[0].index("place_as_written")] = "@@BAD@@"
    write_rows(path, rows)
    data = path.read_bytes()
    offset = data.index(b"@@BAD@@") + len(b"Raqqa")
    path.write_bytes(data.replace(b"@@BAD@@", b"Raqqa\xff"))
    problem = only(check_raw_folder(raw_copy, contract), "raw_claims.csv")
    assert "raw_claims.csv line 17, column place_as_written: byte 0xff" in problem
    assert f"byte offset {offset}" in problem
    assert "re-save the file as UTF-8" in problem


def test_missing_file_is_named(raw_copy: Path, contract: dict[str, list[str]]) -> None:
    (raw_copy / "raw_declared_strikes.csv").unlink()
    problem = only(check_raw_folder(raw_copy, contract), "raw_declared_strikes.csv")
    assert "file is missing" in problem


def test_unexpected_csv_file_is_named(raw_copy: Path, contract: dict[str, list[str]]) -> None:
    (raw_copy / "raw_notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    problem = only(check_raw_folder(raw_copy, contract), "raw_notes.csv")
    assert "unexpected file" in problem


def test_byte_order_mark_and_empty_file(raw_copy: Path, contract: dict[str, list[str]]) -> None:
    path = raw_copy / "raw_sources.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    (raw_copy / "raw_dataset.csv").write_bytes(b"")
    problems = check_raw_folder(raw_copy, contract)
    assert "byte-order mark" in only(problems, "raw_sources.csv")
    assert "file is empty" in only(problems, "raw_dataset.csv")


def test_unterminated_quote_is_malformed(raw_copy: Path, contract: dict[str, list[str]]) -> None:
    path = raw_copy / "raw_incident_belligerents.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[-2] = lines[-2] + ',"unterminated'
    path.write_text("\n".join(lines), encoding="utf-8")
    problems = check_raw_folder(raw_copy, contract)
    assert any("raw_incident_belligerents.csv line" in p and "malformed CSV" in p for p in problems), problems


def test_row_content_is_not_a_file_problem(raw_copy: Path, contract: dict[str, list[str]]) -> None:
    """Bad dates and figures are quarantined by dbt, so they must not stop the build here."""
    path = raw_copy / "raw_claims.csv"
    rows = read_rows(path)
    header = rows[0]
    rows[1][header.index("date_reported")] = "31/02/2017"
    rows[1][header.index("civilians_killed_min")] = "dozens"
    rows[2][header.index("place_as_written")] = "  Raqqa, \"old city\"  "
    write_rows(path, rows)
    assert check_raw_folder(raw_copy, contract) == []


def test_cli_exit_codes(raw_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    drop_column(raw_copy / "raw_claims.csv", "incident_code")
    assert main(["check-raw", "--project-dir", str(PROJECT), "--folder", str(raw_copy)]) == 1
    err = capsys.readouterr().err
    assert "raw_claims.csv" in err and "incident_code" in err
    assert main([]) == 2
    with pytest.raises(SystemExit) as usage:
        main(["check-raw", "--no-such-option"])
    assert usage.value.code == 2


def _set_field(path: Path, row: int, column: str, value: str) -> None:
    rows = read_rows(path)
    rows[row][rows[0].index(column)] = value
    write_rows(path, rows)


def test_a_field_longer_than_the_csv_module_default_is_accepted(raw_copy: Path, contract: dict[str, list[str]]) -> None:
    # Python's csv module refuses fields over 131,072 characters unless told otherwise.
    long_text = "Raqqa old city, " * 20_000  # 320,000 characters, valid CSV
    _set_field(raw_copy / "raw_claims.csv", 3, "place_as_written", long_text)
    assert check_raw_folder(raw_copy, contract) == []
    assert main(["check-raw", "--project-dir", str(PROJECT), "--folder", str(raw_copy)]) == 0


def test_an_unterminated_quote_is_named_with_its_line_and_column(raw_copy: Path,
                                                                 contract: dict[str, list[str]]) -> None:
    path = raw_copy / "raw_claims.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    cells = lines[4].split(",")
    # line 5: the third field opens a quote that never closes (the rest of the file is long, too)
    cells[2] = '"2017-03-0' + "1" * 200_000
    lines[4] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")
    problem = only(check_raw_folder(raw_copy, contract), "raw_claims.csv")
    assert f"raw_claims.csv line 5, column {header[2]}: malformed CSV, unterminated quote" in problem, problem
    assert "field limit" not in problem


def test_a_quoted_field_spanning_lines_with_a_doubled_quote_is_fine(raw_copy: Path,
                                                                    contract: dict[str, list[str]]) -> None:
    _set_field(raw_copy / "raw_claims.csv", 2, "place_as_written", 'near the "old"\r\nbridge\tnorth')
    assert check_raw_folder(raw_copy, contract) == []


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x0b", "\x1b", "\x7f", "\x85"])
def test_a_control_character_is_named_with_file_line_and_column(raw_copy: Path, contract: dict[str, list[str]],
                                                                character: str) -> None:
    path = raw_copy / "raw_sources.csv"
    rows = read_rows(path)
    column = rows[0][1]
    # a multi-line field before it: the line is the physical line of the character
    rows[3][rows[0].index(column)] = f"first line\nsecond{character}line"
    write_rows(path, rows)
    problem = only(check_raw_folder(raw_copy, contract), "raw_sources.csv")
    assert f"raw_sources.csv line 5, column {column}: control character U+{ord(character):04X}" in problem, problem


def _write_parquet_folder(folder: Path, contract: dict[str, list[str]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir()
    for table, columns in contract.items():
        rows = read_rows(RAW / f"{table}.csv")
        assert rows[0] == columns
        data = {name: [row[i] for row in rows[1:]] for i, name in enumerate(columns)}
        pq.write_table(pa.table(data, schema=pa.schema([(name, pa.string()) for name in columns])),
                       folder / f"{table}.parquet")


def test_files_mode_checks_parquet_columns_and_control_characters(tmp_path: Path,
                                                                 contract: dict[str, list[str]],
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import pyarrow.parquet as pq

    folder = tmp_path / "files"
    _write_parquet_folder(folder, contract)
    assert check_raw_folder_files(folder, contract) == []
    assert main(["check-raw", "--project-dir", str(PROJECT), "--mode", "files", "--folder", str(folder)]) == 0
    capsys.readouterr()

    table = pq.read_table(folder / "raw_claims.parquet").to_pylist()
    table[6]["place_as_written"] = "Mosul\x00West"
    pq.write_table(pq.read_table(folder / "raw_claims.parquet").from_pylist(table,
                   schema=pq.read_schema(folder / "raw_claims.parquet")), folder / "raw_claims.2017-04-01.parquet")
    (folder / "raw_incidents.parquet").unlink()
    problems = check_raw_folder_files(folder, contract)
    assert "raw_claims.2017-04-01.parquet row 7, column place_as_written: control character U+0000 (NUL)" in \
        only(problems, "raw_claims.2017-04-01.parquet"), problems
    assert "file is missing" in only(problems, "raw_incidents.parquet")
    assert main(["check-raw", "--project-dir", str(PROJECT), "--mode", "files", "--folder", str(folder)]) == 1
    assert "U+0000" in capsys.readouterr().err


def check_raw_folder_files(folder: Path, contract: dict[str, list[str]]) -> list[str]:
    from civcas.raw_files import scan_raw_folder

    return scan_raw_folder(folder, contract, mode="files").all_problems


def test_dbt_seed_loads_a_field_longer_than_the_csv_module_default(project_copy: Path, tmp_path: Path) -> None:
    """check-raw accepts long fields, so the loader must too (civcas/duckdb_plugin.py, profiles.yml)."""
    import duckdb
    from conftest import run_dbt

    long_text = "Deir ez-Zor riverside, " * 10_000  # 230,000 characters
    _set_field(project_copy / "seeds" / "raw" / "raw_claims.csv", 3, "place_as_written", long_text)
    database = tmp_path / "long.duckdb"
    result = run_dbt(["seed", "--select", "raw_claims"], project_copy, database, tmp_path / "target")
    assert result.success, result.exception
    with duckdb.connect(str(database), read_only=True) as connection:
        longest = connection.execute("select max(length(place_as_written)) from raw.raw_claims").fetchone()[0]
    assert longest == len(long_text)
