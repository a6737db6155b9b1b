"""civcas simulate-intake: intake simulated from the real Airwars archive at a noise level.

Runs on the real archive beside the checkout (skipped locally without it, failing on CI),
on about 150 incidents. Expected values are read from the archive CSVs here, independently
of the simulator.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from test_archive_import import ARCHIVE, PROJECT, require_external_data

from civcas.archive import source_id_for
from civcas.cli import main
from civcas.intake_noise import distance_km
from civcas.raw_contract import load_raw_contract
from civcas.simulate import HARD_NEGATIVE_KINDS, NEARBY_PLACE_KM

INCIDENTS = 150
Row = dict[str, str]


def run_cli(args: list[str]) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(args)
    return code, stdout.getvalue(), stderr.getvalue()


def simulate(out: Path, *extra: str) -> tuple[int, str, str]:
    return run_cli(["simulate-intake", "--project-dir", str(PROJECT), "--archive", str(ARCHIVE),
                    "--out", str(out), "--incidents", str(INCIDENTS), *extra])


def file_hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*.parquet"))}


def table(out: Path, name: str) -> list[dict]:
    return pq.read_table(out / "raw" / f"{name}.parquet").to_pylist()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Seed 4 at realistic twice, at none and at hard once, and seed 5 at realistic."""
    require_external_data()
    base = tmp_path_factory.mktemp("simulation")
    plan = {"first": ("4", "realistic"), "again": ("4", "realistic"), "none": ("4", "none"),
            "hard": ("4", "hard"), "other": ("5", "realistic")}
    outs = {}
    for name, (seed, level) in plan.items():
        outs[name] = base / name
        code, _, stderr = simulate(outs[name], "--seed", seed, "--level", level)
        assert code == 0, stderr
    return outs


@pytest.fixture(scope="module")
def truth(runs: dict[str, Path]) -> dict[str, dict]:
    return {row["claim_id"]: row for row in pq.read_table(runs["first"] / "truth.parquet").to_pylist()}


@pytest.fixture(scope="module")
def claims(runs: dict[str, Path]) -> dict[str, dict]:
    return {row["claim_id"]: row for row in table(runs["first"], "raw_claims")}


@pytest.fixture(scope="module")
def archive_incidents() -> dict[str, Row]:
    with (ARCHIVE / "incidents.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {row["airwars_id"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def archive_sources() -> dict[str, set[str]]:
    outlets: dict[str, set[str]] = defaultdict(set)
    with (ARCHIVE / "sources.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            outlets[row["airwars_id"]].add(source_id_for(row["source_name"]))
    return outlets


def test_deterministic_by_seed(runs):
    assert file_hashes(runs["first"]) == file_hashes(runs["again"])
    assert file_hashes(runs["first"]) != file_hashes(runs["other"])


def test_levels_share_incidents_and_register_and_differ_in_noise(runs, truth):
    for level in ("none", "hard"):
        other = {r["claim_id"]: r for r in pq.read_table(runs[level] / "truth.parquet").to_pylist()}
        base = {(r["true_incident_id"], r["source_id"], r["registered_code"]) for r in truth.values()
                if "source_repeat" not in r["noise_classes"]}
        mine = {(r["true_incident_id"], r["source_id"], r["registered_code"]) for r in other.values()
                if "source_repeat" not in r["noise_classes"]}
        assert base == mine, level
    none = pq.read_table(runs["none"] / "truth.parquet").to_pylist()
    assert all(row["noise_classes"] == "" for row in none)
    hard = pq.read_table(runs["hard"] / "truth.parquet").to_pylist()
    noisy = Counter(name for row in hard for name in row["noise_classes"].split(";") if name)
    realistic = Counter(name for row in truth.values() for name in row["noise_classes"].split(";") if name)
    assert sum(noisy.values()) > sum(realistic.values()) > 0


def test_level_none_copies_the_archive(runs, archive_incidents):
    rows = table(runs["none"], "raw_claims")
    truth = {r["claim_id"]: r for r in pq.read_table(runs["none"] / "truth.parquet").to_pylist()}
    for claim in rows:
        row = truth[claim["claim_id"]]
        if row["is_hard_negative"]:
            continue
        incident = archive_incidents[row["true_incident_id"]]
        assert claim["incident_date"] == incident["incident_date"]
        assert (claim["place_as_written"] or "") == incident["location_en"]
        assert (claim["belligerents_as_written"] or "") == incident["belligerents"]
        assert claim["date_reported"] == claim["incident_date"]
        if incident["latitude"]:
            assert float(claim["latitude"]) == pytest.approx(float(incident["latitude"]), abs=1e-6)


def test_every_realistic_class_occurs(runs, truth):
    seen = {name for row in truth.values() for name in row["noise_classes"].split(";") if name}
    assert {"place_arabic", "governorate_arabic", "place_article", "date_posted_late", "point_missing",
            "point_centroid", "blame_unknown", "blame_other_name", "blame_co_belligerent", "source_repeat",
            "figures_disagree", "place_coarser"} <= seen


def test_about_half_registered_and_half_of_those_linked(runs, truth, claims):
    registered = table(runs["first"], "raw_incidents")
    codes = {row["incident_code"] for row in registered}
    incidents = {row["true_incident_id"] for row in truth.values()}
    registered_incidents = {row["true_incident_id"] for row in truth.values() if row["is_registered"]}
    assert 0.35 <= len(registered_incidents) / len(incidents) <= 0.65
    linked_incidents = {row["true_incident_id"] for row in truth.values() if row["is_assessor_linked"]}
    assert 0.3 <= len(linked_incidents) / len(registered_incidents) <= 0.7
    left_for_the_model = [row for row in truth.values() if row["is_registered"] and not row["is_assessor_linked"]]
    assert left_for_the_model
    for claim_id, row in truth.items():
        written = claims[claim_id]["incident_code"]
        if row["is_assessor_linked"]:
            assert written == row["registered_code"] and written in codes
        else:
            assert written is None
        assert row["is_registered"] == (row["registered_code"] is not None)
    assert codes == {row["registered_code"] for row in truth.values() if row["registered_code"]}
    assert len(codes) == len(registered)


def test_hard_negatives_of_every_kind_stay_close(runs, truth, archive_incidents, archive_sources):
    register = {row["incident_code"]: row for row in table(runs["first"], "raw_incidents")}
    kinds = Counter()
    by_incident: dict[str, list[dict]] = defaultdict(list)
    for row in truth.values():
        by_incident[row["true_incident_id"]].append(row)
    for rows in by_incident.values():
        row = rows[0]
        if not row["is_hard_negative"]:
            continue
        kinds[row["hard_negative_kind"]] += 1
        base = archive_incidents[row["hard_negative_of"]]
        assert base["airwars_id"] in by_incident  # it shadows an incident of the simulation
        base_day = dt.date.fromisoformat(base["incident_date"])
        expected_day = base_day + dt.timedelta(days=1 if row["hard_negative_kind"] == "next_day_same_place" else 0)
        assert row["true_date"] == expected_day
        # reported by the same outlets as the incident it shadows
        assert {r["source_id"] for r in rows} <= archive_sources[base["airwars_id"]]
        if row["registered_code"] is not None and row["hard_negative_kind"] != "next_day_same_place":
            point = register[row["registered_code"]]
            km = distance_km(float(base["latitude"]), float(base["longitude"]),
                             float(point["latitude"]), float(point["longitude"]))
            assert 0.9 <= km <= NEARBY_PLACE_KM[1] + 0.1
    assert set(kinds) == set(HARD_NEGATIVE_KINDS)


def test_raw_tables_follow_the_contract_and_say_synthetic(runs):
    contract = load_raw_contract(PROJECT)
    for name, columns in contract.items():
        schema = pq.read_schema(runs["first"] / "raw" / f"{name}.parquet")
        assert schema.names == columns, name
    dataset = table(runs["first"], "raw_dataset")
    assert dataset[0]["is_synthetic"] == "true" and "SYNTHETIC" in dataset[0]["description"]
    manifest = json.loads((runs["first"] / "_simulation_manifest.json").read_text(encoding="utf-8"))
    assert manifest["level"] == "realistic" and manifest["is_synthetic"] is True
    assert manifest["facts"]["claims"] == len(table(runs["first"], "raw_claims"))


def test_no_claim_links_to_an_airwars_incident_page(claims):
    for claim in claims.values():
        for url in (claim["report_url"], claim["archive_url"]):
            assert not url or "airwars.org/civilian-casualties/" not in url


def test_unknown_level_is_refused(tmp_path):
    require_external_data()
    with pytest.raises(SystemExit):
        simulate(tmp_path / "x", "--level", "medium")
