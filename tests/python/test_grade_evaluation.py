"""Scoring of `civcas evaluate-grades` on small hand-made frames (no warehouse needed)."""

from __future__ import annotations

import math

import pytest

from civcas.evaluation import NO_GRADE
from civcas.grade_evaluation import (
    GRID,
    LABELS,
    WINDOW_VAR,
    _calibration_sql,
    best_setting,
    format_report,
    grid_settings,
    period_of,
    score,
    score_rows,
)

TRUE = ["fair", "fair", "weak", "contested", "confirmed", "fair"]
SUGGESTED = ["fair", "weak", "weak", "contested", None, "fair"]


def test_score_counts_the_confusion_matrix_with_none_as_its_own_column() -> None:
    result = score(TRUE, SUGGESTED)
    matrix = dict(zip(LABELS, result["confusion_matrix"], strict=False))
    position = {label: k for k, label in enumerate(LABELS)}
    assert matrix["fair"][position["fair"]] == 2
    assert matrix["fair"][position["weak"]] == 1
    assert matrix["confirmed"][position[NO_GRADE]] == 1
    assert matrix["discounted"] == [0] * len(LABELS)
    assert sum(map(sum, result["confusion_matrix"])) == len(TRUE)


def test_score_kappa_agreement_recall_and_no_suggestion_share() -> None:
    result = score(TRUE, SUGGESTED)
    # p_o = 4/6; marginals true (confirmed 1, fair 3, weak 1, contested 1) and suggested
    # (fair 2, weak 2, contested 1, none 1): p_e = (3*2 + 1*2 + 1*1) / 36 = 1/4; kappa = (2/3 - 1/4) / (3/4) = 5/9
    assert math.isclose(result["cohens_kappa"], 5 / 9)
    assert math.isclose(result["agreement"], 4 / 6)
    assert math.isclose(result["no_suggestion_share"], 1 / 6)
    assert result["per_grade_recall"] == {
        "confirmed": 0.0, "fair": pytest.approx(2 / 3), "weak": 1.0, "contested": 1.0, "discounted": None,
    }


def test_perfect_agreement_is_kappa_one_and_a_stray_grade_is_an_error() -> None:
    assert score(["fair", "weak"], ["fair", "weak"])["cohens_kappa"] == 1.0
    with pytest.raises(ValueError, match="not among the labels"):
        score(["fair"], ["likely"])


def test_periods_split_at_2018_and_ungraded_or_undated_incidents_are_left_out() -> None:
    assert period_of(2018) == "calibration"
    assert period_of(2019) == "report"
    assert period_of(None) is None
    rows = [(2017, "fair", "fair"), (2018, "weak", None), (2019, "contested", "fair"),
            (2020, None, "fair"), (None, "fair", "fair")]
    result = score_rows(rows)
    assert result["periods"]["calibration"]["incidents"] == 2
    assert result["periods"]["report"]["incidents"] == 1
    assert result["periods"]["report"]["agreement"] == 0.0
    assert result["left_out"] == {"undated": 1, "ungraded": 1}
    assert "calibration (<=2018)" in format_report(result)


def test_the_grid_holds_every_setting_but_the_window_and_the_sql_names_each() -> None:
    settings = grid_settings()
    expected = math.prod(len(values) for name, values in GRID.items() if name != WINDOW_VAR)
    assert len(settings) == expected
    assert all(WINDOW_VAR not in s for s in settings)
    sql = _calibration_sql(settings[:2])
    assert "suggested_grade_id(" in sql and " as s0" in sql and " as s1" in sql
    assert "null" not in sql and "none" in sql  # Jinja's None


def test_best_setting_takes_the_highest_calibration_kappa_and_the_first_on_ties() -> None:
    results = [
        {"settings": {"a": 1}, "calibration_kappa": 0.5},
        {"settings": {"a": 2}, "calibration_kappa": 0.7},
        {"settings": {"a": 3}, "calibration_kappa": 0.7},
        {"settings": {"a": 4}, "calibration_kappa": None},
    ]
    assert best_setting(results)["settings"] == {"a": 2}
