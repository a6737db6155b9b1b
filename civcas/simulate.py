"""Simulated intake claims from the real Airwars Syria archive (``civcas simulate-intake``).

The linking and grading of issue 4 need a test bed with a known answer. This
module turns every real Airwars incident that has parsed sources (``sources.csv``
rows; in this archive exactly the incidents with ``n_sources_parsed > 0``,
mostly from 2018 on) into the intake a monitor would have logged: one claim per
source row, with NO incident code, and with the incident's date, place,
coordinates, belligerents and figures copied onto the claim with realistic
noise. The answer (which incident each claim belongs to, and the incident's
Airwars grading) is written apart from the claims::

    <out>/raw/<table>.parquet      every table of the raw contract, every column a string
    <out>/truth.parquet            one row per claim: its true incident and grade
    <out>/_simulation_manifest.json  row counts, inputs and their SHA-256, noise counts, time taken

dbt reads the raw folder like an archive import:
``--vars '{civcas_raw_source: files, civcas_raw_path: <out>/raw}'``.

Determinism: every noise draw comes from one ``random.Random(seed)``, consumed in
a fixed order (incidents by numeric ``airwars_id``, then their sources by
``source_order`` and file position) and a fixed number of draws per claim, so a
claim's noise does not depend on which branch an earlier claim took, and
``--limit-incidents N`` (the first N incidents by airwars_id) gives those
incidents' claims the same noise as a full run. Claim ids ``SIM-<n>`` are
numbered in an order shuffled by a second generator seeded from the seed, so
that neither the id nor the row order (rows are sorted by claim_id) groups the
claims of one incident. Nothing reads the clock except the manifest's timing,
so one seed writes Parquet files with identical bytes.

Noise, per claim (rates are probabilities per claim):

incident date
    Copied from the incident; for 15% shifted by one day, earlier or later
    (never more). A ``date_range`` incident gives ``incident_date_start`` /
    ``incident_date_end`` (both shifted by the same day; the end stays empty
    when the archive gives none) and a null ``incident_date``, as the archive
    importer maps it.
date_reported
    The true incident date (the end of a range) plus 0 to 3 days, but never
    before the claim's own (shifted) incident date: the warehouse rightly
    quarantines a claim reported before the incident it describes.
place_as_written
    The incident's ``location_en``; for 20% an alias spelling: when the name is
    a known alias in ``seeds/reference/ref_place_aliases.csv`` (compared as dbt
    does: whitespace collapsed, lower case), another alias of the same place_id;
    otherwise a variant form (drop or swap a leading "Al " / "Al-", add "Al-",
    lower or upper case).
governorate_as_written, country_as_written
    As the archive importer maps them (``region``, else ``governorate``, else
    ``province``; ``country``), as written, without noise.
latitude, longitude, geolocation_precision
    The incident's point moved in a random direction by a distance drawn
    uniformly over a disc whose radius follows ``geolocation_accuracy``
    (:data:`JITTER_KM`): exact, within 100 m, street, nearby landmark 0.1 km,
    neighbourhood 1 km, village 2 km, town 5 km, city 10 km; a point whose
    accuracy is not given 10 km (the coarsest point precision, so that a linker
    that trusts an unknown precision pays for it). Subdistrict, district and
    governorate points are area centroids, not locations: they are copied
    unjittered, exactly as written. The precision is copied as the archive
    writes it (``exact_location``, ``province_governorate``, ...). An incident
    without coordinates gives claims with no coordinates and no precision; a
    point that is not a valid latitude/longitude is copied as written.
    Jittered points are written with 6 decimals.
belligerents_as_written
    The incident's ``belligerents`` as written (e.g. ``Russian Military,
    Iranian Military``); for 5% ``unknown``; for 2% one different belligerent
    among Russian Military, U.S.-led Coalition and Turkish Military.
civilians_killed_min/max, civilians_injured_min/max
    One figure drawn uniformly within the incident's min..max range, written as
    min = max = that figure; when only one bound is known, that bound; when
    both are unknown, both null (unknown is not zero).
source_id, report_url, archive_url
    source_id as the importer derives it from the source name; the source's
    URLs as written, except a link to an Airwars incident page
    (``airwars.org/civilian-casualties/...``), which names the incident and is
    therefore withheld (null): the truth stays out of the claims.

The other raw tables: ``raw_sources`` is the importer's source registry built
from the simulated claims' source rows; ``raw_dataset`` names the simulation
(synthetic, with its seed); ``raw_declared_strikes`` is copied through from the
CENTCOM / Dutch releases when given, as the importer maps them; every other
table is written with its columns and no rows (the intake knows no incidents).

truth.parquet columns: claim_id; airwars_id (the true incident key: codes
repeat, e.g. TS631 and TS633); incident_code (the archive ``code``);
true_grade (confirmed, fair, weak, contested or discounted, lower case;
Disproved/Disproven read as discounted; null when the grading is blank or
``Contested, Discounted``); grading_as_written; belligerents (the incident's);
and what noise the claim got, for error analysis: date_shift_days (-1, 0, 1),
place_noise (none, alias, variant), belligerent_noise (none, unknown, swapped),
jitter_km (the distance the point was moved; null without coordinates).

The archive is not licensed for redistribution and the simulated claims carry
its real source names and links, so ``out`` must be git-ignored when it lies in
the checkout, exactly as for ``civcas import-archive``.
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
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from civcas import __version__
from civcas.archive import (
    CENTCOM,
    DUTCH,
    INCIDENTS,
    SOURCES,
    InputFile,
    InputSpec,
    _check_against_contract,
    _incident_index,
    _source_reference,
    _to_arrow,
    build_declared_strikes,
    build_sources,
    check_output_folder,
    governorate_as_written,
    read_input,
    source_id_for,
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
PLACE_ALIASES = Path("seeds") / "reference" / "ref_place_aliases.csv"

# Noise rates, per claim.
DATE_SHIFT_RATE = 0.15
PLACE_ALIAS_RATE = 0.20
BELLIGERENT_UNKNOWN_RATE = 0.05
BELLIGERENT_SWAP_RATE = 0.02
MAX_REPORT_LAG_DAYS = 3
UNKNOWN_BELLIGERENT = "unknown"
SWAP_BELLIGERENTS = ("Russian Military", "U.S.-led Coalition", "Turkish Military")

# Jitter radius (km) by the archive's geolocation_accuracy; None: an area centroid, copied unjittered.
JITTER_KM: dict[str, float | None] = {
    "exact_location": 0.1,
    "exact_location_other": 0.1,
    "exact_location_coalition": 0.1,
    "within_100m": 0.1,
    "street": 0.1,
    "nearby_landmark": 0.1,
    "neighbourhood_area": 1.0,
    "village": 2.0,
    "town": 5.0,
    "city": 10.0,
    "subdistrict": None,
    "district": None,
    "province_governorate": None,
}
# A point whose precision is not given: jittered like the coarsest point precision.
UNKNOWN_PRECISION_JITTER_KM = 10.0
EARTH_RADIUS_KM = 6371.0088

GRADES = ("confirmed", "fair", "weak", "contested", "discounted")
GRADE_ALIASES = {"disproved": "discounted", "disproven": "discounted"}
# Gradings that are not one grade: the truth has no grade for them.
NO_GRADE = frozenset({"", "contested, discounted"})

# An Airwars incident page names the incident: such a link would leak the truth into the claim.
INCIDENT_PAGE = re.compile(r"airwars\.org/civilian-casualties/", re.IGNORECASE)
ARTICLE = re.compile(r"^(al)([- ])\s*(?=\S)", re.IGNORECASE)

SIM_INCIDENTS = InputSpec(INCIDENTS.role, INCIDENTS.filename, (*INCIDENTS.columns, "n_sources_parsed"))
TRUTH_SCHEMA = pa.schema([
    ("claim_id", pa.string()),
    ("airwars_id", pa.string()),
    ("incident_code", pa.string()),
    ("true_grade", pa.string()),
    ("grading_as_written", pa.string()),
    ("belligerents", pa.string()),
    ("date_shift_days", pa.int8()),
    ("place_noise", pa.string()),
    ("belligerent_noise", pa.string()),
    ("jitter_km", pa.float64()),
])

Progress = Callable[[str], None]


class SimulationError(ValueError):
    """An input holds a value the simulator does not know how to treat."""


@dataclass
class SimulationResult:
    """What a simulation wrote."""

    out: Path
    rows: dict[str, int]
    incidents: int
    claims: int
    noise: dict[str, int]
    facts: dict[str, int]
    elapsed: float
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- noise helpers


def normalise_key(text: str) -> str:
    """The key dbt's alias look-ups compare: whitespace collapsed and trimmed, lower case."""
    return re.sub(r"\s+", " ", text).strip().lower()


def load_place_aliases(project_dir: Path) -> dict[str, list[str]]:
    """place_id -> its aliases, in file order, from seeds/reference/ref_place_aliases.csv."""
    import csv

    path = Path(project_dir) / PLACE_ALIASES
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows and not {"alias", "place_id"} <= set(rows[0]):
        raise SimulationError(f"{path}: expected columns alias, place_id")
    aliases: dict[str, list[str]] = {}
    for row in rows:
        if row["alias"] and row["place_id"]:
            aliases.setdefault(row["place_id"], []).append(row["alias"])
    return aliases


def place_variants(name: str) -> list[str]:
    """Other ways to write a place name that is not in the alias table, none equal to `name`."""
    variants = []
    article = ARTICLE.match(name)
    if article:
        rest = name[article.end():]
        other = "-" if article.group(2) == " " else " "
        variants += [rest, f"{article.group(1)}{other}{rest}"]
    else:
        variants.append(f"Al-{name}")
    variants += [name.lower(), name.upper()]
    seen: list[str] = []
    for variant in variants:
        if variant.strip() and variant != name and variant not in seen:
            seen.append(variant)
    return seen


def alias_spelling(name: str, alias_index: Mapping[str, str], aliases: Mapping[str, Sequence[str]],
                   draw: float) -> tuple[str, str]:
    """(another spelling of `name`, 'alias' or 'variant'); `draw` in [0, 1) picks among the options."""
    key = normalise_key(name)
    place_id = alias_index.get(key)
    if place_id is not None:
        others = [a for a in aliases[place_id] if normalise_key(a) != key]
        if others:
            return others[int(draw * len(others))], "alias"
    variants = place_variants(name)
    if not variants:  # only whitespace or punctuation-free oddities; keep as written
        return name, "none"
    return variants[int(draw * len(variants))], "variant"


def jitter_point(lat: float, lon: float, radius_km: float, u_distance: float, u_bearing: float
                 ) -> tuple[float, float, float]:
    """A point uniformly distributed over a disc of `radius_km` around (lat, lon), on the sphere.

    Returns (latitude, longitude, distance_km)."""
    distance = radius_km * math.sqrt(u_distance)
    if distance == 0:
        return lat, lon, 0.0
    delta = distance / EARTH_RADIUS_KM
    theta = 2 * math.pi * u_bearing
    phi1, lambda1 = math.radians(lat), math.radians(lon)
    phi2 = math.asin(math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta))
    lambda2 = lambda1 + math.atan2(math.sin(theta) * math.sin(delta) * math.cos(phi1),
                                   math.cos(delta) - math.sin(phi1) * math.sin(phi2))
    lon2 = (math.degrees(lambda2) + 540) % 360 - 180
    return math.degrees(phi2), lon2, distance


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def true_grade(grading: str) -> str | None:
    """The archive's grading as a lower-case grade id; None when blank or not one grade."""
    key = normalise_key(grading)
    if key in NO_GRADE:
        return None
    key = GRADE_ALIASES.get(key, key)
    if key not in GRADES:
        raise SimulationError(f"unknown Airwars grading {grading!r}; expected one of {', '.join(GRADES)}")
    return key


def _whole_number(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def draw_figure(low_text: str, high_text: str, draw: float) -> int | None:
    """A figure within the incident's range; the known bound when only one is known; None when unknown."""
    low, high = _whole_number(low_text), _whole_number(high_text)
    if low is None and high is None:
        return None
    low = high if low is None else low
    high = low if high is None else high
    low, high = min(low, high), max(low, high)
    return low + min(int(draw * (high - low + 1)), high - low)


def _coordinate(text: str, limit: float) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and -limit <= value <= limit else None


def _numeric_key(text: str) -> tuple[int, int | str]:
    return (0, int(text)) if text.isdigit() else (1, text)


# --------------------------------------------------------------------------- the claims


@dataclass
class _Claim:
    raw: dict[str, str]
    truth: dict[str, object]


class _Simulator:
    """Builds the claims of one incident after another, drawing from one generator."""

    def __init__(self, seed: int, aliases: Mapping[str, Sequence[str]]) -> None:
        self.rng = random.Random(seed)
        self.aliases = aliases
        self.alias_index = {normalise_key(a): pid for pid, names in aliases.items() for a in names}
        self.noise: Counter[str] = Counter()

    def claim(self, inc: InputFile, i: int, src: InputFile, j: int, governorate: str) -> _Claim:
        # Always 11 draws per claim, in this order, whatever branch is taken.
        rng = self.rng
        u_shift, u_sign, u_place, v_place, u_blame, v_blame, u_dist, u_bear, u_killed, u_injured, u_lag = (
            rng.random() for _ in range(11))

        shift = (-1 if u_sign < 0.5 else 1) if u_shift < DATE_SHIFT_RATE else 0
        dates = self._dates(inc, i, shift, u_lag)
        place, place_noise = self._place(inc["location_en"][i], u_place, v_place)
        blame, blame_noise = self._belligerents(inc["belligerents"][i], u_blame, v_blame)
        lat, lon, precision, jitter = self._point(inc, i, u_dist, u_bear)
        killed = draw_figure(inc["civilians_killed_min"][i], inc["civilians_killed_max"][i], u_killed)
        injured = draw_figure(inc["civilians_injured_min"][i], inc["civilians_injured_max"][i], u_injured)
        report_url, archive_url = (self._url(src["source_url"][j]), self._url(src["archive_url"][j]))

        if dates["shifted"]:
            self.noise[f"date_shifted_{'earlier' if shift < 0 else 'later'}"] += 1
        if place_noise != "none":
            self.noise[f"place_{place_noise}"] += 1
        if blame_noise != "none":
            self.noise[f"belligerent_{blame_noise}"] += 1
        raw = {
            "source_id": source_id_for(src["source_name"][j]),
            "date_reported": dates["reported"],
            "incident_date": dates["date"],
            "incident_date_start": dates["start"],
            "incident_date_end": dates["end"],
            "place_as_written": place,
            "governorate_as_written": governorate,
            "country_as_written": inc["country"][i],
            "latitude": lat,
            "longitude": lon,
            "geolocation_precision": precision,
            "belligerents_as_written": blame,
            "civilians_killed_min": "" if killed is None else str(killed),
            "civilians_killed_max": "" if killed is None else str(killed),
            "civilians_injured_min": "" if injured is None else str(injured),
            "civilians_injured_max": "" if injured is None else str(injured),
            "report_url": report_url,
            "archive_url": archive_url,
            "incident_code": "",
        }
        grading = inc["grading"][i]
        truth = {
            "airwars_id": inc["airwars_id"][i],
            "incident_code": inc["code"][i] or None,
            "true_grade": true_grade(grading),
            "grading_as_written": grading or None,
            "belligerents": inc["belligerents"][i] or None,
            "date_shift_days": shift if dates["shifted"] else 0,
            "place_noise": place_noise,
            "belligerent_noise": blame_noise,
            "jitter_km": jitter,
        }
        return _Claim(raw, truth)

    def _dates(self, inc: InputFile, i: int, shift: int, u_lag: float) -> dict:
        is_range = inc["date_type"][i] == "date_range"
        start_text, end_text = inc["incident_date"][i], inc["date_range_end"][i] if is_range else ""
        try:
            start = dt.date.fromisoformat(start_text)
            # A range without an end (5 incidents) keeps its end empty; it is reported after its start.
            end = dt.date.fromisoformat(end_text) if end_text else start
        except ValueError:
            # Not a date: copied as written, unshifted, with no date reported (none in the archive's
            # incidents with sources; counted so that a new archive version shows it).
            self.noise["date_copied_unparsed"] += 1
            return {"shifted": False, "date": "" if is_range else start_text, "start": start_text if is_range else "",
                    "end": end_text, "reported": ""}
        step = dt.timedelta(days=shift)
        claimed_start, claimed_end = start + step, end + step
        lag = min(int(u_lag * (MAX_REPORT_LAG_DAYS + 1)), MAX_REPORT_LAG_DAYS)
        reported = max(end + dt.timedelta(days=lag), claimed_end)
        return {
            "shifted": shift != 0,
            "date": "" if is_range else claimed_start.isoformat(),
            "start": claimed_start.isoformat() if is_range else "",
            "end": claimed_end.isoformat() if end_text else "",
            "reported": reported.isoformat(),
        }

    def _place(self, name: str, u: float, v: float) -> tuple[str, str]:
        if not name.strip() or u >= PLACE_ALIAS_RATE:
            return name, "none"
        return alias_spelling(name, self.alias_index, self.aliases, v)

    def _belligerents(self, written: str, u: float, v: float) -> tuple[str, str]:
        if u < BELLIGERENT_UNKNOWN_RATE:
            return UNKNOWN_BELLIGERENT, "unknown"
        if u < BELLIGERENT_UNKNOWN_RATE + BELLIGERENT_SWAP_RATE:
            named = {normalise_key(b) for b in written.split(",")}
            others = [b for b in SWAP_BELLIGERENTS if normalise_key(b) not in named]
            if not others:  # the incident already names all of them
                return UNKNOWN_BELLIGERENT, "unknown"
            return others[int(v * len(others))], "swapped"
        return written, "none"

    def _point(self, inc: InputFile, i: int, u_dist: float, u_bear: float
               ) -> tuple[str, str, str, float | None]:
        lat_text, lon_text = inc["latitude"][i], inc["longitude"][i]
        accuracy = inc["geolocation_accuracy"][i]
        if not lat_text and not lon_text:
            self.noise["coordinates_none"] += 1
            return "", "", "", None
        if accuracy and accuracy not in JITTER_KM:
            raise SimulationError(f"incident {inc['code'][i]} (airwars_id {inc['airwars_id'][i]}): unknown "
                                  f"geolocation_accuracy {accuracy!r}; add it to civcas.simulate.JITTER_KM")
        lat, lon = _coordinate(lat_text, 90), _coordinate(lon_text, 180)
        if lat is None or lon is None:
            self.noise["coordinates_invalid_copied"] += 1
            return lat_text, lon_text, accuracy, None
        radius = JITTER_KM[accuracy] if accuracy else UNKNOWN_PRECISION_JITTER_KM
        if radius is None:
            self.noise["coordinates_area_unjittered"] += 1
            return lat_text, lon_text, accuracy, 0.0
        new_lat, new_lon, moved = jitter_point(lat, lon, radius, u_dist, u_bear)
        self.noise["coordinates_jittered" if accuracy else "coordinates_jittered_unknown_precision"] += 1
        return f"{new_lat:.6f}", f"{new_lon:.6f}", accuracy, round(moved, 6)

    def _url(self, url: str) -> str:
        if url and INCIDENT_PAGE.search(url):
            self.noise["urls_withheld_incident_page"] += 1
            return ""
        return url


# --------------------------------------------------------------------------- entry point


def _subset(src: InputFile, rows: Sequence[int]) -> InputFile:
    """The source rows `rows` (in that order) as an InputFile, for the importer's builders."""
    columns = {name: [values[r] for r in rows] for name, values in src.columns.items()}
    return InputFile(src.spec, src.path, columns, len(rows), src.sha256, src.size)


def simulate_intake(
    archive: Path,
    out: Path,
    project_dir: Path,
    *,
    seed: int = DEFAULT_SEED,
    centcom: Path | None = None,
    dutch: Path | None = None,
    limit_incidents: int | None = None,
    progress: Progress | None = None,
) -> SimulationResult:
    """Read the archive, simulate the intake claims, and write `out` atomically."""
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    say = progress or (lambda _message: None)
    archive, out, project_dir = Path(archive), Path(out), Path(project_dir)
    if limit_incidents is not None and limit_incidents < 1:
        raise SimulationError(f"--limit-incidents must be at least 1, not {limit_incidents}")
    contract = load_raw_contract(project_dir)
    check_output_folder(out, project_dir, MANIFEST_NAME, "simulation",
                        "the simulated claims carry the archive's sources, which are")

    inc = read_input(archive, SIM_INCIDENTS)
    src = read_input(archive, SOURCES)
    strikes_centcom = read_input(Path(centcom), CENTCOM) if centcom is not None else None
    strikes_dutch = read_input(Path(dutch), DUTCH) if dutch is not None else None
    inputs = [f for f in (inc, src, strikes_centcom, strikes_dutch) if f is not None]
    say(f"simulate-intake: read {', '.join(f'{f.path.name} ({f.rows:,} rows)' for f in inputs)}")
    aliases = load_place_aliases(project_dir)

    index = _incident_index(inc)
    sources_of: dict[str, list[int]] = {}
    orphans = 0
    for j, aid in enumerate(src["airwars_id"]):
        if aid in index:
            sources_of.setdefault(aid, []).append(j)
        else:
            orphans += 1
    with_sources = sorted(sources_of, key=_numeric_key)
    parsed_count_disagrees = sum(
        1 for aid, i in index.items()
        if ((_whole_number(inc["n_sources_parsed"][i]) or 0) > 0) != (aid in sources_of)
    )
    chosen = with_sources if limit_incidents is None else with_sources[:limit_incidents]
    say(f"simulate-intake: {len(with_sources):,} of {inc.rows:,} incidents have parsed sources; "
        f"simulating {len(chosen):,}" + (f" (--limit-incidents {limit_incidents})" if limit_incidents else ""))

    sim = _Simulator(seed, aliases)
    claims: list[_Claim] = []
    source_rows: list[int] = []
    for n, aid in enumerate(chosen, 1):
        i = index[aid]
        governorate = governorate_as_written(inc["region"][i], inc["governorate"][i], inc["province"][i])
        rows = sorted(sources_of[aid], key=lambda j: (_numeric_key(src["source_order"][j]), j))
        for j in rows:
            claims.append(sim.claim(inc, i, src, j, governorate))
        source_rows.extend(rows)
        if n % 1000 == 0:
            say(f"simulate-intake: {n:,} incidents, {len(claims):,} claims")

    # Number the claims in a shuffled order so that ids do not group an incident's claims.
    numbers = list(range(1, len(claims) + 1))
    random.Random(f"civcas-simulate-claim-ids-{seed}").shuffle(numbers)
    width = max(6, len(str(len(claims))))
    for claim, number in zip(claims, numbers):
        claim.raw["claim_id"] = claim.truth["claim_id"] = f"SIM-{number:0{width}d}"
    claims.sort(key=lambda c: c.raw["claim_id"])

    claim_table = {name: [c.raw[name] for c in claims] for name in claims[0].raw} if claims else {}
    registry_src = _subset(src, sorted(set(source_rows)))
    tables = {
        "raw_claims": claim_table,
        "raw_sources": build_sources(registry_src, [source_id_for(n) for n in registry_src["source_name"]]),
        "raw_declared_strikes": build_declared_strikes(strikes_centcom, strikes_dutch),
    }
    counts = {t: (len(next(iter(c.values()))) if c else 0) for t, c in tables.items()}
    noise = dict(sorted(sim.noise.items()))
    tables["raw_dataset"] = {
        "dataset_id": [DATASET_ID],
        "dataset_name": [DATASET_NAME],
        "is_synthetic": ["true"],
        "description": [_description(len(chosen), len(claims), counts, seed, limit_incidents,
                                     strikes_centcom, strikes_dutch)],
        "generated_by": [GENERATED_BY],
        "generator_seed": [str(seed)],
        "source_reference": [_source_reference(archive, centcom, dutch)],
    }
    counts["raw_dataset"] = 1
    warnings = [w.replace("archive import", "intake simulation")
                for w in _check_against_contract(tables, contract,
                                                 str(project_dir / "seeds" / "raw" / "_raw__seeds.yml"))]
    facts = {
        "incidents_in_archive": inc.rows,
        "incidents_with_sources": len(with_sources),
        "incidents_simulated": len(chosen),
        "incidents_where_n_sources_parsed_disagrees_with_sources_csv": parsed_count_disagrees,
        "source_rows_without_incident": orphans,
        "claims": len(claims),
        "claims_with_true_grade": sum(1 for c in claims if c.truth["true_grade"] is not None),
        "incident_codes_repeated_among_simulated": sum(
            1 for n in Counter(inc["code"][index[a]] for a in chosen).values() if n > 1),
    }
    truth = pa.Table.from_pylist([c.truth for c in claims], schema=TRUTH_SCHEMA)

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
            say(f"simulate-intake: {RAW_DIR}/{table}.parquet {n:,} rows")
        pq.write_table(truth, staging / TRUTH_FILE)
        say(f"simulate-intake: {TRUTH_FILE} {truth.num_rows:,} rows")
        for warning in warnings:
            say(f"simulate-intake: note: {warning}")
        elapsed = time.perf_counter() - started
        manifest = {
            "dataset_id": DATASET_ID,
            "generated_by": GENERATED_BY,
            "seed": seed,
            "limit_incidents": limit_incidents,
            "started_at": started_at,
            "elapsed_seconds": round(elapsed, 3),
            "raw_folder": RAW_DIR,
            "tables": {t: {"file": f"{RAW_DIR}/{t}.parquet", "rows": n} for t, n in rows.items()},
            "truth": {"file": TRUTH_FILE, "rows": truth.num_rows},
            "inputs": [
                {"role": f.spec.role, "path": str(f.path), "bytes": f.size, "rows": f.rows, "sha256": f.sha256}
                for f in inputs
            ],
            "noise_rates": {
                "date_shift_one_day": DATE_SHIFT_RATE,
                "place_alias_or_variant": PLACE_ALIAS_RATE,
                "belligerent_unknown": BELLIGERENT_UNKNOWN_RATE,
                "belligerent_swapped": BELLIGERENT_SWAP_RATE,
                "report_lag_days": [0, MAX_REPORT_LAG_DAYS],
                "jitter_km": JITTER_KM,
                "jitter_km_unknown_precision": UNKNOWN_PRECISION_JITTER_KM,
            },
            "noise": noise,
            "facts": facts,
            "warnings": warnings,
        }
        (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
        swap_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return SimulationResult(out=out, rows=rows, incidents=len(chosen), claims=len(claims), noise=noise,
                            facts=facts, elapsed=time.perf_counter() - started, warnings=warnings)


def _description(incidents: int, claims: int, counts: Mapping[str, int], seed: int, limit: int | None,
                 centcom: InputFile | None, dutch: InputFile | None) -> str:
    parts = [
        "SIMULATED INTAKE CLAIMS made from REAL incidents: one claim per parsed source of "
        f"{incidents:,} real Airwars civilian-harm incidents in Syria (airwars.org; credit Airwars), "
        f"{claims:,} claims from {counts['raw_sources']:,} distinct source names.",
        "The incidents and their sources are real, but the claims are not claims as logged: their incident "
        "dates, place spellings, coordinates, blamed belligerents and casualty figures were simulated from "
        f"the incidents with random noise (civcas.simulate, seed {seed}), and their incident codes withheld. "
        "The true incident and grade of each claim are kept apart, in truth.parquet beside this folder. "
        "Do not cite these claims as data.",
        "Derived from the Airwars archive, which is NOT licensed for redistribution: use inside the project "
        "only; never commit or publish it.",
    ]
    if limit is not None:
        parts.append(f"Limited to the first {limit:,} incidents by airwars_id.")
    if centcom is not None:
        parts.append(f"Declared strikes: {centcom.rows:,} CENTCOM / CJTF-OIR release lines (public domain), real.")
    if dutch is not None:
        parts.append(f"Declared strikes: {dutch.rows:,} Dutch F-16 weapon releases (Dutch Ministry of Defence), real.")
    return " ".join(parts)
