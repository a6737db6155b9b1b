"""Import the real Airwars Syria archive into the raw contract (``civcas import-archive``).

Reads the Airwars incident archive for Syria (``incidents.csv``,
``belligerent_assessments.csv``, ``sources.csv``) and, when given, the parsed
CENTCOM / CJTF-OIR daily strike releases (``all-edited-refined.csv``) and the
Dutch F-16 strike database (``nl_oir_airstrikes_20230330.csv``, ``;``-delimited),
and writes one Parquet file per raw table of the contract
(``seeds/raw/_raw__seeds.yml``): ``<table>.parquet``, every column a string, the
columns exactly and in the order the contract declares.

The cardinal rule: the import never drops a row and never changes a value.
Every input CSV is parsed with Python's ``csv`` module, so every field is the
exact text between the delimiters (quotes removed as CSV prescribes); nothing is
trimmed, re-cased, re-formatted or fixed, and no "NA"-style strings are turned
into missing values. An empty field is written as null (the same as an empty
field in a raw seed CSV). A UTF-8 byte-order mark at the very start of a file is
dropped (it is an encoding marker, not part of the first column name). All
normalisation (aliases, date formats, Arabic dates, decimal commas, bad
coordinates, duplicate codes, odd grades) happens later in dbt.

A row of the wrong width, bytes that are not UTF-8, broken quoting, a missing
input file or a missing expected column stop the import with an ``ArchiveError``
naming the file (and the column or line). Nothing is written until every input
has been read and every table built; the tables are then written into a
temporary folder beside ``out`` and renamed into place, so a failed or
interrupted import never leaves a folder that looks complete, and the previous
``out`` stays as it was. ``out`` is replaced only when it is empty or holds a
previous import (it has ``_import_manifest.json``), and, when it lies inside the
project's git checkout, only when git ignores it: the archive is not licensed
for redistribution and must never be committed.

Mapping (one raw row per source row unless said otherwise). Every raw column
not named here is null. Values are copied as written unless a rule below says
the importer derives them:

raw_dataset
    One row. dataset_id ``airwars-syria-archive``, dataset_name ``Airwars
    incident archive: Syria``, is_synthetic ``false``, a description (real
    public data from Airwars, not licensed for redistribution, the row counts
    imported), generated_by ``civcas.archive <version>``, generator_seed null,
    source_reference: each input folder as given, followed by the origin
    repository and commit that its README.md names (when it names them).

raw_incidents (incidents.csv, every row, duplicate codes such as TS631 kept)
    incident_code=code, previous_codes, incident_date,
    incident_date_end=date_range_end, date_precision=date_type,
    place_as_written=location_en, country_as_written=country, latitude,
    longitude, geolocation_precision=geolocation_accuracy,
    civilian_harm_reported, first_published.
    *Derived*: governorate_as_written = ``region`` when non-empty, else
    ``governorate`` when non-empty, else ``province``. Airwars' ``region`` is
    its own governorate field and the most consistently filled; the other two
    are free-text admin areas. "Non-empty" means not the empty string; the
    chosen value is copied as written.

raw_incident_assessments (incidents.csv, every row)
    The incident's current Airwars grading as one entry of the assessment log.
    incident_code=code, grade=grading, strike_status, civilians_killed_min/max,
    civilians_injured_min/max, children_killed_min/max, women_killed_min/max.
    *Derived*: assessment_id = ``AW-<airwars_id>`` (airwars_id, the Airwars
    post id, is unique in incidents.csv; the import stops if it is not).
    assessed_on = ``last_updated``, or ``first_published`` when last_updated is
    empty (the grading is as of the page's last change). assessor_note =
    ``Airwars incident page <airwars_url>, incident_status <incident_status>``;
    a part whose value is empty is left out, and the note is null when both are.

raw_incident_belligerents (belligerent_assessments.csv, every row, the exact
duplicate rows in the file included; then incidents.csv, every row with a
non-empty ``belligerents``)
    From belligerent_assessments.csv: incident_code=code,
    belligerent_as_written=belligerent, attribution_type=belligerent_type.
    From incidents.csv: incident_code=code, belligerent_as_written=belligerents
    (the attributed international militaries, copied as written, e.g.
    ``Russian Military, U.S.-led Coalition``; dbt splits the list),
    attribution_type empty. *Derived selection*: some incidents' belligerent
    rows name only ``unknown`` or ``syrian_regime`` while the incident itself is
    attributed to the Russian Military (its campaign); without this row such an
    incident would not count for Russia at all.

raw_belligerent_statements (belligerent_assessments.csv, rows with a verdict)
    *Derived selection*: a row is a statement when belligerent_assessment is
    non-empty AND (it is not ``not_yet_assessed``, OR the belligerent is
    ``coalition``, ``united_states`` or ``united_kingdom``, OR any of
    statement_date, statement_source_url, civilian_deaths_conceded_min,
    civilian_deaths_conceded_max is non-empty). The archive fills
    ``not_yet_assessed`` for every belligerent by default, but only the
    Coalition publishes verdicts, so for the others that default is not a
    statement. The other rows stay in raw_incident_belligerents.
    *Derived*: statement_id = ``AW-<airwars_id>-<n>``, n being the 1-based
    position of the row among the data rows of belligerent_assessments.csv
    (the file has exact duplicate rows, so airwars_id and belligerent alone
    are not unique).
    incident_code=code, belligerent_as_written=belligerent,
    verdict=belligerent_assessment,
    deaths_conceded_min/max=civilian_deaths_conceded_min/max,
    injuries_conceded_min/max=civilian_injuries_conceded_min/max,
    statement_date (YYYYMMDD, kept), statement_url=statement_source_url.

raw_sources (sources.csv, one row per distinct exact source_name)
    The archive has no source registry, so the importer derives one: one row
    per distinct ``source_name`` string, compared exactly (``Step News`` and
    ``Step News Agency`` are two sources; the empty name is one source too,
    with a null source_name), in order of first appearance.
    *Derived*: source_id = ``AWS-`` + the first 12 hex digits of the SHA-1 of
    the source_name's UTF-8 bytes (stable across imports; the import stops if
    two names collide). source_handle = ``author`` and platform =
    ``platform_language`` of the first row (in file order) with that name.
    source_url, source_type and language are null (the archive does not type
    its sources; dbt infers the type from the platform). is_protected =
    ``false`` (everything in the archive was published by Airwars).

raw_claims (sources.csv, every row)
    Each source row is one claim about its incident. source_id as in
    raw_sources, date_reported=source_date (often empty, sometimes Arabic text
    such as ``2 مارس 2026``), report_url=source_url, archive_url,
    incident_code=code.
    *Derived*: claim_id = ``AW-<airwars_id>-<source_order>``. Where that pair
    occurs on more than one row, every row of the pair gets ``-<n>`` appended,
    n being the row's 1-based position among the data rows of sources.csv.
    A claim takes its incident's date, place and belligerents: the sources
    carry no date or place of their own. The incident is found by
    ``airwars_id`` (unique), not by ``code`` (codes repeat). When the
    incident's date_type is ``date_range``: incident_date_start=incident_date,
    incident_date_end=date_range_end and incident_date null; otherwise
    incident_date=incident_date. place_as_written=location_en,
    governorate_as_written by the raw_incidents rule, country_as_written=
    country, belligerents_as_written=the incident's ``belligerents`` (e.g.
    ``Russian Military, U.S.-led Coalition``). A source whose airwars_id is not
    in incidents.csv keeps its row with these incident fields null.
    latitude, longitude and geolocation_precision are null (the incident's
    coordinates stay on the incident) and civilians_* are null (the archive has
    no per-source figures).

raw_declared_strikes (CENTCOM rows, then Dutch rows, when given)
    CENTCOM, one row per release line: strike_release_id =
    ``CENTCOM-<n>`` (n the 1-based data row number), strike_date=date
    (M/D/YYYY), country_as_written=country, place_near=location,
    strike_count=number, release_text=line; belligerent_as_written is the
    constant ``CJTF-OIR`` (the releases are the Coalition's; CJTF-OIR is a real
    alias of it). governorate, latitude, longitude null.
    Dutch, one row per weapon release, the rows without a country kept:
    strike_release_id = ``NL-<n>`` (n the 1-based data row number),
    strike_date=``Employment date (UNCLASS)`` (e.g. ``7-Oct-14``),
    country_as_written=Country, place_near=Town, governorate_as_written=
    Province, latitude=Position LAT, longitude=Position LONG (decimal commas
    kept), release_text=Comment (null when empty); belligerent_as_written is the
    constant ``netherlands`` and strike_count the constant ``1`` (each row of
    the Dutch database is one weapon employment).

Besides the Parquet files, ``_import_manifest.json`` records the row count of
each table, each input file with its size, data-row count and SHA-256, a few
facts about the data (duplicate codes, duplicate rows, ...) and the time taken.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
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
from civcas.output_folders import folder_mode, git_ignores, swap_into_place
from civcas.raw_contract import LEDGER_TABLES, ContractError, load_raw_contract

DATASET_ID = "airwars-syria-archive"
DATASET_NAME = "Airwars incident archive: Syria"
GENERATED_BY = f"civcas.archive {__version__}"
# The archive's terms (its README, "licence"): no open licence; public, credited to Airwars.
LICENCE = ("none stated: public Airwars data, not openly licensed; credit Airwars and check Airwars' terms "
           "before redistributing")
CREDIT = "Data: Airwars (airwars.org)"
MANIFEST_NAME = "_import_manifest.json"
CENTCOM_BELLIGERENT = "CJTF-OIR"
DUTCH_BELLIGERENT = "netherlands"
DUTCH_STRIKE_COUNT = "1"
# Belligerents whose `not_yet_assessed` is a real (pending) verdict: only the Coalition publishes verdicts.
VERDICT_BELLIGERENTS = frozenset({"coalition", "united_states", "united_kingdom"})
STATEMENT_EVIDENCE_COLUMNS = (
    "statement_date",
    "statement_source_url",
    "civilian_deaths_conceded_min",
    "civilian_deaths_conceded_max",
)

Progress = Callable[[str], None]
Columns = dict[str, list[str]]


class ArchiveError(ValueError):
    """An input is missing or malformed, or the output folder may not be replaced."""


@dataclass(frozen=True)
class InputSpec:
    """One input CSV: where it lives in its folder and the columns the importer reads."""

    role: str
    filename: str
    columns: tuple[str, ...]
    delimiter: str = ","


INCIDENTS = InputSpec(
    "airwars_incidents",
    "incidents.csv",
    (
        "code", "airwars_id", "airwars_url", "incident_date", "date_type", "date_range_end", "first_published",
        "last_updated", "country", "location_en", "region", "governorate", "province", "latitude", "longitude",
        "geolocation_accuracy", "belligerents", "civilian_harm_reported", "grading", "incident_status",
        "strike_status", "civilians_killed_min", "civilians_killed_max", "civilians_injured_min",
        "civilians_injured_max", "children_killed_min", "children_killed_max", "women_killed_min",
        "women_killed_max", "previous_codes",
    ),
)
BELLIGERENTS = InputSpec(
    "airwars_belligerent_assessments",
    "belligerent_assessments.csv",
    (
        "code", "airwars_id", "belligerent", "belligerent_type", "belligerent_assessment",
        "civilian_deaths_conceded_min", "civilian_deaths_conceded_max", "civilian_injuries_conceded_min",
        "civilian_injuries_conceded_max", "statement_date", "statement_source_url",
    ),
)
SOURCES = InputSpec(
    "airwars_sources",
    "sources.csv",
    ("code", "airwars_id", "source_order", "source_name", "author", "platform_language", "source_date",
     "source_url", "archive_url"),
)
CENTCOM = InputSpec(
    "centcom_strike_releases",
    "all-edited-refined.csv",
    ("date", "country", "location", "number", "line"),
)
DUTCH = InputSpec(
    "dutch_strikes",
    "nl_oir_airstrikes_20230330.csv",
    ("Employment date (UNCLASS)", "Position LAT (UNCLASS)", "Position LONG (UNCLASS)", "Town (UNCLASS)",
     "Province (UNCLASS)", "Country (UNCLASS)", "Comment (UNCLASS)"),
    delimiter=";",
)


@dataclass
class InputFile:
    """One input CSV as read: its columns (every value a string) and its fingerprint."""

    spec: InputSpec
    path: Path
    columns: Columns
    rows: int
    sha256: str
    size: int

    def __getitem__(self, column: str) -> list[str]:
        return self.columns[column]


@dataclass
class ImportResult:
    """What an import wrote."""

    out: Path
    rows: dict[str, int]
    inputs: list[InputFile]
    facts: dict[str, int]
    elapsed: float
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- reading


def read_input(folder: Path, spec: InputSpec) -> InputFile:
    """Read one input CSV with every field as text; fail naming the file on any problem."""
    path = Path(folder) / spec.filename
    if not Path(folder).is_dir():
        raise ArchiveError(f"{folder}: input folder not found (expected it to hold {spec.filename})")
    if not path.is_file():
        raise ArchiveError(f"{path}: input file not found")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArchiveError(f"{path}: not UTF-8 (byte {exc.start}: {exc.reason})") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=spec.delimiter, strict=True)
    try:
        header = next(reader, None)
        if not header:
            raise ArchiveError(f"{path}: empty file, expected a header row")
        _check_header(path, header, spec)
        width = len(header)
        rows: list[list[str]] = []
        for row in reader:
            if len(row) != width:
                raise ArchiveError(
                    f"{path}: line {reader.line_num} has {len(row)} fields, the header has {width}"
                )
            rows.append(row)
    except csv.Error as exc:
        raise ArchiveError(f"{path}: line {reader.line_num}: malformed CSV ({exc})") from None
    positions = {name: header.index(name) for name in spec.columns}
    columns = {name: [row[i] for row in rows] for name, i in positions.items()}
    return InputFile(spec, path, columns, len(rows), hashlib.sha256(data).hexdigest(), len(data))


def _check_header(path: Path, header: list[str], spec: InputSpec) -> None:
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise ArchiveError(f"{path}: column(s) named twice in the header: {', '.join(map(repr, duplicated))}")
    missing = [name for name in spec.columns if name not in header]
    if missing:
        listed = ", ".join(repr(name) for name in missing)
        raise ArchiveError(f"{path}: missing column{'s' if len(missing) > 1 else ''} {listed} "
                           f"(the importer reads {len(spec.columns)} named columns of this file)")


def origin_of(folder: Path) -> str | None:
    """'GitHub <repo>, commit <sha>' from a dataset folder's README.md, when it names them."""
    readme = Path(folder) / "README.md"
    if not readme.is_file():
        return None
    text = readme.read_text(encoding="utf-8", errors="replace")
    repo = re.search(r"^\|\s*repository\s*\|\s*`([^`]+)`", text, re.MULTILINE)
    commit = re.search(r"^\|\s*commit[^|]*\|\s*`([0-9a-f]{40})`", text, re.MULTILINE)
    parts = [f"GitHub {repo.group(1)}" if repo else None, f"commit {commit.group(1)}" if commit else None]
    found = [p for p in parts if p]
    return ", ".join(found) if found else None


# --------------------------------------------------------------------------- mapping


def source_id_for(name: str) -> str:
    """The derived source id: AWS- + first 12 hex digits of sha1(name, UTF-8)."""
    return "AWS-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:12]


def governorate_as_written(region: str, governorate: str, province: str) -> str:
    """Airwars' own `region` when non-empty, else `governorate`, else `province`; as written."""
    return region or governorate or province


def is_statement(belligerent: str, assessment: str, evidence: Sequence[str]) -> bool:
    """Whether a belligerent_assessments row carries a verdict (see the module docstring)."""
    if assessment == "":
        return False
    return assessment != "not_yet_assessed" or belligerent in VERDICT_BELLIGERENTS or any(evidence)


def _assessor_note(url: str, status: str) -> str:
    parts = []
    if url:
        parts.append(f"Airwars incident page {url}")
    if status:
        parts.append(f"incident_status {status}")
    return ", ".join(parts)


def _incident_index(incidents: InputFile) -> dict[str, int]:
    ids = incidents["airwars_id"]
    index = {aid: i for i, aid in enumerate(ids)}
    if len(index) != len(ids):
        repeated = sorted(aid for aid, n in Counter(ids).items() if n > 1)
        raise ArchiveError(
            f"{incidents.path}: column 'airwars_id' is not unique ({', '.join(repeated[:5])}"
            f"{' ...' if len(repeated) > 5 else ''}); the importer joins sources to incidents on it"
        )
    return index


def build_incidents(inc: InputFile, governorates: list[str]) -> Columns:
    return {
        "incident_code": inc["code"],
        "previous_codes": inc["previous_codes"],
        "incident_date": inc["incident_date"],
        "incident_date_end": inc["date_range_end"],
        "date_precision": inc["date_type"],
        "place_as_written": inc["location_en"],
        "governorate_as_written": governorates,
        "country_as_written": inc["country"],
        "latitude": inc["latitude"],
        "longitude": inc["longitude"],
        "geolocation_precision": inc["geolocation_accuracy"],
        "civilian_harm_reported": inc["civilian_harm_reported"],
        "first_published": inc["first_published"],
    }


def build_assessments(inc: InputFile) -> Columns:
    return {
        "assessment_id": [f"AW-{aid}" for aid in inc["airwars_id"]],
        "incident_code": inc["code"],
        "assessed_on": [last or first for last, first in zip(inc["last_updated"], inc["first_published"], strict=False)],
        "grade": inc["grading"],
        "strike_status": inc["strike_status"],
        **{c: inc[c] for c in (
            "civilians_killed_min", "civilians_killed_max", "civilians_injured_min", "civilians_injured_max",
            "children_killed_min", "children_killed_max", "women_killed_min", "women_killed_max",
        )},
        "assessor_note": [_assessor_note(u, s) for u, s in zip(inc["airwars_url"], inc["incident_status"], strict=False)],
    }


def build_belligerents(bel: InputFile, inc: InputFile) -> Columns:
    attributed = [i for i, names in enumerate(inc["belligerents"]) if names]
    return {
        "incident_code": bel["code"] + [inc["code"][i] for i in attributed],
        "belligerent_as_written": bel["belligerent"] + [inc["belligerents"][i] for i in attributed],
        "attribution_type": bel["belligerent_type"] + [None] * len(attributed),
    }


def build_statements(bel: InputFile) -> Columns:
    evidence = list(zip(*(bel[c] for c in STATEMENT_EVIDENCE_COLUMNS), strict=False))
    keep = [
        i for i, (who, verdict) in enumerate(zip(bel["belligerent"], bel["belligerent_assessment"], strict=False))
        if is_statement(who, verdict, evidence[i])
    ]

    def pick(column: str) -> list[str]:
        values = bel[column]
        return [values[i] for i in keep]

    return {
        "statement_id": [f"AW-{bel['airwars_id'][i]}-{i + 1}" for i in keep],
        "incident_code": pick("code"),
        "belligerent_as_written": pick("belligerent"),
        "verdict": pick("belligerent_assessment"),
        "deaths_conceded_min": pick("civilian_deaths_conceded_min"),
        "deaths_conceded_max": pick("civilian_deaths_conceded_max"),
        "injuries_conceded_min": pick("civilian_injuries_conceded_min"),
        "injuries_conceded_max": pick("civilian_injuries_conceded_max"),
        "statement_date": pick("statement_date"),
        "statement_url": pick("statement_source_url"),
    }


def build_sources(src: InputFile, source_ids: list[str]) -> Columns:
    first: dict[str, int] = {}
    for i, name in enumerate(src["source_name"]):
        first.setdefault(name, i)
    owners: dict[str, str] = {}
    for name in first:
        sid = source_id_for(name)
        if sid in owners:
            raise ArchiveError(f"{src.path}: source names {owners[sid]!r} and {name!r} share the derived id {sid}")
        owners[sid] = name
    rows = list(first.values())
    n = len(rows)
    return {
        "source_id": [source_ids[i] for i in rows],
        "source_name": list(first),
        "source_handle": [src["author"][i] for i in rows],
        "platform": [src["platform_language"][i] for i in rows],
        "is_protected": ["false"] * n,
    }


def claim_ids(src: InputFile) -> tuple[list[str], int]:
    """Claim ids and how many rows shared an (airwars_id, source_order) pair."""
    keys = [f"AW-{aid}-{order}" for aid, order in zip(src["airwars_id"], src["source_order"], strict=False)]
    counts = Counter(keys)
    ids = [key if counts[key] == 1 else f"{key}-{i + 1}" for i, key in enumerate(keys)]
    if len(set(ids)) != len(ids):
        clash = next(k for k, n in Counter(ids).items() if n > 1)
        raise ArchiveError(f"{src.path}: cannot derive unique claim ids (e.g. {clash})")
    return ids, sum(n for n in counts.values() if n > 1)


def build_claims(src: InputFile, inc: InputFile, index: Mapping[str, int], governorates: list[str],
                 ids: list[str], source_ids: list[str]) -> tuple[Columns, int]:
    """raw_claims, and how many source rows have no incident in incidents.csv."""
    positions = [index.get(aid) for aid in src["airwars_id"]]

    def incident_value(values: Sequence[str]) -> list[str]:
        return ["" if p is None else values[p] for p in positions]

    is_range = ["" if p is None else inc["date_type"][p] == "date_range" for p in positions]
    date = incident_value(inc["incident_date"])
    end = incident_value(inc["date_range_end"])
    claims = {
        "claim_id": ids,
        "source_id": source_ids,
        "date_reported": src["source_date"],
        "incident_date": ["" if r else d for r, d in zip(is_range, date, strict=False)],
        "incident_date_start": [d if r else "" for r, d in zip(is_range, date, strict=False)],
        "incident_date_end": [e if r else "" for r, e in zip(is_range, end, strict=False)],
        "place_as_written": incident_value(inc["location_en"]),
        "governorate_as_written": incident_value(governorates),
        "country_as_written": incident_value(inc["country"]),
        "belligerents_as_written": incident_value(inc["belligerents"]),
        "report_url": src["source_url"],
        "archive_url": src["archive_url"],
        "incident_code": src["code"],
    }
    return claims, positions.count(None)


def build_declared_strikes(centcom: InputFile | None, dutch: InputFile | None) -> Columns:
    table: Columns = {c: [] for c in (
        "strike_release_id", "strike_date", "belligerent_as_written", "country_as_written", "place_near",
        "governorate_as_written", "latitude", "longitude", "strike_count", "release_text",
    )}

    def extend(**columns: list[str]) -> None:
        n = len(next(iter(columns.values())))
        for name, values in table.items():
            values.extend(columns.get(name, [""] * n))

    if centcom is not None:
        n = centcom.rows
        extend(
            strike_release_id=[f"CENTCOM-{i}" for i in range(1, n + 1)],
            strike_date=centcom["date"],
            belligerent_as_written=[CENTCOM_BELLIGERENT] * n,
            country_as_written=centcom["country"],
            place_near=centcom["location"],
            strike_count=centcom["number"],
            release_text=centcom["line"],
        )
    if dutch is not None:
        n = dutch.rows
        extend(
            strike_release_id=[f"NL-{i}" for i in range(1, n + 1)],
            strike_date=dutch["Employment date (UNCLASS)"],
            belligerent_as_written=[DUTCH_BELLIGERENT] * n,
            country_as_written=dutch["Country (UNCLASS)"],
            place_near=dutch["Town (UNCLASS)"],
            governorate_as_written=dutch["Province (UNCLASS)"],
            latitude=dutch["Position LAT (UNCLASS)"],
            longitude=dutch["Position LONG (UNCLASS)"],
            strike_count=[DUTCH_STRIKE_COUNT] * n,
            release_text=dutch["Comment (UNCLASS)"],
        )
    return table


def _exact_duplicate_rows(path: Path, delimiter: str) -> int:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = csv.reader(handle, delimiter=delimiter)
        next(rows, None)
        counts = Counter(tuple(row) for row in rows)
    return sum(n - 1 for n in counts.values() if n > 1)


# --------------------------------------------------------------------------- writing


def _to_arrow(columns: Mapping[str, Sequence[str]], contract_columns: Sequence[str], rows: int) -> pa.Table:
    """The contract's columns in order, every one a string; empty text becomes null."""
    arrays = []
    for name in contract_columns:
        values = columns.get(name)
        if values is None:
            arrays.append(pa.nulls(rows, type=pa.string()))
        else:
            arrays.append(pa.array([v if v != "" else None for v in values], type=pa.string()))
    return pa.Table.from_arrays(arrays, schema=pa.schema([(name, pa.string()) for name in contract_columns]))


def _check_against_contract(tables: Mapping[str, Columns], contract: Mapping[str, Sequence[str]],
                            contract_path: str) -> list[str]:
    """Fail when the importer fills a column the contract lacks; warn about tables it does not fill."""
    unknown = []
    for table, columns in tables.items():
        if table not in contract:
            unknown.append(f"table {table}")
            continue
        unknown.extend(f"{table}.{c}" for c in columns if c not in contract[table])
    if unknown:
        raise ContractError(f"{contract_path}: the archive importer fills {', '.join(unknown)}, "
                            "which the raw contract does not declare")
    return [f"{table}: not filled by the archive import; written with no rows"
            for table in contract if table not in tables and table not in LEDGER_TABLES]


def check_output_folder(out: Path, project_dir: Path, manifest_name: str, made_by: str, contents: str) -> None:
    """Refuse an output folder that a previous run of `made_by` did not write (no manifest),
    or that git would track: `contents` derive from data not licensed for redistribution."""
    if out.exists():
        if not out.is_dir():
            raise ArchiveError(f"{out}: output path exists and is not a folder")
        if any(out.iterdir()) and not (out / manifest_name).is_file():
            raise ArchiveError(f"{out}: output folder is not empty and holds no {manifest_name} "
                               f"(not a previous {made_by}); refusing to replace it")
    if git_ignores(out, project_dir, "raw_claims.parquet") is False:
        raise ArchiveError(f"{out}: inside the repository and not git-ignored; {contents} not licensed "
                           "for redistribution, write it under a git-ignored folder such as data/")


# --------------------------------------------------------------------------- entry point


def import_archive(
    archive: Path,
    out: Path,
    project_dir: Path,
    *,
    centcom: Path | None = None,
    dutch: Path | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Read the inputs, map them to the raw contract and write `out` atomically."""
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    say = progress or (lambda _message: None)
    archive, out, project_dir = Path(archive), Path(out), Path(project_dir)
    contract = load_raw_contract(project_dir)
    check_output_folder(out, project_dir, MANIFEST_NAME, "import", "the archive is")

    inc = read_input(archive, INCIDENTS)
    bel = read_input(archive, BELLIGERENTS)
    src = read_input(archive, SOURCES)
    strikes_centcom = read_input(Path(centcom), CENTCOM) if centcom is not None else None
    strikes_dutch = read_input(Path(dutch), DUTCH) if dutch is not None else None
    inputs = [f for f in (inc, bel, src, strikes_centcom, strikes_dutch) if f is not None]
    say(f"import-archive: read {', '.join(f'{f.path.name} ({f.rows:,} rows)' for f in inputs)}")

    index = _incident_index(inc)
    governorates = [governorate_as_written(*g) for g in zip(inc["region"], inc["governorate"], inc["province"], strict=False)]
    source_ids = [source_id_for(name) for name in src["source_name"]]
    ids, duplicate_claim_rows = claim_ids(src)
    claims, orphan_claims = build_claims(src, inc, index, governorates, ids, source_ids)
    statements = build_statements(bel)
    tables: dict[str, Columns] = {
        "raw_sources": build_sources(src, source_ids),
        "raw_claims": claims,
        "raw_incidents": build_incidents(inc, governorates),
        "raw_incident_belligerents": build_belligerents(bel, inc),
        "raw_incident_assessments": build_assessments(inc),
        "raw_belligerent_statements": statements,
        "raw_declared_strikes": build_declared_strikes(strikes_centcom, strikes_dutch),
    }
    counts = {t: len(next(iter(c.values()))) for t, c in tables.items()}
    code_counts = Counter(inc["code"])
    facts = {
        "incident_codes_repeated": sum(1 for n in code_counts.values() if n > 1),
        "incident_rows_with_repeated_code": sum(n for n in code_counts.values() if n > 1),
        "belligerent_rows_exact_duplicates": _exact_duplicate_rows(bel.path, ","),
        "belligerent_rows_without_verdict": bel.rows - counts["raw_belligerent_statements"],
        "source_rows_exact_duplicates": _exact_duplicate_rows(src.path, ","),
        "source_rows_sharing_airwars_id_and_order": duplicate_claim_rows,
        "source_rows_without_incident": orphan_claims,
        "source_rows_with_empty_name": src["source_name"].count(""),
    }
    tables["raw_dataset"] = {
        "dataset_id": [DATASET_ID],
        "dataset_name": [DATASET_NAME],
        "is_synthetic": ["false"],
        "description": [_description(counts, inc, bel, src, strikes_centcom, strikes_dutch)],
        "generated_by": [GENERATED_BY],
        "source_reference": [_source_reference(archive, centcom, dutch)],
        "licence": [LICENCE],
        "may_redistribute": ["false"],
        "credit": [CREDIT],
    }
    counts["raw_dataset"] = 1
    warnings = _check_against_contract(tables, contract, str(project_dir / "seeds" / "raw" / "_raw__seeds.yml"))

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.importing-", dir=out.parent))
    try:
        staging.chmod(folder_mode())  # mkdtemp makes it private; the result should look like any folder
        rows: dict[str, int] = {}
        for table, columns in contract.items():
            n = counts.get(table, 0)
            pq.write_table(_to_arrow(tables.get(table, {}), columns, n), staging / f"{table}.parquet")
            rows[table] = n
            say(f"import-archive: {table}.parquet {n:,} rows")
        for warning in warnings:
            say(f"import-archive: warning: {warning}")
        elapsed = time.perf_counter() - started
        manifest = {
            "dataset_id": DATASET_ID,
            "generated_by": GENERATED_BY,
            "started_at": started_at,
            "elapsed_seconds": round(elapsed, 3),
            "tables": {t: {"file": f"{t}.parquet", "rows": n} for t, n in rows.items()},
            "inputs": [
                {"role": f.spec.role, "path": str(f.path), "bytes": f.size, "rows": f.rows, "sha256": f.sha256}
                for f in inputs
            ],
            "facts": facts,
            "warnings": warnings,
        }
        (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
        swap_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ImportResult(out=out, rows=rows, inputs=inputs, facts=facts,
                        elapsed=time.perf_counter() - started, warnings=warnings)


def _description(counts: Mapping[str, int], inc: InputFile, bel: InputFile, src: InputFile,
                 centcom: InputFile | None, dutch: InputFile | None) -> str:
    parts = [
        "REAL public data: the Airwars civilian-harm incident archive for Syria (airwars.org), "
        "rebuilt from Airwars' published incident pages by a third-party archive. Credit Airwars. "
        "NOT licensed for redistribution: use inside the project only; never commit or publish it.",
        f"Imported {inc.rows:,} incidents, {bel.rows:,} belligerent rows "
        f"({counts['raw_belligerent_statements']:,} with a verdict), {src.rows:,} source rows as claims "
        f"from {counts['raw_sources']:,} distinct source names.",
    ]
    if centcom is not None:
        parts.append(f"Declared strikes: {centcom.rows:,} CENTCOM / CJTF-OIR release lines (public domain).")
    if dutch is not None:
        parts.append(f"Declared strikes: {dutch.rows:,} Dutch F-16 weapon releases (Dutch Ministry of Defence).")
    return " ".join(parts)


def _source_reference(archive: Path, centcom: Path | None, dutch: Path | None) -> str:
    references = []
    for folder in (archive, centcom, dutch):
        if folder is None:
            continue
        origin = origin_of(Path(folder))
        references.append(f"{folder} (origin: {origin})" if origin else str(folder))
    return "; ".join(references)
