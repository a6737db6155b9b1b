"""Do the suggested grades agree with the archive's assessors? (``civcas evaluate-grades``).

The warehouse suggests a grade for every clean incident (``int_incident_grades_suggested``,
the one ordered rule list of ``macros/grading.sql``), without reading the assessor's grade
or strike status. This module builds those models on the real Airwars archive (files mode,
the Parquet files of ``civcas import-archive``, into a DuckDB file of its own) and compares
each suggestion with the assessor's grade (``int_incident_grades_selected``), separately for

- **calibration**: incidents dated up to 2018, on which the thresholds are chosen, and
- **report**: incidents dated 2019 onward, never used to choose anything.

For each period: the confusion matrix (rows: the assessor's grade; columns: the suggestion,
``none`` when the rules suggest nothing), per-grade recall, Cohen's kappa (``none`` is a
column of its own, so an incident left without a suggestion counts as a disagreement), the
agreement and the share left without a suggestion, plus how many suggestions each rule made.
Incidents no assessor graded, and incidents without a date, are left out and counted.

``--calibrate`` searches a small grid: for each activity window (a var the activity models
read, so they are rebuilt per window), one query scores every combination of the other
thresholds, rendered by dbt from the same macro with its ``overrides`` argument. The best
kappa on the calibration period wins; ties go to the first setting in grid order. The
report period's kappa of each setting is printed beside it but never used to choose.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from civcas.evaluation import NO_GRADE, cohens_kappa, confusion_matrix, per_class_recall

# The assessor's grades, in the order of ref_grades, and the suggestion's "nothing".
GRADE_LABELS = ("confirmed", "fair", "weak", "contested", "discounted")
LABELS = (*GRADE_LABELS, NO_GRADE)
LAST_CALIBRATION_YEAR = 2018
PERIODS = ("calibration", "report")
DBT_SELECTION = ("+int_incident_grades_suggested", "+int_incident_grades_selected")
ACTIVITY_MODELS = ("int_belligerent_activity_daily", "int_grading_activity_nearby", "int_incident_grades_suggested")

WINDOW_VAR = "civcas_grade_activity_window_days"
GRID: dict[str, tuple] = {
    WINDOW_VAR: (7, 14, 30, 60, 90),
    "civcas_grade_fair_min_activity": (1, 2, 3, 5, 10),
    "civcas_grade_contested_min_co_activity": (None, 1, 3, 10, 30),
}


# Not calibrated: DOMAIN.md defines Weak as a single source and Fair as two or more, and the
# calibration period (<= 2018) has parsed sources for only about a fifth of its incidents.
FIXED_SOURCES_VAR = "civcas_grade_fair_min_sources"


class GradeEvaluationError(RuntimeError):
    """The evaluation could not run; the message says what to fix."""


@dataclass(frozen=True)
class GradeEvaluationPaths:
    raw: Path          # the archive's raw Parquet files (civcas import-archive)
    duckdb_path: Path  # the evaluation's own warehouse file
    report: Path       # <report>.json and <report>.txt are written


# --------------------------------------------------------------------------- scoring (pure)


def period_of(year: int | None) -> str | None:
    """calibration up to LAST_CALIBRATION_YEAR, report after it; None without a date."""
    if year is None:
        return None
    return "calibration" if year <= LAST_CALIBRATION_YEAR else "report"


def score(true: Sequence[str], suggested: Sequence[str | None]) -> dict:
    """Confusion matrix, per-grade recall, kappa, agreement and no-suggestion share of one period.

    `true` holds assessors' grades (GRADE_LABELS); `suggested` the suggestions, None or
    NO_GRADE for none. Kappa counts "none" as a category of its own.
    """
    predicted = [NO_GRADE if s is None else s for s in suggested]
    n = len(true)
    matrix = confusion_matrix(true, predicted, LABELS)
    recall = per_class_recall(true, predicted, LABELS)
    agreed = sum(matrix[k][k] for k in range(len(LABELS)))
    return {
        "incidents": n,
        "labels": list(LABELS),
        "confusion_matrix": matrix,
        "per_grade_recall": {label: recall[label] for label in GRADE_LABELS},
        "cohens_kappa": cohens_kappa(true, predicted, LABELS),
        "agreement": agreed / n if n else None,
        "no_suggestion_share": predicted.count(NO_GRADE) / n if n else None,
    }


def score_rows(rows: Sequence[tuple[int | None, str | None, str | None]]) -> dict:
    """rows of (year, assessor's grade, suggestion) -> a score per period and what was left out."""
    by_period: dict[str, tuple[list[str], list[str | None]]] = {p: ([], []) for p in PERIODS}
    left_out = Counter()
    for year, grade, suggestion in rows:
        period = period_of(year)
        if grade is None:
            left_out["ungraded"] += 1
        elif period is None:
            left_out["undated"] += 1
        else:
            by_period[period][0].append(grade)
            by_period[period][1].append(suggestion)
    return {
        "periods": {p: score(*by_period[p]) for p in PERIODS},
        "left_out": dict(sorted(left_out.items())),
    }


def _number(value: float | None, digits: int = 3) -> str:
    return "undefined" if value is None else f"{value:.{digits}f}"


def format_report(report: Mapping) -> str:
    """The evaluation as plain text: the kappa table, then each period's matrix and recall."""
    periods = report["periods"]
    lines = ["Grade suggestions against the archive's assessors", ""]
    lines.append(f"{'period':<34}{'incidents':>10}{'kappa':>8}{'agreement':>11}{'no suggestion':>15}")
    for name in PERIODS:
        p = periods[name]
        label = f"{name} ({'<=' if name == 'calibration' else '>='}"
        label += f"{LAST_CALIBRATION_YEAR if name == 'calibration' else LAST_CALIBRATION_YEAR + 1})"
        lines.append(f"{label:<34}{p['incidents']:>10,}{_number(p['cohens_kappa']):>8}"
                     f"{_number(p['agreement']):>11}{_number(p['no_suggestion_share']):>15}")
    for name in PERIODS:
        p = periods[name]
        lines += ["", f"{name}: confusion matrix (rows: assessor, columns: suggestion)"]
        lines.append(f"{'':<12}" + "".join(f"{label:>11}" for label in p["labels"]) + f"{'recall':>9}")
        for label, row in zip(p["labels"], p["confusion_matrix"], strict=False):
            if label == NO_GRADE:
                continue
            lines.append(f"{label:<12}" + "".join(f"{v:>11,}" for v in row)
                         + f"{_number(p['per_grade_recall'].get(label)):>9}")
    if report.get("claims_only_blame"):
        lines += ["", "the same rules with the blame of the linked claims only (not the register's attributions):"]
        for name in PERIODS:
            p = report["claims_only_blame"][name]
            lines.append(f"  {name:<12} kappa {_number(p['cohens_kappa'])}, agreement {_number(p['agreement'])}, "
                         f"no suggestion {_number(p['no_suggestion_share'])}")
    if report.get("rules"):
        lines += ["", "suggestions by rule (all dated, graded incidents): "
                  + ", ".join(f"{rule} {n:,}" for rule, n in report["rules"].items())]
    if report.get("left_out"):
        lines.append("left out: " + ", ".join(f"{k} {v:,}" for k, v in report["left_out"].items()))
    if report.get("settings"):
        lines.append("settings: " + ", ".join(f"{k}={v}" for k, v in report["settings"].items()))
    return "\n".join(lines) + "\n"


def write_report(path: Path, report: Mapping) -> tuple[Path, Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    json_path, text_path = path.with_suffix(".json"), path.with_suffix(".txt")
    json_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    text_path.write_text(format_report(report), encoding="utf-8")
    return json_path, text_path


# --------------------------------------------------------------------------- dbt and the warehouse


def _dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def _dbt(project_dir: Path, paths: GradeEvaluationPaths, arguments: Sequence[str],
         variables: Mapping[str, object]) -> str:
    target = paths.duckdb_path.parent / "target_grades"
    command = [
        _dbt_executable(), *arguments, "--project-dir", str(project_dir), "--profiles-dir", str(project_dir),
        "--target-path", str(target), "--log-path", str(target / "logs"), "--quiet",
        "--vars", json.dumps({"civcas_raw_source": "files", "civcas_raw_path": str(paths.raw.resolve()),
                              **variables}),
    ]
    environment = dict(os.environ, CIVCAS_DUCKDB_PATH=str(paths.duckdb_path.resolve()), DO_NOT_TRACK="1")
    finished = subprocess.run(command, cwd=project_dir, env=environment, capture_output=True, text=True,
                              check=False)
    if finished.returncode != 0:
        detail = (finished.stdout + finished.stderr).strip()[-3000:]
        raise GradeEvaluationError(f"dbt {arguments[0]} failed (exit {finished.returncode}):\n{detail}")
    return finished.stdout


def build_warehouse(project_dir: Path, paths: GradeEvaluationPaths, say: Callable[[str], None]) -> None:
    """dbt build (models only, full refresh) of the suggestion and its upstream on the archive."""
    if not (paths.raw / "raw_incidents.parquet").exists():
        raise GradeEvaluationError(f"{paths.raw} holds no raw_incidents.parquet; run `make import-archive` "
                                   "(or `civcas import-archive --out <folder>`) first")
    paths.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    say(f"building the grading models on {paths.raw} into {paths.duckdb_path}")
    _dbt(project_dir, paths, ["build", "--select", *DBT_SELECTION, "--exclude-resource-type", "test",
                              "unit_test", "--full-refresh"], {})


_ROWS_SQL = """
select
    year(incidents.incident_date) as incident_year,
    grades.grade_id,
    {columns}
from ({suggestions}) as suggestions
inner join intermediate.int_incidents_validated as incidents
    on suggestions.incident_code = incidents.incident_code
left join intermediate.int_incident_grades_selected as grades
    on suggestions.incident_code = grades.incident_code
"""


def read_rows(duckdb_path: Path) -> tuple[list[tuple], Counter]:
    """(year, assessor's grade, suggestion) per clean incident, and the suggestions by rule."""
    sql = _ROWS_SQL.format(columns="suggestions.suggested_grade_id, suggestions.suggestion_rule",
                           suggestions="select * from intermediate.int_incident_grades_suggested")
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        rows = connection.execute(sql).fetchall()
    rules = Counter(rule for year, grade, _, rule in rows if grade is not None and year is not None)
    return [row[:3] for row in rows], rules


# The same rules (the same macro) with the blame taken from the linked claims only, not from
# the register's attributions (which, in the archive, are Airwars' own belligerent rows): what
# a candidate incident, known only from its claims, can be told.
_CLAIMS_ONLY_BLAME = """
select incident_code, {{ suggested_grade_id() }} as suggested_grade_id
from (
    select
        suggestions.* replace (
            coalesce(claim_blame.known_belligerent_count, 0) as known_belligerent_count,
            coalesce(claim_blame.is_ground_forces_blamed, false) as is_ground_forces_blamed,
            coalesce(claim_blame.is_unknown_blamed, false) as is_unknown_blamed
        )
    from {{ ref('int_incident_grades_suggested') }} as suggestions
    left join (
        select
            claims.linked_incident_code as incident_code,
            count(distinct case when blamed.belligerent_id <> 'unknown' then blamed.belligerent_id end)
                as known_belligerent_count,
            bool_or(blamed.belligerent_id = 'ground_forces') as is_ground_forces_blamed,
            bool_or(blamed.belligerent_id = 'unknown') as is_unknown_blamed
        from {{ ref('int_claims_validated') }} as claims
        inner join {{ ref('int_claim_belligerents_resolved') }} as blamed
            on claims.raw_row_key = blamed.raw_row_key
        where not claims.is_quarantined and claims.linked_incident_code is not null
        group by claims.linked_incident_code
    ) as claim_blame
        on suggestions.incident_code = claim_blame.incident_code
)
"""


def score_claims_only_blame(project_dir: Path, paths: GradeEvaluationPaths) -> dict:
    """Kappa and agreement per period when the rules see only the claims' blame."""
    compiled = _dbt(project_dir, paths, ["compile", "--inline", _CLAIMS_ONLY_BLAME], {})
    sql = _ROWS_SQL.format(columns="suggestions.suggested_grade_id", suggestions=compiled.strip().rstrip(";"))
    with duckdb.connect(str(paths.duckdb_path), read_only=True) as connection:
        rows = connection.execute(sql).fetchall()
    periods = score_rows(rows)["periods"]
    return {name: {key: periods[name][key] for key in ("cohens_kappa", "agreement", "no_suggestion_share")}
            for name in PERIODS}


def evaluate_grades(project_dir: Path, paths: GradeEvaluationPaths, *, skip_build: bool = False,
                    say: Callable[[str], None] = lambda _: None) -> dict:
    if not skip_build:
        build_warehouse(project_dir, paths, say)
    elif not paths.duckdb_path.exists():
        raise GradeEvaluationError(f"{paths.duckdb_path} does not exist; run without --skip-build")
    rows, rules = read_rows(paths.duckdb_path)
    report = score_rows(rows)
    say("scoring the same rules with the blame of the claims only")
    report["claims_only_blame"] = score_claims_only_blame(project_dir, paths)
    report["rules"] = dict(rules.most_common())
    report["settings"] = current_settings(project_dir)
    report["warehouse"] = str(paths.duckdb_path)
    return report


def current_settings(project_dir: Path) -> dict:
    """The grading vars as dbt_project.yml sets them."""
    import yaml

    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    return {name: project["vars"].get(name) for name in (*GRID, FIXED_SOURCES_VAR)}


# --------------------------------------------------------------------------- calibration


def grid_settings(grid: Mapping[str, Sequence] = GRID) -> list[dict]:
    """Every combination of the thresholds other than the window, in grid order."""
    names = [name for name in grid if name != WINDOW_VAR]
    return [dict(zip(names, values, strict=False)) for values in itertools.product(*(grid[n] for n in names))]


def _calibration_sql(settings: Sequence[Mapping]) -> str:
    """Jinja that dbt compiles into one query: per incident, the suggestion under each setting."""
    columns = ",\n".join(
        f"{{{{ suggested_grade_id({json.dumps(dict(s))}) }}}} as s{k}" for k, s in enumerate(settings)
    ).replace("null", "none")
    return f"select incident_code,\n{columns}\nfrom {{{{ ref('int_incident_grades_suggested') }}}}"


def best_setting(results: Sequence[Mapping]) -> Mapping:
    """The highest calibration kappa; ties go to the first in grid order."""
    def kappa(result: Mapping) -> float:
        return -1.0 if result["calibration_kappa"] is None else result["calibration_kappa"]

    best = results[0]
    for result in results[1:]:
        if kappa(result) > kappa(best):
            best = result
    return best


def calibrate(project_dir: Path, paths: GradeEvaluationPaths, *, grid: Mapping[str, Sequence] = GRID,
              say: Callable[[str], None] = lambda _: None) -> list[dict]:
    """Score every setting of the grid on both periods (choose on calibration only)."""
    settings = grid_settings(grid)
    results: list[dict] = []
    for window in grid[WINDOW_VAR]:
        say(f"window ±{window} days: rebuilding the activity models, scoring {len(settings)} settings")
        _dbt(project_dir, paths, ["run", "--select", *ACTIVITY_MODELS], {WINDOW_VAR: window})
        compiled = _dbt(project_dir, paths, ["compile", "--inline", _calibration_sql(settings)],
                        {WINDOW_VAR: window})
        with duckdb.connect(str(paths.duckdb_path), read_only=True) as connection:
            frame = connection.execute(_ROWS_SQL.format(
                columns="suggestions.*", suggestions=compiled.strip().rstrip(";"))).fetchall()
            names = [d[0] for d in connection.description]
        year_at, grade_at = names.index("incident_year"), names.index("grade_id")
        for k, setting in enumerate(settings):
            column = names.index(f"s{k}")
            scored = score_rows([(row[year_at], row[grade_at], row[column]) for row in frame])["periods"]
            results.append({
                "settings": {WINDOW_VAR: window, **setting},
                "calibration_kappa": scored["calibration"]["cohens_kappa"],
                "calibration_agreement": scored["calibration"]["agreement"],
                "report_kappa": scored["report"]["cohens_kappa"],
                "report_agreement": scored["report"]["agreement"],
                "report_no_suggestion_share": scored["report"]["no_suggestion_share"],
            })
    say("rebuilding the activity models with the project's own vars")
    _dbt(project_dir, paths, ["run", "--select", *ACTIVITY_MODELS], {})
    return results


def format_calibration(results: Sequence[Mapping], top: int = 10) -> str:
    ranked = sorted(results, key=lambda r: -(-1.0 if r["calibration_kappa"] is None else r["calibration_kappa"]))
    lines = [f"calibration on incidents dated <= {LAST_CALIBRATION_YEAR}: {len(results)} settings; best first",
             f"{'window':>7}{'min act.':>9}{'co':>6}{'kappa<=2018':>13}{'kappa>=2019':>13}"]
    for r in ranked[:top]:
        s = r["settings"]
        lines.append(f"{s[WINDOW_VAR]:>7}{s['civcas_grade_fair_min_activity']:>9}"
                     f"{s['civcas_grade_contested_min_co_activity']!s:>6}"
                     f"{_number(r['calibration_kappa']):>13}{_number(r['report_kappa']):>13}")
    best = best_setting(results)
    lines.append("best (set these vars in dbt_project.yml): "
                 + ", ".join(f"{k}: {'null' if v is None else v}" for k, v in best["settings"].items()))
    return "\n".join(lines) + "\n"
