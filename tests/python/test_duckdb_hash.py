"""civcas.duckdb_hash gives DuckDB's hash() of a struct of texts and its to_json() text, which
PostgreSQL computes with it (raw_row_hash, raw_row_key, raw_record must equal DuckDB's)."""

import random
from pathlib import Path

import duckdb
import pytest

from civcas.duckdb_hash import row_hash, row_json, text_hash

ROOT = Path(__file__).resolve().parents[2]
ALPHABET = [chr(code) for code in range(1, 0x80)] + list("éمارس😀\u2028\u00a0\u200b\ufeffßـ")


def random_rows(count: int, seed: int) -> list[list[str | None]]:
    rng = random.Random(seed)
    rows: list[list[str | None]] = []
    for _ in range(count):
        row: list[str | None] = []
        for _ in range(rng.randint(1, 9)):
            if rng.random() < 0.15:
                row.append(None)
            else:
                row.append("".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40))))
        rows.append(row)
    return rows


def test_hash_and_json_equal_duckdbs() -> None:
    connection = duckdb.connect()
    differences = []
    for row in random_rows(3000, seed=15):
        fields = ", ".join(f"c{index} := ?::varchar" for index in range(len(row)))
        expected_hash, expected_json = connection.execute(
            f"select hash(struct_pack({fields})), cast(to_json(struct_pack({fields})) as varchar)", row + row
        ).fetchone()
        names = [f"c{index}" for index in range(len(row))]
        if (row_hash(row), row_json(names, row)) != (expected_hash, expected_json):
            differences.append(row)
    assert not differences, f"{len(differences)} rows differ from DuckDB, e.g. {differences[:3]!r}"


def test_the_demo_raw_rows_hash_as_in_duckdb() -> None:
    connection = duckdb.connect()
    path = ROOT / "seeds" / "raw" / "raw_sources.csv"
    rows = connection.execute(
        f"select [* columns(*)], hash(struct_pack(* columns(*))) from read_csv('{path}', all_varchar = true)"
    ).fetchall()
    assert rows
    assert all(row_hash(values) == expected for values, expected in rows)


def test_a_text_and_null_hash_as_in_duckdb() -> None:
    connection = duckdb.connect()
    for text in ["", "a", "abcdefgh", "abcdefghijkl", "مارس 2026"]:
        assert text_hash(text) == connection.execute("select hash(?::varchar)", [text]).fetchone()[0]
    assert text_hash(None) == connection.execute("select hash(null::varchar)").fetchone()[0]


def test_names_and_values_must_pair() -> None:
    with pytest.raises(ValueError):
        row_json(["a"], ["x", "y"])
