"""The intake-triage evaluation (``civcas evaluate-linking``): the warehouse against the truth.

It runs the warehouse on simulated intake claims (``civcas simulate-intake``: real
archive incidents turned into claims without incident codes, the truth kept apart) and
scores what the warehouse made of them:

1. dbt builds the models the triage needs, in files mode on ``<simulation>/raw``, into
   its own DuckDB file (never the demo warehouse);
2. each claim's predicted incident is read from ``fct_claims``: the incident an
   assessor linked, else the existing incident it matched, else its candidate incident;
   each predicted incident's suggested grade from ``fct_assessment_backlog``;
3. :mod:`civcas.evaluation` scores the linkage pairwise against the true incidents, and
   the suggested grades against the archive's grades (confusion matrix, per-grade recall,
   Cohen's kappa);
4. every disagreement is traced to the rule that decided the suggestion (the first words
   of its ``suggestion_reason``), so the report says which rules cause them.

The report is printed and written as JSON and text. The elapsed time covers the dbt
build and the scoring (and the simulation, when it had to be made).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from civcas.evaluation import align_grades, build_report, pairwise_scores

# The models the triage needs, and everything upstream of them.
DBT_SELECTION = ("+fct_claims", "+fct_assessment_backlog")


class EvaluationError(RuntimeError):
    """The evaluation could not run; the message says what to fix."""


@dataclass(frozen=True)
class EvaluationPaths:
    simulation: Path   # holds raw/ and truth.parquet
    duckdb_path: Path  # the evaluation's own warehouse file
    report: Path       # <report>.json and <report>.txt are written


def _dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def build_warehouse(project_dir: Path, paths: EvaluationPaths, say: Callable[[str], None]) -> float:
    """dbt build of the triage models on the simulated raw files; returns the seconds taken."""
    raw = (paths.simulation / "raw").resolve()
    if not (raw / "raw_claims.parquet").exists():
        raise EvaluationError(f"{raw} holds no raw_claims.parquet; run `civcas simulate-intake` first")
    paths.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    target = paths.duckdb_path.parent / "target_evaluation"
    variables = json.dumps({"civcas_raw_source": "files", "civcas_raw_path": str(raw)})
    command = [
        _dbt_executable(), "build", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir),
        "--target-path", str(target), "--log-path", str(target / "logs"),
        "--select", *DBT_SELECTION, "--exclude-resource-type", "test", "unit_test",
        # in full: a new simulation replaces the raw rows, and the claim chain only takes added rows
        "--full-refresh", "--vars", variables, "--quiet",
    ]
    environment = dict(os.environ, CIVCAS_DUCKDB_PATH=str(paths.duckdb_path.resolve()), DO_NOT_TRACK="1")
    say(f"building the triage models on {raw} into {paths.duckdb_path}")
    started = time.perf_counter()
    finished = subprocess.run(command, cwd=project_dir, env=environment, capture_output=True, text=True)
    if finished.returncode != 0:
        detail = (finished.stdout + finished.stderr).strip()[-3000:]
        raise EvaluationError(f"dbt build failed (exit {finished.returncode}); see {target / 'logs'}:\n{detail}")
    return time.perf_counter() - started


_NUMBERS = re.compile(r"\d+")


def _rule_of(reason: str | None) -> str:
    """The rule behind a suggestion, from its reason: the reason with its numbers generalised."""
    if reason is None:
        return "no suggestion row"
    return _NUMBERS.sub("N", reason).rstrip(".")


def score_warehouse(paths: EvaluationPaths) -> tuple[dict, list[str], list[str], int, Counter]:
    """Read the truth and the warehouse; return (linkage scores, true grades, suggested
    grades, ungraded incidents left out, disagreement counts by (true, suggested, rule))."""
    truth_file = paths.simulation / "truth.parquet"
    if not truth_file.exists():
        raise EvaluationError(f"{truth_file} is missing; run `civcas simulate-intake` first")
    with duckdb.connect(str(paths.duckdb_path), read_only=True) as connection:
        truth_rows = connection.execute(
            "select claim_id, airwars_id, true_grade from read_parquet(?)", [str(truth_file)]
        ).fetchall()
        predicted_rows = connection.execute(
            """
            select
                claim_id,
                coalesce(incident_code, suggested_incident_code, candidate_incident_id) as predicted_incident
            from main.fct_claims
            """
        ).fetchall()
        suggestion_rows = connection.execute(
            "select backlog_incident_id, suggested_grade_id, suggestion_reason from main.fct_assessment_backlog"
        ).fetchall()
        assessed_rows = connection.execute(
            "select incident_code, grade_id from main.fct_incidents where is_graded"
        ).fetchall()

    truth_cluster = {claim: incident for claim, incident, _ in truth_rows}
    true_grade = {incident: grade for _, incident, grade in truth_rows}
    predicted = {claim: incident for claim, incident in predicted_rows if claim in truth_cluster}
    unknown = [claim for claim, _ in predicted_rows if claim not in truth_cluster]
    if unknown:
        raise EvaluationError(f"{len(unknown)} claim(s) in the warehouse are not in {truth_file}, e.g. "
                              f"{sorted(unknown)[:3]}: the warehouse was built from another simulation")
    linkage = pairwise_scores(truth_cluster, predicted)

    suggested = {incident: grade for incident, grade, _ in suggestion_rows}
    suggested.update({incident: grade for incident, grade in assessed_rows})  # an assessor's grade wins
    reasons = {incident: reason for incident, _, reason in suggestion_rows}
    true_list, suggested_list, left_out = align_grades(truth_cluster, predicted, true_grade, suggested)

    # the predicted incident each true incident was compared with, as align_grades chose it
    votes: dict[str, Counter] = {}
    for claim, incident in truth_cluster.items():
        votes.setdefault(incident, Counter())[predicted.get(claim)] += 1
    disagreements: Counter = Counter()
    compared = [incident for incident in sorted(votes, key=str) if true_grade.get(incident) is not None]
    for incident, truth, suggestion in zip(compared, true_list, suggested_list):
        if truth == suggestion:
            continue
        counts = votes[incident]
        best = max(counts.values())
        cluster = sorted((c for c, n in counts.items() if n == best), key=lambda c: (c is None, str(c)))[0]
        disagreements[(truth, suggestion, _rule_of(reasons.get(cluster)))] += 1
    return linkage, true_list, suggested_list, left_out, disagreements


def disagreement_notes(disagreements: Counter, top: int = 8) -> list[str]:
    """The largest disagreement cells with the rule that decided them, as report notes."""
    total = sum(disagreements.values())
    notes = [f"{total:,} compared incidents disagree with the archive's grade; the rules that decided them:"]
    for (truth, suggestion, rule), count in disagreements.most_common(top):
        notes.append(f"{count:,} archive {truth} -> suggested {suggestion}: \"{rule}\"")
    return notes


def evaluate_linking(project_dir: Path, paths: EvaluationPaths, *, skip_build: bool = False,
                     say: Callable[[str], None] = lambda _m: None) -> dict:
    """Build (unless skip_build), score, write the report; return it."""
    started = time.perf_counter()
    build_seconds = None if skip_build else build_warehouse(project_dir, paths, say)
    say("scoring linkage and grades against the truth")
    linkage, true_list, suggested_list, left_out, disagreements = score_warehouse(paths)
    notes = [f"dbt build of the triage models: {build_seconds:.1f} s" if build_seconds is not None
             else "dbt build skipped (--skip-build): the warehouse file was scored as it is"]
    notes += disagreement_notes(disagreements)
    report = build_report(linkage=linkage, true_grades=true_list, suggested_grades=suggested_list,
                          elapsed_seconds=time.perf_counter() - started, ungraded_left_out=left_out, notes=notes)
    report["inputs"] = {"simulation": str(paths.simulation), "warehouse": str(paths.duckdb_path)}
    return report
