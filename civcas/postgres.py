"""The team server: civcas on PostgreSQL (issue 15).

``civcas postgres-setup`` prepares a server for ``dbt build --target postgres``:

- a local server (host ``localhost``, ``127.0.0.1`` or a socket folder) that is down is
  started with ``pg_ctlcluster`` (Debian's PostgreSQL packages); a remote one must be up;
- the roles: ``civcas`` (the build: owns every schema and table dbt writes),
  ``civcas_analyst`` (reads ``main``, ``exports`` and ``reference``) and ``civcas_internal``
  (reads those and ``restricted``, the protected sources). dbt's ``grants`` config
  (dbt_project.yml) grants the tables; the setup grants the schemas;
- the database, with byte-order collation (``C``) so that text sorts and compares as in
  DuckDB, and a UTF-8 character type so that ``lower`` and regular expressions know Unicode;
- the functions the models call that PostgreSQL lacks, as PL/Python (``plpython3u``), from the
  project's own Python so that the rule is the same code: ``civcas_normal_form``
  (civcas.normal_form), ``jaro_winkler_similarity`` (civcas.similarity), and DuckDB's row hash
  and JSON text of a raw row (civcas.duckdb_hash).

Passwords are never committed: they come from ``CIVCAS_PG_PASSWORD`` (the build role) or are
generated once and kept in a password file (``warehouse/postgres/pgpass``, mode 0600; the
Makefile points ``PGPASSFILE`` at it), which libpq reads when the profile's password is empty.
The setup itself connects as the server's superuser through its socket: as root with
``runuser -u postgres``, else as the current user.

``civcas postgres-load-raw`` loads a folder of raw Parquet files (files mode) into the schema
``raw_files``: per table, ``<table>_by_file`` holds every row with its file's name
(``raw_file``), and the view ``<table>`` the contract's columns, which the ``raw_files``
source names.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from civcas.faults import OperationalError

ROLES = ("civcas_analyst", "civcas_internal")
# schema -> the roles that read it (dbt's grants give them the tables; these are the schemas)
SCHEMA_READERS = {
    "main": ROLES,
    "exports": ROLES,
    "reference": ROLES,
    "restricted": ("civcas_internal",),
}
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", ""})
CLUSTER = ("15", "main")
PASSWORD_FILE = Path("warehouse") / "postgres" / "pgpass"
# The modules a PL/Python function runs, in the order their sources are loaded.
FUNCTION_MODULES = {
    "civcas_normal_form": "normal_form",
    "jaro_winkler_similarity": "similarity",
    "civcas_duckdb_row_hash": "duckdb_hash",
    "civcas_duckdb_row_json": "duckdb_hash",
    "civcas_json_with_field_replaced": "duckdb_hash",
    "civcas_try_strptime": "strptime",
}
WHAT_TO_DO = (
    "Install PostgreSQL 15 and PL/Python (Debian: apt-get install postgresql-15 postgresql-plpython3-15), "
    "start it (pg_ctlcluster 15 main start), or point CIVCAS_PG_HOST, CIVCAS_PG_PORT, CIVCAS_PG_USER and "
    "CIVCAS_PG_PASSWORD at a running server, then run make build-postgres again."
)


@dataclass(frozen=True)
class Settings:
    """The connection settings of the profile's postgres target (profiles.yml), from the environment."""

    host: str
    port: int
    user: str
    database: str

    @classmethod
    def from_environment(cls, database: str | None = None) -> Settings:
        return cls(
            host=os.environ.get("CIVCAS_PG_HOST", "localhost"),
            port=int(os.environ.get("CIVCAS_PG_PORT", "5432")),
            user=os.environ.get("CIVCAS_PG_USER", "civcas"),
            database=database or os.environ.get("CIVCAS_PG_DATABASE", "civcas"),
        )

    @property
    def is_local(self) -> bool:
        return self.host in LOCAL_HOSTS or self.host.startswith("/")


def password_file(project_dir: Path) -> Path:
    """The password file libpq reads (PGPASSFILE, else the project's warehouse/postgres/pgpass)."""
    configured = os.environ.get("PGPASSFILE")
    return Path(configured) if configured else project_dir / PASSWORD_FILE


def _read_passwords(path: Path) -> dict[str, str]:
    """user -> password from a libpq password file (host:port:database:user:password)."""
    passwords: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            parts = line.split(":")
            if len(parts) == 5 and not line.startswith("#"):
                passwords.setdefault(parts[3], parts[4])
    return passwords


def role_passwords(project_dir: Path, settings: Settings) -> dict[str, str]:
    """The password of each role: CIVCAS_PG_PASSWORD for the build role when set, else the one
    already in the password file, else a new one; written back to the file (mode 0600)."""
    path = password_file(project_dir)
    known = _read_passwords(path)
    passwords = {}
    for user in (settings.user, *ROLES):
        passwords[user] = known.get(user) or secrets.token_urlsafe(24)
    if os.environ.get("CIVCAS_PG_PASSWORD"):
        passwords[settings.user] = os.environ["CIVCAS_PG_PASSWORD"]
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"*:*:*:{user}:{password}" for user, password in passwords.items()]
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text("\n".join(lines) + "\n")
    return passwords


def _psql_command(settings: Settings, database: str) -> list[str]:
    """psql as the server's superuser, through the local socket."""
    psql = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-p", str(settings.port), "-d", database]
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if runuser is None:
            raise OperationalError("postgres-setup: runuser is not installed; run the setup as the postgres user")
        return [runuser, "-u", "postgres", "--", *psql]
    return psql


def superuser_sql(settings: Settings, sql: str, database: str = "postgres") -> str:
    """Run `sql` as the server's superuser; its output. Raises OperationalError saying what to do."""
    if shutil.which("psql") is None:
        raise OperationalError(f"postgres-setup: psql is not installed. {WHAT_TO_DO}")
    environment = {**os.environ, "PGOPTIONS": "-c client_min_messages=warning"}
    result = subprocess.run(_psql_command(settings, database), input=sql, text=True, capture_output=True,
                            check=False, env=environment)
    if result.returncode != 0:
        error = result.stderr.strip()
        if "psql: error" in error or "runuser" in error:
            raise OperationalError(
                f"postgres-setup: could not reach the server as its superuser ({error}). Run the setup as root "
                "or as the postgres user on the server's machine, or ask the server's administrator to run "
                f"`civcas postgres-setup` there. {WHAT_TO_DO}")
        raise OperationalError(f"postgres-setup: the server refused a setup statement: {error}")
    return result.stdout


def _is_ready(settings: Settings) -> bool:
    ready = shutil.which("pg_isready") or "/usr/lib/postgresql/15/bin/pg_isready"
    host = "/var/run/postgresql" if settings.host in LOCAL_HOSTS else settings.host
    try:
        result = subprocess.run([ready, "-q", "-h", host, "-p", str(settings.port)], check=False)
    except FileNotFoundError as exc:
        raise OperationalError(f"postgres-setup: PostgreSQL is not installed (no pg_isready). {WHAT_TO_DO}") from exc
    return result.returncode == 0


def ensure_server(settings: Settings) -> str:
    """Start a local server that is down; what was done. A remote server must be up."""
    if _is_ready(settings):
        return "reused the running server"
    if not settings.is_local:
        raise OperationalError(f"postgres-setup: no PostgreSQL server answers at {settings.host}:{settings.port}. "
                               f"{WHAT_TO_DO}")
    starter = shutil.which("pg_ctlcluster")
    if starter is None:
        raise OperationalError(f"postgres-setup: no server answers on port {settings.port} and pg_ctlcluster "
                               f"is not installed. {WHAT_TO_DO}")
    result = subprocess.run([starter, *CLUSTER, "start"], capture_output=True, text=True, check=False)
    for _ in range(30):
        if _is_ready(settings):
            return f"started the local server (pg_ctlcluster {' '.join(CLUSTER)} start)"
        time.sleep(1)
    raise OperationalError(f"postgres-setup: could not start the local server ({result.stderr.strip()}). "
                           f"{WHAT_TO_DO}")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _module_source(module: str) -> str:
    return (Path(__file__).parent / f"{module}.py").read_text(encoding="utf-8")


def _function_body(module: str, call: str, extra: str = "") -> str:
    """A PL/Python body that runs a civcas module's source once per session (kept in SD) and
    returns `call`, an expression on the module `m` and the function's arguments."""
    source = _module_source(module)
    return (
        "if 'm' not in SD:\n"
        "    import types\n"
        f"    m = types.ModuleType('civcas_{module}')\n"
        f"    exec(compile({source!r}, 'civcas/{module}.py', 'exec'), m.__dict__)\n"
        f"{extra}"
        "    SD['m'] = m\n"
        "m = SD['m']\n"
        f"return {call}\n"
    )


def function_definitions() -> list[str]:
    """CREATE FUNCTION statements of the PL/Python functions the models call."""
    from civcas.normal_form import look_alikes

    # The look-alike table comes from a package the server's Python lacks: it travels as data.
    table = json.dumps({str(code): text for code, text in look_alikes().items()})
    normal_form_extra = (
        f"    table = {{int(code): text for code, text in __import__('json').loads({table!r}).items()}}\n"
        "    m.look_alikes = lambda: table\n"
    )
    bodies = {
        "civcas_normal_form(text text) returns text":
            _function_body("normal_form", "m.normal_form_or_none(text)", normal_form_extra),
        "jaro_winkler_similarity(left_text text, right_text text) returns double precision":
            _function_body("similarity", "None if left_text is None or right_text is None "
                           "else m.jaro_winkler_similarity(left_text, right_text)"),
        "civcas_duckdb_row_hash(row_values text[]) returns numeric":
            _function_body("duckdb_hash", "m.row_hash(row_values)"),
        "civcas_duckdb_row_json(row_names text[], row_values text[]) returns text":
            _function_body("duckdb_hash", "m.row_json(row_names, row_values)"),
        "civcas_json_with_field_replaced(record text, field_key text, field_value text) returns text":
            _function_body("duckdb_hash", "m.json_with_field_replaced(record, field_key, field_value)"),
        "civcas_try_strptime(text text, formats text[]) returns date":
            _function_body("strptime", "m.try_strptime(text, formats)"),
    }
    statements = []
    for signature, body in bodies.items():
        if "$civcas$" in body:
            raise ValueError(f"{signature}: the body holds the quote $civcas$")
        # dropped first: a function of an older setup may name its arguments differently (the
        # staging views that call it go too; the full build that follows the setup makes them again)
        statements.append(f"drop function if exists public.{signature.split(' returns')[0]} cascade;\n"
                          f"create or replace function public.{signature}\n"
                          f"language plpython3u immutable parallel safe as $civcas$\n{body}$civcas$;\n"
                          f"grant execute on function public.{signature.split(' returns')[0]} to public;\n")
    # DuckDB's error(message): stops the query with the message.
    statements.append("drop function if exists public.civcas_fail(text) cascade;\n"
                      "create or replace function public.civcas_fail(message text) returns boolean\n"
                      "language plpgsql as $civcas$ begin raise exception '%', message; end $civcas$;\n"
                      "grant execute on function public.civcas_fail(text) to public;\n")
    return statements


def setup(project_dir: Path, settings: Settings) -> list[str]:
    """Start or reuse the server, create the roles, the database and the functions; what was done."""
    done = [ensure_server(settings)]
    passwords = role_passwords(project_dir, settings)
    role_sql = []
    for user, password in passwords.items():
        role_sql.append(
            f"do $$ begin if not exists (select from pg_roles where rolname = {_literal(user)}) then "
            f"create role {user} login; end if; end $$;\n"
            f"alter role {user} login password {_literal(password)};\n")
    superuser_sql(settings, "".join(role_sql))
    done.append(f"roles {', '.join(passwords)} (passwords in {password_file(project_dir)})")
    collation = superuser_sql(
        settings, f"select datcollate || '/' || datctype from pg_database where datname = {_literal(settings.database)}"
    ).strip()
    if collation and collation != "C/C.UTF-8":
        superuser_sql(settings, f'drop database "{settings.database}" with (force);')
        done.append(f"dropped database {settings.database} (collation {collation}, not C/C.UTF-8)")
        collation = ""
    if not collation:
        superuser_sql(settings, f'create database "{settings.database}" owner {settings.user} template template0 '
                                "encoding 'UTF8' lc_collate 'C' lc_ctype 'C.UTF-8';")
        done.append(f"created database {settings.database} (collation C, character type C.UTF-8)")
    else:
        done.append(f"reused database {settings.database}")
    database_sql = [
        "create extension if not exists plpython3u;",
        f'grant connect on database "{settings.database}" to {", ".join(ROLES)};',
        "revoke create on schema public from public;",
    ]
    for schema, readers in SCHEMA_READERS.items():
        database_sql.append(f"create schema if not exists {schema} authorization {settings.user};")
        database_sql.append(f"revoke all on schema {schema} from public;")
        database_sql.append(f"grant usage on schema {schema} to {', '.join(readers)};")
    try:
        superuser_sql(settings, "\n".join(database_sql) + "\n" + "\n".join(function_definitions()),
                      settings.database)
    except OperationalError as exc:
        if "plpython3u" in str(exc) and ("is not available" in str(exc) or "control file" in str(exc)):
            raise OperationalError(
                "postgres-setup: PL/Python is not installed on the server (the extension plpython3u). "
                "Debian: apt-get install postgresql-plpython3-15, then run make build-postgres again.") from exc
        raise
    done.append("extension plpython3u; functions " + ", ".join(FUNCTION_MODULES))
    return done


def connect(settings: Settings, user: str | None = None):  # type: ignore[no-untyped-def]
    """A psycopg2 connection (password from the password file or CIVCAS_PG_PASSWORD).
    Raises OperationalError saying what to do when the server is not reachable."""
    import psycopg2

    password = os.environ.get("CIVCAS_PG_PASSWORD", "") if (user or settings.user) == settings.user else ""
    try:
        return psycopg2.connect(host=settings.host, port=settings.port, user=user or settings.user,
                                password=password, dbname=settings.database, connect_timeout=10)
    except psycopg2.OperationalError as exc:
        raise OperationalError(f"cannot connect to PostgreSQL at {settings.host}:{settings.port} as "
                               f"{user or settings.user} ({str(exc).strip()}). Run make postgres-setup. "
                               f"{WHAT_TO_DO}") from exc


def load_raw(folder: Path, tables: dict[str, list[str]], settings: Settings) -> dict[str, int]:
    """Load the raw Parquet files of `folder` (files mode: <table>.*parquet) into schema raw_files;
    rows loaded per table."""
    import pyarrow.parquet as pq
    from psycopg2.extras import execute_values

    loaded: dict[str, int] = {}
    with connect(settings) as connection, connection.cursor() as cursor:
        # the loader's own schema, made afresh (views that read it go too: the build makes them again)
        cursor.execute("drop schema if exists raw_files cascade")
        cursor.execute("create schema raw_files")
        for table, columns in tables.items():
            files = sorted(folder.glob(f"{table}.*parquet"))
            if not files:
                raise OperationalError(f"postgres-load-raw: no {table}.*parquet in {folder}")
            quoted = ", ".join(f'"{column}" text' for column in columns)
            cursor.execute(f'drop table if exists raw_files."{table}_by_file" cascade')
            cursor.execute(f'create table raw_files."{table}_by_file" ({quoted}, raw_file text)')
            rows = 0
            for path in files:
                data = pq.read_table(path)
                if data.column_names != columns:
                    raise OperationalError(f"postgres-load-raw: {path} has the columns {data.column_names}, "
                                           f"the contract {columns}")
                values = [*data.to_pydict().values(), [path.name] * data.num_rows]
                execute_values(cursor, f'insert into raw_files."{table}_by_file" values %s',
                               list(zip(*values, strict=True)), page_size=5000)
                rows += data.num_rows
            column_list = ", ".join(f'"{column}"' for column in columns)
            cursor.execute(f'create view raw_files."{table}" as select {column_list} '
                           f'from raw_files."{table}_by_file"')
            loaded[table] = rows
    return loaded


UCDP_TABLE = "raw_ucdp_ged_events"


def load_ucdp(path: Path, settings: Settings) -> int:
    """Load the UCDP GED CSV file at `path` into raw_files.raw_ucdp_ged_events (a text column per
    column of its header; an empty field null, as DuckDB reads it), which stg_ucdp__events reads
    on PostgreSQL (macros/postgres/ucdp.sql); rows loaded."""
    import csv

    from psycopg2.extras import execute_values

    if not path.is_file():
        raise OperationalError(f"postgres-load-raw: no UCDP file at {path}; give the GED CSV file "
                               "(e.g. ../shared/data/external/ucdp-ged-syria/ged_syria.csv) or leave --ucdp out")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if not header:
            raise OperationalError(f"postgres-load-raw: {path} is empty; it needs the GED header line")
        rows = [tuple(value if value != "" else None for value in row) for row in reader]
    with connect(settings) as connection, connection.cursor() as cursor:
        cursor.execute("create schema if not exists raw_files")
        quoted = ", ".join(f'"{column}" text' for column in header)
        cursor.execute(f'drop table if exists raw_files."{UCDP_TABLE}" cascade')
        cursor.execute(f'create table raw_files."{UCDP_TABLE}" ({quoted})')
        execute_values(cursor, f'insert into raw_files."{UCDP_TABLE}" values %s', rows, page_size=5000)
    return len(rows)


def dbt_environment(project_dir: Path) -> dict[str, str]:
    """The environment for dbt --target postgres: the password file, unless one is configured."""
    environment = dict(os.environ)
    environment.setdefault("PGPASSFILE", str(password_file(project_dir)))
    return environment


def describe(done: Sequence[str]) -> str:
    return "\n".join(f"postgres-setup: {line}" for line in done)
