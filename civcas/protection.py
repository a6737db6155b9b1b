"""Scan a release folder for protected source values before it is published.

A release must never reveal a protected source (DOMAIN.md, "Publication"). The
warehouse keeps every value that identifies a protected source (its name, handle,
link, ...) in ``restricted.restricted_protected_values`` (``protected_value``,
``value_kind``, ``source_id``). ``civcas release`` scans EVERY file of the release
it is about to publish, and every file and folder name, for every one of those
values, and refuses to publish on a single hit.

How a file is read, so that a value cannot hide behind an encoding:

- text files (CSV, Markdown, JSON, SVG, HTML, JS, CSS, TXT, SHA256SUMS, ...) are
  decoded as UTF-8; the normal form (below) undoes the escapes a value may be written
  with in a web page or JSON document: HTML entities (``&#39;``, ``&amp;``), JSON
  escapes (dbt's static docs embed the manifest as JSON, where a non-ASCII name may be
  ``\\u0627...``) and URL percent-encoding (``%20``);
- Parquet files: every value of every column (cast to text), the column names and
  the key-value metadata (compressed pages hide text from a byte scan);
- PNG files: their text chunks (tEXt, zTXt, iTXt). Pixels cannot be scanned, so
  a chart PNG is published only with its SVG twin (same figure, text kept as
  text), and the twin is scanned;
- any other file (fonts, images and icons of the data docs): as UTF-8 text when it
  decodes, else its raw bytes, searched for each value's UTF-8 bytes (ASCII letters
  case-insensitively), which finds any value stored there as text.

Matching is by whole tokens, the rule of the dbt checks (macro
``protected_value_occurrences`` in macros/protected_sources.sql, doc block
``protected_value_match``): both sides are compared in the one normal form of
``civcas.normal_form`` (escapes undone, NFKC and case folding, invisible characters
removed, every Unicode space one space), which the dbt checks call as the DuckDB function
``civcas_normal_form``; a word character is a Unicode letter, combining mark or number, or ``_``; a value
occurs where the text contains it and the match does not cut a word (when the value
begins with a word character the character before the match is not one, when it
ends with one the character after is not one). So ``@demo_medic_92`` occurs in
``see @demo_medic_92, ...`` and before ``/status/1``, never inside
``@demo_medic_92_4``. The search is linear in the size of the texts: every value gets
one anchor (the token, or pair of adjacent tokens, the fewest values share), a text
is cut into tokens once and looked up in the anchors (a set intersection), the tokens
around an anchor are compared with the value's, and only then is the value checked,
at every place it starts. In binary files (fonts, images) each value's UTF-8 bytes
are found as a plain substring: next to a value, the bytes of a font say nothing about
where a word ends. Values shorter than ``MIN_PROTECTED_LENGTH`` (4) characters after trimming
are not searched in files: a 1-3 character string ("al",
"@ab", "12") is an ordinary word, number or piece of markup, so it would fail every
release without pointing at a leak; no protected name, handle or link is that short in
practice, and the number skipped is reported. (The published database is checked by
``DatabaseScan``: the same rule, short values as whole cells.)

A hit names the file, the value kind and the source id, never the value itself
(the scan's own output must not leak it).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import struct
import sys
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from civcas.normal_form import normal_form, register_sql_function, sql_normal_form

MIN_PROTECTED_LENGTH = 4
PROTECTED_VALUES_RELATION = "restricted.restricted_protected_values"

TEXT_SUFFIXES = frozenset({
    ".csv", ".md", ".txt", ".json", ".svg", ".html", ".htm", ".js", ".css", ".xml", ".yml", ".yaml", ".tsv",
})
# Files without a suffix that the release writes as text.
TEXT_NAMES = frozenset({"SHA256SUMS"})
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class ProtectedValue:
    """One value that identifies a protected source."""

    value: str
    value_kind: str
    source_id: str

    def __repr__(self) -> str:  # never let the value reach a log or a traceback
        return f"ProtectedValue(value_kind={self.value_kind!r}, source_id={self.source_id!r})"


@dataclass(frozen=True)
class ProtectedHit:
    """A protected value found in a release: where, and whose (not the value)."""

    path: str
    value_kind: str
    source_id: str
    in_file_name: bool = False

    def describe(self) -> str:
        where = "the file name" if self.in_file_name else "the contents"
        return f"{self.path}: {where} contain(s) a protected {self.value_kind} of source {self.source_id}"


@dataclass(frozen=True)
class ScanResult:
    """What a scan looked at and what it found."""

    hits: list[ProtectedHit]
    files_scanned: int
    values_searched: int
    values_too_short: int


def searchable_values(values: Iterable[ProtectedValue]) -> tuple[list[tuple[str, ProtectedValue]], int]:
    """The (normalised needle, value) pairs to search for, and how many values were too short."""
    needles: dict[tuple[str, str, str], tuple[str, ProtectedValue]] = {}
    too_short = 0
    for value in values:
        needle = normal_form(value.value.strip())
        if len(needle) < MIN_PROTECTED_LENGTH:
            too_short += 1
            continue
        needles.setdefault((needle, value.value_kind, value.source_id), (needle, value))
    return sorted(needles.values(), key=lambda pair: (pair[1].source_id, pair[1].value_kind, pair[0])), too_short


# --------------------------------------------------------------------------- whole-token matching

# ASCII characters that are not word characters, mapped to a space: an ASCII text is cut
# into tokens by str.translate and str.split, both C loops.
_ASCII_SEPARATORS_TO_SPACE = str.maketrans({
    chr(code): " " for code in range(128) if not (chr(code).isalnum() or chr(code) == "_")
})


@functools.cache
def word_characters() -> str:
    """The word characters (Unicode letters, marks and numbers, and ``_``) as the inside of a
    regular-expression character class, built once from the Unicode database (Python's
    ``\\w`` has no marks, so an Arabic word with its vowel marks would fall apart)."""
    ranges: list[tuple[int, int]] = []
    for code in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code))[0] in "LMN":
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "_" + "".join(f"\\U{start:08x}-\\U{end:08x}" for start, end in ranges)


@functools.cache
def _separator_runs() -> re.Pattern[str]:
    return re.compile(f"[^{word_characters()}]+")


def is_word_character(character: str) -> bool:
    """True for a letter, combining mark, number or ``_`` (false for '')."""
    return character == "_" or (len(character) == 1 and unicodedata.category(character)[0] in "LMN")


# The same for the UTF-8 bytes of a text: bytes of multi-byte characters stay (they are cut below).
_BYTE_SEPARATORS_TO_SPACE = bytes(
    code if code >= 128 or chr(code).isalnum() or chr(code) == "_" else 32 for code in range(256)
)


def word_tokens(text: str) -> list[str]:
    """The words of `text`: the runs of word characters, in order."""
    if text.isascii():
        return text.translate(_ASCII_SEPARATORS_TO_SPACE).split()
    # Blank the ASCII separators on the UTF-8 bytes (a C loop; str.translate is slow on
    # non-ASCII text); a piece with other characters may still hold non-ASCII separators
    # (Arabic comma, no-break space, ...), and is cut by the full class.
    blanked = text.encode("utf-8", "surrogatepass").translate(_BYTE_SEPARATORS_TO_SPACE)
    split = _separator_runs().split
    tokens: list[str] = []
    for piece in blanked.decode("utf-8", "surrogatepass").split():
        if piece.isascii():
            tokens.append(piece)
        else:
            tokens.extend(token for token in split(piece) if token)
    return tokens


def occurs_in(needle: str, text: str) -> bool:
    """True when `needle` occurs in `text` (both in normal_form) without cutting a word,
    trying every place it starts (occurrences may overlap)."""
    bounded_before = is_word_character(needle[:1])
    bounded_after = is_word_character(needle[-1:])
    start = text.find(needle)
    while start != -1:
        end = start + len(needle)
        if ((not bounded_before or start == 0 or not is_word_character(text[start - 1]))
                and (not bounded_after or end == len(text) or not is_word_character(text[end]))):
            return True
        start = text.find(needle, start + 1)
    return False


class ProtectedValueIndex:
    """Finds which needles (protected values in normal_form) occur in a text as whole tokens,
    in time linear in the text. Each needle is filed under one anchor: the token, or pair of
    adjacent tokens, that the fewest needles share (then a pair before a token, the longer).
    A text is cut into tokens once; where an anchor stands, the tokens around it are compared
    with the needle's tokens (a list comparison), and only a needle whose whole token sequence
    is there is looked for in the text. At a whole-token occurrence every token of the needle
    is a token of the text, so no occurrence is missed. A needle without a letter or number is
    not searched (it identifies no one)."""

    def __init__(self, needles: Iterable[str]) -> None:
        tokens_of: dict[str, list[str]] = {}
        keys_of: dict[str, list[tuple[str, ...]]] = {}
        spread: Counter[tuple[str, ...]] = Counter()
        distinct = set(needles)
        for needle in distinct:
            tokens = word_tokens(needle)
            if tokens:
                keys: list[tuple[str, ...]] = [(token,) for token in tokens]
                keys += zip(tokens, tokens[1:], strict=False)
                tokens_of[needle] = tokens
                keys_of[needle] = keys
                spread.update(set(keys))
        # Which anchor is chosen changes the speed, never the result.
        rank = {key: (count, -len(key), -sum(map(len, key)), key) for key, count in spread.items()}
        # anchor -> (needle, its tokens, where the anchor stands among them)
        self.single: dict[str, list[tuple[str, list[str], int]]] = {}
        self.pairs: dict[tuple[str, str], list[tuple[str, list[str], int]]] = {}
        for needle, keys in keys_of.items():
            anchor = min(keys, key=rank.__getitem__)
            tokens = tokens_of[needle]
            # keys list the tokens first, then the pairs, in order
            position = keys.index(anchor) - (len(tokens) if len(anchor) == 2 else 0)
            if len(anchor) == 1:
                self.single.setdefault(anchor[0], []).append((needle, tokens, position))
            else:
                self.pairs.setdefault((anchor[0], anchor[1]), []).append((needle, tokens, position))
        self._single_keys = set(self.single)
        self._pair_firsts = {first for first, _ in self.pairs}
        self.unsearchable = len(distinct) - len(keys_of)

    def anchor_tokens(self) -> tuple[list[str], list[tuple[str, str]]]:
        """The single-token anchors and the token-pair anchors."""
        return sorted(self.single), sorted(self.pairs)

    def candidates(self, tokens: list[str]) -> set[str]:
        """The needles whose whole token sequence is in `tokens` (the word_tokens of one text)."""
        present = set(tokens)
        singles = present & self._single_keys
        firsts = present & self._pair_firsts
        found: set[str] = set()
        if not singles and not firsts:
            return found
        last = len(tokens) - 1
        for position, token in enumerate(tokens):
            filed = self.single.get(token, ()) if token in singles else ()
            if token in firsts and position < last:
                filed = [*filed, *self.pairs.get((token, tokens[position + 1]), ())]
            for needle, needle_tokens, anchor_position in filed:
                start = position - anchor_position
                if start >= 0 and tokens[start:start + len(needle_tokens)] == needle_tokens:
                    found.add(needle)
        return found

    def found_in(self, text: str) -> set[str]:
        """The needles that occur in `text` (in normal_form) as whole tokens."""
        return {needle for needle in self.candidates(word_tokens(text)) if occurs_in(needle, text)}


def _png_text(data: bytes) -> str:
    """The text chunks of a PNG (keywords and values)."""
    texts: list[str] = []
    position = len(PNG_SIGNATURE)
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        position += 12 + length
        if kind == b"tEXt":
            texts.append(body.decode("latin-1"))
        elif kind == b"zTXt":
            keyword, _, rest = body.partition(b"\x00")
            texts.append(keyword.decode("latin-1") + "\n" + zlib.decompress(rest[1:]).decode("latin-1"))
        elif kind == b"iTXt":
            keyword, _, rest = body.partition(b"\x00")
            compressed, rest = rest[0], rest[2:]
            _language, _, rest = rest.partition(b"\x00")
            _translated, _, value = rest.partition(b"\x00")
            if compressed:
                value = zlib.decompress(value)
            texts.append(keyword.decode("latin-1") + "\n" + value.decode("utf-8", "replace"))
        elif kind == b"IEND":
            break
    return "\n".join(texts)


def _parquet_text(path: Path) -> str:
    """Every value of every column of a Parquet file as text, plus its names and metadata."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    parts = [" ".join(table.column_names)]
    for key, value in (table.schema.metadata or {}).items():
        parts.append(key.decode("utf-8", "replace") + " " + value.decode("utf-8", "replace"))
    for column in table.columns:
        if pa.types.is_nested(column.type):
            values = [json.dumps(v, default=str, ensure_ascii=False) for v in column.to_pylist() if v is not None]
        else:
            values = [v for v in pc.cast(column, pa.string()).to_pylist() if v is not None]
        parts.append("\n".join(values))
    return "\n".join(parts)


def file_texts(path: Path) -> list[str] | None:
    """The texts of one file to search (see the module docstring for each kind); None for a
    binary file of another kind, whose bytes are searched instead."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return [_parquet_text(path)]
    data = path.read_bytes()
    if suffix == ".png" or data.startswith(PNG_SIGNATURE):
        return [_png_text(data)]
    if suffix in TEXT_SUFFIXES or path.name in TEXT_NAMES:
        text = data.decode("utf-8", errors="replace")
        if suffix in (".csv", ".tsv"):
            # its cells too: a quote inside a value is doubled in the file
            dialect = csv.excel_tab if suffix == ".tsv" else csv.excel
            try:
                cells = "\n".join("\t".join(row) for row in csv.reader(io.StringIO(text), dialect))
            except csv.Error:  # e.g. a field over the csv module's limit: undo the doubling alone
                cells = text.replace('""', '"')
            return [text, cells]
        return [text]
    try:
        return [data.decode("utf-8")]
    except UnicodeDecodeError:
        return None


def release_files(folder: Path) -> Iterator[Path]:
    """Every file under `folder`, in a stable order."""
    yield from sorted(p for p in folder.rglob("*") if p.is_file())


def unscannable_rasters(folder: Path) -> list[str]:
    """PNG files under charts/ without an SVG twin (their pixels cannot be scanned)."""
    return sorted(
        str(p.relative_to(folder)) for p in release_files(folder)
        if p.suffix.lower() == ".png" and not p.with_suffix(".svg").is_file()
        and p.relative_to(folder).parts[0] == "charts"
    )


class _NeedleIndex:
    """A ProtectedValueIndex whose hits are named by (value_kind, source_id)."""

    def __init__(self, needles: Sequence[tuple[str, ProtectedValue]]) -> None:
        self._values: dict[str, list[ProtectedValue]] = {}
        for needle, value in needles:
            self._values.setdefault(needle, []).append(value)
        self.index = ProtectedValueIndex(self._values)

    def found_in(self, folded: str) -> set[tuple[str, str]]:
        """(value_kind, source_id) of every needle that occurs in the normalised text."""
        return {(value.value_kind, value.source_id)
                for needle in self.index.found_in(folded) for value in self._values[needle]}


class _BinaryNeedleIndex:
    """Finds needles as plain substrings of binary data: next to a value, the bytes of a font or
    an image say nothing about where a word ends. Linear in the data: each needle is filed
    under one 4-byte piece (the end of its rare anchor token, so that few needles share a
    piece) and its offset; the data's 4-byte windows are matched against the pieces at once
    (numpy), and only the needles of the pieces met are compared."""

    def __init__(self, needles: Sequence[tuple[str, ProtectedValue]], index: ProtectedValueIndex) -> None:
        """`needles` as (text needle, value) and `index` the ProtectedValueIndex of the text needles."""
        import numpy as np

        self._values: dict[bytes, list[ProtectedValue]] = {}
        for needle, value in needles:
            self._values.setdefault(needle.encode("utf-8"), []).append(value)
        anchored = {needle: pair[-1] for pair, group in index.pairs.items() for needle, _, _ in group}
        anchored.update((needle, token) for token, group in index.single.items() for needle, _, _ in group)
        self._pieces: dict[int, list[tuple[bytes, int]]] = {}
        for needle in self._values:
            text = needle.decode("utf-8")
            token = anchored.get(text, text).encode("utf-8")  # no word token: filed under its end
            end = needle.find(token) + len(token)
            offset = max(0, end - MIN_PROTECTED_LENGTH)
            piece = needle[offset:offset + MIN_PROTECTED_LENGTH]
            if len(piece) == MIN_PROTECTED_LENGTH:  # a needle of fewer bytes is too short to search
                self._pieces.setdefault(int.from_bytes(piece, "little"), []).append((needle, offset))
        self._codes = np.array(sorted(self._pieces), dtype=np.uint32)

    def found_in(self, data: bytes) -> set[tuple[str, str]]:
        """(value_kind, source_id) of every needle in `data` (bytes, ASCII letters lower-cased)."""
        import numpy as np

        found: set[tuple[str, str]] = set()
        if len(data) < MIN_PROTECTED_LENGTH or not len(self._codes):
            return found
        octets = np.frombuffer(data, dtype=np.uint8).astype(np.uint32)
        windows = octets[:-3] | (octets[1:-2] << 8) | (octets[2:-1] << 16) | (octets[3:] << 24)
        for position in np.flatnonzero(np.isin(windows, self._codes)).tolist():
            for needle, offset in self._pieces[int(windows[position])]:
                if position >= offset and data.startswith(needle, position - offset):
                    found.update((value.value_kind, value.source_id) for value in self._values[needle])
        return found


def scan_folder(folder: Path, values: Sequence[ProtectedValue], only: Iterable[Path] | None = None) -> ScanResult:
    """Search every file (contents and names) under `folder`, or only the files `only`, for every
    protected value."""
    needles, too_short = searchable_values(values)
    index = _NeedleIndex(needles)
    # Binary files: the needles' UTF-8 bytes, ASCII letters folded (bytes.lower() folds only those).
    byte_index = _BinaryNeedleIndex(needles, index.index)
    hits: list[ProtectedHit] = []
    files = list(release_files(folder)) if only is None else sorted(Path(p) for p in only)
    for path in files:
        # A file's path holds the names of the folders above it.
        relative = path.relative_to(folder).as_posix()
        found_in_name = index.found_in(normal_form(relative))
        hits.extend(ProtectedHit(relative, kind, source, in_file_name=True) for kind, source in sorted(found_in_name))
        found: set[tuple[str, str]] = set()
        texts = file_texts(path)
        if texts is None:
            found = byte_index.found_in(path.read_bytes().lower())
        for text in texts or ():
            found |= index.found_in(normal_form(text))
        hits.extend(ProtectedHit(relative, kind, source) for kind, source in sorted(found))
    return ScanResult(hits=hits, files_scanned=len(files), values_searched=len(needles), values_too_short=too_short)


# --------------------------------------------------------------------------- the published database

# The word separators in DuckDB's regular expressions (RE2): the same classes as word_characters().
_SQL_SEPARATOR_RUNS = r"[^\pL\pM\pN_]+"


class DatabaseScan:
    """Checks the text cells of a DuckDB database for protected values (the publish check),
    by the rule above: a value of at least MIN_PROTECTED_LENGTH characters as whole tokens; a
    shorter one only as a whole cell, since it is an ordinary word. Build it once for all the
    tables to check."""

    def __init__(self, values: Sequence[ProtectedValue]) -> None:
        self._needles: dict[str, list[ProtectedValue]] = {}
        self._short: dict[str, list[ProtectedValue]] = {}
        for value in values:
            needle = normal_form(value.value.strip())
            if needle:
                group = self._needles if len(needle) >= MIN_PROTECTED_LENGTH else self._short
                group.setdefault(needle, []).append(value)
        self._index = ProtectedValueIndex(self._needles)
        single, pairs = self._index.anchor_tokens()
        # DuckDB lists must not be empty to type the parameters; '' is no token
        self._parameters = {
            "single": single or [""],
            "pair_first": [first for first, _ in pairs] or [""],
            "pair_second": [second for _, second in pairs] or [""],
            "short": sorted(self._short) or [""],
        }

    @property
    def values_searched(self) -> int:
        return len(self._needles) + len(self._short)

    def occurrences(self, connection, cells_sql: str) -> list[tuple[str, str, str, int]]:
        """Every (column_name, value_kind, source_id, rows) where a protected value occurs in the
        cells of `cells_sql` (a query with the columns column_name and cell); rows counts the
        rows holding a value of that kind and source. DuckDB cuts the cells into tokens and keeps
        those that meet an anchor (a hash join, no pass per value); Python then checks those few
        cells."""
        register_sql_function(connection)
        candidates = connection.execute(
            f"""
            with cells as (
                select column_name, {sql_normal_form('cell')} as cell, count(*) as cell_rows
                from ({cells_sql}) as scanned
                where cell is not null
                group by all
            ),
            tokens as (
                select column_name, cell, cell_rows, unnest(token_list) as token, unnest(token_list[2:]) as next_token
                from (select *, string_split_regex(cell, '{_SQL_SEPARATOR_RUNS}') as token_list from cells) as cut
            ),
            single_anchors as (select distinct unnest($single) as anchor_token),
            pair_anchors as (
                select distinct unnest($pair_first) as anchor_token, unnest($pair_second) as anchor_next_token
            )
            select distinct tokens.column_name, tokens.cell, tokens.cell_rows
            from tokens
            left join single_anchors on tokens.token = single_anchors.anchor_token
            left join pair_anchors
                on tokens.token = pair_anchors.anchor_token and tokens.next_token = pair_anchors.anchor_next_token
            where
                single_anchors.anchor_token is not null
                or pair_anchors.anchor_token is not null
                or list_contains($short, tokens.cell)
            """,
            self._parameters,
        ).fetchall()
        counts: dict[tuple[str, str, str], int] = {}
        for column, cell, cell_rows in candidates:
            found = self._index.found_in(cell) | ({cell} if cell in self._short else set())
            for kind, source in {(value.value_kind, value.source_id) for needle in found
                                 for value in self._needles.get(needle, self._short.get(needle, []))}:
                counts[(column, kind, source)] = counts.get((column, kind, source), 0) + cell_rows
        return [(column, kind, source, rows) for (column, kind, source), rows in sorted(counts.items())]


def database_occurrences(connection, cells_sql: str,
                         values: Sequence[ProtectedValue]) -> list[tuple[str, str, str, int]]:
    """DatabaseScan(values).occurrences(connection, cells_sql), for one query."""
    return DatabaseScan(values).occurrences(connection, cells_sql)


def load_protected_values(connection) -> list[ProtectedValue]:
    """The protected values from the warehouse (a DuckDB connection); raises LookupError when the table is missing."""
    exists = connection.execute(
        "select count(*) from information_schema.tables where table_schema = 'restricted' "
        "and table_name = 'restricted_protected_values'"
    ).fetchone()[0]
    if not exists:
        raise LookupError(f"{PROTECTED_VALUES_RELATION} is not in the warehouse; build it with dbt build "
                          "(a release cannot be checked for protected sources without it)")
    rows = connection.execute(
        f"select protected_value, value_kind, source_id from {PROTECTED_VALUES_RELATION} "
        "where protected_value is not null"
    ).fetchall()
    return [ProtectedValue(str(value), str(kind), str(source)) for value, kind, source in rows]
