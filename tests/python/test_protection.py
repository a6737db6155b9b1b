"""Whole-token matching of protected values (civcas/protection.py), the rule the release scan,
the publish check and the dbt models share: '@demo_medic_92' is found in 'see @demo_medic_92,
...' but never inside another source's '@demo_medic_92_4'. The dbt side of the same cases is
the unit test quarantine_withholds_protected_values_only_as_whole_tokens; the first test here
runs its rows through the Python rule, so the two cannot drift apart.

Values and texts meet in one normal form (civcas/normal_form.py): NORMAL_FORM_CASES is run by
the Python rule, by the SQL of the publish scan and by the dbt macro match_normal_form. Every
spelling class of SPELLINGS (spaces, invisible characters, compatibility forms, letter case,
escapes) is planted in a copy of the demo warehouse and must be caught by every check: the dbt
leak test, the masking of fct_quarantined_rows, the database scan and the folder scan."""

from __future__ import annotations

import csv
import html
import json
import random
import shutil
import string
import unicodedata
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import run_dbt

from civcas.normal_form import (
    TATWEEL,
    full_normal_form,
    is_fast_path,
    look_alikes,
    register_sql_function,
    sql_normal_form,
)
from civcas.protection import (
    ProtectedValue,
    ProtectedValueIndex,
    database_occurrences,
    load_protected_values,
    normal_form,
    occurs_in,
    scan_folder,
    word_tokens,
)
from civcas.publish import find_protected_values

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
    (tmp_path / "font.bin").write_bytes(b"\x00\xff" + b"https://x.example/demo_medic_92/status/1" + b"\xfe")
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


# --------------------------------------------------------------------------- the one normal form

# (text, its normal form): one list, run by the Python rule, by the SQL the publish scan runs
# and by the dbt macro match_normal_form (test_the_sql_forms_agree_with_python).
NORMAL_FORM_CASES = [
    ("Jane Doe", "jane doe"),
    ("  Jane   DOE  ", "jane doe"),
    ("", ""),
    ("Jane\u00a0Doe", "jane doe"),                       # no-break space
    ("Jane\u202f\u2003\u3000\u1680Doe", "jane doe"),     # narrow, em, ideographic, ogham spaces
    ("Jane\t\n\r\u2028\u2029\u0085Doe", "jane doe"),     # tabs, line and paragraph breaks
    ("Ja\u200bne\u200c D\u200doe\u2060\ufeff", "jane doe"),   # zero-width space, (non-)joiner, word joiner, BOM
    ("Ja\u00adne Doe", "jane doe"),                      # soft hyphen
    ("\u202bJa\u200ene\u200f \u2067Doe\u2069\u202c\u061c", "jane doe"),  # bidi marks, embeddings, isolates
    ("Ja\u180ene\ufe0f D\u034foe", "jane doe"),          # Mongolian vowel separator, variation selector, CGJ
    ("Ja\x00ne\x07 Doe", "jane doe"),                    # control characters
    ("محـــمد عـلي", "محمد علي"),                        # tatweel
    ("ＪＡＮＥ　ＤＯＥ", "jane doe"),                    # full-width forms
    ("\U0001d409\U0001d41a\U0001d427\U0001d41e \U0001d5d7oe", "jane doe"),  # mathematical alphanumerics
    ("Gri\ufb03n", "griffin"),                           # ligature
    ("Straße", "strasse"),                               # case folding
    ("\u2160\u2161 \u24b6\u00b2", "iii a2"),             # compatibility forms: roman numerals, circled, superscript
    ("e\u00ad\u0301", "\u00e9"),                         # an accent meets its letter across a soft hyphen
    ("Jane%20Doe %40jane", "jane doe @jane"),            # URL escapes
    ("Jane&nbsp;Doe &#64;jane &#x4a;ane &amp;amp;", "jane doe @jane jane &"),  # HTML entities, twice escaped
    ('{"n":"said \\"Jane Doe\\"\\nx"}', '{"n":"said "jane doe" x"}'),      # JSON escapes
    ("\\u004a\\u0061ne \\ud83d\\ude00 \\/x\\\\", "jane \U0001f600 /x\\"),  # JSON \\u escapes, surrogate pair
    ("&quot;Jane\\u0020Doe&quot;", '"jane doe"'),       # JSON inside HTML
    ("100% sure & free \\ ok", "100% sure & free \\ ok"),  # no escape: as written
    ("@DEMO_MEDIC_92", "@demo_medic_92"),
    (" SRC0155 ", "src0155"),
    ("J\u0430n\u0435 D\u043e\u0435", "jane doe"),             # Cyrillic look-alikes: а, е, о
    ("\u0408\u0410NE \u0405\u041c\u0406T\u041d", "jane smith"),  # Cyrillic capitals: Ј, А, Ѕ, М, І, Н
    ("@d\u0435m\u043e_m\u0435d\u0456\u0441_92", "@demo_medic_92"),  # a handle with Cyrillic е, о, і, с
    ("\u039a\u03bfst\u03b1s \u0391\u0392\u0395", "kostas abe"),  # Greek look-alikes: Κ, ο, α, Α, Β, Ε
    ("\u0570\u0585\u057d \u13aa\u13b1", "hou ar"),         # Armenian հ, օ, ս; Cherokee Ꭺ, Ꮁ
    ("\u0131van", "ivan"),                               # Latin dotless i
    ("\u0456\u0301", "\u00ed"),                          # an accent meets the letter a look-alike stands for
    ("Abu Mu\u2019ath \u201cAl\u2010Bab\u201d", "abu mu'ath \"al-bab\""),  # typographic apostrophe, quotes, hyphen
    # modifier letters, guillemets, dashes
    ("Mu\u02bcath Ja\u02bffar \u00abSa\u2018id\u00bb \u2013 \u2212", "mu'ath ja'far \"sa'id\" - -"),
    ("\u0645\u062d\u0645\u062f \u0647\u0627\u0644\u0629 \u0665\u0661",
     "\u0645\u062d\u0645\u062f \u0647\u0627\u0644\u0629 \u0665\u0661"),  # Arabic heh, alef, digits stay Arabic
]


@pytest.mark.parametrize(("text", "expected"), NORMAL_FORM_CASES)
def test_the_normal_form(text, expected):
    assert normal_form(text) == expected
    assert normal_form(expected) == expected  # a fixed point: values and texts meet


def test_look_alikes_are_letters_and_digits_read_as_ascii():
    """Step 4 of the normal form: every entry is a non-ASCII letter or digit read as ASCII
    letters or digits in lower case (so no word boundary moves and ASCII never changes), a
    fixed point even with an accent after it; Arabic letters and digits are never read as
    Latin."""
    table = look_alikes()
    assert len(table) > 300
    for code, ascii_form in table.items():
        character = chr(code)
        assert not character.isascii() and unicodedata.category(character)[0] in "LN", hex(code)
        assert ascii_form.isascii() and ascii_form.isalnum() and ascii_form == ascii_form.casefold()
        assert normal_form(character) == ascii_form
        accented = normal_form(character + "\u0301")
        assert normal_form(accented) == accented
    arabic = [chr(code) for code in range(0x0600, 0x0700) if unicodedata.category(chr(code))[0] in "LN"]
    assert [c for c in arabic if c != TATWEEL and normal_form(c).isascii()] == []


def test_the_fast_path_gives_the_full_rule():
    generator = random.Random(12)
    alphabet = string.printable[:95]  # printable ASCII, space included
    texts = ["".join(generator.choice(alphabet) for _ in range(generator.randint(0, 30))) for _ in range(3000)]
    fast = [text for text in texts if is_fast_path(text)]
    assert len(fast) > 1000
    assert [normal_form(text) for text in fast] == [full_normal_form(text) for text in fast]
    assert not any(is_fast_path(text) for text in ["a%20", "a&amp;", "a\\u0041", "a\tb", "a\u00a0b", "é"])


def _sql_normal_forms(connection, expression_sql: str) -> list[str]:
    register_sql_function(connection)
    connection.execute("create or replace temp table cases (position integer, text varchar)")
    connection.executemany("insert into cases values (?, ?)", list(enumerate(text for text, _ in NORMAL_FORM_CASES)))
    return [row[0] for row in connection.execute(f"select {expression_sql} from cases order by position").fetchall()]


def test_the_sql_forms_agree_with_python(tmp_path):
    """The SQL of the publish scan, and the dbt macro as dbt compiles it, give the Python rule's
    result on every case (the dbt function comes from the plugin; here it is registered alike)."""
    expected = [normal for _, normal in NORMAL_FORM_CASES]
    with duckdb.connect() as connection:
        assert _sql_normal_forms(connection, sql_normal_form("text")) == expected
    compiled = run_dbt(["compile", "--inline", "select {{ match_normal_form('text') }} as normal from cases"],
                       PROJECT_DIR, tmp_path / "compile.duckdb", tmp_path / "target")
    assert compiled.success, compiled.exception
    macro_sql = compiled.result.results[0].node.compiled_code
    expression = macro_sql.removeprefix("select ").removesuffix(" as normal from cases")
    with duckdb.connect() as connection:
        assert _sql_normal_forms(connection, expression) == expected


# --------------------------------------------------------------------------- every spelling, every layer


def _inside_words(character: str) -> Callable[[str], str]:
    """Put `character` after the second letter of every word."""
    return lambda value: " ".join(word[:2] + character + word[2:] for word in value.split(" "))


def _full_width(value: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in value)


def _math_bold(value: str) -> str:
    def bold(c: str) -> str:
        if "A" <= c <= "Z":
            return chr(0x1D400 + ord(c) - ord("A"))
        if "a" <= c <= "z":
            return chr(0x1D41A + ord(c) - ord("a"))
        if "0" <= c <= "9":
            return chr(0x1D7CE + ord(c) - ord("0"))
        return c
    return "".join(map(bold, value))


def _arabic_presentation_forms(value: str) -> str:
    # the isolated presentation form of each Arabic letter (NFKC maps it back)
    isolated = {}
    for code in range(0xFE70, 0xFEFF):
        normal = unicodedata.normalize("NFKC", chr(code))
        if len(normal) == 1 and unicodedata.name(chr(code), "").endswith("ISOLATED FORM"):
            isolated.setdefault(normal, chr(code))
    return "".join(isolated.get(c, c) for c in value)


def _percent_encode_all(value: str) -> str:
    return "".join(f"%{byte:02X}" for byte in value.encode("utf-8"))


def _json_escape_all(value: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in value)


# Letters of other scripts that look like Latin ones, as a forger would pick them (written here
# by hand, not taken from the confusables data the normal form reads).
CYRILLIC_LOOK_ALIKES = str.maketrans("aceiopxyACEHIKMOPTX", "асеіорхуАСЕНІКМОРТХ")
GREEK_LOOK_ALIKES = str.maketrans("iovABEHIKMOPTXZ", "ιονΑΒΕΗΙΚΜΟΡΤΧΖ")


# The values planted, one per spelling (the number keeps them apart): a name of several words,
# a handle, an Arabic name and a name with a quote in it.
NAME, HANDLE_, ARABIC, QUOTED = (
    "Plant{n} Medic Griffin", "@plant{n}_medic", "شاهد{n} الطبيب", 'Abu "Plant{n}" Medic')
# (spelling class, planted value, how it is written). Each is planted as written inside a
# sentence (see _planted_text).
SPELLINGS: list[tuple[str, str, Callable[[str], str]]] = [
    ("no_break_space", NAME, lambda v: v.replace(" ", "\u00a0")),
    ("narrow_no_break_space", NAME, lambda v: v.replace(" ", "\u202f")),
    ("em_and_ideographic_space", NAME, lambda v: v.replace(" ", "\u2003\u3000", 1).replace(" ", "\u1680")),
    ("tab_and_line_break", NAME, lambda v: v.replace(" ", "\t", 1).replace(" ", "\r\n")),
    ("line_separator", NAME, lambda v: v.replace(" ", "\u2028")),
    ("space_runs", NAME, lambda v: v.replace(" ", "   ")),
    ("zero_width_space_in_words", NAME, _inside_words("\u200b")),
    ("zero_width_space_for_space", NAME, lambda v: v.replace(" ", "\u200b")),
    ("zero_width_joiner", NAME, _inside_words("\u200d")),
    ("zero_width_non_joiner", NAME, _inside_words("\u200c")),
    ("word_joiner", NAME, _inside_words("\u2060")),
    ("byte_order_mark", NAME, _inside_words("\ufeff")),
    ("soft_hyphen", NAME, _inside_words("\u00ad")),
    ("bidi_marks", NAME, _inside_words("\u200e\u200f")),
    ("bidi_embedding", NAME, lambda v: "\u202b" + v + "\u202c"),
    ("bidi_override", NAME, lambda v: "\u202e" + v.replace(" ", " \u202d") + "\u202c"),
    ("bidi_isolates", NAME, lambda v: " ".join("\u2067" + w + "\u2069" for w in v.split(" "))),
    ("variation_selector", NAME, _inside_words("\ufe0f")),
    ("full_width", NAME, _full_width),
    ("mathematical_bold", NAME, _math_bold),
    ("ligature", NAME, lambda v: v.replace("ffi", "\ufb03")),
    ("upper_case", NAME, str.upper),
    ("lower_case", NAME, str.lower),
    ("mixed_case", NAME, lambda v: "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(v))),
    ("html_entities", NAME, lambda v: "&#" + str(ord(v[0])) + ";" + v[1:].replace(" ", "&nbsp;")),
    ("html_hex_entities", NAME, lambda v: "".join(f"&#x{ord(c):x};" for c in v)),
    ("url_escapes", NAME, lambda v: v.replace(" ", "%20")),
    ("url_escapes_everywhere", NAME, _percent_encode_all),
    ("json_unicode_escapes", NAME, _json_escape_all),
    ("json_inside_html", NAME, lambda v: html.escape(json.dumps(v.replace(" ", "\u00a0")))),
    ("escaped_quotes_in_json", QUOTED, lambda v: json.dumps(v)[1:-1]),
    ("handle_upper_case", HANDLE_, str.upper),
    ("handle_full_width", HANDLE_, _full_width),
    ("handle_zero_width", HANDLE_, _inside_words("\u200b")),
    ("handle_url_escaped", HANDLE_, lambda v: v.replace("@", "%40")),
    ("handle_html_entity", HANDLE_, lambda v: v.replace("@", "&commat;")),
    ("arabic_tatweel", ARABIC, lambda v: "\u0640".join(v)),
    ("arabic_zero_width_non_joiner", ARABIC, _inside_words("\u200c")),
    ("arabic_letter_mark", ARABIC, _inside_words("\u061c")),
    ("arabic_presentation_forms", ARABIC, _arabic_presentation_forms),
    ("cyrillic_look_alikes", NAME, lambda v: v.translate(CYRILLIC_LOOK_ALIKES)),
    ("cyrillic_capitals", NAME, lambda v: v.upper().translate(CYRILLIC_LOOK_ALIKES)),
    ("greek_look_alikes", NAME, lambda v: v.translate(GREEK_LOOK_ALIKES)),
    ("greek_capitals", NAME, lambda v: v.upper().translate(GREEK_LOOK_ALIKES)),
    ("handle_cyrillic_look_alikes", HANDLE_, lambda v: v.translate(CYRILLIC_LOOK_ALIKES)),
]


def _planted_values() -> list[tuple[str, str, str]]:
    """(spelling class, planted value, the value as written), the value numbered by its class."""
    return [(name, value.format(n=f"{n:02d}"), spell(value.format(n=f"{n:02d}")))
            for n, (name, value, spell) in enumerate(SPELLINGS)]


def _planted_text(written: str) -> str:
    return f"seen by {written}, near the market"


def test_every_spelling_is_found_by_the_python_rule():
    for name, value, written in _planted_values():
        needles = [normal_form(value), normal_form(value).replace(" ", "")]
        index = ProtectedValueIndex(needles)
        assert index.found_in(normal_form(_planted_text(written))), name


PLANTED_SOURCE = "PLANT{n:02d}"


def _plant_raw_row(connection, table: str, id_column: str, values: dict[str, str | None]) -> None:
    """Add a raw row to the demo's raw `table`: a copy of its first row with a clean id, with
    `values` in place of its own."""
    columns = list(values)
    replaced = ", ".join(f"? as {column}" for column in columns)
    connection.execute(
        f"insert into raw.{table} by name select * replace ({replaced}) from raw.{table} "
        f"where {id_column} = (select min(checked.{id_column}) from intermediate.int_{table.removeprefix('raw_')}_validated "
        f"as checked where not checked.is_quarantined) limit 1",
        [values[column] for column in columns])
LEAK_TEST = "assert_no_protected_value_outside_restricted"
RESTRICTED_AND_MASKED = ["restricted_protected_values", "restricted_quarantined_rows", "restricted_sources",
                         "dim_sources", "fct_quarantined_rows", "fct_claims"]
# A clean source whose id is the protected one in lower case, and a clean claim citing it.
NAMESAKE_CLAIM = "PCLEAN"
# The protected source whose id the planted claims cite in other spellings.
CITED_SOURCE_SPELLINGS = [" {id_lower} ", "{id_lower}", "\u3000{id_full_width}\u200b"]


def _planted_source(name: str) -> str:
    return PLANTED_SOURCE.format(n=[spelling for spelling, _, _ in SPELLINGS].index(name))


@pytest.fixture(scope="module")
def planted(demo_build, tmp_path_factory) -> dict:
    """A copy of the demo warehouse where every spelling of SPELLINGS is planted: each value as a
    protected source of its own (PLANT<n>), written in its spelling in a quarantined assessment's
    note and in a mart (fct_incidents.place_as_written); and quarantined claims citing a
    protected source's id in other letter cases and spaces, with links of their own. The
    restricted models and the masked quarantine are rebuilt by dbt, then the leak test runs."""
    workdir = tmp_path_factory.mktemp("planted")
    copy = workdir / "civcas.duckdb"
    shutil.copyfile(demo_build[1], copy)
    spellings = _planted_values()
    with duckdb.connect(str(copy)) as connection:
        (protected_id,) = connection.execute(
            "select min(source_id) from restricted.restricted_sources where is_protected").fetchone()
        # Planted as raw rows, each a copy of a clean row with the planted values, so that the
        # warehouse treats them as it treats any row (the raw record is rebuilt from raw).
        for n, (name, value, written) in enumerate(spellings):
            source_id = _planted_source(name)
            for handle in ("@planted_a", "@planted_b"):  # one id, two contents: quarantined
                _plant_raw_row(connection, "raw_sources", "source_id", {
                    "source_id": source_id, "source_name": value, "source_handle": handle, "source_url": None,
                    "is_protected": "true"})
            _plant_raw_row(connection, "raw_incident_assessments", "assessment_id", {
                "assessment_id": f"PA{n:02d}", "grade": "x", "assessor_note": _planted_text(written)})
        cited = [spelling.format(id_lower=protected_id.lower(), id_full_width=_full_width(protected_id))
                 for spelling in CITED_SOURCE_SPELLINGS]
        for n, source_id in enumerate(cited):
            _plant_raw_row(connection, "raw_claims", "claim_id", {
                "claim_id": f"PC{n}", "source_id": source_id, "report_url": f"https://planted.example/report/{n}",
                "archive_url": None, "date_reported": "not a date"})  # quarantined: unparseable_date
        _plant_raw_row(connection, "raw_sources", "source_id", {
            "source_id": protected_id.lower(), "source_name": "Namesake Source", "source_handle": None,
            "source_url": None, "is_protected": "false"})
        _plant_raw_row(connection, "raw_claims", "claim_id", {
            "claim_id": NAMESAKE_CLAIM, "source_id": protected_id.lower(),
            "report_url": "https://planted.example/namesake", "archive_url": "https://archive.example/namesake"})
    target = workdir / "target"
    rebuilt = run_dbt(["run", "--full-refresh"], PROJECT_DIR, copy, target)
    assert rebuilt.success, rebuilt.exception
    with duckdb.connect(str(copy)) as connection:
        incidents = [code for (code,) in connection.execute(
            "select incident_code from main.fct_incidents order by incident_code limit ?", [len(spellings)]).fetchall()]
        for code, (_, _, written) in zip(incidents, spellings, strict=True):
            connection.execute("update main.fct_incidents set place_as_written = ? where incident_code = ?",
                               [_planted_text(written), code])
    tested = run_dbt(["test", "--select", LEAK_TEST], PROJECT_DIR, copy, target)
    (leak_result,) = tested.result.results
    compiled = next((target / "compiled").rglob(f"{LEAK_TEST}.sql")).read_text(encoding="utf-8")
    with duckdb.connect(str(copy), read_only=True) as connection:
        register_sql_function(connection)
        owners = dict(connection.execute(
            "select protected_value, source_id from restricted.restricted_protected_values").fetchall())
        leaks = [(model, column, owners[value]) for model, column, value, _ in connection.execute(compiled).fetchall()]
        quarantine = {(table, record_id): (record, reason) for table, record_id, record, reason in connection.execute(
            "select raw_table, record_id, raw_record, quarantine_reason from main.fct_quarantined_rows "
            "where record_id like 'PLANT%' or record_id like 'PA%' or record_id like 'PC%'").fetchall()}
        namesake_claim = connection.execute(
            "select report_url, archive_url, is_source_protected from main.fct_claims where claim_id = ?",
            [NAMESAKE_CLAIM]).fetchone()
        protected_values = load_protected_values(connection)
        catalog = connection.execute("select current_database()").fetchone()[0]
        database_found, _ = find_protected_values(connection, catalog)
    return {"leak_status": str(leak_result.status), "leak_failures": leak_result.failures, "leaks": leaks,
            "quarantine": quarantine, "values": protected_values, "database_found": database_found,
            "protected_id": protected_id, "cited": cited, "namesake_claim": namesake_claim}


def _classes(source_ids) -> set[str]:
    by_source = {_planted_source(name): name for name, _, _ in SPELLINGS}
    return {by_source[source] for source in source_ids if source in by_source}


ALL_SPELLINGS = {name for name, _, _ in SPELLINGS}


def test_the_dbt_leak_test_catches_every_spelling(planted):
    assert planted["leak_status"] == "fail"
    in_mart = _classes(source for model, column, source in planted["leaks"]
                       if (model, column) == ("fct_incidents", "place_as_written"))
    assert sorted(ALL_SPELLINGS - in_mart) == []
    # and nothing else leaks: the quarantine withheld every planted note and link
    assert {model for model, _, _ in planted["leaks"]} == {"fct_incidents"}


def test_the_quarantine_withholds_every_spelling(planted):
    quarantine = planted["quarantine"]
    missed = [name for n, (name, _, _) in enumerate(SPELLINGS)
              if "withheld" not in quarantine["raw_incident_assessments", f"PA{n:02d}"][0]]
    assert missed == []


def test_a_claim_citing_a_protected_id_in_any_case_or_spacing_withholds_its_links(planted):
    quarantine = planted["quarantine"]
    for n, cited in enumerate(planted["cited"]):
        record = json.loads(quarantine["raw_claims", f"PC{n}"][0])
        assert record["report_url"] == "[withheld: protected source]", cited
        assert record["source_id"] == cited  # the row and its key stay
    # its links are protected values, so every check looks for them elsewhere too
    links = {value.value: value.source_id for value in planted["values"] if value.value_kind == "report_url"}
    for n, cited in enumerate(planted["cited"]):
        # under the id as staging cleaned it, which names the protected source
        assert normal_form(links[f"https://planted.example/report/{n}"]) == normal_form(planted["protected_id"]), cited


def test_a_clean_claim_of_a_clean_namesake_of_a_protected_id_withholds_its_links(planted):
    """fct_claims reads protection as the restricted models do: a clean source 'src0155'
    beside a protected 'SRC0155' is protected, so its claims show no link (the leak test
    above also finds no link in fct_claims)."""
    assert planted["namesake_claim"] == (None, None, True)


def test_the_database_scan_catches_every_spelling(planted):
    found = planted["database_found"]
    in_mart = _classes(f.source_id for f in found if (f.table, f.column) == ("fct_incidents", "place_as_written"))
    assert sorted(ALL_SPELLINGS - in_mart) == []
    assert {f.table for f in found if f.schema != "intermediate" and f.schema != "raw"
            and f.schema != "staging"} == {"fct_incidents"}


def test_the_folder_scan_catches_every_spelling(planted, tmp_path):
    for name, _, written in _planted_values():
        with (tmp_path / f"{name}.csv").open("w", encoding="utf-8", newline="") as file:
            csv.writer(file).writerows([["incident_code", "note"], ["CS1", _planted_text(written)]])
        (tmp_path / f"{name}.html").write_text(f"<p>{html.escape(_planted_text(written))}</p>", encoding="utf-8")
        (tmp_path / f"{name}.json").write_text(json.dumps({"note": _planted_text(written)}), encoding="utf-8")
    hits = scan_folder(tmp_path, planted["values"]).hits
    for suffix in (".csv", ".html", ".json"):
        found = _classes(hit.source_id for hit in hits if hit.path.endswith(suffix)
                         and hit.path.removesuffix(suffix) == _name_of(hit.source_id))
        assert sorted(ALL_SPELLINGS - found) == [], suffix


def _name_of(source_id: str) -> str:
    return next(name for name, _, _ in SPELLINGS if _planted_source(name) == source_id)


def test_nfkc_makes_no_invisible_character_but_tatweel():
    """normal_form removes invisible characters before NFKC and only tatweel after it: no
    character NFKC and case folding can turn into another invisible one."""
    from civcas.normal_form import TATWEEL, _patterns

    invisible, _ = _patterns()
    made = set()
    for code in range(0x110000):
        character = chr(code)
        if 0xD800 <= code <= 0xDFFF or invisible.search(character):
            continue
        folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", character).casefold())
        made.update(invisible.findall(folded))
    assert made <= {TATWEEL}
