"""Publish a release of the warehouse: CSV and Parquet files, a data dictionary, charts and docs
(``civcas release``).

The publication team hands journalists and the public a folder, not a database. A release
is built from a warehouse that ``dbt build`` has finished and from that build's
``target/manifest.json`` and ``run_results.json``. The warehouse is never changed and is
locked only while it is copied: the release reads a snapshot (a copy taken under a
read-only connection), so a ``dbt build`` started meanwhile is not blocked for long and
cannot change what the release reads. A failed build (any node in error) is not released,
and neither are run results that are not of one complete build of this very warehouse: they
must build every export, run every data test of the exports and build ``dim_builds``, whose
row (the build's dbt invocation id, its command-line vars, its period) must name the same
invocation (a later ``dbt run -s <model> --vars ...`` is refused, with the command to run). The
manifest records the vars as the warehouse states them. With a period (``--from-month``,
``--to-month``), a build of another period is refused. Data not licensed for redistribution
(``dim_datasets.is_redistributable``) is released with a warning on the console and in
README.txt, which names the credit line (``dim_datasets.credit``).
The release holds:

- ``csv/<file>.csv`` for every export the dbt project declares: an exposure with
  ``meta: {release_file: <file>}`` that depends on one model (``models/exports/``).
  UTF-8, LF line endings, a header even when the export is empty, values formatted
  deterministically (``format_value``), rows in the model's own order. That order is
  read from the model's final top-level ``order by`` and checked to be total (no two
  different rows tie), so the same warehouse always gives byte-identical files;
- ``parquet/<file>.parquet``: the same rows and columns with the contract's types;
- ``data_dictionary.csv`` and ``data_dictionary.md``: each released file (its exposure's
  description and its grain) and every column with its contract data type and description,
  each said once, in plain words, from the export YAML (via the manifest);
- ``charts/``: PNG and SVG charts (``civcas.charts``);
- ``docs/index.html``: the static dbt docs site (what ``dbt docs generate --static``
  writes) for the build's own manifest, with a catalog that dbt reads from a copy of the
  warehouse (dbt-duckdb opens its database read-write, which would lock the warehouse
  and conflict with this process's read-only connection);
- ``data_docs/``: Great Expectations Data Docs from the release gate
  (``civcas.gates.validate_release_files``); a failed gate stops the release;
- ``README.txt``, ``manifest.json`` (every file's size, rows and SHA-256, the build,
  the datasets and whether they are synthetic, the command line) and ``SHA256SUMS``
  (``sha256sum -c`` format; ``civcas release --verify`` re-checks it).

Before anything is published, every file and file name of the release is scanned for
every protected source value (``civcas.protection``); one hit stops the release.

The folder is written atomically: everything is built in a hidden *building folder* beside
it (``civcas.faults``: mode 0700, a name ending ``.not-a-release`` and a NOT-A-RELEASE.txt
marker) and only the finished, scanned release is renamed into place at the end, so a failed
release leaves nothing behind and the previous release untouched. The warehouse snapshot,
the dbt docs run and every temporary file of the run live in that building folder too,
never in the system temporary folder. A lock file (``.civcas-release.lock``) serialises
releases into one folder; a release killed outright leaves its building folder, and the next
release into the same folder, holding the lock, deletes it. An existing folder is replaced only
when it is a previous release and ``--force`` is given; a folder inside the git checkout must be
git-ignored.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import decimal
import hashlib
import io
import json
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from civcas import __version__
from civcas.faults import (
    OperationalError,
    folder_lock,
    make_building_folder,
    pause_point,
    remove_leftovers,
)
from civcas.output_folders import folder_mode, git_ignores, swap_into_place

Progress = Callable[[str], None]

RELEASE_FORMAT = "civcas-release"
RELEASE_FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
CHECKSUMS_NAME = "SHA256SUMS"
SYNTHETIC_WARNING = "SYNTHETIC DEMO DATA \u2014 not real casualty figures"
EXPORT_FILE_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")
# The results of a dbt node that mean the build did not succeed.
FAILED_STATUSES = frozenset({"error", "fail", "runtime error"})
# Rows per Parquet row group: fixed, so that the bytes do not depend on a library default.
PARQUET_ROW_GROUP_SIZE = 1_000_000
DOCS_TIMEOUT_SECONDS = 900
RELEASE_LOCK_NAME = ".civcas-release.lock"
# Hidden folders of interrupted releases: the staging folders of earlier civcas versions, and a
# previous release moved aside while the new one was renamed into place (only when it is a
# release: importers that write beside it use the same `.replaced-` names).
_OLD_STAGING = re.compile(r"^\..+\.building-[A-Za-z0-9_]+$")
_REPLACED = re.compile(r"^\..+\.replaced-[A-Za-z0-9_]+$")

# The counting rules, as README.md states them ("Counting rules"); tests check they still match.
COUNTING_RULES = (
    "Casualties are ranges. A total is the sum of the minimums and the sum of the maximums, never "
    "a midpoint. Unknown is null, never zero, and adds nothing to a sum.",
    "Only incidents where civilian harm was reported count as alleged.",
    "Likely means Fair plus Confirmed; Confirmed counts only for the belligerent that itself "
    "accepted the harm. Russia has never accepted any, so for Russia likely means Fair only.",
    "An incident blamed on several belligerents counts for each of them in per-belligerent "
    "figures; do not add per-belligerent totals together.",
    "Ungraded incidents stay visible and are never counted as Weak.",
)


class ReleaseError(Exception):
    """A data problem: the release cannot be published (exit 1)."""


class ReleaseUsageError(Exception):
    """A usage problem: wrong paths or options (exit 2)."""


@dataclass(frozen=True)
class ExportColumn:
    """One column of an export as its contract declares it."""

    name: str
    data_type: str
    description: str


@dataclass(frozen=True)
class ExportSpec:
    """One release file: the exposure that declares it and the model that builds it."""

    file: str
    exposure: str
    model: str
    unique_id: str
    database: str
    schema: str
    relation: str
    description: str  # what the file is, in plain words: its exposure's description
    grain: str
    columns: tuple[ExportColumn, ...]
    order_by: tuple[str, ...]

    @property
    def qualified_name(self) -> str:
        return f"{_quote(self.schema)}.{_quote(self.relation)}"


@dataclass(frozen=True)
class ReleasedFile:
    """One file of a release, as listed in its manifest."""

    path: str
    bytes: int
    sha256: str
    rows: int | None = None


@dataclass
class ReleaseResult:
    """What a release wrote."""

    out: Path
    files: list[ReleasedFile]
    exports: dict[str, int]
    is_synthetic: bool
    elapsed: float
    warnings: list[str] = dataclasses.field(default_factory=list)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _say(progress: Progress | None) -> Progress:
    return progress or (lambda _message: None)


# --------------------------------------------------------------------------- dbt artifacts


def load_json(path: Path, what: str) -> dict:
    if not path.is_file():
        raise ReleaseError(f"{path}: {what} not found; run `dbt build` (make build) first, "
                           "or pass --dbt-target with the target folder of the build")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ReleaseError(f"{path}: not valid JSON ({exc})") from None


def _meta(resource: Mapping) -> dict:
    """A resource's meta: dbt 1.10+ keeps it under config.meta, older manifests at the top."""
    merged = dict(resource.get("meta") or {})
    merged.update((resource.get("config") or {}).get("meta") or {})
    return merged


_GRAIN_SENTENCE = re.compile(r"\bone row per\b[^.]*", re.IGNORECASE)


def grain_of(node: Mapping) -> str | None:
    """The model's grain: meta.grain, else the "One row per ..." sentence of its description."""
    grain = _meta(node).get("grain")
    if isinstance(grain, str) and grain.strip():
        return " ".join(grain.split())
    match = _GRAIN_SENTENCE.search(node.get("description") or "")
    if match is None:
        return None
    sentence = " ".join(match.group(0).split())
    return sentence[0].upper() + sentence[1:] + "."


def find_exports(manifest: Mapping) -> list[ExportSpec]:
    """Every release file declared by an exposure with meta.release_file, sorted by file name."""
    specs: dict[str, ExportSpec] = {}
    for exposure in manifest.get("exposures", {}).values():
        file = _meta(exposure).get("release_file")
        if file is None:
            continue
        name = exposure.get("name", exposure.get("unique_id"))
        if not isinstance(file, str) or not EXPORT_FILE_NAME.match(file):
            raise ReleaseError(f"exposure {name}: meta.release_file {file!r} is not a file name "
                               "(lowercase letters, digits and underscores)")
        if file in specs:
            raise ReleaseError(f"exposures {specs[file].exposure} and {name} both declare release file {file}")
        models = [n for n in exposure.get("depends_on", {}).get("nodes", []) if n.startswith("model.")]
        if len(models) != 1:
            raise ReleaseError(f"exposure {name}: a release file must depend on exactly one model "
                               f"(it depends on {len(models)}: {', '.join(models) or 'none'})")
        node = manifest["nodes"].get(models[0])
        if node is None:
            raise ReleaseError(f"exposure {name}: its model {models[0]} is not in the manifest")
        specs[file] = _export_spec(file, name, node, " ".join((exposure.get("description") or "").split()))
    if not specs:
        raise ReleaseError("the dbt manifest declares no release file: no exposure has meta.release_file "
                           "(models/exports/); build the project with its exports first")
    return [specs[file] for file in sorted(specs)]


def _export_spec(file: str, exposure: str, node: Mapping, summary: str = "") -> ExportSpec:
    model = node["name"]
    columns = tuple(
        ExportColumn(c["name"], (c.get("data_type") or "").strip(), " ".join((c.get("description") or "").split()))
        for c in node.get("columns", {}).values()
    )
    if not columns:
        raise ReleaseError(f"model {model} (release file {file}) documents no columns; "
                           "an export needs a contract with every column and its data_type")
    untyped = [c.name for c in columns if not c.data_type]
    undescribed = [c.name for c in columns if not c.description]
    if untyped or undescribed:
        raise ReleaseError(
            f"model {model} (release file {file}): every released column needs a data_type and a "
            f"description in its YAML; missing data_type: {', '.join(untyped) or 'none'}; "
            f"missing description: {', '.join(undescribed) or 'none'}"
        )
    grain = grain_of(node)
    if grain is None:
        raise ReleaseError(f"model {model} (release file {file}): its description states no grain "
                           "(a sentence \"One row per ...\", or meta.grain)")
    sql = node.get("compiled_code") or node.get("raw_code") or ""
    order_by = final_order_by(sql)
    if order_by is None:
        raise ReleaseError(f"model {model} (release file {file}) has no final top-level `order by`; "
                           "a release file needs a fixed row order (end the model with "
                           "`select * from final order by <key columns>`)")
    return ExportSpec(
        file=file,
        exposure=exposure,
        model=model,
        unique_id=node["unique_id"],
        database=node.get("database") or "",
        schema=node["schema"],
        relation=node.get("alias") or model,
        description=summary or " ".join((node.get("description") or "").split()),
        grain=grain,
        columns=columns,
        order_by=tuple(order_by),
    )


# --------------------------------------------------------------------------- row order


def _sql_views(sql: str) -> tuple[str, str]:
    """Two views of `sql`, each as long as it: comments blanked; and only top-level code kept
    (comments, quoted text and everything inside parentheses blanked)."""
    plain = list(sql)
    top = list(sql)
    depth = 0
    i = 0
    n = len(sql)
    while i < n:
        ch = sql[i]
        if sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end == -1 else end
            for j in range(i, end):
                plain[j] = top[j] = " "
            i = end
            continue
        if sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end == -1 else end + 2
            for j in range(i, end):
                plain[j] = top[j] = " "
            i = end
            continue
        if ch in "'\"":
            end = i + 1
            while end < n:
                if sql[end] == ch:
                    if end + 1 < n and sql[end + 1] == ch:  # doubled quote inside
                        end += 2
                        continue
                    break
                end += 1
            for j in range(i, min(end + 1, n)):
                top[j] = " "
            i = end + 1
            continue
        if ch == "(":
            depth += 1
            top[i] = " "
        elif ch == ")":
            depth = max(depth - 1, 0)
            top[i] = " "
        elif depth > 0:
            top[i] = " "
        i += 1
    return "".join(plain), "".join(top)


_DIRECTION = re.compile(r"\s+(asc|desc)\b.*$|\s+nulls\s+(first|last)\s*$", re.IGNORECASE | re.DOTALL)


def final_order_by(sql: str) -> list[str] | None:
    """The keys of the statement's final top-level `order by`, as written (directions kept),
    or None when the statement ends without one."""
    plain, top = _sql_views(sql)
    matches = list(re.finditer(r"\border\s+by\b", top, re.IGNORECASE))
    if not matches:
        return None
    start = matches[-1].end()
    if re.search(r"\bselect\b", top[start:], re.IGNORECASE):
        return None  # the last `order by` belongs to an earlier statement part
    stop = re.search(r"\b(limit|offset)\b|;", top[start:], re.IGNORECASE)
    end = start + stop.start() if stop else len(sql)
    keys, begin = [], start
    for i in range(start, end):
        if top[i] == ",":
            keys.append(plain[begin:i].strip())
            begin = i + 1
    keys.append(plain[begin:end].strip())
    keys = [k for k in keys if k]
    return keys or None


def order_key_expression(key: str, columns: Sequence[str]) -> str:
    """An order-by key as an expression (direction dropped, a position made a column)."""
    expression = _DIRECTION.sub("", key).strip()
    if expression.isdigit():
        position = int(expression)
        if not 1 <= position <= len(columns):
            raise ReleaseError(f"order by position {position} is outside the {len(columns)} columns")
        return _quote(columns[position - 1])
    return expression


def check_order_is_total(connection: duckdb.DuckDBPyConnection, spec: ExportSpec, columns: Sequence[str]) -> None:
    """Fail when two different rows of the export tie on its order-by keys: their order, and
    so the file's bytes, would then depend on how the database happened to run."""
    if [k.strip().lower() for k in spec.order_by] == ["all"]:
        return
    expressions = [order_key_expression(k, columns) for k in spec.order_by]
    keys = ", ".join(expressions)
    sql = (f"select count(*) from (select {keys} from (select distinct * from {spec.qualified_name}) "
           "as released group by all having count(*) > 1)")
    try:
        ties = connection.execute(sql).fetchone()[0]
    except duckdb.Error as exc:
        raise ReleaseError(f"model {spec.model}: cannot check its order by ({', '.join(spec.order_by)}) "
                           f"against {spec.schema}.{spec.relation}: {exc}") from None
    if ties:
        raise ReleaseError(
            f"model {spec.model}: its order by ({', '.join(spec.order_by)}) leaves {ties} group(s) of "
            f"different rows tied, so release file {spec.file} would not be reproducible; add key "
            "columns to the order by until it identifies each row"
        )


# --------------------------------------------------------------------------- values and files


def format_value(value: object) -> str:
    """One value as CSV text: null empty, booleans true/false, integers as digits, decimals with
    their fixed scale, floats in the shortest positional form that reads back the same, dates
    and times ISO 8601, lists and structs as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise ReleaseError(f"a decimal value is {value}; a release holds finite numbers only")
        return format(value, "f")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ReleaseError(f"a floating-point value is {value}; a release holds finite numbers only")
        text = format(decimal.Decimal(repr(value)), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(_jsonable(value), ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _jsonable(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return format_value(value)


def write_csv(path: Path, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> int:
    """Write a header and the rows as UTF-8 CSV with LF endings; return the number of rows."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([format_value(v) for v in row])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return len(rows)


def write_parquet(path: Path, table: pa.Table) -> None:
    """Write the table with fixed settings, so the same table gives the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        table.replace_schema_metadata(None),
        path,
        compression="zstd",
        compression_level=3,
        use_dictionary=True,
        write_statistics=True,
        row_group_size=PARQUET_ROW_GROUP_SIZE,
        version="2.6",
        data_page_version="1.0",
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_export(connection: duckdb.DuckDBPyConnection, spec: ExportSpec) -> pa.Table:
    """The export's rows in the model's order, after checking that its columns match the contract
    and that the order is total."""
    found = connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [spec.schema, spec.relation],
    ).fetchone()[0]
    if not found:
        raise ReleaseError(f"release file {spec.file}: {spec.schema}.{spec.relation} (model {spec.model}) "
                           "is not in the warehouse; run `dbt build` so the exports are built")
    actual = [row[0] for row in connection.execute(f"describe {spec.qualified_name}").fetchall()]
    declared = [c.name for c in spec.columns]
    if actual != declared:
        raise ReleaseError(
            f"release file {spec.file}: the columns of {spec.schema}.{spec.relation} ({', '.join(actual)}) "
            f"are not the ones the manifest documents ({', '.join(declared)}); the warehouse and "
            "--dbt-target come from different builds: rebuild and release again"
        )
    check_order_is_total(connection, spec, actual)
    keys = ", ".join(spec.order_by)
    return connection.execute(f"select * from {spec.qualified_name} order by {keys}").to_arrow_table()


# --------------------------------------------------------------------------- data dictionary


# One row per file (column_position 0, no column name: what the file is and what one row is),
# then one row per column. Every description comes from the export YAML (models/exports/), once.
DICTIONARY_COLUMNS = ("file", "column_position", "column_name", "data_type", "description")

# Why a release keeps its zero rows, said once in the dictionary (README.txt points to it).
ZERO_ROWS_NOTE = (
    "Zeros are real: the monthly files have a row for every month of the period, every belligerent and every "
    "country where the data holds at least one incident or report. A zero means the monitor logged no claim "
    "against that belligerent there that month, which is a finding, so the row is kept. A country the data "
    "never covers (say Iraq, in data on Syria only) has no rows at all."
)


def data_dictionary_rows(specs: Sequence[ExportSpec]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for spec in specs:
        rows.append((f"csv/{spec.file}.csv", 0, "", "", f"{spec.description} {spec.grain}"))
        rows += [(f"csv/{spec.file}.csv", position, column.name, column.data_type, column.description)
                 for position, column in enumerate(spec.columns, start=1)]
    return rows


def _md_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def data_dictionary_markdown(specs: Sequence[ExportSpec], rows: Mapping[str, int], is_synthetic: bool) -> str:
    lines = ["# Data dictionary", ""]
    if is_synthetic:
        lines += [f"**{SYNTHETIC_WARNING}.** Every file of this release was built from a synthetic dataset.", ""]
    lines += [
        "Every file is in `csv/` (UTF-8, comma-separated, a header row; an empty cell means unknown, never "
        "zero) and, with the same rows and column types, in `parquet/`.",
        "",
        ZERO_ROWS_NOTE,
        "",
    ]
    for spec in specs:
        lines += [
            f"## {spec.file}",
            "",
            spec.description,
            "",
            f"**Each row:** {spec.grain} `csv/{spec.file}.csv` and `parquet/{spec.file}.parquet` have "
            f"{rows.get(spec.file, 0):,} rows.",
            "",
            "| # | column | type | description |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {i} | `{c.name}` | {_md_cell(c.data_type)} | {_md_cell(c.description)} |"
            for i, c in enumerate(spec.columns, start=1)
        ]
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------- dbt docs


# Run in a subprocess with the build's manifest, so that dbt does not parse the project again:
# the docs then describe exactly the build that made the warehouse (not the files on disk now,
# which may have changed), and the catalog is read in about a second instead of a full parse.
_CATALOG_SCRIPT = """
import sys
from dbt.cli.main import dbtRunner
from dbt.contracts.graph.manifest import Manifest, WritableManifest

manifest = Manifest.from_writable_manifest(WritableManifest.read_and_check_versions(sys.argv[1]))
result = dbtRunner(manifest=manifest).invoke(["docs", "generate", "--no-compile", *sys.argv[2:]])
if not result.success:
    print(f"dbt docs generate failed: {result.exception}", file=sys.stderr)
sys.exit(0 if result.success else 1)
"""
# dbt's own `docs generate --static` inlines the two artifacts into its page at these markers.
_MANIFEST_MARKER = '"MANIFEST.JSON INLINE DATA"'
_CATALOG_MARKER = '"CATALOG.JSON INLINE DATA"'


def generate_docs(project_dir: Path, snapshot: Path, build_manifest: Path, build: Mapping,
                  say: Progress) -> str:
    """The static dbt docs page (what `dbt docs generate --static` writes) for the build: its own
    manifest and a catalog that dbt reads from the snapshot of the warehouse (never the
    warehouse: dbt-duckdb opens its database read-write). Returns the page's HTML."""
    with tempfile.TemporaryDirectory(prefix="civcas-release-docs-") as workdir:
        target = Path(workdir) / "target"
        target.mkdir()
        command = [
            sys.executable, "-c", _CATALOG_SCRIPT, str(build_manifest),
            "--project-dir", str(project_dir), "--profiles-dir", str(project_dir),
            "--target-path", str(target), "--log-path", str(Path(workdir) / "logs"), "--quiet",
        ]
        if build.get("vars"):
            command += ["--vars", json.dumps(build["vars"], sort_keys=True)]
        environment = {**os.environ, "CIVCAS_DUCKDB_PATH": str(snapshot), "DO_NOT_TRACK": "1",
                       "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "TMPDIR": tempfile.gettempdir()}
        say("release: dbt docs generate (the build's manifest, a catalog read from the snapshot)")
        try:
            done = subprocess.run(command, cwd=project_dir, env=environment, capture_output=True, text=True,
                                  timeout=DOCS_TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            raise ReleaseError(f"dbt docs generate took longer than {DOCS_TIMEOUT_SECONDS} s") from None
        template, catalog = target / "index.html", target / "catalog.json"
        if done.returncode != 0 or not template.is_file() or not catalog.is_file():
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
            raise ReleaseError(f"dbt docs generate failed (exit {done.returncode}):\n{tail}")
        page = template.read_text(encoding="utf-8")
        if _MANIFEST_MARKER not in page or _CATALOG_MARKER not in page:
            raise ReleaseError("dbt's docs page lacks the inline-data markers of `docs generate --static`; "
                               "this dbt version is not supported by civcas release")
        # Plain replace, as dbt does; the JSON texts are inserted exactly as written.
        page = page.replace(_MANIFEST_MARKER, build_manifest.read_text(encoding="utf-8"))
        return page.replace(_CATALOG_MARKER, catalog.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- output folder


def is_release_folder(folder: Path) -> bool:
    manifest = folder / MANIFEST_NAME
    if not manifest.is_file():
        return False
    try:
        return json.loads(manifest.read_text(encoding="utf-8")).get("format") == RELEASE_FORMAT
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        return False


def check_release_folder(out: Path, project_dir: Path, force: bool) -> None:
    """Refuse to write where a release must not go (see the module docstring)."""
    if out.exists():
        if not out.is_dir():
            raise ReleaseUsageError(f"{out}: exists and is not a folder")
        if any(out.iterdir()):
            if not is_release_folder(out):
                raise ReleaseUsageError(f"{out}: folder is not empty and is not a civcas release "
                                        f"(no {MANIFEST_NAME} of format {RELEASE_FORMAT}); refusing to replace it")
            if not force:
                raise ReleaseUsageError(f"{out}: a release is already there; pass --force to replace it, "
                                        "or choose another --out")
    if git_ignores(out, project_dir, MANIFEST_NAME) is False:
        raise ReleaseUsageError(f"{out}: inside the repository and not git-ignored; a release is a build "
                                "output, write it under releases/ (git-ignored) or outside the checkout")


def default_release_name(datasets: Sequence[Mapping], build_generated_at: str,
                         record: BuildRecord | None = None) -> str:
    """`civcas-<dataset id>-<build date>`, the dataset id without a repeated `civcas-`,
    `-<first month>-to-<last month>` for a build given its period (vars civcas_first_month,
    civcas_last_month) and `-as-of-<day>` for a build as known on a day (var civcas_as_of)."""
    ids = [re.sub(r"[^A-Za-z0-9._-]+", "-", str(d["dataset_id"])).strip("-") for d in datasets] or ["unknown"]
    ids = [i[len("civcas-"):] if i.startswith("civcas-") else i for i in ids]
    as_of = release_as_of(datasets, {})
    period = (f"-{month_text(record.first_month)}-to-{month_text(record.last_month)}"
              if record is not None and record.has_period_vars else "")
    return f"civcas-{'+'.join(ids)}-{build_generated_at[:10]}{period}" + (f"-as-of-{as_of}" if as_of else "")


AS_OF_MEANING = ("every figure counts only what was known by the end of this day: claims reported, sources and "
                 "incidents registered, assessments, statements and declared strikes made, intake batches "
                 "accepted by then (dbt var civcas_as_of); null: as of the build, with every row")


def release_as_of(datasets: Sequence[Mapping], build_vars: Mapping) -> str | None:
    """The day the release is as known on: dim_datasets.as_of_date (the warehouse says), else the
    build's var civcas_as_of (a warehouse built before the column), else None (as of the build)."""
    days = {str(d["as_of_date"]) for d in datasets if d.get("as_of_date")}
    if len(days) > 1:
        raise ReleaseError(f"main.dim_datasets gives several as-of days ({', '.join(sorted(days))}); build again")
    if days:
        return days.pop()
    value = build_vars.get("civcas_as_of") if isinstance(build_vars, Mapping) else None
    return str(value) if value else None


# --------------------------------------------------------------------------- build facts


# The model that records the build in the warehouse (models/marts/dim_builds.sql).
BUILD_RECORD_MODEL = "dim_builds"
# The results that mean a node was built or its test held.
DONE_STATUSES = frozenset({"success", "pass", "warn"})
# How to rebuild, per dataset id; another dataset is rebuilt with dbt build itself.
REBUILD_TARGETS = {"civcas-demo": "make build", "airwars-syria-archive": "make build-archive"}


def release_nodes(manifest: Mapping, specs: Sequence[ExportSpec]) -> list[str]:
    """The dbt nodes a release needs from one complete build: every export, every data test of an
    export, and the build record (dim_builds), which ties the run results to the warehouse."""
    exports = {spec.unique_id for spec in specs}
    tests = [uid for uid, node in manifest.get("nodes", {}).items()
             if node.get("resource_type") == "test" and exports & set(node.get("depends_on", {}).get("nodes", []))]
    record = [uid for uid, node in manifest.get("nodes", {}).items()
              if node.get("resource_type") == "model" and node.get("name") == BUILD_RECORD_MODEL]
    return sorted(exports) + sorted(tests) + record


def build_facts(manifest: Mapping, run_results: Mapping, specs: Sequence[ExportSpec],
                rebuild: str = "make build") -> tuple[dict, list[str]]:
    """The build the release comes from; fails when that build failed or when the run results are
    not of one complete build (a later `dbt run -s <model>` writes run results of that command
    alone). Returns (facts, warnings)."""
    statuses = {r["unique_id"]: r.get("status") for r in run_results.get("results", [])}
    failed = sorted(uid for uid, status in statuses.items() if status in FAILED_STATUSES)
    if failed:
        shown = ", ".join(f"{uid} ({statuses[uid]})" for uid in failed[:5])
        raise ReleaseError(f"the dbt build failed on {len(failed)} node(s): {shown}"
                           f"{', ...' if len(failed) > 5 else ''}; fix them and build again before releasing")
    args = run_results.get("args", {})
    command = args.get("invocation_command") or args.get("which") or "a dbt command"
    needed = release_nodes(manifest, specs)
    not_done = [uid for uid in needed if statuses.get(uid) not in DONE_STATUSES]
    if not_done:
        shown = ", ".join(f"{uid.split('.')[-1]} ({statuses.get(uid) or 'not run'})" for uid in not_done[:4])
        raise ReleaseError(
            f"the run results are not of a complete build: `{command}` did not build or test "
            f"{len(not_done)} of the {len(needed)} nodes a release needs ({shown}"
            f"{', ...' if len(not_done) > 4 else ''}); run `{rebuild}` and release straight after it")
    warnings: list[str] = []
    metadata = run_results.get("metadata", {})
    facts = {
        "generated_at": metadata.get("generated_at") or manifest.get("metadata", {}).get("generated_at"),
        "invocation_id": metadata.get("invocation_id") or manifest.get("metadata", {}).get("invocation_id"),
        "dbt_version": metadata.get("dbt_version") or manifest.get("metadata", {}).get("dbt_version"),
        "dbt_command": args.get("which"),
        "dbt_invocation_command": args.get("invocation_command"),
        "vars": args.get("vars") or {},
        "manifest_invocation_id": manifest.get("metadata", {}).get("invocation_id"),
    }
    if facts["manifest_invocation_id"] != facts["invocation_id"]:
        warnings.append("manifest.json and run_results.json come from different dbt invocations")
    return facts, warnings


def month_text(month: dt.date | str) -> str:
    """A month as YYYY-MM."""
    return str(month)[:7]


def parse_month(text: str, option: str) -> dt.date:
    """A month given as YYYY-MM (or YYYY-MM-01) as the date of its first day."""
    match = re.fullmatch(r"(\d{4})-(\d{2})(?:-01)?", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ReleaseUsageError(f"{option} {text!r} is not a month; write YYYY-MM, e.g. {option} 2017-01")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


@dataclass(frozen=True)
class BuildRecord:
    """What the warehouse says about the build that wrote it (main.dim_builds)."""

    invocation_id: str
    command_line_vars: dict
    first_month: dt.date
    last_month: dt.date
    first_incident_month: dt.date | None
    last_incident_month: dt.date | None

    @property
    def has_period_vars(self) -> bool:
        """True when the build was given its period (civcas_first_month or civcas_last_month) on its
        command line."""
        return any(self.command_line_vars.get(v) for v in ("civcas_first_month", "civcas_last_month"))


def read_build_record(connection: duckdb.DuckDBPyConnection, rebuild: str) -> BuildRecord:
    try:
        rows = connection.execute(
            f"select invocation_id, command_line_vars, first_month, last_month, first_incident_month, "
            f"last_incident_month from main.{BUILD_RECORD_MODEL}").fetchall()
    except duckdb.Error:
        raise ReleaseError(f"main.{BUILD_RECORD_MODEL} is not in the warehouse (built by an older civcas, or the "
                           f"build stopped early); run `{rebuild}` and release straight after it") from None
    if len(rows) != 1:
        raise ReleaseError(f"main.{BUILD_RECORD_MODEL} holds {len(rows)} rows, not one; run `{rebuild}` again")
    invocation_id, command_line_vars, first, last, first_incident, last_incident = rows[0]
    try:
        variables = json.loads(command_line_vars or "{}")
    except json.JSONDecodeError:
        variables = {"unreadable": command_line_vars}
    return BuildRecord(invocation_id, variables if isinstance(variables, dict) else {}, first, last,
                       first_incident, last_incident)


def rebuild_command(datasets: Sequence[Mapping], warehouse: Path,
                    period: tuple[dt.date, dt.date] | None) -> str:
    """The command that builds this warehouse again (for the period, when one is given)."""
    ids = {str(d.get("dataset_id")) for d in datasets}
    target = REBUILD_TARGETS.get(ids.pop()) if len(ids) == 1 else None
    months = f" FROM={month_text(period[0])} TO={month_text(period[1])}" if period else ""
    if target == "make build":
        place = "" if str(warehouse) == "warehouse/civcas.duckdb" else f" CIVCAS_DUCKDB_PATH={warehouse}"
        return f"make build{place}{months}"
    if target == "make build-archive":
        place = "" if str(warehouse) == "warehouse/archive.duckdb" else f" ARCHIVE_DUCKDB={warehouse}"
        return f"make build-archive{place}{months}"
    variables = (f" --vars '{{civcas_first_month: {period[0]}, civcas_last_month: {period[1]}}}'"
                 if period else "")
    return f"CIVCAS_DUCKDB_PATH={warehouse} dbt build --profiles-dir . --project-dir . --full-refresh{variables}"


def release_command(warehouse: Path, period: tuple[dt.date, dt.date]) -> str:
    place = "" if str(warehouse) == "warehouse/civcas.duckdb" else f" CIVCAS_DUCKDB_PATH={warehouse}"
    return f"make release{place} FROM={month_text(period[0])} TO={month_text(period[1])}"


def check_period(record: BuildRecord, wanted: tuple[dt.date | None, dt.date | None], datasets: Sequence[Mapping],
                 warehouse: Path) -> None:
    """Refuse when the build is not of the period the release was asked for (--from-month/--to-month)."""
    first, last = wanted
    if first is None and last is None:
        return
    first = first or record.first_month
    last = last or record.last_month
    if first > last:
        raise ReleaseUsageError(f"the period {month_text(first)}..{month_text(last)} ends before it starts")
    if (record.first_month, record.last_month) != (first, last):
        raise ReleaseError(
            f"{warehouse} is a build of {month_text(record.first_month)}..{month_text(record.last_month)}, not of "
            f"{month_text(first)}..{month_text(last)}; run `{rebuild_command(datasets, warehouse, (first, last))}` "
            f"and then `{release_command(warehouse, (first, last))}`")


def check_months_of_the_build(record: BuildRecord, tables: Mapping[str, pa.Table], rebuild: str) -> None:
    """Refuse monthly exports whose months are not the build's period: an export written again
    by a later command with other month vars (and run results kept elsewhere)."""
    for file, table in sorted(tables.items()):
        if "month" not in table.column_names or table.num_rows == 0:
            continue
        months = [m for m in table.column("month").to_pylist() if m is not None]
        if months and (min(months), max(months)) != (record.first_month, record.last_month):
            raise ReleaseError(
                f"release file {file} covers {month_text(min(months))}..{month_text(max(months))}, but the build "
                f"that wrote the warehouse is of {month_text(record.first_month)}..{month_text(record.last_month)}: "
                f"a later dbt command rewrote it; run `{rebuild}` and release straight after it")


def check_same_build(record: BuildRecord, build: Mapping, dbt_target: Path, rebuild: str) -> None:
    """Refuse run results of another dbt invocation than the one that wrote the warehouse."""
    if record.invocation_id != build.get("invocation_id"):
        command = build.get("dbt_invocation_command") or build.get("dbt_command") or "another dbt command"
        raise ReleaseError(
            f"the warehouse was written by dbt invocation {record.invocation_id}, but "
            f"{dbt_target / 'run_results.json'} is of invocation {build.get('invocation_id')} (`{command}`); "
            f"run `{rebuild}` and release straight after it")


# --------------------------------------------------------------------------- terms and credit


def release_credit(datasets: Sequence[Mapping]) -> str:
    """The credit line of a release: the datasets' own credit lines (dim_datasets.credit), once each."""
    credits = list(dict.fromkeys(str(d["credit"]) for d in datasets if d.get("credit")))
    return "; ".join(credits) if credits else "Source not stated"


def licence_warnings(datasets: Sequence[Mapping]) -> list[str]:
    """One warning per dataset that is not licensed for redistribution (unknown terms count as not)."""
    return [
        f"dataset {d.get('dataset_id')} is not licensed for redistribution (licence: "
        f"{d.get('licence') or 'not stated'}); credit it ({d.get('credit') or 'source not stated'}) and check "
        "its terms before publishing this release"
        for d in datasets if not d.get("is_redistributable")
    ]


def read_datasets(connection: duckdb.DuckDBPyConnection) -> list[dict]:
    try:
        relation = connection.execute("select * from main.dim_datasets order by dataset_id")
    except duckdb.Error as exc:
        raise ReleaseError(f"main.dim_datasets cannot be read ({exc}); a release must say where its data "
                           "came from") from None
    names = [d[0] for d in relation.description]
    rows = [dict(zip(names, row, strict=False)) for row in relation.fetchall()]
    if not rows:
        raise ReleaseError("main.dim_datasets is empty; a release must say where its data came from")
    return [{k: (v if v is None or isinstance(v, (bool, int, str)) else format_value(v)) for k, v in r.items()}
            for r in rows]


def _synthetic_flag(table: pa.Table) -> bool:
    if "is_synthetic" not in table.column_names:
        return False
    return any(v is True for v in table.column("is_synthetic").to_pylist())


# --------------------------------------------------------------------------- README.txt


def as_of_line(as_of: str | None) -> str:
    if as_of is None:
        return "As known on: the day of the build (every row the warehouse held)."
    return (f"As known on: {as_of}. Every figure counts only what was known by the end of that day; "
            "later revisions are not in it.")


def terms_lines(datasets: Sequence[Mapping]) -> list[str]:
    """README.txt's plain words on credit and redistribution, per dataset."""
    lines = [f"Credit: {release_credit(datasets)}", ""]
    for dataset in datasets:
        if dataset.get("is_redistributable"):
            lines.append(f"  - {dataset.get('dataset_id')}: free to share (licence: {dataset.get('licence')}).")
        else:
            lines += [
                f"  - {dataset.get('dataset_id')}: NOT licensed for redistribution "
                f"(licence: {dataset.get('licence') or 'not stated'}).",
                f"    Credit \"{dataset.get('credit') or 'the source'}\" wherever you use it, and check the "
                "source's terms before you",
                "    publish or pass on these files.",
            ]
    return lines


def release_readme(name: str, specs: Sequence[ExportSpec], rows: Mapping[str, int], datasets: Sequence[Mapping],
                   build: Mapping, chart_names: Sequence[str], is_synthetic: bool,
                   period: tuple[dt.date, dt.date] | None = None) -> str:
    lines: list[str] = []
    if is_synthetic:
        banner = f"*** {SYNTHETIC_WARNING.upper()} ***"
        lines += [banner, "Every figure in this release comes from a synthetic demo dataset made by civcas.",
                  "Its incidents, sources and numbers are invented. Do not cite them.", banner, ""]
    lines += [
        f"civcas release {name}",
        "=" * len(f"civcas release {name}"),
        "",
        "Civilian harm from air and artillery strikes, as logged, grouped into incidents and graded by a",
        "civilian-harm monitor, and built into tables by civcas (an open-source dbt + DuckDB warehouse).",
        f"Built by dbt {build.get('dbt_version')} at {build.get('generated_at')} "
        f"(invocation {build.get('invocation_id')}); civcas {__version__}.",
        as_of_line(release_as_of(datasets, build.get("vars") or {})),
        *([f"Period: {month_text(period[0])} to {month_text(period[1])} (the months of incidents counted)."]
          if period else []),
        "",
        "Terms of use:",
        *terms_lines(datasets),
        "",
        "Open index.html first: the headline figures, the charts, the files and the counting rules.",
        "",
        "Where the data came from:",
    ]
    for dataset in datasets:
        synthetic = "SYNTHETIC" if dataset.get("is_synthetic") else "real"
        lines.append(f"  - {dataset.get('dataset_id')}: {dataset.get('dataset_name')} ({synthetic})")
        if dataset.get("dataset_description"):
            lines.append(f"    {dataset['dataset_description']}")
        if dataset.get("source_reference"):
            lines.append(f"    source: {dataset['source_reference']}")
    lines += ["", "What is in this folder:", ""]
    for spec in specs:
        lines.append(f"  csv/{spec.file}.csv ({rows.get(spec.file, 0):,} rows): {spec.grain}")
    lines += [
        "  index.html                 start here: headline figures, charts, files, rules, credits",
        "  parquet/<file>.parquet     the same tables as Parquet, with typed columns",
        "  data_dictionary.csv / .md  every column of every file: its type and what it means",
    ]
    lines += [f"  charts/{chart}.png / .svg" for chart in chart_names]
    lines += [
        "  docs/index.html            the warehouse documentation (dbt docs; open in a browser)",
        "  data_docs/                 the data quality checks run on these files (Great Expectations)",
        "  manifest.json              every file's size, row count and SHA-256; the build; the sources",
        "  SHA256SUMS                 check the files with `sha256sum -c SHA256SUMS`",
        "",
        "CSV conventions: UTF-8, comma-separated, one header row, an empty field is unknown (null), never",
        "zero; dates are YYYY-MM-DD; booleans are true/false.",
        "",
        *textwrap.wrap(ZERO_ROWS_NOTE, width=100),
        "",
        "Counting rules:",
    ]
    lines += [f"  - {rule}" for rule in COUNTING_RULES]
    lines += [
        "",
        "In the coalition-versus-Russia comparison, country_id 'syria' is the like-for-like scope: the",
        "coalition also struck Iraq, Russia struck Syria only (from 30 September 2015).",
        "No protected source is named in this release: every file was checked before publication.",
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- release


def snapshot_warehouse(warehouse: Path, folder: Path) -> Path:
    """Copy the warehouse into `folder` under the same file name, holding a read-only connection
    (a shared lock) meanwhile so that no `dbt build` writes to it during the copy. The release
    reads only the copy: the warehouse is locked for the seconds of a file copy, not for the
    whole release, and dbt (which opens its database read-write) never touches it."""
    folder.mkdir(parents=True, exist_ok=True)
    # The same file name: DuckDB names the database after the file, and views embed that name.
    copy = folder / warehouse.name
    lock = _open_read_only(warehouse)
    try:
        shutil.copyfile(warehouse, copy)
        wal = warehouse.with_name(warehouse.name + ".wal")
        if wal.is_file():
            shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
    finally:
        lock.close()
    return copy


def _open_read_only(warehouse: Path) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        from civcas.faults import is_lock_conflict

        if is_lock_conflict(exc):
            raise  # the CLI explains a held lock (civcas.faults)
        raise ReleaseUsageError(f"{warehouse}: cannot open the warehouse read-only ({exc}); "
                                "is a dbt build writing to it?") from None


def _peek_warehouse(warehouse: Path) -> tuple[list[dict], BuildRecord]:
    """The datasets and the build record, read before anything is written, to refuse early."""
    connection = _open_read_only(warehouse)
    try:
        datasets = read_datasets(connection)
        return datasets, read_build_record(connection, rebuild_command(datasets, warehouse, None))
    finally:
        connection.close()


@dataclass
class _WarehouseContents:
    """What the release reads from the warehouse."""

    datasets: list[dict]
    protected: list
    tables: dict[str, pa.Table]
    record: BuildRecord


def _read_warehouse(snapshot: Path, specs: Sequence[ExportSpec], rebuild: str) -> _WarehouseContents:
    from civcas.protection import load_protected_values

    connection = duckdb.connect(str(snapshot), read_only=True)
    try:
        connection.execute("set TimeZone = 'UTC'")  # timestamps with time zone print the same everywhere
        datasets = read_datasets(connection)
        record = read_build_record(connection, rebuild)
        try:
            protected = load_protected_values(connection)
        except LookupError as exc:
            raise ReleaseError(str(exc)) from None
        tables = {spec.file: read_export(connection, spec) for spec in specs}
    finally:
        connection.close()
    return _WarehouseContents(datasets, protected, tables, record)


def build_release(
    warehouse: Path,
    dbt_target: Path,
    out: Path | None,
    project_dir: Path,
    *,
    force: bool = False,
    command_line: Sequence[str] = (),
    progress: Progress | None = None,
    period: tuple[dt.date | None, dt.date | None] = (None, None),
) -> ReleaseResult:
    """Write a release of `warehouse` to `out` (default releases/<name>) atomically. With a
    `period` (first month, last month; either may be None), refuse a build of another period."""
    started = time.perf_counter()
    say = _say(progress)
    warehouse, dbt_target, project_dir = Path(warehouse), Path(dbt_target), Path(project_dir)
    # Absolute: the release gate (Great Expectations) refuses a relative folder.
    out = Path(out).resolve() if out is not None else None
    if not warehouse.is_file():
        raise ReleaseError(f"{warehouse}: warehouse not found; build it with `make build` or pass --warehouse")
    manifest = load_json(dbt_target / "manifest.json", "dbt manifest")
    run_results = load_json(dbt_target / "run_results.json", "dbt run results")
    specs = find_exports(manifest)
    # dbt-duckdb names the database after the file it built: a target folder from another build
    # (say `make build-archive` after `make build`) would describe other data.
    built_into = sorted({spec.database for spec in specs})
    if built_into != [warehouse.stem]:
        raise ReleaseUsageError(f"{dbt_target} holds the artifacts of a build into "
                                f"{', '.join(d + '.duckdb' for d in built_into)}, not {warehouse.name}; pass "
                                "--dbt-target with the target folder of the build that wrote the warehouse")
    datasets, record = _peek_warehouse(warehouse)
    check_period(record, period, datasets, warehouse)
    rebuild = rebuild_command(datasets, warehouse, (record.first_month, record.last_month)
                              if record.has_period_vars else None)
    build, warnings = build_facts(manifest, run_results, specs, rebuild)
    check_same_build(record, build, dbt_target, rebuild)
    build["rebuild"] = rebuild
    warnings += licence_warnings(datasets)
    for warning in warnings:
        say(f"release: warning: {warning}")
    if out is not None:
        check_release_folder(Path(out), project_dir, force)
    # The default folder's name comes from the data, but its parent is known now.
    parent = Path(out).parent if out is not None else project_dir / "releases"
    parent.mkdir(parents=True, exist_ok=True)
    busy = (f"another `civcas release` into {parent} is running (it holds {RELEASE_LOCK_NAME}); wait for it "
            "to finish and release again")
    try:
        with folder_lock(parent / RELEASE_LOCK_NAME, busy):
            replaced = [entry for entry in parent.iterdir()
                        if _REPLACED.match(entry.name) and is_release_folder(entry)]
            for leftover in remove_leftovers(parent, "release", also=_OLD_STAGING) + replaced:
                shutil.rmtree(leftover, ignore_errors=True)
                say(f"release: removed {leftover.name}, left by an interrupted release")
            building = make_building_folder(parent, "release")
            try:
                out, result = _build_in(building, warehouse, dbt_target, out, project_dir, force, specs, build,
                                        command_line, say)
            finally:
                shutil.rmtree(building, ignore_errors=True)
    except OperationalError as exc:
        raise ReleaseError(str(exc)) from None
    result.out = out
    result.elapsed = time.perf_counter() - started
    result.warnings = warnings
    say(f"release: {out} written in {result.elapsed:.1f} s")
    return result


def _build_in(building: Path, warehouse: Path, dbt_target: Path, out: Path | None, project_dir: Path, force: bool,
              specs: Sequence[ExportSpec], build: Mapping, command_line: Sequence[str],
              say: Progress) -> tuple[Path, ReleaseResult]:
    """Snapshot, write, check and scan the release inside ``building``, then rename it to ``out``."""
    work = building / "work"
    work.mkdir()
    # Every temporary file of the run (Great Expectations, dbt docs, matplotlib) stays in the
    # building folder: the system temporary folder would keep it after a kill -9.
    previous_tempdir = tempfile.tempdir
    tempfile.tempdir = str(work)
    try:
        snapshot = snapshot_warehouse(warehouse, work / "db")
        pause_point("release-snapshot")
        say(f"release: reading {len(specs)} exports from a snapshot of {warehouse}")
        contents = _read_warehouse(snapshot, specs, build["rebuild"])
        # The warehouse may have been built again since it was first read: check the snapshot too.
        check_same_build(contents.record, build, dbt_target, build["rebuild"])
        check_months_of_the_build(contents.record, contents.tables, build["rebuild"])
        build = {**build, "vars": contents.record.command_line_vars}
        if out is None:
            out = project_dir / "releases" / default_release_name(contents.datasets, build["generated_at"] or "",
                                                                  contents.record)
            check_release_folder(out, project_dir, force)
        out = Path(out)
        staging = building / "release"
        staging.mkdir()
        result = _write_release(staging, out, specs, contents, build, snapshot, dbt_target, project_dir,
                                command_line, say)
        pause_point("release-scanned")
        staging.chmod(folder_mode())
        swap_into_place(staging, out)
    finally:
        tempfile.tempdir = previous_tempdir
    return out, result


def _write_release(staging: Path, out: Path, specs: Sequence[ExportSpec], contents: _WarehouseContents,
                   build: Mapping, snapshot: Path, dbt_target: Path, project_dir: Path,
                   command_line: Sequence[str], say: Progress) -> ReleaseResult:
    from civcas.charts import ChartDataError, render_charts
    from civcas.protection import scan_folder, unscannable_rasters
    from civcas.release_page import page_for_release, release_period, write_index

    datasets, tables = contents.datasets, contents.tables
    rows: dict[str, int] = {}
    is_synthetic = any(bool(d.get("is_synthetic")) for d in datasets)
    for spec in specs:
        table = tables[spec.file]
        rows[spec.file] = write_csv(staging / "csv" / f"{spec.file}.csv", table.column_names,
                                    list(zip(*(c.to_pylist() for c in table.columns), strict=False)) if table.num_rows else [])
        write_parquet(staging / "parquet" / f"{spec.file}.parquet", table)
        is_synthetic = is_synthetic or _synthetic_flag(table)
        say(f"release: csv/{spec.file}.csv and parquet/{spec.file}.parquet, {rows[spec.file]:,} rows")
    pause_point("release-exports-written")

    dictionary = data_dictionary_rows(specs)
    write_csv(staging / "data_dictionary.csv", DICTIONARY_COLUMNS, dictionary)
    (staging / "data_dictionary.md").write_bytes(
        data_dictionary_markdown(specs, rows, is_synthetic).encode("utf-8"))
    say(f"release: data dictionary, {len(dictionary) - len(specs)} columns of {len(specs)} files")

    frames = {file: table.to_pandas() for file, table in tables.items()}
    comparison = frames.get("monthly_coalition_vs_russia")
    # The period: the build's month vars as the warehouse records them (dim_builds), else the data's
    # own months; the credit: the datasets' own credit lines (dim_datasets.credit).
    period = release_period(build.get("vars") or {}, comparison) if comparison is not None else None
    credit = release_credit(datasets)
    try:
        charts = render_charts(frames, staging / "charts",
                               dataset_is_synthetic=any(bool(d.get("is_synthetic")) for d in datasets),
                               period=period, credit=credit)
    except ChartDataError as exc:
        raise ReleaseError(str(exc)) from None
    say(f"release: charts {', '.join(charts)} (PNG and SVG)")

    page = generate_docs(project_dir, snapshot, dbt_target / "manifest.json", build, say)
    (staging / "docs").mkdir()
    (staging / "docs" / "index.html").write_bytes(page.encode("utf-8"))

    say("release: release gate (Great Expectations)")
    _run_release_gate(staging, staging / "data_docs")

    (staging / "README.txt").write_bytes(
        release_readme(out.name, specs, rows, datasets, build, charts, is_synthetic, period).encode("utf-8"))
    index = write_index(staging, page_for_release(
        name=out.name, is_synthetic=is_synthetic, period=period, credit=credit, datasets=datasets, frames=frames,
        charts=charts, exports=[(spec.file, spec.description, rows[spec.file]) for spec in specs],
        as_of=release_as_of(datasets, build.get("vars") or {}),
        built=f"Built by dbt {build.get('dbt_version')} at {build.get('generated_at')} (invocation "
              f"{build.get('invocation_id')}); civcas {__version__}."))
    say(f"release: {index.name}, the page to open first")

    listed = _file_entries(staging, rows)
    release_manifest = {
        "format": RELEASE_FORMAT,
        "format_version": RELEASE_FORMAT_VERSION,
        "name": out.name,
        "is_synthetic": is_synthetic,
        **({"synthetic_warning": SYNTHETIC_WARNING} if is_synthetic else {}),
        "civcas_version": __version__,
        "released_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "command_line": shlex.join(command_line) if command_line else None,
        "build": {k: build[k] for k in ("generated_at", "invocation_id", "dbt_version", "dbt_command",
                                        "dbt_invocation_command", "vars")},
        "datasets": list(datasets),
        "period": {"first_month": month_text(period[0]) if period else None,
                   "last_month": month_text(period[1]) if period else None,
                   "build_first_month": month_text(contents.record.first_month),
                   "build_last_month": month_text(contents.record.last_month),
                   "from_build_vars": contents.record.has_period_vars},
        "credit": credit,
        "is_redistributable": all(bool(d.get("is_redistributable")) for d in datasets),
        "licence_warnings": licence_warnings(datasets),
        "as_of": release_as_of(datasets, build.get("vars") or {}),
        "as_of_meaning": AS_OF_MEANING,
        "exports": [
            {"file": spec.file, "model": spec.model, "exposure": spec.exposure, "grain": spec.grain,
             "rows": rows[spec.file], "columns": len(spec.columns),
             "csv": f"csv/{spec.file}.csv", "parquet": f"parquet/{spec.file}.parquet"}
            for spec in specs
        ],
        "charts": [{"name": chart, "png": f"charts/{chart}.png", "svg": f"charts/{chart}.svg"} for chart in charts],
        "index": index.name,
        "files": [dataclasses.asdict(f) if f.rows is not None else
                  {k: v for k, v in dataclasses.asdict(f).items() if k != "rows"} for f in listed],
    }

    rasters = unscannable_rasters(staging)
    if rasters:
        raise ReleaseError(f"chart(s) without an SVG twin cannot be checked for protected values: "
                           f"{', '.join(rasters)}")
    say(f"release: scanning {len(listed)} files for {len(contents.protected)} protected values")
    scan = scan_folder(staging, contents.protected)
    _fail_on_hits(scan)
    release_manifest["protection_scan"] = {
        "files_scanned": scan.files_scanned + 2,
        "values_searched": scan.values_searched,
        "values_shorter_than_4_characters_not_searched": scan.values_too_short,
        "hits": 0,
    }
    _write_manifest_and_sums(staging, release_manifest)
    # The manifest and SHA256SUMS were written after the scan: scan them too.
    _fail_on_hits(scan_folder(staging, contents.protected,
                              only=[staging / MANIFEST_NAME, staging / CHECKSUMS_NAME]))
    say(f"release: protected-value scan passed ({scan.files_scanned + 2} files, {scan.values_searched} values, "
        f"{scan.values_too_short} shorter than 4 characters not searched)")
    return ReleaseResult(out=out, files=listed, exports=rows, is_synthetic=is_synthetic, elapsed=0.0)


def _fail_on_hits(scan) -> None:
    if scan.hits:
        shown = "\n".join(f"  {hit.describe()}" for hit in scan.hits[:20])
        more = f"\n  ... and {len(scan.hits) - 20} more" if len(scan.hits) > 20 else ""
        raise ReleaseError(f"protected source value(s) found in the release; nothing was published:\n"
                           f"{shown}{more}")


def _run_release_gate(release_dir: Path, data_docs_dir: Path) -> None:
    try:
        from civcas.gates import GateFailure, validate_release_files
    except ImportError as exc:
        raise ReleaseError(f"the release gate (civcas.gates) cannot be imported ({exc}); "
                           "a release is not published without it") from None
    data_docs_dir.mkdir(parents=True, exist_ok=True)
    try:
        validate_release_files(release_dir, data_docs_dir)
    except GateFailure as exc:
        # The staging folder is about to be removed: keep the Data Docs of the failure elsewhere.
        # Beside the releases (mode 0700), not in the system temporary folder: they quote exported values.
        kept = Path(tempfile.mkdtemp(prefix=".release-gate-failure-data-docs-", dir=release_dir.parent.parent))
        shutil.copytree(data_docs_dir, kept, dirs_exist_ok=True)
        message = str(exc).replace(str(data_docs_dir), str(kept))
        raise ReleaseError(f"release gate failed: {message}\n(the Data Docs of this failure are kept in {kept})") \
            from None


def _file_entries(folder: Path, rows: Mapping[str, int]) -> list[ReleasedFile]:
    entries = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if relative in (MANIFEST_NAME, CHECKSUMS_NAME):
            continue
        file_rows = None
        if relative.startswith(("csv/", "parquet/")) and path.stem in rows:
            file_rows = rows[path.stem]
        entries.append(ReleasedFile(relative, path.stat().st_size, sha256_of(path), file_rows))
    return entries


def _write_manifest_and_sums(folder: Path, release_manifest: Mapping) -> None:
    (folder / MANIFEST_NAME).write_bytes(
        (json.dumps(release_manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    lines = [f"{entry['sha256']}  {entry['path']}" for entry in release_manifest["files"]]
    lines.append(f"{sha256_of(folder / MANIFEST_NAME)}  {MANIFEST_NAME}")
    (folder / CHECKSUMS_NAME).write_bytes(("\n".join(sorted(lines, key=lambda line: line[66:])) + "\n").encode("utf-8"))


# --------------------------------------------------------------------------- verify


_CHECKSUM_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")


def verify_release(folder: Path) -> tuple[int, list[str]]:
    """Re-check every checksum of a release; return (files checked, problems)."""
    folder = Path(folder)
    sums_path = folder / CHECKSUMS_NAME
    if not sums_path.is_file():
        raise ReleaseUsageError(f"{folder}: no {CHECKSUMS_NAME}; not a civcas release folder")
    problems: list[str] = []
    listed: dict[str, str] = {}
    for number, line in enumerate(sums_path.read_text(encoding="utf-8").splitlines(), start=1):
        match = _CHECKSUM_LINE.match(line)
        if not match:
            problems.append(f"{CHECKSUMS_NAME} line {number}: not `<sha256>  <path>`")
            continue
        digest, relative = match.groups()
        if Path(relative).is_absolute() or ".." in Path(relative).parts:
            problems.append(f"{CHECKSUMS_NAME} line {number}: {relative} is not a path inside the release")
            continue
        listed[relative] = digest
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {CHECKSUMS_NAME}
    for relative in sorted(listed):
        path = folder / relative
        if not path.is_file():
            problems.append(f"{relative}: listed in {CHECKSUMS_NAME} but missing")
        elif sha256_of(path) != listed[relative]:
            problems.append(f"{relative}: SHA-256 does not match {CHECKSUMS_NAME} (the file changed)")
    problems += [f"{relative}: in the folder but not listed in {CHECKSUMS_NAME}"
                 for relative in sorted(present - listed.keys())]
    if MANIFEST_NAME in listed and (folder / MANIFEST_NAME).is_file():
        try:
            release_manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            problems.append(f"{MANIFEST_NAME}: not valid JSON ({exc})")
        else:
            for entry in release_manifest.get("files", []):
                if listed.get(entry.get("path")) != entry.get("sha256"):
                    problems.append(f"{entry.get('path')}: {MANIFEST_NAME} and {CHECKSUMS_NAME} disagree")
    elif MANIFEST_NAME not in listed:
        problems.append(f"{MANIFEST_NAME}: not listed in {CHECKSUMS_NAME}")
    return len(listed), problems
