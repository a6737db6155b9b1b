"""civcas.similarity.jaro_winkler_similarity is DuckDB's jaro_winkler_similarity (the rule
PostgreSQL and Spark are given for the linking comparison of place spellings)."""

import random

import duckdb
import pytest

from civcas.similarity import jaro_winkler_similarity


def _pairs() -> list[tuple[str, str]]:
    rng = random.Random(15)
    # ASCII, a two-byte letter, an Arabic-Indic digit and a space: DuckDB compares bytes.
    alphabet = "abcde\u00e9 \u0665aab"
    pairs = [("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))),
              "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))) for _ in range(5000)]
    return pairs + [("martha", "marhta"), ("dixon", "dicksonx"), ("", ""), ("mosul", "mosel"), ("al bab", "albab")]


def test_equals_duckdb_on_many_pairs() -> None:
    connection = duckdb.connect()
    connection.execute("create table pairs (l varchar, r varchar)")
    connection.executemany("insert into pairs values (?, ?)", _pairs())
    rows = connection.sql("select l, r, jaro_winkler_similarity(l, r) from pairs").fetchall()
    different = [(left, right, duck, jaro_winkler_similarity(left, right)) for left, right, duck in rows
                 if duck != pytest.approx(jaro_winkler_similarity(left, right), abs=1e-12)]
    assert not different


def test_known_values_and_nulls() -> None:
    assert jaro_winkler_similarity("martha", "marhta") == pytest.approx(0.9611111111)
    assert jaro_winkler_similarity("", "") == 0.0
    assert jaro_winkler_similarity("\u00e9a", "ea") == 0.0  # bytes, as DuckDB
    assert jaro_winkler_similarity(None, "a") is None
