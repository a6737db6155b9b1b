"""The fast portability check: every model, test and analysis compiled for PostgreSQL and
Spark without their servers, and every function the compiled SQL calls looked up in the
engine's own function list.

A DuckDB-only function that reaches PostgreSQL or Spark SQL (a macro without its engine's
version, a construct written inline in a model) is found here in seconds, before the slow
builds of `make test-postgres` and `make build-spark`. dbt compiles against a stand-in
connection that answers every query with nothing: relations do not exist yet, so each model
compiles as in a first, full build. The function lists (``tests/portability/<engine>.txt``)
were read off the engines themselves; the first line of each says how.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Words that stand before "(" in SQL without being a function call.
SQL_WORDS = frozenset("""
    and or not in is as on using exists any all some over filter within values select from where
    join by then else when case with recursive union intersect except distinct into table lateral
    partition order group having limit offset rows range between preceding following current row
    unnest array struct map interval cast try_cast if nullif coalesce greatest least extract
    position substring trim overlay both leading trailing for varchar char decimal numeric
    timestamp date time primary key references check default unique collate like ilike similar materialized
""".split())

_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_STRING = re.compile(r"'(?:[^']|'')*'")
_QUOTED = re.compile(r'"(?:[^"]|"")*"|`[^`]*`')
_CALL = re.compile(r"(?<![\w.$])([a-z_][a-z0-9_]*)\s*\(", re.IGNORECASE)
# Names with a column list that are not calls: a CTE `name (a, b) as (` and an alias `as t (a)`.
_CTE_HEADER = re.compile(r"\b\w+\s*\([\w\s,]*\)(\s+as\s+(?:not\s+)?(?:materialized\s+)?\()", re.IGNORECASE)
_ALIAS_COLUMNS = re.compile(r"\bas\s+\w+\s*\(", re.IGNORECASE)


def functions_called(sql: str) -> set[str]:
    """The lower-case names written as `name(` in `sql`, outside comments, strings and
    quoted identifiers, and not SQL keywords."""
    text = _QUOTED.sub(" .q ", _STRING.sub(" '' ", _COMMENT.sub(" ", sql)))
    text = _ALIAS_COLUMNS.sub("as x ", _CTE_HEADER.sub(r"x\1", text))
    return {name.lower() for name in _CALL.findall(text)} - SQL_WORDS


def known_functions(catalogue: Path) -> set[str]:
    """The function names in a catalogue file: one per line, '#' starts a comment."""
    lines = (line.split("#", 1)[0].strip().lower() for line in catalogue.read_text().splitlines())
    return {line for line in lines if line}


def unknown_calls(compiled_dir: Path, known: set[str]) -> dict[str, set[str]]:
    """For each compiled SQL file under `compiled_dir`, the functions it calls that `known`
    lacks (only files with some)."""
    found: dict[str, set[str]] = {}
    for path in sorted(compiled_dir.rglob("*.sql")):
        unknown = functions_called(path.read_text()) - known
        if unknown:
            found[str(path.relative_to(compiled_dir))] = unknown
    return found


class _NoRows:
    """A DB-API cursor and connection that runs nothing and returns no rows."""

    description: Any = None
    rowcount = -1
    statusmessage = "OK"
    autocommit = True
    closed = 0

    def cursor(self) -> _NoRows:
        return self

    def execute(self, *args: Any, **kwargs: Any) -> None:
        return None

    def fetchall(self) -> list[Any]:
        return []

    def fetchone(self) -> None:
        return None

    def fetchmany(self, *args: Any) -> list[Any]:
        return []

    def commit(self) -> None:
        return None

    def rollback(self) -> None:
        return None

    def close(self) -> None:
        return None

    def get_backend_pid(self) -> int:
        return 0


@contextmanager
def no_server() -> Iterator[None]:
    """PostgreSQL and Spark connections that reach no server (and start no JVM)."""
    import psycopg2
    from dbt.adapters.spark import session

    saved = psycopg2.connect, session.Cursor.execute, session.Cursor.fetchall
    psycopg2.connect = lambda *args, **kwargs: _NoRows()
    session.Cursor.execute = lambda self, sql, *parameters: None
    session.Cursor.fetchall = lambda self: []
    try:
        yield
    finally:
        psycopg2.connect, session.Cursor.execute, session.Cursor.fetchall = saved


def compile_offline(project_dir: Path, target: str, target_path: Path, dbt_vars: str | None = None,
                    select: Sequence[str] = ()) -> Path:
    """Compile every node (or those of `select`) for `target` with no server, with `dbt_vars`
    (a YAML mapping) when given; the compiled SQL's folder. Raises RuntimeError with dbt's
    message when the project does not compile."""
    from dbt.cli.main import dbtRunner

    args = ["compile", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir),
            "--target", target, "--target-path", str(target_path), "--quiet",
            # It reads the raw tables' columns from the database to compare with the contract.
            "--exclude", "test_name:raw_columns_match_contract"]
    if dbt_vars:
        args += ["--vars", dbt_vars]
    if select:
        args += ["--select", *select]
    with no_server():
        result = dbtRunner().invoke(args)
    if not result.success:
        raise RuntimeError(f"dbt compile --target {target} failed: {result.exception}")
    return target_path / "compiled"
