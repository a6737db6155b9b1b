"""Validation gates with Great Expectations: the raw inputs before dbt, the release files after export.

Two suites, each a gate that stops the work with a message naming the suite, the table or file,
the column, the expectation in words, what was observed and what to fix:

* ``validate_raw`` runs on the raw folder before ``dbt build``: the demo CSV seeds
  (``seeds/raw``) or a folder of Parquet files (``civcas import-archive``, ``civcas
  simulate-intake``). dbt already quarantines bad *values* row by row, with a reason, so this
  gate does not stop the build for a dirty row. It stops it for problems that make a whole table
  unusable: a table or column missing, a manifest that does not say whether the data is
  synthetic, no claims at all, or a column whose values are mostly in the wrong format (a new
  export layout, shifted columns, another date convention). Those would not fail dbt; they
  would quarantine most of a table, or silently empty the marts. Value checks therefore carry
  a ``mostly`` threshold (see ``RAW_MOSTLY_*``).
* ``validate_release_files`` runs on the CSV files of a release after export, against the
  export contracts (``models/exports/_exports__models.yml``): header as declared, every value
  castable to its contract type, and the meaning of each file (keys unique and filled, ranges
  with min <= max, grades in the grade vocabulary, months on the first of the month, counts
  not negative, one ``is_synthetic`` value per file). Every row must pass; a release is what
  the public reads. It writes the Data Docs HTML into the release, also when it fails.

GX validates pandas frames read with DuckDB (``duckdb ... .df()``): GX's SQLAlchemy route to
DuckDB is broken upstream. One ephemeral GX context is made per run (creating it and importing
GX are the slow part); nothing is written into the repository and nothing needs the network.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Before GX is imported: no usage analytics, no network.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import duckdb  # noqa: E402
import great_expectations as gx  # noqa: E402
import great_expectations.expectations as gxe  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402
from great_expectations.data_context.types.base import (  # noqa: E402
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)

from civcas.raw_contract import RAW_CONTRACT_PATH, find_project_dir, load_raw_contract  # noqa: E402
from civcas.raw_files import display  # noqa: E402

RAW_SUITE = "civcas_raw"
RELEASE_SUITE = "civcas_release"
DATA_DOCS_SITE = "civcas"
REFERENCE_DIR = Path("seeds") / "reference"
EXPORTS_CONTRACT_PATH = Path("models") / "exports" / "_exports__models.yml"

# Thresholds of the raw gate. dbt quarantines a failing row with its reason, so a few bad rows
# must pass: the demo's deliberately dirty rows fail at most 2.4% of a column (duplicate source
# ids; 1.6% for a format: 1 of 61 conceded figures), the real archive at most 0.05%, the intake
# simulation nothing. A systematic problem (a renamed or shifted column, another date or number
# convention) fails close to 100% of a column. The thresholds sit between the two.
# Identifiers: a row without its id cannot be traced or linked.
RAW_MOSTLY_FILLED = 0.95
# Identifiers repeat in dirty data (exact and conflicting duplicates are quarantined), but a
# table where many rows share ids was loaded twice or keyed on the wrong column.
RAW_MOSTLY_UNIQUE = 0.95
# Formats and vocabularies of filled-in values: dates, figures, coordinates, grades, ...
RAW_MOSTLY_FORMAT = 0.8

# Enough failing values to recognise a pattern without flooding the terminal.
SAMPLE_SIZE = 5

# Release files, in the order a release lists them, and the columns that identify a row.
# Hand-written on purpose: the gate checks the files against what the publication promises,
# not against whatever the models happen to produce (test_gates checks the export YAML agrees).
RELEASE_FILES: dict[str, tuple[str, ...]] = {
    "public_incidents": ("incident_code",),
    "monthly_coalition_vs_russia": ("month", "country_id"),
    "monthly_belligerent_summary": ("month", "belligerent_id", "country_id"),
    "grade_summary": ("month", "belligerent_id", "country_id", "grade_group"),
    "admitted_vs_alleged": ("month", "belligerent_id", "country_id"),
    "monthly_monitor_comparison": ("month", "side"),
}


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class FailedExpectation:
    """One expectation that failed, in words a researcher can act on."""

    table: str
    location: str
    column: str | None
    expectation: str
    observed: str
    fix: str

    def describe(self) -> str:
        if not self.column:
            where = self.location
        else:
            where = f"{self.location}, column{'s' if ', ' in self.column else ''} {self.column}"
        return f"- {where}: {self.expectation}\n    observed: {self.observed}\n    fix: {self.fix}"


@dataclass
class TableResult:
    """The outcome of one table or file."""

    table: str
    location: str
    rows: int | None = None
    evaluated: int = 0
    failures: list[FailedExpectation] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)


@dataclass
class GateReport:
    """The outcome of a gate: per table or file, what was evaluated and what failed."""

    suite: str
    target: str
    tables: list[TableResult] = field(default_factory=list)
    elapsed_seconds: float = 0.0
    data_docs_index: Path | None = None

    @property
    def evaluated(self) -> int:
        return sum(t.evaluated for t in self.tables)

    @property
    def failures(self) -> list[FailedExpectation]:
        return [f for t in self.tables for f in t.failures]

    @property
    def success(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        """One line for a passing gate."""
        rows = ", ".join(f"{t.table} {t.rows:,}" for t in self.tables if t.rows is not None)
        return (f"{self.suite}: OK, {self.evaluated} expectations on {len(self.tables)} tables in "
                f"{self.target} ({rows}) in {self.elapsed_seconds:.1f} s")


class GateFailure(Exception):
    """A gate failed. str() says which suite, where, what was expected, what was seen, what to do."""

    def __init__(self, report: GateReport, note: str = "") -> None:
        self.report = report
        self.note = note
        super().__init__(self._message())

    def _message(self) -> str:
        report = self.report
        failures = report.failures
        lines = [
            f"{report.suite}: gate failed in {report.target}: {len(failures)} of {report.evaluated} "
            f"expectations failed",
            *(failure.describe() for failure in failures),
        ]
        if report.data_docs_index is not None:
            lines.append(f"Data Docs: {display(report.data_docs_index)}")
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)


# --------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class Check:
    """An expectation with the words the gate prints when it fails."""

    expectation: gxe.Expectation
    column: str | None
    says: str
    fix: str


def _check(expectation: gxe.Expectation, column: str | None, says: str, fix: str) -> Check:
    # The notes are shown under the expectation in the Data Docs.
    expectation.notes = f"{says}. If it fails: {fix}"
    return Check(expectation=expectation, column=column, says=says, fix=fix)


def _percent(mostly: float) -> str:
    return f"{mostly:.0%}"


def _any_of(patterns: Iterable[str]) -> str:
    """A case-insensitive regex matching a whole value (surrounding whitespace allowed)."""
    return r"(?i)^\s*(?:" + "|".join(patterns) + r")\s*$"


def _list_of(patterns: Iterable[str], separator: str = r"[;,]") -> str:
    """A case-insensitive regex for a separated list of such values."""
    one = "(?:" + "|".join(patterns) + ")"
    return rf"(?i)^\s*{one}(?:\s*{separator}\s*{one})*\s*$"


def _phrase(text: str) -> str:
    """A vocabulary entry as a regex: words escaped, any run of whitespace between them
    (staging compares trimmed, whitespace-collapsed, lower-cased text)."""
    return r"\s+".join(re.escape(word) for word in text.split())


ISO_DATE = r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
ISO_MONTH = r"\d{4}-(?:0[1-9]|1[0-2])"
COMPACT_DATE = r"\d{4}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
US_DATE = r"(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])/\d{4}"
DAY_MONTH_YY = r"\d{1,2}-[a-z]{3}-\d{2}"
WHOLE_NUMBER = r"^\s*[+-]?\d{1,9}\s*$"
DECIMAL_DEGREES = r"^\s*[+-]?\d{1,4}(?:\.\d+)?\s*$"
DECIMAL_DEGREES_OR_COMMA = r"^\s*[+-]?\d{1,4}(?:[.,]\d+)?\s*$"


@dataclass(frozen=True)
class Vocabularies:
    """The reference vocabularies staging resolves raw text through."""

    codes: Mapping[str, tuple[str, ...]]
    belligerents: tuple[str, ...]
    month_names: tuple[str, ...]
    grade_ids: tuple[str, ...]
    grade_names: tuple[str, ...]
    # (keyword, matches) of ref_belligerent_keywords.csv: the warehouse resolves blame by them too
    belligerent_keywords: tuple[tuple[str, str], ...] = ()

    @classmethod
    def load(cls, project_dir: Path) -> Vocabularies:
        reference = Path(project_dir) / REFERENCE_DIR
        codes: dict[str, list[str]] = {}
        for row in _read_reference(reference / "ref_code_aliases.csv"):
            codes.setdefault(row["code_set"], []).append(row["alias"])
        grades = _read_reference(reference / "ref_grades.csv")
        return cls(
            codes={name: tuple(aliases) for name, aliases in codes.items()},
            belligerents=tuple(row["alias"] for row in _read_reference(reference / "ref_belligerent_aliases.csv")),
            month_names=tuple(row["month_name"] for row in _read_reference(reference / "ref_month_names.csv")),
            grade_ids=tuple(row["grade_id"] for row in grades),
            grade_names=tuple(row["grade_name"] for row in grades),
            belligerent_keywords=tuple(
                (row["keyword"], row["matches"])
                for row in _read_reference(reference / "ref_belligerent_keywords.csv")
            ),
        )

    def code_pattern(self, code_set: str) -> str:
        return _any_of(_phrase(alias) for alias in self.codes[code_set])

    def written_date_pattern(self) -> str:
        names = "|".join(_phrase(name) for name in self.month_names)
        return _any_of([ISO_DATE, rf"\d{{1,2}}\s+(?:{names})\s+\d{{4}}"])

    def belligerent_list_pattern(self) -> str:
        names = [_phrase(alias) for alias in self.belligerents]
        names += [_blame_keyword(keyword, matches) for keyword, matches in self.belligerent_keywords]
        return _list_of(names)


# What the warehouse reads as a gap between words of a blamed name (macros/belligerent_lists.sql,
# blame_words: anything not a letter or digit), short of the list separators.
_BLAME_GAP = r"(?:[^\w;,]|_)"
# Arabic letters the warehouse reads as one (alef forms, ta marbuta and heh, alef maksura and yeh).
_ARABIC_VARIANTS = {"ا": "[اأإآ]", "ه": "[هة]", "ي": "[يى]"}


def _blame_keyword(keyword: str, matches: str) -> str:
    """A keyword rule of ref_belligerent_keywords.csv as a regex for one element of a blame
    list, matching what the warehouse resolves with it: a word_start keyword where a word
    starts with it (after an Arabic article ال), a whole_name keyword as the whole element."""
    words = re.findall(r"[^\W_]+", keyword.casefold())
    def word(text: str) -> str:
        return "".join(_ARABIC_VARIANTS.get(letter, re.escape(letter)) for letter in text)
    body = f"{_BLAME_GAP}+".join(word(w) for w in words)
    if matches == "whole_name":
        return f"{_BLAME_GAP}*{body}{_BLAME_GAP}*"
    return rf"(?:[^;,]*{_BLAME_GAP})?(?:[وفب]?[اأإآ]ل)?{body}[^;,]*"


def _read_reference(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# ----------------------------------------------------------------------- raw suite
#
# What each raw table must satisfy as a whole. Single bad values are left to dbt's quarantine.

RawRule = Callable[[str, Vocabularies], Check]


def filled(mostly: float = RAW_MOSTLY_FILLED) -> RawRule:
    def rule(column: str, _: Vocabularies) -> Check:
        return _check(
            gxe.ExpectColumnValuesToNotBeNull(column=column, mostly=mostly), column,
            "every row has a value" if mostly >= 1 else f"at least {_percent(mostly)} of the rows have a value",
            f"fill in {column}; a column this empty usually means the export left it out or "
            "shifted the columns",
        )
    return rule


def mostly_unique(mostly: float = RAW_MOSTLY_UNIQUE) -> RawRule:
    def rule(column: str, _: Vocabularies) -> Check:
        return _check(
            gxe.ExpectColumnValuesToBeUnique(column=column, mostly=mostly), column,
            f"at least {_percent(mostly)} of the rows have a {column} no other row has",
            "the table looks loaded twice or keyed on the wrong column; remove the repeated rows "
            "(a few duplicates are fine: dbt quarantines them)",
        )
    return rule


def shaped(pattern: Callable[[Vocabularies], str], words: str, fix: str,
           mostly: float = RAW_MOSTLY_FORMAT) -> RawRule:
    def rule(column: str, vocab: Vocabularies) -> Check:
        return _check(
            gxe.ExpectColumnValuesToMatchRegex(column=column, regex=pattern(vocab), mostly=mostly), column,
            f"at least {_percent(mostly)} of the filled-in values are {words}",
            f"{fix}; a few bad values are fine (dbt quarantines those rows), but this many means "
            "the column is in another format or holds another column's values",
        )
    return rule


def vocabulary(code_set: str, mostly: float = RAW_MOSTLY_FORMAT) -> RawRule:
    def rule(column: str, vocab: Vocabularies) -> Check:
        known = ", ".join(vocab.codes[code_set][:12])
        return shaped(
            lambda v: v.code_pattern(code_set),
            f"a known {code_set.replace('_', ' ')} (case and spacing aside)",
            f"write one of: {known}{', ...' if len(vocab.codes[code_set]) > 12 else ''}, or add the new "
            f"spelling to {REFERENCE_DIR / 'ref_code_aliases.csv'} (code_set {code_set})",
            mostly,
        )(column, vocab)
    return rule


def exactly(values: Sequence[str]) -> RawRule:
    def rule(column: str, _: Vocabularies) -> Check:
        return _check(
            gxe.ExpectColumnValuesToBeInSet(column=column, value_set=list(values)), column,
            f"every value is one of {', '.join(values)}",
            f"write exactly {' or '.join(values)}",
        )
    return rule


def iso_date() -> RawRule:
    return shaped(lambda _: _any_of([ISO_DATE]), "a date written YYYY-MM-DD", "write dates as YYYY-MM-DD")


def iso_date_or_month() -> RawRule:
    return shaped(lambda _: _any_of([ISO_DATE, ISO_MONTH]), "a date written YYYY-MM-DD or a month written YYYY-MM",
                  "write dates as YYYY-MM-DD, or YYYY-MM when only the month is known")


def written_date() -> RawRule:
    return shaped(lambda v: v.written_date_pattern(),
                  "a date written YYYY-MM-DD or '<day> <month name> <year>' (English or Arabic month names)",
                  f"write dates as YYYY-MM-DD, or add the month spelling to {REFERENCE_DIR / 'ref_month_names.csv'}")


def statement_date() -> RawRule:
    return shaped(lambda _: _any_of([ISO_DATE, COMPACT_DATE]), "a date written YYYY-MM-DD or YYYYMMDD",
                  "write dates as YYYY-MM-DD")


def strike_date() -> RawRule:
    return shaped(lambda _: _any_of([ISO_DATE, US_DATE, DAY_MONTH_YY]),
                  "a date written YYYY-MM-DD, M/D/YYYY (CENTCOM) or D-Mon-YY (Dutch releases)",
                  "write dates as YYYY-MM-DD")


def whole_number() -> RawRule:
    return shaped(lambda _: WHOLE_NUMBER, "whole numbers", "write figures as digits (e.g. 12), empty when unknown")


def degrees(decimal_comma: bool = False) -> RawRule:
    pattern = DECIMAL_DEGREES_OR_COMMA if decimal_comma else DECIMAL_DEGREES
    return shaped(lambda _: pattern, "decimal degrees", "write coordinates in decimal degrees, e.g. 36.2021")


def belligerent_list() -> RawRule:
    return shaped(lambda v: v.belligerent_list_pattern(),
                  "belligerents named in the alias table (several separated by ';' or ',')",
                  f"use a known spelling, or add the new one to {REFERENCE_DIR / 'ref_belligerent_aliases.csv'}")


@dataclass(frozen=True)
class RawTableRules:
    """Row-count bounds and per-column rules of one raw table."""

    min_rows: int = 0
    max_rows: int | None = None
    columns: Mapping[str, Sequence[RawRule]] = field(default_factory=dict)


FIGURES = ("civilians_killed_min", "civilians_killed_max", "civilians_injured_min", "civilians_injured_max")

RAW_RULES: dict[str, RawTableRules] = {
    "raw_dataset": RawTableRules(min_rows=1, max_rows=1, columns={
        "dataset_id": [filled(1.0)],
        "is_synthetic": [filled(1.0), exactly(["true", "false"])],
    }),
    # Claims name their source: without sources every claim is an orphan.
    "raw_sources": RawTableRules(min_rows=1, columns={
        "source_id": [filled(), mostly_unique()],
        "source_type": [vocabulary("source_type")],
        "is_protected": [vocabulary("boolean")],
    }),
    "raw_claims": RawTableRules(min_rows=1, columns={
        "claim_id": [filled(), mostly_unique()],
        "source_id": [filled()],
        # Not required: the real archive's sources mostly carry no date of their own (linked
        # claims take the incident's date); the format is checked where there is one.
        "date_reported": [written_date()],
        "incident_date": [iso_date_or_month()],
        "incident_date_start": [iso_date()],
        "incident_date_end": [iso_date()],
        "country_as_written": [vocabulary("country")],
        "latitude": [degrees()],
        "longitude": [degrees()],
        "geolocation_precision": [vocabulary("geo_precision")],
        "belligerents_as_written": [belligerent_list()],
        **{figure: [whole_number()] for figure in FIGURES},
    }),
    # The incident tables may be empty: an intake of unlinked claims has no incidents yet.
    "raw_incidents": RawTableRules(columns={
        "incident_code": [filled(), mostly_unique()],
        "incident_date": [filled(), iso_date_or_month()],
        "incident_date_end": [iso_date()],
        "date_precision": [vocabulary("date_precision")],
        "country_as_written": [vocabulary("country")],
        "latitude": [degrees()],
        "longitude": [degrees()],
        "geolocation_precision": [vocabulary("geo_precision")],
        "civilian_harm_reported": [vocabulary("boolean")],
        "first_published": [iso_date()],
    }),
    "raw_incident_belligerents": RawTableRules(columns={
        "incident_code": [filled()],
        "belligerent_as_written": [belligerent_list()],
        "attribution_type": [vocabulary("attribution")],
    }),
    "raw_incident_assessments": RawTableRules(columns={
        "assessment_id": [filled(), mostly_unique()],
        "incident_code": [filled()],
        "assessed_on": [iso_date()],
        "grade": [vocabulary("grade")],
        "strike_status": [vocabulary("strike_status")],
        **{figure: [whole_number()] for figure in (
            *FIGURES, "children_killed_min", "children_killed_max", "women_killed_min", "women_killed_max")},
    }),
    "raw_belligerent_statements": RawTableRules(columns={
        "statement_id": [filled(), mostly_unique()],
        "incident_code": [filled()],
        "belligerent_as_written": [belligerent_list()],
        "verdict": [vocabulary("verdict")],
        "statement_date": [statement_date()],
        **{figure: [whole_number()] for figure in (
            "deaths_conceded_min", "deaths_conceded_max", "injuries_conceded_min", "injuries_conceded_max")},
    }),
    "raw_declared_strikes": RawTableRules(columns={
        "strike_release_id": [filled(), mostly_unique()],
        "strike_date": [filled(), strike_date()],
        "belligerent_as_written": [belligerent_list()],
        "latitude": [degrees(decimal_comma=True)],
        "longitude": [degrees(decimal_comma=True)],
        "strike_count": [whole_number()],
    }),
    # Written by civcas intake, never by hand: empty until a researcher hands in a batch.
    "raw_intake_batches": RawTableRules(columns={
        "batch_id": [filled()],
        "accepted_at": [filled()],
        "accepted_by": [filled()],
        "raw_table": [filled()],
        **{count: [whole_number()] for count in (
            "rows_handed_in", "rows_quarantined_in_preview", "rows_flagged_in_preview")},
    }),
}


def raw_checks(table: str, contract_columns: Sequence[str], frame_columns: Sequence[str],
               rows: RawTableRules, vocab: Vocabularies) -> list[Check]:
    """The expectations of one raw table. Column rules only for columns the frame has: a
    missing column is reported once, by the column-list expectation."""
    checks = [
        _check(
            gxe.ExpectTableColumnsToMatchOrderedList(column_list=list(contract_columns)), None,
            f"the columns are exactly, in order: {', '.join(contract_columns)}",
            f"fix the header to match {RAW_CONTRACT_PATH}",
        ),
        _row_count_check(table, rows.min_rows, rows.max_rows),
    ]
    for column, rules in rows.columns.items():
        if column in frame_columns:
            checks.extend(rule(column, vocab) for rule in rules)
    return checks


def _row_count_check(table: str, min_rows: int, max_rows: int | None) -> Check:
    if max_rows is not None and max_rows == min_rows:
        return _check(gxe.ExpectTableRowCountToEqual(value=min_rows), None,
                      f"the table has exactly {min_rows} row{'s' if min_rows != 1 else ''}",
                      "raw_dataset is the manifest of one dataset: keep exactly one row"
                      if table == "raw_dataset" else f"{table} must have {min_rows} rows")
    says = "the table has at least one row" if min_rows == 1 else f"the table has at least {min_rows} rows"
    fix = (f"{table} is empty (only a header): check the export or import that wrote it"
           if min_rows else "a header is enough")
    return _check(gxe.ExpectTableRowCountToBeBetween(min_value=min_rows, max_value=max_rows), None, says, fix)


# -------------------------------------------------------------------------- GX plumbing


class _Run:
    """One ephemeral GX context for a whole gate run, with an optional Data Docs site."""

    def __init__(self, suite: str, data_docs_build_dir: Path | None) -> None:
        config = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
            analytics_enabled=False,
            progress_bars=ProgressBarsConfig(globally=False),
            data_docs_sites={},
        )
        self.context = gx.get_context(project_config=config, mode="ephemeral")
        self.data_docs_build_dir = data_docs_build_dir
        if data_docs_build_dir is not None:
            self.context.add_data_docs_site(DATA_DOCS_SITE, {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                                  "base_directory": str(data_docs_build_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            })
        self.suite = suite
        self.datasource = self.context.data_sources.add_pandas(suite)

    def validate(self, name: str, frame: pd.DataFrame, checks: Sequence[Check]) -> list[tuple[Check, Any]]:
        """Validate `frame` against `checks`; return each check with its GX result."""
        checks = _without_repeats(checks)
        for index, check in enumerate(checks):
            # Checks are built afresh for each run, so tagging the expectation is safe.
            check.expectation.meta = {**(check.expectation.meta or {}), "civcas_check": index}
        # The whole suite at once: adding expectations one by one re-serialises the suite each time.
        suite = self.context.suites.add(
            gx.ExpectationSuite(name=f"{self.suite}.{name}", expectations=[c.expectation for c in checks]))
        batch = self.datasource.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
        definition = self.context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{self.suite}.{name}", data=batch, suite=suite))
        # BASIC: counts and up to 20 failing values; richer formats cost a third more time.
        result = definition.run(batch_parameters={"dataframe": frame}, result_format="BASIC")
        by_index = {r.expectation_config.meta["civcas_check"]: r for r in result.results}
        return [(check, by_index[index]) for index, check in enumerate(checks)]

    def build_data_docs(self) -> Path | None:
        """Build the Data Docs of every validation of this run; return the site folder."""
        if self.data_docs_build_dir is None:
            return None
        self.context.build_data_docs(site_names=[DATA_DOCS_SITE])
        return self.data_docs_build_dir


def _without_repeats(checks: Sequence[Check]) -> list[Check]:
    """The first of identical expectations (a hand-written rule and a YAML test may agree);
    a GX suite would silently keep only one of them."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for check in checks:
        configuration = check.expectation.configuration
        key = (configuration.type, json.dumps(configuration.kwargs, sort_keys=True, default=str))
        if key not in seen:
            seen.add(key)
            kept.append(check)
    return kept


def _record(result: TableResult, frame: pd.DataFrame, outcomes: Sequence[tuple[Check, Any]]) -> None:
    result.evaluated += len(outcomes)
    for check, outcome in outcomes:
        if not outcome.success:
            result.failures.append(FailedExpectation(
                table=result.table, location=result.location, column=check.column,
                expectation=check.says, observed=_observed(check, outcome, frame), fix=check.fix,
            ))


def _observed(check: Check, outcome: Any, frame: pd.DataFrame) -> str:
    """What GX saw, in words: counts and a sample of failing values with the rows they are on."""
    info = outcome.exception_info or {}
    if isinstance(info, dict) and info.get("raised_exception"):
        return f"the expectation could not be evaluated: {info.get('exception_message')}"
    details = outcome.result or {}
    expectation = check.expectation
    if isinstance(expectation, gxe.ExpectTableColumnsToMatchOrderedList):
        return _column_difference(list(expectation.column_list or []), list(details.get("observed_value") or []))
    if "unexpected_count" not in details:
        return _observed_aggregate(expectation, details.get("observed_value"), frame)
    unexpected = details.get("unexpected_count") or 0
    total = details.get("element_count") or 0
    if isinstance(expectation, gxe.ExpectColumnValuesToNotBeNull):
        rows = _rows(frame[expectation.column].isna())
        return f"{unexpected:,} of {total:,} rows ({_share(unexpected, total)}) are empty, e.g. {rows}"
    missing = details.get("missing_count") or 0
    considered = total - missing
    if hasattr(expectation, "column_A"):
        noun = "rows with both values"
    else:
        noun = "filled-in values" if missing else "rows"
    sample = _sample(expectation, details.get("partial_unexpected_list") or [], frame)
    return (f"{unexpected:,} of {considered:,} {noun} "
            f"({_share(unexpected, considered)}) fail" + (f"; e.g. {sample}" if sample else ""))


def _observed_aggregate(expectation: gxe.Expectation, value: Any, frame: pd.DataFrame) -> str:
    if isinstance(expectation, (gxe.ExpectTableRowCountToEqual, gxe.ExpectTableRowCountToBeBetween)):
        return f"{value:,} row{'s' if value != 1 else ''}" if isinstance(value, int) else repr(value)
    if isinstance(expectation, gxe.ExpectColumnMinToBeBetween) and expectation.min_value is not None:
        column = frame[expectation.column]
        below = column.lt(expectation.min_value).fillna(False).astype(bool)
        sample = ", ".join(f"{_show(v)} ({_rows(below & column.eq(v).fillna(False).astype(bool))})"
                           for v in column[below].drop_duplicates().head(SAMPLE_SIZE))
        count = int(below.sum())
        bound = expectation.min_value
        bound = int(bound) if isinstance(bound, float) and bound.is_integer() else bound
        return (f"the smallest value is {_show(value)}; {count:,} row{'s' if count != 1 else ''} below "
                f"{bound}: {sample}")
    if isinstance(expectation, gxe.ExpectColumnUniqueValueCountToBeBetween):
        distinct = [_show(v) for v in frame[expectation.column].dropna().unique()[:SAMPLE_SIZE]]
        return f"{value} distinct values: {', '.join(distinct)}"
    return repr(value)


def _share(part: int, whole: int) -> str:
    if not whole:
        return "n/a"
    return "<0.1%" if 0 < part / whole < 0.001 else f"{part / whole:.1%}"


def _sample(expectation: gxe.Expectation, values: Sequence[Any], frame: pd.DataFrame) -> str:
    """A few distinct failing values, each with the rows that hold it (GX's BASIC result format
    lists values only; looking the rows up here is cheaper than asking GX for indexes)."""
    shown: list[str] = []
    seen: list[Any] = []
    for value in values:
        if len(shown) == SAMPLE_SIZE:
            break
        if any(_same(value, earlier) for earlier in seen):
            continue
        seen.append(value)
        mask = _rows_holding(expectation, value, frame)
        where = f" ({_rows(mask)})" if mask is not None and mask.any() else ""
        shown.append(_show(_named(expectation, value)) + where)
    return ", ".join(shown)


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) if not isinstance(a, (list, tuple)) else list(map(repr, a)) == list(map(repr, b))
    except (TypeError, ValueError):
        return repr(a) == repr(b)


def _rows_holding(expectation: gxe.Expectation, value: Any, frame: pd.DataFrame) -> pd.Series | None:
    """Which rows of `frame` hold the failing `value` of `expectation`."""
    try:
        if isinstance(value, dict):
            columns = list(value)
            values = list(value.values())
        elif hasattr(expectation, "column_A") and isinstance(value, (list, tuple)) and len(value) == 2:
            columns = [expectation.column_A, expectation.column_B]
            values = list(value)
        elif getattr(expectation, "column", None):
            columns, values = [expectation.column], [value]
        else:
            return None
        mask = pd.Series(True, index=frame.index)
        for column, wanted in zip(columns, values, strict=False):
            mask &= (frame[column] == wanted).fillna(False).astype(bool)
        return mask
    except (KeyError, TypeError, ValueError):
        return None


def _rows(mask: pd.Series, limit: int = 3) -> str:
    """'row 3', 'rows 3, 9, 12 and 4 more': data rows counted from 1, the header not counted."""
    positions = [int(i) + 1 for i in mask.to_numpy().nonzero()[0]]
    if not positions:
        return "no row"
    listed = ", ".join(str(p) for p in positions[:limit])
    more = f" and {len(positions) - limit:,} more" if len(positions) > limit else ""
    return f"row{'s' if len(positions) > 1 else ''} {listed}{more}"


def _named(expectation: gxe.Expectation, value: Any) -> Any:
    """A column pair's failing values named by column, the range's minimum first."""
    if hasattr(expectation, "column_A") and isinstance(value, (list, tuple)) and len(value) == 2:
        return {expectation.column_B: value[1], expectation.column_A: value[0]}
    return value


def _show(value: Any) -> str:
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict)):
        try:
            value = value.item()  # a numpy scalar as Python, so that 3 prints as 3
        except ValueError:
            pass
    if isinstance(value, dict):
        return "(" + ", ".join(f"{k}={_show(v)}" for k, v in value.items()) + ")"
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    return repr(value)


def _column_difference(expected: list[str], observed: list[str]) -> str:
    missing = [c for c in expected if c not in observed]
    extra = [c for c in observed if c not in expected]
    parts = []
    if missing:
        parts.append(f"missing column(s) {', '.join(missing)}")
    if extra:
        parts.append(f"unexpected column(s) {', '.join(extra)}")
    if not parts:
        parts.append(f"columns out of order: {', '.join(observed)}")
    return "; ".join(parts)


def _structural_failure(result: TableResult, says: str, observed: str, fix: str, column: str | None = None) -> None:
    """A problem found before GX could run (file missing, unreadable, wrong storage type)."""
    result.evaluated += 1
    result.failures.append(FailedExpectation(table=result.table, location=result.location, column=column,
                                             expectation=says, observed=observed, fix=fix))


def _publish_data_docs(built: Path | None, data_docs_dir: Path | None) -> Path | None:
    """Copy the Data Docs built in a scratch folder into `data_docs_dir`, replacing an earlier
    build's pages (and only those) so that the index lists this run alone."""
    if built is None or data_docs_dir is None:
        return None
    data_docs_dir = Path(data_docs_dir)
    data_docs_dir.mkdir(parents=True, exist_ok=True)
    for entry in built.iterdir():
        target = data_docs_dir / entry.name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        if entry.is_dir():
            shutil.copytree(entry, target)
        else:
            shutil.copy2(entry, target)
    return data_docs_dir / "index.html"


# --------------------------------------------------------------------------------- raw gate


def validate_raw(raw: str | Path, *, mode: str = "seeds", data_docs_dir: Path | None = None,
                 project_dir: Path | None = None) -> GateReport:
    """Run the raw suite on a raw folder; raise GateFailure when a table is unusable.

    mode ``seeds``: <table>.csv files read as text (the demo); ``files``: <table>.parquet
    files (``civcas import-archive``, ``civcas simulate-intake``).
    """
    if mode not in ("seeds", "files"):
        raise ValueError(f"mode is {mode!r}; use 'seeds' (CSV files) or 'files' (Parquet files)")
    started = time.perf_counter()
    folder = Path(raw)
    project = Path(project_dir) if project_dir else find_project_dir()
    contract = load_raw_contract(project)
    vocab = Vocabularies.load(project)
    report = GateReport(suite=RAW_SUITE, target=display(folder))
    with tempfile.TemporaryDirectory(prefix="civcas-gx-") as scratch:
        run = _Run(RAW_SUITE, Path(scratch) / "data_docs" if data_docs_dir is not None else None)
        for table, columns in contract.items():
            report.tables.append(_validate_raw_table(run, folder, table, columns, mode, vocab))
        report.data_docs_index = _publish_data_docs(run.build_data_docs(), data_docs_dir)
    report.elapsed_seconds = time.perf_counter() - started
    if not report.success:
        raise GateFailure(report, note="dbt quarantines single bad rows; this gate stops the build only "
                                       "when a whole table is unusable (see README, Validation gates).")
    return report


def _validate_raw_table(run: _Run, folder: Path, table: str, columns: Sequence[str], mode: str,
                        vocab: Vocabularies) -> TableResult:
    suffix = ".csv" if mode == "seeds" else ".parquet"
    path = folder / f"{table}{suffix}"
    result = TableResult(table=table, location=display(path))
    if not path.is_file():
        _structural_failure(result, "the file is present", "not found",
                            f"{RAW_CONTRACT_PATH} declares table {table}: write {path.name}")
        return result
    try:
        frame = _read_raw(path, mode, result)
    except duckdb.Error as exc:
        _structural_failure(result, "the file can be read", f"DuckDB could not read it: {exc}",
                            "run `civcas check-raw` for the line and column at fault"
                            if mode == "seeds" else "re-run the import that wrote it")
        return result
    result.rows = len(frame)
    rules = RAW_RULES.get(table, RawTableRules())
    checks = raw_checks(table, columns, list(frame.columns), rules, vocab)
    _record(result, frame, run.validate(table, frame, checks))
    return result


def _read_raw(path: Path, mode: str, result: TableResult) -> pd.DataFrame:
    """The table as text, with blank values as missing (as staging's clean_text treats them)."""
    with duckdb.connect() as con:
        if mode == "seeds":
            relation = con.sql(f"select * from read_csv({_literal(path)}, all_varchar = true, header = true, "
                               "delim = ',', quote = '\"', escape = '\"')")
        else:
            relation = con.sql(f"select * from read_parquet({_literal(path)})")
            for name, kind in zip(relation.columns, relation.types, strict=False):
                if str(kind) != "VARCHAR":
                    _structural_failure(result, "the column is stored as text (VARCHAR)", f"stored as {kind}",
                                        "raw tables keep every value as written: write the column as a string",
                                        column=name)
        blanks = ", ".join(
            f"case when regexp_full_match(cast({_ident(c)} as varchar), '\\s*') then null "
            f"else cast({_ident(c)} as varchar) end as {_ident(c)}"
            for c in relation.columns)
        if not relation.columns:
            return relation.df()
        return relation.query("raw_table", f"select {blanks} from raw_table").df()


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ----------------------------------------------------------------------------- release gate


@dataclass(frozen=True)
class ExportColumn:
    """One column of a release file, as its export contract declares it."""

    name: str
    data_type: str
    tests: tuple[tuple[str, Mapping[str, Any]], ...] = ()


@dataclass(frozen=True)
class ExportContract:
    """A release file: its columns in order and the data tests its YAML declares."""

    file: str
    columns: tuple[ExportColumn, ...]
    tests: tuple[tuple[str, Mapping[str, Any]], ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def yaml_keys(self) -> tuple[str, ...] | None:
        """The key the YAML declares: unique_combination_of_columns, else a unique column."""
        for name, arguments in self.tests:
            if name == "unique_combination_of_columns":
                return tuple(arguments.get("combination_of_columns") or ())
        unique = [c.name for c in self.columns if any(name == "unique" for name, _ in c.tests)]
        return (unique[0],) if len(unique) == 1 else None


def load_export_contracts(project_dir: Path) -> dict[str, ExportContract]:
    """Release file -> contract, from models/exports/_exports__models.yml (models export_<file>)."""
    path = Path(project_dir) / EXPORTS_CONTRACT_PATH
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: export contracts not found; the release gate checks the files "
                                "against them") from None
    contracts: dict[str, ExportContract] = {}
    for model in document.get("models") or []:
        name = str(model.get("name", ""))
        if not name.startswith("export_"):
            continue
        model_tests, column_tests = _expand_table_checks(_tests(model.get("data_tests") or model.get("tests") or []))
        columns = tuple(
            ExportColumn(name=str(c["name"]), data_type=str(c.get("data_type") or "varchar").lower(),
                         tests=_tests(c.get("data_tests") or c.get("tests") or [])
                         + tuple(column_tests.get(str(c["name"]), ())))
            for c in model.get("columns") or [])
        file = name[len("export_"):]
        contracts[file] = ExportContract(file=file, columns=columns, tests=model_tests)
    if not contracts:
        raise ValueError(f"{path}: declares no export_<file> models")
    return contracts


def _expand_table_checks(
    tests: Iterable[tuple[str, Mapping[str, Any]]],
) -> tuple[tuple[tuple[str, Mapping[str, Any]], ...], dict[str, list[tuple[str, Mapping[str, Any]]]]]:
    """table_checks (tests/generic/table_checks.sql) holds a table's tests in one query; on a file
    they are the tests it stands for: (model-level tests, column -> column-level tests)."""
    model_tests: list[tuple[str, Mapping[str, Any]]] = []
    column_tests: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
    for name, arguments in tests:
        if name != "table_checks":
            model_tests.append((name, arguments))
            continue
        for column in arguments.get("not_null") or []:
            column_tests.setdefault(str(column), []).append(("not_null", {}))
        for column in arguments.get("unique") or []:
            column_tests.setdefault(str(column), []).append(("unique", {}))
        for column in arguments.get("not_negative") or []:
            column_tests.setdefault(str(column), []).append(("not_negative", {}))
        for column, values in (arguments.get("accepted_values") or {}).items():
            column_tests.setdefault(str(column), []).append(("accepted_values", {"values": values}))
        for column, (low, high) in (arguments.get("value_between") or {}).items():
            column_tests.setdefault(str(column), []).append(("value_between", {"min_value": low, "max_value": high}))
        for columns in arguments.get("unique_combination") or []:
            model_tests.append(("unique_combination_of_columns", {"combination_of_columns": list(columns)}))
        for low, high in arguments.get("min_not_above_max") or []:
            model_tests.append(("min_not_above_max", {"min_column": low, "max_column": high}))
    return tuple(model_tests), column_tests


def _tests(entries: Iterable[Any]) -> tuple[tuple[str, Mapping[str, Any]], ...]:
    """dbt data tests as (name, arguments); both `arguments:` and the older flat form."""
    tests = []
    for entry in entries:
        if isinstance(entry, str):
            tests.append((entry, {}))
        elif isinstance(entry, dict) and len(entry) == 1:
            name, body = next(iter(entry.items()))
            body = body or {}
            arguments = body.get("arguments", body) if isinstance(body, dict) else {}
            tests.append((str(name), arguments))
    return tuple(tests)


def _type_family(data_type: str) -> str:
    """integer, number, date, timestamp, boolean or text."""
    kind = data_type.split("(")[0].strip()
    if kind in ("integer", "int", "bigint", "smallint", "tinyint", "hugeint", "int4", "int8", "ubigint", "uinteger"):
        return "integer"
    if kind in ("double", "float", "real", "decimal", "numeric", "float8", "float4"):
        return "number"
    if kind == "date":
        return "date"
    if kind.startswith("timestamp"):
        return "timestamp"
    if kind in ("boolean", "bool"):
        return "boolean"
    return "text"


INTEGER_TEXT = r"^-?\d+$"
NUMBER_TEXT = r"^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$"
TIMESTAMP_TEXT = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:?\d{2}|Z)?$"
FIRST_OF_MONTH = r"^\d{4}-\d{2}-01$"


def release_text_checks(contract: ExportContract) -> list[Check]:
    """The file as written: header, and every value castable to its contract type."""
    where = f"the export contract of {contract.file} ({EXPORTS_CONTRACT_PATH})"
    checks = [
        _check(gxe.ExpectTableColumnsToMatchOrderedList(column_list=contract.column_names), None,
               f"the header has the {len(contract.column_names)} columns of {where}, in order",
               f"write the header {', '.join(contract.column_names)}; a header is needed even when the "
               "file has no rows"),
        _check(gxe.ExpectTableRowCountToBeBetween(min_value=0), None, "the file can be read (rows counted)",
               "rewrite the file as CSV with a header row"),
    ]
    for column in contract.columns:
        family = _type_family(column.data_type)
        says = f"every value can be read as {column.data_type}"
        fix = (f"write {column.data_type} values as the release writer does ({_format_hint(family)}), "
               f"as {where} declares")
        if family == "date":
            checks.append(_check(
                gxe.ExpectColumnValuesToMatchStrftimeFormat(column=column.name, strftime_format="%Y-%m-%d"),
                column.name, says, fix))
        elif family in ("integer", "number", "timestamp"):
            pattern = {"integer": INTEGER_TEXT, "number": NUMBER_TEXT, "timestamp": TIMESTAMP_TEXT}[family]
            checks.append(_check(gxe.ExpectColumnValuesToMatchRegex(column=column.name, regex=pattern),
                                 column.name, says, fix))
        elif family == "boolean":
            checks.append(_check(gxe.ExpectColumnValuesToBeInSet(column=column.name, value_set=["true", "false"]),
                                 column.name, says, fix))
    return checks


def _format_hint(family: str) -> str:
    return {"date": "YYYY-MM-DD", "integer": "digits, e.g. 12", "number": "e.g. 0.25",
            "timestamp": "ISO 8601", "boolean": "true or false"}.get(family, "text")


def release_checks(contract: ExportContract, keys: Sequence[str], vocab: Vocabularies,
                   filled_columns: Iterable[str] | None = None) -> list[Check]:
    """What a release file means: keys, ranges, vocabularies, months, counts, is_synthetic.

    Hand-written rules by column meaning, plus every data test the export YAML declares, so that
    the file the public reads is held to the same promises as the table it came from.
    """
    columns = {c.name: c for c in contract.columns}
    # Columns holding at least one value (default: all of them).
    filled = set(columns if filled_columns is None else filled_columns)
    checks: list[Check] = []
    checks.extend(_key_checks(contract.file, keys))
    checks.extend(_range_checks(contract, columns))
    for column in contract.columns:
        checks.extend(_column_meaning_checks(column, vocab, filled))
        checks.extend(_declared_column_checks(column, keys))
    return checks


def _key_checks(file: str, keys: Sequence[str]) -> list[Check]:
    fix = f"each row of {file} must have its own {', '.join(keys)}; check the export model's grain"
    checks = [_check(gxe.ExpectColumnValuesToNotBeNull(column=key), key,
                     "every row has a value (part of the key)", fix)
              for key in keys]
    if len(keys) == 1:
        checks.append(_check(gxe.ExpectColumnValuesToBeUnique(column=keys[0]), keys[0],
                             "no two rows have the same value (the key)", fix))
    elif keys:
        checks.append(_check(gxe.ExpectCompoundColumnsToBeUnique(column_list=list(keys)), ", ".join(keys),
                             f"no two rows have the same ({', '.join(keys)}) (the key)", fix))
    return checks


def _range_checks(contract: ExportContract, columns: Mapping[str, ExportColumn]) -> list[Check]:
    """min <= max for every <stem>_min/<stem>_max pair and every min_not_above_max the YAML declares."""
    pairs = [(name, name[:-len("_min")] + "_max") for name in columns
             if name.endswith("_min") and name[:-len("_min")] + "_max" in columns]
    for name, arguments in contract.tests:
        pair = (arguments.get("min_column"), arguments.get("max_column"))
        if name == "min_not_above_max" and pair not in pairs and all(c in columns for c in pair):
            pairs.append(pair)
    return [
        _check(gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A=high, column_B=low, or_equal=True,
                                                           ignore_row_if="either_value_is_missing"),
               f"{low}, {high}", f"{low} <= {high} on every row (a range's minimum is never above its maximum)",
               "a range's minimum is above its maximum: fix the model that computes it, never the CSV")
        for low, high in pairs
    ]


def _is_signed(name: str) -> bool:
    """Differences and gaps may be negative; every other count or figure may not."""
    return "_minus_" in name or name.endswith("_difference") or name.startswith("difference")


def _column_meaning_checks(column: ExportColumn, vocab: Vocabularies, filled: Container[str]) -> list[Check]:
    family = _type_family(column.data_type)
    name = column.name
    checks: list[Check] = []
    if family == "integer" and not _is_signed(name):
        says = "no value is negative (a count or a casualty figure)"
        fix = "a count or figure is below zero: fix the model that computes it"
        if name in filled:
            # The column minimum, not a per-value check: a quarter of the cost on files with dozens
            # of count columns; the failing rows are looked up for the message (_observed_aggregate).
            checks.append(_check(gxe.ExpectColumnMinToBeBetween(column=name, min_value=0), name, says, fix))
        else:
            # An empty column has no minimum; per value, nothing fails.
            checks.append(_check(gxe.ExpectColumnValuesToBeBetween(column=name, min_value=0), name, says, fix))
    if family == "date" and (name == "month" or name.endswith("_month")):
        checks.append(_check(gxe.ExpectColumnValuesToMatchRegex(column=name, regex=FIRST_OF_MONTH), name,
                             "every month is the first day of its month (YYYY-MM-01)",
                             "months are written as their first day; bucket with date_trunc('month', ...)"))
    grades = _grade_vocabulary(name, vocab)
    if grades is not None:
        checks.append(_check(gxe.ExpectColumnValuesToBeInSet(column=name, value_set=list(grades)), name,
                             f"every value is in the grade vocabulary: {', '.join(grades)}",
                             f"grades come from {REFERENCE_DIR / 'ref_grades.csv'}; an unknown grade must "
                             "not be published"))
    if name == "is_synthetic":
        checks.append(_check(gxe.ExpectColumnValuesToNotBeNull(column=name), name,
                             "every row says whether it is synthetic",
                             "is_synthetic comes from dim_datasets; it is never empty"))
        checks.append(_check(gxe.ExpectColumnUniqueValueCountToBeBetween(column=name, min_value=0, max_value=1), name,
                             "one is_synthetic value across the file",
                             "a file mixes synthetic and real rows: build the release from one dataset"))
    return checks


def _grade_vocabulary(name: str, vocab: Vocabularies) -> tuple[str, ...] | None:
    if name == "grade_group":
        return (*vocab.grade_ids, "ungraded")
    if name == "grade_group_name":
        return (*vocab.grade_names, "Ungraded")
    if name.endswith("grade_id"):
        return vocab.grade_ids
    if name.endswith("grade_name"):
        return vocab.grade_names
    return None


def _declared_column_checks(column: ExportColumn, keys: Sequence[str]) -> list[Check]:
    """The column's own YAML data tests, on the file."""
    checks: list[Check] = []
    name = column.name
    fix = f"the export model breaks its own data test; fix the model ({EXPORTS_CONTRACT_PATH})"
    for test, arguments in column.tests:
        if test == "not_null" and name not in keys:
            checks.append(_check(gxe.ExpectColumnValuesToNotBeNull(column=name), name, "every row has a value", fix))
        elif test == "unique" and tuple(keys) != (name,):
            checks.append(_check(gxe.ExpectColumnValuesToBeUnique(column=name), name,
                                 "no two rows share a value", fix))
        elif test == "accepted_values":
            values = [str(v) for v in arguments.get("values") or []]
            checks.append(_check(gxe.ExpectColumnValuesToBeInSet(column=name, value_set=values), name,
                                 f"every value is one of: {', '.join(values)}", fix))
        elif test == "not_negative" and _is_signed(name):
            # other integer columns are already held non-negative by _column_meaning_checks
            checks.append(_check(gxe.ExpectColumnValuesToBeBetween(column=name, min_value=0), name,
                                 "no value is negative", fix))
        elif test == "value_between":
            checks.append(_check(gxe.ExpectColumnValuesToBeBetween(
                column=name, min_value=arguments.get("min_value"), max_value=arguments.get("max_value")), name,
                f"every value lies between {arguments.get('min_value')} and {arguments.get('max_value')}", fix))
    return checks


def validate_release_files(release_dir: Path, data_docs_dir: Path, *, project_dir: Path | None = None) -> GateReport:
    """Run the release suite on release_dir/csv/<file>.csv; write the Data Docs into data_docs_dir.

    Raises GateFailure (after writing the Data Docs) when any file breaks an expectation.
    """
    started = time.perf_counter()
    release_dir = Path(release_dir)
    project = Path(project_dir) if project_dir else find_project_dir()
    contracts = load_export_contracts(project)
    vocab = Vocabularies.load(project)
    report = GateReport(suite=RELEASE_SUITE, target=display(release_dir))
    with tempfile.TemporaryDirectory(prefix="civcas-gx-") as scratch:
        run = _Run(RELEASE_SUITE, Path(scratch) / "data_docs")
        for contract in contracts.values():
            report.tables.append(_validate_release_file(run, release_dir, contract, vocab))
        report.tables.extend(_undeclared_release_files(release_dir, contracts))
        report.data_docs_index = _publish_data_docs(run.build_data_docs(), data_docs_dir)
    report.elapsed_seconds = time.perf_counter() - started
    if not report.success:
        raise GateFailure(report, note="Nothing was published. Fix the export models and rebuild; never edit "
                                       "the CSV files by hand.")
    return report


def _undeclared_release_files(release_dir: Path, contracts: Mapping[str, ExportContract]) -> list[TableResult]:
    """CSV files no export declares: nothing would check them, so they must not be published."""
    results = []
    for path in sorted((release_dir / "csv").glob("*.csv")):
        if path.stem not in contracts:
            result = TableResult(table=path.stem, location=f"csv/{path.name}")
            _structural_failure(result, "the file is declared by an export model", "no export_" + path.stem,
                                f"remove it, or declare export_{path.stem} in {EXPORTS_CONTRACT_PATH}")
            results.append(result)
    return results


def _validate_release_file(run: _Run, release_dir: Path, contract: ExportContract,
                           vocab: Vocabularies) -> TableResult:
    relative = f"csv/{contract.file}.csv"
    path = release_dir / relative
    result = TableResult(table=contract.file, location=relative)
    keys = RELEASE_FILES.get(contract.file) or contract.yaml_keys()
    if not keys:
        _structural_failure(result, "the file has a declared key", "no key known",
                            f"add {contract.file} and its key columns to RELEASE_FILES in civcas/gates.py, or a "
                            f"unique_combination_of_columns test to {EXPORTS_CONTRACT_PATH}")
    if not path.is_file():
        _structural_failure(result, "the file is present", "not found",
                            f"the release writes every export of {EXPORTS_CONTRACT_PATH}; {relative} is missing")
        return result
    if not path.read_bytes().strip():
        _structural_failure(result, "the file has a header row", "the file is empty",
                            f"write the header ({', '.join(contract.column_names)}) even when there are no rows")
        return result
    try:
        with duckdb.connect() as con:
            text = con.sql(f"select * from read_csv({_literal(path)}, all_varchar = true, header = true, "
                           "delim = ',', quote = '\"', escape = '\"')").df()
    except duckdb.Error as exc:
        _structural_failure(result, "the file can be read as CSV", f"DuckDB could not read it: {exc}",
                            "rewrite the file as UTF-8 CSV with one header row")
        return result
    result.rows = len(text)
    _record(result, text, run.validate(f"{contract.file}.as_written", text, release_text_checks(contract)))
    if list(text.columns) != contract.column_names:
        # The meaning checks need the declared columns; the header failure says what to fix first.
        return result
    # Values that do not cast are reported above and count as missing below, so that one run
    # reports every problem of the file.
    typed = _typed(text, contract)
    filled = [name for name in typed.columns if typed[name].notna().any()]
    _record(result, typed, run.validate(contract.file, typed, release_checks(contract, keys or (), vocab, filled)))
    return result


def _typed(text: pd.DataFrame, contract: ExportContract) -> pd.DataFrame:
    """Cast the text columns as the contract says; a value that does not cast becomes missing
    (the as-written suite reports it). Dates stay ISO text: the as-written suite parsed them."""
    typed = text.copy()
    for column in contract.columns:
        family = _type_family(column.data_type)
        if family == "integer":
            numbers = pd.to_numeric(text[column.name], errors="coerce")
            typed[column.name] = numbers.where(numbers == numbers.round()).astype("Int64")
        elif family == "number":
            typed[column.name] = pd.to_numeric(text[column.name], errors="coerce").astype("float64")
        elif family == "boolean":
            typed[column.name] = text[column.name].map({"true": True, "false": False}).astype("boolean")
    return typed
