"""Scan a release folder for protected source values before it is published.

A release must never reveal a protected source (DOMAIN.md, "Publication"). The
warehouse keeps every value that identifies a protected source (its name, handle,
link, ...) in ``restricted.restricted_protected_values`` (``protected_value``,
``value_kind``, ``source_id``). ``civcas release`` scans EVERY file of the release
it is about to publish, and every file and folder name, for every one of those
values, and refuses to publish on a single hit.

How a file is read, so that a value cannot hide behind an encoding:

- text files (CSV, Markdown, JSON, SVG, HTML, JS, CSS, TXT, SHA256SUMS, ...) are
  decoded as UTF-8 and scanned as written, and also after undoing the escapes a
  value may be written with in a web page or JSON document: HTML entities
  (``&#39;``, ``&amp;``), JSON ``\\uXXXX`` escapes (dbt's static docs embed the
  manifest as JSON, where a non-ASCII name may be ``\\u0627...``) and URL
  percent-encoding (``%20``);
- Parquet files: every value of every column (cast to text), the column names and
  the key-value metadata (compressed pages hide text from a byte scan);
- PNG files: their text chunks (tEXt, zTXt, iTXt). Pixels cannot be scanned, so
  a chart PNG is published only with its SVG twin (same figure, text kept as
  text), and the twin is scanned;
- any other file (fonts, images and icons of the data docs): as UTF-8 text when it
  decodes, else its raw bytes, searched for each value's UTF-8 bytes (ASCII letters
  case-insensitively), which finds any value stored there as text.

Matching is a case-insensitive substring match after Unicode NFC normalisation
and case folding, on both sides. Values shorter than ``MIN_PROTECTED_LENGTH``
(4) characters after trimming are not searched: a 1-3 character string ("al",
"@ab", "12") occurs inside ordinary words, numbers, markup and binary data, so it
would fail every release without pointing at a leak; no protected name, handle or
link is that short in practice, and the number skipped is reported.

A hit names the file, the value kind and the source id, never the value itself
(the scan's own output must not leak it).
"""

from __future__ import annotations

import html
import json
import re
import struct
import unicodedata
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

MIN_PROTECTED_LENGTH = 4
PROTECTED_VALUES_RELATION = "restricted.restricted_protected_values"

TEXT_SUFFIXES = frozenset({
    ".csv", ".md", ".txt", ".json", ".svg", ".html", ".htm", ".js", ".css", ".xml", ".yml", ".yaml", ".tsv",
})
# Files without a suffix that the release writes as text.
TEXT_NAMES = frozenset({"SHA256SUMS"})
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


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


def _normalise(text: str) -> str:
    if text.isascii():  # the common case, and NFC and case folding are slow on megabytes
        return text.lower()
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text.casefold()


def _as_bytes_text(needle: str) -> str:
    """A normalised needle as its UTF-8 bytes, one character per byte (to search binary files)."""
    return needle.encode("utf-8").decode("latin-1")


def searchable_values(values: Iterable[ProtectedValue]) -> tuple[list[tuple[str, ProtectedValue]], int]:
    """The (normalised needle, value) pairs to search for, and how many values were too short."""
    needles: dict[tuple[str, str, str], tuple[str, ProtectedValue]] = {}
    too_short = 0
    for value in values:
        needle = _normalise(value.value.strip())
        if len(needle) < MIN_PROTECTED_LENGTH:
            too_short += 1
            continue
        needles.setdefault((needle, value.value_kind, value.source_id), (needle, value))
    return sorted(needles.values(), key=lambda pair: (pair[1].source_id, pair[1].value_kind, pair[0])), too_short


def _unescape_json(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        return chr(int(match.group(1), 16))

    # Surrogate pairs come out as two lone surrogates; re-encode them into one character.
    unescaped = _JSON_ESCAPE.sub(replace, text).replace("\\/", "/").replace('\\"', '"')
    return unescaped.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def text_variants(text: str) -> list[str]:
    """The text as written and with HTML, JSON and URL escapes undone (deduplicated)."""
    variants = [text]
    for transform in (html.unescape, _unescape_json, unquote):
        for base in list(variants):
            candidate = transform(base)
            if candidate not in variants:
                variants.append(candidate)
    return variants


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
        return text_variants(data.decode("utf-8", errors="replace"))
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
    """Finds which needles occur in a text without a pass over the text per needle: one pass per
    distinct 4-character prefix (protected values share few: "http", "@...", a name's start),
    then a dictionary lookup at each place the prefix occurs."""

    def __init__(self, needles: Sequence[tuple[str, ProtectedValue]]) -> None:
        groups: dict[str, list[tuple[str, ProtectedValue]]] = {}
        for needle, value in needles:
            groups.setdefault(needle[:MIN_PROTECTED_LENGTH], []).append((needle, value))
        self._groups: list[tuple[str, int, dict[str, list[tuple[str, ProtectedValue]]]]] = []
        for prefix, members in sorted(groups.items()):
            width = min(len(needle) for needle, _ in members)
            by_start: dict[str, list[tuple[str, ProtectedValue]]] = {}
            for needle, value in members:
                by_start.setdefault(needle[:width], []).append((needle, value))
            self._groups.append((prefix, width, by_start))

    def found_in(self, folded: str) -> set[tuple[str, str]]:
        """(value_kind, source_id) of every needle that occurs in the normalised text."""
        found: set[tuple[str, str]] = set()
        for prefix, width, by_start in self._groups:
            position = folded.find(prefix)
            while position != -1:
                for needle, value in by_start.get(folded[position:position + width], ()):
                    if folded.startswith(needle, position):
                        found.add((value.value_kind, value.source_id))
                position = folded.find(prefix, position + 1)
        return found


def scan_folder(folder: Path, values: Sequence[ProtectedValue], only: Iterable[Path] | None = None) -> ScanResult:
    """Search every file (contents and names) under `folder`, or only the files `only`, for every
    protected value."""
    needles, too_short = searchable_values(values)
    index = _NeedleIndex(needles)
    # Binary files: the needles' UTF-8 bytes, ASCII letters folded (bytes.lower() folds only those).
    byte_index = _NeedleIndex([(_as_bytes_text(needle), value) for needle, value in needles])
    hits: list[ProtectedHit] = []
    files = list(release_files(folder)) if only is None else sorted(Path(p) for p in only)
    for path in files:
        # A file's path holds the names of the folders above it.
        relative = path.relative_to(folder).as_posix()
        found_in_name = index.found_in(_normalise(relative))
        hits.extend(ProtectedHit(relative, kind, source, in_file_name=True) for kind, source in sorted(found_in_name))
        found: set[tuple[str, str]] = set()
        texts = file_texts(path)
        if texts is None:
            found = byte_index.found_in(path.read_bytes().lower().decode("latin-1"))
        for text in texts or ():
            found |= index.found_in(_normalise(text))
        hits.extend(ProtectedHit(relative, kind, source) for kind, source in sorted(found))
    return ScanResult(hits=hits, files_scanned=len(files), values_searched=len(needles), values_too_short=too_short)


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
