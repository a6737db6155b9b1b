"""The scale generator (civcas generate-scale): determinism, block boundaries, the raw contract,
the demo's shape and share of dirty rows, progress, and the demo generator left unchanged.

Datasets are small (a few thousand claims) cut into small blocks, so that several blocks and
their boundaries are exercised in seconds. The demo's own shape checks (test_generator.py) are
run on the scale output at the demo's size: the two generators must make the same kind of data.
"""

from __future__ import annotations

import inspect
import json
import random
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
import test_generator as demo_checks

from civcas.cli import main
from civcas.generator import (
    DEFAULT_CLAIMS,
    DIRTY_PLAN,
    _choice_excluding,
    _spelling,
    _spelling_weights,
    generate_demo,
)
from civcas.raw_contract import load_raw_contract
from civcas.scale import MANIFEST_NAME, ScaleError, generate_scale

PROJECT = Path(__file__).resolve().parents[2]
Tables = dict[str, list[dict[str, str]]]

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
def contract() -> dict[str, list[str]]:
    return load_raw_contract(PROJECT)


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
    """The scale generator at the demo's size, in several blocks."""
    out = tmp_path_factory.mktemp("scale") / "demo_size"
    generate_scale(out, PROJECT, DEFAULT_CLAIMS, workers=1, block_incidents=300)
    return read_scale_tables(out, contract)


@pytest.fixture(scope="module")
def demo_tables(tmp_path_factory: pytest.TempPathFactory, contract: dict[str, list[str]]) -> Tables:
    out = tmp_path_factory.mktemp("demo")
    generate_demo(out, PROJECT)
    return demo_checks.read_tables(out, contract)


@pytest.fixture(scope="module")
def lookups() -> tuple[dict[str, dict[str, str]], dict[str, tuple[float, float, float, float]]]:
    """The alias look-ups and country boxes test_generator's checks take (its fixtures, unwrapped)."""
    return demo_checks.ref.__wrapped__(), demo_checks.boxes.__wrapped__()


# --------------------------------------------------------------------------- determinism


def test_same_seed_and_n_write_identical_bytes_whatever_the_workers(odd: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate_scale(again, PROJECT, ODD_CLAIMS, workers=2, block_incidents=SMALL_BLOCK)
    first, second = parquet_bytes(odd), parquet_bytes(again)
    assert len(first) == 8
    assert first == second


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


SHAPE_CHECKS: tuple[Callable[..., None], ...] = (
    demo_checks.test_sources_and_links_are_obviously_fictional,
    demo_checks.test_protected_sources_exist_and_are_cited,
    demo_checks.test_all_six_source_types_with_platform_and_language,
    demo_checks.test_march_2017_is_the_coalition_record_and_beats_russia,
    demo_checks.test_russia_peaks_in_2015_2016_and_early_2018,
    demo_checks.test_march_2017_coalition_alleged_deaths_exceed_russia,
    demo_checks.test_campaign_scope_and_dates,
    demo_checks.test_claims_volume_linkage_and_skew,
    demo_checks.test_claims_use_every_date_and_figure_form,
    demo_checks.test_claims_use_arabic_and_varied_spellings,
    demo_checks.test_contested_attributions,
    demo_checks.test_assessments_change_over_time_and_some_incidents_stay_ungraded,
    demo_checks.test_confirmed_only_for_coalition_incidents_with_a_credible_verdict,
    demo_checks.test_russia_gives_no_verdicts_and_coalition_concedes_less_than_alleged,
    demo_checks.test_declared_strikes_sit_near_many_but_not_all_coalition_incidents,
    demo_checks.test_every_dirty_kind_occurs_where_it_applies,
    demo_checks.test_clean_rows_keep_their_promises,
)


@pytest.mark.parametrize("check", SHAPE_CHECKS, ids=lambda check: check.__name__.removeprefix("test_"))
def test_scale_output_at_demo_size_passes_the_demo_shape_checks(check: Callable[..., None], demo_size: Tables,
                                                                 lookups: tuple[dict, dict]) -> None:
    ref, boxes = lookups
    available = {"tables": demo_size, "ref": ref, "boxes": boxes}
    check(**{name: available[name] for name in inspect.signature(check).parameters})


def test_dirty_rows_in_the_files_match_the_manifest_and_the_demo_plan(odd: Path, odd_tables: Tables,
                                                                       lookups: tuple[dict, dict]) -> None:
    ref, boxes = lookups
    found = demo_checks.detect_dirt(odd_tables, ref, boxes)
    logged = manifest(odd)["dirty_rows"]
    scale = ODD_CLAIMS / DEFAULT_CLAIMS
    for kind, per_table in DIRTY_PLAN.items():
        for table, count in per_table.items():
            made = logged.get(kind, {}).get(table, 0)
            assert found[kind][table] == made, (kind, table, found[kind][table], made)
            if kind != "old_grade_name":  # logged as every old name in the file, drawn ones too
                assert made == max(1, round(count * scale)), (kind, table, made, count * scale)


def test_dirty_share_of_each_table_is_the_demos(odd_tables: Tables, demo_tables: Tables, lookups: tuple[dict, dict]) -> None:
    ref, boxes = lookups

    def shares(tables: Tables) -> dict[str, float]:
        found = demo_checks.detect_dirt(tables, ref, boxes)
        return {t: sum(found[k][t] for k in found) / len(rows) for t, rows in tables.items() if t != "raw_dataset"}

    scale, demo = shares(odd_tables), shares(demo_tables)
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
    with pytest.raises(ScaleError, match="between 200"):
        generate_scale(tmp_path / "x", PROJECT, 150)


# --------------------------------------------------------------------------- the demo generator


def test_generate_demo_still_writes_the_committed_seeds_byte_for_byte(tmp_path: Path, contract: dict[str, list[str]]) -> None:
    generate_demo(tmp_path, PROJECT)
    for table in contract:
        written = (tmp_path / f"{table}.csv").read_bytes()
        committed = (PROJECT / "seeds" / "raw" / f"{table}.csv").read_bytes()
        assert written == committed, f"{table}.csv differs from seeds/raw; run `make demo` if the change is intended"


def test_spelling_weights_are_the_frequencies_spelling_draws() -> None:
    options = ["Raqqa", "Ar Raqqah", "al-Raqqa", "الرقة", "رقة"]
    for arabic_share, first_share in ((0.45, 0.4), (0.03, 0.6), (0.0, 0.5)):
        rng = random.Random(1)
        draws = Counter(_spelling(rng, options, arabic_share, first_share) for _ in range(40_000))
        for option, weight in zip(options, _spelling_weights(options, arabic_share, first_share), strict=False):
            assert abs(draws[option] / 40_000 - weight) < 0.01, (option, arabic_share, draws[option], weight)


def test_choice_excluding_draws_what_choice_over_the_filtered_list_draws() -> None:
    options = [f"SRC{i:04d}" for i in range(1, 40)]
    for seed in range(200):
        excluded = options[seed % len(options)] if seed % 7 else "not-an-option"
        a, b = random.Random(seed), random.Random(seed)
        assert _choice_excluding(a, options, excluded) == b.choice([o for o in options if o != excluded])
        assert a.random() == b.random()
