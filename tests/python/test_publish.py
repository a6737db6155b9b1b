"""`civcas publish`: the analysts' read-only database and the internal copy.

Analysts open warehouse/published/civcas.duckdb, never the build file. These tests
show that the analysts' copy holds only tables of the allowed schemas, equal to the
build, with no `restricted` schema and no protected source value in any column; that
the internal copy (which adds `restricted`) is its owner's alone; that an analyst holding
it open never blocks a dbt build or a publish and keeps a consistent snapshot; that a
publish failing half-way (or killed at any stage) never changes what analysts see and
leaves only a hidden owner-only building folder, which the next publish removes; that old
copies are deleted and the last good one kept; and that the error the README quotes
is the one an analyst holding the build file causes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, run_dbt, start_paused

import civcas.publish as publish_module
from civcas.faults import BUILDING_MARKER
from civcas.protection import DatabaseScan, load_protected_values
from civcas.publish import (
    INTERNAL_SCHEMAS,
    PUBLISHED_SCHEMAS,
    PublishError,
    check_protected_values,
    find_protected_values,
    publish,
    published_versions,
)

LAYERS_NEVER_PUBLISHED = {"raw", "staging", "intermediate"}

# An analyst: opens the published path read-only, says it is ready, then queries in a
# loop until told to stop, and reports every failure and every change of snapshot.
ANALYST = r"""
import json, os, sys, time
import duckdb

path, stop = sys.argv[1], sys.argv[2]
connection = duckdb.connect(path, read_only=True)
QUERY = '''
    select
        (select publication_id from main._publication),
        (select count(*) from main.fct_claims),
        (select sum(row_count) from main._publication_tables),
        (select count(*) from main.fct_incidents where civilians_killed_max is not null)
'''
first = connection.execute(QUERY).fetchone()
print(json.dumps({"snapshot": list(first)}), flush=True)
query_times, errors, changed = [], [], 0
while not os.path.exists(stop):
    try:
        if connection.execute(QUERY).fetchone() != first:
            changed += 1
        query_times.append(time.time())
    except Exception as exc:
        errors.append(repr(exc))
    time.sleep(0.02)
connection.close()
print(json.dumps({"query_times": query_times, "errors": errors, "changed": changed}), flush=True)
"""

# Holds a file open for writing, as `duckdb warehouse/civcas.duckdb` (no -readonly) does.
WRITER = r"""
import sys
import duckdb

connection = duckdb.connect(sys.argv[1])
connection.execute("select 1").fetchall()
print("holding", flush=True)
sys.stdin.read()
connection.close()
"""


# --------------------------------------------------------------------------- helpers


def _copy_build(demo_build, folder: Path) -> Path:
    """A private copy of the demo build file, still named civcas.duckdb (its views name
    that catalog), with the demo's run_results.json in target/ beside it."""
    result, duckdb_path = demo_build
    assert result.success, f"the demo build failed: {result.exception}"
    (folder / "target").mkdir(parents=True, exist_ok=True)
    copy = folder / "civcas.duckdb"
    (folder / "civcas.duckdb.wal").unlink(missing_ok=True)
    shutil.copy(duckdb_path, copy)
    shutil.copy(duckdb_path.parent / "target" / "run_results.json", folder / "target" / "run_results.json")
    return copy


@pytest.fixture(scope="module")
def dbt_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for every dbt run of this module: dbt re-parses the whole project when
    the profile's DuckDB path changes, so the runs share one build path and one target."""
    return tmp_path_factory.mktemp("dbt_workspace")


def _small_build(demo_build, folder: Path) -> Path:
    """A small build file with every published schema (a few tables of the demo), a view
    in `exports` and the layers that must never be published: fast to publish, for the
    tests of switching and cleaning up."""
    _, duckdb_path = demo_build
    folder.mkdir(parents=True)
    path = folder / "civcas.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute(f"attach '{duckdb_path}' as demo (read_only)")
        for schema in ["raw", "staging", "intermediate", "exports", "restricted", "reference"]:
            connection.execute(f"create schema {schema}")
        connection.execute("create table main.dim_datasets as select * from demo.main.dim_datasets")
        connection.execute("create table main.dim_sources as select * from demo.main.dim_sources")
        connection.execute("alter table main.dim_sources alter column source_id set not null")
        connection.execute("create table reference.ref_grades as select * from demo.reference.ref_grades")
        connection.execute("create table restricted.restricted_protected_values as "
                           "select * from demo.restricted.restricted_protected_values")
        connection.execute("create table raw.raw_sources as select * from demo.raw.raw_sources")
        connection.execute("create view exports.sources_by_type as select source_type_id, count(*) as sources "
                           "from main.dim_sources group by all")
        connection.execute("create view staging.stg_sources as select * from raw.raw_sources")
        connection.execute("comment on view exports.sources_by_type is 'Sources per type. Grain: one row per type.'")
    return path


def _relations(connection: duckdb.DuckDBPyConnection, catalog: str) -> dict[tuple[str, str], str]:
    rows = connection.execute(
        """
        select schema_name, table_name, 'table' from duckdb_tables() where database_name = $catalog
        union all
        select schema_name, view_name, 'view' from duckdb_views() where database_name = $catalog and not internal
        """,
        {"catalog": catalog},
    ).fetchall()
    return {(schema, name): kind for schema, name, kind in rows}


def _publication_id(link: Path) -> str:
    with duckdb.connect(str(link), read_only=True) as connection:
        return connection.execute("select publication_id from main._publication").fetchone()[0]


def _entries(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()}


def _run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "civcas", *args], capture_output=True, text=True,
                          cwd=PROJECT_DIR, env={**os.environ, "DO_NOT_TRACK": "1"})


@pytest.fixture(scope="module")
def published(demo_build, tmp_path_factory: pytest.TempPathFactory):
    """The demo build published once: (build file, publication)."""
    folder = tmp_path_factory.mktemp("publish")
    build = _copy_build(demo_build, folder / "build")
    publication = publish(build, folder / "published", run_results=build.parent / "target" / "run_results.json")
    return build, publication


# --------------------------------------------------------------------------- what is published


def test_the_published_database_holds_tables_of_the_analysts_schemas_only_equal_to_the_build(published):
    build, publication = published
    assert publication.link.is_symlink()
    assert publication.link.resolve() == publication.path.resolve()
    with duckdb.connect(str(build), read_only=True) as connection:
        build_relations = _relations(connection, "civcas")
        build_rows = {key: connection.execute(f'select count(*) from civcas."{key[0]}"."{key[1]}"').fetchone()[0]
                      for key in build_relations if key[0] in PUBLISHED_SCHEMAS}
    assert {schema for schema, _ in build_relations} >= LAYERS_NEVER_PUBLISHED | set(PUBLISHED_SCHEMAS)
    with duckdb.connect(str(publication.link), read_only=True) as connection:
        # The catalog is named after the real file, civcas.duckdb in its version folder.
        assert connection.execute("select current_database()").fetchone()[0] == "civcas"
        published_relations = _relations(connection, "civcas")
        published_rows = {key: connection.execute(f'select count(*) from civcas."{key[0]}"."{key[1]}"').fetchone()[0]
                          for key in published_relations}
        schemas = {row[0] for row in connection.execute(
            "select schema_name from duckdb_schemas() where database_name = 'civcas'").fetchall()}
    assert set(published_relations.values()) == {"table"}, "the published database must hold no view"
    assert schemas == set(PUBLISHED_SCHEMAS)
    metadata = {("main", "_publication"), ("main", "_publication_tables")}
    assert set(published_rows) - metadata == set(build_rows)
    assert {key: published_rows[key] for key in build_rows} == build_rows
    assert sum(build_rows.values()) > 10_000


def test_columns_types_and_comments_are_carried_over(published):
    build, publication = published
    columns_query = """
        select schema_name, table_name, column_name, column_index, data_type, is_nullable, comment
        from duckdb_columns()
        where database_name = 'civcas' and list_contains(?, schema_name) order by all
    """
    tables_query = """
        select schema_name, table_name, comment from duckdb_tables()
        where database_name = 'civcas' and list_contains(?, schema_name) and comment is not null order by all
    """

    def read(path: Path, query: str) -> list[tuple]:
        with duckdb.connect(str(path), read_only=True) as connection:
            rows = connection.execute(query, [list(PUBLISHED_SCHEMAS)]).fetchall()
        return [row for row in rows if not row[1].startswith("_publication")]

    build_columns, published_columns = read(build, columns_query), read(publication.link, columns_query)
    build_comments, published_comments = read(build, tables_query), read(publication.link, tables_query)
    # names, order, types and NOT NULL
    assert published_columns == build_columns
    # dbt's persist_docs wrote these; analysts see them in a GUI client and in duckdb_columns().
    assert sum(comment is not None for *_, comment in build_columns) > 100
    assert published_comments == build_comments
    assert any(schema == "main" and name == "fct_incidents" for schema, name, _ in published_comments)


def test_the_publication_records_its_build_dbt_run_and_row_counts(published):
    build, publication = published
    run_results = json.loads((build.parent / "target" / "run_results.json").read_text())
    with duckdb.connect(str(publication.link), read_only=True) as connection:
        row = connection.execute(
            "select publication_id, published_file, build_file, dbt_invocation_id, is_synthetic, table_count, "
            "row_count from main._publication").fetchall()
        per_table = connection.execute(
            "select sum(row_count), count(*) from main._publication_tables").fetchone()
    assert row == [(publication.publication_id, f"{publication.path.parent.name}/civcas.duckdb",
                    str(build.resolve()), run_results["metadata"]["invocation_id"], True,
                    len(publication.tables), publication.rows)]
    assert per_table == (publication.rows, len(publication.tables))
    assert stat.S_IMODE(publication.path.stat().st_mode) & 0o222 == 0, "the copy is read-only on disk"


# --------------------------------------------------------------------------- protected sources


def _protected_values_in_every_column(database: Path, values) -> dict[tuple[str, str, str], int]:
    """Every column of every table of ``database`` (whatever its type, cast to text) in which a
    protected value occurs, by civcas.protection's rule: (schema, table, column) -> rows."""
    scan = DatabaseScan(values)
    found: dict[tuple[str, str, str], int] = {}
    with duckdb.connect(str(database), read_only=True) as connection:
        catalog = connection.execute("select current_database()").fetchone()[0]
        columns = connection.execute(
            "select schema_name, table_name, list(column_name order by column_index) from duckdb_columns() "
            "where database_name = ? group by all order by all", [catalog]).fetchall()
        for schema, table, names in columns:
            cells = " union all ".join(
                f"select '{name}' as column_name, cast(\"{name}\" as varchar) as cell "
                f"from \"{schema}\".\"{table}\" where \"{name}\" is not null" for name in names)
            for column, _kind, _source, rows in scan.occurrences(connection, cells):
                found[(schema, table, column)] = found.get((schema, table, column), 0) + rows
    return found


def test_the_analysts_copy_holds_no_restricted_schema_and_no_protected_value_in_any_column(published):
    build, publication = published
    with duckdb.connect(str(build), read_only=True) as connection:
        values = load_protected_values(connection)
    assert len(values) > 50, "the demo has protected sources, so the check must have values to search for"
    with duckdb.connect(str(publication.link), read_only=True) as connection:
        schemas = {schema for (schema,) in connection.execute(
            "select schema_name from duckdb_schemas() where database_name = current_database()").fetchall()}
    assert "restricted" not in schemas
    assert _protected_values_in_every_column(publication.link, values) == {}
    # The same scan finds them in the internal copy's restricted schema: it can fail.
    in_internal = _protected_values_in_every_column(publication.internal_link, values)
    assert {schema for schema, _, _ in in_internal} == {"restricted"}
    assert ("restricted", "restricted_protected_values", "protected_value") in in_internal
    # And publish's own check agrees, with the values read from the build.
    found, searched = check_protected_values(publication.link, values_from=build)
    assert searched > 0 and found == [], "\n".join(map(str, found))


def test_the_internal_copy_adds_restricted_and_is_its_owners_alone(published):
    build, publication = published
    internal = publication.internal_path
    assert publication.internal_link.resolve() == internal.resolve()
    assert internal.parent.name == publication.path.parent.name, "both copies come from one publication"
    assert stat.S_IMODE(internal.stat().st_mode) == 0o400, "readable by its owner alone, and read-only"
    for folder in (internal.parent, publication.internal_link.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE(publication.path.stat().st_mode) == 0o444, "the analysts' copy: everyone reads it"
    with duckdb.connect(str(internal), read_only=True) as connection:
        schemas = {schema for (schema,) in connection.execute(
            "select schema_name from duckdb_schemas() where database_name = 'civcas' "
            "and schema_name not in ('information_schema', 'pg_catalog')").fetchall()}
        internal_values = connection.execute(
            "select count(*) from restricted.restricted_protected_values").fetchone()[0]
        published_id = connection.execute("select publication_id from main._publication").fetchone()[0]
    assert schemas == set(INTERNAL_SCHEMAS) == set(PUBLISHED_SCHEMAS) | {"restricted"}
    assert published_id == publication.publication_id
    with duckdb.connect(str(build), read_only=True) as connection:
        assert internal_values == connection.execute(
            "select count(*) from restricted.restricted_protected_values").fetchone()[0] > 0
    # The same check on the build file finds the protected values that raw and intermediate
    # hold, which is why those layers are never published.
    with duckdb.connect(str(build), read_only=True) as connection:
        in_build, _ = find_protected_values(connection, "civcas", schemas=["raw", "intermediate"])
    assert {(finding.schema, finding.table) for finding in in_build} >= {
        ("raw", "raw_sources"), ("intermediate", "int_sources_validated")}


def test_the_check_finds_a_planted_protected_value_and_publish_refuses_it(published, demo_build, tmp_path):
    build_file, publication = published
    copy = tmp_path / "planted" / "civcas.duckdb"
    copy.parent.mkdir()
    shutil.copy(publication.path, copy)
    copy.chmod(0o644)
    with duckdb.connect(str(copy)) as connection:
        connection.execute(f"attach '{build_file}' as build (read_only)")
        value, source_id = connection.execute(
            "select protected_value, source_id from build.restricted.restricted_protected_values "
            "where value_kind = 'source_name' order by source_id limit 1").fetchone()
        # inside a longer text and in other letter case: still found
        connection.execute("update main.fct_incidents set place_as_written = ? where incident_code = "
                           "(select min(incident_code) from main.fct_incidents)",
                           [f"near the office of {value.upper()}, east side"])
    found, _ = check_protected_values(copy, values_from=build_file)
    # found as the source's name, and as its canonical key (the same words in lower case)
    assert {(f.schema, f.table, f.column, f.source_id, f.rows) for f in found} == {
        ("main", "fct_incidents", "place_as_written", source_id, 1)}

    # A build that leaks is never published, and the error names the place, not the value.
    build = _small_build(demo_build, tmp_path / "build")
    published_dir = tmp_path / "published"
    first = publish(build, published_dir)
    with duckdb.connect(str(build)) as connection:
        connection.execute("update main.dim_sources set source_name = ? where source_id = "
                           "(select min(source_id) from main.dim_sources where not is_protected)", [value])
    with pytest.raises(PublishError) as raised:
        publish(build, published_dir)
    message = str(raised.value)
    assert "main.dim_sources.source_name" in message and source_id in message
    assert value not in message
    assert _publication_id(first.link) == first.publication_id
    assert _entries(published_dir) == {".civcas.publish.lock", "civcas.duckdb", first.path.parent.name, "internal"}


# --------------------------------------------------------------------------- atomic switch


def test_an_analyst_holding_the_published_database_blocks_neither_a_build_nor_a_publish(demo_build, dbt_workspace,
                                                                                        tmp_path):
    build = _copy_build(demo_build, dbt_workspace)
    published_dir = tmp_path / "published"
    first = publish(build, published_dir)
    stop = tmp_path / "stop-analyst"
    analyst = subprocess.Popen([sys.executable, "-c", ANALYST, str(first.link), str(stop)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        snapshot = json.loads(analyst.stdout.readline() or "null")
        assert snapshot is not None, analyst.stderr.read()
        assert snapshot["snapshot"][0] == first.publication_id

        # (a) a real dbt build writes the build file while the analyst reads
        target = build.parent / "target"
        result = run_dbt(["build", "--select", "dim_datasets"], PROJECT_DIR, build, target)
        assert result.success, result.exception

        # (b) the operator publishes it
        done = _run_cli("publish", "--from", str(build), "--to", str(published_dir),
                        "--run-results", str(target / "run_results.json"))
        assert done.returncode == 0, done.stderr
        switched_at = time.time()
        with duckdb.connect(str(first.link), read_only=True) as fresh:
            second_id, invocation = fresh.execute(
                "select publication_id, dbt_invocation_id from main._publication").fetchone()
        assert second_id != first.publication_id, "a new connection sees the new publication"
        assert invocation == json.loads((target / "run_results.json").read_text())["metadata"]["invocation_id"]

        # (c) a third publish deletes the copy the analyst still reads (keeping two)
        third = publish(build, published_dir)
        deleted_at = time.time()
        assert first.path.parent in third.removed and not first.path.exists()
        time.sleep(1)
    finally:
        stop.touch()
        output, errors = analyst.communicate(timeout=60)
    assert analyst.returncode == 0, errors
    report = json.loads(output.splitlines()[-1])
    assert report["errors"] == []
    assert report["changed"] == 0, "the analyst's snapshot never changed under them"
    assert sum(moment > switched_at for moment in report["query_times"]) >= 5, "queries went on after the switch"
    assert any(moment > deleted_at for moment in report["query_times"]), "and after the analyst's copy was deleted"


# The stages at which a publish is killed: after each copy is written and checked, and after
# both are renamed into place but before the links switch.
KILL_STAGES = ("publish-analysts-copied", "publish-internal-copied", "publish-renamed")




def _kill_9(process: subprocess.Popen) -> None:
    process.kill()  # SIGKILL: no clean-up runs, like a power cut
    process.communicate(timeout=60)
    assert process.returncode == -9


def _building_folders(folder: Path) -> list[Path]:
    return [path for path in folder.iterdir() if path.name.endswith(".not-a-release")]


def _files_below(folder: Path) -> list[str]:
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())


def test_a_publish_failing_half_way_never_shows_analysts_a_half_built_copy(demo_build, tmp_path, monkeypatch):
    build = _small_build(demo_build, tmp_path / "build")
    published_dir = tmp_path / "published"
    good = publish(build, published_dir)
    good_entries = _entries(published_dir)

    # a failure in the verification step: nothing changes, the partial copy is gone
    def failing_verify(*args, **kwargs):
        raise PublishError("simulated: the copy does not match the build")

    monkeypatch.setattr(publish_module, "_verify", failing_verify)
    with pytest.raises(PublishError, match="simulated"):
        publish(build, published_dir)
    monkeypatch.undo()
    assert _entries(published_dir) == good_entries
    assert _publication_id(good.link) == good.publication_id

    # kill -9 at every stage: analysts still see the good copy; what is left is hidden, owner-only
    # and marked as no release; nothing lands in the system temporary folder
    temporary = tmp_path / "system-tmp"
    temporary.mkdir()
    # a live publish of another name into the same folder holds another lock: its folder is not ours
    other_name = published_dir / ".archive-publish-20260101T000000Z-1-0a0b0c0d.not-a-release"
    other_name.mkdir()
    command = [sys.executable, "-m", "civcas", "publish", "--from", str(build), "--to", str(published_dir)]
    for stage in KILL_STAGES:
        process = start_paused(command, stage, tmp_path, TMPDIR=str(temporary))
        _kill_9(process)
        assert _publication_id(good.link) == good.publication_id
        assert (published_dir / "internal" / "civcas.duckdb").resolve() == \
            (good.internal_path).resolve(), "the internal link did not move either"
        assert _files_below(temporary) == []
        if stage != "publish-renamed":
            (building,) = set(_building_folders(published_dir)) - {other_name}
            assert building.name.startswith(".") and stat.S_IMODE(building.stat().st_mode) == 0o700
            assert "NOT A RELEASE" in (building / BUILDING_MARKER).read_text()
            assert any(path.suffix == ".duckdb" for path in building.rglob("*")), "the copy sits inside it"
        # the next publish removes what the killed one left, and publishes
        after = publish(build, published_dir)
        assert _building_folders(published_dir) == [other_name]
        assert _entries(published_dir) == {".civcas.publish.lock", "civcas.duckdb", "internal", other_name.name,
                                           good.path.parent.name, after.path.parent.name}
        assert _entries(published_dir / "internal") == {"civcas.duckdb", good.path.parent.name,
                                                        after.path.parent.name}
        assert _publication_id(after.link) == after.publication_id
        # back to the good copy for the next stage (a roll-back, as the README shows)
        good = after


def test_a_build_missing_a_schema_or_with_failed_dbt_nodes_is_not_published(demo_build, tmp_path):
    build = _small_build(demo_build, tmp_path / "build")
    published_dir = tmp_path / "published"
    good = publish(build, published_dir)
    broken = _small_build(demo_build, tmp_path / "broken")
    with duckdb.connect(str(broken)) as connection:
        connection.execute("drop schema exports cascade")
    done = _run_cli("publish", "--from", str(broken), "--to", str(published_dir))
    assert done.returncode == 1
    assert "no table or view in schema exports" in done.stderr
    assert _publication_id(good.link) == good.publication_id

    _, duckdb_path = demo_build
    run_results = json.loads((duckdb_path.parent / "target" / "run_results.json").read_text())
    run_results["results"][0]["status"] = "error"
    failed = tmp_path / "run_results.json"
    failed.write_text(json.dumps(run_results))
    done = _run_cli("publish", "--from", str(build), "--to", str(published_dir), "--run-results", str(failed))
    assert done.returncode == 1
    assert "did not pass" in done.stderr and run_results["results"][0]["unique_id"] in done.stderr
    assert _publication_id(good.link) == good.publication_id
    assert _entries(published_dir) == {".civcas.publish.lock", "civcas.duckdb", good.path.parent.name, "internal"}


def test_views_are_published_as_tables_and_the_other_layers_are_left_out(demo_build, tmp_path):
    build = _small_build(demo_build, tmp_path / "build")
    publication = publish(build, tmp_path / "published")
    with duckdb.connect(str(publication.link), read_only=True) as connection:
        relations = _relations(connection, "civcas")
        comment = connection.execute("select comment from duckdb_tables() where table_name = 'sources_by_type'"
                                     ).fetchone()[0]
        rows = connection.execute("select sum(sources) from exports.sources_by_type").fetchone()[0]
        not_null = connection.execute("select table_name, column_name from duckdb_columns() "
                                      "where not is_nullable and table_name = 'dim_sources'").fetchall()
    assert not_null == [("dim_sources", "source_id")]
    assert relations[("exports", "sources_by_type")] == "table"
    assert comment == "Sources per type. Grain: one row per type."
    assert not {schema for schema, _ in relations} & LAYERS_NEVER_PUBLISHED
    with duckdb.connect(str(build), read_only=True) as connection:
        assert rows == connection.execute("select count(*) from main.dim_sources").fetchone()[0]


# --------------------------------------------------------------------------- cleaning up


def test_old_copies_are_deleted_keeping_the_current_and_the_last_good_one(demo_build, tmp_path):
    build = _small_build(demo_build, tmp_path / "build")
    published_dir = tmp_path / "published"
    first, second, third = (publish(build, published_dir) for _ in range(3))
    assert first.path.parent in third.removed
    assert published_versions(published_dir, "civcas") == [second.path.parent, third.path.parent]
    assert third.previous == second.path

    # Roll back to the second copy by hand, then publish: the copy in use before the
    # publish is the last good one, and the rolled-back third copy goes.
    rollback = published_dir / ".rollback"
    os.symlink(os.path.relpath(second.path, published_dir), rollback)
    os.replace(rollback, third.link)
    fourth = publish(build, published_dir)
    assert published_versions(published_dir, "civcas") == [second.path.parent, fourth.path.parent]
    assert fourth.removed == (third.path.parent,)
    # the internal copies follow: those of the publications kept
    assert fourth.internal_removed == (third.internal_path.parent,)
    assert published_versions(published_dir / "internal", "civcas") == [second.internal_path.parent,
                                                                       fourth.internal_path.parent]

    # --keep 1 keeps only the current copy, and never deletes the one the link points to.
    fifth = publish(build, published_dir, keep=1)
    assert published_versions(published_dir, "civcas") == [fifth.path.parent]
    assert _publication_id(fifth.link) == fifth.publication_id


# --------------------------------------------------------------------------- the build file's lock


def _lock_error_shape(message: str) -> str:
    """The lock error with the file, program and PID taken out."""
    shape = re.sub(r'"[^"]*"', '"<file>"', message)
    return re.sub(r"held in .*? \(PID \d+\)", "held in <program> (PID <pid>)", shape)


def test_holding_the_build_file_open_for_writing_fails_dbt_with_the_error_the_readme_quotes(demo_build, dbt_workspace,
                                                                                           tmp_path):
    build = _copy_build(demo_build, dbt_workspace)
    target = build.parent / "target"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(build)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "holding", writer.stderr.read()
        result = run_dbt(["build", "--select", "dim_datasets"], PROJECT_DIR, build, target)
        assert not result.success
        message = str(result.exception)
        assert message.startswith(f'IO Error: Could not set lock on file "{build}": Conflicting lock is held in ')
        # publishing from it fails the same way, and says what to do
        done = _run_cli("publish", "--from", str(build), "--to", str(tmp_path / "published"))
        assert done.returncode == 1 and "Could not set lock on file" in done.stderr
        assert writer.poll() is None, "the analyst's process held the file throughout"
    finally:
        writer.stdin.close()
        writer.wait(timeout=30)

    readme = (PROJECT_DIR / "README.md").read_text()
    quoted = [line for line in readme.splitlines() if line.startswith("IO Error: Could not set lock on file")]
    assert _lock_error_shape(message) in {_lock_error_shape(line) for line in quoted}

    # The README's advice: close it, and read the published copy read-only instead.
    publication = publish(build, tmp_path / "published")
    with duckdb.connect(str(publication.link), read_only=True):
        result = run_dbt(["build", "--select", "dim_datasets"], PROJECT_DIR, build, target)
    assert result.success, result.exception


# --------------------------------------------------------------------------- operational faults


def _one_paragraph_no_traceback(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and "Error:" not in done.stderr.split(":", 1)[0]
    errors = [line for line in done.stderr.splitlines() if line.startswith("civcas")]
    assert len(errors) == 1, done.stderr
    return errors[0]


def test_a_held_build_file_stops_check_lock_and_publish_with_one_paragraph(demo_build, tmp_path):
    build = _small_build(demo_build, tmp_path / "build")
    assert _run_cli("check-lock", "--warehouse", str(build)).returncode == 0
    assert _run_cli("check-lock", "--warehouse", str(tmp_path / "not-built.duckdb")).returncode == 0
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(build)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "holding", writer.stderr.read()
        for command in (("check-lock", "--warehouse", str(build)),
                        ("publish", "--from", str(build), "--to", str(tmp_path / "published"))):
            message = _one_paragraph_no_traceback(_run_cli(*command))
            assert f"Could not set lock on file {build}" in message
            assert f"process {writer.pid}" in message and f"ps -p {writer.pid}" in message
    finally:
        writer.stdin.close()
        writer.wait(timeout=30)
    assert not (tmp_path / "published").exists() or _building_folders(tmp_path / "published") == []


def test_make_build_checks_the_lock_before_the_raw_gates():
    done = subprocess.run(["make", "-n", "build", "CIVCAS_DUCKDB_PATH=warehouse/civcas.duckdb"], cwd=PROJECT_DIR,
                          capture_output=True, text=True, check=True)
    commands = [line for line in done.stdout.splitlines() if "civcas " in line and line.startswith(".venv")]
    assert commands[0].endswith("civcas check-lock --warehouse warehouse/civcas.duckdb"), commands
    assert any("check-raw" in command for command in commands[1:])


def test_a_missing_build_file_or_run_results_is_one_paragraph(tmp_path):
    message = _one_paragraph_no_traceback(_run_cli("publish", "--from", str(tmp_path / "none.duckdb"),
                                                   "--to", str(tmp_path / "published")))
    assert "does not exist" in message
    (tmp_path / "civcas.duckdb").write_bytes(b"")
    message = _one_paragraph_no_traceback(_run_cli("publish", "--from", str(tmp_path / "civcas.duckdb"),
                                                   "--to", str(tmp_path / "published"),
                                                   "--run-results", str(tmp_path / "run_results.json")))
    assert "run_results.json does not exist" in message


def test_the_cli_explains_any_subcommand_s_missing_file_or_full_disk_in_one_place(monkeypatch, capsys):
    import errno

    from civcas import cli

    for fault, expected in ((FileNotFoundError(errno.ENOENT, "No such file or directory", "seeds/x.csv"),
                             "seeds/x.csv does not exist"),
                            (OSError(errno.ENOSPC, "No space left on device", "releases/x"), "disk is full"),
                            (duckdb.IOException('IO Error: Could not set lock on file "w.duckdb": Conflicting '
                                                "lock is held in /usr/bin/duckdb (PID 42)"), "ps -p 42")):
        def handler(_args, fault=fault):
            raise fault
        monkeypatch.setattr(cli, "_cmd_check_lock", handler)
        assert cli.main(["check-lock"]) == 1
        err = capsys.readouterr().err
        assert expected in err and err.count("\n") == 1, err

    def bug(_args):
        raise RuntimeError("a bug keeps its traceback")
    monkeypatch.setattr(cli, "_cmd_check_lock", bug)
    with pytest.raises(RuntimeError):
        cli.main(["check-lock"])


@pytest.fixture()
def small_disk(tmp_path: Path):
    """A 3 MB tmpfs: a real full disk (needs root and mount); skipped where mounting is refused."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount_point)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip() or done.returncode}); "
                    "the full-disk test needs root and mount")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_full_disk_during_publish_is_one_paragraph_and_leaves_nothing(demo_build, small_disk, tmp_path):
    build = _copy_build(demo_build, tmp_path / "build")
    published_dir = small_disk / "published"
    message = _one_paragraph_no_traceback(_run_cli("publish", "--from", str(build), "--to", str(published_dir)))
    assert "disk is full" in message and "No space left on device" in message
    assert _building_folders(published_dir) == []
    assert not (published_dir / "civcas.duckdb").exists()
    assert _files_below(published_dir) == [".civcas.publish.lock"]
