"""macros/postgres/regex_classes.sql holds the code points DuckDB's \\pL, \\pM and \\pN match
(civcas.postgres_regex), so that PostgreSQL's translated patterns match as DuckDB's do."""

from pathlib import Path

from civcas.postgres_regex import bracket_body, class_ranges, macro_file

ROOT = Path(__file__).resolve().parents[2]


def test_the_class_file_is_current() -> None:
    assert (ROOT / "macros" / "postgres" / "regex_classes.sql").read_text(encoding="utf-8") == macro_file()


def test_ranges_cover_arabic_letters_and_digits() -> None:
    letters = class_ranges("L")
    assert any(start <= ord("ب") <= end for start, end in letters)
    assert not any(start <= ord("1") <= end for start, end in letters)
    assert any(start <= ord("٣") <= end for start, end in class_ranges("N"))
    assert bracket_body([(0x41, 0x5A), (0x1F600, 0x1F600)]) == "\\u0041-\\u005a\\U0001f600"
