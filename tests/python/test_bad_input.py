"""A malformed row never stops the build and never vanishes; a malformed file stops
the build with a message that names the file and what is wrong."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
from conftest import run_dbt

from civcas.raw_contract import load_raw_contract
from civcas.raw_files import check_raw_folder

CLAIMS = Path("seeds") / "raw" / "raw_claims.csv"


def _rewrite_claims(project: Path, transform) -> None:
    path = project / CLAIMS
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows = transform(rows)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _messages(result) -> str:
    """What dbt reports for the failed nodes: "<node> (<file>): <message>"."""
    parts = [str(result.exception or "")]
    for node_result in result.result or []:
        if str(node_result.status) in {"error", "fail"}:
            node = node_result.node
            parts.append(f"{node.name} ({node.original_file_path}): {node_result.message}")
    return "\n".join(parts)


def test_a_malformed_row_is_quarantined_and_the_build_goes_on(project_copy: Path, tmp_path: Path):
    def add_bad_row(rows):
        header = rows[0]
        bad = dict.fromkeys(header, "")
        bad.update(claim_id="CLM-PYTEST-1", source_id=rows[1][header.index("source_id")],
                   date_reported="the day after", civilians_killed_min="9", civilians_killed_max="3",
                   belligerents_as_written="coalition")
        return rows + [[bad[column] for column in header]]

    _rewrite_claims(project_copy, add_bad_row)
    duckdb_path = tmp_path / "w.duckdb"
    result = run_dbt(["build", "--select", "+fct_quarantined_rows",
                      "--resource-type", "seed", "--resource-type", "model"],
                     project_copy, duckdb_path, tmp_path / "target")
    assert result.success, _messages(result)
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        reason = connection.sql(
            "select quarantine_rule, quarantine_reason from fct_quarantined_rows "
            "where record_id = 'CLM-PYTEST-1'").fetchall()
    assert len(reason) == 1
    rule, text = reason[0]
    assert rule == "unparseable_date"
    # the field issues of a quarantined row are in its reason too: one pass fixes everything
    assert "'the day after'" in text and "civilians_killed_min (9) is above civilians_killed_max (3)" in text


def test_a_missing_column_stops_the_build_naming_file_and_column(project_copy: Path, tmp_path: Path):
    def drop_latitude(rows):
        index = rows[0].index("latitude")
        return [row[:index] + row[index + 1:] for row in rows]

    _rewrite_claims(project_copy, drop_latitude)
    result = run_dbt(["build", "--select", "+stg_monitor__claims"], project_copy,
                     tmp_path / "w.duckdb", tmp_path / "target")
    assert not result.success
    message = _messages(result)
    assert "seeds/raw/raw_claims.csv" in message
    assert "missing column(s) latitude" in message


def test_an_extra_column_stops_the_build_naming_file_and_column(project_copy: Path, tmp_path: Path):
    _rewrite_claims(project_copy, lambda rows: [rows[0] + ["casualty_notes"]] + [r + [""] for r in rows[1:]])
    result = run_dbt(["build", "--select", "+stg_monitor__claims"], project_copy,
                     tmp_path / "w.duckdb", tmp_path / "target")
    assert not result.success
    message = _messages(result)
    assert "seeds/raw/raw_claims.csv" in message
    assert "unexpected column(s) casualty_notes" in message


def test_an_undecodable_byte_stops_the_build_naming_the_file(project_copy: Path, tmp_path: Path):
    path = project_copy / CLAIMS
    data = path.read_bytes()
    cut = data.index(b"\n", len(data) // 2) + 1
    path.write_bytes(data[:cut] + b"\xff\xfe broken" + data[cut:])
    result = run_dbt(["build", "--select", "+stg_monitor__claims"], project_copy,
                     tmp_path / "w.duckdb", tmp_path / "target")
    assert not result.success
    assert "utf-8" in _messages(result).lower()
    # dbt fails while parsing, before any node exists, so its message cannot name the
    # file; `civcas check-raw`, which `make build` and `make test` run first, does.
    problems = check_raw_folder(project_copy / "seeds" / "raw", load_raw_contract(project_copy))
    assert any("raw_claims.csv" in problem and "column" in problem and "0xff" in problem
               for problem in problems), problems
