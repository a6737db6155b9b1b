"""Spark (issue 15): the functions civcas registers on the Spark session equal DuckDB's, and
the spark-dbt command without Java says what to install. No JVM is started here; the Spark
build itself is `make build-spark` (which compares it with DuckDB, row for row)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from civcas.spark import SQL_FUNCTIONS, double_text, session_settings, strip_accents

ROOT = Path(__file__).resolve().parents[2]


def _samples(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = "aeiouAEIOU bdfhklmnrstz-'" + "āēīōūáéíóúàèìòùâêîôûäëïöüçñåøßæœǅﬁ" + "حلبادرسة" + "\u0301\u0308\u064e\u0651"
    return [''.join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(count)]


def test_strip_accents_equals_duckdb() -> None:
    texts = _samples(1, 3000) + ["al-Bāb", "Ḥalab", "ﬁ", "Ø", "đ", "حَلَب", "a\u0301"]
    with duckdb.connect() as connection:
        expected = [row[0] for row in connection.execute(
            "select strip_accents(text) from unnest(?) with ordinality as t(text, n) order by n", [texts]).fetchall()]
    assert [strip_accents(text) for text in texts] == expected


def test_double_text_equals_duckdb() -> None:
    rng = random.Random(2)
    values = [1e20, 1e16, 1e-5, 0.0001, 35.9528, 1.0, -0.0, 4239.00416, 5e-324]
    values += [rng.uniform(-1, 1) * 10 ** rng.randint(-30, 30) for _ in range(3000)]
    values += [round(rng.uniform(-90, 90), rng.randint(0, 7)) for _ in range(1000)]
    with duckdb.connect() as connection:
        expected = [row[0] for row in connection.execute(
            "select cast(value as varchar) from unnest(?::double[]) with ordinality as t(value, n) order by n",
            [values]).fetchall()]
    assert [double_text(value) for value in values] == expected
    assert double_text(None) is None


def test_every_registered_function_is_in_the_catalogue() -> None:
    catalogue = (ROOT / "tests" / "portability" / "spark.txt").read_text().split()
    assert set(SQL_FUNCTIONS) <= set(catalogue)


def test_session_settings_come_from_the_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVCAS_SPARK_DIR", "/tmp/civcas-spark-test")
    settings = session_settings(ROOT)
    assert settings["spark.sql.warehouse.dir"] == "/tmp/civcas-spark-test/tables"
    assert "/tmp/civcas-spark-test/metastore" in settings["javax.jdo.option.ConnectionURL"]
    assert settings["spark.sql.ansi.enabled"] == "false"


def test_spark_dbt_without_java_says_what_to_do(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "JAVA_HOME"}
    env["PATH"] = str(Path(sys.executable).parent)  # the venv's tools, no java
    done = subprocess.run([sys.executable, "-m", "civcas", "spark-dbt", "debug"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "openjdk-17-jre-headless" in done.stderr
