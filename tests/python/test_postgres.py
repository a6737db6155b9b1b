"""The warehouse on PostgreSQL (issue 15): the roles, and the demo's marts, exports and restricted
tables equal to DuckDB's, row for row (civcas.engines). `make test-postgres` builds both first and
sets CIVCAS_REQUIRE_POSTGRES=1, so that a missing server fails instead of skipping."""

import os
from pathlib import Path

import pytest

from civcas.engines import compare, duckdb_tables, postgres_tables
from civcas.faults import OperationalError
from civcas.postgres import Settings, connect

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def settings() -> Settings:
    os.environ.setdefault("PGPASSFILE", str(ROOT / "warehouse" / "postgres" / "pgpass"))
    return Settings.from_environment()


@pytest.fixture(scope="module")
def connection(settings: Settings):  # type: ignore[no-untyped-def]
    if os.environ.get("CIVCAS_REQUIRE_POSTGRES") != "1":
        pytest.skip("the PostgreSQL build is checked by make test-postgres (CIVCAS_REQUIRE_POSTGRES=1)")
    try:
        connection = connect(settings)
    except OperationalError as exc:
        pytest.fail(str(exc))
    yield connection
    connection.close()


def test_the_analyst_reads_marts_and_exports_and_is_refused_restricted(settings: Settings, connection) -> None:  # type: ignore[no-untyped-def]
    import psycopg2

    analyst = connect(settings, user="civcas_analyst")
    try:
        with analyst.cursor() as cursor:
            for table in ("main.fct_incidents", "exports.export_monthly_coalition_vs_russia", "reference.ref_grades"):
                cursor.execute(f"select count(*) from {table}")
                assert cursor.fetchone()[0] > 0, table
        with analyst.cursor() as cursor, pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cursor.execute("select count(*) from restricted.restricted_sources")
    finally:
        analyst.close()
    internal = connect(settings, user="civcas_internal")
    try:
        with internal.cursor() as cursor:
            cursor.execute("select count(*) from restricted.restricted_sources")
            assert cursor.fetchone()[0] > 0
    finally:
        internal.close()


def test_the_analyst_cannot_read_the_build_layers(settings: Settings, connection) -> None:  # type: ignore[no-untyped-def]
    import psycopg2

    analyst = connect(settings, user="civcas_analyst")
    try:
        with analyst.cursor() as cursor, pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cursor.execute("select count(*) from intermediate.int_claims_validated")
    finally:
        analyst.close()


def test_postgres_equals_duckdb_row_for_row(connection) -> None:  # type: ignore[no-untyped-def]
    duckdb_path = Path(os.environ.get("CIVCAS_DUCKDB_PATH", ROOT / "warehouse" / "civcas.duckdb"))
    if not duckdb_path.is_absolute():
        duckdb_path = ROOT / duckdb_path
    assert duckdb_path.exists(), f"{duckdb_path}: build the demo on DuckDB first (make build)"
    result = compare(duckdb_tables(duckdb_path), postgres_tables(connection), "duckdb", "postgres")
    print(result.report())
    assert result.tables >= 20
    assert result.equal, result.report()


def test_the_archive_on_postgres_equals_duckdb(settings: Settings) -> None:
    """make build-archive-postgres: the real archive's marts (monthly_coalition_vs_russia among
    them), exports and restricted tables on PostgreSQL equal DuckDB's."""
    if os.environ.get("CIVCAS_REQUIRE_POSTGRES_ARCHIVE") != "1":
        pytest.skip("make build-archive-postgres compares the archive (CIVCAS_REQUIRE_POSTGRES_ARCHIVE=1)")
    duckdb_path = ROOT / os.environ.get("CIVCAS_ARCHIVE_DUCKDB", "warehouse/archive.duckdb")
    assert duckdb_path.exists(), f"{duckdb_path}: build the archive on DuckDB first (make build-archive)"
    connection = connect(Settings(settings.host, settings.port, settings.user,
                                  os.environ.get("CIVCAS_PG_ARCHIVE_DATABASE", "civcas_archive")))
    try:
        postgres = postgres_tables(connection)
    finally:
        connection.close()
    duckdb = duckdb_tables(duckdb_path)
    assert "main.monthly_coalition_vs_russia" in postgres
    result = compare(duckdb, postgres, "duckdb", "postgres")
    print(result.report())
    assert result.equal, result.report()
