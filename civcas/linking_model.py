"""Training the linkage model (``civcas train-linking``) with Splink.

The comparisons and their levels are defined once, in ``macros/linking.sql``
(``linking_comparisons``). dbt renders them for the warehouse's engine
(``dbt run-operation linking_comparisons_json``); this module hands the same SQL conditions
to Splink as custom comparison levels, trains a Fellegi-Sunter model on the records of a
built warehouse (``int_linking_records``: clean claims and registered incidents), and writes

* ``linking/splink_model.json``: Splink's own settings with the trained m and u
  probabilities (load it with ``splink.Linker(records, "linking/splink_model.json")``);
* ``seeds/reference/ref_linking_levels.csv``: the same probabilities, one row per comparison
  and level, from which dbt scores pairs on any engine (macros/linking.sql, linking_scores).

u probabilities come from random sampling; m probabilities from the pairs of records that
assessors put in one incident (``linked_incident_code``: a claim an assessor linked, and every
registered incident), which is what a monitor's own history holds. EM without labels (over
pairs blocked three ways) is the fallback for a warehouse with too few such pairs: measured on
the simulated intake it converged on "same area, near in time" rather than "same incident"
(m of "dates far apart" 0.73), and scored lower at every noise level. The prior comes from
pairs that agree on place, day and governorate. A pair's left record is the
later report: Splink orders a pair by its unique id, and the unique id is the records'
``record_sort_key`` (later dates first), as in the dbt models.
"""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import duckdb

MODEL_JSON = Path("linking") / "splink_model.json"
LEVELS_SEED = Path("seeds") / "reference" / "ref_linking_levels.csv"
SEED_COLUMNS = ("comparison_name", "comparison_vector_value", "label_for_charts", "m_probability",
                "u_probability", "match_weight")
RECORDS_QUERY = "select * from intermediate.int_linking_records"
MARKER = "CIVCAS_LINKING_COMPARISONS "
SEED = 13

# EM sessions: each blocks on some columns, and so leaves the comparisons reading them out.
EM_BLOCKING_RULES = (
    "l.place_key = r.place_key",
    "l.governorate_id = r.governorate_id and l.record_date = r.record_date",
    "l.place_skeleton = r.place_skeleton and abs(date_diff('day', l.record_date, r.record_date)) <= 4",
)
# Pairs that are nearly always matches, for the prior (with the recall assumed below).
DETERMINISTIC_RULES = (
    "l.place_key = r.place_key and l.record_date = r.record_date and l.governorate_id = r.governorate_id",
)
DETERMINISTIC_RECALL = 0.6
# m from the assessors' links when there are enough of them: a claim's incident code, an
# incident's own code (int_linking_records); EM without labels otherwise (a new monitor).
LABEL_COLUMN = "linked_incident_code"
MIN_LABELLED_PAIRS = 500


def labelled_pairs(labels: Any) -> int:
    """Pairs of records that share a label (the pairs m is estimated from)."""
    sizes = labels.dropna().value_counts()
    return int((sizes * (sizes - 1) // 2).sum())


def fill_unseen_m(model: dict[str, Any], pairs: int | None) -> dict[str, Any]:
    """A level no labelled pair fell in gets m = 3 / pairs (the rule of three: the upper 95 %
    bound of a rate never seen in that many trials), not m = u: that assessors never linked
    two records so far apart is evidence against the pair. Without labels (EM) the model is kept."""
    if pairs is None:
        return model
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level") and level.get("m_probability") is None:
                level["m_probability"] = 3 / pairs
    return model


class TrainingError(RuntimeError):
    """Training could not run; the message says what to do."""


def _dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def rendered_comparisons(project_dir: Path) -> list[dict[str, Any]]:
    """The comparisons of macros/linking.sql, rendered by dbt for the DuckDB target."""
    command = [_dbt_executable(), "run-operation", "linking_comparisons_json",
               "--project-dir", str(project_dir), "--profiles-dir", str(project_dir), "--quiet"]
    finished = subprocess.run(command, cwd=project_dir, capture_output=True, text=True,
                              env=dict(os.environ, DO_NOT_TRACK="1"))
    for line in finished.stdout.splitlines():
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER):])
    detail = (finished.stdout + finished.stderr).strip()[-2000:]
    raise TrainingError(f"dbt did not print the linking comparisons (exit {finished.returncode}):\n{detail}")


def splink_comparison(comparison: dict[str, Any]) -> dict[str, Any]:
    """One comparison as a Splink comparison dict: the null level first, then the levels from
    the highest gamma down, then the else level (gamma 0)."""
    # the order dbt tests them in (linking_levels): the null level first, then strongest first
    levels = sorted(comparison["levels"], key=lambda level: (level["gamma"] != -1, -level["gamma"]))
    splink_levels: list[dict[str, Any]] = []
    for level in levels:
        label = level["words"] or f"{comparison['name']} not given"
        entry: dict[str, Any] = {"sql_condition": level["sql"], "label_for_charts": label}
        if level["gamma"] == -1:
            entry["is_null_level"] = True
        entry.update(_fixed(level.get("m_probability"), level.get("u_probability")))
        splink_levels.append(entry)
    splink_levels.append({"sql_condition": "ELSE", "label_for_charts": comparison["else"],
                          **_fixed(comparison.get("else_m_probability"), comparison.get("else_u_probability"))})
    expected = [level["gamma"] for level in levels if level["gamma"] != -1]
    if expected != list(range(len(expected), 0, -1)):
        raise TrainingError(f"comparison {comparison['name']}: levels must be numbered n..1 without gaps, "
                            f"got {expected}")
    return {"output_column_name": comparison["name"], "comparison_levels": splink_levels}


def _fixed(m: float | None, u: float | None) -> dict[str, Any]:
    """A level whose m or u the comparison sets (not trained): Splink keeps it as given."""
    fixed: dict[str, Any] = {}
    if m is not None:
        fixed.update(m_probability=m, fix_m_probability=True)
    if u is not None:
        fixed.update(u_probability=u, fix_u_probability=True)
    return fixed


def settings(comparisons: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "record_sort_key",
        "comparisons": [splink_comparison(comparison) for comparison in comparisons],
        "blocking_rules_to_generate_predictions": list(EM_BLOCKING_RULES),
        "retain_intermediate_calculation_columns": False,
        "additional_columns_to_retain": [],
    }


def seed_rows(model: dict[str, Any]) -> list[dict[str, Any]]:
    """The trained model as rows of ref_linking_levels: the prior, then every non-null level.

    A level that no random pair reached has no u: it takes the smallest u of its comparison
    (a floor, not a guess of rarity). A level that no blocked pair reached has no m: it
    weighs nothing (m = u)."""
    prior = float(model["probability_two_random_records_match"])
    rows = [_row("prior", 0, "prior", prior, 1 - prior)]
    for comparison in model["comparisons"]:
        levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        trained_u = [level["u_probability"] for level in levels if level.get("u_probability") is not None]
        if not trained_u:
            raise TrainingError(f"comparison {comparison['output_column_name']} has no u probability at any "
                                "level: train on more records")
        for position, level in enumerate(levels):
            u = level.get("u_probability")
            u = min(trained_u) if u is None else u
            m = level.get("m_probability")
            rows.append(_row(comparison["output_column_name"], len(levels) - 1 - position,
                             level.get("label_for_charts", ""), u if m is None else m, u))
    return rows


def _row(name: str, gamma: int, label: str, m: float, u: float) -> dict[str, Any]:
    m, u = max(float(m), 1e-6), max(float(u), 1e-6)
    return {"comparison_name": name, "comparison_vector_value": gamma, "label_for_charts": label,
            "m_probability": round(m, 6), "u_probability": round(u, 6),
            "match_weight": round(math.log2(m / u), 6)}


def write_seed(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=SEED_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def train(project_dir: Path, warehouse: Path, say: Callable[[str], None]) -> dict[str, Any]:
    """Train on the records of ``warehouse``; write the model JSON and the seed; return the model."""
    import logging

    import pandas as pd
    from splink import DuckDBAPI, Linker

    if not warehouse.exists():
        raise TrainingError(f"{warehouse} does not exist; build a warehouse first (make build, or "
                            "civcas evaluate-linking for a simulation)")
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        try:
            records: pd.DataFrame = connection.execute(RECORDS_QUERY).df()
        except duckdb.Error as error:
            raise TrainingError(f"cannot read int_linking_records from {warehouse} ({error}); build it with "
                                "dbt build into a file named civcas.duckdb (the models' views name that database)"
                                ) from error
    say(f"training on {len(records):,} records of {warehouse}")
    comparisons = rendered_comparisons(project_dir)
    database = DuckDBAPI()
    linker = Linker(database.register(records), settings(comparisons), log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        list(DETERMINISTIC_RULES), recall=DETERMINISTIC_RECALL)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=SEED)
    pairs = labelled_pairs(records[LABEL_COLUMN])
    from_labels = pairs >= MIN_LABELLED_PAIRS
    if from_labels:
        say(f"m probabilities from {pairs:,} pairs of records that assessors put in one incident")
        linker.training.estimate_m_from_label_column(LABEL_COLUMN)
    else:
        say(f"only {pairs:,} pairs of records assessors put in one incident: m probabilities by EM")
        for rule in EM_BLOCKING_RULES:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
    model = fill_unseen_m(linker.misc.save_model_to_json(), pairs if from_labels else None)
    model_path = project_dir / MODEL_JSON
    model_path.parent.mkdir(parents=True, exist_ok=True)
    model_path.write_text(json.dumps(model, indent=4) + "\n", encoding="utf-8")
    write_seed(project_dir / LEVELS_SEED, seed_rows(model))
    say(f"wrote {MODEL_JSON} and {LEVELS_SEED}")
    return model
