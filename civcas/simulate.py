"""Simulated intake from the real Airwars Syria archive (``civcas simulate-intake``).

A test bed for linking that does not flatter it (issue 13). Real archive incidents are
turned into the intake a monitor would have logged, with the error classes of real intake
(:mod:`civcas.intake_noise`) at one level: ``none``, ``easy``, ``realistic`` or ``hard``.
The answer is kept apart::

    <out>/raw/<table>.parquet        every table of the raw contract, every column a string
    <out>/truth.parquet              one row per claim: its true incident, registration, noise, hard negatives
    <out>/_simulation_manifest.json  level, seed, rates, counts, inputs and their SHA-256, time taken

dbt reads the raw folder like an archive import:
``--vars '{civcas_raw_source: files, civcas_raw_path: <out>/raw}'``.

What is simulated
-----------------
incidents
    The archive incidents that have parsed sources (``sources.csv``), an exact date
    (``date_type`` date; the 2% date ranges are left out), one Syrian governorate or none,
    a valid point or none, and belligerents the simulator knows. Whole days are drawn
    (seeded) until ``incidents`` incidents are chosen: every chosen day keeps all its
    eligible incidents, so the archive's busy days (18 incidents in Damascus on
    2018-02-24) stay busy.
hard negatives
    For ``HARD_NEGATIVE_SHARE`` of the chosen incidents, one more distinct incident that
    must stay apart from it (``HARD_NEGATIVE_KINDS``): another strike in the same city on
    a busy day (2 to 6 km away, the city's name); a strike the same day on a neighbouring
    place of the archive 2 to 10 km away; a strike the same day in the same town 1 to 4 km
    away; a strike on the next day at the same place. Each is reported by the same
    outlets as the incident it shadows, with figures of its own.
claims
    1 to ``MAX_CLAIMS_PER_INCIDENT`` claims per incident, each from one of its parsed
    sources (drawn without repeat), with the incident's date, place, governorate, point,
    belligerents and a figure within its range, then the noise of the level. The
    ``source_repeat`` class adds a second claim by the same outlet (its own noise).
    Links to an Airwars incident page are withheld (they name the incident).
register
    About ``REGISTERED_SHARE`` of the incidents are registered (``raw_incidents`` with the
    archive's clean values, and ``raw_incident_belligerents``); the others exist only
    through their claims. Of the registered incidents, about ``ASSESSOR_LINKED_SHARE``
    have an assessor's link on their earliest-reported claims (``ASSESSOR_LINKED_CLAIMS``
    of them, at least one): the rest of their claims, and every claim of the other
    incidents, are left for the linker. Incidents whose archive code repeats are never
    registered; a hard negative's code is its incident's code with a letter suffix.

Determinism: every draw comes from a generator seeded by the seed and what it decides
(a day, an incident, a claim, a class), never from a shared stream, so the same seed
writes identical Parquet files, and the levels of one seed share their incidents,
claims and registrations and differ only in noise (a claim's noise at ``hard`` includes
its noise at ``realistic``). Claim ids ``SIM-<n>`` are numbered in a seeded shuffled order.

truth.parquet columns: claim_id; true_incident_id (the archive's airwars_id, or
``HN<n>-<airwars_id>`` for a hard negative); incident_code (the archive code, or the hard
negative's code); registered_code (the code in raw_incidents, null when unregistered);
is_registered; is_assessor_linked (this claim carries the assessor's link);
noise_classes (the classes that changed the claim, ';'-separated, empty when none);
is_hard_negative and hard_negative_kind (the claim's incident is a hard negative),
hard_negative_of (the incident it shadows); source_id; governorate (canonical); true_date;
true_grade (the archive's grade, lower case; null when blank or not one grade).

The output is SYNTHETIC: ``raw_dataset`` says so, and its description says which parts
are real. The claims carry the archive's real source names and links, which are not
licensed for redistribution, so ``out`` must be git-ignored when it lies in the checkout.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import re
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from civcas import __version__
from civcas.archive import (
    CENTCOM,
    CREDIT,
    DUTCH,
    INCIDENTS,
    LICENCE,
    SOURCES,
    InputFile,
    InputSpec,
    _check_against_contract,
    _source_reference,
    _to_arrow,
    build_declared_strikes,
    build_sources,
    check_output_folder,
    governorate_as_written,
    read_input,
    source_id_for,
)
from civcas.intake_noise import (
    BELLIGERENT_KEYS,
    JITTER_KM,
    LEVELS,
    NOISE_RATES,
    SOURCE_REPEAT,
    Claim,
    apply_noise,
    canonical_governorate,
    distance_km,
    hits,
    move_point,
)
from civcas.output_folders import folder_mode, swap_into_place
from civcas.raw_contract import load_raw_contract

DATASET_ID = "airwars-intake-simulation"
DATASET_NAME = "Airwars intake simulation: Syria"
GENERATED_BY = f"civcas.simulate {__version__}"
MANIFEST_NAME = "_simulation_manifest.json"
RAW_DIR = "raw"
TRUTH_FILE = "truth.parquet"
DEFAULT_SEED = 4
DEFAULT_LEVEL = "realistic"
DEFAULT_INCIDENTS = 1000

MAX_CLAIMS_PER_INCIDENT = 6
REGISTERED_SHARE = 0.5
ASSESSOR_LINKED_SHARE = 0.5
ASSESSOR_LINKED_CLAIMS = 0.6
HARD_NEGATIVE_SHARE = 0.15
HARD_NEGATIVE_KINDS = ("busy_day_same_city", "same_day_nearby_place", "same_day_same_town", "next_day_same_place")
BUSY_DAY_INCIDENTS = 2          # incidents in one governorate on one day that make it busy
NEARBY_PLACE_KM = (2.0, 10.0)   # a neighbouring place of the archive, this far away
SYRIA_BOUNDS = (32.3, 37.4, 35.6, 42.5)  # latitude min, max, longitude min, max

GRADES = ("confirmed", "fair", "weak", "contested", "discounted")
GRADE_ALIASES = {"disproved": "discounted", "disproven": "discounted"}
NO_GRADE = frozenset({"", "contested, discounted"})
INCIDENT_PAGE = re.compile(r"airwars\.org/civilian-casualties/", re.IGNORECASE)

SIM_INCIDENTS = InputSpec(INCIDENTS.role, INCIDENTS.filename, (*INCIDENTS.columns, "location_ar"))
TRUTH_SCHEMA = pa.schema([
    ("claim_id", pa.string()),
    ("true_incident_id", pa.string()),
    ("incident_code", pa.string()),
    ("registered_code", pa.string()),
    ("is_registered", pa.bool_()),
    ("is_assessor_linked", pa.bool_()),
    ("noise_classes", pa.string()),
    ("is_hard_negative", pa.bool_()),
    ("hard_negative_kind", pa.string()),
    ("hard_negative_of", pa.string()),
    ("source_id", pa.string()),
    ("governorate", pa.string()),
    ("true_date", pa.date32()),
    ("true_grade", pa.string()),
])

Progress = Callable[[str], None]


class SimulationError(ValueError):
    """An input or an option the simulator cannot use."""


@dataclass
class SimulationResult:
    """What a simulation wrote."""

    out: Path
    level: str
    rows: dict[str, int]
    incidents: int
    claims: int
    noise: dict[str, int]
    facts: dict[str, int]
    elapsed: float
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Incident:
    """One true incident: an archive incident, or a hard negative made from one."""

    key: str
    code: str
    date: dt.date
    place: str
    place_arabic: str
    governorate: str
    governorate_key: str | None
    latitude: float | None
    longitude: float | None
    precision: str
    belligerents: str
    killed: tuple[int | None, int | None]
    injured: tuple[int | None, int | None]
    grade: str | None
    civilian_harm_reported: str
    first_published: str
    previous_codes: str
    sources: tuple[int, ...]
    hard_negative_kind: str | None = None
    hard_negative_of: str | None = None


# --------------------------------------------------------------------------- small helpers


def seeded(seed: int, *parts: object) -> random.Random:
    """A generator for one decision, seeded by the seed and what it decides."""
    return random.Random("civcas-simulate:" + ":".join(str(p) for p in (seed, *parts)))


def true_grade(grading: str) -> str | None:
    """The archive's grading as a lower-case grade id; None when blank or not one grade."""
    key = re.sub(r"\s+", " ", grading).strip().lower()
    if key in NO_GRADE:
        return None
    key = GRADE_ALIASES.get(key, key)
    if key not in GRADES:
        raise SimulationError(f"unknown Airwars grading {grading!r}; expected one of {', '.join(GRADES)}")
    return key


def _whole_number(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def draw_figure(low: int | None, high: int | None, rng: random.Random) -> int | None:
    """A figure within the range; the known bound when only one is known; None when unknown."""
    if low is None and high is None:
        return None
    low = high if low is None else low
    high = low if high is None else high
    return rng.randint(min(low, high), max(low, high))


def _coordinate(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _in_syria(lat: float, lon: float) -> bool:
    south, north, west, east = SYRIA_BOUNDS
    return south <= lat <= north and west <= lon <= east


def _numeric_key(text: str) -> tuple[int, int | str]:
    return (0, int(text)) if text.isdigit() else (1, text)


def _subset(src: InputFile, rows: Sequence[int]) -> InputFile:
    columns = {name: [values[r] for r in rows] for name, values in src.columns.items()}
    return InputFile(src.spec, src.path, columns, len(rows), src.sha256, src.size)


# --------------------------------------------------------------------------- incidents


def eligible_incident(inc: InputFile, i: int, sources: Sequence[int]) -> Incident | None:
    """The archive incident at row i as an Incident, or None when the simulator leaves it out."""
    if not sources or inc["date_type"][i] != "date":
        return None
    try:
        date = dt.date.fromisoformat(inc["incident_date"][i])
    except ValueError:
        return None
    governorate = governorate_as_written(inc["region"][i], inc["governorate"][i], inc["province"][i])
    key = canonical_governorate(governorate) if governorate.strip() else None
    if governorate.strip() and key is None:
        return None
    lat_text, lon_text, precision = inc["latitude"][i], inc["longitude"][i], inc["geolocation_accuracy"][i]
    lat, lon = _coordinate(lat_text), _coordinate(lon_text)
    if lat_text or lon_text:
        if lat is None or lon is None or not _in_syria(lat, lon) or (precision and precision not in JITTER_KM):
            return None
    else:
        precision = ""
    belligerents = inc["belligerents"][i]
    if any(n.strip().lower() not in BELLIGERENT_KEYS for n in belligerents.split(",") if belligerents.strip()):
        return None
    return Incident(
        key=inc["airwars_id"][i], code=inc["code"][i], date=date, place=inc["location_en"][i],
        place_arabic=inc["location_ar"][i], governorate=governorate, governorate_key=key,
        latitude=lat, longitude=lon, precision=precision, belligerents=belligerents,
        killed=(_whole_number(inc["civilians_killed_min"][i]), _whole_number(inc["civilians_killed_max"][i])),
        injured=(_whole_number(inc["civilians_injured_min"][i]), _whole_number(inc["civilians_injured_max"][i])),
        grade=true_grade(inc["grading"][i]), civilian_harm_reported=inc["civilian_harm_reported"][i],
        first_published=inc["first_published"][i], previous_codes=inc["previous_codes"][i],
        sources=tuple(sources),
    )


def choose_days(incidents: Sequence[Incident], wanted: int, seed: int) -> list[Incident]:
    """Whole days, drawn in a seeded order, until at least `wanted` incidents are chosen."""
    by_day: dict[dt.date, list[Incident]] = defaultdict(list)
    for incident in incidents:
        by_day[incident.date].append(incident)
    days = sorted(by_day)
    seeded(seed, "days").shuffle(days)
    chosen: list[Incident] = []
    for day in days:
        if len(chosen) >= wanted:
            break
        chosen.extend(by_day[day])
    return sorted(chosen, key=lambda inc: (inc.date, _numeric_key(inc.key)))


class PlaceIndex:
    """Archive places with a point, on a 0.1 degree grid, to find a neighbouring place."""

    CELL = 0.1

    def __init__(self, places: Sequence[tuple[str, str, float, float]]) -> None:
        self.grid: dict[tuple[int, int], list[tuple[str, str, float, float]]] = defaultdict(list)
        for place in sorted(set(places)):
            self.grid[self._cell(place[2], place[3])].append(place)

    def _cell(self, lat: float, lon: float) -> tuple[int, int]:
        return math.floor(lat / self.CELL), math.floor(lon / self.CELL)

    def near(self, name: str, lat: float, lon: float, low_km: float, high_km: float
             ) -> list[tuple[str, str, float, float]]:
        """Places named otherwise, between low_km and high_km from (lat, lon), in a stable order."""
        row, col = self._cell(lat, lon)
        found = []
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                for place in self.grid.get((row + dr, col + dc), ()):
                    if place[0].strip().lower() != name.strip().lower() and \
                            low_km <= distance_km(lat, lon, place[2], place[3]) <= high_km:
                        found.append(place)
        return found


def _other_figures(incident: Incident, rng: random.Random) -> dict:
    killed = rng.randint(0, 6)
    injured = rng.choice((None, rng.randint(0, 10)))
    return {"killed": (killed, killed + rng.randint(0, 2)), "injured": (injured, injured)}


def hard_negative(base: Incident, kind: str, n: int, places: PlaceIndex, busy: bool, seed: int
                  ) -> Incident | None:
    """A distinct incident of `kind` that shadows `base`; None when `base` cannot have one."""
    rng = seeded(seed, "hard-negative", base.key, kind)
    if base.latitude is None and kind != "next_day_same_place":
        return None
    values: dict = {"key": f"HN{n}-{base.key}", "hard_negative_kind": kind, "hard_negative_of": base.key,
                    "grade": None, **_other_figures(base, rng)}
    if kind == "busy_day_same_city":
        if not busy:
            return None
        lat, lon = move_point(base.latitude, base.longitude, rng.uniform(2, 6), rng.uniform(0, 2 * math.pi))
        city = base.place.split(",")[-1].strip() or base.place
        values.update(latitude=lat, longitude=lon, place=city, place_arabic="", precision="city")
    elif kind == "same_day_nearby_place":
        nearby = places.near(base.place, base.latitude, base.longitude, *NEARBY_PLACE_KM)
        if not nearby:
            return None
        name, arabic, lat, lon = rng.choice(nearby)
        values.update(latitude=lat, longitude=lon, place=name, place_arabic=arabic, precision="village")
    elif kind == "same_day_same_town":
        lat, lon = move_point(base.latitude, base.longitude, rng.uniform(1, 4), rng.uniform(0, 2 * math.pi))
        values.update(latitude=lat, longitude=lon, precision="neighbourhood_area")
    elif kind == "next_day_same_place":
        values.update(date=base.date + dt.timedelta(days=1))
    else:
        raise SimulationError(f"unknown hard-negative kind {kind!r}")
    incident = replace(base, **values)
    if incident.first_published and incident.first_published < incident.date.isoformat():
        incident = replace(incident, first_published=incident.date.isoformat())
    return incident


def add_hard_negatives(chosen: Sequence[Incident], places: PlaceIndex, seed: int) -> list[Incident]:
    """One hard negative for about HARD_NEGATIVE_SHARE of the chosen incidents, the kinds taken in turn
    (each from the first incident, in a seeded order, that can have one of that kind)."""
    per_day_governorate = Counter((inc.date, inc.governorate_key) for inc in chosen)
    order = list(chosen)
    seeded(seed, "hard-negative-order").shuffle(order)
    wanted = round(HARD_NEGATIVE_SHARE * len(chosen))
    made: list[Incident] = []
    used: set[str] = set()
    exhausted: set[str] = set()
    turn = 0
    while len(made) < wanted and len(exhausted) < len(HARD_NEGATIVE_KINDS):
        kind = HARD_NEGATIVE_KINDS[turn % len(HARD_NEGATIVE_KINDS)]
        turn += 1
        if kind in exhausted:
            continue
        for base in order:
            if base.key in used:
                continue
            busy = per_day_governorate[(base.date, base.governorate_key)] >= BUSY_DAY_INCIDENTS
            incident = hard_negative(base, kind, len(made) + 1, places, busy, seed)
            if incident is not None:
                made.append(incident)
                used.add(base.key)
                break
        else:
            exhausted.add(kind)
    return made


def _suffixed_code(code: str, taken: set[str]) -> str:
    for letter in "bcdefghijklmnopqrstuvwxyz":
        if f"{code}{letter}" not in taken:
            taken.add(f"{code}{letter}")
            return f"{code}{letter}"
    raise SimulationError(f"no free letter suffix for incident code {code}")


# --------------------------------------------------------------------------- claims


@dataclass
class SimulatedClaim:
    raw: dict[str, str]
    truth: dict[str, object]
    reported: str
    source_row: int


def base_claim(incident: Incident, rng: random.Random) -> Claim:
    """The claim as the incident records it, before any noise."""
    killed = draw_figure(*incident.killed, rng)
    injured = draw_figure(*incident.injured, rng)
    date = incident.date.isoformat()
    return Claim(
        incident_date=date, date_reported=date, place=incident.place, governorate=incident.governorate,
        latitude=incident.latitude, longitude=incident.longitude, precision=incident.precision,
        belligerents=incident.belligerents, killed_min=killed, killed_max=killed, injured_min=injured,
        injured_max=injured, true_date=incident.date, place_arabic=incident.place_arabic,
        governorate_key=incident.governorate_key,
    )


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _coordinate_text(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}"


def _url(url: str) -> str:
    return "" if url and INCIDENT_PAGE.search(url) else url


def claims_of(incident: Incident, src: InputFile, level: str, seed: int) -> list[SimulatedClaim]:
    """The claims of one incident at `level`, unlinked (the register decides links later)."""
    rng = seeded(seed, "claims", incident.key)
    count = min(len(incident.sources), rng.randint(1, MAX_CLAIMS_PER_INCIDENT))
    rows = sorted(rng.sample(list(incident.sources), count),
                  key=lambda j: (_numeric_key(src["source_order"][j]), j))
    keys = [(f"{incident.key}/{j}", j) for j in rows]
    keys += [(f"{key}/repeat", j) for key, j in keys if SOURCE_REPEAT in hits(seed, key, level)]
    made = []
    for key, j in keys:
        claim = base_claim(incident, seeded(seed, "figures", key))
        if key.endswith("/repeat"):
            claim = replace(claim, classes=(SOURCE_REPEAT,))
        claim = apply_noise(claim, seed, key, level)
        made.append(_to_rows(incident, claim, src, j))
    return made


def _to_rows(incident: Incident, claim: Claim, src: InputFile, j: int) -> SimulatedClaim:
    source_id = source_id_for(src["source_name"][j])
    raw = {
        "claim_id": "",
        "source_id": source_id,
        "date_reported": claim.date_reported,
        "incident_date": claim.incident_date,
        "incident_date_start": "",
        "incident_date_end": "",
        "place_as_written": claim.place,
        "governorate_as_written": claim.governorate,
        "country_as_written": "Syria",
        "latitude": _coordinate_text(claim.latitude),
        "longitude": _coordinate_text(claim.longitude),
        "geolocation_precision": claim.precision if claim.latitude is not None else "",
        "belligerents_as_written": claim.belligerents,
        "civilians_killed_min": _number(claim.killed_min),
        "civilians_killed_max": _number(claim.killed_max),
        "civilians_injured_min": _number(claim.injured_min),
        "civilians_injured_max": _number(claim.injured_max),
        "report_url": _url(src["source_url"][j]),
        "archive_url": _url(src["archive_url"][j]),
        "incident_code": "",
    }
    truth = {
        "true_incident_id": incident.key,
        "incident_code": (incident.code or None) if incident.hard_negative_kind is None else None,
        "registered_code": None,
        "is_registered": False,
        "is_assessor_linked": False,
        "noise_classes": ";".join(claim.classes),
        "is_hard_negative": incident.hard_negative_kind is not None,
        "hard_negative_kind": incident.hard_negative_kind,
        "hard_negative_of": incident.hard_negative_of,
        "source_id": source_id,
        "governorate": incident.governorate_key,
        "true_date": incident.date,
        "true_grade": incident.grade,
    }
    return SimulatedClaim(raw, truth, claim.date_reported, j)


# --------------------------------------------------------------------------- the register


@dataclass
class Register:
    incidents: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    belligerents: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, incident: Incident, code: str) -> None:
        row = {
            "incident_code": code, "previous_codes": incident.previous_codes if not incident.hard_negative_kind
            else "", "incident_date": incident.date.isoformat(), "incident_date_end": "", "date_precision": "date",
            "place_as_written": incident.place, "governorate_as_written": incident.governorate,
            "country_as_written": "Syria", "latitude": _coordinate_text(incident.latitude),
            "longitude": _coordinate_text(incident.longitude),
            "geolocation_precision": incident.precision if incident.latitude is not None else "",
            "civilian_harm_reported": incident.civilian_harm_reported, "first_published": incident.first_published,
        }
        for column, value in row.items():
            self.incidents[column].append(value)
        if incident.belligerents.strip():
            self.belligerents["incident_code"].append(code)
            self.belligerents["belligerent_as_written"].append(incident.belligerents)
            self.belligerents["attribution_type"].append("")


def register(incidents: Sequence[Incident], claims: Mapping[str, list[SimulatedClaim]], repeated_codes: set[str],
             taken_codes: set[str], seed: int) -> Register:
    """Register about half the incidents; give about half of those an assessor's link on their earliest claims."""
    book = Register()
    for incident in incidents:
        rng = seeded(seed, "register", incident.key)
        registered, linked = rng.random() < REGISTERED_SHARE, rng.random() < ASSESSOR_LINKED_SHARE
        if not registered or (not incident.hard_negative_kind and incident.code in repeated_codes):
            continue
        code = incident.code if not incident.hard_negative_kind else _suffixed_code(incident.code, taken_codes)
        book.add(incident, code)
        own = claims[incident.key]
        for claim in own:
            claim.truth.update(registered_code=code, is_registered=True, incident_code=code)
        if linked:
            earliest = sorted(own, key=lambda c: (c.reported, c.truth["source_id"], c.raw["place_as_written"]))
            for claim in earliest[:max(1, math.floor(ASSESSOR_LINKED_CLAIMS * len(own)))]:
                claim.raw["incident_code"] = code
                claim.truth["is_assessor_linked"] = True
    return book


# --------------------------------------------------------------------------- entry point


def simulate_intake(
    archive: Path,
    out: Path,
    project_dir: Path,
    *,
    level: str = DEFAULT_LEVEL,
    seed: int = DEFAULT_SEED,
    incidents: int = DEFAULT_INCIDENTS,
    centcom: Path | None = None,
    dutch: Path | None = None,
    progress: Progress | None = None,
) -> SimulationResult:
    """Read the archive, simulate the intake at `level`, and write `out` atomically."""
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    say = progress or (lambda _message: None)
    archive, out, project_dir = Path(archive), Path(out), Path(project_dir)
    if level not in LEVELS:
        raise SimulationError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    if incidents < 1:
        raise SimulationError(f"--incidents must be at least 1, not {incidents}")
    contract = load_raw_contract(project_dir)
    check_output_folder(out, project_dir, MANIFEST_NAME, "simulation",
                        "the simulated claims carry the archive's sources, which are")

    inc = read_input(archive, SIM_INCIDENTS)
    src = read_input(archive, SOURCES)
    strikes_centcom = read_input(Path(centcom), CENTCOM) if centcom is not None else None
    strikes_dutch = read_input(Path(dutch), DUTCH) if dutch is not None else None
    inputs = [f for f in (inc, src, strikes_centcom, strikes_dutch) if f is not None]
    say(f"simulate-intake: read {', '.join(f'{f.path.name} ({f.rows:,} rows)' for f in inputs)}")

    sources_of: dict[str, list[int]] = defaultdict(list)
    for j, aid in enumerate(src["airwars_id"]):
        sources_of[aid].append(j)
    eligible = [e for i in range(inc.rows)
                if (e := eligible_incident(inc, i, sources_of.get(inc["airwars_id"][i], []))) is not None]
    chosen = choose_days(eligible, incidents, seed)
    places = PlaceIndex([(inc["location_en"][i], inc["location_ar"][i], lat, lon) for i in range(inc.rows)
                         if inc["location_en"][i].strip()
                         and (lat := _coordinate(inc["latitude"][i])) is not None
                         and (lon := _coordinate(inc["longitude"][i])) is not None and _in_syria(lat, lon)])
    negatives = add_hard_negatives(chosen, places, seed)
    everything = [*chosen, *negatives]
    say(f"simulate-intake: {len(eligible):,} eligible incidents; {len(chosen):,} chosen on whole days, "
        f"{len(negatives):,} hard negatives; level {level}")

    claims = {incident.key: claims_of(incident, src, level, seed) for incident in everything}
    code_counts = Counter(inc["code"])
    book = register(everything, claims, {c for c, n in code_counts.items() if n > 1}, set(code_counts), seed)
    flat = [claim for incident in everything for claim in claims[incident.key]]
    numbers = list(range(1, len(flat) + 1))
    seeded(seed, "claim-ids").shuffle(numbers)
    width = max(6, len(str(len(flat))))
    for claim, number in zip(flat, numbers, strict=False):
        claim.raw["claim_id"] = claim.truth["claim_id"] = f"SIM-{number:0{width}d}"
    flat.sort(key=lambda c: c.raw["claim_id"])

    noise = Counter(name for c in flat for name in str(c.truth["noise_classes"]).split(";") if name)
    source_rows = sorted({c.source_row for c in flat})
    registry_src = _subset(src, source_rows)
    tables = {
        "raw_claims": {name: [c.raw[name] for c in flat] for name in flat[0].raw} if flat else {},
        "raw_sources": build_sources(registry_src, [source_id_for(n) for n in registry_src["source_name"]]),
        "raw_incidents": dict(book.incidents),
        "raw_incident_belligerents": dict(book.belligerents),
        "raw_declared_strikes": build_declared_strikes(strikes_centcom, strikes_dutch),
    }
    counts = {t: (len(next(iter(c.values()))) if c else 0) for t, c in tables.items()}
    facts = {
        "incidents_eligible": len(eligible),
        "incidents_chosen": len(chosen),
        "hard_negatives": len(negatives),
        **{f"hard_negatives_{kind}": sum(1 for n in negatives if n.hard_negative_kind == kind)
           for kind in HARD_NEGATIVE_KINDS},
        "incidents_registered": counts["raw_incidents"],
        "claims": len(flat),
        "claims_of_registered_incidents": sum(1 for c in flat if c.truth["is_registered"]),
        "claims_assessor_linked": sum(1 for c in flat if c.truth["is_assessor_linked"]),
        "claims_with_noise": sum(1 for c in flat if c.truth["noise_classes"]),
        "days": len({inc.date for inc in chosen}),
    }
    tables["raw_dataset"] = {
        "dataset_id": [DATASET_ID],
        "dataset_name": [DATASET_NAME],
        "is_synthetic": ["true"],
        "description": [_description(len(chosen), len(negatives), len(flat), counts, level, seed,
                                     strikes_centcom, strikes_dutch)],
        "generated_by": [GENERATED_BY],
        "generator_seed": [str(seed)],
        "source_reference": [_source_reference(archive, centcom, dutch)],
        # claims made up from real Airwars incidents: the archive's terms and credit hold
        "licence": [LICENCE],
        "may_redistribute": ["false"],
        "credit": [f"{CREDIT}; claims made up from it by civcas (synthetic)"],
    }
    counts["raw_dataset"] = 1
    warnings = [w.replace("archive import", "intake simulation")
                for w in _check_against_contract(tables, contract,
                                                 str(project_dir / "seeds" / "raw" / "_raw__seeds.yml"))]
    truth = pa.Table.from_pylist([c.truth for c in flat], schema=TRUTH_SCHEMA)

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.simulating-", dir=out.parent))
    try:
        staging.chmod(folder_mode())
        (staging / RAW_DIR).mkdir()
        rows: dict[str, int] = {}
        for table, columns in contract.items():
            n = counts.get(table, 0)
            pq.write_table(_to_arrow(tables.get(table, {}), columns, n), staging / RAW_DIR / f"{table}.parquet")
            rows[table] = n
        pq.write_table(truth, staging / TRUTH_FILE)
        elapsed = time.perf_counter() - started
        manifest = {
            "dataset_id": DATASET_ID,
            "generated_by": GENERATED_BY,
            "is_synthetic": True,
            "level": level,
            "seed": seed,
            "incidents_wanted": incidents,
            "started_at": started_at,
            "elapsed_seconds": round(elapsed, 3),
            "raw_folder": RAW_DIR,
            "tables": {t: {"file": f"{RAW_DIR}/{t}.parquet", "rows": n} for t, n in rows.items()},
            "truth": {"file": TRUTH_FILE, "rows": truth.num_rows},
            "inputs": [
                {"role": f.spec.role, "path": str(f.path), "bytes": f.size, "rows": f.rows, "sha256": f.sha256}
                for f in inputs
            ],
            "noise_rates": {name: rates[level] for name, rates in NOISE_RATES.items()},
            "shares": {"registered": REGISTERED_SHARE, "assessor_linked": ASSESSOR_LINKED_SHARE,
                       "assessor_linked_claims": ASSESSOR_LINKED_CLAIMS, "hard_negatives": HARD_NEGATIVE_SHARE,
                       "max_claims_per_incident": MAX_CLAIMS_PER_INCIDENT},
            "noise": dict(sorted(noise.items())),
            "facts": facts,
            "warnings": warnings,
        }
        (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
        swap_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return SimulationResult(out=out, level=level, rows=rows, incidents=len(everything), claims=len(flat),
                            noise=dict(sorted(noise.items())), facts=facts, elapsed=time.perf_counter() - started,
                            warnings=warnings)


def _description(incidents: int, negatives: int, claims: int, counts: Mapping[str, int], level: str, seed: int,
                 centcom: InputFile | None, dutch: InputFile | None) -> str:
    parts = [
        (f"SYNTHETIC INTAKE (level {level}, seed {seed}) made from REAL incidents: {claims:,} simulated claims about "
        f"{incidents:,} real Airwars civilian-harm incidents in Syria (airwars.org; credit Airwars) and "
        f"{negatives:,} invented hard-negative incidents made from them, citing {counts['raw_sources']:,} real "
        "source names."),
        ("The claims are not claims as logged: their dates, places, points, blame and figures were simulated with "
        "the error classes of civcas.intake_noise, and the register (raw_incidents) holds about half of the "
        "incidents. The true incident of each claim is kept apart, in truth.parquet beside this folder. "
        "Do not cite these claims as data."),
        ("Derived from the Airwars archive, which is NOT licensed for redistribution: use inside the project "
        "only; never commit or publish it."),
    ]
    if centcom is not None:
        parts.append(f"Declared strikes: {centcom.rows:,} CENTCOM / CJTF-OIR release lines (public domain), real.")
    if dutch is not None:
        parts.append(f"Declared strikes: {dutch.rows:,} Dutch F-16 weapon releases (Dutch Ministry of Defence), real.")
    return " ".join(parts)
