"""The one normal form in which protected values and texts are compared.

Every check for a protected source (the dbt leak test and the masking of
``fct_quarantined_rows`` through the DuckDB function ``civcas_normal_form``, the publish
scan and the release scan in ``civcas.protection``) compares ``normal_form(value)`` with
``normal_form(text)``. The rule is what a reader sees, so a value cannot hide behind an
encoding or an invisible character:

1. escapes are undone, repeatedly (a JSON string inside a web page is escaped twice):
   HTML entities (``&amp;``, ``&#39;``, ``&nbsp;``), JSON escapes (``\\uXXXX`` with
   surrogate pairs, ``\\"``, ``\\\\``, ``\\/``, ``\\n``, ...) and URL escapes (``%20``)
   (a CSV file's doubled quotes are undone where the release scan reads its cells);
2. Unicode compatibility normalisation and case folding (NFKC, casefold, NFKC again):
   full-width letters, mathematical alphanumerics, ligatures, circled and superscript
   forms become plain letters, ``ß`` becomes ``ss``;
3. invisible characters are removed: every format character (category Cf: zero-width
   space, joiner and non-joiner, soft hyphen, word joiner, bidi marks, embeddings and
   isolates, BOM, tags, ...), every control character that is not a space, Arabic tatweel
   (U+0640) and the other default-ignorable characters (variation selectors, combining
   grapheme joiner, Hangul fillers);
4. look-alike letters from other scripts are read as the ASCII they imitate: every non-ASCII
   letter or digit (after step 2) that Unicode's confusables data (UTS #39 confusables.txt,
   as bundled by the package ``confusable-homoglyphs``) maps to ASCII letters or digits
   becomes that ASCII, case folded (Cyrillic ``а``, Greek ``ο``, Armenian ``օ``, Cherokee
   ``Ꭺ``, Latin ``ı`` ...). A lower-case letter without a prototype of its own takes its
   capital's (Cyrillic ``м`` reads as ``m``, like ``М``), so case still does not matter.
   Not the Arabic script: there a letter is a letter of the word, and Arabic-Indic digits
   are digits (``٥`` is five, not ``o``), so Arabic words never turn half Latin (an Arabic
   name is still found in Arabic text, both read alike). Only letters and digits become
   letters and digits, so no word boundary moves (the whole-token match is unchanged);
   ASCII is never changed, so the fast path below holds;
5. every Unicode space (categories Zs, Zl, Zp; tab, line and page breaks) becomes a space,
   runs of them one space, and the ends are trimmed;
6. look-alike apostrophes, quotes and dashes read as the ASCII ones (``PUNCTUATION_LOOK_ALIKES``):
   a transliterated name is written ``Mu'ath``, ``Mu’ath`` or ``Muʼath``, ``Al-Bab`` or
   ``Al‐Bab``, and a reader takes them for one name. Word boundaries only gain a separator
   where a modifier letter apostrophe stood, on the value's side as on the text's.

Plain printable ASCII without ``%``, ``&`` or ``\\`` (most texts) needs only step 5 and
lower case (no escape to undo, NFKC and case folding of ASCII are lower case, no invisible
character, no look-alike: step 4 maps non-ASCII characters only); ``is_fast_path`` says
so, and the dbt macro ``match_normal_form`` does the same in SQL for those texts
(tests/python/test_protection.py checks that Python, the macro and ``sql_normal_form``
agree).
"""

from __future__ import annotations

import functools
import html
import importlib.resources
import json
import re
import sys
import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

# Plain printable ASCII without the characters that start an escape: the fast path. The SQL
# side (macro default__match_normal_form) uses the same class.
FAST_PATH_CLASS = r"[\x20-\x24\x27-\x5b\x5d-\x7e]"
_FAST_PATH = re.compile(f"{FAST_PATH_CLASS}*")

# Control characters that separate words (tab, line and page breaks, the information
# separators, NEL): spaces, like categories Zs, Zl and Zp.
_SPACE_CONTROLS = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85"
# Invisible characters outside Cf (Default_Ignorable_Code_Point, and Arabic tatweel, a
# letter modifier that only stretches a word).
TATWEEL = "\u0640"
_OTHER_IGNORABLES = [
    (0x034F, 0x034F), (0x0640, 0x0640), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F),
    (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xE0100, 0xE01EF),
]

_OTHER_IGNORABLE_CHARACTERS = re.compile(
    "[" + "".join(f"\\U{start:08x}-\\U{end:08x}" for start, end in _OTHER_IGNORABLES) + "]+")
_JSON_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|([\"\\/bfnrt]))")
_JSON_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_URL_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_HTML_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);?")
_SPACE_RUNS = re.compile(" {2,}")
# Step 6, as step 2 leaves them (NFKC already makes full-width ＇ ＂ － ASCII, and ´ a space
# and an accent). Modifier letters used as apostrophes or for the Arabic ayn and hamza (ʼ ʻ ʿ
# ʾ) are included: transliterations write them and a plain ' for one letter.
PUNCTUATION_LOOK_ALIKES = str.maketrans({
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u2035\u02b9\u02bb\u02bc\u02bd\u02be\u02bf\u02c8\ua78c", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u2036\u02ba\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212", "-"),
})
_UNESCAPE_ROUNDS = 4


def _character_class(codes: list[int]) -> str:
    """`codes` (sorted) as the inside of a regular-expression character class, in ranges."""
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(f"\\U{start:08x}-\\U{end:08x}" for start, end in ranges)


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The invisible characters (to remove) and the runs of spaces (to make one ' '), built
    once from the Unicode database (str.translate with a table is slower on long texts)."""
    spaces: list[int] = []
    invisible: list[int] = []
    for code in range(sys.maxunicode + 1):
        category = unicodedata.category(chr(code))
        if category in ("Zs", "Zl", "Zp") or chr(code) in _SPACE_CONTROLS:
            spaces.append(code)
        elif category in ("Cf", "Cc", "Cs"):
            invisible.append(code)
    invisible = sorted({*invisible, *(c for start, end in _OTHER_IGNORABLES for c in range(start, end + 1))})
    return re.compile(f"[{_character_class(invisible)}]+"), re.compile(f"[{_character_class(spaces)}]+")


# The package whose bundled confusables.txt data (as JSON) gives the look-alikes of step 4,
# and the scripts whose letters are never read as look-alikes (module docstring).
CONFUSABLES_PACKAGE = "confusable_homoglyphs"
NATIVE_SCRIPTS = frozenset({"ARABIC"})


def _is_ascii_word(text: str) -> bool:
    return text.isascii() and text.isalnum()


def _folded(text: str) -> str:
    """Step 2 of the normal form (NFKC, case folding, NFKC)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


@functools.cache
def look_alikes() -> dict[int, str]:
    """The look-alike table of step 4 (a str.translate table): each non-ASCII letter or digit
    as step 2 leaves it, to the case-folded ASCII its confusables.txt prototype is. Built once
    from the package's data; confusables.json lists, under each prototype, the characters
    that map to it (right-to-left ones wrapped in left-to-right marks)."""
    from confusable_homoglyphs.categories import alias

    data = json.loads((importlib.resources.files(CONFUSABLES_PACKAGE) / "confusables.json")
                      .read_text(encoding="utf-8"))
    own: dict[str, str] = {}
    from_capital: dict[str, str] = {}
    for prototype, homoglyphs in sorted(data.items()):
        if not _is_ascii_word(prototype):
            continue
        for homoglyph in homoglyphs:
            character = homoglyph["c"].replace("\u200e", "")
            folded = _folded(character)
            if (len(character) != 1 or character.isascii() or len(folded) != 1 or folded.isascii()
                    or unicodedata.category(folded)[0] not in "LN"
                    or {alias(character), alias(folded)} & NATIVE_SCRIPTS):
                continue
            # a character already in step 2's form has its own prototype; a capital lends its
            # prototype to its lower case only where that has none (Greek Η is H, η stays n)
            target = own if folded == character else from_capital
            target.setdefault(folded, prototype.casefold())
    return {ord(character): ascii_form for character, ascii_form in {**from_capital, **own}.items()}


@functools.cache
def _look_alike_characters() -> frozenset[str]:
    """The characters of look_alikes(): most non-ASCII texts (Arabic) hold none, and looking
    for them (a set) costs less than translating every text (a regular expression, with its
    characters beyond the BMP, costs more)."""
    return frozenset(map(chr, look_alikes()))


def is_fast_path(text: str) -> bool:
    """True for plain printable ASCII without '%', '&' or '\\': only lower case and spaces apply."""
    return _FAST_PATH.fullmatch(text) is not None


def _unescape_json(text: str) -> str:
    if "\\" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        code, simple = match.groups()
        return chr(int(code, 16)) if code else _JSON_SIMPLE[simple]

    # A surrogate pair comes out as two lone surrogates: join them into one character.
    unescaped = _JSON_ESCAPE.sub(replace, text)
    return unescaped.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _unescape_html(text: str) -> str:
    return html.unescape(text) if "&" in text and _HTML_ENTITY.search(text) else text


def _unescape_url(text: str) -> str:
    return unquote(text, errors="replace") if "%" in text and _URL_ESCAPE.search(text) else text


_UNESCAPES: tuple[Callable[[str], str], ...] = (_unescape_html, _unescape_json, _unescape_url)


def _collapse(text: str) -> str:
    return _SPACE_RUNS.sub(" ", text).strip(" ")


def normal_form(text: str) -> str:
    """`text` in the form protected values and texts are compared in (module docstring)."""
    if is_fast_path(text):
        return _collapse(text.lower())
    return full_normal_form(text)


def full_normal_form(text: str) -> str:
    """normal_form without the fast path (the same result on any text)."""
    for _ in range(_UNESCAPE_ROUNDS):
        unescaped = text
        for unescape in _UNESCAPES:
            unescaped = unescape(unescaped)
        if unescaped == text:
            break
        text = unescaped
    # Invisible characters go before NFKC (a soft hyphen between a letter and its accent
    # would stop them composing); compatibility forms may make spaces, so those come after.
    text = _folded(_visible(text))
    # of the invisible characters, NFKC makes only tatweel (from Arabic presentation forms)
    text = text.replace(TATWEEL, "")
    if not text.isascii() and not _look_alike_characters().isdisjoint(text):
        # an accent after a look-alike may now compose with its ASCII letter (a fixed point)
        text = unicodedata.normalize("NFKC", text.translate(look_alikes()))
    if not text.isascii():
        text = text.translate(PUNCTUATION_LOOK_ALIKES)
    if not text.isprintable():
        text = _patterns()[1].sub(" ", text)
    return _collapse(text)


def _visible(text: str) -> str:
    """`text` without its invisible characters. A printable text (str.isprintable: no Cc, Cf,
    Cs, and no space but ' ') can hold only the few ignorable letters and marks, so the large
    character class is searched only in the others (it is slow on long texts)."""
    if text.isprintable():
        return _OTHER_IGNORABLE_CHARACTERS.sub("", text)
    return _patterns()[0].sub("", text)


def normal_form_or_none(text: str | None) -> str | None:
    """normal_form, passing None through (the SQL function's null handling)."""
    return None if text is None else normal_form(text)


# --------------------------------------------------------------------------- the DuckDB function

SQL_FUNCTION = "civcas_normal_form"


def _normal_form_batch(texts: Any) -> Any:
    """normal_form of a batch of texts: a pyarrow array in, one out (DuckDB's vectorised
    function; DuckDB evaluates the annotations, so pyarrow is not named in them)."""
    import pyarrow as pa

    return pa.array([normal_form_or_none(text) for text in texts.to_pylist()], type=pa.string())


def register_sql_function(connection) -> None:
    """Make `civcas_normal_form(varchar) -> varchar` (this module's normal_form) callable in
    SQL on a DuckDB connection (and its cursors); the macro match_normal_form calls it for
    texts off the fast path. Registering twice is harmless."""
    from duckdb import sqltypes

    registered = connection.execute(
        "select count(*) from duckdb_functions() where function_name = ?", [SQL_FUNCTION]
    ).fetchone()[0]
    if not registered:
        connection.create_function(SQL_FUNCTION, _normal_form_batch, [sqltypes.VARCHAR], sqltypes.VARCHAR,
                                   type="arrow", side_effects=False)


def sql_normal_form(expression: str) -> str:
    """The SQL (DuckDB) of normal_form applied to `expression`: the fast path in SQL, else the
    function civcas_normal_form. The same as the dbt macro default__match_normal_form, for the
    publish scan, which runs without dbt (test_protection checks that the three agree)."""
    return (f"case when regexp_full_match({expression}, '{FAST_PATH_CLASS}*') "
            f"then trim(case when contains({expression}, '  ') "
            f"then regexp_replace(lower({expression}), ' {{2,}}', ' ', 'g') else lower({expression}) end) "
            f"else {SQL_FUNCTION}({expression}) end")
