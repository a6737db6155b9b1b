"""The bad-input corpus (tests/corpus/cases.yml), fast part, run by `make test`.

- File shapes: each case damages one raw file of a copy of the demo folder and runs
  `civcas check-raw` (and `civcas validate-raw` where a whole table is at stake) in process.
- Values and identities: every case is appended to the demo's raw CSVs in ONE project copy,
  built once (dbt seed, run, test: a failing test must not skip the models after it), and each
  case's outcome is read from the warehouse. A protected value found outside `restricted` by
  this suite's own normal form must be named by the dbt leak test, the publish scan and the
  release scan alike, or the case fails as a leak.
The classification report is written to reports/bad_input_corpus.txt and shown at the end of
the pytest run."""

from __future__ import annotations

import contextlib
import io
import shutil
import time
import traceback
from pathlib import Path

import duckdb
import pytest
from bad_input_corpus import (  # noqa: F401 - corpus_report is a fixture
    CLASSES,
    FILE_SHAPES,
    MARTS,
    PROJECT_DIR,
    RAW_FOLDER,
    Batch,
    Outcome,
    PlantedCase,
    append_rows,
    corpus_normal_form,
    corpus_report,
    load_cases,
    mentions_column,
    occurs,
    plan_batch,
    record,
    values_match,
)
from conftest import run_dbt

CASES = load_cases()
LEAK_TEST = "assert_no_protected_value_outside_restricted"


def _ids(cases: list[dict]) -> list[str]:
    return [case["case"] for case in cases]


# ============================================================================== file shapes


def _run_cli(args: list[str]) -> tuple[int, str]:
    """`civcas <args>` in process: exit code and everything it printed; an escaping exception is
    returned as its traceback (a command must never end in one)."""
    from civcas.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            code = main(args)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except Exception:  # noqa: BLE001 - the point is to catch any of them
            out.write(traceback.format_exc())
            code = 99
    return code, out.getvalue()


def _damaged_folder(tmp_path: Path, table: str, shape: str) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    for path in RAW_FOLDER.glob("*.csv"):
        if path.stem == table:
            shutil.copy(path, folder / path.name)
        else:
            (folder / path.name).symlink_to(path)
    FILE_SHAPES[shape](folder / f"{table}.csv", table)
    return folder


@pytest.mark.parametrize("spec", CASES["file_cases"], ids=_ids(CASES["file_cases"]))
def test_file_case(spec: dict, tmp_path: Path):
    folder = _damaged_folder(tmp_path, spec["table"], spec["shape"])
    project = ["--project-dir", str(PROJECT_DIR)]
    code, output = _run_cli(["check-raw", "--folder", str(folder), *project])
    command = "check-raw"
    if code == 0 and spec.get("gate"):
        code, output = _run_cli(["validate-raw", "--folder", str(folder), *project])
        command = "validate-raw"
    lowered = output.lower()
    if "Traceback" in output:
        observed = "traceback"
    elif code == 0:
        observed = "documented_rule"
    elif code == 1 and spec["table"] in output:
        missing = [word for word in spec.get("names", []) if word.lower() not in lowered]
        observed = "clear_error" if not missing else f"error_not_naming_{'_'.join(missing)}"
    else:
        observed = f"exit_{code}_without_file_name"
    outcome = record(Outcome(spec["case"], spec["table"], spec["expect"], observed,
                              observed == spec["expect"] or observed in spec.get("also_ok", []),
                              f"{command}: {output.strip()[:300]!r}", spec.get("debatable", "")))
    assert outcome.ok, f"{outcome.case}: expected {outcome.expected}, observed {observed}\n{output[-3000:]}"


# ============================================================================== the batch


class CorpusWarehouse:
    """The batched build and everything read from it once."""

    def __init__(self, batch: Batch, duckdb_path: Path, target: Path, failing_tests: dict[str, str],
                 seconds: float) -> None:
        self.batch = batch
        self.path = duckdb_path
        self.target = target
        self.failing_tests = failing_tests
        self.seconds = seconds
        self.connection = duckdb.connect(str(duckdb_path), read_only=True)
        self.hits = self._scan()
        self.leak_test_rows = self._leak_test_rows()
        self.publish_sources = self._publish_scan()
        self.release_sources = self._release_scan()

    def tables(self, schemas=("main", "exports")) -> list[tuple[str, str]]:
        return self.connection.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in (select unnest(?)) and table_type = 'BASE TABLE' order by 1, 2",
            [list(schemas)]).fetchall()

    def text_columns(self, schema: str, table: str) -> list[str]:
        return [name for name, kind in self.connection.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ?", [schema, table]).fetchall()
            if kind == "VARCHAR" or kind.endswith("[]") or kind.startswith(("STRUCT", "MAP"))]

    def _scan(self) -> dict[int, list[str]]:
        """Where each case's protected texts occur outside `restricted`, by this suite's normal form."""
        needles = [(index, corpus_normal_form(text)) for index, case in enumerate(self.batch.cases)
                   for text in case.needles]
        hits: dict[int, list[str]] = {}
        for schema, table in self.tables():
            for column in self.text_columns(schema, table):
                cells = self.connection.execute(
                    f'select distinct cast("{column}" as varchar) from {schema}."{table}" '
                    f'where "{column}" is not null').fetchall()
                for (cell,) in cells:
                    folded = corpus_normal_form(cell)
                    for index, needle in needles:
                        if needle in folded and occurs(needle, folded):
                            where = f"{schema}.{table}.{column}"
                            if where not in hits.setdefault(index, []):
                                hits[index].append(where)
        return hits

    def _leak_test_rows(self) -> list[str]:
        """The rows the dbt leak test returned (stored by --store-failures), as normal-form text."""
        stored = self.connection.execute(
            "select table_schema from information_schema.tables where table_name = ?", [LEAK_TEST]).fetchall()
        if not stored:
            return []
        rows = self.connection.execute(f'select * from "{stored[0][0]}"."{LEAK_TEST}"').fetchall()
        return [corpus_normal_form(" | ".join(str(v) for v in row)) for row in rows]

    def _publish_scan(self) -> set[str]:
        from civcas.publish import check_protected_values

        found, _ = check_protected_values(self.path)
        return {str(getattr(finding, "source_id", "")) for finding in found}

    def _release_scan(self) -> dict[str, set[str]]:
        """Every main and exports table written as a release would write it (CSV and Parquet), then
        civcas's release scan: source id -> files it found."""
        from civcas.protection import load_protected_values, scan_folder

        folder = self.path.parent / "release_like"
        folder.mkdir(exist_ok=True)
        for schema, table in self.tables():
            for fmt in ("csv", "parquet"):
                self.connection.execute(
                    f"copy (select * from {schema}.\"{table}\") to '{folder}/{schema}.{table}.{fmt}' "
                    f"(format {fmt}{', header' if fmt == 'csv' else ''})")
        result = scan_folder(folder, load_protected_values(self.connection))
        found: dict[str, set[str]] = {}
        for hit in result.hits:
            found.setdefault(hit.source_id, set()).add(hit.path)
        return found


@pytest.fixture(scope="session")
def corpus_warehouse(tmp_path_factory: pytest.TempPathFactory) -> CorpusWarehouse:
    workdir = tmp_path_factory.mktemp("bad_input_corpus")
    project = workdir / "project"
    project.mkdir()
    for name in ["dbt_project.yml", "profiles.yml"]:
        shutil.copy(PROJECT_DIR / name, project / name)
    for name in ["models", "macros", "seeds", "tests", "analyses"]:
        shutil.copytree(PROJECT_DIR / name, project / name, ignore=shutil.ignore_patterns("python", "corpus"))
    batch = plan_batch(CASES)
    raw = project / "seeds" / "raw"
    append_rows(raw, batch.rows)
    # Line ends check-raw accepts must load alike: two tables of the batch are CR-only and CRLF
    # (their control cases and the reconciliation test then prove dbt read every row).
    FILE_SHAPES["cr_only"](raw / "raw_incident_belligerents.csv", "raw_incident_belligerents")
    FILE_SHAPES["crlf"](raw / "raw_belligerent_statements.csv", "raw_belligerent_statements")
    duckdb_path, target = workdir / "corpus.duckdb", workdir / "target"
    started = time.perf_counter()
    failing: dict[str, str] = {}
    # seed, run, test: in one `dbt build` a failing test would skip the models below it, and
    # this build is meant to show where every case ends.
    for step in (["seed"], ["run"], ["test", "--exclude", "test_type:unit", "--store-failures"]):
        result = run_dbt(step, project, duckdb_path, target)
        if result.exception is not None:
            pytest.fail(f"dbt {step[0]} crashed on the corpus: {result.exception}")
        for node_result in result.result or []:
            if str(node_result.status) in {"error", "fail"}:
                failing[node_result.node.name] = str(node_result.message)
        if step[0] != "test" and failing:
            pytest.fail(f"dbt {step[0]} failed on the corpus: {failing}")
    warehouse = CorpusWarehouse(batch, duckdb_path, target, failing, time.perf_counter() - started)
    yield warehouse
    warehouse.connection.close()


def _quarantined(con, case: PlantedCase) -> list[tuple[str, str, str]]:
    markers = [m for m in case.markers if m]
    clauses = " or ".join(["record_id = ?"] + ["strpos(raw_record, ?) > 0"] * len(markers))
    return con.execute(
        f"select quarantine_rule, coalesce(quarantine_reason, ''), raw_record from fct_quarantined_rows "
        f"where raw_table = ? and ({clauses})", [case.table, case.record_id, *markers]).fetchall()


def _mart_rows(con, case: PlantedCase) -> list[dict]:
    mart, key = MARTS[case.table]
    frame = con.execute(f"select * from {mart} where {key} = ?", [case.record_id]).df()
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _flags(con, case: PlantedCase, rows: list[dict]) -> list[str]:
    """needs_review (or any *review* column) set on the mart row, or a row naming the case in a
    table of field-level issues (any table of `main` whose name says issue or review)."""
    found = [f"{column}={value}" for row in rows for column, value in row.items()
             if "review" in column and value not in (None, False, "", 0, "false")]
    tables = con.execute(
        "select table_name from information_schema.tables where table_schema = 'main' "
        "and (table_name like '%issue%' or table_name like '%review%')").fetchall()
    for (table,) in tables:
        columns = [c for (c,) in con.execute(
            "select column_name from information_schema.columns where table_schema = 'main' and table_name = ? "
            "and data_type = 'VARCHAR'", [table]).fetchall()]
        if not columns:
            continue
        condition = " or ".join(f'"{c}" = ?' for c in columns)
        count = con.execute(f'select count(*) from main."{table}" where {condition}',
                            [case.record_id] * len(columns)).fetchone()[0]
        if count:
            found.append(f"{table}: {count} row(s)")
    return found


def _value_outcome(con, case: PlantedCase) -> Outcome:
    spec = case.spec
    quarantined = _quarantined(con, case)
    rows = _mart_rows(con, case)
    flags = _flags(con, case, rows) if rows else []
    check, check_null = spec.get("check") or {}, spec.get("check_null") or []
    wrong = [f"{c}={rows[0].get(c)!r} (want {v!r})" for c, v in check.items()
             if rows and not values_match(rows[0].get(c), v)]
    wrong += [f"{c}={rows[0].get(c)!r} (want null)" for c in check_null if rows and rows[0].get(c) is not None]
    planted = case.rows[0] if case.rows else {}
    wrong += [f"{c} shows the raw value" for c in spec.get("hidden") or []
              if rows and planted.get(c) and rows[0].get(c) == planted.get(c)]
    reasons = "; ".join(reason for _, reason, _ in quarantined)
    # A quarantined attribution leaves its incident in the mart (blamed on unknown): the
    # quarantine row, naming the column, is what counts.
    if quarantined and mentions_column(reasons, spec.get("column")):
        observed, detail = "quarantined", f"rule {quarantined[0][0]}: {reasons[:200]}"
    elif quarantined and not rows:
        observed, detail = "quarantined_for_another_reason", f"rule {quarantined[0][0]}: {reasons[:200]}"
    elif rows and flags and not wrong:
        observed, detail = "flagged", ", ".join(flags)
    elif rows and (check or check_null) and not wrong and spec["expect"] != "flagged":
        observed, detail = "documented_rule", ""
    elif rows and not flags and not wrong and not check and not check_null:
        observed, detail = "clean", "reaches the mart unflagged"
    elif rows:
        observed = "flagged_wrong_values" if flags else "reaches_mart_unflagged"
        detail = ", ".join(wrong + flags) + (f"; also quarantined: {quarantined[0][0]}" if quarantined else "")
    else:
        observed, detail = "lost", "in neither the mart nor fct_quarantined_rows"
    expected = spec["expect"]
    ok = observed == expected or observed in spec.get("also_ok", [])
    return Outcome(spec["case"], case.table, expected, observed, ok, detail, spec.get("debatable", ""))


def _value_cases() -> list[dict]:
    return CASES["value_cases"]


@pytest.mark.parametrize("spec", _value_cases(), ids=_ids(_value_cases()))
def test_value_case(spec: dict, corpus_warehouse: CorpusWarehouse):
    case = next(c for c in corpus_warehouse.batch.cases if c.spec is spec)
    outcome = record(_value_outcome(corpus_warehouse.connection, case))
    assert outcome.ok, f"{outcome.case}: expected {outcome.expected}, observed {outcome.observed}: {outcome.detail}"


def _identity_outcome(warehouse: CorpusWarehouse, index: int, case: PlantedCase) -> Outcome:
    spec = case.spec
    hits = warehouse.hits.get(index, [])
    source = case.protected.source_id if case.protected else ""
    registered = [corpus_normal_form(text) for text in case.needles]
    layers = {
        "dbt leak test": any(any(occurs(value, row) for value in registered) or source.lower() in row
                             for row in warehouse.leak_test_rows),
        "publish scan": source in warehouse.publish_sources,
        "release scan": source in warehouse.release_sources,
    }
    if hits:
        missed = [layer for layer, found in layers.items() if not found]
        observed = "clear_error" if not missed else "LEAK"
        detail = f"found in {', '.join(hits)}" + (f"; missed by {', '.join(missed)}" if missed else "")
    else:
        quarantined = _quarantined(warehouse.connection, case)
        observed = "quarantined" if quarantined else "withheld"
        if not quarantined and case.table in MARTS and _mart_rows(warehouse.connection, case):
            observed = "documented_rule"  # clean, its protected texts withheld
        detail = "no protected text outside restricted"
    expected = spec["expect"]
    # A value withheld before it reaches a mart leaks nowhere: safer than the error expected.
    also_ok = spec.get("also_ok", []) + (["quarantined", "documented_rule"] if expected == "clear_error" else [])
    return Outcome(spec["case"], case.table, expected, observed, observed == expected or observed in also_ok,
                   detail, spec.get("debatable", ""))


def _identity_cases() -> list[dict]:
    return CASES["identity_cases"]


@pytest.mark.parametrize("spec", _identity_cases(), ids=_ids(_identity_cases()))
def test_identity_case(spec: dict, corpus_warehouse: CorpusWarehouse):
    index, case = next((i, c) for i, c in enumerate(corpus_warehouse.batch.cases) if c.spec is spec)
    outcome = record(_identity_outcome(corpus_warehouse, index, case))
    assert outcome.ok, f"{outcome.case}: expected {outcome.expected}, observed {outcome.observed}: {outcome.detail}"


def test_no_dbt_test_fails_on_the_corpus_except_the_leak_test(corpus_warehouse: CorpusWarehouse):
    """Every raw row still reconciles and every mart test holds with the corpus in; only the leak
    test may fail, and only on the values the clear_error identity cases plant in clean rows."""
    others = {name: message for name, message in corpus_warehouse.failing_tests.items() if name != LEAK_TEST}
    assert not others, "dbt tests failing on the corpus:\n" + "\n".join(f"{n}: {m}" for n, m in others.items())


def test_no_protected_value_of_the_demo_leaks_with_the_corpus(corpus_warehouse: CorpusWarehouse):
    """The demo's own protected sources (and the corpus's quarantined ones) stay in restricted by
    this suite's normal form, in every table of main and exports."""
    con = corpus_warehouse.connection
    corpus_sources = {c.protected.source_id for c in corpus_warehouse.batch.cases
                      if c.protected and c.spec.get("expect") == "clear_error"}
    values = [(corpus_normal_form(v), s) for v, s in con.execute(
        "select protected_value, source_id from restricted.restricted_protected_values "
        "where length(trim(protected_value)) >= 4").fetchall() if s not in corpus_sources]
    leaks = []
    for schema, table in corpus_warehouse.tables():
        for column in corpus_warehouse.text_columns(schema, table):
            for (cell,) in con.execute(f'select distinct cast("{column}" as varchar) from {schema}."{table}" '
                                       f'where "{column}" is not null').fetchall():
                folded = corpus_normal_form(cell)
                leaks += [f"{schema}.{table}.{column}: source {s}" for v, s in values if v in folded and occurs(v, folded)]
    assert not leaks, sorted(set(leaks))


def test_the_corpus_covers_every_raw_table_and_class():
    from civcas.raw_contract import load_raw_contract

    cases = [c for group in ("value_cases", "identity_cases", "file_cases") for c in CASES[group]]
    bad = [c for c in cases if c["expect"] != "clean"]
    assert len(bad) >= 100
    assert {c["table"] for c in cases} == set(load_raw_contract(PROJECT_DIR))
    assert {c["expect"] for c in bad} == set(CLASSES)
    assert len({c["case"] for c in cases}) == len(cases), "case names must be unique"
    assert all(c["expect"] in (*CLASSES, "clean") for c in cases)
