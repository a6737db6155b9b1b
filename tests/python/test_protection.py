"""Whole-token matching of protected values (civcas/protection.py), the rule the release scan,
the publish check and the dbt models share: '@demo_medic_92' is found in 'see @demo_medic_92,
...' but never inside another source's '@demo_medic_92_4'. The dbt side of the same cases is
the unit test quarantine_withholds_protected_values_only_as_whole_tokens; the first test here
runs its rows through the Python rule, so the two cannot drift apart."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import duckdb
import pytest
import yaml

from civcas.protection import (
    ProtectedValue,
    ProtectedValueIndex,
    database_occurrences,
    normal_form,
    occurs_in,
    scan_folder,
    word_tokens,
)

PROJECT_DIR = Path(__file__).resolve().parents[2]
UNIT_TESTS = PROJECT_DIR / "models" / "restricted" / "_restricted__unit_tests.yml"
WHOLE_TOKEN_UNIT_TEST = "quarantine_withholds_protected_values_only_as_whole_tokens"

HANDLE = ProtectedValue("@demo_medic_92", "source_handle", "S92")
LINK = ProtectedValue("https://x.example/demo_medic_92", "source_url", "S92")
ARABIC_NAME = ProtectedValue("محمد علي", "source_name", "S7")
VALUES = [HANDLE, LINK, ARABIC_NAME]

# (text, the values found in it)
CASES = [
    ("@demo_medic_92_4", set()),
    ("see @demo_medic_92, who filmed it", {HANDLE}),
    ("SEE @DEMO_MEDIC_92.", {HANDLE}),
    ("posted by @demo_medic_92_4, not by demo_medic_92", set()),
    ("x@demo_medic_92 (an address)", {HANDLE}),  # '@' cannot continue a word, so the left is free
    ("video https://x.example/demo_medic_92/status/1", {LINK}),
    ("https://x.example/demo_medic_92?q=1", {LINK}),
    ("https://x.example/demo_medic_92x/status/1, see x.example/demo_medic_92", set()),
    ("https://x.example/demo_medic_92/@demo_medic_92", {HANDLE, LINK}),
    ("قال محمد علي، مسعف", {ARABIC_NAME}),
    ("قرية محمد عليان", set()),
    ("«محمد علي»", {ARABIC_NAME}),
]


def _found(index: ProtectedValueIndex, values: list[ProtectedValue], text: str) -> set[ProtectedValue]:
    needles = {normal_form(value.value): value for value in values}
    return {needles[needle] for needle in index.found_in(normal_form(text))}


@pytest.fixture(scope="module")
def index() -> ProtectedValueIndex:
    return ProtectedValueIndex(normal_form(value.value) for value in VALUES)


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_a_value_is_found_only_as_whole_tokens(index, text, expected):
    assert _found(index, VALUES, text) == expected


def test_python_agrees_with_the_dbt_unit_test_of_the_same_rule():
    tests = yaml.safe_load(UNIT_TESTS.read_text(encoding="utf-8"))["unit_tests"]
    (unit_test,) = [t for t in tests if t["name"] == WHOLE_TOKEN_UNIT_TEST]
    given = {g["input"]: g["rows"] for g in unit_test["given"]}
    values = [ProtectedValue(r["protected_value"], r["value_kind"], r["source_id"])
              for r in given["ref('restricted_protected_values')"]]
    index = ProtectedValueIndex(normal_form(value.value) for value in values)
    expected = {row["raw_row_key"]: row for row in unit_test["expect"]["rows"]}
    checked = 0
    for row in given["ref('restricted_quarantined_rows')"]:
        withheld = expected[row["raw_row_key"]]
        assert bool(_found(index, values, row["raw_record"])) == ("withheld" in withheld["raw_record"]), row
        assert bool(_found(index, values, row["quarantine_reason"])) == (
            "withheld" in withheld["quarantine_reason"]), row
        checked += 1
    assert checked >= 8


def test_a_value_overlapping_a_glued_on_copy_of_itself_is_found():
    needle = normal_form("Abu-Abu")
    assert occurs_in(needle, "xabu-abu-abu")  # at 1 glued to 'x', at 5 whole
    assert not occurs_in(needle, "xabu-abu and abu abu")


def test_texts_are_compared_in_nfc_and_lower_case():
    decomposed = unicodedata.normalize("NFD", "José Café")
    index = ProtectedValueIndex([normal_form("JOSÉ CAFÉ")])
    assert index.found_in(normal_form(decomposed)) == {normal_form("josé café")}
    assert index.found_in(normal_form("josé cafés")) == set()


def test_marks_belong_to_their_word():
    # Arabic vowel marks are combining marks: the word stays one token, and a name written
    # without marks is not found inside the same letters written with them after it
    assert word_tokens("قال مُحَمَّد علي") == ["قال", "مُحَمَّد", "علي"]
    assert not occurs_in("محمد", "محمدٌ")


def test_each_value_is_filed_under_one_rare_anchor():
    names = [normal_form(f"Demo medic {n:02d} {m} (synthetic)") for n in range(50) for m in range(1, 4)]
    index = ProtectedValueIndex(names)
    filed = [needle for group in [*index.single.values(), *index.pairs.values()] for needle, _, _ in group]
    assert sorted(filed) == sorted(set(names))
    # Words every name shares ('demo', 'medic', 'synthetic') are no anchor, and only a value
    # whose every token stands in the text in order is looked for: another source's name
    # meets none of these values, a name meets itself.
    assert all(len(group) <= 3 for group in [*index.single.values(), *index.pairs.values()])
    assert index.candidates(word_tokens(normal_form("Demo medic 77 9 (synthetic)"))) == set()
    assert index.candidates(word_tokens(normal_form("Demo medic 07 2 (synthetic), 07 3"))) == {
        normal_form("Demo medic 07 2 (synthetic)")}


def test_a_release_file_is_scanned_by_the_same_rule_and_binary_data_by_substring(tmp_path):
    (tmp_path / "other.csv").write_text("source,note\n@demo_medic_92_4,posted\n", encoding="utf-8")
    (tmp_path / "leak.csv").write_text("source,note\nx,\"see @demo_medic_92, who filmed it\"\n", encoding="utf-8")
    # in binary data the bytes next to a value (here 0xff, a letter in Latin-1) mark no word end
    (tmp_path / "font.bin").write_bytes(b"\x00\xff" + "https://x.example/demo_medic_92/status/1".encode() + b"\xfe")
    hits = {(hit.path, hit.value_kind) for hit in scan_folder(tmp_path, VALUES).hits}
    assert hits == {("leak.csv", "source_handle"), ("font.bin", "source_url")}


def test_the_published_database_is_checked_by_the_same_rule():
    with duckdb.connect() as connection:
        connection.execute("create table notes (note varchar)")
        connection.executemany("insert into notes values (?)", [[text] for text, _ in CASES] + [["al"], ["al"]])
        found = database_occurrences(connection, "select 'note' as column_name, note as cell from notes",
                                     [*VALUES, ProtectedValue("Al", "source_name", "S1")])
    expected_rows: dict[tuple[str, str], int] = {}
    for _, values in CASES:
        for value in values:
            expected_rows[(value.value_kind, value.source_id)] = expected_rows.get(
                (value.value_kind, value.source_id), 0) + 1
    # a value shorter than 4 characters counts only as a whole cell
    expected_rows[("source_name", "S1")] = 2
    assert {(kind, source): rows for _, kind, source, rows in found} == expected_rows
