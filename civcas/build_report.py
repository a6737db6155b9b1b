"""What a build did to the rows it had not seen before: how many were quarantined or flagged, and why.

A build that sets new rows aside still ends "Completed successfully"; this report says what the
rules did. It compares the row keys of fct_quarantined_rows and fct_field_issues after the build
with those before it (a snapshot taken just before), so only the rows the build newly set aside
or flagged are counted, whichever batch, import or edit brought them in. ``make build`` takes
the snapshot and prints the report; ``civcas refresh`` does the same.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

# outcome -> (its mart, the mart's rule column, its reason column); one mart row per raw row and rule
JUDGED = {
    "quarantined": ("fct_quarantined_rows", "quarantine_rule", "quarantine_reason"),
    "flagged": ("fct_field_issues", "rule", "reason"),
}
SNAPSHOT_SUFFIX = ".judged-rows.json"


@dataclass(frozen=True)
class Judged:
    """One raw row judged by one rule."""

    outcome: str  # quarantined or flagged
    raw_table: str
    raw_row_key: str
    rule: str
    reason: str


def judged_rows(warehouse: Path) -> list[Judged]:
    """Every quarantined or flagged raw row of the warehouse; none before its first build."""
    if not warehouse.exists():
        return []
    found: list[Judged] = []
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for outcome, (mart, rule, reason) in JUDGED.items():
            try:
                rows = connection.execute(
                    f"select raw_table, raw_row_key, {rule}, {reason} from main.{mart}").fetchall()
            except duckdb.CatalogException:  # built before the mart existed
                continue
            found += [Judged(outcome, *map(str, row)) for row in rows]
    return found


def snapshot_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + SNAPSHOT_SUFFIX)


def take_snapshot(warehouse: Path) -> Path:
    """Write the keys judged so far beside the warehouse file, for the report after the build."""
    keys = sorted({f"{j.outcome} {j.raw_table} {j.raw_row_key} {j.rule}" for j in judged_rows(warehouse)})
    path = snapshot_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"warehouse_existed": warehouse.exists(), "judged": keys}) + "\n")
    return path


def read_snapshot(warehouse: Path) -> set[str] | None:
    """The keys of the snapshot, or None when there is none (or the warehouse was new)."""
    path = snapshot_path(warehouse)
    if not path.exists():
        return None
    taken = json.loads(path.read_text())
    return set(taken["judged"]) if taken["warehouse_existed"] else None


def newly_judged(before: set[str] | None, after: Iterable[Judged]) -> list[Judged]:
    """The judgements after the build that were not there before it (all of them after a first build)."""
    return [j for j in after if before is None or f"{j.outcome} {j.raw_table} {j.raw_row_key} {j.rule}" not in before]


def summary_lines(new: Iterable[Judged], *, first_build: bool) -> list[str]:
    """Per outcome, table and rule: how many rows, and one reason as an example."""
    groups: dict[tuple[str, str, str], list[Judged]] = {}
    for judged in new:
        groups.setdefault((judged.outcome, judged.raw_table, judged.rule), []).append(judged)
    rows_of = _rows_per_outcome(groups)
    scope = "rows" if first_build else "new rows"
    if not groups:
        return [f"none of the {scope} was quarantined or flagged"]
    lines = [f"{scope} {outcome}: {count:,} (see main.{JUDGED[outcome][0]})" for outcome, count in rows_of.items()]
    if first_build:  # every row is new: the totals say enough, the marts say the rest
        return lines
    for (outcome, table, rule), judged in sorted(groups.items()):
        rows = len({j.raw_row_key for j in judged})
        example = sorted(j.reason for j in judged)[0]
        lines.append(f"  {outcome} {table}: {rows:,} row{'s' if rows != 1 else ''} by {rule}, e.g. {example}")
    return lines


def _rows_per_outcome(groups: Mapping[tuple[str, str, str], list[Judged]]) -> dict[str, int]:
    rows: dict[str, set[tuple[str, str]]] = {}
    for (outcome, table, _), judged in groups.items():
        rows.setdefault(outcome, set()).update((table, j.raw_row_key) for j in judged)
    return {outcome: len(keys) for outcome, keys in sorted(rows.items(), key=lambda item: item[0] != "quarantined")}


def report(warehouse: Path) -> list[str]:
    """The report after a build, against the snapshot taken before it."""
    before = read_snapshot(warehouse)
    return summary_lines(newly_judged(before, judged_rows(warehouse)), first_build=before is None)
