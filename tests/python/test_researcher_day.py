"""The researcher's day of the README runs as written (issue 16): in a copy of the project, after
`make build`, the README's commands log a source and three claims, see one quarantined and why,
correct it, assess an incident and refresh; and the warehouse then holds what they handed in.

Also the build report (civcas.build_report) that ends the refresh."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from civcas.build_report import Judged, newly_judged, summary_lines

PROJECT = Path(__file__).resolve().parents[2]
EXAMPLES = PROJECT / "examples" / "researcher_day"
LEFT_BEHIND = {".venv", ".git", "warehouse", "target", "logs", "data", "reports", "releases", "dbt_packages",
               ".pytest_cache", ".ruff_cache", "__pycache__"}


def readme_day() -> list[str]:
    """The commands of the README's fenced block after the researcher-day marker."""
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- researcher-day -->\n```sh\n(.*?)```", readme, re.S)
    assert block, "README.md lost its researcher-day block"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.lstrip().startswith("#")]


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[subprocess.CompletedProcess[str]]]:
    copy = tmp_path_factory.mktemp("day") / "civcas"
    shutil.copytree(PROJECT, copy, ignore=lambda _, names: [n for n in names if n in LEFT_BEHIND], symlinks=True)
    (copy / ".venv").symlink_to(PROJECT / ".venv")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CIVCAS_", "DBT_"))}
    env.update(DO_NOT_TRACK="1", PYTHONPATH=str(copy))

    def run(command: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(["bash", "-c", command], cwd=copy, env=env, capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done

    run("make build")
    return copy, [run(command) for command in readme_day()]


def test_the_readme_day_is_four_steps(day) -> None:
    commands = readme_day()
    assert [c.split()[0] for c in commands] == [".venv/bin/civcas"] * 3 + ["make"]


def test_the_morning_batch_quarantines_the_impossible_date_and_says_why(day) -> None:
    morning = day[1][0].stdout
    bad = [r for r in rows_of(EXAMPLES / "1-morning" / "raw_claims.csv") if r["incident_date"] == "2020-06-31"]
    assert len(bad) == 1
    assert "raw_claims: 3 rows: 2 clean, 0 flagged for review, 1 quarantined" in morning
    assert "row 4: quarantined (unparseable_date): incident_date '2020-06-31' is not a date" in morning


def test_every_batch_is_written_once_and_in_the_ledger(day) -> None:
    copy, _ = day
    ledger = rows_of(copy / "seeds" / "raw" / "raw_intake_batches.csv")
    assert len({r["batch_id"] for r in ledger}) == 3
    assert {r["accepted_by"] for r in ledger} == {"amira"}
    for folder, table in [("1-morning", "raw_claims"), ("1-morning", "raw_sources"), ("2-correction", "raw_claims"),
                          ("3-assessment", "raw_incident_assessments")]:
        handed_in = rows_of(EXAMPLES / folder / f"{table}.csv")
        now = rows_of(copy / "seeds" / "raw" / f"{table}.csv")
        committed = rows_of(PROJECT / "seeds" / "raw" / f"{table}.csv")
        assert all(row in now for row in handed_in), (folder, table)
        assert len(now) - len(committed) == sum(
            len(rows_of(EXAMPLES / f / f"{table}.csv")) for f in ("1-morning", "2-correction", "3-assessment")
            if (EXAMPLES / f / f"{table}.csv").exists())


def test_the_refresh_says_what_it_quarantined_and_the_warehouse_holds_the_day(day) -> None:
    copy, steps = day
    refresh = steps[-1].stdout
    assert "==> new rows quarantined: 1 (see main.fct_quarantined_rows)" in refresh
    assert "quarantined raw_claims: 1 row by unparseable_date, e.g. incident_date '2020-06-31'" in refresh
    with duckdb.connect(str(copy / "warehouse" / "civcas.duckdb"), read_only=True) as connection:
        def one(sql: str) -> tuple:
            found = connection.execute(sql).fetchone()
            assert found is not None
            return found

        assert one("select count(distinct batch_id), sum(rows_handed_in) from main.fct_intake_batches") == (3, 6)
        assert one("select count(*) from main.fct_claims where claim_id in ('CLM900001', 'CLM900002', "
                   "'CLM900004')") == (3,)
        assert one("select quarantine_rule from main.fct_quarantined_rows where record_id = 'CLM900003'") == (
            "unparseable_date",)
        assessed = rows_of(EXAMPLES / "3-assessment" / "raw_incident_assessments.csv")[0]
        assert one(f"select grade_id from main.fct_incident_assessments where assessment_id = "
                   f"'{assessed['assessment_id']}'")[0].casefold() == assessed["grade"].casefold()


# --------------------------------------------------------------------------- the build report


def judged(outcome: str, table: str, key: str, rule: str, reason: str = "why") -> Judged:
    return Judged(outcome, table, key, rule, reason)


def test_only_judgements_the_build_before_lacked_are_new() -> None:
    after = [judged("quarantined", "raw_claims", "1-1", "unparseable_date"),
             judged("quarantined", "raw_claims", "2-1", "unparseable_date"),
             judged("flagged", "raw_claims", "2-1", "negative_number")]
    before = {"quarantined raw_claims 1-1 unparseable_date"}
    assert newly_judged(before, after) == after[1:]
    assert newly_judged(None, after) == after


def test_summary_counts_rows_not_judgements_and_gives_a_reason() -> None:
    new = [judged("flagged", "raw_claims", "2-1", "negative_number", "b"),
           judged("flagged", "raw_claims", "2-1", "min_above_max", "c"),
           judged("quarantined", "raw_sources", "3-1", "exact_duplicate", "copy")]
    lines = summary_lines(new, first_build=False)
    assert lines[:2] == ["new rows quarantined: 1 (see main.fct_quarantined_rows)",
                         "new rows flagged: 1 (see main.fct_field_issues)"]
    assert "  flagged raw_claims: 1 row by min_above_max, e.g. c" in lines
    assert "  quarantined raw_sources: 1 row by exact_duplicate, e.g. copy" in lines
    assert summary_lines([], first_build=False) == ["none of the new rows was quarantined or flagged"]
    assert summary_lines(new, first_build=True) == ["rows quarantined: 1 (see main.fct_quarantined_rows)",
                                                    "rows flagged: 1 (see main.fct_field_issues)"]
