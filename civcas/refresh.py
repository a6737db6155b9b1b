"""civcas refresh: the daily refresh of a warehouse built from a raw folder (issue 14, part 2).

A day (``civcas add-day``, an importer, an intake batch) adds files beside the base files of the
raw folder, ``<table>.<YYYY-MM-DD>.parquet``. The refresh compares the folder with the state that
the last refresh left beside the warehouse (``<warehouse>.refresh.json``) and plans the build:

- **new files only**: ``dbt build --select source:raw_files.<table>+`` for the tables that got
  files. The incremental claim chain reads only the new files (macros/incremental_refresh.sql);
  the nodes that no new file reaches, and their tests, are not run.
- **everything**, a full check of every node and test: on request (``--full-check``), when the
  last full check is older than ``--full-check-days``, when there is no state yet, or when the
  project, its seeds or the vars changed since the last refresh (the state can then not say what
  changed).
- a file seen by the last refresh that is gone or changed stops the refresh: raw files are never
  edited, and the remedy is ``--full-refresh``.

After the build it prints how many rows the new files brought and how many of them the
quarantine rules set aside, by table and rule.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from civcas.benchmark import dbt_executable
from civcas.build_report import report, take_snapshot

STATE_SUFFIX = ".refresh.json"
# What the project is made of: a change in any of these can change every table.
PROJECT_PARTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "tests", "seeds")
PROJECT_SUFFIXES = {".sql", ".yml", ".yaml", ".csv", ".md"}


class RefreshError(RuntimeError):
    """The refresh cannot go on; the message says what to do."""


@dataclass(frozen=True)
class Plan:
    tables: tuple[str, ...]  # raw tables with new files
    new_files: tuple[str, ...]
    full_check: bool
    reason: str

    @property
    def selection(self) -> list[str] | None:
        """dbt's --select for the plan; None runs every node."""
        if self.full_check:
            return None
        return daily_selection(self.tables)


def daily_selection(tables: Sequence[str]) -> list[str]:
    """What a day's new files reach: the nodes downstream of the raw tables that got them."""
    return [f"source:raw_files.{table}+" for table in tables]


def raw_files(raw: Path) -> dict[str, list[int]]:
    """Every Parquet file of the raw folder: name -> [bytes, modified ns]."""
    return {path.name: [path.stat().st_size, path.stat().st_mtime_ns] for path in sorted(raw.glob("*.parquet"))}


def project_fingerprint(project: Path) -> str:
    digest = hashlib.sha256()
    for part in PROJECT_PARTS:
        root = project / part
        paths = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in paths:
            if path.exists() and path.suffix in PROJECT_SUFFIXES:
                digest.update(str(path.relative_to(project)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def table_of(file_name: str) -> str:
    """raw_claims.2017-04-22.parquet -> raw_claims."""
    return file_name.split(".", 1)[0]


def plan(state: Mapping | None, files: Mapping[str, list[int]], fingerprint: str, variables: Mapping,
         now: dt.datetime, *, full_check: bool, full_check_days: float, warehouse_exists: bool) -> Plan:
    """What to build, from the last refresh's state and the raw folder as it is now."""
    if state is not None:
        changed = sorted(name for name, seen in state["files"].items() if files.get(name) != seen)
        if changed:
            raise RefreshError(
                f"raw files seen by the last refresh are gone or changed: {', '.join(changed)}; raw files are "
                "never edited (a correction is a new file). Rebuild with `civcas refresh --full-refresh`")
    new = tuple(sorted(name for name in files if state is None or name not in state["files"]))
    tables = tuple(sorted({table_of(name) for name in new}))
    reasons = []
    if full_check:
        reasons.append("asked for")
    if not warehouse_exists or state is None:
        reasons.append("no earlier refresh of this warehouse")
    else:
        if state["project"] != fingerprint:
            reasons.append("the project or its seeds changed")
        if state["vars"] != dict(variables):
            reasons.append("the vars changed")
        last_check = dt.datetime.fromisoformat(state["full_check_at"])
        if now - last_check >= dt.timedelta(days=full_check_days):
            reasons.append(f"the last full check was {(now - last_check).days} days ago")
    if reasons:
        return Plan(tables, new, True, "full check: " + "; ".join(reasons))
    if not new:
        return Plan((), (), False, "no new raw files: nothing to refresh")
    return Plan(tables, new, False, f"{len(new)} new file(s) of {', '.join(tables)}")


def new_rows(raw: Path, names: Sequence[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    if names:
        with duckdb.connect() as connection:
            for name in names:
                path = str(raw / name).replace("'", "''")
                rows = connection.execute(f"select count(*) from read_parquet('{path}')").fetchone()
                counts[table_of(name)] = counts.get(table_of(name), 0) + (rows[0] if rows else 0)
    return counts


def dbt_build(project: Path, warehouse: Path, variables: Mapping, selection: list[str] | None,
              full_refresh: bool, target: Path | None = None) -> int:
    command = [dbt_executable(), "build", "--profiles-dir", str(project), "--project-dir", str(project),
               "--vars", json.dumps(dict(variables)), "--exclude-resource-type", "unit_test"]
    if target is not None:
        command += ["--target-path", str(target), "--log-path", str(target / "logs")]
    if selection:
        command += ["--select", *selection]
    if full_refresh:
        command.append("--full-refresh")
    env = dict(os.environ, CIVCAS_DUCKDB_PATH=str(warehouse), DO_NOT_TRACK="1",
               DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    print("refresh: " + " ".join(command[1:]), flush=True)
    return subprocess.run(command, cwd=project, env=env, check=False).returncode


def refresh(project: Path, raw: Path, warehouse: Path, *, full_check: bool = False, full_check_days: float = 7,
            full_refresh: bool = False, now: dt.datetime | None = None, target: Path | None = None) -> int:
    """Plan and run one refresh; write the new state when dbt passed. Returns dbt's exit code."""
    if not raw.is_dir():
        raise RefreshError(f"{raw}: no such raw folder; pass the folder dbt reads (civcas_raw_path)")
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    state_path = warehouse.with_name(warehouse.name + STATE_SUFFIX)
    state = None if full_refresh or not state_path.exists() else json.loads(state_path.read_text())
    files = raw_files(raw)
    variables = {"civcas_raw_source": "files", "civcas_raw_path": str(raw.resolve())}
    fingerprint = project_fingerprint(project)
    chosen = plan(state, files, fingerprint, variables, now, full_check=full_check or full_refresh,
                  full_check_days=full_check_days, warehouse_exists=warehouse.exists())
    print(f"refresh: {chosen.reason}", flush=True)
    if not chosen.full_check and not chosen.new_files:
        return 0
    take_snapshot(warehouse)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    code = dbt_build(project, warehouse, variables, chosen.selection, full_refresh, target)
    if code != 0:
        print("refresh: dbt build failed (above); the state is unchanged, so the next refresh retries the same "
              "files", flush=True)
        return code
    added = new_rows(raw, chosen.new_files)
    for table, rows in sorted(added.items()):
        print(f"refresh: {table}: {rows:,} new rows")
    for line in report(warehouse):
        print(f"refresh: {line}")
    last_check = now if chosen.full_check else dt.datetime.fromisoformat(state["full_check_at"])  # type: ignore[index]
    state_path.write_text(json.dumps({
        "refreshed_at": now.isoformat(), "full_check_at": last_check.isoformat(), "project": fingerprint,
        "vars": variables, "files": files, "last_reason": chosen.reason, "last_selection": chosen.selection,
    }, indent=1) + "\n")
    return 0
