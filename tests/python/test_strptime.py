"""civcas.strptime reads dates as DuckDB's try_strptime does, for the project's formats
(PostgreSQL calls it: macros/postgres/safe_casts.sql)."""

import random

import duckdb

from civcas.strptime import try_strptime

FORMATS = [["%Y-%m-%d"], ["%Y-%m"], ["%Y-%m-%d", "%Y%m%d"], ["%m/%d/%Y"], ["%d-%b-%y"]]
PIECES = ["2017", "17", "0", "00", "03", "3", "31", "29", "02", "2016", "0000", "12", "13", "1", "99999",
          "-", "/", " ", "Oct", "oct", "Sept", "FEB", "x", "", "\t", "١", "+", "2017031", "201731"]


def duckdb_dates(texts: list[str], formats: list[str]) -> list[str | None]:
    connection = duckdb.connect()
    rows = connection.execute(
        "select case when parsed is null then null when year(parsed) <= 0 "
        "then strftime(parsed, '0001-%m-%d BC') else strftime(parsed, '%Y-%m-%d') end "
        "from (select try_strptime(unnest(?), ?) as parsed)",
        [texts, formats]).fetchall()
    return [row[0] for row in rows]


def test_dates_read_as_in_duckdb() -> None:
    rng = random.Random(15)
    texts = ["2017-03-05", "2017-3-5", " 2017-03-05 ", "2017-02-31", "2016-02-29", "20170301", "2017031",
             "201731", "3/1/2017", "7-Oct-14", "7-oct-68", "7-Oct-69", "0000-01-01", "2017-13-01"]
    texts += ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 6))) for _ in range(3000)]
    for formats in FORMATS:
        expected = duckdb_dates(texts, formats)
        differences = [(text, want, try_strptime(text, formats)) for text, want in zip(texts, expected, strict=True)
                       if try_strptime(text, formats) != want]
        assert not differences, f"{formats}: {len(differences)} differ from DuckDB, e.g. {differences[:5]!r}"


def test_null_reads_as_null() -> None:
    assert try_strptime(None, ["%Y-%m-%d"]) is None
