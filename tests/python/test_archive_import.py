"""civcas import-archive: the real Airwars Syria archive (and the CENTCOM / Dutch strike
releases) mapped to the raw contract without dropping a row or changing a value.

The archive is not licensed for redistribution, so it is never copied into the
repository: the tests read it where it lies, beside the checkout
(``<checkout>/../shared/data/external``). Without it the tests skip, except on CI
(``CI=true``), where they fail. Expected values are computed here from the input
CSVs, read independently of the importer, and compared with the Parquet files.
Edge cases the real data lacks (duplicate claim keys, "NA" strings, a source of
an unknown incident) run on a small made-up archive in a temporary folder.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from civcas import __version__
from civcas.archive import ArchiveError, import_archive
from civcas.cli import main
from civcas.raw_contract import LEDGER_TABLES, RAW_CONTRACT_PATH, load_raw_contract

PROJECT = Path(__file__).resolve().parents[2]
EXTERNAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "external"
ARCHIVE = EXTERNAL / "airwars-syria-archive"
CENTCOM = EXTERNAL / "centcom-oir-strike-releases"
DUTCH = EXTERNAL / "dutch-oir-strikes"
INPUT_FILES = (
    ARCHIVE / "incidents.csv",
    ARCHIVE / "belligerent_assessments.csv",
    ARCHIVE / "sources.csv",
    CENTCOM / "all-edited-refined.csv",
    DUTCH / "nl_oir_airstrikes_20230330.csv",
)

Row = dict[str, str]
Table = list[dict[str, str | None]]


# --------------------------------------------------------------------------- helpers


def require_external_data() -> None:
    """Skip (locally) or fail (on CI) when the archive is not beside the checkout."""
    missing = [p for p in INPUT_FILES if not p.is_file()]
    if not missing:
        return
    message = (f"the Airwars archive and strike releases are expected in {EXTERNAL} "
               f"(beside the checkout, not in it: the data is not licensed for redistribution); "
               f"missing: {', '.join(str(p) for p in missing)}")
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def read_csv(path: Path, delimiter: str = ",") -> list[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def read_table(path: Path) -> Table:
    return pq.read_table(path).to_pylist()


def text(value: str) -> str | None:
    """How an input field appears in the output: empty text is null, all else as written."""
    return value if value != "" else None


def governorate(row: Row) -> str:
    return row["region"] or row["governorate"] or row["province"]


def has_verdict(row: Row) -> bool:
    if row["belligerent_assessment"] == "":
        return False
    return (row["belligerent_assessment"] != "not_yet_assessed"
            or row["belligerent"] in {"coalition", "united_states", "united_kingdom"}
            or any(row[c] for c in ("statement_date", "statement_source_url",
                                    "civilian_deaths_conceded_min", "civilian_deaths_conceded_max")))


def run_cli(args: list[str]) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(args)
    return code, stdout.getvalue(), stderr.getvalue()


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below `folder` with the SHA-256 of its content."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(parent: Path, out_name: str) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{out_name}."))


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def contract() -> dict[str, list[str]]:
    return load_raw_contract(PROJECT)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One import through the CLI, with both strike releases, into a temporary folder."""
    require_external_data()
    out = tmp_path_factory.mktemp("archive") / "raw"
    code, stdout, stderr = run_cli([
        "import-archive", "--project-dir", str(PROJECT), "--archive", str(ARCHIVE),
        "--centcom", str(CENTCOM), "--dutch", str(DUTCH), "--out", str(out),
    ])
    assert code == 0, stderr
    return {"out": out, "stdout": stdout, "stderr": stderr}


@pytest.fixture(scope="module")
def raw(imported: dict, contract: dict[str, list[str]]) -> dict[str, Table]:
    return {table: read_table(imported["out"] / f"{table}.parquet") for table in contract}


@pytest.fixture(scope="module")
def inputs(imported: dict) -> dict[str, list[Row]]:
    return {
        "incidents": read_csv(ARCHIVE / "incidents.csv"),
        "belligerents": read_csv(ARCHIVE / "belligerent_assessments.csv"),
        "sources": read_csv(ARCHIVE / "sources.csv"),
        "centcom": read_csv(CENTCOM / "all-edited-refined.csv"),
        "dutch": read_csv(DUTCH / "nl_oir_airstrikes_20230330.csv", delimiter=";"),
    }


# --------------------------------------------------------------------------- shape


def test_one_parquet_file_per_contract_table_with_the_contract_columns_all_strings(
    imported: dict, contract: dict[str, list[str]]
) -> None:
    out = imported["out"]
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{t}.parquet" for t in contract] + ["_import_manifest.json"])
    for table, columns in contract.items():
        schema = pq.read_schema(out / f"{table}.parquet")
        assert schema.names == columns, table
        not_strings = [f.name for f in schema if not pa.types.is_string(f.type)]
        assert not not_strings, f"{table}: not string-typed: {not_strings}"


def test_row_counts_follow_the_mapping(raw: dict[str, Table], inputs: dict[str, list[Row]]) -> None:
    expected = {
        "raw_dataset": 1,
        "raw_incidents": len(inputs["incidents"]),
        "raw_incident_assessments": len(inputs["incidents"]),
        "raw_incident_belligerents": len(inputs["belligerents"])
        + sum(1 for r in inputs["incidents"] if text(r["belligerents"]) is not None),
        "raw_belligerent_statements": sum(map(has_verdict, inputs["belligerents"])),
        "raw_sources": len({r["source_name"] for r in inputs["sources"]}),
        "raw_claims": len(inputs["sources"]),
        "raw_declared_strikes": len(inputs["centcom"]) + len(inputs["dutch"]),
        **{ledger: 0 for ledger in LEDGER_TABLES},  # no intake batch has been accepted
    }
    assert {t: len(rows) for t, rows in raw.items()} == expected


def test_row_counts_match_the_readmes(raw: dict[str, Table]) -> None:
    """The counts the archive's READMEs document, so a short read of an input fails too."""
    assert len(raw["raw_incidents"]) == 8114
    assert len(raw["raw_incident_assessments"]) == 8114
    # 11,757 belligerent rows, plus the 8,079 incidents whose `belligerents` is filled
    assert len(raw["raw_incident_belligerents"]) == 11757 + 8114 - 35
    assert len(raw["raw_claims"]) == 50326
    assert len(raw["raw_declared_strikes"]) == 5531 + 2188


def test_cli_reports_progress_and_a_summary(imported: dict, raw: dict[str, Table]) -> None:
    for table, rows in raw.items():
        assert f"{table}.parquet {len(rows):,} rows" in imported["stderr"]
        assert any(line.split() == [table, f"{len(rows):,}"] for line in imported["stdout"].splitlines()), table
    assert re.search(r"wrote \d+ raw tables to .* in \d+\.\d s$", imported["stdout"].splitlines()[0])


def test_manifest_counts_inputs_and_hashes(imported: dict, raw: dict[str, Table]) -> None:
    manifest = json.loads((imported["out"] / "_import_manifest.json").read_text(encoding="utf-8"))
    assert {t: v["rows"] for t, v in manifest["tables"].items()} == {t: len(r) for t, r in raw.items()}
    assert manifest["elapsed_seconds"] > 0
    hashes = {Path(i["path"]).resolve(): i["sha256"] for i in manifest["inputs"]}
    assert hashes == {p.resolve(): hashlib.sha256(p.read_bytes()).hexdigest() for p in INPUT_FILES}


# --------------------------------------------------------------------------- values copied as written


def test_every_incident_code_is_kept_with_its_multiplicity(raw: dict[str, Table], inputs: dict[str, list[Row]]) -> None:
    expected = Counter(r["code"] for r in inputs["incidents"])
    assert Counter(r["incident_code"] for r in raw["raw_incidents"]) == expected
    assert expected["TS631"] == 2
    assert Counter(r["incident_code"] for r in raw["raw_incident_assessments"]) == expected


def test_incidents_are_copied_unchanged(raw: dict[str, Table], inputs: dict[str, list[Row]]) -> None:
    source = inputs["incidents"]
    mapping = {
        "incident_code": "code", "previous_codes": "previous_codes", "incident_date": "incident_date",
        "incident_date_end": "date_range_end", "date_precision": "date_type", "place_as_written": "location_en",
        "country_as_written": "country", "latitude": "latitude", "longitude": "longitude",
        "geolocation_precision": "geolocation_accuracy", "civilian_harm_reported": "civilian_harm_reported",
        "first_published": "first_published",
    }
    for column, origin in mapping.items():
        assert [r[column] for r in raw["raw_incidents"]] == [text(r[origin]) for r in source], column
    assert [r["governorate_as_written"] for r in raw["raw_incidents"]] == [text(governorate(r)) for r in source]
    by_code = {r["incident_code"]: r for r in raw["raw_incidents"]}
    assert by_code["CS1033"]["longitude"] == "4239.00416"
    assert by_code["TRSOM001"]["incident_date"] == "1970-01-01"
    # Trailing and doubled spaces stay as written.
    assert "CS1984  YS152 " in {r["previous_codes"] for r in raw["raw_incidents"]}


def test_assessments_are_copied_unchanged(raw: dict[str, Table], inputs: dict[str, list[Row]]) -> None:
    source = inputs["incidents"]
    rows = raw["raw_incident_assessments"]
    assert [r["assessment_id"] for r in rows] == [f"AW-{r['airwars_id']}" for r in source]
    assert [r["assessed_on"] for r in rows] == [text(r["last_updated"] or r["first_published"]) for r in source]
    assert [r["grade"] for r in rows] == [text(r["grading"]) for r in source]
    for column in ("strike_status", "civilians_killed_min", "civilians_killed_max", "civilians_injured_min",
                   "civilians_injured_max", "children_killed_min", "children_killed_max", "women_killed_min",
                   "women_killed_max"):
        assert [r[column] for r in rows] == [text(r[column]) for r in source], column
    assert [r["assessor_note"] for r in rows] == [
        f"Airwars incident page {r['airwars_url']}, incident_status {r['incident_status']}" for r in source
    ]
    assert Counter(r["grade"] for r in rows)["Contested, Discounted"] == 1


def test_belligerents_and_statements_are_copied_unchanged(raw: dict[str, Table], inputs: dict[str, list[Row]]) -> None:
    source = inputs["belligerents"]
    assert [(r["incident_code"], r["belligerent_as_written"], r["attribution_type"])
            for r in raw["raw_incident_belligerents"]] == [
        (text(r["code"]), text(r["belligerent"]), text(r["belligerent_type"])) for r in source
    ] + [
        (text(r["code"]), text(r["belligerents"]), None)
        for r in inputs["incidents"] if text(r["belligerents"]) is not None
    ]
    expected = [
        {
            "statement_id": f"AW-{r['airwars_id']}-{n}",
            "incident_code": text(r["code"]),
            "belligerent_as_written": text(r["belligerent"]),
            "verdict": text(r["belligerent_assessment"]),
            "deaths_conceded_min": text(r["civilian_deaths_conceded_min"]),
            "deaths_conceded_max": text(r["civilian_deaths_conceded_max"]),
            "injuries_conceded_min": text(r["civilian_injuries_conceded_min"]),
            "injuries_conceded_max": text(r["civilian_injuries_conceded_max"]),
            "statement_date": text(r["statement_date"]),
            "statement_url": text(r["statement_source_url"]),
        }
        for n, r in enumerate(source, start=1) if has_verdict(r)
    ]
    assert raw["raw_belligerent_statements"] == expected
    verdicts = Counter((r["belligerent_as_written"], r["verdict"]) for r in raw["raw_belligerent_statements"])
    assert verdicts[("coalition", "credible")] > 0
    assert verdicts[("russian_forces", "not_yet_assessed")] == 0


def test_sources_registry_one_row_per_exact_name(raw: dict[str, Table], inputs: dict[str, list[Row]]) -> None:
    first: dict[str, Row] = {}
    for row in inputs["sources"]:
        first.setdefault(row["source_name"], row)
    expected = [
        {
            "source_id": "AWS-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:12],
            "source_name": text(name),
            "source_handle": text(row["author"]),
            "source_url": None,
            "source_type": None,
            "platform": text(row["platform_language"]),
            "language": None,
            "is_protected": "false",
        }
        for name, row in first.items()
    ]
    assert raw["raw_sources"] == expected
    names = {r["source_name"] for r in raw["raw_sources"]}
    assert {"Step News", "Step News Agency", None} <= names


def test_claims_are_copied_unchanged_and_take_their_incidents_date(
    raw: dict[str, Table], inputs: dict[str, list[Row]]
) -> None:
    incidents = {r["airwars_id"]: r for r in inputs["incidents"]}
    claims = raw["raw_claims"]
    assert len(claims) == len(inputs["sources"])
    for claim, source in zip(claims, inputs["sources"], strict=False):
        incident = incidents[source["airwars_id"]]
        ranged = incident["date_type"] == "date_range"
        assert claim == {
            "claim_id": f"AW-{source['airwars_id']}-{source['source_order']}",
            "source_id": "AWS-" + hashlib.sha1(source["source_name"].encode("utf-8")).hexdigest()[:12],
            "date_reported": text(source["source_date"]),
            "incident_date": None if ranged else text(incident["incident_date"]),
            "incident_date_start": text(incident["incident_date"]) if ranged else None,
            "incident_date_end": text(incident["date_range_end"]) if ranged else None,
            "place_as_written": text(incident["location_en"]),
            "governorate_as_written": text(governorate(incident)),
            "country_as_written": text(incident["country"]),
            "latitude": None,
            "longitude": None,
            "geolocation_precision": None,
            "belligerents_as_written": text(incident["belligerents"]),
            "civilians_killed_min": None,
            "civilians_killed_max": None,
            "civilians_injured_min": None,
            "civilians_injured_max": None,
            "report_url": text(source["source_url"]),
            "archive_url": text(source["archive_url"]),
            "incident_code": text(source["code"]),
        }, source
    assert "2 مارس 2026" in {c["date_reported"] for c in claims}
    assert "Russian Military, U.S.-led Coalition" in {c["belligerents_as_written"] for c in claims}


def test_declared_strikes_are_copied_unchanged(raw: dict[str, Table], inputs: dict[str, list[Row]]) -> None:
    expected = [
        {"strike_release_id": f"CENTCOM-{n}", "strike_date": text(r["date"]), "belligerent_as_written": "CJTF-OIR",
         "country_as_written": text(r["country"]), "place_near": text(r["location"]),
         "governorate_as_written": None, "latitude": None, "longitude": None,
         "strike_count": text(r["number"]), "release_text": text(r["line"])}
        for n, r in enumerate(inputs["centcom"], start=1)
    ] + [
        {"strike_release_id": f"NL-{n}", "strike_date": text(r["Employment date (UNCLASS)"]),
         "belligerent_as_written": "netherlands", "country_as_written": text(r["Country (UNCLASS)"]),
         "place_near": text(r["Town (UNCLASS)"]), "governorate_as_written": text(r["Province (UNCLASS)"]),
         "latitude": text(r["Position LAT (UNCLASS)"]), "longitude": text(r["Position LONG (UNCLASS)"]),
         "strike_count": "1", "release_text": text(r["Comment (UNCLASS)"])}
        for n, r in enumerate(inputs["dutch"], start=1)
    ]
    assert raw["raw_declared_strikes"] == expected
    dutch = [r for r in raw["raw_declared_strikes"] if r["belligerent_as_written"] == "netherlands"]
    assert dutch[0]["strike_date"] == "7-Oct-14" and dutch[0]["latitude"] == "36,74615732"
    assert sum(r["country_as_written"] is None for r in dutch) == 4
    assert "Iraq " in {r["country_as_written"] for r in dutch}


def test_ids_are_unique(raw: dict[str, Table]) -> None:
    for table, column in (("raw_claims", "claim_id"), ("raw_belligerent_statements", "statement_id"),
                          ("raw_sources", "source_id"), ("raw_incident_assessments", "assessment_id"),
                          ("raw_declared_strikes", "strike_release_id")):
        values = [r[column] for r in raw[table]]
        repeated = [v for v, n in Counter(values).items() if n > 1]
        assert None not in values and not repeated, f"{table}.{column}: {repeated[:5]}"


def test_dataset_row_describes_real_unlicensed_data(raw: dict[str, Table]) -> None:
    (row,) = raw["raw_dataset"]
    assert row["dataset_id"] == "airwars-syria-archive"
    assert row["dataset_name"] == "Airwars incident archive: Syria"
    assert row["is_synthetic"] == "false"
    assert row["generated_by"] == f"civcas.archive {__version__}"
    assert row["generator_seed"] is None
    assert "not licensed for redistribution" in row["description"].lower()
    assert "8,114 incidents" in row["description"]
    reference = row["source_reference"]
    assert str(ARCHIVE) in reference and str(CENTCOM) in reference and str(DUTCH) in reference
    assert "carsspacee88-crypto/syrian-archive-airwars" in reference
    assert "e6a44ca8a7925acde7cd0d14b854f3613f4e9c6f" in reference
    # The archive's README states no licence: a release of it must warn and credit Airwars.
    assert row["may_redistribute"] == "false"
    assert row["licence"].startswith("none stated") and "check Airwars' terms" in row["licence"]
    assert row["credit"] == "Data: Airwars (airwars.org)"


# --------------------------------------------------------------------------- failures leave the output alone


@pytest.fixture()
def archive_copy(tmp_path: Path) -> Path:
    """A scratch copy of the archive folder (outside the repository)."""
    require_external_data()
    copy = tmp_path / "archive-copy"
    shutil.copytree(ARCHIVE, copy)
    return copy


def drop_column(path: Path, column: str) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    position = rows[0].index(column)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([row[:position] + row[position + 1:] for row in rows])


def test_missing_column_fails_naming_file_and_column_and_leaves_out_untouched(
    archive_copy: Path, imported: dict, tmp_path: Path
) -> None:
    drop_column(archive_copy / "incidents.csv", "last_updated")
    out = tmp_path / "out"
    shutil.copytree(imported["out"], out)  # a previous, complete import
    before = snapshot(out)
    code, stdout, stderr = run_cli(["import-archive", "--project-dir", str(PROJECT), "--archive", str(archive_copy),
                                    "--out", str(out)])
    assert code == 1
    assert str(archive_copy / "incidents.csv") in stderr and "'last_updated'" in stderr
    assert snapshot(out) == before
    assert leftovers(tmp_path, "out") == []


def test_missing_file_fails_naming_it(archive_copy: Path, tmp_path: Path) -> None:
    (archive_copy / "sources.csv").unlink()
    out = tmp_path / "out"
    with pytest.raises(ArchiveError, match=r"sources\.csv: input file not found"):
        import_archive(archive_copy, out, PROJECT)
    assert not out.exists() and leftovers(tmp_path, "out") == []


def test_missing_column_in_strike_releases_fails(tmp_path: Path) -> None:
    require_external_data()
    dutch = tmp_path / "dutch"
    dutch.mkdir()
    (dutch / "nl_oir_airstrikes_20230330.csv").write_text("Employment date (UNCLASS);Town (UNCLASS)\n7-Oct-14;X\n",
                                                         encoding="utf-8")
    with pytest.raises(ArchiveError, match=r"nl_oir_airstrikes_20230330\.csv: missing columns 'Position LAT"):
        import_archive(ARCHIVE, tmp_path / "out", PROJECT, dutch=dutch)
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- made-up archive: edge cases


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]], delimiter: str = ",") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, delimiter=delimiter, restval="")
        writer.writeheader()
        writer.writerows(rows)


INCIDENT_HEADER = [
    "sequence", "code", "airwars_id", "airwars_url", "incident_date", "date_type", "date_range_end",
    "first_published", "last_updated", "country", "location_en", "region", "governorate", "province", "latitude",
    "longitude", "geolocation_accuracy", "belligerents", "civilian_harm_reported", "grading", "incident_status",
    "strike_status", "civilians_killed_min", "civilians_killed_max", "civilians_injured_min",
    "civilians_injured_max", "children_killed_min", "children_killed_max", "women_killed_min", "women_killed_max",
    "previous_codes",
]
BELLIGERENT_HEADER = [
    "code", "airwars_id", "belligerent", "belligerent_type", "belligerent_assessment",
    "civilian_deaths_conceded_min", "civilian_deaths_conceded_max", "civilian_injuries_conceded_min",
    "civilian_injuries_conceded_max", "statement_date", "statement_source_url",
]
SOURCE_HEADER = ["code", "airwars_id", "source_order", "source_name", "author", "platform_language", "source_date",
                 "source_url", "archive_url"]


@pytest.fixture()
def made_up_archive(tmp_path: Path) -> Path:
    folder = tmp_path / "made-up"
    write_csv(folder / "incidents.csv", INCIDENT_HEADER, [
        {"code": " cs1 ", "airwars_id": "1", "incident_date": "2017-03-01", "date_type": "date_range",
         "date_range_end": "2017-03-03", "first_published": "2017-04-01", "last_updated": "", "country": "NA",
         "location_en": "None", "region": "", "governorate": "", "province": "Ar Raqqah ", "latitude": "35,9",
         "grading": "null", "civilians_killed_min": "N/A", "airwars_url": "", "incident_status": ""},
        {"code": "RS2", "airwars_id": "2", "incident_date": "2017-03-05", "date_type": "date",
         "region": "Idlib", "governorate": "Idleb", "last_updated": "2024-01-01", "incident_status": "Researched"},
    ])
    write_csv(folder / "belligerent_assessments.csv", BELLIGERENT_HEADER, [
        {"code": " cs1 ", "airwars_id": "1", "belligerent": "coalition", "belligerent_assessment": "not_yet_assessed"},
        {"code": " cs1 ", "airwars_id": "1", "belligerent": "russia", "belligerent_assessment": "not_yet_assessed"},
        {"code": " cs1 ", "airwars_id": "1", "belligerent": "russia", "belligerent_assessment": "not_yet_assessed"},
        {"code": "RS2", "airwars_id": "2", "belligerent": "unknown", "belligerent_assessment": "not_yet_assessed",
         "statement_date": "20170401"},
        {"code": "RS2", "airwars_id": "2", "belligerent": "coalition", "belligerent_assessment": ""},
    ])
    write_csv(folder / "sources.csv", SOURCE_HEADER, [
        {"code": " cs1 ", "airwars_id": "1", "source_order": "1", "source_name": "NA", "author": "first"},
        {"code": " cs1 ", "airwars_id": "1", "source_order": "1", "source_name": "NA", "author": "second"},
        {"code": "RS2", "airwars_id": "2", "source_order": "1", "source_name": "", "source_date": "2 مارس 2026"},
        {"code": "XX9", "airwars_id": "999", "source_order": "1", "source_name": "Orphan"},
    ])
    return folder


def test_made_up_archive_keeps_odd_values_and_derives_ids(made_up_archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    import_archive(made_up_archive, out, PROJECT)
    incidents = read_table(out / "raw_incidents.parquet")
    assert [r["incident_code"] for r in incidents] == [" cs1 ", "RS2"]
    assert incidents[0]["country_as_written"] == "NA" and incidents[0]["place_as_written"] == "None"
    assert incidents[0]["governorate_as_written"] == "Ar Raqqah " and incidents[1]["governorate_as_written"] == "Idlib"
    assert incidents[0]["latitude"] == "35,9" and incidents[1]["latitude"] is None
    assessments = read_table(out / "raw_incident_assessments.parquet")
    assert [r["assessed_on"] for r in assessments] == ["2017-04-01", "2024-01-01"]
    assert [r["grade"] for r in assessments] == ["null", None]
    assert assessments[0]["civilians_killed_min"] == "N/A"
    assert [r["assessor_note"] for r in assessments] == [None, "incident_status Researched"]

    claims = read_table(out / "raw_claims.parquet")
    assert [c["claim_id"] for c in claims] == ["AW-1-1-1", "AW-1-1-2", "AW-2-1", "AW-999-1"]
    assert claims[0]["incident_date"] is None
    assert (claims[0]["incident_date_start"], claims[0]["incident_date_end"]) == ("2017-03-01", "2017-03-03")
    assert (claims[2]["incident_date"], claims[2]["incident_date_start"]) == ("2017-03-05", None)
    assert claims[2]["date_reported"] == "2 مارس 2026"
    orphan = claims[3]
    assert orphan["incident_code"] == "XX9" and orphan["place_as_written"] is None and orphan["incident_date"] is None

    sources = read_table(out / "raw_sources.parquet")
    assert [(s["source_name"], s["source_handle"]) for s in sources] == [("NA", "first"), (None, None), ("Orphan", None)]
    assert sources[1]["source_id"] == "AWS-" + hashlib.sha1(b"").hexdigest()[:12]

    statements = read_table(out / "raw_belligerent_statements.parquet")
    assert [(s["statement_id"], s["belligerent_as_written"]) for s in statements] == [
        ("AW-1-1", "coalition"), ("AW-2-4", "unknown")]
    assert len(read_table(out / "raw_incident_belligerents.parquet")) == 5
    assert read_table(out / "raw_declared_strikes.parquet") == []
    manifest = json.loads((out / "_import_manifest.json").read_text(encoding="utf-8"))
    assert manifest["facts"]["source_rows_sharing_airwars_id_and_order"] == 2
    assert manifest["facts"]["source_rows_without_incident"] == 1
    assert manifest["facts"]["belligerent_rows_exact_duplicates"] == 1


def test_ragged_row_fails_naming_file_and_line(made_up_archive: Path, tmp_path: Path) -> None:
    path = made_up_archive / "sources.csv"
    path.write_text(path.read_text(encoding="utf-8") + "RS2,2,2\n", encoding="utf-8")
    with pytest.raises(ArchiveError, match=r"sources\.csv: line 6 has 3 fields, the header has 9"):
        import_archive(made_up_archive, tmp_path / "out", PROJECT)


def test_refuses_to_replace_a_folder_that_is_not_an_import(made_up_archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ArchiveError, match="refusing to replace it"):
        import_archive(made_up_archive, out, PROJECT)
    assert snapshot(out) == {"notes.txt": hashlib.sha256(b"mine").hexdigest()}


def test_reimport_replaces_a_previous_import(made_up_archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    import_archive(made_up_archive, out, PROJECT)
    (out / "stale.parquet").write_bytes(b"old")
    import_archive(made_up_archive, out, PROJECT)
    assert not (out / "stale.parquet").exists()
    assert (out / "raw_claims.parquet").is_file()
    assert leftovers(tmp_path, "out") == []


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_refuses_to_write_into_a_tracked_folder_of_the_checkout(made_up_archive: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / RAW_CONTRACT_PATH).parent.mkdir(parents=True)
    shutil.copy(PROJECT / RAW_CONTRACT_PATH, project / RAW_CONTRACT_PATH)
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    (project / ".gitignore").write_text("data/\n", encoding="utf-8")
    with pytest.raises(ArchiveError, match="not git-ignored"):
        import_archive(made_up_archive, project / "seeds" / "archive", project)
    assert not (project / "seeds" / "archive").exists()
    import_archive(made_up_archive, project / "data" / "archive" / "raw", project)
    assert (project / "data" / "archive" / "raw" / "raw_claims.parquet").is_file()
