"""The daily refresh's plan (civcas/refresh.py): what a refresh builds, from the last state and the raw folder."""

from __future__ import annotations

import datetime as dt

import pytest

from civcas.refresh import Plan, RefreshError, plan

NOW = dt.datetime(2017, 4, 30, 8, 0)
VARS = {"civcas_raw_source": "files", "civcas_raw_path": "/raw"}
BASE = {"raw_claims.parquet": [100, 1], "raw_incidents.parquet": [50, 1]}


def _state(**changes) -> dict:
    state = {"files": dict(BASE), "project": "p1", "vars": dict(VARS),
             "full_check_at": (NOW - dt.timedelta(days=2)).isoformat()}
    state.update(changes)
    return state


def _plan(state, files, **options) -> Plan:
    settings = {"full_check": False, "full_check_days": 7, "warehouse_exists": True} | options
    return plan(state, files, "p1", VARS, NOW, **settings)


def test_a_days_files_select_what_their_tables_reach():
    files = BASE | {"raw_claims.2017-04-29.parquet": [10, 2], "raw_incident_assessments.2017-04-29.parquet": [5, 2]}
    chosen = _plan(_state(), files)
    assert not chosen.full_check
    assert chosen.selection == ["source:raw_files.raw_claims+", "source:raw_files.raw_incident_assessments+"]


def test_no_new_file_is_nothing_to_do():
    chosen = _plan(_state(), BASE)
    assert not chosen.full_check and not chosen.new_files and "nothing" in chosen.reason


@pytest.mark.parametrize(("state", "options", "reason"), [
    (None, {}, "no earlier refresh"),
    (_state(), {"warehouse_exists": False}, "no earlier refresh"),
    (_state(project="p0"), {}, "project or its seeds changed"),
    (_state(vars={"civcas_raw_source": "files", "civcas_raw_path": "/elsewhere"}), {}, "vars changed"),
    (_state(full_check_at=(NOW - dt.timedelta(days=8)).isoformat()), {}, "8 days ago"),
    (_state(), {"full_check": True}, "asked for"),
])
def test_a_full_check_runs_everything(state, options, reason):
    chosen = _plan(state, BASE | {"raw_claims.2017-04-29.parquet": [10, 2]}, **options)
    assert chosen.full_check and chosen.selection is None and reason in chosen.reason


@pytest.mark.parametrize("files", [
    {"raw_claims.parquet": [100, 1]},  # a file removed
    {"raw_claims.parquet": [100, 1], "raw_incidents.parquet": [51, 3]},  # a file rewritten
])
def test_a_file_seen_before_that_is_gone_or_changed_stops_the_refresh(files):
    with pytest.raises(RefreshError, match="raw_incidents.parquet.*--full-refresh"):
        _plan(_state(), files)
