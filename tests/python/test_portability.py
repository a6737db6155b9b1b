"""The fast portability check (civcas.portability): the project compiled for PostgreSQL and
Spark with no server, and every function the compiled SQL calls known to the engine."""

from pathlib import Path

import pytest

from civcas.portability import compile_offline, functions_called, known_functions, unknown_calls

ROOT = Path(__file__).resolve().parents[2]
ENGINES = ["postgres", "spark"]


def test_functions_called_reads_calls_not_names() -> None:
    sql = """
        with recursive labels (claim_id, label) as materialized (select 1)  -- list_sort(
        select count(*), list_filter(ids, x -> x > 1), 'regexp_full_match(' as text, "quoted"(1)
        from generate_series(1, 3) as series (day)
        where claim_id in (select 1) and exists (select 1)
    """
    assert functions_called(sql) == {"count", "list_filter", "generate_series"}


def test_unknown_calls_names_file_and_function(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "a.sql").write_text("select list_filter(x, y -> y), lower(z) from t")
    (tmp_path / "models" / "b.sql").write_text("select lower(z) from t")
    assert unknown_calls(tmp_path, {"lower"}) == {"models/a.sql": {"list_filter"}}


@pytest.mark.parametrize("engine", ENGINES)
def test_every_function_is_the_engines_own(engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    compiled = compile_offline(ROOT, engine, tmp_path / "target")
    unknown = unknown_calls(compiled, known_functions(ROOT / "tests" / "portability" / f"{engine}.txt"))
    report = "\n".join(f"  {path}: {', '.join(sorted(names))}" for path, names in unknown.items())
    assert not unknown, f"{engine} has no such function (a macro lacks its {engine}__ version?):\n{report}"


@pytest.mark.parametrize("engine", ENGINES)
def test_an_as_of_build_is_portable(engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The SQL a build as of a day adds (macros/as_of.sql) compiles to the engine's own functions."""
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    compiled = compile_offline(ROOT, engine, tmp_path / "target", dbt_vars="{civcas_as_of: '2017-04-30'}",
                               select=["int_reference_date", "int_sources_validated+1", "int_claims_validated",
                                       "int_incidents_validated+1", "int_incident_belligerents_validated",
                                       "int_incident_assessments_validated", "int_belligerent_statements_validated",
                                       "int_declared_strikes_validated", "dim_datasets", "fct_intake_batches",
                                       "fct_claims", "assert_raw_tables_reconcile"])
    as_of_sql = [p for p in compiled.rglob("*.sql") if "known_after_as_of" in p.read_text()]
    assert as_of_sql, "no compiled model holds the as-of rule"
    unknown = unknown_calls(compiled, known_functions(ROOT / "tests" / "portability" / f"{engine}.txt"))
    report = "\n".join(f"  {path}: {', '.join(sorted(names))}" for path, names in unknown.items())
    assert not unknown, f"{engine} has no such function (a macro lacks its {engine}__ version?):\n{report}"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_ucdp_build_is_portable(engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a UCDP file configured (var civcas_ucdp_path), its reading (macros/ucdp.sql and the
    engine's twin), the attribution rule's regular expressions and the comparison compile to the
    engine's own functions."""
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    compiled = compile_offline(ROOT, engine, tmp_path / "target", dbt_vars="{civcas_ucdp_path: 'ged_syria.csv'}",
                               select=["stg_ucdp__events+", "assert_ucdp_events_reconcile"])
    read = {"postgres": "raw_ucdp_ged_events", "spark": "civcas_ucdp_ged_events"}[engine]
    assert any(read in p.read_text() for p in compiled.rglob("*.sql")), "no compiled model reads the UCDP file"
    unknown = unknown_calls(compiled, known_functions(ROOT / "tests" / "portability" / f"{engine}.txt"))
    report = "\n".join(f"  {path}: {', '.join(sorted(names))}" for path, names in unknown.items())
    assert not unknown, f"{engine} has no such function (a macro lacks its {engine}__ version?):\n{report}"
