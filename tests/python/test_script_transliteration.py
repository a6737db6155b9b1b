"""The Arabic-script map in macros/script_transliterations.sql is what anyascii says: the file
is up to date with the installed anyascii, and the SQL it renders gives, in DuckDB, what
anyascii gives in Python on Arabic place names."""

from __future__ import annotations

import duckdb
import pytest
from anyascii import anyascii
from conftest import PROJECT_DIR

from civcas.script_transliteration import MACRO_PATH, arabic_letters, letter_map, macro_text, transliteration_sql

# Place and governorate names as Arabic-language sources write them (Syria and Iraq), with
# hamza forms, ta marbuta, alef maksura, shadda and Persian letters.
ARABIC_PLACE_NAMES = [
    "الباب", "اريحا", "أريحا", "معرة النعمان", "سراقب", "كفرزيتا", "خان شيخون", "جسر الشغور",
    "دير الزور", "الميادين", "البوكمال", "الرقة", "الطبقة", "عين العرب", "تل أبيض", "عين عيسى",
    "إدلب", "ادلب", "ريف دمشق", "دوما", "حرستا", "الحسكة", "الشدادي", "القائم", "الموصل",
    "تلعفر", "حماة", "اللطامنة", "سامراء", "القرى الشمالية", "مؤتة", "بئر القصب", "ديالى",
    "حيّ الشعار", "گوير", "پنجوين", "حي المزة بدمشق", "قرية ١٢",
]


def _sql_text(name: str) -> str:
    with duckdb.connect() as con:
        literal = "'" + name.replace("'", "''") + "'"
        return con.sql(f"select {transliteration_sql(literal)}").fetchone()[0]


def test_the_macro_file_is_what_anyascii_gives() -> None:
    assert (PROJECT_DIR / MACRO_PATH).read_text(encoding="utf-8") == macro_text(), (
        "macros/script_transliterations.sql is stale: run python -m civcas.script_transliteration"
    )


@pytest.mark.parametrize("name", ARABIC_PLACE_NAMES)
def test_sql_and_anyascii_agree_on_arabic_place_names(name: str) -> None:
    assert _sql_text(name) == anyascii(name)


def test_every_letter_of_the_map_agrees() -> None:
    letters = "".join(arabic_letters())
    assert _sql_text(letters) == anyascii(letters)


def test_a_wrong_map_is_caught() -> None:
    wrong = dict(letter_map())
    wrong["ب"] = "p"
    with duckdb.connect() as con:
        rendered = con.sql(f"select {transliteration_sql(repr('الباب'), wrong)}").fetchone()[0]
    assert rendered != anyascii("الباب")
