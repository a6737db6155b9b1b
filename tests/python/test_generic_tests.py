"""The project's own generic data tests fail when they should (tests/generic).

table_checks holds every data test of a table in one query. Here its SQL, as dbt compiled it for
real nodes of the demo build, runs on a copy of the demo warehouse before and after defects are
planted in the tested table: clean, it returns nothing; with a defect, it names the check."""

from __future__ import annotations

import shutil

import duckdb

FOLDED = {"not_null", "unique", "accepted_values", "relationships", "columns_not_null",
          "unique_combination_of_columns", "min_not_above_max", "not_negative", "value_between", "date_not_after"}


def _compiled_tests(manifest: dict, test_name: str) -> list[dict]:
    return [node for node in manifest["nodes"].values()
            if node["resource_type"] == "test" and (node.get("test_metadata") or {}).get("name") == test_name]


def test_every_table_states_its_checks_in_one_test_per_filter(manifest) -> None:
    tests = _compiled_tests(manifest, "table_checks")
    assert tests, "no table_checks test in the project"
    tested = [(node["attached_node"], node["config"].get("where")) for node in tests]
    assert len(tested) == len(set(tested)), "two table_checks on one table with one filter: merge them"
    for name in FOLDED:
        assert not _compiled_tests(manifest, name), f"a {name} test: fold it into its table's table_checks"


def _richest(manifest: dict) -> dict:
    """The table_checks node with the most kinds of check (ties: the most checks)."""
    def size(node: dict) -> tuple[int, int]:
        kwargs = {k: v for k, v in node["test_metadata"]["kwargs"].items() if k != "model" and v}
        return len(kwargs), sum(len(v) for v in kwargs.values())
    return max(_compiled_tests(manifest, "table_checks"), key=size)


def test_table_checks_name_every_broken_check(manifest, demo_build, tmp_path) -> None:
    node = _richest(manifest)
    kwargs = node["test_metadata"]["kwargs"]
    assert {"not_null", "unique", "relationships", "min_not_above_max"} <= set(kwargs), kwargs
    copy = tmp_path / demo_build[1].name  # the same file name: the compiled SQL names its catalog
    shutil.copyfile(demo_build[1], copy)
    relation = manifest["nodes"][node["attached_node"]]["relation_name"]
    where = node["config"].get("where") or "true"
    sql = node["compiled_code"]
    with duckdb.connect(str(copy)) as connection:
        assert connection.execute(sql).fetchall() == [], "the demo breaks its own checks"
        kept = f"select * from {relation} where {where}"

        def plant(assignments: str, condition: str = "true") -> bool:
            """Insert a copy of one kept row with `assignments`; false when no row fits."""
            before = connection.execute(f"select count(*) from {relation}").fetchone()[0]
            connection.execute(f"create or replace temp table planted as {kept} and {condition} limit 1")
            connection.execute(f"update planted set {assignments}")
            connection.execute(f"insert into {relation} select * from planted")
            return connection.execute(f"select count(*) from {relation}").fetchone()[0] > before

        expected: set[tuple[str, str]] = set()
        for column in kwargs.get("not_null") or []:
            if plant(f'"{column}" = null'):
                expected.add(("not_null", column))
        for column, target in kwargs.get("relationships") or []:
            if plant(f"\"{column}\" = 'no-such-parent'"):
                expected.add(("relationships", f"{column} -> {target}"))
        for low, high in kwargs.get("min_not_above_max") or []:
            if plant(f'"{low}" = "{high}" + 1', f'"{high}" is not null'):
                expected.add(("min_not_above_max", f"{low} <= {high}"))
        # every planted row copies a kept row: each unique key now repeats
        expected |= {("unique", column) for column in kwargs.get("unique") or []}
        found = {(check, columns): rows for check, columns, rows in connection.execute(sql).fetchall()}
    assert expected <= set(found), expected - set(found)
