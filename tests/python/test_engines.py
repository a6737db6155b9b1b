"""civcas.engines compares two engines' tables row for row and names what differs."""

import pandas as pd

from civcas.engines import compare, compare_frames


def test_equal_tables_in_another_row_order_are_equal() -> None:
    left = pd.DataFrame({"a": [1, 2], "b": ["x", None], "c": [0.1 + 0.2, 1.0]})
    right = pd.DataFrame({"c": [1.0, 0.3], "b": [None, "x"], "a": [2, 1]})
    assert compare({"main.t": left}, {"main.t": right}, "duckdb", "postgres").equal


def test_a_changed_value_a_float_beyond_tolerance_and_a_missing_table_differ() -> None:
    left = pd.DataFrame({"a": [1, 2], "b": ["x", "y"], "c": [0.5, 1.0]})
    assert compare_frames("t", left, left.assign(b=["x", "z"]))
    assert compare_frames("t", left, left.assign(c=[0.5, 1.000001]))
    assert not compare_frames("t", left, left.assign(c=[0.5, 1.0 + 1e-12]))
    assert compare_frames("t", left, left.assign(a=[1, 3]))
    assert compare_frames("t", left, left.iloc[:1])
    assert compare_frames("t", left, left.rename(columns={"a": "z"}))
    result = compare({"main.t": left}, {}, "duckdb", "postgres")
    assert not result.equal and "only in duckdb" in result.report()


def test_null_is_not_zero_or_empty() -> None:
    left = pd.DataFrame({"a": [None], "b": [None]}, dtype=object)
    assert compare_frames("t", left, pd.DataFrame({"a": [0], "b": [None]}, dtype=object))
    assert compare_frames("t", left, pd.DataFrame({"a": [None], "b": [""]}, dtype=object))


def test_the_build_record_is_compared_on_its_period_not_its_invocation():
    import datetime

    def record(invocation: str, last: datetime.date) -> dict[str, pd.DataFrame]:
        return {"main.dim_builds": pd.DataFrame({
            "invocation_id": [invocation], "dbt_version": ["1.11"], "build_started_at": [invocation],
            "command_line_vars": [invocation], "first_month": [datetime.date(2017, 1, 1)], "last_month": [last]})}

    assert compare(record("a", datetime.date(2017, 12, 1)), record("b", datetime.date(2017, 12, 1)), "l", "r").equal
    assert not compare(record("a", datetime.date(2017, 12, 1)), record("a", datetime.date(2018, 1, 1)), "l", "r").equal


def test_lists_compare_element_for_element_across_engines_representations() -> None:
    """belligerent_ids is a list: DuckDB (and Spark's Parquet, read by DuckDB) give numpy arrays,
    psycopg gives Python lists; the same elements in the same order are equal, anything else differs."""
    import duckdb

    with duckdb.connect() as connection:
        duckdb_frame = connection.sql(
            "select * from (values (1, ['coalition', 'russia']), (2, ['russia']), (3, null)) as t (a, ids)").df()
    postgres_frame = pd.DataFrame({"a": [3, 2, 1], "ids": [None, ["russia"], ["coalition", "russia"]]})
    assert compare({"main.t": duckdb_frame}, {"main.t": postgres_frame}, "duckdb", "postgres").equal
    # another order, an element more, the joined text, an empty list for a null: each differs
    for ids in (["russia", "coalition"], ["coalition", "russia", "unknown"], "coalition;russia"):
        assert compare_frames("t", duckdb_frame, postgres_frame.assign(ids=[None, ["russia"], ids]))
    assert compare_frames("t", duckdb_frame, postgres_frame.assign(ids=[[], ["russia"], ["coalition", "russia"]]))
