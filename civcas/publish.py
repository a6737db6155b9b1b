"""Publish the built warehouse as the analysts' read-only database and the internal copy
(``civcas publish``).

dbt writes the *build file* (``warehouse/civcas.duckdb``). Analysts never open it:
DuckDB allows one writer per file, so an analyst holding it open (even read-only)
makes the next ``dbt build`` fail with ``Could not set lock on file``, and an
analyst reading it while dbt runs would see a half-built warehouse. Analysts open
the *published path* instead, ``warehouse/published/civcas.duckdb``, which this
module maintains:

1. It writes two copies of the build file, attached read-only, each a NEW file in a
   hidden building folder (``civcas.faults``: mode 0700, named ``.<name>-publish-...
   .not-a-release`` with a NOT-A-RELEASE.txt marker; DuckDB's spill files stay in it):
   the *analysts' copy*, with the schemas analysts may read (``main``, ``exports``,
   ``reference``: ``ANALYST_SCHEMAS``), and the *internal copy*, which adds
   ``restricted`` (protected sources' names, handles and links: ``INTERNAL_SCHEMAS``).
   Never ``raw``, ``staging`` or ``intermediate``: they hold protected sources' names,
   handles and links outside the ``restricted`` schema. The analysts' copy is written
   afresh, never by dropping ``restricted`` from a copy (a dropped table's bytes can stay
   in a DuckDB file).
2. Every relation becomes a TABLE, views materialised. A DuckDB view stores its
   query with the catalog name, and the catalog name is the database file's name
   (``civcas`` for ``civcas.duckdb``): a view reached through a file of another
   name fails to bind, so a DuckDB file with views cannot be switched into place by
   renaming it. Tables carry no such reference. Column order, types, NOT NULL and
   the table and column comments (dbt's ``persist_docs``) are carried over;
   ``main._publication`` and ``main._publication_tables`` record when, from which
   build and dbt run, and how many rows; their table and column comments come from
   ``PUBLICATION_TABLE`` and ``PUBLICATION_TABLES_TABLE``, so every table and column of a
   copy is described.
3. It verifies each copy (every relation present with the same columns, types and
   row count; no views; no other schema, so no ``restricted`` in the analysts' copy)
   and scans every text column outside ``restricted`` for the values of the build's
   ``restricted.restricted_protected_values``. Any failure stops here and deletes the
   building folder: the published paths are untouched.
4. It checkpoints and closes the copies and makes the files read-only on disk: the
   analysts' copy for everyone (0444), the internal copy for its owner alone (0400, in
   folders of mode 0700 under ``<published>/internal/``). It renames their folders to
   ``civcas-<UTC time>-<id>/`` and then switches each published path,
   a symbolic link, to ``civcas-<UTC time>-<id>/civcas.duckdb``: it creates a new
   link under a temporary name and ``os.replace``-s it over the old one.
   ``rename(2)`` replaces a directory entry atomically, so whoever opens the
   published path gets either the whole old copy or the whole new copy, never a
   half-written file and never "no such file". The file inside each folder keeps
   the name ``civcas.duckdb`` because DuckDB follows the link and names the catalog
   after the real file: analysts' queries that say ``civcas.main.fct_incidents``
   keep working. An analyst who holds the old copy open keeps an open file
   descriptor on it and reads that snapshot until they reconnect; they never block
   a publish, because a publish never opens an existing copy for writing.
5. It deletes older copies, keeping ``keep`` (default 2): the current one and the
   last good one (the copy it replaced), so a bad publication can be rolled back
   by pointing the link at the previous folder. The current copy is never deleted.
   On POSIX, deleting a file an analyst still has open only removes its name; they
   keep reading it and its space is freed when they disconnect. Building folders
   left by a killed publish are deleted by the next publish.

A lock file (``.civcas.publish.lock``) serialises publishes into one folder; the next
publish removes leftovers only while holding it, so never a live run's. The switch
relies on POSIX rename and symbolic-link semantics (Linux, macOS).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from civcas import __version__
from civcas.faults import (
    OperationalError,
    folder_lock,
    is_disk_full,
    is_lock_conflict,
    make_building_folder,
    pause_point,
    remove_leftovers,
)
from civcas.output_folders import folder_mode
from civcas.protection import DatabaseScan, ProtectedValue

RESTRICTED_SCHEMA = "restricted"
# The analysts' copy: no protected identity anywhere in it.
ANALYST_SCHEMAS: tuple[str, ...] = ("main", "exports", "reference")
# The internal copy, for the people who may see protected sources: the analysts' schemas and restricted.
INTERNAL_SCHEMAS: tuple[str, ...] = (*ANALYST_SCHEMAS, RESTRICTED_SCHEMA)
PUBLISHED_SCHEMAS = ANALYST_SCHEMAS
# The internal copy's folder inside the published folder; only its owner may enter it.
INTERNAL_FOLDER = "internal"
OWNER_ONLY_FOLDER = 0o700
OWNER_ONLY_FILE = stat.S_IRUSR
EVERYONE_READS_FILE = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
PROTECTED_VALUES_TABLE = "restricted_protected_values"
DEFAULT_KEEP = 2
# dbt node statuses of a build that may be published; anything else (error, fail,
# skipped, runtime error) means some model or test did not pass. Exposures have nothing
# to build and report no-op; no other node may.
PUBLISHABLE_STATUSES = frozenset({"success", "pass", "warn"})
# Column types that cannot hold a name, handle or link, so the leak scan skips them.
_NON_TEXT_TYPE = re.compile(
    r"^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT"
    r"|FLOAT|DOUBLE|DECIMAL\(\d+,\s*\d+\)|DATE|TIME|TIMESTAMP|TIMESTAMP WITH TIME ZONE|TIMESTAMP_[A-Z]+"
    r"|TIME WITH TIME ZONE|INTERVAL|UUID)(\[\d*\])*$"
)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"


class PublishError(Exception):
    """The build cannot be published; the message says why and what to do."""


@dataclass(frozen=True)
class PublishedTable:
    schema: str
    name: str
    rows: int
    built_as: str  # "table" or "view": what it was in the build file


@dataclass(frozen=True)
class ProtectedValueFound:
    """A protected value found outside the restricted schema (the value itself is not kept)."""

    schema: str
    table: str
    column: str
    source_id: str | None
    value_kind: str | None
    rows: int

    def __str__(self) -> str:
        return (f"{self.schema}.{self.table}.{self.column}: {self.rows} row(s) contain the protected "
                f"{self.value_kind or 'value'} of source {self.source_id or '(unknown)'}")


@dataclass(frozen=True)
class Publication:
    publication_id: str
    published_at: datetime
    link: Path  # the analysts' path
    path: Path  # the copy the link now points to, <name>-<publication_id>/<name>.duckdb
    previous: Path | None  # the copy the link pointed to before
    removed: tuple[Path, ...]  # folders of older copies deleted
    tables: tuple[PublishedTable, ...]
    protected_values_checked: int
    elapsed: float
    internal_link: Path | None = None  # the internal path, <published>/internal/<name>.duckdb
    internal_path: Path | None = None  # the internal copy it points to
    internal_removed: tuple[Path, ...] = ()  # folders of older internal copies deleted

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)


@dataclass(frozen=True)
class _Relation:
    schema: str
    name: str
    kind: str  # "table" or "view"
    comment: str | None


@dataclass(frozen=True)
class _Column:
    name: str
    data_type: str
    is_nullable: bool
    comment: str | None


Progress = Callable[[str], None]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _qualified(catalog: str, schema: str, name: str) -> str:
    return f"{_ident(catalog)}.{_ident(schema)}.{_ident(name)}"


# --------------------------------------------------------------------------- file names


def published_link(published_dir: Path, name: str) -> Path:
    """The analysts' path: ``<published_dir>/<name>.duckdb``."""
    return published_dir / f"{name}.duckdb"


def _version_pattern(name: str, prefix: str = "", suffix: str = "") -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(prefix + name)}-(\d{{8}}T\d{{6}}Z)-([0-9a-f]{{8}}){re.escape(suffix)}$")


def published_versions(published_dir: Path, name: str) -> list[Path]:
    """Folders of the completed copies, ``<name>-<UTC time>-<id>/``, oldest first."""
    pattern = _version_pattern(name)
    versions = [path for path in published_dir.iterdir()
                if pattern.match(path.name) and (path / f"{name}.duckdb").is_file()]
    # The folder name's time has whole seconds; the file's modification time orders copies within one.
    return sorted(versions, key=lambda path: (pattern.match(path.name).group(1),
                                              (path / f"{name}.duckdb").stat().st_mtime_ns))


def current_version(published_dir: Path, name: str) -> Path | None:
    """The folder of the copy the analysts' path points to, or None when there is none yet."""
    link = published_link(published_dir, name)
    if not link.is_symlink():
        return None
    target = published_dir / os.readlink(link)
    return target.parent if target.is_file() else None


def _leftover_names(name: str) -> re.Pattern[str]:
    """Temporary links of interrupted publishes, and the partial folders of earlier civcas versions
    (building folders are found by civcas.faults)."""
    return re.compile(rf"^\.{re.escape(name)}-\d{{8}}T\d{{6}}Z-[0-9a-f]{{8}}\.partial$"
                      rf"|^\.{re.escape(name)}\.duckdb\.[0-9a-f]{{8}}\.link$")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _fsync_dir(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextmanager
def _publish_lock(published_dir: Path, name: str) -> Iterator[None]:
    lock_path = published_dir / f".{name}.publish.lock"
    try:
        with folder_lock(lock_path, f"another `civcas publish` into {published_dir} is running (it holds "
                                    f"{lock_path.name}); wait for it to finish and publish again"):
            yield
    except OperationalError as exc:
        raise PublishError(str(exc)) from None


# --------------------------------------------------------------------------- dbt run results


def read_run_results(path: Path) -> dict:
    """dbt's run_results.json, refused when any node did not pass."""
    try:
        results = json.loads(path.read_text())
    except FileNotFoundError:
        raise PublishError(f"{path} does not exist: run `dbt build` first, or leave out --run-results") from None
    except json.JSONDecodeError as exc:
        raise PublishError(f"{path} is not valid JSON ({exc}); run `dbt build` again") from None
    failed = [(result.get("status"), result.get("unique_id")) for result in results.get("results", [])
              if result.get("status") not in PUBLISHABLE_STATUSES
              and not (result.get("status") == "no-op" and str(result.get("unique_id")).startswith("exposure."))]
    if failed:
        shown = ", ".join(f"{status}: {unique_id}" for status, unique_id in failed[:5])
        more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
        raise PublishError(f"the dbt run recorded in {path} did not pass ({len(failed)} node(s): {shown}{more}); "
                           "fix the build and run it again before publishing")
    return results


# --------------------------------------------------------------------------- reading the build


def _relations(connection: duckdb.DuckDBPyConnection, catalog: str, schemas: Sequence[str]) -> list[_Relation]:
    rows = connection.execute(
        """
        select schema_name, table_name, 'table', comment from duckdb_tables()
        where database_name = $catalog and list_contains($schemas, schema_name) and not temporary
        union all
        select schema_name, view_name, 'view', comment from duckdb_views()
        where database_name = $catalog and list_contains($schemas, schema_name) and not internal and not temporary
        order by 1, 2
        """,
        {"catalog": catalog, "schemas": list(schemas)},
    ).fetchall()
    return [_Relation(schema, name, kind, comment or None) for schema, name, kind, comment in rows]


def _columns(connection: duckdb.DuckDBPyConnection, catalog: str) -> dict[tuple[str, str], list[_Column]]:
    """Every column of every table and view of ``catalog``, in order, by (schema, relation)."""
    rows = connection.execute(
        """
        select schema_name, table_name, column_name, data_type, is_nullable, comment from duckdb_columns()
        where database_name = ?
        order by schema_name, table_name, column_index
        """,
        [catalog],
    ).fetchall()
    columns: dict[tuple[str, str], list[_Column]] = {}
    for schema, name, column, data_type, nullable, comment in rows:
        columns.setdefault((schema, name), []).append(_Column(column, data_type, nullable, comment or None))
    return columns


def _schemas(connection: duckdb.DuckDBPyConnection, catalog: str) -> set[str]:
    rows = connection.execute(
        "select schema_name from duckdb_schemas() where database_name = ?", [catalog]
    ).fetchall()
    return {schema for (schema,) in rows}


def _count(connection: duckdb.DuckDBPyConnection, catalog: str, schema: str, name: str) -> int:
    return connection.execute(f"select count(*) from {_qualified(catalog, schema, name)}").fetchone()[0]


# --------------------------------------------------------------------------- protected values


def _is_text_type(data_type: str) -> bool:
    return not _NON_TEXT_TYPE.match(data_type)


def find_protected_values(connection: duckdb.DuckDBPyConnection, catalog: str,
                          restricted_schema: str = RESTRICTED_SCHEMA,
                          schemas: Sequence[str] | None = None,
                          values_catalog: str | None = None) -> tuple[list[ProtectedValueFound], int]:
    """Every text cell outside ``restricted_schema`` of ``catalog`` (in ``schemas`` only,
    when given) in which a value of ``<restricted_schema>.restricted_protected_values`` occurs,
    by the rule of civcas.protection (which also scans release files, and agrees with the dbt
    test): in lower case and Unicode NFC, as whole tokens when the value has at least
    MIN_PROTECTED_LENGTH characters, so a name inside a longer text or a JSON record counts but
    '@x_1' inside '@x_12' does not; a shorter value only as a whole cell. Lists, maps and
    structs are searched in their text form. The search is a join on anchor tokens, linear in
    the size of the tables. The values are read from ``values_catalog`` (default: ``catalog``
    itself; the analysts' copy has no restricted schema, so its values come from the build).
    Returns the findings (which never include the value itself) and how many distinct values
    were searched for."""
    values_catalog = values_catalog or catalog
    values_table = _qualified(values_catalog, restricted_schema, PROTECTED_VALUES_TABLE)
    exists = connection.execute(
        "select count(*) from duckdb_tables() where database_name = ? and schema_name = ? and table_name = ?",
        [values_catalog, restricted_schema, PROTECTED_VALUES_TABLE],
    ).fetchone()[0]
    if not exists:
        raise PublishError(f"{restricted_schema}.{PROTECTED_VALUES_TABLE} is missing, so protected sources "
                           "cannot be checked; build the restricted models (dbt build) and publish again")
    values = [ProtectedValue(str(value), str(kind), str(source or "")) for value, kind, source in connection.execute(
        f"select protected_value, value_kind, source_id from {values_table} "
        "where protected_value is not null and trim(protected_value) <> ''"
    ).fetchall()]
    found: list[ProtectedValueFound] = []
    if not values:
        return found, 0
    scan = DatabaseScan(values)
    columns = _columns(connection, catalog)
    tables = connection.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ? and schema_name <> ? "
        "and (? or list_contains(?, schema_name)) order by 1, 2",
        [catalog, restricted_schema, schemas is None, list(schemas or [])],
    ).fetchall()
    for schema, name in tables:
        text_columns = [column.name for column in columns[(schema, name)] if _is_text_type(column.data_type)]
        if not text_columns:
            continue
        cells = " union all ".join(
            f"select {_literal(column)} as column_name, cast({_ident(column)} as varchar) as cell "
            f"from {_qualified(catalog, schema, name)} where {_ident(column)} is not null"
            for column in text_columns
        )
        # Only cells that meet an anchor reach Python (few in a sound database), never the values.
        found += [ProtectedValueFound(schema, name, column, source_id or None, value_kind, rows)
                  for column, value_kind, source_id, rows in scan.occurrences(connection, cells)]
    return found, scan.values_searched


def check_protected_values(database: Path, values_from: Path | None = None) -> tuple[list[ProtectedValueFound], int]:
    """Open ``database`` read-only and run find_protected_values on it, with the protected values
    of ``values_from`` (a build file or an internal copy) when given, else of ``database`` itself."""
    with duckdb.connect(":memory:") as connection:
        connection.execute(f"attach {_literal(str(database))} as checked (read_only)")
        values_catalog = None
        if values_from is not None:
            connection.execute(f"attach {_literal(str(values_from))} as protected_values_source (read_only)")
            values_catalog = "protected_values_source"
        return find_protected_values(connection, "checked", values_catalog=values_catalog)


# --------------------------------------------------------------------------- copying


def _copy_relation(connection: duckdb.DuckDBPyConnection, source: str, target: str, relation: _Relation,
                   columns: list[_Column]) -> None:
    destination = _qualified(target, relation.schema, relation.name)
    origin = _qualified(source, relation.schema, relation.name)
    connection.execute(f"create table {destination} as select * from {origin}")
    for column in columns:
        # NOT NULL tells GUI clients (and analysts) what dbt's contracts guarantee; views have none.
        if relation.kind == "table" and not column.is_nullable:
            connection.execute(f"alter table {destination} alter column {_ident(column.name)} set not null")
        if column.comment:
            connection.execute(f"comment on column {destination}.{_ident(column.name)} is {_literal(column.comment)}")
    if relation.comment:
        connection.execute(f"comment on table {destination} is {_literal(relation.comment)}")


def _verify(connection: duckdb.DuckDBPyConnection, source: str, target: str, relations: list[_Relation],
            schemas: Sequence[str]) -> list[PublishedTable]:
    """Every relation copied with the same columns, types and row count; nothing else."""
    problems: list[str] = []
    published: list[PublishedTable] = []
    views = connection.execute(
        "select schema_name || '.' || view_name from duckdb_views() where database_name = ? and not internal",
        [target],
    ).fetchall()
    problems += [f"{view} is a view; the published database must hold tables only" for (view,) in views]
    extra = _schemas(connection, target) - set(schemas) - {"information_schema", "pg_catalog"}
    problems += [f"schema {schema} must not be published" for schema in sorted(extra)]
    source_columns = _columns(connection, source)
    target_columns = _columns(connection, target)
    for relation in relations:
        label = f"{relation.schema}.{relation.name}"
        key = (relation.schema, relation.name)
        expected = [(c.name, c.data_type) for c in source_columns.get(key, [])]
        actual = [(c.name, c.data_type) for c in target_columns.get(key, [])]
        if expected != actual:
            problems.append(f"{label}: columns differ from the build ({actual} instead of {expected})")
            continue
        rows_in_build = _count(connection, source, relation.schema, relation.name)
        rows_published = _count(connection, target, relation.schema, relation.name)
        if rows_in_build != rows_published:
            problems.append(f"{label}: {rows_published} rows published, {rows_in_build} in the build")
        published.append(PublishedTable(relation.schema, relation.name, rows_published, relation.kind))
    if problems:
        raise PublishError("the copy does not match the build:\n  " + "\n  ".join(problems))
    return published


@dataclass(frozen=True)
class DescribedColumn:
    name: str
    definition: str  # its type and constraints, as DuckDB's create table says them
    description: str


@dataclass(frozen=True)
class DescribedTable:
    description: str
    columns: tuple[DescribedColumn, ...]


# main._publication and main._publication_tables, which only a publication writes: their
# columns and descriptions, one place (the tables are created, and commented, from these).
PUBLICATION_TABLE = DescribedTable(
    "This publication: when it was made (UTC), from which build file and dbt run, whether its data is "
    "synthetic, and how many tables and rows it holds. Grain: one row.",
    (
        DescribedColumn("publication_id", "varchar not null",
                        "The publication's id, <UTC time>-<random hex>; also in the copy's folder name."),
        DescribedColumn("published_at", "timestamp with time zone not null", "When the copy was published."),
        DescribedColumn("published_file", "varchar not null",
                        "The copy's file, relative to the published folder (<name>-<publication_id>/<name>.duckdb)."),
        DescribedColumn("build_file", "varchar not null", "The dbt build file the copy was made from."),
        DescribedColumn("build_file_modified_at", "timestamp with time zone not null",
                        "When the build file was last written, i.e. when its dbt build ended."),
        DescribedColumn("dbt_invocation_id", "varchar",
                        "The id of the dbt run that built it (run_results.json); null when not given."),
        DescribedColumn("dbt_generated_at", "varchar", "When that dbt run ended, as dbt wrote it; null when not given."),
        DescribedColumn("is_synthetic", "boolean",
                        "True when the data is synthetic (the demo), not real events (main.dim_datasets); "
                        "null when the copy has no dim_datasets."),
        DescribedColumn("table_count", "integer not null", "How many tables the copy holds (main._publication_tables)."),
        DescribedColumn("row_count", "bigint not null", "How many rows they hold together."),
        DescribedColumn("published_by", "varchar not null", "The civcas version that published it."),
    ),
)
PUBLICATION_TABLES_TABLE = DescribedTable(
    "Every table of this publication with its row count, checked equal to the build, and what it was in the "
    "build (table, or a view materialised here). Grain: one row per table.",
    (
        DescribedColumn("schema_name", "varchar not null", "The table's schema: main, exports or reference."),
        DescribedColumn("table_name", "varchar not null", "The table's name."),
        DescribedColumn("row_count", "bigint not null", "Its rows, equal to the build's."),
        DescribedColumn("built_as", "varchar not null",
                        "What it was in the build file: table, or view (materialised as a table here)."),
    ),
)


def _write_publication_tables(connection: duckdb.DuckDBPyConnection, target: str, *, publication_id: str,
                              copy_name: str, published_at: datetime, build_file: Path,
                              run_results: dict | None, tables: list[PublishedTable]) -> None:
    """main._publication (one row) and main._publication_tables (one row per table)."""
    metadata = (run_results or {}).get("metadata", {})
    has_datasets = any(t.schema == "main" and t.name == "dim_datasets" for t in tables)
    is_synthetic = (connection.execute(
        f"select bool_or(is_synthetic) from {_qualified(target, 'main', 'dim_datasets')}").fetchone()[0]
        if has_datasets else None)
    build_modified_at = datetime.fromtimestamp(build_file.stat().st_mtime, tz=UTC)
    publication = _qualified(target, "main", "_publication")
    _create_described_table(connection, publication, PUBLICATION_TABLE)
    connection.execute(
        f"insert into {publication} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [publication_id, published_at, copy_name, str(build_file.resolve()),
         build_modified_at, metadata.get("invocation_id"), metadata.get("generated_at"), is_synthetic,
         len(tables), sum(t.rows for t in tables), f"civcas {__version__}"],
    )
    per_table = _qualified(target, "main", "_publication_tables")
    _create_described_table(connection, per_table, PUBLICATION_TABLES_TABLE)
    connection.executemany(f"insert into {per_table} values (?, ?, ?, ?)",
                           [[t.schema, t.name, t.rows, t.built_as] for t in tables])


def _create_described_table(connection: duckdb.DuckDBPyConnection, qualified: str,
                            table: DescribedTable) -> None:
    """Create ``table`` at ``qualified`` with its table and column comments."""
    columns = ",\n".join(f"{_ident(column.name)} {column.definition}" for column in table.columns)
    connection.execute(f"create table {qualified} (\n{columns}\n)")
    connection.execute(f"comment on table {qualified} is {_literal(table.description)}")
    for column in table.columns:
        connection.execute(f"comment on column {qualified}.{_ident(column.name)} is {_literal(column.description)}")


def _build_copy(build_file: Path, partial: Path, *, publication_id: str, copy_name: str,
                published_at: datetime, schemas: Sequence[str], run_results: dict | None,
                progress: Progress, temp_directory: Path) -> tuple[list[PublishedTable], int]:
    """Copy, verify and check into ``partial``; close it. Raises PublishError."""
    # Views in the build name their catalog, which is the build file's stem: attach it under that name.
    source = build_file.stem
    target = "publication" if source != "publication" else "publication_copy"
    config = {
        "memory_limit": os.environ.get("CIVCAS_DUCKDB_MEMORY_LIMIT", "4GB"),
        "threads": int(os.environ.get("CIVCAS_DUCKDB_THREADS", "2")),
        # What DuckDB spills holds restricted data too: keep it in the building folder.
        "temp_directory": str(temp_directory),
    }
    with duckdb.connect(":memory:", config=config) as connection:
        try:
            connection.execute(f"attach {_literal(str(build_file))} as {_ident(source)} (read_only)")
        except duckdb.Error as exc:
            if is_lock_conflict(exc):
                raise  # the CLI explains a held lock (civcas.faults)
            raise PublishError(f"cannot open the build file {build_file} read-only: {exc}. If `dbt build` is "
                               "still writing it, wait for it to finish") from None
        relations = _relations(connection, source, schemas)
        # dbt creates a schema before its models, so a failed build can leave it empty.
        missing = [schema for schema in schemas if not any(r.schema == schema for r in relations)]
        if missing:
            raise PublishError(f"the build file {build_file} has no table or view in schema "
                               f"{', '.join(missing)}; build every model first (dbt build), then publish. "
                               "The published database was left as it was")
        connection.execute(f"attach {_literal(str(partial))} as {_ident(target)}")
        # One transaction for the copy; on any error the connection closes without committing
        # and the caller deletes the partial file.
        connection.execute("begin transaction")
        for schema in schemas:
            connection.execute(f"create schema if not exists {_ident(target)}.{_ident(schema)}")
        source_columns = _columns(connection, source)
        for relation in relations:
            columns = source_columns[(relation.schema, relation.name)]
            try:
                _copy_relation(connection, source, target, relation, columns)
            except duckdb.Error as exc:
                if is_disk_full(exc):
                    raise  # the CLI explains a full disk (civcas.faults)
                raise PublishError(f"cannot copy {relation.schema}.{relation.name}: {exc}. A view binds to "
                                   f"the catalog `{source}`: publish from the file dbt built it in, "
                                   "under its original name") from None
        connection.execute("commit")
        views = sum(relation.kind == "view" for relation in relations)
        progress(f"publish: copied {len(relations)} relations ({views} views materialised) "
                 f"of {', '.join(schemas)}")
        tables = _verify(connection, source, target, relations, schemas)
        _write_publication_tables(connection, target, publication_id=publication_id, copy_name=copy_name,
                                  published_at=published_at, build_file=build_file,
                                  run_results=run_results, tables=tables)
        found, searched = find_protected_values(connection, target, values_catalog=source)
        if found:
            shown = "\n  ".join(str(finding) for finding in found[:20])
            raise PublishError(f"protected source values appear outside the {RESTRICTED_SCHEMA} schema "
                               f"({len(found)} column(s)):\n  {shown}\nFix the models that expose them; "
                               "nothing was published")
        progress(f"publish: {copy_name}: verified row counts of {len(tables)} tables; no protected value "
                 f"({searched} searched) outside {RESTRICTED_SCHEMA}")
        connection.execute(f"checkpoint {_ident(target)}")
        connection.execute(f"detach {_ident(target)}")
    return tables, searched


# --------------------------------------------------------------------------- switching and cleaning up


def _switch(link: Path, copy: Path, token: str) -> None:
    """Point ``link`` at ``copy`` in one atomic rename."""
    temporary = link.with_name(f".{link.name}.{token}.link")
    _remove(temporary)
    # A relative target keeps the folder movable (a mounted volume, a copied folder).
    os.symlink(os.path.relpath(copy, link.parent), temporary)
    os.replace(temporary, link)
    _fsync_dir(link.parent)


def clean_up(published_dir: Path, name: str, keep: int, previous: Path | None = None) -> list[Path]:
    """Keep ``keep`` copies: the current one, then ``previous`` (the copy it replaced: the
    last good one, even after a roll-back), then the newest others; delete the rest.
    Returns the folders deleted."""
    current = current_version(published_dir, name)
    versions = published_versions(published_dir, name)
    preferred = [version for version in (current, previous) if version is not None and version in versions]
    ranked = list(dict.fromkeys(preferred + versions[::-1]))
    # The current copy is kept whatever `keep` says.
    kept = set(ranked[:max(keep, 1)]) | ({current} if current else set())
    removed = [version for version in versions if version not in kept]
    for version in removed:
        _remove(version)
    return removed


# --------------------------------------------------------------------------- publish


def publish(build_file: Path, published_dir: Path, *, name: str | None = None, keep: int = DEFAULT_KEEP,
            run_results: Path | None = None, schemas: Sequence[str] = ANALYST_SCHEMAS,
            internal_dir: Path | None = None,
            progress: Progress = lambda message: None) -> Publication:
    """Publish ``build_file`` as the analysts' copy ``<published_dir>/<name>.duckdb`` (``schemas``,
    never restricted) and the internal copy ``<internal_dir>/<name>.duckdb`` (``schemas`` and
    restricted; default folder ``<published_dir>/internal``, its owner's alone); name: the build
    file's stem. Raises PublishError, leaving both published paths as they were."""
    started = time.monotonic()
    name = name or build_file.stem
    if not _NAME.match(name):
        raise PublishError(f"publication name {name!r} must be letters, digits, '_' or '-'")
    if keep < 1:
        raise PublishError(f"--keep must be at least 1 (the current copy), not {keep}")
    if RESTRICTED_SCHEMA in schemas:
        raise PublishError(f"the analysts' copy never holds schema {RESTRICTED_SCHEMA}; the internal copy adds it")
    if not build_file.is_file():
        raise PublishError(f"the build file {build_file} does not exist; run `make build` (dbt build) first")
    results = read_run_results(run_results) if run_results else None
    internal_schemas = (*schemas, RESTRICTED_SCHEMA)
    published_dir.mkdir(parents=True, exist_ok=True)
    internal_dir = internal_dir or published_dir / INTERNAL_FOLDER
    internal_dir.mkdir(mode=OWNER_ONLY_FOLDER, parents=True, exist_ok=True)
    internal_dir.chmod(OWNER_ONLY_FOLDER)
    link = published_link(published_dir, name)
    internal_link = published_link(internal_dir, name)
    for path in (link, internal_link):
        if path.exists() and not path.is_symlink():
            raise PublishError(f"{path} is a regular file, not the link `civcas publish` maintains; move it "
                               "elsewhere (it may be an older copy someone made by hand) and publish again")
    with _publish_lock(published_dir, name):
        # Holding the lock, so no live publish owns them: what a killed publish left.
        for folder in (published_dir, internal_dir):
            # Only this name's: publishes of another name into the folder hold another lock.
            for leftover in remove_leftovers(folder, f"{name}-publish", also=_leftover_names(name)):
                progress(f"publish: removed {leftover.name}, left by an interrupted publish")
        published_at = datetime.now(UTC)
        token = secrets.token_hex(4)
        publication_id = f"{published_at.strftime(_TIMESTAMP_FORMAT)}-{token}"
        # Each copy has its own folder, so that its file is always <name>.duckdb: DuckDB names the
        # catalog after the file it opens (following the link), and analysts' queries may name it.
        version = published_dir / f"{name}-{publication_id}"
        internal_version = internal_dir / version.name
        building = make_building_folder(published_dir, f"{name}-publish")
        try:
            copies = {}
            for kind, copy_schemas, folder in (("analysts", schemas, version),
                                               ("internal", internal_schemas, internal_version)):
                database = building / kind / f"{name}.duckdb"
                database.parent.mkdir()
                copies[kind] = _build_copy(
                    build_file, database, publication_id=publication_id,
                    copy_name=f"{folder.relative_to(published_dir).as_posix()}/{database.name}",
                    published_at=published_at, schemas=copy_schemas, run_results=results, progress=progress,
                    temp_directory=building / "duckdb-tmp")
                if database.with_name(database.name + ".wal").exists():
                    raise PublishError(f"{database.name}.wal remained after the checkpoint; the copy is not complete")
                with open(database, "rb") as handle:
                    os.fsync(handle.fileno())
                pause_point(f"publish-{kind}-copied")
            tables, searched = copies["analysts"]
            # Read-only on disk: an analyst who forgets read-only mode cannot change the copy. The
            # internal copy: its owner alone.
            (building / "analysts" / f"{name}.duckdb").chmod(EVERYONE_READS_FILE)
            (building / "internal" / f"{name}.duckdb").chmod(OWNER_ONLY_FILE)
            (building / "analysts").chmod(folder_mode())
            (building / "internal").chmod(OWNER_ONLY_FOLDER)
            os.rename(building / "internal", internal_version)
            os.rename(building / "analysts", version)
            pause_point("publish-renamed")
        except BaseException:
            _remove(building)
            _remove(internal_version)
            _remove(version)
            raise
        _remove(building)
        previous = current_version(published_dir, name)
        copy = version / f"{name}.duckdb"
        internal_copy = internal_version / copy.name
        _switch(internal_link, internal_copy, token)
        _switch(link, copy, token)
        removed = clean_up(published_dir, name, keep, previous)
        # The internal copies kept are those of the publications the analysts' copies kept.
        kept = {version.name for version in published_versions(published_dir, name)}
        internal_current = current_version(internal_dir, name)
        internal_removed = [version for version in published_versions(internal_dir, name)
                            if version.name not in kept and version != internal_current]
        for version in internal_removed:
            _remove(version)
    return Publication(publication_id=publication_id, published_at=published_at, link=link, path=copy,
                       previous=previous / copy.name if previous else None, tables=tuple(tables),
                       protected_values_checked=searched, removed=tuple(removed),
                       elapsed=time.monotonic() - started, internal_link=internal_link,
                       internal_path=internal_copy, internal_removed=tuple(internal_removed))
