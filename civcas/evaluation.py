"""Metrics for the intake-triage evaluation: claim linkage and suggested grades.

Pure functions over plain Python values, independent of the dbt models: the
caller reads the warehouse (or anything else) and passes claim -> cluster
mappings and grade lists. No scikit-learn.

Linkage is scored pairwise. A pair of claims is *positive* when both claims are
in the same cluster. Against the truth:

- precision = true-positive pairs / predicted positive pairs,
- recall    = true-positive pairs / true positive pairs,
- F1        = their harmonic mean.

The counts come from cluster sizes, never from enumerating pairs (there are
n(n-1)/2 of them): with n_ij the number of claims in true cluster i and
predicted cluster j, TP = sum C(n_ij, 2), predicted positives = sum_j C(n_j, 2)
and true positives = sum_i C(n_i, 2). That is O(n) in time and memory.

Edge cases, by definition: with no predicted pair, precision is 1.0 (no pair
was wrongly joined); with no true pair, recall is 1.0 (there was nothing to
find). So when neither side has a pair, precision = recall = F1 = 1.0; when
only one side has pairs, F1 is 0.0. A claim that is in the truth but absent
from the prediction (or predicted with a null cluster), e.g. because the
warehouse quarantined it, counts as a predicted cluster of its own: it costs
recall and is reported as ``unpredicted_claims``. A predicted claim that the
truth does not know is an error (the two sides are not about the same claims).

Grades are scored as a confusion matrix (rows: true grade, columns: suggested
grade), per-grade recall and Cohen's kappa. :func:`align_grades` turns
per-incident grades into the two aligned lists, given the linkage.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from pathlib import Path

GRADE_LABELS = ("confirmed", "fair", "weak", "contested", "discounted")
NO_GRADE = "none"  # the column for an incident that got no suggested grade


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _ratio(numerator: int, denominator: int, empty: float) -> float:
    return numerator / denominator if denominator else empty


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def pairwise_scores(truth_cluster: Mapping[str, Hashable], predicted_cluster: Mapping[str, Hashable | None]) -> dict:
    """Pairwise precision, recall and F1 of a clustering of claims against the truth.

    `truth_cluster` maps every claim to its true cluster (e.g. incident key);
    `predicted_cluster` maps claims to predicted clusters. See the module
    docstring for the definitions and the edge cases. Returns a dict with
    precision, recall, f1, the pair counts (true_positive_pairs,
    predicted_pairs, true_pairs), claims, true_clusters, predicted_clusters
    (claims absent from the prediction count as one cluster each),
    exact_clusters (true clusters whose claims are exactly one predicted
    cluster) and unpredicted_claims.
    """
    unknown = [c for c in predicted_cluster if c not in truth_cluster]
    if unknown:
        raise ValueError(f"{len(unknown)} predicted claim(s) are not in the truth, e.g. {sorted(map(str, unknown))[:3]}")
    missing_truth = [c for c, cluster in truth_cluster.items() if cluster is None]
    if missing_truth:
        raise ValueError(f"{len(missing_truth)} claim(s) have no true cluster, e.g. {sorted(missing_truth)[:3]}")

    cells: Counter = Counter()
    true_sizes: Counter = Counter()
    predicted_sizes: Counter = Counter()
    unpredicted = 0
    for claim, truth in truth_cluster.items():
        predicted = predicted_cluster.get(claim)
        if predicted is None:
            unpredicted += 1
            predicted = ("\0unpredicted", claim)  # a cluster of its own, distinct from any real id
        else:
            predicted = ("\0predicted", predicted)
        cells[(truth, predicted)] += 1
        true_sizes[truth] += 1
        predicted_sizes[predicted] += 1

    tp = sum(_pairs(n) for n in cells.values())
    predicted_pairs = sum(_pairs(n) for n in predicted_sizes.values())
    true_pairs = sum(_pairs(n) for n in true_sizes.values())
    precision = _ratio(tp, predicted_pairs, 1.0)
    recall = _ratio(tp, true_pairs, 1.0)
    exact = sum(1 for (truth, predicted), n in cells.items() if n == true_sizes[truth] == predicted_sizes[predicted])
    return {
        "precision": precision,
        "recall": recall,
        "f1": _f1(precision, recall),
        "true_positive_pairs": tp,
        "predicted_pairs": predicted_pairs,
        "true_pairs": true_pairs,
        "claims": len(truth_cluster),
        "true_clusters": len(true_sizes),
        "predicted_clusters": len(predicted_sizes),
        "exact_clusters": exact,
        "unpredicted_claims": unpredicted,
    }


def _check_labels(values: Sequence[Hashable], labels: Sequence[Hashable], side: str) -> None:
    known = set(labels)
    strays = sorted({repr(v) for v in values if v not in known})
    if strays:
        raise ValueError(f"{side} value(s) not among the labels {list(labels)}: {', '.join(strays)}")


def confusion_matrix(true: Sequence[Hashable], predicted: Sequence[Hashable], labels: Sequence[Hashable]
                     ) -> list[list[int]]:
    """Counts; row = true label, column = predicted label, both in the order of `labels`.

    Every value must be one of `labels` (map a missing prediction to a label such
    as :data:`NO_GRADE` first): a value outside them is an error, not silently dropped.
    """
    if len(true) != len(predicted):
        raise ValueError(f"true and predicted differ in length ({len(true)} and {len(predicted)})")
    if len(set(labels)) != len(labels):
        raise ValueError(f"labels repeat: {list(labels)}")
    _check_labels(true, labels, "true")
    _check_labels(predicted, labels, "predicted")
    position = {label: k for k, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for t, p in zip(true, predicted, strict=False):
        matrix[position[t]][position[p]] += 1
    return matrix


def per_class_recall(true: Sequence[Hashable], predicted: Sequence[Hashable], labels: Sequence[Hashable]
                     ) -> dict[Hashable, float | None]:
    """label -> share of the items truly in that class that were predicted as it; None when it has none."""
    matrix = confusion_matrix(true, predicted, labels)
    recall: dict[Hashable, float | None] = {}
    for k, label in enumerate(labels):
        support = sum(matrix[k])
        recall[label] = matrix[k][k] / support if support else None
    return recall


def cohens_kappa(true: Sequence[Hashable], predicted: Sequence[Hashable],
                 labels: Sequence[Hashable] | None = None) -> float | None:
    """Cohen's kappa, (p_o - p_e) / (1 - p_e).

    p_o is the observed agreement and p_e the agreement expected by chance from
    the two marginal distributions. Degenerate cases: None for no items, and
    None when p_e = 1 (both sides put every item in the same single class:
    agreement is total but so is chance agreement, and kappa is undefined).
    """
    if labels is None:
        labels = sorted(set(true) | set(predicted), key=repr)
    matrix = confusion_matrix(true, predicted, labels)
    n = sum(map(sum, matrix))
    if n == 0:
        return None
    observed = sum(matrix[k][k] for k in range(len(labels))) / n
    rows = [sum(row) for row in matrix]
    columns = [sum(matrix[r][k] for r in range(len(labels))) for k in range(len(labels))]
    expected = sum(rows[k] * columns[k] for k in range(len(labels))) / (n * n)
    if math.isclose(expected, 1.0):
        return None
    return (observed - expected) / (1 - expected)


def align_grades(
    truth_cluster: Mapping[str, Hashable],
    predicted_cluster: Mapping[str, Hashable | None],
    true_grade: Mapping[Hashable, str | None],
    suggested_grade: Mapping[Hashable, str | None],
) -> tuple[list[str], list[str], int]:
    """Per true incident: (true grades, suggested grades, incidents left out for having no true grade).

    Each true incident is compared with the predicted cluster holding most of
    its claims (ties: the cluster that sorts first by its id as text); the
    suggestion is that cluster's suggested grade, or :data:`NO_GRADE` when it
    has none (or the claims were not predicted at all). Incidents whose true
    grade is None (ungraded in the archive) are left out and counted. The lists
    are in the order of the true incident keys sorted as text.
    """
    votes: dict[Hashable, Counter] = {}
    for claim, truth in truth_cluster.items():
        votes.setdefault(truth, Counter())[predicted_cluster.get(claim)] += 1
    true_list: list[str] = []
    suggested_list: list[str] = []
    left_out = 0
    for incident in sorted(votes, key=str):
        grade = true_grade.get(incident)
        if grade is None:
            left_out += 1
            continue
        counts = votes[incident]
        best = max(counts.values())
        winners = sorted((c for c, n in counts.items() if n == best), key=lambda c: (c is None, str(c)))
        cluster = winners[0]
        suggestion = suggested_grade.get(cluster) if cluster is not None else None
        true_list.append(grade)
        suggested_list.append(suggestion if suggestion is not None else NO_GRADE)
    return true_list, suggested_list, left_out


# --------------------------------------------------------------------------- the report


def build_report(
    *,
    linkage: Mapping,
    true_grades: Sequence[str],
    suggested_grades: Sequence[str],
    elapsed_seconds: float,
    grade_labels: Sequence[str] = GRADE_LABELS,
    ungraded_left_out: int = 0,
    notes: Iterable[str] = (),
) -> dict:
    """Everything the report shows, as a JSON-ready dict.

    `linkage` is the result of :func:`pairwise_scores`; the grade lists are
    aligned per incident (see :func:`align_grades`). The suggested side may
    also hold :data:`NO_GRADE`, which gets its own column.
    """
    labels = list(grade_labels)
    if NO_GRADE not in labels and (NO_GRADE in suggested_grades or NO_GRADE in true_grades):
        labels.append(NO_GRADE)
    matrix = confusion_matrix(true_grades, suggested_grades, labels)
    recall = per_class_recall(true_grades, suggested_grades, labels)
    return {
        "linkage": dict(linkage),
        "incidents": {"true": linkage["true_clusters"], "found": linkage["predicted_clusters"],
                      "exact": linkage.get("exact_clusters")},
        "grades": {
            "labels": labels,
            "confusion_matrix": matrix,
            "per_grade_recall": {label: recall[label] for label in labels if label != NO_GRADE},
            "cohens_kappa": cohens_kappa(true_grades, suggested_grades, labels),
            "incidents_compared": len(true_grades),
            "agreement": (sum(matrix[k][k] for k in range(len(labels))) / len(true_grades)) if true_grades else None,
            "ungraded_left_out": ungraded_left_out,
        },
        "elapsed_seconds": round(float(elapsed_seconds), 3),
        "notes": list(notes),
    }


def _number(value: float | None, digits: int = 4) -> str:
    return "undefined" if value is None else f"{value:.{digits}f}"


def format_report(report: Mapping) -> str:
    """The report as a plain-text table (see :func:`build_report`)."""
    link, grades = report["linkage"], report["grades"]
    incidents = report["incidents"]
    lines = [
        "Intake linking evaluation",
        "",
        "Linkage (pairwise, over claim pairs)",
        f"  claims                      {link['claims']:>12,}",
        f"  precision                   {_number(link['precision']):>12}   "
        f"({link['true_positive_pairs']:,} of {link['predicted_pairs']:,} predicted pairs are true)",
        f"  recall                      {_number(link['recall']):>12}   "
        f"({link['true_positive_pairs']:,} of {link['true_pairs']:,} true pairs found)",
        f"  F1                          {_number(link['f1']):>12}",
        f"  incidents found / true      {incidents['found']:>12,} / {incidents['true']:,}",
    ]
    if incidents.get("exact") is not None:
        lines.append(f"  incidents recovered exactly {incidents['exact']:>12,}")
    if link.get("unpredicted_claims"):
        lines.append(f"  claims without a prediction {link['unpredicted_claims']:>12,}   (each counted as its own incident)")

    labels = grades["labels"]
    width = max(len("true \\ suggested"), *(len(str(label)) for label in labels))
    column = max(8, *(len(str(label)) + 1 for label in labels))
    lines += [
        "",
        f"Grades: suggested against the archive ({grades['incidents_compared']:,} incidents"
        + (f"; {grades['ungraded_left_out']:,} ungraded in the archive left out" if grades["ungraded_left_out"] else "")
        + ")",
        "  " + "true \\ suggested".ljust(width) + "".join(str(label).rjust(column) for label in labels)
        + "total".rjust(column) + "recall".rjust(column),
    ]
    for label, row in zip(labels, grades["confusion_matrix"], strict=False):
        if label not in grades["per_grade_recall"] and not sum(row):
            continue  # the empty "none" row: the compared incidents all have a true grade
        recall = grades["per_grade_recall"].get(label)
        lines.append("  " + str(label).ljust(width) + "".join(f"{n:,}".rjust(column) for n in row)
                     + f"{sum(row):,}".rjust(column) + _number(recall, 3).rjust(column))
    lines += [
        f"  agreement                   {_number(grades['agreement'])}",
        f"  Cohen's kappa               {_number(grades['cohens_kappa'])}",
        "",
        f"Elapsed                       {report['elapsed_seconds']:.1f} s",
    ]
    if report.get("notes"):
        lines += ["", "Notes"] + [f"  - {note}" for note in report["notes"]]
    return "\n".join(lines) + "\n"


def write_report(path: Path, report: Mapping) -> tuple[Path, Path]:
    """Write the report as JSON at `path` (suffix .json) and as text beside it (.txt); return both paths."""
    path = Path(path)
    json_path, text_path = path.with_suffix(".json"), path.with_suffix(".txt")
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    text_path.write_text(format_report(report), encoding="utf-8")
    return json_path, text_path


# --------------------------------------------------------------------------- error analysis (issue 13)

NO_NOISE = "(no noise)"


def _predicted_key(claim: str, predicted_cluster: Mapping[str, Hashable | None]) -> tuple:
    """A claim's predicted cluster as pairwise_scores counts it: an unpredicted claim is a cluster of its own."""
    predicted = predicted_cluster.get(claim)
    return ("\0unpredicted", claim) if predicted is None else ("\0predicted", predicted)


def class_shares_among_errors(
    truth_cluster: Mapping[str, Hashable],
    predicted_cluster: Mapping[str, Hashable | None],
    classes_of: Mapping[str, Iterable[str]],
) -> dict:
    """For the missed pairs (same true incident, apart in the prediction) and the false pairs
    (together in the prediction, different true incidents): how many there are, and for every
    class the share of those pairs in which at least one of the two claims has that class;
    `true_share` gives the same share among all true pairs, the baseline a class's share of
    the misses is to be read against.

    `classes_of` maps a claim to its classes (noise classes, and any pseudo-class the caller
    adds, such as "quarantined"); a claim absent from it has none. :data:`NO_NOISE` gives the
    share of pairs in which neither claim has any class. Counted from cluster sizes, never by
    listing pairs: the pairs with neither claim in class c are the pairs among the claims
    without c, so the share is 1 - that count / all such pairs. A pair can have several
    classes, so the shares add up to more than 1.
    """
    classes = {claim: frozenset(classes_of.get(claim, ())) for claim in truth_cluster}
    names = sorted({name for cs in classes.values() for name in cs})

    def counts(without: str | None) -> tuple[int, int, int]:
        """(missed, false, true) pairs among the claims that lack `without` (None: every claim; NO_NOISE: any)."""
        true_sizes: Counter = Counter()
        predicted_sizes: Counter = Counter()
        cells: Counter = Counter()
        for claim, truth in truth_cluster.items():
            own = classes[claim]
            if without == NO_NOISE and own:
                continue
            if without not in (None, NO_NOISE) and without in own:
                continue
            predicted = _predicted_key(claim, predicted_cluster)
            true_sizes[truth] += 1
            predicted_sizes[predicted] += 1
            cells[(truth, predicted)] += 1
        together = sum(_pairs(n) for n in cells.values())
        true_pairs = sum(_pairs(n) for n in true_sizes.values())
        return (true_pairs - together, sum(_pairs(n) for n in predicted_sizes.values()) - together, true_pairs)

    missed, false, true = counts(None)
    result: dict = {"missed_pairs": missed, "false_pairs": false, "true_pairs": true,
                    "missed_share": {}, "false_share": {}, "true_share": {}}
    for name in [*names, NO_NOISE]:
        missed_without, false_without, true_without = counts(name)
        if name == NO_NOISE:  # pairs where neither claim has a class: the complement is counted directly
            result["missed_share"][name] = _ratio(missed_without, missed, 0.0)
            result["false_share"][name] = _ratio(false_without, false, 0.0)
            result["true_share"][name] = _ratio(true_without, true, 0.0)
        else:
            result["missed_share"][name] = _ratio(missed - missed_without, missed, 0.0)
            result["false_share"][name] = _ratio(false - false_without, false, 0.0)
            result["true_share"][name] = _ratio(true - true_without, true, 0.0)
    return result


def registered_outcomes(
    registered_code: Mapping[str, str | None],
    predicted_code: Mapping[str, str | None],
    registered_codes: Iterable[str],
    assessor_linked: Iterable[str] = (),
) -> dict:
    """Where the linker put claims, against the register.

    `registered_code` maps every claim to the register code of its true incident (None when
    the incident is not registered); `predicted_code` maps a claim to the incident it was
    put in (None, or a candidate id, when none). Claims in `assessor_linked` carried the
    assessor's link and are left out: the linker did not decide them. For claims of
    registered incidents: the share put in the right incident, in none (a candidate,
    nothing, or quarantined), or in a wrong registered incident. For claims of
    unregistered incidents: the share attached to some registered incident (always wrong).
    """
    codes = set(registered_codes)
    skip = set(assessor_linked)
    outcome: Counter = Counter()
    unregistered: Counter = Counter()
    for claim, code in registered_code.items():
        if claim in skip:
            continue
        predicted = predicted_code.get(claim)
        attached = predicted if predicted in codes else None
        if code is None:
            unregistered["attached" if attached is not None else "apart"] += 1
        elif attached == code:
            outcome["right"] += 1
        elif attached is None:
            outcome["none"] += 1
        else:
            outcome["wrong"] += 1
    claims = sum(outcome.values())
    loose = sum(unregistered.values())
    return {
        "claims": claims,
        "right": _ratio(outcome["right"], claims, 0.0),
        "none": _ratio(outcome["none"], claims, 0.0),
        "wrong": _ratio(outcome["wrong"], claims, 0.0),
        "counts": {k: outcome[k] for k in ("right", "none", "wrong")},
        "unregistered_claims": loose,
        "unregistered_attached": _ratio(unregistered["attached"], loose, 0.0),
    }


def hard_negative_merges(
    truth_cluster: Mapping[str, Hashable],
    predicted_cluster: Mapping[str, Hashable | None],
    shadows: Mapping[Hashable, Hashable],
) -> dict:
    """How often a hard negative was merged with the incident it shadows.

    `shadows` maps a hard-negative incident to the incident it must stay apart from. Counts
    the hard negatives with at least one claim in the same predicted cluster as a claim of
    their incident, and the claim pairs so merged (every such pair is a false link).
    """
    members: dict[Hashable, Counter] = {}
    for claim, truth in truth_cluster.items():
        predicted = predicted_cluster.get(claim)
        if predicted is not None:
            members.setdefault(truth, Counter())[predicted] += 1
    merged, pairs = 0, 0
    for negative, base in shadows.items():
        mine, theirs = members.get(negative, Counter()), members.get(base, Counter())
        shared = sum(n * theirs[cluster] for cluster, n in mine.items() if cluster in theirs)
        merged += shared > 0
        pairs += shared
    return {"hard_negatives": len(shadows), "merged": merged,
            "merged_share": _ratio(merged, len(shadows), 0.0), "merged_pairs": pairs}


def pairwise_scores_without_pairs_among(
    truth_cluster: Mapping[str, Hashable],
    predicted_cluster: Mapping[str, Hashable | None],
    fixed: Iterable[str],
) -> dict:
    """Pairwise precision, recall and F1 leaving out the pairs whose two claims are both in `fixed`.

    For the claims an assessor linked, their pairs among themselves are given, not found: leaving
    them out scores only the pairs the linker decided. The counts are those of
    :func:`pairwise_scores` on all claims minus those on the `fixed` claims alone.
    """
    fixed = set(fixed)
    everything = pairwise_scores(truth_cluster, predicted_cluster)
    given = pairwise_scores({c: t for c, t in truth_cluster.items() if c in fixed},
                            {c: p for c, p in predicted_cluster.items() if c in fixed})
    tp = everything["true_positive_pairs"] - given["true_positive_pairs"]
    predicted_pairs = everything["predicted_pairs"] - given["predicted_pairs"]
    true_pairs = everything["true_pairs"] - given["true_pairs"]
    precision = _ratio(tp, predicted_pairs, 1.0)
    recall = _ratio(tp, true_pairs, 1.0)
    return {"precision": precision, "recall": recall, "f1": _f1(precision, recall), "true_positive_pairs": tp,
            "predicted_pairs": predicted_pairs, "true_pairs": true_pairs, "pairs_left_out": given["true_pairs"]}
