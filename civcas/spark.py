"""dbt on a local Spark (issue 15): ``civcas spark-dbt <dbt arguments>``.

The ``spark`` target of profiles.yml uses dbt-spark's ``method: session``: Spark SQL runs in
this Python process through pyspark, with no server. dbt-spark opens its session with
``SparkSession.builder.getOrCreate()``, so whoever creates the session first decides its
settings and what it can call. This command does that first:

- it starts the session with the target's own ``server_side_parameters`` (read from
  profiles.yml, rendered as dbt renders them: one place for the settings);
- it registers the project's Python functions as Spark SQL functions (``SQL_FUNCTIONS``):
  the functions DuckDB has built in or that civcas adds to DuckDB, written once in Python and
  called by the ``spark__`` macros;
- it runs dbt in the same process (``dbtRunner``), whose session is then this one.

Without Java it says what to install instead of failing with a traceback.
"""

from __future__ import annotations

import decimal
import os
import shutil
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from civcas.faults import OperationalError

PROFILE = "civcas"
TARGET = "spark"
JAVA_HINT = (
    "Spark needs Java 17 or later: install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) "
    "or set JAVA_HOME to a JDK, then run the command again"
)


def java_version() -> str:
    """The first line of `java -version`; OperationalError saying what to install when there
    is no usable Java."""
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not java or not Path(java).exists():
        raise OperationalError(f"no java found ({'JAVA_HOME=' + java_home if java_home else 'not on the PATH'}). "
                               + JAVA_HINT)
    try:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60, check=False)
    except OSError as exc:
        raise OperationalError(f"{java} does not run ({exc}). {JAVA_HINT}") from None
    if done.returncode != 0:
        raise OperationalError(f"{java} -version failed: {done.stderr.strip()[:300]}. {JAVA_HINT}")
    return (done.stderr or done.stdout).splitlines()[0] if (done.stderr or done.stdout) else java


def render(text: str) -> str:
    """A profiles.yml value as dbt renders it: only env_var() is used there."""
    import jinja2

    def env_var(name: str, default: str | None = None) -> str:
        if name in os.environ:
            return os.environ[name]
        if default is None:
            raise OperationalError(f"profiles.yml needs the environment variable {name}")
        return default

    return jinja2.Environment().from_string(text).render(env_var=env_var)


def session_settings(project_dir: Path) -> dict[str, str]:
    """The spark target's server_side_parameters (profiles.yml), rendered, plus the setting
    dbt-spark forces (ANSI mode off)."""
    import yaml

    profile = yaml.safe_load((project_dir / "profiles.yml").read_text())[PROFILE]
    target = profile["outputs"][TARGET]
    settings = {str(key): render(str(value)) for key, value in target.get("server_side_parameters", {}).items()}
    settings["spark.sql.ansi.enabled"] = "false"
    return settings


def _normal_form(text: str | None) -> str | None:
    from civcas.normal_form import normal_form_or_none

    return normal_form_or_none(text)


def _jaro_winkler(left: str | None, right: str | None) -> float | None:
    from civcas.similarity import jaro_winkler_similarity

    return jaro_winkler_similarity(left, right)


def _row_hash(row: Any) -> decimal.Decimal:
    from civcas.duckdb_hash import row_hash

    return decimal.Decimal(row_hash(list(row)))


def _row_json(row: Any) -> str:
    from civcas.duckdb_hash import row_json

    return row_json(list(row.__fields__), list(row))


def strip_accents(text: str | None) -> str | None:
    """DuckDB's strip_accents (utf8proc: canonical decomposition, marks removed, composed
    again): 'al-Bāb' is 'al-Bab'; ligatures, 'ß' and 'Ø' are kept."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) not in _MARKS))


def double_text(value: float | None) -> str | None:
    """A double as DuckDB casts it to text, which is Python's repr (35.0, 0.0001, 1e+20)."""
    return None if value is None else repr(value)


_MARKS = frozenset({"Mn", "Mc", "Me"})

# name -> (Python function, Spark SQL return type): what the spark__ macros may call beyond
# Spark's own functions (tests/portability/spark.txt lists them). The raw row's hash and JSON
# text are DuckDB's (civcas.duckdb_hash), so that keys and quarantined records are equal.
SQL_FUNCTIONS: dict[str, tuple[Callable[..., Any], str]] = {
    "civcas_normal_form": (_normal_form, "string"),
    "jaro_winkler_similarity": (_jaro_winkler, "double"),
    "civcas_duckdb_row_hash": (_row_hash, "decimal(20,0)"),
    "civcas_duckdb_row_json": (_row_json, "string"),
    "civcas_strip_accents": (strip_accents, "string"),
    "civcas_double_text": (double_text, "string"),
}


def register_functions(spark: Any) -> None:
    """Register SQL_FUNCTIONS on the session, as Python UDFs fed by Arrow batches."""
    from pyspark.sql.functions import udf

    for name, (function, return_type) in SQL_FUNCTIONS.items():
        spark.udf.register(name, udf(function, return_type, useArrow=True))


def start_session(project_dir: Path) -> Any:
    """The SparkSession of the spark target, with the project's functions registered."""
    java_version()
    # The Python workers that run the functions are this interpreter (the project's .venv).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    settings = session_settings(project_dir)
    for key in ("spark.sql.warehouse.dir",):
        Path(project_dir, settings[key]).mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.appName("civcas").enableHiveSupport()
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    register_functions(spark)
    return spark


def _cpu_seconds(spark: Any) -> str:
    """CPU time so far of the JVM (with its finished children, the Python workers that ran the
    functions) and of this Python process."""
    import resource

    python = resource.getrusage(resource.RUSAGE_SELF)
    python_seconds = python.ru_utime + python.ru_stime
    try:
        pid = spark._jvm.java.lang.ProcessHandle.current().pid()
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
        jvm_seconds = ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return f"CPU {python_seconds:.1f} s in Python (the JVM's unknown)"
    return f"CPU {jvm_seconds:.1f} s in the JVM, {python_seconds:.1f} s in Python"


def run_dbt(project_dir: Path, dbt_args: Sequence[str]) -> int:
    """Start the session, then run dbt with `dbt_args` on the spark target in this process;
    dbt's exit code (0 ok, 1 failure, 2 error)."""
    from dbt.cli.main import dbtRunner

    started = time.monotonic()
    spark = start_session(project_dir)
    print(f"civcas: Spark {spark.version} session ready in {time.monotonic() - started:.1f} s "
          f"({spark.sparkContext.master})", file=sys.stderr, flush=True)
    args = list(dbt_args)
    if "--target" not in args and "-t" not in args:
        args += ["--target", TARGET]
    for flag, value in (("--profiles-dir", str(project_dir)), ("--project-dir", str(project_dir))):
        if flag not in args:
            args += [flag, value]
    dbt_started = time.monotonic()
    result = dbtRunner().invoke(args)
    print(f"civcas: dbt on Spark took {time.monotonic() - dbt_started:.1f} s wall; {_cpu_seconds(spark)}",
          file=sys.stderr, flush=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        print(f"civcas: dbt stopped: {result.exception}", file=sys.stderr)
        return 2
    return 0 if result.success else 1


def spark_tables(warehouse_dir: Path, schemas: Sequence[str] | None = None) -> dict[str, Any]:
    """Every table of `schemas` that the spark target wrote, read from its Parquet files
    (<warehouse_dir>/<schema>.db/<table>/) with DuckDB: no JVM is started. ``schema.table`` ->
    pandas frame, as civcas.engines reads the other engines."""
    import duckdb

    from civcas.engines import SCHEMAS, SKIPPED_TABLES

    tables: dict[str, Any] = {}
    with duckdb.connect() as connection:
        for schema in schemas or SCHEMAS:
            for folder in sorted((warehouse_dir / f"{schema}.db").glob("*")):
                if not folder.is_dir() or folder.name in SKIPPED_TABLES:
                    continue
                files = sorted(str(path) for path in folder.rglob("*.parquet"))
                if files:
                    frame = connection.execute("select * from read_parquet(?)", [files]).df()
                else:
                    # an empty table: Spark wrote no file with rows; its columns are not known here
                    import pandas as pd

                    frame = pd.DataFrame()
                tables[f"{schema}.{folder.name}"] = frame
    return tables
