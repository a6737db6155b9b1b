"""`civcas evaluate-linking` on a hand-made simulation whose metrics are known in advance.

Four true incidents, eight claims, all in Idlib governorate:

- A (archive: fair), Saraqib: A1 and A3 on 31 March 2019 (A3 blames "unknown"), A2 a
  day later, on 1 April, spelled "Al-Saraqib". The linking rules put all three together:
  a month boundary, an article-only spelling variant, an unknown belligerent and a
  slipped day. Three independent sources and a declared Russian strike in Idlib that
  day: suggested Fair.
- B (archive: fair), Saraqib again, B1 and B2 on 2 April: the same town a day after A2,
  and as large as A's own day, so A2 joins A (the earlier of two equal neighbours) and B
  stays apart. Two sources and no declared strike that day, but Russia declared one in
  Idlib two days before (within civcas_grade_activity_window_days): a likely strike,
  suggested Fair.
- C (archive: contested), Kafr Nabl on 10 May: C2 names the coalition instead of
  Russia (simulated noise), so the rules cannot join C1 and C2: each is a single-source
  candidate, suggested Weak.
- D (archive: weak), Ariha on 20 June: one claim, suggested Weak.

True pairs: A 3 + B 1 + C 1 = 5; predicted pairs: A 3 + B 1 = 4, all true. So precision
1, recall 4/5, F1 8/9; 5 incidents found for 4 true, of which A, B and D are recovered
exactly. Grades: A fair/fair, B fair/fair, C contested/weak, D weak/weak: agreement 3/4.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from civcas.raw_contract import load_raw_contract

PROJECT_DIR = Path(__file__).resolve().parents[2]

CLAIMS = [
    # claim_id, source, incident date, place, belligerent, killed
    ("EV-A1", "SRC-1", "2019-03-31", "Saraqib", "Russian Military", "3"),
    ("EV-A2", "SRC-2", "2019-04-01", "Al-Saraqib", "Russian Military", "4"),
    ("EV-A3", "SRC-3", "2019-03-31", "Saraqib", "unknown", "3"),
    ("EV-B1", "SRC-4", "2019-04-02", "Saraqib", "Russian Military", "1"),
    ("EV-B2", "SRC-5", "2019-04-02", "Saraqib", "Russian Military", "2"),
    ("EV-C1", "SRC-1", "2019-05-10", "Kafr Nabl", "Russian Military", "5"),
    ("EV-C2", "SRC-2", "2019-05-10", "Kafr Nabl", "U.S.-led Coalition", "6"),
    ("EV-D1", "SRC-3", "2019-06-20", "Ariha", "Russian Military", "2"),
]
TRUTH = {"EV-A1": "A", "EV-A2": "A", "EV-A3": "A", "EV-B1": "B", "EV-B2": "B",
         "EV-C1": "C", "EV-C2": "C", "EV-D1": "D"}
TRUE_GRADES = {"A": "fair", "B": "fair", "C": "contested", "D": "weak"}


def _write_table(folder: Path, table: str, columns: list[str], rows: list[dict[str, str]]) -> None:
    arrays = {column: pa.array([row.get(column) for row in rows], type=pa.string()) for column in columns}
    pq.write_table(pa.table(arrays), folder / f"{table}.parquet")


@pytest.fixture(scope="module")
def simulation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("evaluation") / "simulation"
    raw = folder / "raw"
    raw.mkdir(parents=True)
    contract = load_raw_contract(PROJECT_DIR)
    rows: dict[str, list[dict[str, str]]] = {table: [] for table in contract}
    rows["raw_dataset"] = [{"dataset_id": "evaluation-fixture", "dataset_name": "linking evaluation fixture",
                            "is_synthetic": "true", "description": "SYNTHETIC test fixture",
                            "generated_by": "tests/python/test_linking_evaluation.py"}]
    rows["raw_sources"] = [{"source_id": f"SRC-{n}", "source_name": f"Fixture outlet {n}",
                            "source_type": "local media", "is_protected": "false"} for n in range(1, 6)]
    rows["raw_claims"] = [
        {"claim_id": claim, "source_id": source, "date_reported": date, "incident_date": date,
         "place_as_written": place, "governorate_as_written": "Idlib", "country_as_written": "Syria",
         "belligerents_as_written": belligerent, "civilians_killed_min": killed, "civilians_killed_max": killed}
        for claim, source, date, place, belligerent, killed in CLAIMS
    ]
    rows["raw_declared_strikes"] = [{"strike_release_id": "EV-S1", "strike_date": "2019-03-31",
                                     "belligerent_as_written": "Russian Military", "country_as_written": "Syria",
                                     "governorate_as_written": "Idlib", "strike_count": "2"}]
    for table, columns in contract.items():
        _write_table(raw, table, list(columns), rows[table])
    pq.write_table(pa.table({
        "claim_id": list(TRUTH),
        "airwars_id": list(TRUTH.values()),
        "true_grade": [TRUE_GRADES[incident] for incident in TRUTH.values()],
    }), folder / "truth.parquet")
    return folder


@pytest.fixture(scope="module")
def evaluation(simulation: Path) -> tuple[subprocess.CompletedProcess, dict]:
    duckdb_path = simulation.parent / "db" / "civcas.duckdb"
    report = simulation.parent / "report" / "linking_evaluation"
    finished = subprocess.run(
        [sys.executable, "-m", "civcas", "evaluate-linking", "--project-dir", str(PROJECT_DIR),
         "--simulation", str(simulation), "--duckdb", str(duckdb_path), "--report", str(report)],
        capture_output=True, text=True, cwd=PROJECT_DIR,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    return finished, json.loads(report.with_suffix(".json").read_text())


def test_linkage_metrics_are_the_ones_the_fixture_fixes(evaluation):
    _, report = evaluation
    linkage = report["linkage"]
    assert (linkage["true_pairs"], linkage["predicted_pairs"], linkage["true_positive_pairs"]) == (5, 4, 4)
    assert linkage["precision"] == 1.0
    assert linkage["recall"] == pytest.approx(0.8)
    assert linkage["f1"] == pytest.approx(8 / 9)
    assert report["incidents"] == {"true": 4, "found": 5, "exact": 3}


def test_grade_agreement_is_the_one_the_fixture_fixes(evaluation):
    _, report = evaluation
    grades = report["grades"]
    labels = grades["labels"]
    matrix = {(truth, suggested): grades["confusion_matrix"][i][j]
              for i, truth in enumerate(labels) for j, suggested in enumerate(labels)}
    assert {cell: n for cell, n in matrix.items() if n} == {
        ("fair", "fair"): 2, ("contested", "weak"): 1, ("weak", "weak"): 1,
    }
    assert grades["agreement"] == 0.75
    assert grades["per_grade_recall"]["fair"] == 1.0
    assert grades["per_grade_recall"]["contested"] == 0.0
    # kappa from the matrix: observed 0.75, expected by chance (2*2 + 1*0 + 1*2) / 16 = 0.375
    assert grades["cohens_kappa"] == pytest.approx((0.75 - 0.375) / (1 - 0.375))
    assert not math.isnan(report["elapsed_seconds"])


def test_the_report_is_printed_and_names_the_rules_behind_disagreements(evaluation):
    finished, report = evaluation
    assert "F1" in finished.stdout and "0.8889" in finished.stdout
    assert any("Weak: a single source" in note for note in report["notes"])


def test_a_missing_simulation_is_a_data_error(tmp_path: Path):
    finished = subprocess.run(
        [sys.executable, "-m", "civcas", "evaluate-linking", "--project-dir", str(PROJECT_DIR),
         "--simulation", str(tmp_path / "nowhere"), "--duckdb", str(tmp_path / "db" / "civcas.duckdb"),
         "--report", str(tmp_path / "report")],
        capture_output=True, text=True, cwd=PROJECT_DIR,
    )
    assert finished.returncode == 1
    assert "simulate-intake" in finished.stderr
