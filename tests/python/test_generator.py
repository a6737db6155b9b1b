"""The synthetic data generator (civcas generate-demo, civcas generate-scale): determinism,
the raw contract, realistic shape, deliberate dirt, blocks and ids, and the command line.

The demo (CSV, the generator at the demo's size and seed) is checked for its shape; Parquet
datasets of a few thousand claims cut into small blocks exercise several blocks and their
boundaries in seconds. Everything is read back from the files the generator wrote, with
detectors written independently of the generator, so a wrong file fails here.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import inspect
import json
import random
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest

from civcas.cli import main
from civcas.generator import (
    DEFAULT_CLAIMS,
    DEFAULT_SEED,
    DIRTY_KINDS,
    DIRTY_PLAN,
    GENERATED_TABLES,
    MANIFEST_NAME,
    GeneratorError,
    GeneratorResult,
    _choice_excluding,
    _is_arabic,
    _Options,
    _spelling_weights,
    generate_demo,
    generate_scale,
)
from civcas.raw_contract import LEDGER_TABLES, load_raw_contract
from civcas.raw_files import check_raw_folder

PROJECT = Path(__file__).resolve().parents[2]
REFERENCE = PROJECT / "seeds" / "reference"
Rows = list[dict[str, str]]
Tables = dict[str, Rows]

ID_COLUMNS = {
    "raw_claims": "claim_id",
    "raw_sources": "source_id",
    "raw_incidents": "incident_code",
}
DATE_COLUMNS = {
    "raw_claims": ("date_reported", "incident_date", "incident_date_start", "incident_date_end"),
    "raw_incidents": ("incident_date", "incident_date_end", "first_published"),
    "raw_incident_assessments": ("assessed_on",),
    "raw_belligerent_statements": ("statement_date",),
    "raw_declared_strikes": ("strike_date",),
}
RANGE_COLUMNS = {
    "raw_claims": (("civilians_killed_min", "civilians_killed_max"), ("civilians_injured_min", "civilians_injured_max")),
    "raw_incident_assessments": (
        ("civilians_killed_min", "civilians_killed_max"),
        ("civilians_injured_min", "civilians_injured_max"),
        ("children_killed_min", "children_killed_max"),
        ("women_killed_min", "women_killed_max"),
    ),
    "raw_belligerent_statements": (
        ("deaths_conceded_min", "deaths_conceded_max"),
        ("injuries_conceded_min", "injuries_conceded_max"),
    ),
}
COUNT_COLUMNS = {"raw_declared_strikes": ("strike_count",)}
BELLIGERENT_COLUMNS = {
    "raw_claims": "belligerents_as_written",
    "raw_incident_belligerents": "belligerent_as_written",
    "raw_belligerent_statements": "belligerent_as_written",
    "raw_declared_strikes": "belligerent_as_written",
}
PLACEHOLDER = "1970-01-01"


# --------------------------------------------------------------------------- fixtures


def read_csv(path: Path) -> Rows:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_tables(folder: Path, contract: dict[str, list[str]]) -> Tables:
    return {table: read_csv(folder / f"{table}.csv") for table in contract}


@pytest.fixture(scope="session")
def contract() -> dict[str, list[str]]:
    return load_raw_contract(PROJECT)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GeneratorResult, float]:
    out = tmp_path_factory.mktemp("demo_a")
    started = time.perf_counter()
    result = generate_demo(out, PROJECT, seed=DEFAULT_SEED)
    return out, result, time.perf_counter() - started


@pytest.fixture(scope="session")
def tables(demo: tuple[Path, GeneratorResult, float], contract: dict[str, list[str]]) -> Tables:
    return read_tables(demo[0], contract)


@pytest.fixture(scope="session")
def ref() -> dict[str, dict[str, str]]:
    """Alias look-ups (trimmed, case-folded), as the warehouse resolves them."""
    return {
        "belligerent": {r["alias"].casefold(): r["belligerent_id"] for r in read_csv(REFERENCE / "ref_belligerent_aliases.csv")},
        "governorate": {r["alias"].casefold(): r["governorate_id"] for r in read_csv(REFERENCE / "ref_governorate_aliases.csv")},
        "place_country": {
            a["alias"].casefold(): p["country_id"]
            for p in read_csv(REFERENCE / "ref_places.csv")
            for a in read_csv(REFERENCE / "ref_place_aliases.csv")
            if a["place_id"] == p["place_id"]
        },
    }


@pytest.fixture(scope="session")
def boxes() -> dict[str, tuple[float, float, float, float]]:
    return {
        r["country_id"]: (float(r["min_latitude"]), float(r["max_latitude"]),
                          float(r["min_longitude"]), float(r["max_longitude"]))
        for r in read_csv(REFERENCE / "ref_countries.csv")
    }


def key(value: str) -> str:
    return value.strip().casefold()


# --------------------------------------------------------------------------- determinism and contract


def sha256s(folder: Path, pattern: str) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.glob(pattern))}


def test_same_seed_writes_byte_identical_files(demo: tuple[Path, GeneratorResult, float], tmp_path: Path) -> None:
    generate_demo(tmp_path, PROJECT, seed=DEFAULT_SEED)
    first = sha256s(demo[0], "*.csv")
    assert len(first) == len(GENERATED_TABLES)
    assert first == sha256s(tmp_path, "*.csv")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "the staging folder is left behind"


def test_different_seed_writes_different_data(demo: tuple[Path, GeneratorResult, float], tmp_path: Path) -> None:
    generate_demo(tmp_path, PROJECT, seed=DEFAULT_SEED + 1)
    for name in ("raw_claims.csv", "raw_incidents.csv", "raw_incident_assessments.csv"):
        assert (demo[0] / name).read_bytes() != (tmp_path / name).read_bytes(), name


def test_generate_demo_still_writes_the_committed_seeds_byte_for_byte(demo: tuple[Path, GeneratorResult, float],
                                                                     contract: dict[str, list[str]]) -> None:
    for table in contract:
        written = (demo[0] / f"{table}.csv").read_bytes()
        committed = (PROJECT / "seeds" / "raw" / f"{table}.csv").read_bytes()
        assert written == committed, f"{table}.csv differs from seeds/raw; run `make demo` if the change is intended"


def test_the_demo_is_generate_scale_at_the_demos_size_and_seed(tables: Tables, contract: dict[str, list[str]],
                                                                tmp_path: Path) -> None:
    generate_scale(tmp_path / "scale", PROJECT, DEFAULT_CLAIMS, seed=DEFAULT_SEED, workers=1)
    scale = read_scale_tables(tmp_path / "scale", contract)
    for table in contract:
        if table != "raw_dataset":  # it names the command
            assert scale[table] == tables[table], table


def test_generation_is_fast(demo: tuple[Path, GeneratorResult, float]) -> None:
    assert demo[2] < 5.0


def test_every_contract_table_is_written_with_contract_columns(demo: tuple[Path, GeneratorResult, float],
                                                               contract: dict[str, list[str]]) -> None:
    folder = demo[0]
    assert sorted(p.stem for p in folder.glob("*.csv")) == sorted(contract)
    for table, columns in contract.items():
        with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
            assert next(csv.reader(handle)) == columns, table


def test_files_are_utf8_with_unix_line_endings(demo: tuple[Path, GeneratorResult, float]) -> None:
    for path in demo[0].glob("*.csv"):
        data = path.read_bytes()
        data.decode("utf-8")
        assert b"\r\n" not in data, path.name
        assert not data.startswith(b"\xef\xbb\xbf"), path.name


def test_output_passes_check_raw(demo: tuple[Path, GeneratorResult, float], contract: dict[str, list[str]]) -> None:
    assert check_raw_folder(demo[0], contract) == []


# --------------------------------------------------------------------------- synthetic labelling


def test_dataset_row_declares_synthetic_data(tables: Tables) -> None:
    (row,) = tables["raw_dataset"]
    assert row["dataset_id"] == "civcas-demo"
    assert row["is_synthetic"] == "true"
    assert row["description"].startswith(
        "SYNTHETIC DEMO DATA generated by civcas; not a record of real events. Do not cite these figures."
    )
    assert re.fullmatch(r"civcas\.generator \d+\.\d+\.\d+", row["generated_by"])
    assert row["generator_seed"] == str(DEFAULT_SEED)
    assert row["source_reference"] == "civcas generate-demo"
    # Made by civcas: free to share, and credited as synthetic wherever it goes.
    assert row["may_redistribute"] == "true"
    assert row["credit"] == "Synthetic demo data made by civcas, not real events"


def test_sources_and_links_are_obviously_fictional(tables: Tables) -> None:
    for row in tables["raw_sources"]:
        assert key(row["source_name"]).startswith("demo "), row
        assert key(row["source_name"]).endswith("(synthetic)"), row
        assert not row["source_handle"] or row["source_handle"].startswith("@demo_"), row
    links = [(t, c, v) for t, rows in tables.items() for r in rows for c, v in r.items() if c.endswith("_url") and v]
    assert links
    assert all(v.startswith("https://example.org/synthetic/") for _, _, v in links), links[:3]


def test_protected_sources_exist_and_are_cited(tables: Tables) -> None:
    protected = {r["source_id"] for r in tables["raw_sources"] if r["is_protected"] == "true"}
    assert len(protected) >= 3
    cited = Counter(r["source_id"] for r in tables["raw_claims"] if r["source_id"] in protected)
    assert len(cited) >= 3, cited


def test_protected_values_are_in_no_clean_source_and_a_protected_row_is_dirty(tables: Tables) -> None:
    """The release checks find a protected value even inside a longer text, so no clean source may
    hold one (a clean @demo_medic_92_2 beside a protected @demo_medic_92); and the quarantine has a
    protected row to withhold."""
    columns = ("source_name", "source_handle", "source_url")
    protected = [r for r in tables["raw_sources"] if r["is_protected"] == "true"]
    values = {key(r[c]) for r in protected for c in columns if r[c].strip()}
    clean = [r for r in tables["raw_sources"] if r["source_id"] not in {p["source_id"] for p in protected}]
    assert not [(v, r["source_id"]) for r in clean for c in columns for v in values if v in key(r[c])]
    rows = Counter(tuple(r.values()) for r in protected)
    assert max(rows.values()) >= 2, "no protected source row is duplicated"


def test_all_six_source_types_with_platform_and_language(tables: Tables) -> None:
    codes = {r["alias"]: r["code"] for r in read_csv(REFERENCE / "ref_code_aliases.csv") if r["code_set"] == "source_type"}
    sources = tables["raw_sources"]
    assert 200 <= len({r["source_id"] for r in sources}) <= 300
    known = {r["source_type_id"] for r in read_csv(REFERENCE / "ref_source_types.csv")}
    assert {codes.get(key(r["source_type"])) for r in sources} >= known
    assert all(r["platform"] and r["language"] for r in sources)


# --------------------------------------------------------------------------- shape


def incident_belligerents(tables: Tables, ref: dict[str, dict[str, str]]) -> dict[str, set[str]]:
    blamed: dict[str, set[str]] = defaultdict(set)
    for row in tables["raw_incident_belligerents"]:
        belligerent = ref["belligerent"].get(key(row["belligerent_as_written"]))
        if belligerent:
            blamed[row["incident_code"]].add(belligerent)
    return blamed


def incident_months(tables: Tables) -> dict[str, str]:
    """Incident code -> YYYY-MM, for rows whose date parses (first row per code wins)."""
    months: dict[str, str] = {}
    for row in tables["raw_incidents"]:
        value = row["incident_date"]
        if re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", value) and value != PLACEHOLDER:
            months.setdefault(row["incident_code"], value[:7])
    return months


def monthly_counts(tables: Tables, ref: dict[str, dict[str, str]]) -> dict[str, Counter[str]]:
    blamed = incident_belligerents(tables, ref)
    counts: dict[str, Counter[str]] = {"coalition": Counter(), "russia": Counter()}
    for code, month in incident_months(tables).items():
        for belligerent in blamed.get(code, ()):
            if belligerent in counts:
                counts[belligerent][month] += 1
    return counts


def test_march_2017_is_the_coalition_record_and_beats_russia(tables: Tables, ref: dict[str, dict[str, str]]) -> None:
    counts = monthly_counts(tables, ref)
    coalition, russia = counts["coalition"], counts["russia"]
    record = coalition["2017-03"]
    assert record == max(coalition.values())
    assert sum(1 for n in coalition.values() if n == record) == 1
    assert record >= 2 * russia["2017-03"]
    assert max(russia.values()) < record


def test_russia_peaks_in_2015_2016_and_early_2018(tables: Tables, ref: dict[str, dict[str, str]]) -> None:
    russia = monthly_counts(tables, ref)["russia"]
    top = [m for m, _ in russia.most_common(8)]
    assert all("2015-10" <= m <= "2016-12" or "2018-01" <= m <= "2018-04" for m in top), top
    late_2016 = sum(russia[m] for m in ("2016-10", "2016-11", "2016-12"))
    coalition = monthly_counts(tables, ref)["coalition"]
    assert late_2016 > sum(coalition[m] for m in ("2016-10", "2016-11", "2016-12")) * 0.8
    first_quarter = ("2017-01", "2017-02", "2017-03")
    assert sum(coalition[m] for m in first_quarter) > 2 * sum(russia[m] for m in first_quarter)


def test_march_2017_coalition_alleged_deaths_exceed_russia(tables: Tables, ref: dict[str, dict[str, str]]) -> None:
    blamed = incident_belligerents(tables, ref)
    months = incident_months(tables)
    highest: dict[str, int] = defaultdict(int)
    for row in tables["raw_claims"]:
        figures = [v for v in (row["civilians_killed_max"], row["civilians_killed_min"]) if v.isdigit()]
        if row["incident_code"] and figures:
            highest[row["incident_code"]] = max(highest[row["incident_code"]], int(figures[0]))
    deaths = Counter()
    for code, n in highest.items():
        if months.get(code) == "2017-03":
            for belligerent in blamed.get(code, ()):
                deaths[belligerent] += n
    assert deaths["coalition"] > 2 * deaths["russia"] > 0, deaths


def test_campaign_scope_and_dates(tables: Tables) -> None:
    starts = {"CI": "2014-08-08", "CS": "2014-09-23", "RS": "2015-09-30"}
    codes = set()
    for row in tables["raw_incidents"]:
        code, value = row["incident_code"], row["incident_date"]
        assert re.fullmatch(r"(CS|CI|RS)\d{4}[ab]?", code), code
        codes.add(code)
        if is_date(value) and value != PLACEHOLDER:
            assert starts[code[:2]] <= value <= "2019-12-31", row
        for previous in row["previous_codes"].split():
            assert re.fullmatch(r"(CS|CI|RS|R)\d+", previous), row
    assert 900 <= len(codes) <= 1100


def test_claims_volume_linkage_and_skew(tables: Tables) -> None:
    claims = tables["raw_claims"]
    assert len({r["claim_id"] for r in claims}) >= 3000
    unlinked = sum(1 for r in claims if not r["incident_code"])
    assert 0.05 <= unlinked / len(claims) <= 0.11
    per_incident = Counter(r["incident_code"] for r in claims if r["incident_code"])
    sizes = Counter(per_incident.values())
    assert sizes[1] >= 0.3 * len(per_incident)
    assert sum(n for size, n in sizes.items() if 5 <= size <= 15) >= 0.1 * len(per_incident)


def test_claims_use_every_date_and_figure_form(tables: Tables) -> None:
    claims = tables["raw_claims"]
    forms = Counter()
    for r in claims:
        if re.fullmatch(r"\d{4}-\d{2}", r["incident_date"]):
            forms["month"] += 1
        elif r["incident_date_start"] and r["incident_date_end"] and not r["incident_date"]:
            forms["range"] += 1
        elif not (r["incident_date"] or r["incident_date_start"] or r["incident_date_end"]):
            forms["reported only"] += 1
        low, high = r["civilians_killed_min"], r["civilians_killed_max"]
        if low.isdigit() and low == high:
            forms["exact"] += 1
        elif low.isdigit() and high.isdigit() and int(low) < int(high):
            forms["killed range"] += 1
        elif low.isdigit() and not high:
            forms["at least"] += 1
        elif not low and not high:
            forms["unknown"] += 1
    assert all(forms[f] >= 50 for f in ("month", "range", "reported only", "exact", "killed range", "at least", "unknown")), forms


def test_claims_use_arabic_and_varied_spellings(tables: Tables, ref: dict[str, dict[str, str]]) -> None:
    arabic = re.compile("[\u0600-\u06ff]")
    claims = tables["raw_claims"]
    assert sum(1 for r in claims if arabic.search(r["place_as_written"])) > 0.05 * len(claims)
    coalition_spellings = {
        t for r in claims for t in r["belligerents_as_written"].split(";")
        if ref["belligerent"].get(key(t)) == "coalition"
    }
    assert len(coalition_spellings) >= 6
    assert any(key(r["belligerents_as_written"]) == "unknown" for r in claims)


def test_contested_attributions(tables: Tables, ref: dict[str, dict[str, str]]) -> None:
    blamed = incident_belligerents(tables, ref)
    russian = [b for b in blamed.values() if "russia" in b]
    with_regime = sum(1 for b in russian if "syrian_regime" in b)
    assert with_regime >= 0.3 * len(russian)
    both = sum(1 for b in blamed.values() if {"coalition", "russia"} <= b)
    assert 0.01 * len(blamed) <= both <= 0.04 * len(blamed), both


def latest_grades(tables: Tables) -> dict[str, str]:
    latest: dict[str, tuple[str, str, str]] = {}
    for row in tables["raw_incident_assessments"]:
        code = row["incident_code"]
        if code not in latest or (row["assessed_on"], row["assessment_id"]) > latest[code][:2]:
            latest[code] = (row["assessed_on"], row["assessment_id"], key(row["grade"]))
    return {code: grade for code, (_, _, grade) in latest.items()}


def test_assessments_change_over_time_and_some_incidents_stay_ungraded(tables: Tables) -> None:
    assessments = tables["raw_incident_assessments"]
    by_incident: dict[str, list[str]] = defaultdict(list)
    for row in sorted(assessments, key=lambda r: (r["assessed_on"], r["assessment_id"])):
        by_incident[row["incident_code"]].append(key(row["grade"]))
    changed = sum(1 for grades in by_incident.values() if len(set(grades)) > 1)
    assert changed >= 0.15 * len(by_incident)
    assert max(len(g) for g in by_incident.values()) <= 3
    incidents = {r["incident_code"] for r in tables["raw_incidents"]}
    ungraded = incidents - set(by_incident)
    assert 0.03 * len(incidents) <= len(ungraded) <= 0.2 * len(incidents)
    months = incident_months(tables)
    russian = [c for c in incidents if c.startswith("RS") and c in months]
    before = [c for c in russian if months[c] < "2017-03"]
    after = [c for c in russian if months[c] >= "2017-03"]
    share = lambda codes: sum(1 for c in codes if c in ungraded) / len(codes)  # noqa: E731
    assert share(after) > 2 * share(before)


def test_confirmed_only_for_coalition_incidents_with_a_credible_verdict(tables: Tables, ref: dict[str, dict[str, str]]) -> None:
    credible = {r["incident_code"] for r in tables["raw_belligerent_statements"] if key(r["verdict"]) == "credible"}
    confirmed = {c for c, g in latest_grades(tables).items() if g == "confirmed"}
    assert confirmed
    assert confirmed <= credible
    assert all(c.startswith(("CS", "CI")) for c in confirmed)
    russian_grades = Counter(g for c, g in latest_grades(tables).items() if c.startswith("RS"))
    assert russian_grades["contested"] >= russian_grades["weak"] * 0.8 and russian_grades["fair"] > 0


def test_russia_gives_no_verdicts_and_coalition_concedes_less_than_alleged(tables: Tables,
                                                                          ref: dict[str, dict[str, str]]) -> None:
    statements = tables["raw_belligerent_statements"]
    speakers = Counter(ref["belligerent"].get(key(r["belligerent_as_written"])) for r in statements)
    assert speakers["russia"] == 0
    assert speakers["coalition"] >= 0.95 * len(statements)
    verdicts = {key(r["verdict"]) for r in statements}
    assert {"credible", "duplicate", "open"} <= verdicts
    assert verdicts & {"non-credible", "non credible"}


def test_declared_strikes_sit_near_many_but_not_all_coalition_incidents(tables: Tables, ref: dict[str, dict[str, str]]) -> None:
    place_governorate = {
        a["alias"].casefold(): p["governorate_id"]
        for p in read_csv(REFERENCE / "ref_places.csv")
        for a in read_csv(REFERENCE / "ref_place_aliases.csv")
        if a["place_id"] == p["place_id"]
    }
    strikes = set()
    for row in tables["raw_declared_strikes"]:
        if (ref["belligerent"].get(key(row["belligerent_as_written"])) == "coalition"
                and re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["strike_date"])):
            try:
                strikes.add((dt.date.fromisoformat(row["strike_date"]), place_governorate.get(key(row["place_near"]))))
            except ValueError:
                continue
    assert 2000 <= len(tables["raw_declared_strikes"]) <= 6000
    matched = total = 0
    for row in tables["raw_incidents"]:
        if not row["incident_code"].startswith("C") or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["incident_date"]):
            continue
        try:
            day = dt.date.fromisoformat(row["incident_date"])
        except ValueError:
            continue
        governorate = ref["governorate"].get(key(row["governorate_as_written"]))
        total += 1
        matched += any((day + dt.timedelta(days=k), governorate) in strikes for k in (-1, 0, 1))
    assert 0.5 * total <= matched <= 0.95 * total, (matched, total)


# --------------------------------------------------------------------------- dirt


def is_date(value: str, allow_month: bool = False) -> bool:
    try:
        if allow_month and re.fullmatch(r"\d{4}-\d{2}", value):
            return 1 <= int(value[5:]) <= 12
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) and bool(dt.date.fromisoformat(value))
    except ValueError:
        return False


def inside(box: tuple[float, float, float, float], lat: float, lon: float) -> bool:
    return box[0] <= lat <= box[1] and box[2] <= lon <= box[3]


def coordinate_faults(tables: Tables, ref: dict[str, dict[str, str]], boxes: dict, swapped: bool) -> Counter[str]:
    found = Counter()
    for table in ("raw_claims", "raw_incidents"):
        for row in tables[table]:
            country = ref["place_country"].get(key(row["place_as_written"]))
            if not (row["latitude"] and row["longitude"] and country):
                continue
            lat, lon = float(row["latitude"]), float(row["longitude"])
            box = boxes[country]
            if not inside(box, lat, lon) and inside(box, lon, lat) == swapped:
                found[table] += 1
    return found


def duplicate_ids(tables: Tables, exact: bool) -> Counter[str]:
    found = Counter()
    for table, column in ID_COLUMNS.items():
        groups: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for row in tables[table]:
            groups[row[column]].append(tuple(row.values()))
        for rows in groups.values():
            if exact:
                found[table] += len(rows) - len(set(rows))
            elif len(set(rows)) > 1:
                found[table] += len(set(rows)) - 1
    return found


def per_value(tables: Tables, columns: dict[str, tuple[str, ...]], fault: Callable[[str, str], bool]) -> Counter[str]:
    found = Counter()
    for table, names in columns.items():
        for row in tables[table]:
            if any(fault(name, row[name]) for name in names):
                found[table] += 1
    return found


def numeric_columns() -> dict[str, tuple[str, ...]]:
    numeric = {t: tuple(c for pair in pairs for c in pair) for t, pairs in RANGE_COLUMNS.items()}
    return {**numeric, **COUNT_COLUMNS}


def detect_dirt(tables: Tables, ref: dict[str, dict[str, str]], boxes: dict) -> dict[str, Counter[str]]:
    codes = {r["incident_code"] for r in tables["raw_incidents"]}
    unknown_belligerent = Counter()
    for table, column in BELLIGERENT_COLUMNS.items():
        for row in tables[table]:
            if any(key(t) not in ref["belligerent"] for t in row[column].split(";")):
                unknown_belligerent[table] += 1
    min_above_max = Counter()
    for table, pairs in RANGE_COLUMNS.items():
        for row in tables[table]:
            if any(row[a].isdigit() and row[b].isdigit() and int(row[a]) > int(row[b]) for a, b in pairs):
                min_above_max[table] += 1
    return {
        "unparseable_date": per_value(
            tables, DATE_COLUMNS, lambda c, v: bool(v) and v != PLACEHOLDER and not is_date(v, c == "incident_date")
        ),
        "placeholder_date": per_value(tables, {t: ("incident_date",) for t in ("raw_claims", "raw_incidents")},
                                      lambda c, v: v == PLACEHOLDER),
        "min_above_max": min_above_max,
        "negative_number": per_value(tables, numeric_columns(), lambda c, v: bool(re.fullmatch(r"-\d+", v))),
        "non_numeric_figure": per_value(tables, numeric_columns(), lambda c, v: bool(v) and not re.fullmatch(r"-?\d+", v)),
        "unknown_belligerent": unknown_belligerent,
        "coordinates_outside_country": coordinate_faults(tables, ref, boxes, swapped=False),
        "swapped_lat_lon": coordinate_faults(tables, ref, boxes, swapped=True),
        "duplicate_id_exact": duplicate_ids(tables, exact=True),
        "duplicate_id_different": duplicate_ids(tables, exact=False),
        "blank_grade": per_value(tables, {"raw_incident_assessments": ("grade",)}, lambda c, v: not v.strip()),
        "old_grade_name": per_value(
            tables, {"raw_incident_assessments": ("grade",)}, lambda c, v: key(v) in ("disproved", "disproven")
        ),
        "whitespace_mixed_case": Counter(
            {t: sum(1 for r in rows if any(v != v.strip() for v in r.values())) for t, rows in tables.items()}
        ),
        "unknown_governorate": per_value(
            tables,
            {t: ("governorate_as_written",) for t in ("raw_claims", "raw_incidents")},
            lambda c, v: bool(v) and key(v) not in ref["governorate"],
        ),
        "orphan_incident_code": per_value(
            tables, {"raw_claims": ("incident_code",)}, lambda c, v: bool(v) and v not in codes
        ),
    }


def test_every_dirty_kind_occurs_where_it_applies(tables: Tables, ref: dict[str, dict[str, str]], boxes: dict) -> None:
    found = detect_dirt(tables, ref, boxes)
    assert set(found) == set(DIRTY_KINDS)
    for kind, per_table in DIRTY_PLAN.items():
        for table in per_table:
            minimum = 2 if table == "raw_claims" else 1
            assert found[kind][table] >= minimum, (kind, table, found[kind])
    for table in ("raw_sources", "raw_incidents", "raw_incident_belligerents", "raw_incident_assessments",
                  "raw_belligerent_statements", "raw_declared_strikes"):
        assert sum(found[k][table] for k in DIRTY_KINDS) >= 3, table


def test_dirt_log_matches_the_files(demo: tuple[Path, GeneratorResult, float], tables: Tables,
                                    ref: dict[str, dict[str, str]], boxes: dict) -> None:
    found = detect_dirt(tables, ref, boxes)
    for kind, per_table in demo[1].dirty.items():
        for table, count in per_table.items():
            assert found[kind][table] == count, (kind, table, found[kind][table], count)


def test_dirty_share_of_claims_is_realistic(demo: tuple[Path, GeneratorResult, float]) -> None:
    claims = demo[1].rows["raw_claims"]
    dirty = sum(per_table.get("raw_claims", 0) for per_table in demo[1].dirty.values())
    assert 0.02 <= dirty / claims <= 0.04, dirty / claims


def test_clean_rows_keep_their_promises(tables: Tables, ref: dict[str, dict[str, str]], boxes: dict) -> None:
    """Outside the injected faults: min <= max, coordinates inside the country, known spellings."""
    found = detect_dirt(tables, ref, boxes)
    planned = {(k, t) for k, per_table in DIRTY_PLAN.items() for t in per_table}
    unplanned = {(k, t): n for k, per_table in found.items() for t, n in per_table.items() if n and (k, t) not in planned}
    assert unplanned == {}


# Small blocks: a few thousand claims span several blocks, the last one partly filled.
SMALL_BLOCK = 250
ODD_CLAIMS = 4_321


def read_scale_tables(folder: Path, contract: dict[str, list[str]]) -> Tables:
    """Every table as rows of text, empty where the Parquet value is null (as the CSV demo reads)."""
    return {
        table: [{k: ("" if v is None else v) for k, v in row.items()}
                for row in pq.read_table(folder / f"{table}.parquet").to_pylist()]
        for table in contract
    }


def parquet_bytes(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.parquet"))}


def manifest(folder: Path) -> dict:
    return json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def odd(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """N not a multiple of anything: about five blocks, the last one short; one worker."""
    out = tmp_path_factory.mktemp("scale") / "odd"
    generate_scale(out, PROJECT, ODD_CLAIMS, workers=1, block_incidents=SMALL_BLOCK)
    return out


@pytest.fixture(scope="module")
def odd_tables(odd: Path, contract: dict[str, list[str]]) -> Tables:
    return read_scale_tables(odd, contract)


@pytest.fixture(scope="module")
def demo_size(tmp_path_factory: pytest.TempPathFactory, contract: dict[str, list[str]]) -> Tables:
    """The generator at the demo's size, in several blocks."""
    out = tmp_path_factory.mktemp("scale") / "demo_size"
    generate_scale(out, PROJECT, DEFAULT_CLAIMS, workers=1, block_incidents=300)
    return read_scale_tables(out, contract)


# --------------------------------------------------------------------------- determinism


def test_same_seed_and_n_write_identical_bytes_whatever_the_workers(odd: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate_scale(again, PROJECT, ODD_CLAIMS, workers=2, block_incidents=SMALL_BLOCK)
    first = sha256s(odd, "*.parquet")
    assert len(first) == len(GENERATED_TABLES)
    assert first == sha256s(again, "*.parquet")


def test_another_seed_writes_other_data(odd: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    generate_scale(other, PROJECT, ODD_CLAIMS, seed=7, workers=1, block_incidents=SMALL_BLOCK)
    first, second = parquet_bytes(odd), parquet_bytes(other)
    assert first["raw_claims.parquet"] != second["raw_claims.parquet"]
    assert first["raw_incidents.parquet"] != second["raw_incidents.parquet"]


# --------------------------------------------------------------------------- blocks and ids


def numbers(values: list[str], prefix: str) -> list[int]:
    assert all(re.fullmatch(rf"{prefix}\d+", v) for v in values), [v for v in values if not re.fullmatch(rf"{prefix}\d+", v)][:3]
    return [int(v[len(prefix):]) for v in values]


def test_block_boundaries_lose_and_repeat_nothing(odd: Path, odd_tables: Tables) -> None:
    found = manifest(odd)
    assert found["block_incidents"] == SMALL_BLOCK
    claims = odd_tables["raw_claims"]
    duplicated = sum(found["dirty_rows"].get(k, {}).get("raw_claims", 0)
                     for k in ("duplicate_id_exact", "duplicate_id_different"))
    assert len(claims) == ODD_CLAIMS + duplicated
    # Every claim number from 1 to N once, duplicates aside; ids grow through the file.
    claim_numbers = numbers([r["claim_id"] for r in claims], "CLM")
    assert sorted(set(claim_numbers)) == list(range(1, ODD_CLAIMS + 1))
    assert claim_numbers == sorted(claim_numbers)
    # Ids given while writing run on across blocks without a gap.
    for table, column, prefix in (("raw_incident_assessments", "assessment_id", "ASM"),
                                  ("raw_belligerent_statements", "statement_id", "STM"),
                                  ("raw_declared_strikes", "strike_release_id", "DS")):
        assert numbers([r[column] for r in odd_tables[table]], prefix) == list(range(1, len(odd_tables[table]) + 1)), table
    statement = odd_tables["raw_belligerent_statements"][0]
    assert statement["statement_url"].endswith("/" + statement["statement_id"].lower())


def test_incident_codes_are_numbered_across_blocks_without_collisions(odd_tables: Tables) -> None:
    incidents = odd_tables["raw_incidents"]
    codes = Counter(r["incident_code"] for r in incidents)
    repeated = sum(n - 1 for n in codes.values() if n > 1)
    assert repeated <= 10  # only the deliberate duplicates
    by_campaign: dict[str, list[int]] = {}
    for code in codes:
        match = re.fullmatch(r"(CI|CS|RS)(\d{4})[ab]?", code)
        assert match, code
        by_campaign.setdefault(match.group(1), []).append(int(match.group(2)))
    # Previous codes: R<n> (old Russian numbering), the number a split shares, or an absorbed code.
    absorbed = {p for r in incidents for p in r["previous_codes"].split()
                if not re.fullmatch(r"R\d+", p) and p != r["incident_code"][:-1]}
    assert absorbed, "some incidents absorbed another code"
    assert not absorbed & set(codes), "a merged-away code is still in use"
    for campaign, used in by_campaign.items():
        # Numbers run from 1 with gaps only where a merge used one up.
        merged = sum(1 for p in absorbed if p.startswith(campaign))
        assert min(used) == 1 and max(used) <= len(set(used)) + merged, campaign
    first_rows = {r["incident_code"]: r for r in reversed(incidents)}.values()
    old_russian = [p for r in first_rows for p in r["previous_codes"].split() if re.fullmatch(r"R\d+", p)]
    assert len(old_russian) == len(set(old_russian)) > 0


def test_claims_link_to_registered_incidents_except_orphans_and_unlinked(odd: Path, odd_tables: Tables) -> None:
    codes = {r["incident_code"] for r in odd_tables["raw_incidents"]}
    claims = odd_tables["raw_claims"]
    orphans = [r for r in claims if r["incident_code"] and r["incident_code"] not in codes]
    assert len(orphans) == manifest(odd)["dirty_rows"]["orphan_incident_code"]["raw_claims"]
    sources = {r["source_id"] for r in odd_tables["raw_sources"]}
    assert all(r["source_id"] in sources for r in claims)


# --------------------------------------------------------------------------- the contract


def test_every_contract_table_is_parquet_with_contract_columns_as_strings(odd: Path, contract: dict[str, list[str]]) -> None:
    assert sorted(p.stem for p in odd.glob("*.parquet")) == sorted(contract)
    for table, columns in contract.items():
        schema = pq.read_schema(odd / f"{table}.parquet")
        assert schema.names == columns, table
        assert {str(t) for t in schema.types} == {"string"}, table


def test_duckdb_reads_the_files_as_the_raw_files_source_does(odd: Path) -> None:
    found = manifest(odd)
    with duckdb.connect() as con:
        for table, entry in found["tables"].items():
            relation = con.sql(f"select * from read_parquet('{odd / entry['file']}')")
            assert {str(t) for t in relation.types} == {"VARCHAR"}, table
            assert relation.aggregate("count(*)").fetchone()[0] == entry["rows"], table


def test_dataset_row_says_synthetic_with_seed_and_n(odd_tables: Tables) -> None:
    (row,) = odd_tables["raw_dataset"]
    assert row["is_synthetic"] == "true"
    assert row["dataset_id"] == f"civcas-scale-{ODD_CLAIMS}"
    assert row["generator_seed"] == "20170301"
    assert f"--claims {ODD_CLAIMS}" in row["source_reference"] and "SYNTHETIC" in row["description"]


# --------------------------------------------------------------------------- the demo's shape


# The demo's shape checks, run on the generator's Parquet output at the demo's size in several blocks.
SHAPE_CHECKS: tuple[Callable[..., None], ...] = (
    test_sources_and_links_are_obviously_fictional,
    test_protected_sources_exist_and_are_cited,
    test_protected_values_are_in_no_clean_source_and_a_protected_row_is_dirty,
    test_all_six_source_types_with_platform_and_language,
    test_march_2017_is_the_coalition_record_and_beats_russia,
    test_russia_peaks_in_2015_2016_and_early_2018,
    test_march_2017_coalition_alleged_deaths_exceed_russia,
    test_campaign_scope_and_dates,
    test_claims_volume_linkage_and_skew,
    test_claims_use_every_date_and_figure_form,
    test_claims_use_arabic_and_varied_spellings,
    test_contested_attributions,
    test_assessments_change_over_time_and_some_incidents_stay_ungraded,
    test_confirmed_only_for_coalition_incidents_with_a_credible_verdict,
    test_russia_gives_no_verdicts_and_coalition_concedes_less_than_alleged,
    test_declared_strikes_sit_near_many_but_not_all_coalition_incidents,
    test_every_dirty_kind_occurs_where_it_applies,
    test_clean_rows_keep_their_promises,
)


@pytest.mark.parametrize("check", SHAPE_CHECKS, ids=lambda check: check.__name__.removeprefix("test_"))
def test_blocks_at_demo_size_pass_the_demo_shape_checks(check: Callable[..., None], demo_size: Tables,
                                                         ref: dict[str, dict[str, str]], boxes: dict) -> None:
    available = {"tables": demo_size, "ref": ref, "boxes": boxes}
    check(**{name: available[name] for name in inspect.signature(check).parameters})


def test_dirty_rows_in_the_files_match_the_manifest_and_the_demo_plan(odd: Path, odd_tables: Tables,
                                                                       ref: dict[str, dict[str, str]], boxes: dict) -> None:
    found = detect_dirt(odd_tables, ref, boxes)
    logged = manifest(odd)["dirty_rows"]
    scale = ODD_CLAIMS / DEFAULT_CLAIMS
    for kind, per_table in DIRTY_PLAN.items():
        for table, count in per_table.items():
            made = logged.get(kind, {}).get(table, 0)
            assert found[kind][table] == made, (kind, table, found[kind][table], made)
            if kind != "old_grade_name":  # logged as every old name in the file, drawn ones too
                assert made == max(1, round(count * scale)), (kind, table, made, count * scale)


def test_dirty_share_of_each_table_is_the_demos(odd_tables: Tables, tables: Tables, ref: dict[str, dict[str, str]],
                                                boxes: dict) -> None:

    def shares(tables: Tables) -> dict[str, float]:
        found = detect_dirt(tables, ref, boxes)
        return {t: sum(found[k][t] for k in found) / len(rows) for t, rows in tables.items()
                if t != "raw_dataset" and t not in LEDGER_TABLES}

    scale, demo = shares(odd_tables), shares(tables)
    for table, share in demo.items():
        assert share * 0.6 <= scale[table] <= share * 1.4 + 0.002, (table, scale[table], share)


# --------------------------------------------------------------------------- command line


def test_cli_writes_reports_and_shows_progress(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli"
    assert main(["generate-scale", "--claims", "1_500", "--out", str(out), "--workers", "1",
                 "--project-dir", str(PROJECT)]) == 0
    captured = capsys.readouterr()
    assert re.search(r"generate-scale: 1,500 / 1,500 claims \(100%\), [\d,]+ claims/s", captured.err), captured.err
    assert "raw_claims" in captured.out and "deliberately dirty rows" in captured.out
    assert manifest(out)["claims_requested"] == 1500


@pytest.mark.parametrize("claims", ["100", "20000000", "many"])
def test_cli_refuses_n_out_of_range(claims: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["generate-scale", "--claims", claims])
    assert exited.value.code == 2
    assert "--claims" in capsys.readouterr().err


def test_a_folder_it_did_not_write_is_left_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "someone_elses"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    assert main(["generate-scale", "--claims", "300", "--out", str(out), "--project-dir", str(PROJECT)]) == 1
    assert "refusing to replace it" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    with pytest.raises(GeneratorError, match="between 200"):
        generate_scale(tmp_path / "x", PROJECT, 150)


# --------------------------------------------------------------------------- drawing helpers


def test_spelling_draws_follow_the_spelling_weights() -> None:
    options = ["Raqqa", "Ar Raqqah", "al-Raqqa", "الرقة", "رقة"]
    rng = np.random.default_rng(1)
    for arabic_share, first_share in ((0.45, 0.4), (0.03, 0.6), (0.0, 0.5)):
        weights = _spelling_weights(options, arabic_share, first_share)
        assert sum(weights) == pytest.approx(1.0)
        assert sum(w for o, w in zip(options, weights, strict=True) if _is_arabic(o)) == pytest.approx(arabic_share)
        # The canonical (first Latin) spelling in at least first_share of the Latin draws; later ones less often.
        assert weights[0] >= first_share * (1 - arabic_share)
        assert weights[0] > weights[1] > weights[2]
        drawn = Counter(_Options.spellings([options], arabic_share, first_share)
                        .draw(rng, np.zeros(40_000, dtype=np.int64)).to_pylist())
        for option, weight in zip(options, weights, strict=True):
            assert abs(drawn[option] / 40_000 - weight) < 0.01, (option, arabic_share, drawn[option], weight)


def test_choice_excluding_draws_what_choice_over_the_filtered_list_draws() -> None:
    options = [f"SRC{i:04d}" for i in range(1, 40)]
    for seed in range(200):
        excluded = options[seed % len(options)] if seed % 7 else "not-an-option"
        a, b = random.Random(seed), random.Random(seed)
        assert _choice_excluding(a, options, excluded) == b.choice([o for o in options if o != excluded])
        assert a.random() == b.random()


def test_python_dash_m_civcas_help() -> None:
    for args in ([], ["generate-demo"], ["check-raw"]):
        done = subprocess.run([sys.executable, "-m", "civcas", *args, "--help"], capture_output=True, text=True, cwd=PROJECT)
        assert done.returncode == 0, done.stderr
        assert "usage: civcas" in done.stdout


def test_cli_generate_demo_writes_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from civcas.cli import main

    assert main(["generate-demo", "--project-dir", str(PROJECT), "--out", str(tmp_path), "--claims", "400", "--seed", "7"]) == 0
    captured = capsys.readouterr()
    assert "raw_claims.csv" in captured.err
    assert sum(1 for _ in (tmp_path / "raw_claims.csv").open(encoding="utf-8")) > 400
