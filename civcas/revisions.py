"""revisions_by_month (issue 16): how each month's alleged and likely figures moved between two
as-of dates, per belligerent (side) and country.

The journalist's question, "what did you publish for March 2017, and why does it differ now?",
compares two builds: what was published (a release folder, built as of a day with dbt var
`civcas_as_of`) and what the warehouse says now (a later release, or a built warehouse file).
Both sides are read from the same mart, `fct_monthly_belligerent_summary` (the release's
`csv/monthly_belligerent_summary.csv`), so a revision is exactly the difference between two
as-of builds; nothing is recomputed here. A month one side does not hold (months after the
earlier as-of date) keeps its figures on the side that holds it, and its change is empty
(unknown, never zero): nothing was published to revise.

Why two builds and not one mart with two dates: the figures as known on a day depend on the
whole chain as it stood (the claims then, their links and candidate incidents, the grade in
force, the grade suggestions, the field rules), and only a build as of that day reproduces it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

KEY = ("month", "belligerent_id", "country_id")
# DOMAIN.md: alleged = incidents where civilian harm was reported; likely = Fair + Confirmed
# (for Russia, Fair only). The monthly mart counts both; these are the figures compared.
FIGURES = ("alleged_incidents", "alleged_killed_min", "alleged_killed_max",
           "likely_incidents", "likely_killed_min", "likely_killed_max")
SUMMARY_CSV = Path("csv") / "monthly_belligerent_summary.csv"
SUMMARY_TABLE = "main.fct_monthly_belligerent_summary"


class RevisionsError(Exception):
    """A side cannot be read; the message says which and why."""


@dataclass(frozen=True)
class Side:
    """One build's monthly figures: where they came from, its as-of day (None: as of the build),
    whether its data is synthetic, and per (month, belligerent, country) the figures."""

    label: str
    as_of: str | None
    is_synthetic: bool
    figures: Mapping[tuple[str, str, str], Mapping[str, int | None]]


def _number(text: str | None) -> int | None:
    return None if text in (None, "") else int(str(text))


def read_release(folder: Path) -> Side:
    """A release folder: its manifest's as-of day and its monthly_belligerent_summary.csv."""
    manifest_path, summary_path = folder / "manifest.json", folder / SUMMARY_CSV
    if not manifest_path.is_file() or not summary_path.is_file():
        raise RevisionsError(f"{folder} is not a release folder (no manifest.json or {SUMMARY_CSV})")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    with summary_path.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    figures = {tuple(row[k] for k in KEY): {f: _number(row[f]) for f in FIGURES} for row in rows}
    return Side(str(folder), manifest.get("as_of"), bool(manifest.get("is_synthetic")), figures)


def read_warehouse(path: Path) -> Side:
    """A built warehouse (DuckDB file, opened read-only): dim_datasets.as_of_date and the monthly mart."""
    try:
        connection = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise RevisionsError(f"{path} cannot be opened as a DuckDB warehouse ({exc})") from None
    try:
        datasets = connection.execute("select as_of_date, is_synthetic from main.dim_datasets").fetchall()
        rows = connection.execute(
            f"select strftime(month, '%Y-%m-%d'), belligerent_id, country_id, {', '.join(FIGURES)} "
            f"from {SUMMARY_TABLE}").fetchall()
    except duckdb.Error as exc:
        raise RevisionsError(f"{path}: {SUMMARY_TABLE} or main.dim_datasets.as_of_date cannot be read ({exc}); "
                             "build it with this version of civcas") from None
    finally:
        connection.close()
    days = {str(day) for day, _ in datasets if day is not None}
    figures = {tuple(row[:3]): dict(zip(FIGURES, row[3:], strict=True)) for row in rows}
    return Side(str(path), days.pop() if days else None, any(bool(s) for _, s in datasets), figures)


def read_side(path: Path) -> Side:
    """A release folder or a warehouse file."""
    if path.is_dir():
        return read_release(path)
    if path.is_file():
        return read_warehouse(path)
    raise RevisionsError(f"{path} does not exist (give a release folder or a built warehouse file)")


def revisions_by_month(earlier: Side, later: Side) -> list[dict[str, object]]:
    """One row per month, belligerent and country either side holds, ordered by them: each
    figure on both sides and its change (later minus earlier; empty when a side lacks the month
    or the figure is unknown)."""
    rows = []
    for key in sorted(set(earlier.figures) | set(later.figures)):
        before, after = earlier.figures.get(key), later.figures.get(key)
        row: dict[str, object] = dict(zip(KEY, key, strict=True))
        row["from_as_of"], row["to_as_of"] = earlier.as_of, later.as_of
        for figure in FIGURES:
            old = None if before is None else before[figure]
            new = None if after is None else after[figure]
            row[f"{figure}_from"], row[f"{figure}_to"] = old, new
            row[f"{figure}_change"] = None if old is None or new is None else new - old
        row["is_synthetic"] = earlier.is_synthetic or later.is_synthetic
        rows.append(row)
    return rows


def columns() -> list[str]:
    return [*KEY, "from_as_of", "to_as_of",
            *(f"{figure}_{part}" for figure in FIGURES for part in ("from", "to", "change")), "is_synthetic"]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_csv(rows: Sequence[Mapping[str, object]], path: Path) -> None:
    """UTF-8, LF, a header; empty = unknown; booleans true/false (the release's conventions)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as sink:
        writer = csv.writer(sink, lineterminator="\n")
        writer.writerow(columns())
        writer.writerows([[_text(row[c]) for c in columns()] for row in rows])


def changed_rows(rows: Sequence[Mapping[str, object]]) -> list[Mapping[str, object]]:
    """The rows where some figure moved."""
    return [row for row in rows if any(row[f"{figure}_change"] not in (None, 0) for figure in FIGURES)]
