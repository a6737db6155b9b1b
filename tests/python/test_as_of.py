"""As known on date X (issue 16): a build as of a day (dbt var civcas_as_of) reproduces what was
released that day, byte for byte, after later assessments revise its months; the current build
differs by what those assessments imply; revisions_by_month agrees with the two builds.

The demo is synthetic: so are the assessments added here (ids ASM9000xx, notes say so)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, copy_project, run_dbt

from civcas import cli
from civcas.revisions import FIGURES, read_side, revisions_by_month

AS_OF = "2017-04-30"
MONTH = "2017-03-01"
SIDE, COUNTRY = "coalition", "syria"
# Release files whose bytes depend only on the data. The others record the build itself:
# README.txt and manifest.json its time and dbt invocation id (and the folder name), SHA256SUMS
# the manifest's checksum, docs/ and data_docs/ when they were generated.
DATA_FILES = ("csv/", "parquet/", "charts/", "data_dictionary.csv", "data_dictionary.md")
BUILD_RECORD_FILES = ("README.txt", "index.html", "manifest.json", "SHA256SUMS", "docs/", "data_docs/")
UPGRADED_KILLED = [(7, 9), (11, 15), (4, 4)]  # the synthetic figures the later Fair grades give


def _build(project: Path, folder: Path, as_of: str | None) -> tuple[Path, Path]:
    """dbt build --full-refresh of `project` into folder/civcas.duckdb (as of `as_of`, or now)."""
    folder.mkdir()
    warehouse, target = folder / "civcas.duckdb", folder / "target"
    args = ["build", "--full-refresh"] + (["--vars", f"{{civcas_as_of: '{as_of}'}}"] if as_of else [])
    result = run_dbt(args, project, warehouse, target)
    failed = [r.node.name for r in (result.result or []) if r.status in ("error", "fail")]
    assert result.success, f"dbt build as of {as_of or 'now'} failed: {failed or result.exception}"
    return warehouse, target


def _release(project: Path, warehouse: Path, target: Path, out: Path) -> Path:
    command = ["release", "--project-dir", str(project), "--warehouse", str(warehouse),
               "--dbt-target", str(target), "--out", str(out)]
    assert cli.main(command) == 0, "civcas release failed (see stderr)"
    return out


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _month_figures(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        row = connection.execute(
            f"select {', '.join(FIGURES)} from main.fct_monthly_belligerent_summary "
            "where month = ? and belligerent_id = ? and country_id = ?", [MONTH, SIDE, COUNTRY]).fetchone()
    assert row is not None
    return dict(zip(FIGURES, row, strict=True))


def _later_assessments(demo: Path, day: str) -> tuple[list[list[str]], dict[str, int]]:
    """Assessments dated `day` revising March 2017's coalition incidents in Syria, chosen from the
    current build `demo`: three not likely now become Fair with new deaths; two Fair ones become
    Discounted (no figures: the range in force stays). Returns the raw rows and the change they
    imply for the month, computed from the incidents, not from the monthly mart."""
    with duckdb.connect(str(demo), read_only=True) as connection:
        incidents = connection.execute(
            "select incident_code, grade_id, is_likely_for_belligerent, civilians_killed_min, civilians_killed_max "
            "from main.fct_incident_belligerents where belligerent_id = ? and country_id = ? and incident_month = ? "
            "and is_civilian_harm_reported and not needs_review "
            "and (grade_id is distinct from 'confirmed') order by incident_code", [SIDE, COUNTRY, MONTH]).fetchall()
    upgrade = [i for i in incidents if not i[2]][:len(UPGRADED_KILLED)]
    downgrade = [i for i in incidents if i[2] and i[1] == "fair"][:2]
    assert len(upgrade) == len(UPGRADED_KILLED) and len(downgrade) == 2, incidents
    note = "SYNTHETIC test assessment (tests/python/test_as_of.py): a later revision"
    rows, number = [], 900001
    for (code, *_), (low, high) in zip(upgrade, UPGRADED_KILLED, strict=True):
        rows.append([f"ASM{number}", code, day, "Fair", "", str(low), str(high), "", "", "", "", "", "", note])
        number += 1
    for code, *_ in downgrade:
        rows.append([f"ASM{number}", code, day, "Discounted", "", "", "", "", "", "", "", "", "", note])
        number += 1
    revised = list(zip(upgrade, UPGRADED_KILLED, strict=True))
    implied = {
        "alleged_incidents": 0,
        # the incident's range becomes the assessed one (an unknown old figure added nothing)
        "alleged_killed_min": sum(low - (incident[3] or 0) for incident, (low, _) in revised),
        "alleged_killed_max": sum(high - (incident[4] or 0) for incident, (_, high) in revised),
        "likely_incidents": len(upgrade) - len(downgrade),
        "likely_killed_min": sum(low for low, _ in UPGRADED_KILLED) - sum(i[3] or 0 for i in downgrade),
        "likely_killed_max": sum(high for _, high in UPGRADED_KILLED) - sum(i[4] or 0 for i in downgrade),
    }
    return rows, implied


@pytest.fixture(scope="module")
def as_of_builds(tmp_path_factory, demo_build):
    """The demo built as of 2017-04-30 and released; later assessments appended to a copy of its
    raw CSVs; built as of the same day again and released; and built as of now."""
    _, demo = demo_build
    root = tmp_path_factory.mktemp("as_of")
    project = copy_project(root / "project")
    first = _build(project, root / "first", AS_OF)
    release_first = _release(project, *first, root / "release_first")

    with duckdb.connect(str(demo), read_only=True) as connection:
        latest = connection.execute("select reference_date from intermediate.int_reference_date").fetchone()[0]
    # dated on the demo's latest record: after the as-of day, and the current build's bounds stay
    assert latest > dt.date.fromisoformat(AS_OF)
    rows, implied = _later_assessments(demo, latest.isoformat())
    with (project / "seeds" / "raw" / "raw_incident_assessments.csv").open("a", encoding="utf-8", newline="") as sink:
        csv.writer(sink, lineterminator="\n").writerows(rows)

    again = _build(project, root / "again", AS_OF)
    release_again = _release(project, *again, root / "release_again")
    now = _build(project, root / "now", None)
    return {"demo": demo, "first": first, "again": again, "now": now, "release_first": release_first,
            "release_again": release_again, "implied": implied, "added": rows}


def test_the_same_day_built_again_after_later_assessments_gives_the_same_release(as_of_builds):
    first, again = _hashes(as_of_builds["release_first"]), _hashes(as_of_builds["release_again"])
    data = sorted(path for path in first if path.startswith(DATA_FILES))
    assert any(p.startswith("csv/") for p in data) and any(p.startswith("parquet/") for p in data)
    assert data == sorted(path for path in again if path.startswith(DATA_FILES))
    assert not [path for path in data if first[path] != again[path]], "the data files are not reproduced"
    # every other file records the build (data_docs/ names even carry the gate's time)
    differing = (first.keys() ^ again.keys()) | {p for p in first.keys() & again.keys() if first[p] != again[p]}
    assert all(path.startswith(BUILD_RECORD_FILES) for path in differing), sorted(differing)
    # the later assessments reached the warehouse, and were held back as later than the day
    with duckdb.connect(str(as_of_builds["again"][0]), read_only=True) as connection:
        held = connection.execute(
            "select count(*) from main.fct_quarantined_rows where raw_table = 'raw_incident_assessments' "
            "and quarantine_rule = 'known_after_as_of' and record_id like 'ASM9000%'").fetchone()[0]
    assert held == len(as_of_builds["added"])


def test_a_release_records_its_as_of_day(as_of_builds):
    import json

    manifest = json.loads((as_of_builds["release_first"] / "manifest.json").read_text())
    assert manifest["as_of"] == AS_OF
    assert f"As known on: {AS_OF}." in (as_of_builds["release_first"] / "README.txt").read_text()
    with duckdb.connect(str(as_of_builds["now"][0]), read_only=True) as connection:
        assert connection.execute("select as_of_date from main.dim_datasets").fetchone()[0] is None


def test_the_current_build_differs_by_what_the_later_assessments_imply(as_of_builds):
    before = _month_figures(as_of_builds["demo"])  # as of now, without the later assessments
    after = _month_figures(as_of_builds["now"][0])
    change = {figure: after[figure] - before[figure] for figure in FIGURES}
    assert change == as_of_builds["implied"]
    assert any(change.values())
    # and March 2017 as published on the day differs from the current build
    published = read_side(as_of_builds["release_first"]).figures[(MONTH, SIDE, COUNTRY)]
    print(f"\n{SIDE} in {COUNTRY}, March 2017: published as of {AS_OF} {dict(published)}; now {after}; "
          f"the later assessments alone {change}")
    assert dict(published) != after


def test_revisions_by_month_agree_with_the_two_builds(as_of_builds, tmp_path):
    out = tmp_path / "revisions_by_month.csv"
    assert cli.main(["revisions", "--from", str(as_of_builds["release_first"]),
                     "--to", str(as_of_builds["now"][0]), "--out", str(out)]) == 0
    with out.open(encoding="utf-8") as source:
        rows = {(r["month"], r["belligerent_id"], r["country_id"]): r for r in csv.DictReader(source)}
    with (as_of_builds["release_first"] / "csv" / "monthly_belligerent_summary.csv").open(encoding="utf-8") as source:
        published = {(r["month"], r["belligerent_id"], r["country_id"]): r for r in csv.DictReader(source)}
    with duckdb.connect(str(as_of_builds["now"][0]), read_only=True) as connection:
        now = {(str(r[0]), r[1], r[2]): r[3:] for r in connection.execute(
            f"select month, belligerent_id, country_id, {', '.join(FIGURES)} from main.fct_monthly_belligerent_summary"
        ).fetchall()}
    assert rows.keys() == published.keys() | now.keys()
    for key, row in rows.items():
        assert (row["from_as_of"], row["to_as_of"]) == (AS_OF, "")
        for index, figure in enumerate(FIGURES):
            old = int(published[key][figure]) if key in published else None
            new = now[key][index] if key in now else None
            assert row[f"{figure}_from"] == ("" if old is None else str(old)), (key, figure)
            assert row[f"{figure}_to"] == ("" if new is None else str(new)), (key, figure)
            expected = "" if old is None or new is None else str(new - old)
            assert row[f"{figure}_change"] == expected, (key, figure)
    march = rows[(MONTH, SIDE, COUNTRY)]
    assert any(march[f"{figure}_change"] not in ("", "0") for figure in FIGURES)
    # the same comparison from the two release folders' point of view: two as-of releases of one day agree
    same_day = revisions_by_month(read_side(as_of_builds["release_first"]), read_side(as_of_builds["release_again"]))
    assert all(row[f"{figure}_change"] == 0 for row in same_day for figure in FIGURES)


@pytest.mark.parametrize(("dbt_vars", "expected"), [
    ("{civcas_as_of: '2017-02-30'}", "var civcas_as_of is '2017-02-30', not a day; write it YYYY-MM-DD"),
    ("{civcas_as_of: last april}", "var civcas_as_of is 'last april', not a day"),
    ("{civcas_asof: 2017-04-30}", "var civcas_asof is not a civcas var"),
])
def test_a_bad_as_of_var_stops_with_a_short_message(dbt_vars: str, expected: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "parse", "--project-dir", str(PROJECT_DIR),
         "--profiles-dir", str(PROJECT_DIR), "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs"), "--vars", dbt_vars],
        capture_output=True, text=True, env={**os.environ, "CIVCAS_DUCKDB_PATH": str(tmp_path / "p.duckdb")},
        check=False, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert expected in output, output[-2000:]
    assert "Traceback" not in output


def _last_day(text: str | None) -> dt.date | None:
    """The last day an incident date as written may mean: YYYY-MM-DD, or a month's last day."""
    text = (text or "").strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        first = dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        return None
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def test_claims_without_a_readable_report_date_and_sources_follow_the_documented_rule(as_of_builds):
    """A claim whose date_reported is missing or unreadable is known from its own incident date
    (its last day); a source from the first claim citing it, so no claim known by the day loses
    its source to the cut."""
    with duckdb.connect(str(as_of_builds["first"][0]), read_only=True) as connection:
        undated = connection.execute(
            "select claim_id, incident_date_raw, incident_date_start_raw, incident_date_end_raw, known_on, "
            "is_known_after_as_of, quarantine_rule from intermediate.int_claims_validated "
            "where date_reported is null").fetchall()
        sources = connection.execute(
            "select sources.known_on, min(claims.known_on), bool_or(sources.is_known_after_as_of) "
            "from intermediate.int_sources_validated as sources left join intermediate.int_claims_validated as claims "
            "on sources.source_id = claims.source_id group by sources.raw_row_key, sources.known_on").fetchall()
        orphaned = connection.execute(
            "select count(*) from intermediate.int_claims_validated as claims "
            "join intermediate.int_sources_validated as sources on claims.source_id = sources.source_id "
            "where claims.quarantine_rule = 'unknown_source' and sources.quarantine_rule = 'known_after_as_of'"
        ).fetchone()[0]
    assert undated, "the demo has claims without a readable date_reported"
    as_of = dt.date.fromisoformat(AS_OF)
    for claim_id, incident, start, end, known_on, is_after, rule in undated:
        expected = _last_day(incident) or _last_day(end) or _last_day(start)
        assert known_on == expected, claim_id
        assert is_after == (expected is None or expected > as_of), claim_id
        assert (rule == "known_after_as_of") == is_after, claim_id
    assert {row[5] for row in undated} == {True, False}, "both sides of the day are exercised"
    for known_on, first_cited, is_after in sources:
        assert known_on == first_cited
        assert is_after == (known_on is None or known_on > as_of)
    assert orphaned == 0
