"""civcas.evaluation: pairwise linkage scores, grade confusion matrix, per-grade recall,
Cohen's kappa and the report, checked against hand calculations and brute force."""

from __future__ import annotations

import itertools
import json
import math
import random

import pytest

from civcas.evaluation import (
    NO_GRADE,
    align_grades,
    build_report,
    cohens_kappa,
    confusion_matrix,
    format_report,
    pairwise_scores,
    per_class_recall,
    write_report,
)

# Six claims in three true incidents: {a, b, c}, {d, e}, {f}. True pairs: ab ac bc de = 4.
TRUTH = {"a": "I1", "b": "I1", "c": "I1", "d": "I2", "e": "I2", "f": "I3"}


# --------------------------------------------------------------------------- linkage


def test_hand_computed_partial_linkage() -> None:
    # Predicted {a, b}, {c, d, e}, {f}: pairs ab cd ce de = 4, of which ab and de are true.
    predicted = {"a": "P1", "b": "P1", "c": "P2", "d": "P2", "e": "P2", "f": "P3"}
    scores = pairwise_scores(TRUTH, predicted)
    assert scores["true_positive_pairs"] == 2
    assert scores["predicted_pairs"] == 4
    assert scores["true_pairs"] == 4
    assert scores["precision"] == 0.5
    assert scores["recall"] == 0.5
    assert scores["f1"] == 0.5
    assert (scores["claims"], scores["true_clusters"], scores["predicted_clusters"]) == (6, 3, 3)
    assert scores["exact_clusters"] == 1  # only {f}
    assert scores["unpredicted_claims"] == 0


def test_perfect_linkage() -> None:
    predicted = {claim: f"candidate-{incident}" for claim, incident in TRUTH.items()}
    scores = pairwise_scores(TRUTH, predicted)
    assert (scores["precision"], scores["recall"], scores["f1"]) == (1.0, 1.0, 1.0)
    assert scores["exact_clusters"] == 3


def test_everything_in_one_cluster_has_full_recall_and_poor_precision() -> None:
    scores = pairwise_scores(TRUTH, {claim: "all" for claim in TRUTH})
    assert scores["predicted_pairs"] == 15  # C(6, 2)
    assert scores["precision"] == pytest.approx(4 / 15)
    assert scores["recall"] == 1.0
    assert scores["f1"] == pytest.approx(8 / 19)  # 2 * (4/15) / (4/15 + 1)
    assert scores["exact_clusters"] == 0


def test_all_singletons_predict_no_pair() -> None:
    scores = pairwise_scores(TRUTH, {claim: claim for claim in TRUTH})
    assert scores["predicted_pairs"] == 0
    assert scores["precision"] == 1.0  # no pair predicted, so none wrongly
    assert scores["recall"] == 0.0
    assert scores["f1"] == 0.0
    assert scores["exact_clusters"] == 1


def test_no_pairs_on_either_side_scores_one() -> None:
    truth = {"a": 1, "b": 2, "c": 3}
    scores = pairwise_scores(truth, {"a": "x", "b": "y", "c": "z"})
    assert (scores["precision"], scores["recall"], scores["f1"]) == (1.0, 1.0, 1.0)
    empty = pairwise_scores({}, {})
    assert (empty["precision"], empty["recall"], empty["f1"], empty["claims"]) == (1.0, 1.0, 1.0, 0)


def test_pairs_predicted_where_the_truth_has_none() -> None:
    scores = pairwise_scores({"a": 1, "b": 2}, {"a": "x", "b": "x"})
    assert (scores["precision"], scores["recall"], scores["f1"]) == (0.0, 1.0, 0.0)


def test_cluster_ids_of_the_two_sides_never_mix() -> None:
    # The predicted ids reuse the true ids, crossed: nothing may match by name.
    truth = {"a": "X", "b": "X", "c": "Y", "d": "Y"}
    predicted = {"a": "Y", "b": "X", "c": "Y", "d": "X"}
    scores = pairwise_scores(truth, predicted)
    assert (scores["true_positive_pairs"], scores["predicted_pairs"], scores["true_pairs"]) == (0, 2, 2)


def test_a_claim_without_prediction_is_its_own_cluster() -> None:
    predicted = {"a": "P1", "b": "P1", "d": "P2", "e": "P2", "f": None}  # c missing, f null
    scores = pairwise_scores(TRUTH, predicted)
    assert scores["unpredicted_claims"] == 2
    assert scores["true_positive_pairs"] == 2
    assert scores["predicted_pairs"] == 2
    assert scores["precision"] == 1.0
    assert scores["recall"] == 0.5
    assert scores["f1"] == pytest.approx(2 / 3)
    assert scores["predicted_clusters"] == 4  # P1, P2, {c}, {f}


def test_a_predicted_claim_unknown_to_the_truth_is_an_error() -> None:
    with pytest.raises(ValueError, match="not in the truth"):
        pairwise_scores(TRUTH, {**{c: "P" for c in TRUTH}, "zzz": "P"})
    with pytest.raises(ValueError, match="no true cluster"):
        pairwise_scores({"a": None}, {})


def _brute_force(truth: dict, predicted: dict) -> tuple[int, int, int]:
    tp = pp = ap = 0
    for x, y in itertools.combinations(sorted(truth), 2):
        same_truth = truth[x] == truth[y]
        px, py = predicted.get(x), predicted.get(y)
        same_predicted = px is not None and px == py
        tp += same_truth and same_predicted
        pp += same_predicted
        ap += same_truth
    return tp, pp, ap


def test_combinatoric_counts_equal_brute_force_on_random_clusterings() -> None:
    rng = random.Random(20170301)
    for _ in range(400):
        n = rng.randint(0, 40)
        claims = [f"c{i}" for i in range(n)]
        truth = {c: rng.randint(0, rng.randint(0, 8)) for c in claims}
        predicted = {}
        for c in claims:
            roll = rng.random()
            if roll < 0.1:
                continue  # unpredicted
            predicted[c] = None if roll < 0.15 else rng.choice("pqrstu"[: rng.randint(1, 6)])
        scores = pairwise_scores(truth, predicted)
        tp, pp, ap = _brute_force(truth, predicted)
        assert (scores["true_positive_pairs"], scores["predicted_pairs"], scores["true_pairs"]) == (tp, pp, ap)
        assert scores["precision"] == (tp / pp if pp else 1.0)
        assert scores["recall"] == (tp / ap if ap else 1.0)


def test_scales_without_enumerating_pairs() -> None:
    # 200,000 claims in one true and one predicted cluster: ~2e10 pairs, counted instantly.
    claims = {f"c{i}": 0 for i in range(200_000)}
    scores = pairwise_scores(claims, {c: "x" for c in claims})
    assert scores["true_positive_pairs"] == 200_000 * 199_999 // 2
    assert scores["f1"] == 1.0


# --------------------------------------------------------------------------- grades

TRUE_GRADES = ["A", "A", "A", "B", "B", "C"]
SUGGESTED = ["A", "A", "B", "B", "C", "C"]


def test_confusion_matrix_by_hand() -> None:
    assert confusion_matrix(TRUE_GRADES, SUGGESTED, ["A", "B", "C"]) == [
        [2, 1, 0],
        [0, 1, 1],
        [0, 0, 1],
    ]
    # labels order the rows and columns; an unused label is an empty row and column
    assert confusion_matrix(TRUE_GRADES, SUGGESTED, ["C", "B", "A", "D"]) == [
        [1, 0, 0, 0],
        [1, 1, 0, 0],
        [0, 1, 2, 0],
        [0, 0, 0, 0],
    ]


def test_confusion_matrix_rejects_unknown_labels_and_ragged_input() -> None:
    with pytest.raises(ValueError, match="predicted value"):
        confusion_matrix(["A"], [None], ["A", "B"])
    with pytest.raises(ValueError, match="true value"):
        confusion_matrix(["Z"], ["A"], ["A", "B"])
    with pytest.raises(ValueError, match="length"):
        confusion_matrix(["A", "B"], ["A"], ["A", "B"])
    with pytest.raises(ValueError, match="repeat"):
        confusion_matrix(["A"], ["A"], ["A", "A"])


def test_per_class_recall_by_hand() -> None:
    recall = per_class_recall(TRUE_GRADES, SUGGESTED, ["A", "B", "C", "D"])
    assert recall == {"A": pytest.approx(2 / 3), "B": 0.5, "C": 1.0, "D": None}


def test_kappa_by_hand() -> None:
    # p_o = 4/6; marginals true (3, 2, 1), suggested (2, 2, 2): p_e = (6 + 4 + 2) / 36 = 1/3;
    # kappa = (2/3 - 1/3) / (1 - 1/3) = 0.5
    assert cohens_kappa(TRUE_GRADES, SUGGESTED, ["A", "B", "C"]) == pytest.approx(0.5)
    assert cohens_kappa(TRUE_GRADES, SUGGESTED) == pytest.approx(0.5)


def test_kappa_textbook_example() -> None:
    # 50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15 -> p_o 0.7, p_e 0.5, kappa 0.4
    true = ["yes"] * 25 + ["no"] * 25
    predicted = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohens_kappa(true, predicted) == pytest.approx(0.4)


def test_kappa_perfect_chance_and_worse_than_chance() -> None:
    assert cohens_kappa(["A", "B", "C", "A"], ["A", "B", "C", "A"]) == pytest.approx(1.0)
    assert cohens_kappa(["A", "B"], ["B", "A"]) == pytest.approx(-1.0)
    # Predicting one class for everything agrees 3 times in 4 but no better than chance.
    assert cohens_kappa(["A", "A", "A", "B"], ["A", "A", "A", "A"]) == pytest.approx(0.0)


def test_kappa_degenerate_cases_are_undefined() -> None:
    assert cohens_kappa([], []) is None
    assert cohens_kappa(["A", "A"], ["A", "A"]) is None  # p_e = 1


def test_align_grades_uses_the_cluster_holding_most_of_each_incident() -> None:
    truth = {"a": "I1", "b": "I1", "c": "I1", "d": "I2", "e": "I2", "f": "I3", "g": "I4"}
    predicted = {"a": "P1", "b": "P1", "c": "P2", "d": "P2", "e": "P3", "f": "P4"}  # g unpredicted
    true_grade = {"I1": "fair", "I2": "weak", "I3": None, "I4": "contested"}
    suggested = {"P1": "fair", "P2": "contested", "P3": "weak", "P4": "weak"}
    true_list, suggested_list, left_out = align_grades(truth, predicted, true_grade, suggested)
    # I1 -> P1 (2 of 3); I2 -> tie P2/P3 -> P2 (sorts first); I3 ungraded, left out; I4 -> nothing
    assert true_list == ["fair", "weak", "contested"]
    assert suggested_list == ["fair", "contested", NO_GRADE]
    assert left_out == 1


# --------------------------------------------------------------------------- report


def _report() -> dict:
    predicted = {"a": "P1", "b": "P1", "c": "P2", "d": "P2", "e": "P2", "f": "P3"}
    return build_report(
        linkage=pairwise_scores(TRUTH, predicted),
        true_grades=["fair", "fair", "weak", "contested"],
        suggested_grades=["fair", "weak", "weak", NO_GRADE],
        elapsed_seconds=12.345,
        ungraded_left_out=2,
        notes=["a note"],
    )


def test_build_report_holds_every_figure() -> None:
    report = _report()
    assert report["linkage"]["f1"] == 0.5
    assert report["incidents"] == {"true": 3, "found": 3, "exact": 1}
    grades = report["grades"]
    assert grades["labels"] == ["confirmed", "fair", "weak", "contested", "discounted", NO_GRADE]
    assert grades["confusion_matrix"][1] == [0, 1, 1, 0, 0, 0]  # fair: one fair, one weak
    assert grades["confusion_matrix"][3] == [0, 0, 0, 0, 0, 1]  # contested: no suggestion
    assert grades["per_grade_recall"] == {"confirmed": None, "fair": 0.5, "weak": 1.0, "contested": 0.0,
                                          "discounted": None}
    assert grades["agreement"] == 0.5
    # p_o 2/4; true (fair 2, weak 1, contested 1), suggested (fair 1, weak 2, none 1): p_e = (2 + 2) / 16
    assert grades["cohens_kappa"] == pytest.approx((0.5 - 0.25) / 0.75)
    assert report["elapsed_seconds"] == 12.345


def test_format_report_is_a_readable_table() -> None:
    text = format_report(_report())
    assert "precision                         0.5000   (2 of 4 predicted pairs are true)" in text
    assert "recall                            0.5000   (2 of 4 true pairs found)" in text
    assert "F1                                0.5000" in text
    assert "incidents found / true                 3 / 3" in text
    assert "Cohen's kappa               0.3333" in text
    assert "2 ungraded in the archive left out" in text
    assert "Elapsed                       12.3 s" in text
    rows = {line.split()[0]: line.split()[1:] for line in text.splitlines() if line.startswith("  ") and line.split()}
    assert rows["fair"] == ["0", "1", "1", "0", "0", "0", "2", "0.500"]
    assert rows["confirmed"][-1] == "undefined"
    assert NO_GRADE not in rows  # the empty "none" row is not shown


def test_write_report_writes_json_and_text(tmp_path) -> None:
    report = _report()
    json_path, text_path = write_report(tmp_path / "eval" / "linking.json", report)
    assert json_path.name == "linking.json" and text_path.name == "linking.txt"
    assert json.loads(json_path.read_text(encoding="utf-8")) == report
    assert text_path.read_text(encoding="utf-8") == format_report(report)
    assert not any(isinstance(v, float) and math.isnan(v) for v in report["linkage"].values())
