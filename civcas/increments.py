"""Daily increments of a raw folder: hold out the last days of a dataset, and add a day back.

A monitor's day brings new claims, new assessments of incidents, new statements by the
belligerents and new strike releases. ``split_last_days`` replays that from any raw folder in
the files layout (``<table>.parquet``, as written by ``civcas import-archive`` and
``civcas generate-scale``): everything before the last ``days`` days goes to ``base/``, and each
held-out day's new rows to ``days/<YYYY-MM-DD>/<table>.parquet``. ``apply_day`` adds one day to a
raw folder as ``<table>.<YYYY-MM-DD>.parquet``; the dbt source ``raw_files`` reads
``<table>.*parquet``, the base file and every day added beside it, so an incremental
``dbt build`` sees the day's rows as new raw rows.

Which rows belong to a day, by table (the date written in the row, YYYY-MM-DD):
claims by ``date_reported``, assessments by ``assessed_on``, statements by ``statement_date``,
declared strikes by ``strike_date``. The registers (sources, incidents, their belligerents) and
the dataset manifest stay in the base: a register change makes the warehouse recompute the
claim chain in full (models/intermediate/int_claims_validated.sql), which is correct but is not
a daily increment. A row whose date does not parse stays in the base. The last day is the latest
``date_reported`` of a claim.

Used by the incremental-equals-full test (tests/python/test_incremental.py) and the benchmark.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb

# The date column that says on which day a row arrived; tables not named here stay in the base.
DAY_COLUMNS: dict[str, str] = {
    "raw_claims": "date_reported",
    "raw_incident_assessments": "assessed_on",
    "raw_belligerent_statements": "statement_date",
    "raw_declared_strikes": "strike_date",
}


class IncrementError(ValueError):
    """A raw folder cannot be split or a day cannot be added; the message says what to fix."""


def _day_expression(column: str) -> str:
    return f"try_cast(try_strptime(trim(\"{column}\"), '%Y-%m-%d') as date)"


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def raw_tables(raw_dir: Path) -> list[str]:
    """The base tables of a raw folder: every ``<table>.parquet`` (day files excluded)."""
    tables = sorted(path.stem for path in raw_dir.glob("*.parquet") if "." not in path.stem)
    if "raw_claims" not in tables:
        raise IncrementError(f"{raw_dir}: no raw_claims.parquet; point at a raw folder in the files layout")
    return tables


def last_claim_day(raw_dir: Path) -> dt.date:
    """The latest date_reported (YYYY-MM-DD) of a claim in the base file."""
    with duckdb.connect() as connection:
        row = connection.execute(
            f"select max({_day_expression('date_reported')}) "
            f"from read_parquet({_quoted(raw_dir / 'raw_claims.parquet')})"
        ).fetchone()
    if row is None or row[0] is None:
        raise IncrementError(f"{raw_dir / 'raw_claims.parquet'}: column date_reported holds no YYYY-MM-DD date")
    return row[0]


def last_typical_claim_day(raw_dir: Path) -> dt.date:
    """The latest day on which at least the median number of claims per day was reported.

    A dataset's last days are its thin tail (a few late reports); a benchmark that holds out
    the very last day measures a refresh of one claim. This is the last day of ordinary traffic."""
    with duckdb.connect() as connection:
        row = connection.execute(
            f"with per_day as (select {_day_expression('date_reported')} as day, count(*) as claims "
            f"from read_parquet({_quoted(raw_dir / 'raw_claims.parquet')}) group by 1 having day is not null) "
            "select max(day) from per_day where claims >= (select median(claims) from per_day)"
        ).fetchone()
    if row is None or row[0] is None:
        raise IncrementError(f"{raw_dir / 'raw_claims.parquet'}: column date_reported holds no YYYY-MM-DD date")
    return row[0]


def split_last_days(raw_dir: Path, out_dir: Path, days: int, first_day: dt.date | None = None) -> list[Path]:
    """Write ``out_dir/base/<table>.parquet`` (all but the held-out days) and one folder per
    held-out day, ``out_dir/days/<YYYY-MM-DD>/<table>.parquet``; return the day folders, oldest first.
    The held-out days are the last ``days`` days of claims, or ``days`` days from ``first_day``
    (late reports about a busy month: the base then holds later days too). Every raw row lands
    in exactly one file."""
    if days < 1:
        raise IncrementError(f"days is {days}; hold out at least one day")
    tables = raw_tables(raw_dir)
    if first_day is None:
        first_day = last_claim_day(raw_dir) - dt.timedelta(days=days - 1)
    held_out = [first_day + dt.timedelta(days=offset) for offset in range(days)]
    first_held_out, last_day = held_out[0], held_out[-1]
    base_dir = out_dir / "base"
    days_dir = out_dir / "days"
    for folder in (base_dir, days_dir):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    day_dirs = []
    for day in held_out:
        day_dir = days_dir / day.isoformat()
        day_dir.mkdir()
        day_dirs.append(day_dir)
    with duckdb.connect() as connection:
        for table in tables:
            source = f"read_parquet({_quoted(raw_dir / (table + '.parquet'))})"
            column = DAY_COLUMNS.get(table)
            if column is None:
                connection.execute(f"copy (select * from {source}) to {_quoted(base_dir / (table + '.parquet'))} "
                                   "(format parquet)")
                continue
            day = _day_expression(column)
            connection.execute(
                f"copy (select * from {source} where coalesce({day} < date '{first_held_out}', true) "
                f"or {day} > date '{last_day}') to {_quoted(base_dir / (table + '.parquet'))} (format parquet)"
            )
            for day_value, day_dir in zip(held_out, day_dirs, strict=True):
                connection.execute(
                    f"copy (select * from {source} where {day} = date '{day_value}') "
                    f"to {_quoted(day_dir / (table + '.parquet'))} (format parquet)"
                )
    return day_dirs


def apply_day(day_dir: Path, raw_dir: Path) -> list[Path]:
    """Add a held-out day's files to a raw folder as ``<table>.<day>.parquet``; return them."""
    day = day_dir.name
    try:
        dt.date.fromisoformat(day)
    except ValueError as error:
        raise IncrementError(f"{day_dir}: a day folder is named YYYY-MM-DD") from error
    added = []
    for path in sorted(day_dir.glob("*.parquet")):
        if not (raw_dir / path.name).exists():
            raise IncrementError(f"{path}: {raw_dir} has no base file {path.name}; apply days to a split's base")
        target = raw_dir / f"{path.stem}.{day}.parquet"
        if target.exists():
            raise IncrementError(f"{target} exists: day {day} was already added")
        shutil.copyfile(path, target)
        added.append(target)
    return added
