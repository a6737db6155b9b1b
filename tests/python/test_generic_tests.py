"""The project's own generic data tests fail when they should (tests/generic).

Each test here takes the SQL dbt compiled for a real node of the demo build and runs it on a
small table of the same columns, with and without the defect the test looks for."""

from __future__ import annotations

import duckdb


def _compiled_tests(manifest: dict, test_name: str) -> list[dict]:
    return [node for node in manifest["nodes"].values()
            if node["resource_type"] == "test" and (node.get("test_metadata") or {}).get("name") == test_name]


def test_every_plain_not_null_is_folded_into_one_test_per_table(manifest) -> None:
    tests = _compiled_tests(manifest, "columns_not_null")
    assert tests, "no columns_not_null test in the project"
    tested = [node["attached_node"] or node["depends_on"]["nodes"][0] for node in tests]
    # one query per table, not one per column
    assert len(tested) == len(set(tested))
    assert not _compiled_tests(manifest, "not_null") or all(
        node["config"].get("where") for node in _compiled_tests(manifest, "not_null")), \
        "a plain not_null test: fold it into the table's columns_not_null"


def test_columns_not_null_names_each_column_holding_nulls(manifest) -> None:
    node = max(_compiled_tests(manifest, "columns_not_null"),
               key=lambda n: len(n["test_metadata"]["kwargs"]["columns"]))
    columns = node["test_metadata"]["kwargs"]["columns"]
    tested = manifest["nodes"].get(node["attached_node"]) or manifest["sources"].get(node["attached_node"])
    relation = tested["relation_name"]
    assert relation in node["compiled_code"]
    sql = node["compiled_code"].replace(relation, "tested")
    connection = duckdb.connect()
    definition = ", ".join(f'"{c}" varchar' for c in columns)
    connection.execute(f"create table tested ({definition})")
    filled = ", ".join("'x'" for _ in columns)
    connection.execute(f"insert into tested values ({filled}), ({filled})")
    assert connection.execute(sql).fetchall() == []
    first, last = columns[0], columns[-1]
    connection.execute(f'update tested set "{first}" = null, "{last}" = null where rowid = 0')
    all_but_last = ", ".join(["'x'"] * (len(columns) - 1))
    connection.execute(f"insert into tested values ({all_but_last}, null)")
    failing = dict(connection.execute(sql).fetchall())
    assert failing[first] == 1 and failing[last] == 2
    assert set(failing) == {first, last}
