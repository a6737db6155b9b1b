"""The analyst's first hour (issue 17 part 4), against the analysts' published copy of the demo:

- every saved analysis (analyses/) compiles to SQL that names no catalog and runs, read-only, on
  the copy published as civcas.duckdb and on one published as archive.duckdb (whose catalog is
  `archive`: a catalog compiled into the SQL would fail to bind there);
- every table of the copy, reference tables and main._publication* included, and every column
  has a comment;
- every SQL block of the README section "Which table answers my question" runs on the copy and
  returns rows.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, run_dbt

from civcas.publish import publish

# Two names: the catalog DuckDB gives a copy is the name of its file.
COPY_NAMES = ("civcas", "archive")
README_SECTION = "Which table answers my question"
# A catalog before schema.table (civcas.main.x, "t"."main"."x"): what must not be compiled in.
_CATALOG_REFERENCE = re.compile(r'(?:"[^"\s]+"|\b\w+)\s*\.\s*"?(?:main|exports|reference)"?\s*\.', re.I)
_SQL_BLOCK = re.compile(r"^```sql\n(.*?)^```", re.S | re.M)


@pytest.fixture(scope="module")
def build_copy(demo_build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the demo build file (still civcas.duckdb) with its run_results.json."""
    result, duckdb_path = demo_build
    assert result.success, f"the demo build failed: {result.exception}"
    folder = tmp_path_factory.mktemp("analyst_build")
    (folder / "target").mkdir()
    copy = folder / "civcas.duckdb"
    shutil.copy(duckdb_path, copy)
    shutil.copy(duckdb_path.parent / "target" / "run_results.json", folder / "target" / "run_results.json")
    return copy


@pytest.fixture(scope="module")
def analyst_copies(build_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo build published as the analysts' copy under each of COPY_NAMES: name -> link."""
    published_dir = tmp_path_factory.mktemp("analyst_published")
    run_results = build_copy.parent / "target" / "run_results.json"
    return {name: publish(build_copy, published_dir, name=name, run_results=run_results).link
            for name in COPY_NAMES}


def compile_analyses(build_file: Path, target: Path) -> dict[str, str]:
    """`dbt compile` of the saved analyses against `build_file`: analysis name -> compiled SQL."""
    result = run_dbt(["compile", "--select", "resource_type:analysis"], PROJECT_DIR, build_file, target)
    assert result.success, f"dbt compile of the analyses failed: {result.exception}"
    folder = target / "compiled" / "civcas" / "analyses"
    return {path.stem: path.read_text() for path in sorted(folder.glob("*.sql"))}


@pytest.fixture(scope="module")
def compiled_analyses(build_copy: Path) -> dict[str, str]:
    return compile_analyses(build_copy, build_copy.parent / "compile_target")


def run_read_only(link: Path, sql: str) -> list[tuple]:
    """The rows of `sql` on the database at `link`, opened read-only."""
    with duckdb.connect(str(link), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_every_saved_analysis_is_compiled_without_a_catalog(compiled_analyses):
    saved = {path.stem for path in (PROJECT_DIR / "analyses").glob("*.sql")}
    assert saved and set(compiled_analyses) == saved
    baked = {name: _CATALOG_REFERENCE.findall(sql) for name, sql in compiled_analyses.items()
             if _CATALOG_REFERENCE.search(sql)}
    assert not baked, f"analyses compiled with a catalog, which binds on one copy only: {baked}"
    # ref() still names schema and table: the override leaves no bare table name.
    for name, sql in compiled_analyses.items():
        assert re.search(r'"?(main|exports)"?\."?\w+"?', sql), f"{name} names no schema-qualified table"


@pytest.mark.parametrize("copy_name", COPY_NAMES)
def test_every_saved_analysis_runs_read_only_on_the_published_copy(compiled_analyses, analyst_copies, copy_name):
    link = analyst_copies[copy_name]
    assert link.name == f"{copy_name}.duckdb"
    failures = {}
    empty = []
    for name, sql in compiled_analyses.items():
        try:
            rows = run_read_only(link, sql)
        except duckdb.Error as exc:
            failures[name] = str(exc).splitlines()[0]
            continue
        if not rows:
            empty.append(name)
    assert not failures, f"saved analyses failing on {link.name}: {failures}"
    # the demo has incidents for both sides, verdicts and a backlog: every analysis has rows
    assert not empty, f"saved analyses returning no row on {link.name}: {empty}"


def _uncommented(link: Path) -> tuple[list[str], list[str], int, int]:
    """Relations and columns of the copy without a comment, and how many of each it has."""
    with duckdb.connect(str(link), read_only=True) as connection:
        relations = connection.execute(
            """
            select schema_name || '.' || table_name, comment from duckdb_tables() where database_name = current_database()
            union all
            select schema_name || '.' || view_name, comment from duckdb_views()
            where database_name = current_database() and not internal
            """).fetchall()
        columns = connection.execute(
            """
            select schema_name || '.' || table_name || '.' || column_name, comment from duckdb_columns()
            where database_name = current_database()
            """).fetchall()
    return ([name for name, comment in relations if not (comment or "").strip()],
            [name for name, comment in columns if not (comment or "").strip()], len(relations), len(columns))


@pytest.mark.parametrize("copy_name", COPY_NAMES)
def test_every_table_and_column_of_the_analysts_copy_has_a_comment(analyst_copies, copy_name):
    relations, columns, relation_count, column_count = _uncommented(analyst_copies[copy_name])
    assert relation_count > 30 and column_count > 500
    assert not relations, f"{len(relations)} tables without a comment: {relations[:20]}"
    assert not columns, f"{len(columns)} columns without a comment: {columns[:20]}"


def test_the_comment_check_finds_a_table_and_a_column_without_one(analyst_copies, tmp_path):
    """The check above can fail: a copy with one undescribed table and column is caught."""
    damaged = tmp_path / "damaged.duckdb"
    shutil.copy(analyst_copies["civcas"].resolve(), damaged)
    damaged.chmod(0o644)
    with duckdb.connect(str(damaged)) as connection:
        connection.execute("create table reference.ref_undescribed (code varchar)")
        connection.execute("comment on column main._publication.row_count is null")
    relations, columns, _, _ = _uncommented(damaged)
    assert relations == ["reference.ref_undescribed"]
    assert sorted(columns) == ["main._publication.row_count", "reference.ref_undescribed.code"]


def readme_section_sql(section: str = README_SECTION) -> list[str]:
    """The SQL blocks of a `## <section>` of README.md, in order."""
    text = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    start = text.index(f"\n## {section}\n")
    end = text.find("\n## ", start + 1)
    return _SQL_BLOCK.findall(text[start:end if end != -1 else None])


def test_the_readme_answers_eight_questions_with_sql():
    blocks = readme_section_sql()
    assert len(blocks) >= 8, f"the README section '{README_SECTION}' has {len(blocks)} SQL blocks, not 8"


@pytest.mark.parametrize("index", range(len(readme_section_sql())))
def test_each_readme_question_runs_on_the_published_copy_and_returns_rows(analyst_copies, index):
    sql = readme_section_sql()[index]
    try:
        rows = run_read_only(analyst_copies["civcas"], sql)
    except duckdb.Error as exc:
        pytest.fail(f"README '{README_SECTION}' SQL block {index + 1} fails: {exc}\n{sql}")
    assert rows, f"README '{README_SECTION}' SQL block {index + 1} returns no row on the demo copy:\n{sql}"
