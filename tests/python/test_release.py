"""`civcas release`: the release folder of the demo warehouse, its reproducibility, its checksums,
the protected-source scan and the synthetic warning.

One release of the session's demo build is written per module (`demo_release`); a second one
replaces it (`--force`) to prove that the same warehouse gives the same bytes. Everything else
works on copies of that folder or calls the release's functions directly."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import hashlib
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from browser import require_chromium, visit
from conftest import PROJECT_DIR, start_paused

from civcas import cli
from civcas.charts import render_charts
from civcas.faults import BUILDING_MARKER
from civcas.protection import ProtectedValue, load_protected_values, scan_folder
from civcas.release import (
    CHECKSUMS_NAME,
    COUNTING_RULES,
    MANIFEST_NAME,
    SYNTHETIC_WARNING,
    ZERO_ROWS_NOTE,
    BuildRecord,
    ReleaseError,
    check_order_is_total,
    data_dictionary_rows,
    final_order_by,
    find_exports,
    format_value,
    read_export,
    release_credit,
    verify_release,
    write_csv,
)

EXPECTED_FILES = {"public_incidents", "monthly_coalition_vs_russia", "monthly_belligerent_summary",
                  "grade_summary", "admitted_vs_alleged"}
# The monitor comparison (UCDP, issue 17 part 3) is released once its export is in the project.
if (PROJECT_DIR / "models" / "exports" / "export_monthly_monitor_comparison.sql").is_file():
    EXPECTED_FILES.add("monthly_monitor_comparison")
CHARTS = {"monthly_alleged_deaths_coalition_vs_russia", "grade_mix_per_month", "cumulative_admitted_vs_alleged",
          "monthly_deaths_monitor_vs_ucdp"}
# Files whose bytes depend only on the warehouse (the docs and data docs carry generation times).
REPRODUCIBLE = ("csv/", "parquet/", "charts/", "data_dictionary.csv", "data_dictionary.md", "README.txt",
                "index.html")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _release_command(warehouse: Path, target: Path, out: Path, *extra: str) -> list[str]:
    return ["release", "--project-dir", str(PROJECT_DIR), "--warehouse", str(warehouse),
            "--dbt-target", str(target), "--out", str(out), *extra]


@pytest.fixture(scope="module")
def build_paths(demo_build) -> tuple[Path, Path]:
    result, duckdb_path = demo_build
    if not duckdb_path.exists():
        pytest.fail(f"dbt build wrote no warehouse: {result.exception}")
    return duckdb_path, duckdb_path.parent / "target"


def _reproducible_hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): _sha256(p) for p in sorted(folder.rglob("*"))
            if p.is_file() and p.relative_to(folder).as_posix().startswith(REPRODUCIBLE)}


@pytest.fixture(scope="module")
def released_twice(build_paths, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The demo warehouse released with the command line, then released again over it with
    --force; returns the folder and the hashes of the first release's reproducible files."""
    warehouse, target = build_paths
    out = tmp_path_factory.mktemp("release") / "demo-release"
    assert cli.main(_release_command(warehouse, target, out)) == 0, "civcas release failed (see stderr)"
    first = _reproducible_hashes(out)
    assert cli.main(_release_command(warehouse, target, out, "--force")) == 0, "release --force failed"
    return out, first


@pytest.fixture(scope="module")
def demo_release(released_twice) -> Path:
    return released_twice[0]


@pytest.fixture(scope="module")
def protected_values(build_paths) -> list[ProtectedValue]:
    with duckdb.connect(str(build_paths[0]), read_only=True) as connection:
        values = load_protected_values(connection)
    assert values, "the demo has protected sources, so restricted_protected_values must not be empty"
    return values


@pytest.fixture(scope="module")
def release_manifest(demo_release) -> dict:
    return json.loads((demo_release / MANIFEST_NAME).read_text(encoding="utf-8"))


@pytest.fixture()
def release_copy(demo_release, tmp_path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(demo_release, copy)
    return copy


# --------------------------------------------------------------------------- contents


def test_release_holds_every_expected_file(demo_release, manifest):
    declared = {spec.file for spec in find_exports(manifest)}
    assert declared == EXPECTED_FILES
    for file in declared:
        assert (demo_release / "csv" / f"{file}.csv").stat().st_size > 0
        assert (demo_release / "parquet" / f"{file}.parquet").stat().st_size > 0
    for chart in CHARTS:
        png, svg = demo_release / "charts" / f"{chart}.png", demo_release / "charts" / f"{chart}.svg"
        assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and png.stat().st_size > 20_000, chart
        assert b"<svg" in svg.read_bytes()[:2000] and svg.stat().st_size > 10_000, chart
    for name in ("data_dictionary.csv", "data_dictionary.md", "README.txt", MANIFEST_NAME, CHECKSUMS_NAME,
                 "docs/index.html", "data_docs/index.html", "index.html"):
        assert (demo_release / name).is_file(), name
    assert not list(demo_release.parent.glob(".demo-release.*")), "a staging folder was left behind"


def test_csv_files_are_utf8_lf_with_the_model_columns_and_formats(demo_release, manifest):
    specs = {spec.file: spec for spec in find_exports(manifest)}
    for file, spec in specs.items():
        data = (demo_release / "csv" / f"{file}.csv").read_bytes()
        assert b"\r" not in data and data.endswith(b"\n") and not data.startswith(b"\xef\xbb\xbf"), file
        header = next(csv.reader(io.StringIO(data.decode("utf-8"))))
        assert header == [c.name for c in spec.columns], file
    comparison = pd.read_csv(demo_release / "csv" / "monthly_coalition_vs_russia.csv", dtype=str,
                             keep_default_na=False)
    assert set(comparison["is_synthetic"]) == {"true"}
    assert comparison["month"].str.fullmatch(r"\d{4}-\d{2}-01").all()
    assert comparison["coalition_alleged_killed_max"].str.fullmatch(r"\d+").all(), "integers are written as digits"


def test_csv_rows_follow_the_model_order(demo_release, build_paths):
    with duckdb.connect(str(build_paths[0]), read_only=True) as connection:
        expected = connection.sql("select incident_code from exports.export_public_incidents "
                                  "order by incident_date, incident_code").fetchall()
    released = pd.read_csv(demo_release / "csv" / "public_incidents.csv", dtype=str)
    assert released["incident_code"].tolist() == [code for (code,) in expected]


def test_parquet_twins_hold_the_same_rows_with_contract_types(demo_release, build_paths):
    with duckdb.connect(str(build_paths[0]), read_only=True) as connection:
        for file in EXPECTED_FILES:
            table = pq.read_table(demo_release / "parquet" / f"{file}.parquet")
            header = next(csv.reader((demo_release / "csv" / f"{file}.csv").open(encoding="utf-8")))
            assert table.column_names == header, file
            rows = sum(1 for _ in (demo_release / "csv" / f"{file}.csv").open(encoding="utf-8")) - 1
            assert table.num_rows == rows, file
            warehouse_types = dict(connection.execute(
                f"select column_name, data_type from information_schema.columns "
                f"where table_schema = 'exports' and table_name = 'export_{file}'").fetchall())
            for field in table.schema:
                if warehouse_types[field.name] == "DATE":
                    assert pa.types.is_date32(field.type), (file, field.name)
                elif warehouse_types[field.name] == "BOOLEAN":
                    assert pa.types.is_boolean(field.type), (file, field.name)
                elif warehouse_types[field.name] == "VARCHAR":
                    assert pa.types.is_string(field.type), (file, field.name)
                elif warehouse_types[field.name] in ("BIGINT", "INTEGER"):
                    assert pa.types.is_integer(field.type), (file, field.name)


def test_data_dictionary_lists_every_released_column_with_a_description(demo_release):
    dictionary = pd.read_csv(demo_release / "data_dictionary.csv", dtype=str, keep_default_na=False)
    assert set(dictionary["file"]) == {f"csv/{file}.csv" for file in EXPECTED_FILES}
    for file in EXPECTED_FILES:
        header = next(csv.reader((demo_release / "csv" / f"{file}.csv").open(encoding="utf-8")))
        rows = dictionary[dictionary["file"] == f"csv/{file}.csv"]
        file_rows, column_rows = rows[rows["column_position"] == "0"], rows[rows["column_position"] != "0"]
        assert len(file_rows) == 1 and file_rows["column_name"].tolist() == [""], file
        assert "One row per" in file_rows["description"].iloc[0], file
        assert column_rows["column_name"].tolist() == header, file
        assert (column_rows["description"].str.strip() != "").all(), file
        assert (column_rows["data_type"].str.strip() != "").all(), file
    markdown = (demo_release / "data_dictionary.md").read_text(encoding="utf-8")
    for column in dictionary["column_name"]:
        assert not column or f"`{column}`" in markdown
    assert ZERO_ROWS_NOTE in markdown


# Words a reader of the CSV files should never meet: the machinery of the warehouse.
JARGON = re.compile(r"exposure|meta\.|byte-identical|\b(fct|dim|int|stg|export|ref)_|\bdbt\b|\bmacro|\bmodel\b|"
                    r"\bvar\b|\bvars\b|seeds/|\.sql\b|\{\{|\bmart|\bcontract|civcas_|release_file|yaml|"
                    r"\bnull\b|\bspine\b|\bpartition", re.IGNORECASE)
MAX_COLUMN_DESCRIPTION = 200
MAX_FILE_DESCRIPTION = 400


def dictionary_problems(rows: list[tuple]) -> list[str]:
    """What makes a data dictionary unfit for a journalist: a description repeated within a file
    (or the file's own description repeated on its columns), one over the length limits, or
    developer jargon."""
    problems = []
    files: dict[str, list[tuple]] = {}
    for row in rows:
        files.setdefault(row[0], []).append(row)
    for file, file_rows in files.items():
        described = [r for r in file_rows if r[1] == 0]
        if len(described) != 1:
            problems.append(f"{file}: {len(described)} file descriptions, not one")
        seen: dict[str, str] = {}
        for _, position, column, _, description in file_rows:
            what = f"{file} {column or '(file)'}"
            limit = MAX_FILE_DESCRIPTION if position == 0 else MAX_COLUMN_DESCRIPTION
            if len(description) > limit:
                problems.append(f"{what}: {len(description)} characters, over {limit}")
            if description in seen:
                problems.append(f"{what}: the same description as {seen[description]}")
            seen.setdefault(description, what)
            if JARGON.search(description):
                problems.append(f"{what}: jargon {JARGON.search(description).group(0)!r}")
    return problems


def test_the_dictionary_is_short_plain_and_never_repeats_itself(manifest):
    rows = data_dictionary_rows(find_exports(manifest))
    assert dictionary_problems(rows) == []
    # The checker fails where it must: a repeated, an over-long and a jargon description.
    file, column = rows[1][0], rows[1][2]
    assert dictionary_problems(rows + [(file, 99, "copy", "x", rows[1][4])]) == [
        f"{file} copy: the same description as {file} {column}"]
    assert "over 200" in dictionary_problems([(file, 0, "", "", "f"), (file, 1, "a", "x", "long " * 41)])[0]
    assert "jargon 'exposure'" in dictionary_problems([(file, 0, "", "", "Built by the exposure.")])[0]


def test_docs_and_dictionary_say_the_same(demo_release, manifest):
    # One place: the export YAML's column descriptions are the dictionary's, word for word.
    dictionary = pd.read_csv(demo_release / "data_dictionary.csv", dtype=str, keep_default_na=False)
    for spec in find_exports(manifest):
        node = manifest["nodes"][spec.unique_id]
        rows = dictionary[(dictionary["file"] == f"csv/{spec.file}.csv") & (dictionary["column_position"] != "0")]
        assert rows["description"].tolist() == [" ".join(c["description"].split()) for c in node["columns"].values()]


def test_docs_site_embeds_the_build_manifest_and_a_catalog(demo_release, build_paths):
    page = (demo_release / "docs" / "index.html").read_text(encoding="utf-8")
    assert "MANIFEST.JSON INLINE DATA" not in page and "CATALOG.JSON INLINE DATA" not in page
    build_manifest = json.loads((build_paths[1] / "manifest.json").read_text(encoding="utf-8"))
    assert build_manifest["metadata"]["invocation_id"] in page
    assert "export_public_incidents" in page


def test_manifest_records_build_sources_and_every_file(demo_release, release_manifest, build_paths):
    run_results = json.loads((build_paths[1] / "run_results.json").read_text(encoding="utf-8"))
    assert release_manifest["format"] == "civcas-release"
    assert release_manifest["build"]["invocation_id"] == run_results["metadata"]["invocation_id"]
    assert release_manifest["build"]["generated_at"] == run_results["metadata"]["generated_at"]
    assert [d["dataset_id"] for d in release_manifest["datasets"]] == ["civcas-demo"]
    assert release_manifest["command_line"].startswith("civcas release --warehouse ")
    listed = {entry["path"]: entry for entry in release_manifest["files"]}
    on_disk = {p.relative_to(demo_release).as_posix() for p in demo_release.rglob("*") if p.is_file()}
    assert set(listed) == on_disk - {MANIFEST_NAME, CHECKSUMS_NAME}
    for path, entry in listed.items():
        assert entry["bytes"] == (demo_release / path).stat().st_size
        assert entry["sha256"] == _sha256(demo_release / path)
    for file in EXPECTED_FILES:
        rows = sum(1 for _ in (demo_release / "csv" / f"{file}.csv").open(encoding="utf-8")) - 1
        assert listed[f"csv/{file}.csv"]["rows"] == rows
        assert listed[f"parquet/{file}.parquet"]["rows"] == rows
    assert release_manifest["protection_scan"]["hits"] == 0


# --------------------------------------------------------------------------- index.html


def _syria_totals(demo_release: Path) -> dict[str, dict[str, int]]:
    """Each side's alleged incidents and deaths in Syria over the months from the first to the last
    with an alleged incident, summed here from the released CSV (not by civcas.release_page)."""
    with (demo_release / "csv" / "monthly_coalition_vs_russia.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    active = [r["month"] for r in rows if int(r["coalition_alleged_incidents"]) or int(r["russia_alleged_incidents"])]
    syria = [r for r in rows if r["country_id"] == "syria" and min(active) <= r["month"] <= max(active)]
    return {side: {what: sum(int(r[f"{side}_{what}"]) for r in syria if r[f"{side}_{what}"] != "")
                   for what in ("alleged_incidents", "alleged_killed_min", "alleged_killed_max",
                                "likely_killed_min", "likely_killed_max")}
            for side in ("coalition", "russia")}


def test_index_page_is_listed_like_every_file_and_states_the_headline_figures(demo_release, release_manifest):
    assert release_manifest["index"] == "index.html"
    assert "index.html" in {entry["path"] for entry in release_manifest["files"]}
    sums = (demo_release / CHECKSUMS_NAME).read_text(encoding="utf-8")
    assert f"{_sha256(demo_release / 'index.html')}  index.html\n" in sums
    page = (demo_release / "index.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and not re.search(r"(src|href)=\"(https?:)?//", page)
    assert SYNTHETIC_WARNING in page
    for side, totals in _syria_totals(demo_release).items():
        card = re.search(rf'data-side="{side}">(.*?)</section>', page, flags=re.S).group(1)
        assert f"{totals['alleged_killed_min']:,}\u2013{totals['alleged_killed_max']:,}" in card, side
        assert f"in {totals['alleged_incidents']:,} incidents" in card, side
        assert f"{totals['likely_killed_min']:,}\u2013{totals['likely_killed_max']:,}" in card, side
    for chart in CHARTS:
        assert f'src="charts/{chart}.png"' in page, chart
    for file in EXPECTED_FILES:
        assert f'href="csv/{file}.csv"' in page, file
    assert "Open index.html first" in (demo_release / "README.txt").read_text(encoding="utf-8")


def test_index_page_opens_in_chromium_with_every_chart_and_no_request_off_the_machine(demo_release,
                                                                                        tmp_path_factory):
    require_chromium()
    screenshot = tmp_path_factory.mktemp("screenshots") / "release_index.png"
    seen = visit(demo_release / "index.html", screenshot)
    print(f"screenshot of the release page: {screenshot}")
    assert not seen.outside, f"the page asked for something off the machine: {seen.outside}"
    assert {image["src"] for image in seen.images} == {f"charts/{chart}.png" for chart in CHARTS}
    broken = [image["src"] for image in seen.images if not image["complete"] or image["naturalWidth"] <= 0]
    assert not broken, f"images that did not load: {broken}"
    assert not [m for m in seen.console if "Content Security Policy" in m or "Failed to load" in m], seen.console
    assert "Headline figures" in seen.text and SYNTHETIC_WARNING in seen.text
    coalition = _syria_totals(demo_release)["coalition"]
    assert f"{coalition['alleged_killed_min']:,}\u2013{coalition['alleged_killed_max']:,}" in seen.text
    assert screenshot.stat().st_size > 50_000


# --------------------------------------------------------------------------- synthetic warning


def test_synthetic_warning_is_on_every_chart_and_in_the_manifest_and_readme(demo_release, release_manifest):
    assert release_manifest["is_synthetic"] is True
    assert release_manifest["synthetic_warning"] == SYNTHETIC_WARNING
    for chart in CHARTS:
        svg = (demo_release / "charts" / f"{chart}.svg").read_text(encoding="utf-8")
        assert SYNTHETIC_WARNING in svg, chart
        assert "SYNTHETIC DEMO DATA" in svg.replace(SYNTHETIC_WARNING, ""), f"{chart}: no watermark"
    assert SYNTHETIC_WARNING.upper() in (demo_release / "README.txt").read_text(encoding="utf-8")


def test_charts_of_real_data_carry_no_synthetic_warning(demo_release, tmp_path):
    # Synthetic is read from the data's is_synthetic column: flip it and the warning goes.
    frames = {}
    for file in EXPECTED_FILES:
        frame = pq.read_table(demo_release / "parquet" / f"{file}.parquet").to_pandas()
        frame["is_synthetic"] = False
        frames[file] = frame
    names = render_charts(frames, tmp_path, dataset_is_synthetic=False)
    assert set(names) == CHARTS
    for name in names:
        assert "SYNTHETIC" not in (tmp_path / f"{name}.svg").read_text(encoding="utf-8"), name


def test_readme_states_the_counting_rules_of_the_project_readme(demo_release):
    # The rules are the project README's wording without its markup and column references,
    # so the two cannot drift apart.
    project_readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    project_readme = re.sub(r" \(`[^`]*`\)", "", project_readme).replace("*", "").replace("`", "")
    project_readme = " ".join(project_readme.split())
    release_readme = " ".join((demo_release / "README.txt").read_text(encoding="utf-8").split())
    for rule in COUNTING_RULES:
        assert rule in project_readme, rule
        assert rule in release_readme, rule


# --------------------------------------------------------------------------- reproducibility


def test_the_same_warehouse_gives_byte_identical_files(released_twice, build_paths):
    out, first = released_twice
    assert any(p.endswith(".svg") for p in first) and any(p.endswith(".png") for p in first)
    assert any(p.endswith(".csv") for p in first) and any(p.endswith(".parquet") for p in first)
    second = _reproducible_hashes(out)
    assert second.keys() == first.keys()
    changed = sorted(path for path in first if first[path] != second[path])
    assert not changed, f"not reproducible: {changed}"
    assert not list(out.parent.glob(".demo-release.*")), "the replaced release or a staging folder was left"
    # Without --force a previous release is not replaced.
    assert cli.main(_release_command(*build_paths, out)) == 2


def test_csv_writer_formats_deterministically_and_writes_a_header_for_no_rows(tmp_path):
    assert write_csv(tmp_path / "empty.csv", ["month", "count"], []) == 0
    assert (tmp_path / "empty.csv").read_bytes() == b"month,count\n"
    values = [None, True, False, 12, decimal.Decimal("0.250"), 0.1, 1e-07, 3.0, dt.date(2017, 3, 1),
              ["a", "b"], 'say "x", y']
    expected = ["", "true", "false", "12", "0.250", "0.1", "0.0000001", "3", "2017-03-01", '["a","b"]',
                'say "x", y']
    assert [format_value(v) for v in values] == expected
    write_csv(tmp_path / "one.csv", [f"c{i}" for i in range(len(values))], [values])
    data = (tmp_path / "one.csv").read_bytes()
    assert list(csv.reader(io.StringIO(data.decode("utf-8"))))[1] == expected
    assert data.count(b"\n") == 2 and b"\r" not in data
    with pytest.raises(ReleaseError):
        format_value(float("nan"))


def test_an_empty_export_is_released_as_a_header_only_csv(build_paths, manifest, tmp_path):
    copy = tmp_path / "civcas.duckdb"
    shutil.copyfile(build_paths[0], copy)
    spec = next(s for s in find_exports(manifest) if s.file == "monthly_coalition_vs_russia")
    with duckdb.connect(str(copy)) as connection:
        connection.execute(f"delete from {spec.qualified_name}")
    with duckdb.connect(str(copy), read_only=True) as connection:
        table = read_export(connection, spec)
    assert table.num_rows == 0
    assert write_csv(tmp_path / "empty.csv", table.column_names, []) == 0
    assert (tmp_path / "empty.csv").read_text(encoding="utf-8") == ",".join(c.name for c in spec.columns) + "\n"


def test_an_order_by_that_leaves_ties_is_refused(build_paths, manifest, tmp_path):
    copy = tmp_path / "civcas.duckdb"
    shutil.copyfile(build_paths[0], copy)
    spec = next(s for s in find_exports(manifest) if s.file == "monthly_coalition_vs_russia")
    with duckdb.connect(str(copy)) as connection:
        columns = [row[0] for row in connection.execute(f"describe {spec.qualified_name}").fetchall()]
        check_order_is_total(connection, spec, columns)  # the real export is totally ordered
        # a second row for the same month and scope, differing only in a measure
        connection.execute(f"insert into {spec.qualified_name} select * replace (coalition_alleged_incidents + 1 "
                           f"as coalition_alleged_incidents) from {spec.qualified_name} limit 1")
        with pytest.raises(ReleaseError, match="tied"):
            check_order_is_total(connection, spec, columns)


def test_final_order_by_reads_only_the_top_level_clause():
    sql = """
        with final as (
            select *, row_number() over (partition by a order by b) as n from t order by z  -- inner
        )
        select * from final
        /* order by nothing */
        order by month, country_id desc nulls last, 'x,y' -- trailing, comment
    """
    assert final_order_by(sql) == ["month", "country_id desc nulls last", "'x,y'"]
    assert final_order_by("select * from (select * from t order by a) as s") is None
    assert final_order_by("select * from t order by a limit 5;") == ["a"]


# --------------------------------------------------------------------------- checksums


def test_verify_passes_on_the_release_and_sha256sum_format(demo_release):
    checked, problems = verify_release(demo_release)
    assert problems == [] and checked > 10
    line = (demo_release / CHECKSUMS_NAME).read_text(encoding="utf-8").splitlines()[0]
    digest, path = line.split("  ", 1)
    assert len(digest) == 64 and _sha256(demo_release / path) == digest
    assert cli.main(["release", "--verify", str(demo_release)]) == 0


def test_verify_fails_after_one_byte_changes(release_copy):
    target = release_copy / "csv" / "public_incidents.csv"
    data = bytearray(target.read_bytes())
    data[-2] = ord("7") if data[-2] != ord("7") else ord("8")
    target.write_bytes(bytes(data))
    assert cli.main(["release", "--verify", str(release_copy)]) == 1
    _, problems = verify_release(release_copy)
    assert problems == ["csv/public_incidents.csv: SHA-256 does not match SHA256SUMS (the file changed)"]


def test_verify_fails_on_an_unlisted_or_missing_file(release_copy):
    (release_copy / "csv" / "extra.csv").write_text("a\n", encoding="utf-8")
    (release_copy / "charts" / "grade_mix_per_month.png").unlink()
    _, problems = verify_release(release_copy)
    assert any("extra.csv" in p and "not listed" in p for p in problems)
    assert any("grade_mix_per_month.png" in p and "missing" in p for p in problems)


# --------------------------------------------------------------------------- protected sources


def test_protected_scan_passes_on_the_demo_release(demo_release, protected_values):
    result = scan_folder(demo_release, protected_values)
    assert result.hits == []
    assert result.files_scanned == sum(1 for p in demo_release.rglob("*") if p.is_file())
    assert result.values_searched > 0


def _value(protected_values: list[ProtectedValue], kind: str) -> ProtectedValue:
    return next(v for v in protected_values if v.value_kind == kind and len(v.value) >= 8)


def test_protected_scan_finds_a_value_planted_in_an_export_csv(release_copy, protected_values):
    planted = _value(protected_values, "source_name")
    target = release_copy / "csv" / "public_incidents.csv"
    lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
    # upper-cased into the first data row, as if a place field quoted the source
    lines[1] = lines[1].replace(",", f",{planted.value.upper()},", 1)
    target.write_text("".join(lines), encoding="utf-8")
    assert planted.value.upper() in target.read_text(encoding="utf-8")
    hits = scan_folder(release_copy, protected_values).hits
    assert [(h.path, h.source_id) for h in hits if h.value_kind == "source_name"] == [
        ("csv/public_incidents.csv", planted.source_id)]
    assert all(planted.value.casefold() not in h.describe().casefold() for h in hits)


def test_protected_scan_finds_values_in_svg_json_html_parquet_and_file_names(release_copy, protected_values):
    handle, url = _value(protected_values, "source_handle"), _value(protected_values, "report_url")
    svg = release_copy / "charts" / "grade_mix_per_month.svg"
    svg.write_text(svg.read_text(encoding="utf-8").replace("</svg>", f"<text>{handle.value}</text></svg>"),
                   encoding="utf-8")
    manifest = release_copy / MANIFEST_NAME
    escaped = json.dumps(url.value, ensure_ascii=True).replace("/", "\\/").replace("h", "\\u0068")
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"format"', f'"x": {escaped}, "format"', 1),
                        encoding="utf-8")
    page = release_copy / "docs" / "index.html"
    page.write_text(page.read_text(encoding="utf-8") + "".join(f"&#{ord(c)};" for c in handle.value),
                    encoding="utf-8")
    parquet = release_copy / "parquet" / "grade_summary.parquet"
    table = pq.read_table(parquet)
    column = table.column("grade_group_name").to_pylist()
    column[3] = f"see {url.value}"
    pq.write_table(table.set_column(table.column_names.index("grade_group_name"), "grade_group_name",
                                    pa.array(column, type=pa.string())), parquet)
    name = _value(protected_values, "source_name")
    (release_copy / "charts" / f"{name.value}.txt").write_text("x", encoding="utf-8")
    hits = {(h.path, h.value_kind, h.in_file_name) for h in scan_folder(release_copy, protected_values).hits}
    assert ("charts/grade_mix_per_month.svg", "source_handle", False) in hits
    assert (MANIFEST_NAME, "report_url", False) in hits
    assert ("docs/index.html", "source_handle", False) in hits
    assert ("parquet/grade_summary.parquet", "report_url", False) in hits
    assert (f"charts/{name.value}.txt", "source_name", True) in hits


def test_protected_values_shorter_than_four_characters_are_not_searched(release_copy):
    result = scan_folder(release_copy, [ProtectedValue("al", "source_name", "S1"),
                                        ProtectedValue("Demo", "source_name", "S2")])
    assert result.values_too_short == 1 and result.values_searched == 1
    assert {h.source_id for h in result.hits} == {"S2"}, "'Demo' occurs in the demo release, 'al' is skipped"


# --------------------------------------------------------------------------- refusals


def test_release_refuses_a_folder_that_is_not_a_release(build_paths, tmp_path):
    out = tmp_path / "notes"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    assert cli.main(_release_command(*build_paths, out, "--force")) == 2
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_release_refuses_a_failed_build(build_paths, tmp_path):
    warehouse, target = build_paths
    broken = tmp_path / "target"
    broken.mkdir()
    shutil.copyfile(target / "manifest.json", broken / "manifest.json")
    run_results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    run_results["results"][0]["status"] = "error"
    (broken / "run_results.json").write_text(json.dumps(run_results), encoding="utf-8")
    out = tmp_path / "release"
    assert cli.main(_release_command(warehouse, broken, out)) == 1
    assert not out.exists()


def test_release_stops_on_a_missing_export_and_leaves_nothing(build_paths, tmp_path):
    warehouse, target = build_paths
    broken = tmp_path / "target"
    broken.mkdir()
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    manifest["nodes"]["model.civcas.export_grade_summary"]["alias"] = "export_not_built"
    (broken / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    shutil.copyfile(target / "run_results.json", broken / "run_results.json")
    out = tmp_path / "releases" / "release"
    assert cli.main(_release_command(warehouse, broken, out)) == 1
    assert not out.exists()
    assert [p.name for p in out.parent.iterdir()] == [".civcas-release.lock"], "the building folder was not removed"


def test_a_failed_release_leaves_the_previous_release_as_it_was(build_paths, release_copy, tmp_path):
    warehouse, target = build_paths
    broken = tmp_path / "target"
    broken.mkdir()
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    manifest["nodes"]["model.civcas.export_grade_summary"]["alias"] = "export_not_built"
    (broken / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    shutil.copyfile(target / "run_results.json", broken / "run_results.json")
    before = {p.relative_to(release_copy).as_posix(): _sha256(p) for p in release_copy.rglob("*") if p.is_file()}
    assert cli.main(_release_command(warehouse, broken, release_copy, "--force")) == 1
    after = {p.relative_to(release_copy).as_posix(): _sha256(p) for p in release_copy.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in release_copy.parent.iterdir()) == [".civcas-release.lock", "copy", "target"]


def test_release_refuses_a_target_folder_of_another_build(build_paths, tmp_path):
    # dbt-duckdb names the database after the file: a target of `make build-archive` says `archive`.
    other = tmp_path / "archive.duckdb"
    other.write_bytes(b"")
    out = tmp_path / "release"
    assert cli.main(_release_command(other, build_paths[1], out)) == 2
    assert not out.exists()


# --------------------------------------------------------------------------- faults


# A release killed (kill -9) after the snapshot, after the CSV and Parquet files are written (not
# yet scanned) and after the scan (not yet renamed into place).
KILL_STAGES = ("release-snapshot", "release-exports-written", "release-scanned")




def _cli(*args: str, **environment: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "civcas", *args], cwd=PROJECT_DIR, capture_output=True, text=True,
                          env={**os.environ, "DO_NOT_TRACK": "1", **environment}, check=False)


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_a_release_killed_at_any_stage_leaves_no_release_and_no_snapshot_outside_and_the_next_run_cleans(
        build_paths, tmp_path):
    warehouse, target = build_paths
    releases = tmp_path / "releases"
    out = releases / "killed"
    temporary = tmp_path / "system-tmp"
    temporary.mkdir()
    command = [sys.executable, "-m", "civcas", *_release_command(warehouse, target, out)]
    for stage in KILL_STAGES:
        process = start_paused(command, stage, tmp_path, TMPDIR=str(temporary))
        if stage == "release-snapshot":
            # A second release into the same folder meanwhile: refused, and the live run's folder kept.
            busy = _cli(*_release_command(warehouse, target, releases / "other"))
            assert busy.returncode == 1 and "another `civcas release`" in busy.stderr, busy.stderr
            assert "Traceback" not in busy.stderr
            assert len([p for p in releases.iterdir() if p.name.endswith(".not-a-release")]) == 1
        process.kill()
        process.communicate(timeout=60)
        assert process.returncode == -9
        visible = [p.name for p in releases.iterdir() if not p.name.startswith(".")]
        assert visible == [], f"killed at {stage}, a folder a person could take for a release: {visible}"
        assert _files(temporary) == [], f"killed at {stage}, files left in the system temporary folder"
        building = [p for p in releases.iterdir() if p.name.endswith(".not-a-release")]
        assert len(building) == 1, [p.name for p in releases.iterdir()]
        assert stat.S_IMODE(building[0].stat().st_mode) == 0o700
        assert "NOT A RELEASE" in (building[0] / BUILDING_MARKER).read_text(encoding="utf-8")
        assert (building[0] / "work" / "db" / warehouse.name).is_file(), "the snapshot sits inside it"
        if stage != "release-snapshot":
            assert list(building[0].glob("release/csv/*.csv")), "the unscanned files sit inside it"
    # what earlier civcas versions left: a staging folder of unscanned files, a release moved aside;
    # and an importer's folder moved aside, which is not a release's to remove
    (releases / ".killed.building-k2j4x9" / "csv").mkdir(parents=True)
    (releases / ".killed.building-k2j4x9" / "csv" / "public_incidents.csv").write_text("unscanned\n")
    (releases / ".killed.replaced-9xq1").mkdir()
    (releases / ".killed.replaced-9xq1" / MANIFEST_NAME).write_text('{"format": "civcas-release"}')
    (releases / ".raw.replaced-7abc").mkdir()
    # the next release removes every leftover of a release, and is the only thing left beside the lock
    assert cli.main(_release_command(warehouse, target, out)) == 0
    assert sorted(p.name for p in releases.iterdir()) == [".civcas-release.lock", ".raw.replaced-7abc", "killed"]
    assert verify_release(out)[1] == []


def test_a_held_warehouse_a_missing_file_and_a_full_disk_are_one_paragraph(build_paths, tmp_path):
    warehouse, target = build_paths
    holder_script = "import sys, duckdb\nc = duckdb.connect(sys.argv[1])\nprint('holding', flush=True)\nsys.stdin.read()"
    holder = subprocess.Popen([sys.executable, "-c", holder_script, str(warehouse)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding", holder.stderr.read()
        done = _cli(*_release_command(warehouse, target, tmp_path / "releases" / "held"))
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"Could not set lock on file {warehouse}" in done.stderr and f"ps -p {holder.pid}" in done.stderr
    # The build record is read first, so a held warehouse stops the release before it writes anything.
    assert not (tmp_path / "releases").exists()

    done = _cli(*_release_command(tmp_path / "civcas.duckdb", target, tmp_path / "releases" / "missing"))
    assert done.returncode == 1 and "Traceback" not in done.stderr and "warehouse not found" in done.stderr

    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount_point)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({mounted.stderr.strip()}); the full-disk case needs root")
    try:
        done = _cli(*_release_command(warehouse, target, mount_point / "releases" / "full"))
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert "disk is full" in done.stderr
        assert [p.name for p in (mount_point / "releases").iterdir()] == [".civcas-release.lock"]
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


# --------------------------------------------------------------------------- terms of use


def test_the_demo_is_free_to_share_and_credited_as_synthetic(demo_release, release_manifest):
    assert release_manifest["is_redistributable"] is True and release_manifest["licence_warnings"] == []
    assert release_manifest["credit"] == "Synthetic demo data made by civcas, not real events"
    readme = (demo_release / "README.txt").read_text(encoding="utf-8")
    assert "Credit: Synthetic demo data made by civcas, not real events" in readme
    assert "NOT licensed for redistribution" not in readme


def test_data_not_licensed_for_redistribution_is_warned_about_on_the_console_and_in_the_readme(
        build_paths, tmp_path, capsys):
    # The demo warehouse with the Airwars archive's terms (what civcas import-archive writes).
    from civcas.archive import CREDIT, LICENCE

    warehouse, target = build_paths
    copy = tmp_path / "db" / warehouse.name
    copy.parent.mkdir()
    shutil.copyfile(warehouse, copy)
    with duckdb.connect(str(copy)) as connection:
        connection.execute("update main.dim_datasets set is_redistributable = false, licence = ?, credit = ?",
                           [LICENCE, CREDIT])
    out = tmp_path / "release"
    assert cli.main(_release_command(copy, target, out)) == 0
    console = capsys.readouterr().err
    assert "release: warning: dataset civcas-demo is not licensed for redistribution" in console
    assert "check its terms before publishing this release" in console
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert "Credit: Data: Airwars (airwars.org)" in readme
    assert "civcas-demo: NOT licensed for redistribution" in readme
    assert "check the source's terms before you" in readme
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["is_redistributable"] is False and len(manifest["licence_warnings"]) == 1


# --------------------------------------------------------------------------- period and credit


def test_the_build_says_whether_it_was_given_its_period_and_the_credit_comes_from_the_datasets():
    months = dict(first_month=dt.date(2014, 8, 1), last_month=dt.date(2019, 12, 1),
                  first_incident_month=dt.date(2015, 1, 1), last_incident_month=dt.date(2019, 12, 1))
    assert not BuildRecord("i", {}, **months).has_period_vars
    assert not BuildRecord("i", {"civcas_as_of": "2017-04-30"}, **months).has_period_vars
    assert BuildRecord("i", {"civcas_first_month": "2014-08-01"}, **months).has_period_vars
    assert release_credit([{"credit": "Data: Airwars (airwars.org)"}, {"credit": "Data: Airwars (airwars.org)"},
                           {"credit": "Data: UCDP GED (CC BY 4.0)"}]) == \
        "Data: Airwars (airwars.org); Data: UCDP GED (CC BY 4.0)"
