"""An incremental refresh gives the same warehouse as a full rebuild (issue 6).

A small synthetic dataset (civcas generate-scale) has three busy days of April 2017 held out
(civcas/increments.py). Warehouse A is built in full on the rest, then refreshed incrementally
after each day is added back; warehouse B is built in full on everything. Every table of every
layer (marts, exports, restricted, intermediate, staging tables) must hold the same rows in A
and B, apart from the refresh times the incremental models keep.

Rows planted in the data make the days exercise what re-linking must get right:
- day 1: a new claim lying between two claims the base left as two candidates (8 km apart, each
  4 km from it) merges them into one candidate;
- day 2: a new claim 0.5 km from a registered incident is linked to it by the linking rules;
  and a new claim doubles a one-claim day group, so that the one-claim group of the next day,
  which it pairs with, now slips into it (a claim a day away from the new one changes
  candidate: the refresh must reach beyond the new claim's own date);
- day 3: a new row reuses a base claim's id with other content, so both rows are quarantined
  and the merged candidate loses that claim.
All planted rows are synthetic and say so (source name, URLs).

A last run shows that an incremental refresh refuses raw claims that were removed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import PROJECT_DIR, run_dbt

from civcas.cli import main
from civcas.engines import BUILD_RECORD_COLUMNS
from civcas.generator import generate_scale
from civcas.refresh import STATE_SUFFIX, refresh

CLAIMS = 3_000
FIRST_DAY = dt.date(2017, 4, 22)
DAYS = 3
REFRESH_COLUMNS = {"staged_at", "validated_at", "refreshed_at", "latest_plausible_date_when_validated"}
# One outlet per claim: two reports by one outlet on one day lean to two incidents (linking's
# outlet comparison), which these cases are not about.
SOURCE_IDS = [f"SRCINC{n}" for n in range(1, 10)]
INCIDENT_CODE = "CIINC1"


def _claim(claim_id: str, reported: str, latitude: float | None, longitude: float | None, killed: int,
           incident_date: str = "2017-04-20", place: str | None = None) -> dict[str, str | None]:
    located = latitude is not None and longitude is not None
    source_id = SOURCE_IDS[sum(map(ord, claim_id)) % len(SOURCE_IDS)]
    return {
        "claim_id": claim_id, "source_id": source_id, "date_reported": reported, "incident_date": incident_date,
        "incident_date_start": None, "incident_date_end": None, "place_as_written": place,
        "governorate_as_written": "Quneitra", "country_as_written": "Syria",
        "latitude": f"{latitude:.4f}" if located else None, "longitude": f"{longitude:.4f}" if located else None,
        "geolocation_precision": "exact" if located else None,
        "belligerents_as_written": "coalition", "civilians_killed_min": str(killed),
        "civilians_killed_max": str(killed), "civilians_injured_min": "0", "civilians_injured_max": "0",
        "report_url": f"https://example.org/synthetic/incremental-test/{claim_id.lower()}-{killed}",
        "archive_url": None, "incident_code": None,
    }


# X gives a point and no place, Y a place and no point: nothing but the day ties them, too
# little for the linkage model. Z gives a point 0.2 km from X's and Y's place: it pairs with both.
CLAIM_X = _claim("TSTX", "2017-04-21", 33.150, 35.780, 2)
CLAIM_Y = _claim("TSTY", "2017-04-21", None, None, 3, place="Testville")
CLAIM_Z = _claim("TSTZ", "2017-04-22", 33.152, 35.780, 2, place="Testville")
CLAIM_W = _claim("TSTW", "2017-04-23", 33.004, 35.850, 1)
CLAIM_X_AGAIN = _claim("TSTX", "2017-04-24", 33.150, 35.780, 5)
# 0.2 km apart, far from the others: A1 (10 April) and B1 (11 April) pair across a day but are
# groups of equal size, so two candidates; A2 (10 April, added on day 2) makes A's group twice B's.
CLAIM_A1 = _claim("TSTA1", "2017-04-11", 33.300, 35.900, 1, incident_date="2017-04-10")
CLAIM_B1 = _claim("TSTB1", "2017-04-12", 33.304, 35.900, 1, incident_date="2017-04-11")
CLAIM_A2 = _claim("TSTA2", "2017-04-23", 33.302, 35.900, 1, incident_date="2017-04-10")

PLANTED_BASE = {
    "raw_sources": [{
        "source_id": source_id, "source_name": f"Incremental test monitor {source_id} (synthetic)",
        "source_handle": None, "source_url": f"https://example.org/synthetic/sources/{source_id.lower()}",
        "source_type": "ngo", "platform": "website", "language": "English", "is_protected": "false",
    } for source_id in SOURCE_IDS],
    "raw_incidents": [{
        "incident_code": INCIDENT_CODE, "previous_codes": None, "incident_date": "2017-04-20",
        "incident_date_end": None, "date_precision": "exact", "place_as_written": None,
        "governorate_as_written": "Quneitra", "country_as_written": "Syria", "latitude": "33.0000",
        "longitude": "35.8500", "geolocation_precision": "exact", "civilian_harm_reported": "yes",
        "first_published": "2017-04-21",
    }],
    "raw_incident_belligerents": [{
        "incident_code": INCIDENT_CODE, "belligerent_as_written": "coalition", "attribution_type": "known",
    }],
    "raw_claims": [CLAIM_X, CLAIM_Y, CLAIM_A1, CLAIM_B1],
}
PLANTED_DAYS = ([CLAIM_Z], [CLAIM_W, CLAIM_A2], [CLAIM_X_AGAIN])


def _append_rows(path: Path, rows: list[dict[str, str | None]]) -> None:
    table = pq.read_table(path)
    added = pa.Table.from_pylist(rows, schema=table.schema)
    pq.write_table(pa.concat_tables([table, added]), path)


def _dbt(args: list[str], duckdb_path: Path, raw_dir: Path):
    variables = f"{{civcas_raw_source: files, civcas_raw_path: '{raw_dir}'}}"
    return run_dbt([*args, "--vars", variables], PROJECT_DIR, duckdb_path, duckdb_path.parent / "target")


def _build(args: list[str], duckdb_path: Path, raw_dir: Path) -> None:
    result = _dbt(args, duckdb_path, raw_dir)
    failed = [f"{r.node.name}: {r.message}" for r in (result.result or []) if r.status not in ("success", "pass")]
    assert result.success, f"dbt {' '.join(args)} failed: {failed or result.exception}"


def _candidates(duckdb_path: Path) -> dict[str, str]:
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        rows = connection.execute(
            "select claim_id, candidate_incident_id from intermediate.int_candidate_incidents_grouped"
        ).fetchall()
    return dict(rows)


def _links(duckdb_path: Path) -> dict[str, tuple[str, str]]:
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        rows = connection.execute(
            "select claim_id, incident_code, link_rule from intermediate.int_claims_linked"
        ).fetchall()
    return {claim_id: (code, rule) for claim_id, code, rule in rows}


def _staged_in_last_run(duckdb_path: Path) -> int:
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        return connection.execute(
            "select count(*) from staging.stg_monitor__claims "
            "where staged_at = (select max(staged_at) from staging.stg_monitor__claims)"
        ).fetchone()[0]


def _refresh(duckdb_path: Path, raw_dir: Path, full_refresh: bool = False) -> int:
    return refresh(PROJECT_DIR, raw_dir, duckdb_path, full_refresh=full_refresh, target=duckdb_path.parent / "target")


def _refresh_state(duckdb_path: Path) -> dict:
    return json.loads(duckdb_path.with_name(duckdb_path.name + STATE_SUFFIX).read_text())


def _claim_files_read(duckdb_path: Path) -> list[str]:
    """The raw claim files (or globs) that the last run's stg_monitor__claims read."""
    compiled = next((duckdb_path.parent / "target" / "compiled").rglob("stg_monitor__claims.sql")).read_text()
    return sorted(set(re.findall(r"/(raw_claims\.[^'/]*parquet)'", compiled)))


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("incremental")
    generate_scale(work / "raw", PROJECT_DIR, CLAIMS)
    for table, rows in PLANTED_BASE.items():
        _append_rows(work / "raw" / f"{table}.parquet", rows)
    assert main(["split-days", "--raw", str(work / "raw"), "--out", str(work / "split"),
                 "--days", str(DAYS), "--first-day", FIRST_DAY.isoformat()]) == 0
    day_dirs = sorted((work / "split" / "days").iterdir())
    for day_dir, claims in zip(day_dirs, PLANTED_DAYS, strict=True):
        _append_rows(day_dir / "raw_claims.parquet", claims)

    incremental_db = work / "incremental" / "civcas.duckdb"
    incremental_raw = work / "incremental_raw"
    incremental_db.parent.mkdir()
    shutil.copytree(work / "split" / "base", incremental_raw)
    # the daily refresh command (civcas/refresh.py): a full build first, then each day's files
    assert _refresh(incremental_db, incremental_raw, full_refresh=True) == 0
    states = [{"candidates": _candidates(incremental_db), "links": _links(incremental_db),
               "refresh": _refresh_state(incremental_db)}]
    for day_dir in day_dirs:
        assert main(["add-day", "--day", str(day_dir), "--raw", str(incremental_raw)]) == 0
        assert _refresh(incremental_db, incremental_raw) == 0
        day_claims = pq.read_metadata(day_dir / "raw_claims.parquet").num_rows
        states.append({"candidates": _candidates(incremental_db), "links": _links(incremental_db),
                       "staged": _staged_in_last_run(incremental_db), "day_claims": day_claims,
                       "files_read": _claim_files_read(incremental_db), "day": day_dir.name,
                       "refresh": _refresh_state(incremental_db)})

    full_db = work / "full" / "civcas.duckdb"
    full_db.parent.mkdir()
    _build(["seed"], full_db, incremental_raw)
    _build(["run", "--full-refresh"], full_db, incremental_raw)
    return {"work": work, "incremental_db": incremental_db, "incremental_raw": incremental_raw,
            "full_db": full_db, "states": states, "day_dirs": day_dirs}


def _tables(connection: duckdb.DuckDBPyConnection, catalog: str) -> list[tuple[str, str]]:
    return connection.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = ? and table_type = 'BASE TABLE' and table_schema not in ('raw', 'reference') "
        "order by 1, 2", [catalog]
    ).fetchall()


def test_incremental_refreshes_give_the_full_rebuild_row_for_row(replay: dict):
    with duckdb.connect() as connection:
        connection.execute(f"attach '{replay['incremental_db']}' as incremental (read_only)")
        connection.execute(f"attach '{replay['full_db']}' as full_build (read_only)")
        tables = _tables(connection, "incremental")
        assert tables == _tables(connection, "full_build")
        assert {"main", "exports", "intermediate", "staging"} <= {schema for schema, _ in tables}
        differences = []
        for schema, table in tables:
            columns = [name for (name,) in connection.execute(
                "select column_name from information_schema.columns where table_catalog = 'incremental' "
                "and table_schema = ? and table_name = ? order by ordinal_position", [schema, table]).fetchall()
                if name not in REFRESH_COLUMNS and name not in BUILD_RECORD_COLUMNS.get(f"{schema}.{table}", ())]
            selected = ", ".join(f'"{name}"' for name in columns)
            for left, right in (("incremental", "full_build"), ("full_build", "incremental")):
                extra = connection.execute(
                    f"select count(*) from (select {selected} from {left}.{schema}.{table} "
                    f"except all select {selected} from {right}.{schema}.{table})").fetchone()[0]
                if extra:
                    differences.append(f"{schema}.{table}: {extra} rows only in the {left} warehouse")
    assert not differences, "\n".join(differences)


def test_each_refresh_staged_only_the_days_new_claims(replay: dict):
    for state in replay["states"][1:]:
        assert state["staged"] == state["day_claims"]


def test_each_refresh_read_only_the_days_new_claim_file(replay: dict):
    # the history is neither read nor hashed again (issue 14)
    for state in replay["states"][1:]:
        assert state["files_read"] == [f"raw_claims.{state['day']}.parquet"]


def test_the_refresh_command_built_only_what_each_days_files_reach(replay: dict):
    assert replay["states"][0]["refresh"]["last_selection"] is None  # the first build: everything
    for state in replay["states"][1:]:
        selection = state["refresh"]["last_selection"]
        assert selection and "source:raw_files.raw_claims+" in selection, state["refresh"]["last_reason"]
        assert not any("raw_incidents" in selected or "raw_sources" in selected for selected in selection)


def test_a_new_claim_merges_two_candidates_then_a_duplicate_id_splits_them(replay: dict):
    base, day1, _, day3 = (state["candidates"] for state in replay["states"])
    assert base["TSTX"] != base["TSTY"], "the base must leave X and Y apart for the merge to be tested"
    assert "TSTZ" not in base
    assert day1["TSTX"] == day1["TSTY"] == day1["TSTZ"] == base["TSTX"]
    assert "TSTX" not in day3, "a reused claim id quarantines both rows"
    assert day3["TSTY"] == day3["TSTZ"] == "CAND-TSTY"


def test_a_new_claim_makes_a_neighbouring_days_group_slip_into_its_own(replay: dict):
    base, _, day2, _ = (state["candidates"] for state in replay["states"])
    assert base["TSTA1"] == "CAND-TSTA1" and base["TSTB1"] == "CAND-TSTB1"
    assert day2["TSTA2"] == day2["TSTB1"] == "CAND-TSTA1"


def test_a_new_claim_joins_a_registered_incident(replay: dict):
    before, after = replay["states"][1]["links"], replay["states"][2]["links"]
    assert "TSTW" not in before
    assert after["TSTW"] == (INCIDENT_CODE, "matched_by_model")


def test_a_day_is_added_once(replay: dict, capsys: pytest.CaptureFixture[str]):
    day_dir = replay["day_dirs"][0]
    assert main(["add-day", "--day", str(day_dir), "--raw", str(replay["incremental_raw"])]) == 1
    assert "already added" in capsys.readouterr().err


def test_an_incremental_refresh_refuses_removed_raw_claims(replay: dict):
    day_file = sorted(replay["incremental_raw"].glob("raw_claims.*.parquet"))[-1]
    day_file.unlink()
    result = _dbt(["run", "--select", "stg_monitor__claims"], replay["incremental_db"], replay["incremental_raw"])
    assert not result.success
    messages = " ".join(str(r.message) for r in (result.result or []))
    assert "no longer in the raw files" in messages and "--full-refresh" in messages


def test_the_last_typical_day_skips_the_thin_tail_of_late_reports(tmp_path: Path):
    from civcas.increments import last_typical_claim_day

    # Three busy days, then a tail of single late reports (and a row whose date does not parse).
    per_day = {"2017-03-01": 5, "2017-03-02": 4, "2017-03-03": 6, "2017-03-04": 1, "2017-03-07": 1}
    dates = [day for day, claims in per_day.items() for _ in range(claims)] + ["not a date"]
    pq.write_table(pa.table({"date_reported": dates}), tmp_path / "raw_claims.parquet")
    # The median of 5, 4, 6, 1, 1 claims a day is 4: 2017-03-03 is the last day with as many.
    assert last_typical_claim_day(tmp_path) == dt.date(2017, 3, 3)
