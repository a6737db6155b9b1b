"""civcas simulate-intake: intake claims simulated from the real Airwars archive, with
the truth kept apart.

Runs on the real archive beside the checkout (skipped locally without it, failing on
CI), on the first 200 incidents with sources. Expected values are computed here from
the archive CSVs, read independently of the simulator.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import math
import re
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from civcas.cli import main
from civcas.raw_contract import load_raw_contract

from test_archive_import import ARCHIVE, CENTCOM, DUTCH, PROJECT, require_external_data

LIMIT = 200
EARTH_RADIUS_KM = 6371.0088
RADIUS_KM = {
    "exact_location": 0.1, "exact_location_other": 0.1, "exact_location_coalition": 0.1, "within_100m": 0.1,
    "street": 0.1, "nearby_landmark": 0.1, "neighbourhood_area": 1, "village": 2, "town": 5, "city": 10,
    "": 10,
}
AREA_PRECISIONS = {"subdistrict", "district", "province_governorate"}
SWAPS = {"Russian Military", "U.S.-led Coalition", "Turkish Military"}

Row = dict[str, str]


def run_cli(args: list[str]) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(args)
    return code, stdout.getvalue(), stderr.getvalue()


def simulate(out: Path, *extra: str) -> tuple[int, str, str]:
    return run_cli(["simulate-intake", "--project-dir", str(PROJECT), "--archive", str(ARCHIVE),
                    "--out", str(out), *extra])


def read_csv(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def file_hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*.parquet"))}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Seed 4 twice and seed 5 once, each on the first 200 incidents."""
    require_external_data()
    base = tmp_path_factory.mktemp("simulation")
    outs = {"first": base / "seed4", "again": base / "seed4-again", "other": base / "seed5"}
    for name, seed in (("first", 4), ("again", 4), ("other", 5)):
        code, stdout, stderr = simulate(outs[name], "--seed", str(seed), "--limit-incidents", str(LIMIT))
        assert code == 0, stderr
        if name == "first":
            (base / "first.stdout").write_text(stdout, encoding="utf-8")
            (base / "first.stderr").write_text(stderr, encoding="utf-8")
    return outs


@pytest.fixture(scope="module")
def out(runs: dict[str, Path]) -> Path:
    return runs["first"]


@pytest.fixture(scope="module")
def claims(out: Path) -> list[dict]:
    return pq.read_table(out / "raw" / "raw_claims.parquet").to_pylist()


@pytest.fixture(scope="module")
def truth(out: Path) -> dict[str, dict]:
    rows = pq.read_table(out / "truth.parquet").to_pylist()
    return {row["claim_id"]: row for row in rows}


@pytest.fixture(scope="module")
def incidents(out: Path) -> dict[str, Row]:
    return {row["airwars_id"]: row for row in read_csv(ARCHIVE / "incidents.csv")}


@pytest.fixture(scope="module")
def sources(out: Path) -> list[Row]:
    return read_csv(ARCHIVE / "sources.csv")


@pytest.fixture(scope="module")
def joined(claims: list[dict], truth: dict[str, dict], incidents: dict[str, Row]) -> list[tuple[dict, dict, Row]]:
    """(claim, its truth row, its true incident's archive row) for every claim."""
    return [(c, truth[c["claim_id"]], incidents[truth[c["claim_id"]]["airwars_id"]]) for c in claims]


# --------------------------------------------------------------------------- shape


def test_a_complete_raw_folder_in_the_contract_all_strings(out: Path) -> None:
    contract = load_raw_contract(PROJECT)
    assert sorted(p.name for p in out.iterdir()) == ["_simulation_manifest.json", "raw", "truth.parquet"]
    assert sorted(p.name for p in (out / "raw").iterdir()) == sorted(f"{t}.parquet" for t in contract)
    for table, columns in contract.items():
        schema = pq.read_schema(out / "raw" / f"{table}.parquet")
        assert schema.names == columns, table
        assert all(pa.types.is_string(f.type) for f in schema), table
    for table in ("raw_incidents", "raw_incident_belligerents", "raw_incident_assessments",
                  "raw_belligerent_statements", "raw_declared_strikes"):
        assert pq.read_table(out / "raw" / f"{table}.parquet").num_rows == 0, table


def test_the_dataset_row_says_simulated_with_its_seed(out: Path) -> None:
    [dataset] = pq.read_table(out / "raw" / "raw_dataset.parquet").to_pylist()
    assert dataset["dataset_id"] == "airwars-intake-simulation"
    assert dataset["is_synthetic"] == "true"
    assert dataset["generator_seed"] == "4"
    assert "simulated" in dataset["description"].lower() and "real" in dataset["description"].lower()
    assert "NOT licensed for redistribution" in dataset["description"]
    assert dataset["generated_by"].startswith("civcas.simulate ")


def test_the_first_incidents_with_sources_give_one_claim_per_source(
    claims: list[dict], truth: dict[str, dict], incidents: dict[str, Row], sources: list[Row]
) -> None:
    with_sources = sorted({s["airwars_id"] for s in sources}, key=int)
    chosen = set(with_sources[:LIMIT])
    assert all(int(incidents[a]["n_sources_parsed"] or 0) > 0 for a in chosen)
    expected = Counter(s["airwars_id"] for s in sources if s["airwars_id"] in chosen)
    assert Counter(t["airwars_id"] for t in truth.values()) == expected
    assert len(claims) == sum(expected.values())


def test_claims_have_no_incident_code_and_new_ids(claims: list[dict]) -> None:
    assert all(c["incident_code"] is None for c in claims)
    ids = [c["claim_id"] for c in claims]
    assert all(re.fullmatch(r"SIM-\d{6}", i) for i in ids)
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert sorted(int(i[4:]) for i in ids) == list(range(1, len(ids) + 1))


def test_claim_ids_do_not_group_an_incident(claims: list[dict], truth: dict[str, dict]) -> None:
    neighbours_same = sum(truth[a["claim_id"]]["airwars_id"] == truth[b["claim_id"]]["airwars_id"]
                          for a, b in zip(claims, claims[1:]))
    assert neighbours_same < 0.1 * len(claims)


def test_every_claim_has_exactly_one_truth_row(claims: list[dict], truth: dict[str, dict], out: Path) -> None:
    assert pq.read_table(out / "truth.parquet").num_rows == len(truth)
    assert set(truth) == {c["claim_id"] for c in claims}


def test_truth_holds_the_archive_code_grade_and_belligerents(joined) -> None:
    grades = {"Confirmed": "confirmed", "Fair": "fair", "Weak": "weak", "Contested": "contested",
              "Discounted": "discounted", "": None, "Contested, Discounted": None}
    for _, t, incident in joined:
        assert t["incident_code"] == incident["code"]
        assert t["true_grade"] == grades[incident["grading"]]
        assert t["grading_as_written"] == (incident["grading"] or None)
        assert t["belligerents"] == (incident["belligerents"] or None)


# --------------------------------------------------------------------------- noise


def test_dates_are_within_one_day_of_the_truth_and_shifted_for_about_15_percent(joined) -> None:
    shifted = 0
    for c, t, incident in joined:
        true_start = day(incident["incident_date"])
        if incident["date_type"] == "date_range":
            assert c["incident_date"] is None
            claimed = day(c["incident_date_start"])
            if incident["date_range_end"]:
                assert day(c["incident_date_end"]) - day(incident["date_range_end"]) == claimed - true_start
            true_end = day(incident["date_range_end"] or incident["incident_date"])
        else:
            assert c["incident_date_start"] is None and c["incident_date_end"] is None
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", c["incident_date"])
            claimed = day(c["incident_date"])
            true_end = true_start
        shift = (claimed - true_start).days
        assert abs(shift) <= 1
        assert t["date_shift_days"] == shift
        shifted += shift != 0
        reported = day(c["date_reported"])
        assert 0 <= (reported - true_end).days <= 3
        assert reported >= (day(c["incident_date_end"]) if c["incident_date_end"] else claimed)
    assert 0.10 < shifted / len(joined) < 0.20


def test_figures_are_drawn_within_the_incident_range(joined) -> None:
    known = 0
    for c, _, incident in joined:
        for kind in ("killed", "injured"):
            low, high = incident[f"civilians_{kind}_min"], incident[f"civilians_{kind}_max"]
            cmin, cmax = c[f"civilians_{kind}_min"], c[f"civilians_{kind}_max"]
            assert cmin == cmax
            if not low and not high:
                assert cmin is None  # unknown stays unknown, never zero
                continue
            known += 1
            bounds = [int(v) for v in (low, high) if v]
            assert min(bounds) <= int(cmin) <= max(bounds)
    assert known > 0


def test_coordinates_are_jittered_by_precision_and_centroids_are_not(joined) -> None:
    centroids = jittered = moved_far = 0
    for c, t, incident in joined:
        lat, lon, accuracy = incident["latitude"], incident["longitude"], incident["geolocation_accuracy"]
        if not lat:
            assert (c["latitude"], c["longitude"], c["geolocation_precision"], t["jitter_km"]) == (None,) * 4
            continue
        assert c["geolocation_precision"] == (accuracy or None)
        if accuracy in AREA_PRECISIONS:
            # a centroid is not a location: the point is copied exactly as written
            assert (c["latitude"], c["longitude"]) == (lat, lon)
            assert t["jitter_km"] == 0
            centroids += 1
            continue
        distance = haversine_km(float(lat), float(lon), float(c["latitude"]), float(c["longitude"]))
        assert distance <= RADIUS_KM[accuracy] + 0.001, (c["claim_id"], accuracy, distance)
        assert t["jitter_km"] == pytest.approx(distance, abs=0.001)
        jittered += 1
        moved_far += distance > RADIUS_KM[accuracy] / 2
    assert centroids > 0 and jittered > 0
    assert moved_far > 0.5 * jittered  # uniform over the disc: 3/4 lie beyond half the radius


def test_places_are_as_written_or_another_spelling(joined) -> None:
    aliases = read_csv(PROJECT / "seeds" / "reference" / "ref_place_aliases.csv")
    place_of = {a["alias"].strip().lower(): a["place_id"] for a in aliases}
    varied = 0
    for c, t, incident in joined:
        written, place = incident["location_en"], c["place_as_written"]
        if t["place_noise"] == "none":
            assert place == (written or None)
            continue
        varied += 1
        assert place and place != written
        if t["place_noise"] == "alias":
            assert place_of[place.strip().lower()] == place_of[written.strip().lower()]
        else:
            bare = re.sub(r"(?i)^al[- ]", "", place)
            assert bare.lower() == re.sub(r"(?i)^al[- ]", "", written).lower(), (written, place)
    assert 0.14 < varied / len(joined) < 0.26


def test_governorate_and_country_are_copied_as_written(joined) -> None:
    for c, _, incident in joined:
        expected = incident["region"] or incident["governorate"] or incident["province"]
        assert c["governorate_as_written"] == (expected or None)
        assert c["country_as_written"] == (incident["country"] or None)


def test_belligerents_are_copied_or_unknown_or_another(joined) -> None:
    noise = Counter()
    for c, t, incident in joined:
        written, claimed = incident["belligerents"], c["belligerents_as_written"]
        if t["belligerent_noise"] == "none":
            assert claimed == (written or None)
        elif t["belligerent_noise"] == "unknown":
            assert claimed == "unknown"
        else:
            assert claimed in SWAPS and claimed not in {b.strip() for b in written.split(",")}
        noise[t["belligerent_noise"]] += 1
    assert 0.02 < noise["unknown"] / len(joined) < 0.09
    assert 0 < noise["swapped"] / len(joined) < 0.05


def test_sources_are_registered_as_the_importer_derives_them(out: Path, claims: list[dict], truth, sources) -> None:
    registry = pq.read_table(out / "raw" / "raw_sources.parquet").to_pylist()
    chosen = {t["airwars_id"] for t in truth.values()}
    names = list(dict.fromkeys(s["source_name"] for s in sources if s["airwars_id"] in chosen))
    expected_ids = ["AWS-" + hashlib.sha1(n.encode("utf-8")).hexdigest()[:12] for n in names]
    assert [r["source_id"] for r in registry] == expected_ids
    assert [r["source_name"] for r in registry] == [n or None for n in names]
    assert {c["source_id"] for c in claims} == set(expected_ids)
    assert all(r["is_protected"] == "false" for r in registry)


def test_no_claim_links_to_its_airwars_incident_page(claims: list[dict]) -> None:
    for c in claims:
        for url in (c["report_url"], c["archive_url"]):
            assert not url or "airwars.org/civilian-casualties/" not in url.lower()
    assert any(c["report_url"] for c in claims)


# --------------------------------------------------------------------------- determinism


def test_the_same_seed_writes_identical_files(runs: dict[str, Path]) -> None:
    first, again = file_hashes(runs["first"]), file_hashes(runs["again"])
    assert len(first) == 9 and first == again


def test_another_seed_gives_other_noise(runs: dict[str, Path]) -> None:
    one = pq.read_table(runs["first"] / "raw" / "raw_claims.parquet")
    other = pq.read_table(runs["other"] / "raw" / "raw_claims.parquet")
    assert one.num_rows == other.num_rows
    assert one.column("place_as_written").to_pylist() != other.column("place_as_written").to_pylist()
    assert one.column("latitude").to_pylist() != other.column("latitude").to_pylist()
    # the registry does not depend on the seed
    assert file_hashes(runs["first"])["raw/raw_sources.parquet"] == file_hashes(runs["other"])["raw/raw_sources.parquet"]


def test_a_limited_run_gives_its_claims_the_noise_of_a_bigger_run(tmp_path: Path, runs: dict[str, Path]) -> None:
    require_external_data()
    code, _, stderr = simulate(tmp_path / "small", "--limit-incidents", "50")
    assert code == 0, stderr
    big, small = (pq.read_table(p / "truth.parquet").to_pylist() for p in (runs["first"], tmp_path / "small"))
    noise = ("airwars_id", "date_shift_days", "place_noise", "belligerent_noise", "jitter_km")
    assert Counter(tuple(r[k] for k in noise) for r in small) <= Counter(tuple(r[k] for k in noise) for r in big)


# --------------------------------------------------------------------------- command line and safety


def test_cli_reports_progress_and_summary(runs: dict[str, Path]) -> None:
    stdout = (runs["first"].parent / "first.stdout").read_text(encoding="utf-8")
    stderr = (runs["first"].parent / "first.stderr").read_text(encoding="utf-8")
    assert re.match(r"simulate-intake: [\d,]+ claims from 200 incidents \(seed 4\)", stdout)
    assert "raw/raw_claims.parquet" in stderr and "truth.parquet" in stderr
    manifest = json.loads((runs["first"] / "_simulation_manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 4 and manifest["limit_incidents"] == LIMIT
    assert manifest["truth"]["rows"] == manifest["tables"]["raw_claims"]["rows"]


def test_declared_strikes_are_copied_through(tmp_path: Path) -> None:
    require_external_data()
    code, _, stderr = simulate(tmp_path / "sim", "--limit-incidents", "5", "--centcom", str(CENTCOM),
                               "--dutch", str(DUTCH))
    assert code == 0, stderr
    strikes = pq.read_table(tmp_path / "sim" / "raw" / "raw_declared_strikes.parquet")
    assert strikes.num_rows == 5531 + 2188
    ids = strikes.column("strike_release_id").to_pylist()
    assert ids[0] == "CENTCOM-1" and ids[-1] == "NL-2188"


def test_refuses_a_folder_it_did_not_write_and_a_tracked_folder(tmp_path: Path) -> None:
    require_external_data()
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine", encoding="utf-8")
    code, _, stderr = simulate(foreign, "--limit-incidents", "5")
    assert code == 1 and "refusing to replace it" in stderr
    assert sorted(p.name for p in foreign.iterdir()) == ["keep.txt"]

    tracked = PROJECT / "tests" / "simulation-must-not-be-written"
    code, _, stderr = simulate(tracked, "--limit-incidents", "5")
    assert code == 1 and "not git-ignored" in stderr
    assert not tracked.exists()


def test_replaces_a_previous_simulation(tmp_path: Path) -> None:
    require_external_data()
    out = tmp_path / "sim"
    assert simulate(out, "--limit-incidents", "3")[0] == 0
    assert simulate(out, "--limit-incidents", "4")[0] == 0
    manifest = json.loads((out / "_simulation_manifest.json").read_text(encoding="utf-8"))
    assert manifest["limit_incidents"] == 4
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".sim.")]


def test_rejects_a_limit_below_one(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exited:
        run_cli(["simulate-intake", "--archive", str(ARCHIVE), "--out", str(tmp_path / "x"),
                 "--limit-incidents", "0"])
    assert exited.value.code == 2
