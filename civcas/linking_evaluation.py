"""The linking evaluation (``civcas evaluate-linking``): the warehouse against the truth, per noise level.

For every level asked (``none``, ``easy``, ``realistic``, ``hard``):

1. ``civcas simulate-intake`` writes the level's intake into ``<simulations>/<level>/``
   (real archive incidents, the error classes of :mod:`civcas.intake_noise`, hard
   negatives, half the incidents registered; the truth kept apart). One seed gives every
   level the same incidents, claims and register: only the noise differs;
2. dbt builds the claim chain (``+fct_claims``), in files mode on that level's raw
   folder, into ``<warehouses>/<level>/civcas.duckdb`` (never the demo warehouse);
3. :func:`predicted_incidents` reads, from ``fct_claims``, the incident each claim was put
   in: the assessor's link, else the registered incident the model matched, else its
   candidate incident. A claim the warehouse quarantined has no prediction: it counts as
   an incident of its own (a miss), never dropped, and the report says how many were
   quarantined and by which rule (with the spellings behind ``unknown_belligerent`` and
   ``unknown_governorate``);
4. :mod:`civcas.evaluation` scores it: pairwise precision, recall and F1 over every claim;
   incidents recovered exactly; for the claims of registered incidents that carried no
   assessor link, the share put in the right incident, in none, or in a wrong one (and
   the share of claims of unregistered incidents attached to a registered one); the
   share of each noise class among the missed pairs and among the false pairs; and the
   hard negatives merged with the incident they shadow.

The report is printed as markdown tables and written as ``<report>.json`` and
``<report>.md``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import duckdb

from civcas.evaluation import (
    NO_NOISE,
    class_shares_among_errors,
    hard_negative_merges,
    pairwise_scores,
    pairwise_scores_without_pairs_among,
    registered_outcomes,
)
from civcas.intake_noise import LEVELS

# The claim chain and everything upstream of it.
DBT_SELECTION = ("+fct_claims", "int_linking_pairs_blocked")
QUARANTINED = "quarantined"
TOP_SPELLINGS = 12

Say = Callable[[str], None]


class EvaluationError(RuntimeError):
    """The evaluation could not run; the message says what to fix."""


@dataclass(frozen=True)
class Predicted:
    """Where the warehouse put one clean claim."""

    claim_id: str
    incident: str | None          # the assessor's link, the matched registered incident, or the candidate
    registered_incident: str | None  # the assessor's link or the matched registered incident only
    link_rule: str | None
    match_probability: float | None


@dataclass(frozen=True)
class LevelPaths:
    simulation: Path   # holds raw/ and truth.parquet
    duckdb_path: Path  # the level's own warehouse file


def parse_levels(text: str) -> list[str]:
    """'none,easy' -> ['none', 'easy']; every level must be one of LEVELS."""
    levels = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [level for level in levels if level not in LEVELS]
    if not levels or unknown:
        raise EvaluationError(f"--levels: {', '.join(unknown) or 'none given'}; choose from {', '.join(LEVELS)}")
    return levels


def _dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def build_warehouse(project_dir: Path, paths: LevelPaths, say: Say) -> float:
    """dbt build of the claim chain on the simulated raw files; returns the seconds taken."""
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
    say(f"building the claim chain on {raw} into {paths.duckdb_path}")
    started = time.perf_counter()
    finished = subprocess.run(command, cwd=project_dir, env=environment, capture_output=True, text=True,
                              check=False)
    if finished.returncode != 0:
        detail = (finished.stdout + finished.stderr).strip()[-3000:]
        raise EvaluationError(f"dbt build failed (exit {finished.returncode}); see {target / 'logs'}:\n{detail}")
    return time.perf_counter() - started


def predicted_incidents(connection: duckdb.DuckDBPyConnection) -> dict[str, Predicted]:
    """claim_id -> where fct_claims put it: the one place the evaluation reads a prediction.

    The incident is the assessor's link (``incident_code``), else the registered incident
    the model matched (``suggested_incident_code``), else the candidate incident
    (``candidate_incident_id``); null when none of them is set.
    """
    rows = connection.execute(
        """
        select
            claim_id,
            coalesce(incident_code, suggested_incident_code, candidate_incident_id) as predicted_incident,
            coalesce(incident_code, suggested_incident_code) as registered_incident,
            link_rule,
            cast(link_match_probability as double) as link_match_probability
        from main.fct_claims
        """
    ).fetchall()
    return {claim: Predicted(claim, incident, registered, rule, probability)
            for claim, incident, registered, rule, probability in rows}


def quarantined_claims(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str | None, str | None, str]]:
    """(claim_id, rule, unresolved belligerents, governorate as written, reason) of every quarantined claim row."""
    return connection.execute(
        """
        select claim_id, quarantine_rule, unresolved_belligerent_names, governorate_as_written, quarantine_reason
        from intermediate.int_claims_validated
        where is_quarantined
        order by claim_id
        """
    ).fetchall()


def blocked_pairs(connection: duckdb.DuckDBPyConnection) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """The pairs blocking lets the model compare (int_linking_pairs_blocked): claim pairs
    (smaller id first) and (claim, incident code) pairs."""
    rows = connection.execute(
        "select other_record_kind, claim_id, other_record_id from intermediate.int_linking_pairs_blocked"
    ).fetchall()
    claim_pairs = {(claim, other) for kind, claim, other in rows if kind == "claim"}
    incident_pairs = {(claim, _code(other) or "") for kind, claim, other in rows if kind == "incident"}
    return claim_pairs, incident_pairs


def blocking_recall(truth: Sequence[Mapping], claim_pairs: set[tuple[str, str]],
                    incident_pairs: set[tuple[str, str]], quarantined_ids: set[str]) -> dict:
    """How many pairs blocking lets through, and the share of true pairs it loses: pairs of
    clean claims of one true incident, and a clean claim without an assessor link with its
    registered incident."""
    clean = [row for row in truth if row["claim_id"] not in quarantined_ids]
    by_incident: dict[str, list[str]] = {}
    for row in clean:
        by_incident.setdefault(row["true_incident_id"], []).append(row["claim_id"])
    true_claim_pairs = [(a, b) for claims in by_incident.values() for a, b in combinations(sorted(claims), 2)]
    true_incident_pairs = [(row["claim_id"], _code(row["registered_code"]) or "") for row in clean
                           if row["registered_code"] and not row["is_assessor_linked"]]
    lost_claim = sum(1 for pair in true_claim_pairs if pair not in claim_pairs)
    lost_incident = sum(1 for pair in true_incident_pairs if pair not in incident_pairs)
    true_pairs = len(true_claim_pairs) + len(true_incident_pairs)
    return {
        "pairs_compared": len(claim_pairs) + len(incident_pairs),
        "claim_pairs_compared": len(claim_pairs),
        "claim_incident_pairs_compared": len(incident_pairs),
        "true_pairs": true_pairs,
        "true_pairs_lost": lost_claim + lost_incident,
        "recall_lost": (lost_claim + lost_incident) / true_pairs if true_pairs else None,
    }


def read_truth(simulation: Path) -> list[dict]:
    truth_file = simulation / "truth.parquet"
    if not truth_file.exists():
        raise EvaluationError(f"{truth_file} is missing; run `civcas simulate-intake` first")
    with duckdb.connect() as connection:
        cursor = connection.execute("select * from read_parquet(?) order by claim_id", [str(truth_file)])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=False)) for row in cursor.fetchall()]


def quarantine_summary(rows: Sequence[tuple[str, str, str | None, str | None, str]]) -> dict:
    """Quarantined claims by rule, with the spellings behind the unknown belligerents and governorates."""
    rules = Counter(rule for _, rule, _, _, _ in rows)
    belligerents = Counter(names for _, rule, names, _, _ in rows if rule == "unknown_belligerent" and names)
    governorates = Counter(g for _, rule, _, g, _ in rows if rule == "unknown_governorate" and g)
    return {
        "claims": len(rows),
        "by_rule": dict(rules.most_common()),
        "unknown_belligerent_spellings": dict(belligerents.most_common(TOP_SPELLINGS)),
        "unknown_governorate_spellings": dict(governorates.most_common(TOP_SPELLINGS)),
    }


def _code(code: str | None) -> str | None:
    return None if code is None else code.strip().upper()


def score_level(truth: Sequence[Mapping], predicted: Mapping[str, Predicted],
                quarantined: Sequence[tuple[str, str, str | None, str | None, str]]) -> dict:
    """Every metric of one level, from the truth rows, the predictions and the quarantined claims."""
    truth_cluster = {row["claim_id"]: row["true_incident_id"] for row in truth}
    unknown = sorted(set(predicted) - set(truth_cluster))
    if unknown:
        raise EvaluationError(f"{len(unknown)} claim(s) in the warehouse are not in the truth, e.g. {unknown[:3]}: "
                              "the warehouse was built from another simulation")
    cluster = {claim: p.incident for claim, p in predicted.items()}
    quarantined_ids = {row[0] for row in quarantined}
    classes = {row["claim_id"]: [c for c in (row["noise_classes"] or "").split(";") if c]
               + ([QUARANTINED] if row["claim_id"] in quarantined_ids else []) for row in truth}
    linkage = pairwise_scores(truth_cluster, cluster)
    assessor_linked = [row["claim_id"] for row in truth if row["is_assessor_linked"]]
    decided = pairwise_scores_without_pairs_among(truth_cluster, cluster, assessor_linked)
    # the warehouse writes codes in upper case (RS3247b is RS3247B): compare them so
    registered_codes = {_code(row["registered_code"]) for row in truth if row["registered_code"]}
    registered = registered_outcomes(
        {row["claim_id"]: _code(row["registered_code"]) for row in truth},
        {claim: _code(p.registered_incident) for claim, p in predicted.items()},
        registered_codes,
        assessor_linked=assessor_linked,
    )
    shadows = {row["true_incident_id"]: row["hard_negative_of"] for row in truth if row["is_hard_negative"]}
    model_links = [p for p in predicted.values() if p.link_rule == "matched_by_model"]
    return {
        "claims": len(truth_cluster),
        "claims_predicted": len(predicted),
        "linkage": linkage,
        "linkage_decided_by_linker": decided,
        "registered": registered,
        "errors_by_class": class_shares_among_errors(truth_cluster, cluster, classes),
        "hard_negatives": hard_negative_merges(truth_cluster, cluster, shadows),
        "quarantine": quarantine_summary(quarantined),
        "link_rules": dict(Counter(p.link_rule or "null" for p in predicted.values()).most_common()),
        "model_links": len(model_links),
        "noise_claims": {**dict(Counter(c for cs in classes.values() for c in cs).most_common()),
                         NO_NOISE: sum(1 for cs in classes.values() if not cs)},
    }


def evaluate_level(project_dir: Path, paths: LevelPaths, *, skip_build: bool, say: Say) -> dict:
    """Build (unless skip_build) and score one level."""
    build_seconds = None if skip_build else build_warehouse(project_dir, paths, say)
    truth = read_truth(paths.simulation)
    with duckdb.connect(str(paths.duckdb_path), read_only=True) as connection:
        predicted = predicted_incidents(connection)
        quarantined = quarantined_claims(connection)
        claim_pairs, incident_pairs = blocked_pairs(connection)
    report = score_level(truth, predicted, quarantined)
    report["blocking"] = blocking_recall(truth, claim_pairs, incident_pairs, {row[0] for row in quarantined})
    report["build_seconds"] = None if build_seconds is None else round(build_seconds, 1)
    report["inputs"] = {"simulation": str(paths.simulation), "warehouse": str(paths.duckdb_path)}
    manifest = paths.simulation / "_simulation_manifest.json"
    if manifest.exists():
        facts = json.loads(manifest.read_text(encoding="utf-8"))
        report["simulation"] = {key: facts.get(key) for key in ("level", "seed", "facts")}
    return report


# --------------------------------------------------------------------------- the report


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def summary_table(levels: Mapping[str, Mapping]) -> list[str]:
    """One markdown row per level: the headline figures."""
    lines = [
        ("| level | claims | precision | recall | F1 | F1, linker's pairs | incidents exact / true "
         "| registered: right / none / wrong | unregistered attached | hard negatives merged (pairs) | quarantined |"),
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for level, report in levels.items():
        link, reg, hn = report["linkage"], report["registered"], report["hard_negatives"]
        lines.append(
            f"| {level} | {report['claims']:,} | {_share(link['precision'])} | {_share(link['recall'])} "
            f"| **{_share(link['f1'])}** | {_share(report['linkage_decided_by_linker']['f1'])} "
            f"| {link['exact_clusters']:,} / {link['true_clusters']:,} "
            f"| {_share(reg['right'])} / {_share(reg['none'])} / {_share(reg['wrong'])} ({reg['claims']:,}) "
            f"| {_share(reg['unregistered_attached'])} "
            f"| {hn['merged']} / {hn['hard_negatives']} ({hn['merged_pairs']:,}) "
            f"| {report['quarantine']['claims']:,} |")
    return lines


def level_tables(level: str, report: Mapping) -> list[str]:
    """The error analysis of one level, as markdown."""
    errors = report["errors_by_class"]
    quarantine = report["quarantine"]
    lines = [
        f"#### Level {level}",
        "",
        (f"{errors['missed_pairs']:,} missed pairs, {errors['false_pairs']:,} false pairs; share of those pairs "
         "in which at least one claim has the class (a pair can have several):"),
        "",
        ("| class | claims | share of true pairs | share of missed pairs | share of false pairs "
         "| recall of pairs with the class |"),
        "|---|---|---|---|---|---|",
    ]
    noise_claims = report["noise_claims"]
    order = sorted(errors["missed_share"], key=lambda name: (-errors["missed_share"][name], name))
    for name in order:
        true_with = errors["true_share"][name] * errors["true_pairs"]
        missed_with = errors["missed_share"][name] * errors["missed_pairs"]
        recall = 1 - missed_with / true_with if true_with else None
        lines.append(f"| {name} | {noise_claims.get(name, 0):,} | {_share(errors['true_share'][name])} "
                     f"| {_share(errors['missed_share'][name])} | {_share(errors['false_share'][name])} "
                     f"| {_share(recall)} |")
    blocking = report.get("blocking")
    if blocking:
        lines += ["", (f"Blocking: {blocking['pairs_compared']:,} pairs compared ({blocking['claim_pairs_compared']:,} "
                       f"claim pairs, {blocking['claim_incident_pairs_compared']:,} claim-incident pairs); "
                       f"{blocking['true_pairs_lost']:,} of {blocking['true_pairs']:,} true pairs never met "
                       f"(recall lost: {_share(blocking['recall_lost'])}).")]
    rules = ", ".join(f"{rule} {n:,}" for rule, n in quarantine["by_rule"].items()) or "none"
    lines += ["", f"Quarantined claims: {quarantine['claims']:,} ({rules})."]
    if quarantine["unknown_belligerent_spellings"]:
        lines.append("Unresolved blame: " + ", ".join(
            f"'{name}' {n}" for name, n in quarantine["unknown_belligerent_spellings"].items()) + ".")
    if quarantine["unknown_governorate_spellings"]:
        lines.append("Unresolved governorates: " + ", ".join(
            f"'{name}' {n}" for name, n in quarantine["unknown_governorate_spellings"].items()) + ".")
    lines.append("Link rules: " + ", ".join(f"{rule} {n:,}" for rule, n in report["link_rules"].items()) + ".")
    return lines


def format_markdown(report: Mapping) -> str:
    levels = report["levels"]
    lines = ["### Linking on simulated intake", "", *summary_table(levels), ""]
    for level, level_report in levels.items():
        lines += [*level_tables(level, level_report), ""]
    lines.append(f"Seed {report['seed']}, {report['incidents']:,} incidents wanted per level; "
                 f"{report['elapsed_seconds']:.0f} s in all.")
    return "\n".join(lines) + "\n"


def write_report(path: Path, report: Mapping) -> tuple[Path, Path]:
    """Write the report as <path>.json and <path>.md; return both paths."""
    path = Path(path)
    json_path, markdown_path = path.with_suffix(".json"), path.with_suffix(".md")
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    markdown_path.write_text(format_markdown(report), encoding="utf-8")
    return json_path, markdown_path


def evaluate_linking(
    project_dir: Path,
    levels: Iterable[str],
    *,
    archive: Path,
    simulations: Path,
    warehouses: Path,
    seed: int,
    incidents: int,
    skip_simulate: bool = False,
    skip_build: bool = False,
    say: Say = lambda _m: None,
) -> dict:
    """Simulate (unless skip_simulate), build (unless skip_build) and score every level; return the report."""
    from civcas.simulate import simulate_intake  # pyarrow only when simulating

    started = time.perf_counter()
    report: dict = {"seed": seed, "incidents": incidents, "is_synthetic": True,
                    "generated_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(), "levels": {}}
    for level in levels:
        paths = LevelPaths(simulations / level, warehouses / level / "civcas.duckdb")
        if not skip_simulate:
            result = simulate_intake(archive, paths.simulation, project_dir, level=level, seed=seed,
                                     incidents=incidents)
            say(f"{level}: simulated {result.claims:,} claims of {result.incidents:,} incidents "
                f"in {result.elapsed:.1f} s")
        level_report = evaluate_level(project_dir, paths, skip_build=skip_build, say=say)
        link = level_report["linkage"]
        say(f"{level}: precision {link['precision']:.3f}, recall {link['recall']:.3f}, F1 {link['f1']:.3f}"
            f" (build {level_report['build_seconds']} s)")
        report["levels"][level] = level_report
    report["elapsed_seconds"] = round(time.perf_counter() - started, 1)
    return report


__all__ = [
    "NO_NOISE",
    "EvaluationError",
    "LevelPaths",
    "Predicted",
    "evaluate_linking",
    "format_markdown",
    "parse_levels",
    "predicted_incidents",
    "score_level",
    "write_report",
]
