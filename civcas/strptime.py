"""DuckDB's ``try_strptime`` for the formats the project reads dates with, in pure Python.

Staging parses dates with ``try_strptime`` (macros/safe_casts.sql): ``%Y-%m-%d``, ``%Y-%m``,
``%Y%m%d``, the CENTCOM ``%m/%d/%Y`` and the Dutch ``%d-%b-%y``. PostgreSQL's ``to_date`` is
lenient where DuckDB refuses (``2017-02-31`` is 3 March to it), so PostgreSQL calls this rule
(a PL/Python function created by ``civcas postgres-setup``). DuckDB reads each number greedily
and never backtracks: ``%Y`` up to 4 digits, ``%m``, ``%d`` and ``%y`` up to 2; ``%b`` is an
English month abbreviation in any case; leading and trailing white space is skipped; a date
that does not exist is no date; ``%y`` below 69 is 20yy. Year 0 is 1 BC.
``tests/python/test_strptime.py`` checks it against DuckDB on many strings.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

MONTH_ABBREVIATIONS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WIDTHS = {"Y": 4, "m": 2, "d": 2, "y": 2}
_SPACE = " \t\n\v\f\r"


def _digits(text: str, position: int, width: int) -> tuple[int | None, int]:
    end = position
    while end < len(text) and end - position < width and text[end] in "0123456789":
        end += 1
    return (int(text[position:end]) if end > position else None), end


def _parse(text: str, date_format: str) -> str | None:
    position = 0
    while position < len(text) and text[position] in _SPACE:
        position += 1
    fields = {"Y": 1900, "m": 1, "d": 1}
    index = 0
    while index < len(date_format):
        character = date_format[index]
        if character == "%" and index + 1 < len(date_format):
            specifier = date_format[index + 1]
            index += 2
            if specifier in _WIDTHS:
                value, position = _digits(text, position, _WIDTHS[specifier])
                if value is None:
                    return None
                if specifier == "y":
                    fields["Y"] = value + (2000 if value < 69 else 1900)
                else:
                    fields[specifier] = value
            elif specifier == "b":
                word = text[position:position + 3].lower()
                if word not in MONTH_ABBREVIATIONS:
                    return None
                fields["m"] = MONTH_ABBREVIATIONS.index(word) + 1
                position += 3
            else:
                raise ValueError(f"try_strptime: the format specifier %{specifier} is not supported")
        else:
            if position >= len(text) or text[position] != character:
                return None
            position += 1
            index += 1
    if text[position:].strip(_SPACE):
        return None
    year, month, day = fields["Y"], fields["m"], fields["d"]
    try:
        datetime.date(year or 4, month, day)  # year 0 (1 BC) is a leap year, like 4
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"0001-{month:02d}-{day:02d} BC"


def try_strptime(text: str | None, formats: Sequence[str]) -> str | None:
    """The date (ISO text; year 0 as '0001-MM-DD BC') of the first format that reads all of
    `text`, or None."""
    if text is None:
        return None
    for date_format in formats:
        parsed = _parse(text, date_format)
        if parsed is not None:
            return parsed
    return None
