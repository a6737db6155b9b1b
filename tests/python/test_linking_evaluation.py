"""civcas evaluate-linking's scoring, on small hand-made truths and predictions (no dbt build).

The hand-made case, used by several tests. Three true incidents:

- A (registered as RS1), claims a1..a4; a1 carries the assessor's link;
- B (unregistered), claims b1, b2;
- N (unregistered), claim n1, a hard negative that shadows A.

The warehouse put a1, a2 in RS1 (a2 matched by the model); a3 in candidate CAND-a3 with
b1; a4 was quarantined (no prediction); b2 in CAND-b2; n1 in RS1.

True pairs: A 6 + B 1 = 7. Predicted pairs: RS1 {a1, a2, n1} 3 + CAND-a3 {a3, b1} 1 = 4.
True positive pairs: (a1, a2) = 1. So precision 1/4, recall 1/7.
Missed pairs: 6, namely (a1,a3) (a1,a4) (a2,a3) (a2,a4) (a3,a4) (b1,b2).
False pairs: 3, namely (a1,n1) (a2,n1) (a3,b1).
"""

from __future__ import annotations

import duckdb
import pytest

from civcas.evaluation import (
    NO_NOISE,
    class_shares_among_errors,
    hard_negative_merges,
    pairwise_scores_without_pairs_among,
    registered_outcomes,
)
from civcas.linking_evaluation import (
    QUARANTINED,
    EvaluationError,
    Predicted,
    format_markdown,
    parse_levels,
    predicted_incidents,
    score_level,
)

TRUTH = {"a1": "A", "a2": "A", "a3": "A", "a4": "A", "b1": "B", "b2": "B", "n1": "N"}
PREDICTED = {"a1": "RS1", "a2": "RS1", "a3": "CAND-a3", "a4": None, "b1": "CAND-a3", "b2": "CAND-b2", "n1": "RS1"}
CLASSES = {"a3": ["place_arabic"], "a4": ["blame_unknown", QUARANTINED], "b2": ["place_arabic"],
           "n1": ["date_off_by_one"]}
REGISTERED = {"a1": "RS1", "a2": "RS1", "a3": "RS1", "a4": "RS1", "b1": None, "b2": None, "n1": None}


def test_class_shares_among_missed_and_false_pairs():
    shares = class_shares_among_errors(TRUTH, PREDICTED, CLASSES)
    assert (shares["missed_pairs"], shares["false_pairs"], shares["true_pairs"]) == (6, 3, 7)
    # missed pairs touching a3: (a1,a3) (a2,a3) (a3,a4); b2: (b1,b2) -> place_arabic 4 of 6
    assert shares["missed_share"]["place_arabic"] == pytest.approx(4 / 6)
    # a4 is in (a1,a4) (a2,a4) (a3,a4)
    assert shares["missed_share"]["blame_unknown"] == pytest.approx(3 / 6)
    assert shares["missed_share"][QUARANTINED] == pytest.approx(3 / 6)
    assert shares["missed_share"]["date_off_by_one"] == 0
    # false pairs: (a1,n1) (a2,n1) have date_off_by_one; (a3,b1) has place_arabic
    assert shares["false_share"]["date_off_by_one"] == pytest.approx(2 / 3)
    assert shares["false_share"]["place_arabic"] == pytest.approx(1 / 3)
    # no pair of the missed has two clean claims; of the true pairs, only (a1,a2)
    assert shares["missed_share"][NO_NOISE] == 0
    assert shares["true_share"][NO_NOISE] == pytest.approx(1 / 7)
    assert shares["true_share"]["place_arabic"] == pytest.approx(4 / 7)


def test_class_shares_without_errors_are_zero():
    shares = class_shares_among_errors(TRUTH, dict(TRUTH), CLASSES)
    assert shares["missed_pairs"] == shares["false_pairs"] == 0
    assert all(value == 0 for value in shares["missed_share"].values())


def test_pairs_among_assessor_linked_claims_are_left_out():
    # (a1, a2) is the only true positive, and both were linked by the assessor: the linker found nothing
    decided = pairwise_scores_without_pairs_among(TRUTH, PREDICTED, {"a1", "a2"})
    assert (decided["true_positive_pairs"], decided["predicted_pairs"], decided["true_pairs"]) == (0, 3, 6)
    assert decided["precision"] == decided["recall"] == decided["f1"] == 0
    alone = pairwise_scores_without_pairs_among(TRUTH, PREDICTED, {"a1"})
    assert (alone["precision"], alone["recall"]) == (pytest.approx(1 / 4), pytest.approx(1 / 7))


def test_registered_outcomes():
    outcome = registered_outcomes(REGISTERED, {"a1": "RS1", "a2": "RS1", "a3": None, "a4": None, "n1": "RS1"},
                                  {"RS1"}, assessor_linked=["a1"])
    # a2 right, a3 and a4 none (a candidate or quarantined), a1 left out: the assessor linked it
    assert outcome["claims"] == 3
    assert outcome["counts"] == {"right": 1, "none": 2, "wrong": 0}
    assert outcome["right"] == pytest.approx(1 / 3)
    # n1 of the unregistered N was attached to RS1; b1, b2 were not
    assert outcome["unregistered_claims"] == 3
    assert outcome["unregistered_attached"] == pytest.approx(1 / 3)


def test_registered_outcomes_wrong_incident():
    outcome = registered_outcomes({"x": "RS1", "y": "RS2"}, {"x": "RS2", "y": "CAND-y"}, {"RS1", "RS2"})
    assert outcome["counts"] == {"right": 0, "none": 1, "wrong": 1}


def test_hard_negative_merges():
    merges = hard_negative_merges(TRUTH, PREDICTED, {"N": "A"})
    assert merges == {"hard_negatives": 1, "merged": 1, "merged_share": 1.0, "merged_pairs": 2}
    apart = dict(PREDICTED, n1="CAND-n1")
    assert hard_negative_merges(TRUTH, apart, {"N": "A"})["merged"] == 0


def test_predicted_incidents_reads_link_then_match_then_candidate():
    with duckdb.connect() as connection:
        connection.execute("""
            create table main.fct_claims as select * from (values
                ('c1', 'RS1', null, null, 'assessor', null),
                ('c2', null, 'RS2', 'CAND-x', 'matched_by_model', 0.97),
                ('c3', null, null, 'CAND-c3', 'unmatched', null),
                ('c4', null, null, null, 'unmatched', null)
            ) as t(claim_id, incident_code, suggested_incident_code, candidate_incident_id, link_rule,
                   link_match_probability)
        """)
        predicted = predicted_incidents(connection)
    assert predicted["c1"] == Predicted("c1", "RS1", "RS1", "assessor", None)
    assert predicted["c2"] == Predicted("c2", "RS2", "RS2", "matched_by_model", 0.97)
    assert (predicted["c3"].incident, predicted["c3"].registered_incident) == ("CAND-c3", None)
    assert predicted["c4"].incident is None


def _truth_rows() -> list[dict]:
    hard = {"n1": "A"}
    return [{"claim_id": claim, "true_incident_id": incident, "registered_code": REGISTERED[claim],
             "is_assessor_linked": claim == "a1",
             "noise_classes": ";".join(c for c in CLASSES.get(claim, []) if c != QUARANTINED),
             "is_hard_negative": claim in hard, "hard_negative_of": hard.get(claim)} for claim, incident in TRUTH.items()]


def test_score_level_counts_a_quarantined_claim_as_a_miss():
    predicted = {claim: Predicted(claim, incident, incident if incident and incident.startswith("RS") else None,
                                  "matched_by_model" if incident == "RS1" else "unmatched", None)
                 for claim, incident in PREDICTED.items() if claim != "a4"}  # a4: quarantined, not in fct_claims
    quarantined = [("a4", "unknown_belligerent", "مجهول", "Idlib", "belligerent 'مجهول' is not ...")]
    report = score_level(_truth_rows(), predicted, quarantined)
    assert report["claims"] == 7 and report["claims_predicted"] == 6
    assert report["linkage"]["precision"] == pytest.approx(1 / 4)
    assert report["linkage"]["recall"] == pytest.approx(1 / 7)
    assert report["linkage"]["unpredicted_claims"] == 1
    assert report["quarantine"] == {"claims": 1, "by_rule": {"unknown_belligerent": 1},
                                    "unknown_belligerent_spellings": {"مجهول": 1},
                                    "unknown_governorate_spellings": {}}
    assert report["errors_by_class"]["missed_share"][QUARANTINED] == pytest.approx(3 / 6)
    assert report["hard_negatives"]["merged"] == 1
    assert report["registered"]["counts"] == {"right": 1, "none": 2, "wrong": 0}
    markdown = format_markdown({"levels": {"realistic": report}, "seed": 4, "incidents": 3, "elapsed_seconds": 1})
    assert "| realistic | 7 | 0.250 | 0.143 | **0.182** | 0.182 |" in markdown
    assert "unknown_belligerent 1" in markdown


def test_score_level_refuses_claims_the_truth_does_not_know():
    with pytest.raises(EvaluationError, match="not in the truth"):
        score_level(_truth_rows(), {"zz": Predicted("zz", None, None, None, None)}, [])


def test_parse_levels():
    assert parse_levels("none, hard") == ["none", "hard"]
    with pytest.raises(EvaluationError, match="medium"):
        parse_levels("none,medium")
    with pytest.raises(EvaluationError):
        parse_levels(" , ")


def test_register_codes_compare_in_upper_case_as_the_warehouse_writes_them():
    truth = [{"claim_id": "x", "true_incident_id": "X", "registered_code": "RS12b", "is_assessor_linked": False,
              "noise_classes": "", "is_hard_negative": False, "hard_negative_of": None}]
    predicted = {"x": Predicted("x", "RS12B", "RS12B", "matched_by_model", 0.9)}
    assert score_level(truth, predicted, [])["registered"]["counts"] == {"right": 1, "none": 0, "wrong": 0}


def test_blocking_recall_counts_the_true_pairs_that_never_met() -> None:
    from civcas.linking_evaluation import blocking_recall

    truth = [
        {"claim_id": "c1", "true_incident_id": "i1", "registered_code": "ab1", "is_assessor_linked": False},
        {"claim_id": "c2", "true_incident_id": "i1", "registered_code": "ab1", "is_assessor_linked": True},
        {"claim_id": "c3", "true_incident_id": "i1", "registered_code": "ab1", "is_assessor_linked": False},
        {"claim_id": "c4", "true_incident_id": "i2", "registered_code": None, "is_assessor_linked": False},
        {"claim_id": "c5", "true_incident_id": "i2", "registered_code": None, "is_assessor_linked": False},
    ]
    # true pairs: c1-c2, c1-c3, c2-c3, c4-c5 (claims) and c1-AB1, c3-AB1 (no assessor link); c5 quarantined
    report = blocking_recall(truth, {("c1", "c2"), ("c2", "c3"), ("c1", "c4")}, {("c1", "AB1")}, {"c5"})
    assert report["true_pairs"] == 5
    assert report["true_pairs_lost"] == 2  # c1-c3 and c3-AB1
    assert report["pairs_compared"] == 4
    assert report["recall_lost"] == 2 / 5
