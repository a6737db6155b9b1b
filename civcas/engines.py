"""The same warehouse on several engines, compared row for row (issue 15, part 3).

Every table of the compared schemas (the marts in ``main``, the release tables in ``exports``,
and ``restricted``) is read whole from each engine into pandas, its columns put in one order
and its rows sorted on every column (a canonical order: no engine promises a row order), and
compared:

- the same tables, the same columns, the same number of rows;
- whole numbers, booleans, dates and texts equal;
- floating-point columns equal to a relative tolerance of ``FLOAT_TOLERANCE`` (1e-9; an
  absolute one of the same size near zero): engines add in different orders;
- lists (arrays) equal element for element.

A difference is reported with its table, column and first differing rows; any difference is a
defect to fix, not to document.
"""

from __future__ import annotations

import datetime
import decimal
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

FLOAT_TOLERANCE = 1e-9
SCHEMAS = ("main", "exports", "restricted")
# Tables that say when and from which build a copy was published: not the build's output.
SKIPPED_TABLES = frozenset({"_publication", "_publication_tables"})
# Columns that name the build itself (its dbt invocation, time and command line), which differ
# between any two builds: the rest of the table (the period) is compared.
BUILD_RECORD_COLUMNS = {"main.dim_builds": ("invocation_id", "dbt_version", "build_started_at", "command_line_vars")}


@dataclass
class Comparison:
    """What differs between two engines' schemas; empty when they are equal."""

    left: str
    right: str
    tables: int = 0
    rows: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not self.differences

    def report(self) -> str:
        head = (f"{self.left} vs {self.right}: {self.tables} tables, {self.rows:,} rows compared; "
                f"{'equal' if self.equal else f'{len(self.differences)} differences'}")
        return "\n".join([head, *(f"  {difference}" for difference in self.differences)])


def _normalise(value: Any) -> Any:
    """One value in a form both engines give alike (arrays as tuples, NaN and None as None)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, dict):
        return tuple(sorted((key, _normalise(item)) for key, item in value.items()))
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return tuple(_normalise(item) for item in value)
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        # a date read as a timestamp (pandas has no date type)
        return value.date()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


def _sort_key(value: Any) -> tuple[int, str]:
    return (0, "") if value is None else (1, repr(value) if not isinstance(value, str) else value)


def canonical_rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """The rows of `frame` (columns in name order) as tuples, sorted on every column. Floats sort
    by their value rounded to 6 significant digits, so that engines' last bits do not reorder."""
    columns = sorted(frame.columns)
    rows = [tuple(_normalise(value) for value in row) for row in frame[columns].itertuples(index=False, name=None)]

    def key(row: tuple[Any, ...]) -> tuple[tuple[int, str], ...]:
        return tuple(_sort_key(float(f"{value:.6g}") if isinstance(value, float) else value) for value in row)

    return sorted(rows, key=key)


def _values_equal(left: Any, right: Any) -> bool:
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, bool) or isinstance(right, bool):
        return bool(left) == bool(right) and type(left) is type(right)
    if isinstance(left, float) or isinstance(right, float):
        if not isinstance(left, (int, float)) or not isinstance(right, (int, float)):
            return False
        return math.isclose(float(left), float(right), rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)
    if isinstance(left, tuple) and isinstance(right, tuple):
        return len(left) == len(right) and all(_values_equal(a, b) for a, b in zip(left, right, strict=True))
    if hasattr(left, "isoformat") and hasattr(right, "isoformat"):
        return str(left)[:26] == str(right)[:26]
    return bool(left == right)


def compare_frames(table: str, left: pd.DataFrame, right: pd.DataFrame, limit: int = 3) -> list[str]:
    """The differences between two engines' copies of one table."""
    if sorted(left.columns) != sorted(right.columns):
        only_left = sorted(set(left.columns) - set(right.columns))
        only_right = sorted(set(right.columns) - set(left.columns))
        return [f"{table}: columns differ (only left: {only_left}; only right: {only_right})"]
    if len(left) != len(right):
        return [f"{table}: {len(left):,} rows against {len(right):,}"]
    columns = sorted(left.columns)
    differences: list[str] = []
    for index, (left_row, right_row) in enumerate(zip(canonical_rows(left), canonical_rows(right), strict=True)):
        for column, left_value, right_value in zip(columns, left_row, right_row, strict=True):
            if not _values_equal(left_value, right_value):
                differences.append(f"{table}.{column}, row {index} (canonical order): "
                                   f"{left_value!r} against {right_value!r}")
                break
        if len(differences) >= limit:
            break
    return differences


def compare(left: dict[str, pd.DataFrame], right: dict[str, pd.DataFrame], left_name: str,
            right_name: str) -> Comparison:
    """Compare two engines' tables (``schema.table`` -> frame)."""
    result = Comparison(left_name, right_name)
    for table in sorted(set(left) | set(right)):
        if table not in left or table not in right:
            result.differences.append(f"{table}: only in {left_name if table in left else right_name}")
            continue
        result.tables += 1
        result.rows += len(left[table])
        skipped = list(BUILD_RECORD_COLUMNS.get(table, ()))
        result.differences += compare_frames(table, left[table].drop(columns=skipped, errors="ignore"),
                                             right[table].drop(columns=skipped, errors="ignore"))
    return result


def duckdb_tables(path: Path, schemas: Iterable[str] = SCHEMAS) -> dict[str, pd.DataFrame]:
    """Every table of `schemas` in a DuckDB file, read-only."""
    import duckdb

    with duckdb.connect(str(path), read_only=True) as connection:
        names = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in (select unnest(?)) and table_type = 'BASE TABLE'", [list(schemas)]).fetchall()
        return {f"{schema}.{name}": connection.execute(f'select * from "{schema}"."{name}"').df()
                for schema, name in names if name not in SKIPPED_TABLES}


def postgres_tables(connection: Any, schemas: Iterable[str] = SCHEMAS) -> dict[str, pd.DataFrame]:
    """Every table of `schemas` on a PostgreSQL connection (psycopg2)."""
    with connection.cursor() as cursor:
        cursor.execute("select table_schema, table_name from information_schema.tables "
                       "where table_schema = any(%s) and table_type = 'BASE TABLE'", (list(schemas),))
        names = cursor.fetchall()
        tables = {}
        for schema, name in names:
            if name in SKIPPED_TABLES:
                continue
            cursor.execute(f'select * from "{schema}"."{name}"')
            columns = [description[0] for description in cursor.description]
            tables[f"{schema}.{name}"] = pd.DataFrame(cursor.fetchall(), columns=columns)
        return tables
