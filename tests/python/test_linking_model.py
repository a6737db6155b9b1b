"""The linkage model's file and seed agree, and Splink's settings are built from the comparisons."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from civcas.linking_model import (
    LEVELS_SEED,
    MODEL_JSON,
    TrainingError,
    fill_unseen_m,
    labelled_pairs,
    rendered_comparisons,
    seed_rows,
    splink_comparison,
)

PROJECT_DIR = Path(__file__).resolve().parents[2]

COMPARISON = {"name": "place", "else": "different places", "levels": [
    {"gamma": -1, "sql": "a_l is null", "words": "no place named"},
    {"gamma": 2, "sql": "a_l = a_r", "words": "same place"},
    {"gamma": 1, "sql": "b_l = b_r", "words": "place alike"},
]}


def test_splink_levels_run_from_the_null_level_down_to_else() -> None:
    levels = splink_comparison(COMPARISON)["comparison_levels"]
    assert [level["sql_condition"] for level in levels] == ["a_l is null", "a_l = a_r", "b_l = b_r", "ELSE"]
    assert levels[0]["is_null_level"] and not any(level.get("is_null_level") for level in levels[1:])


def test_levels_with_a_gap_are_refused() -> None:
    gapped = dict(COMPARISON, levels=[*COMPARISON["levels"][:2], {"gamma": 0, "sql": "x", "words": "y"}])
    with pytest.raises(TrainingError, match="n..1 without gaps"):
        splink_comparison(gapped)


def test_untrained_levels_weigh_nothing_or_take_the_smallest_u() -> None:
    model = {"probability_two_random_records_match": 0.01, "comparisons": [{
        "output_column_name": "place", "comparison_levels": [
            {"is_null_level": True},
            {"label_for_charts": "same", "m_probability": 0.8, "u_probability": 0.01},
            {"label_for_charts": "alike", "m_probability": None, "u_probability": 0.04},
            {"label_for_charts": "else", "m_probability": 0.2, "u_probability": None},
        ]}]}
    rows = {(row["comparison_name"], row["comparison_vector_value"]): row for row in seed_rows(model)}
    assert rows[("prior", 0)]["match_weight"] == pytest.approx(math.log2(0.01 / 0.99), abs=1e-5)
    assert rows[("place", 2)]["match_weight"] == pytest.approx(math.log2(80), abs=1e-5)
    assert rows[("place", 1)]["match_weight"] == 0
    assert rows[("place", 0)]["u_probability"] == 0.01


def test_labelled_pairs_count_the_pairs_within_each_incident() -> None:
    # incident A: its record and two linked claims (3 pairs); B: its record and one claim (1 pair);
    # an unlinked claim and a lone incident make none
    labels = pd.Series(["A", "A", "A", "B", "B", None, "C"])
    assert labelled_pairs(labels) == 4


def test_a_level_no_labelled_pair_reached_weighs_against_by_the_rule_of_three() -> None:
    model = {"comparisons": [{"output_column_name": "event_date", "comparison_levels": [
        {"is_null_level": True},
        {"label_for_charts": "same day", "m_probability": 0.9, "u_probability": 0.01},
        {"label_for_charts": "far apart", "u_probability": 0.95},
    ]}]}
    levels = fill_unseen_m(json.loads(json.dumps(model)), 600)["comparisons"][0]["comparison_levels"]
    assert "m_probability" not in levels[0]
    assert levels[1]["m_probability"] == 0.9
    assert levels[2]["m_probability"] == pytest.approx(3 / 600)
    rows = {row["comparison_vector_value"]: row for row in seed_rows(
        {"probability_two_random_records_match": 0.01, "comparisons": [
            {"output_column_name": "event_date", "comparison_levels": levels}]}) if row["comparison_name"] != "prior"}
    assert rows[0]["match_weight"] < -7
    # trained by EM (no labels): left as Splink wrote it
    assert fill_unseen_m(json.loads(json.dumps(model)), None) == model


def test_the_seed_dbt_scores_with_is_the_trained_model_file() -> None:
    model = json.loads((PROJECT_DIR / MODEL_JSON).read_text(encoding="utf-8"))
    with (PROJECT_DIR / LEVELS_SEED).open(encoding="utf-8") as handle:
        seed = list(csv.DictReader(handle))
    expected = seed_rows(model)
    assert [(row["comparison_name"], int(row["comparison_vector_value"])) for row in seed] == \
        [(row["comparison_name"], row["comparison_vector_value"]) for row in expected]
    for row, want in zip(seed, expected, strict=True):
        assert float(row["match_weight"]) == pytest.approx(want["match_weight"], abs=1e-5), row


def test_a_level_the_comparison_fixes_is_not_trained() -> None:
    fixed = dict(COMPARISON, else_m_probability=0.01, else_u_probability=0.05, levels=[
        COMPARISON["levels"][0], dict(COMPARISON["levels"][1], gamma=1, m_probability=0.99, u_probability=0.95)])
    levels = splink_comparison(fixed)["comparison_levels"]
    assert levels[1]["fix_m_probability"] and levels[1]["m_probability"] == 0.99
    assert levels[1]["fix_u_probability"] and levels[1]["u_probability"] == 0.95
    assert levels[-1]["fix_m_probability"] and levels[-1]["m_probability"] == 0.01
    assert "fix_m_probability" not in levels[0]


def test_the_model_file_holds_the_comparisons_dbt_scores_with() -> None:
    # a comparison edited in macros/linking.sql without `make train-linking` leaves a model
    # file whose levels no longer mean what dbt computes
    model = json.loads((PROJECT_DIR / MODEL_JSON).read_text(encoding="utf-8"))
    trained = {c["output_column_name"]: [level["sql_condition"] for level in c["comparison_levels"]]
               for c in model["comparisons"]}
    current = {c["name"]: [level["sql_condition"] for level in splink_comparison(c)["comparison_levels"]]
               for c in rendered_comparisons(PROJECT_DIR)}
    assert trained == current, "macros/linking.sql changed since the model was trained: run make train-linking"
