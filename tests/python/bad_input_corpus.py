"""The bad-input corpus (tests/corpus/cases.yml): clean row templates, spelling classes,
file-shape transforms, an independent normal form for protected values, and the
classification of each case's outcome. Used by test_bad_input_corpus.py and
test_bad_input_faults.py; holds no test itself."""

from __future__ import annotations

import csv
import gzip
import html
import io
import json
import re
import time
import unicodedata
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]
CASES_FILE = PROJECT_DIR / "tests" / "corpus" / "cases.yml"
RAW_FOLDER = PROJECT_DIR / "seeds" / "raw"
CLASSES = ("clear_error", "quarantined", "flagged", "documented_rule")

# ------------------------------------------------------------------------------ loading


def load_cases() -> dict[str, list[dict]]:
    return yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))


def raw_header(table: str, folder: Path = RAW_FOLDER) -> list[str]:
    with open(folder / f"{table}.csv", newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


# ------------------------------------------------------------------------------ clean templates

# The one clean source every corpus claim cites (it is registered with the corpus rows).
BASE_SOURCE_ID = "SRCZ0000"

# A clean row of each table, with "{id}" for its own id and "{incident}" for the incident it
# belongs to. Each case overrides a few fields; its control case proves the template is clean.
TEMPLATES: dict[str, dict[str, str]] = {
    "raw_sources": {
        "source_id": "{id}", "source_name": "Corpus outlet {id}", "source_handle": "",
        "source_url": "https://example.org/corpus/sources/{id}", "source_type": "local media",
        "platform": "website", "language": "Arabic", "is_protected": "false",
    },
    "raw_claims": {
        "claim_id": "{id}", "source_id": BASE_SOURCE_ID, "date_reported": "2017-03-10",
        "incident_date": "2017-03-09", "incident_date_start": "", "incident_date_end": "",
        "place_as_written": "Raqqa", "governorate_as_written": "Raqqa", "country_as_written": "Syria",
        "latitude": "35.95", "longitude": "39.01", "geolocation_precision": "town",
        "belligerents_as_written": "coalition", "civilians_killed_min": "2", "civilians_killed_max": "3",
        "civilians_injured_min": "1", "civilians_injured_max": "1",
        "report_url": "https://example.org/corpus/reports/{id}", "archive_url": "", "incident_code": "",
    },
    "raw_incidents": {
        "incident_code": "{id}", "previous_codes": "", "incident_date": "2017-03-09", "incident_date_end": "",
        "date_precision": "exact", "place_as_written": "Raqqa", "governorate_as_written": "Raqqa",
        "country_as_written": "Syria", "latitude": "35.95", "longitude": "39.01",
        "geolocation_precision": "town", "civilian_harm_reported": "yes", "first_published": "2017-04-01",
    },
    "raw_incident_belligerents": {
        "incident_code": "{incident}", "belligerent_as_written": "coalition", "attribution_type": "known",
    },
    "raw_incident_assessments": {
        "assessment_id": "{id}", "incident_code": "{incident}", "assessed_on": "2017-05-01", "grade": "Fair",
        "strike_status": "declared strike", "civilians_killed_min": "5", "civilians_killed_max": "10",
        "civilians_injured_min": "1", "civilians_injured_max": "2", "children_killed_min": "1",
        "children_killed_max": "2", "women_killed_min": "", "women_killed_max": "",
        "assessor_note": "Corpus assessment {id}.",
    },
    "raw_belligerent_statements": {
        "statement_id": "{id}", "incident_code": "{incident}", "belligerent_as_written": "coalition",
        "verdict": "credible", "deaths_conceded_min": "1", "deaths_conceded_max": "2",
        "injuries_conceded_min": "", "injuries_conceded_max": "", "statement_date": "2017-06-01",
        "statement_url": "https://example.org/corpus/statements/{id}",
    },
    "raw_declared_strikes": {
        "strike_release_id": "{id}", "strike_date": "2017-03-09", "belligerent_as_written": "US-led Coalition",
        "country_as_written": "Syria", "place_near": "Raqqa", "governorate_as_written": "", "latitude": "",
        "longitude": "", "strike_count": "4", "release_text": "Near Raqqa, four strikes engaged an ISIS unit ({id}).",
    },
}

# Where a row of each table ends when clean: the mart and its key column.
MARTS: dict[str, tuple[str, str]] = {
    "raw_sources": ("dim_sources", "source_id"),
    "raw_claims": ("fct_claims", "claim_id"),
    "raw_incidents": ("fct_incidents", "incident_code"),
    "raw_incident_belligerents": ("fct_incident_belligerents", "incident_code"),
    "raw_incident_assessments": ("fct_incident_assessments", "assessment_id"),
    "raw_belligerent_statements": ("fct_belligerent_statements", "statement_id"),
    "raw_declared_strikes": ("fct_declared_strikes", "strike_release_id"),
}

# Record ids: a prefix no demo row uses, numbered per table.
ID_FORMATS = {
    "raw_sources": "SRCZ{n:04d}", "raw_claims": "CLMZ{n:04d}", "raw_incidents": "CS9{n:03d}",
    "raw_incident_belligerents": "CS7{n:03d}", "raw_incident_assessments": "ASMZ{n:04d}",
    "raw_belligerent_statements": "STMZ{n:04d}", "raw_declared_strikes": "DSZ{n:05d}",
}
# Assessments and statements get an incident of their own, so that no case changes another's.
SUPPORT_INCIDENT = "CS8{n:03d}"

# One change per table that quarantines an otherwise clean row (for identities in quarantined rows).
ROW_BREAKERS = {
    "raw_claims": {"belligerents_as_written": "Martian Air Force"},
    "raw_incident_assessments": {"grade": "Probable"},
    "raw_declared_strikes": {"belligerent_as_written": "Martian Air Force"},
    "raw_incidents": {"civilian_harm_reported": "maybe"},
    "raw_sources": {"source_type": "blogger"},
    "raw_belligerent_statements": {"verdict": "probably"},
}


# ------------------------------------------------------------------------------ spelling classes

def _inside_words(text: str, mark: str) -> str:
    """`mark` after the first character of every word of three or more characters."""
    return re.sub(r"(\w)(\w{2,})", lambda m: m.group(1) + mark + m.group(2), text)


_FULLWIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)} | {0x20: 0x3000}


def _math_bold(text: str) -> str:
    def bold(ch: str) -> str:
        if "A" <= ch <= "Z":
            return chr(0x1D400 + ord(ch) - ord("A"))
        if "a" <= ch <= "z":
            return chr(0x1D41A + ord(ch) - ord("a"))
        if "0" <= ch <= "9":
            return chr(0x1D7CE + ord(ch) - ord("0"))
        return ch
    return "".join(bold(ch) for ch in text)


def _html_entities(text: str) -> str:
    return text.replace("&", "&amp;").replace(" ", "&nbsp;").replace("@", "&commat;").replace("/", "&#x2F;")


def _html_numeric(text: str) -> str:
    return "".join(f"&#{ord(ch)};" for ch in text)


def _json_escape(text: str) -> str:
    return "".join(f"\\u{ord(ch):04x}" if i % 2 == 0 else ch for i, ch in enumerate(text))


def _mixed_case(text: str) -> str:
    return "".join(ch.upper() if i % 2 else ch.lower() for i, ch in enumerate(text))


# Each spelling class writes a protected value the way a careless or hostile editor might.
SPELLINGS: dict[str, Callable[[str], str]] = {
    "plain": lambda v: v,
    "nbsp": lambda v: v.replace(" ", "\u00a0"),
    "narrow_nbsp": lambda v: v.replace(" ", "\u202f"),
    "ideographic_space": lambda v: v.replace(" ", "\u3000"),
    "em_space": lambda v: v.replace(" ", "\u2003"),
    "space_runs": lambda v: v.replace(" ", " \t  "),
    "zwsp": lambda v: _inside_words(v, "\u200b"),
    "zwj": lambda v: _inside_words(v, "\u200d"),
    "zwnj": lambda v: _inside_words(v, "\u200c"),
    "word_joiner": lambda v: _inside_words(v, "\u2060"),
    "bom_inside": lambda v: _inside_words(v, "\ufeff"),
    "soft_hyphen": lambda v: _inside_words(v, "\u00ad"),
    "bidi_marks": lambda v: "\u200f" + _inside_words(v, "\u200e"),
    "bidi_isolates": lambda v: "\u2067" + _inside_words(v, "\u202b") + "\u2069",
    "tatweel": lambda v: _inside_words(v, "\u0640"),
    "fullwidth": lambda v: v.translate(_FULLWIDTH),
    "math_bold": _math_bold,
    "ligature": lambda v: v.replace("fi", "\ufb01"),
    "nfd": lambda v: unicodedata.normalize("NFD", v),
    "upper": str.upper,
    "mixed_case": _mixed_case,
    "json_escape": _json_escape,
    "html_entities": _html_entities,
    "html_numeric": _html_numeric,
    "url_escape": lambda v: urllib.parse.quote(v, safe=""),
    "combined": lambda v: "\u200e" + _inside_words(v.upper(), "\u00ad").replace(" ", "\u00a0\u200b"),
}

# How a claim cites its protected source's id, written another way.
CITATIONS: dict[str, Callable[[str], str]] = {
    "exact": lambda i: i,
    "lower": str.lower,
    "padded": lambda i: f"  {i} ",
    "lower_nbsp": lambda i: f"\u00a0{i.lower()}\u00a0",
    "fullwidth": lambda i: i.translate(_FULLWIDTH),
}

_WORDS = ["Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir", "Ginkgo", "Hazel", "Ironwood", "Juniper",
          "Kapok", "Larch", "Maple", "Nutmeg", "Olive", "Poplar", "Quince", "Rowan", "Spruce", "Tamarind",
          "Umbrella", "Viburnum", "Walnut", "Xylosma", "Yew", "Zelkova", "Acacia", "Baobab", "Cypress",
          "Damson", "Ebony", "Fig", "Guava", "Hawthorn", "Ilex", "Jacaranda", "Kumquat", "Linden", "Mahogany",
          "Neem", "Oak", "Pecan", "Redwood", "Sumac", "Teak", "Ulmus", "Vitex", "Willow"]


@dataclass
class ProtectedSource:
    source_id: str
    name: str
    handle: str
    url: str

    def value(self, kind: str) -> str:
        return {"name": self.name, "handle": self.handle, "url": self.url}[kind]

    def values(self) -> list[str]:
        return [self.name, self.handle, self.url]


def protected_source(number: int, override: dict | None = None) -> ProtectedSource:
    word = _WORDS[number % len(_WORDS)]
    second = _WORDS[(number * 7 + 3) % len(_WORDS)]
    source = ProtectedSource(
        source_id=f"SRCP{number:03d}",
        name=f"Corpus Witness {word} {second}",
        handle=f"@corpus_{word.lower()}_{number}",
        url=f"https://example.org/corpus/protected/{word.lower()}-{number}",
    )
    for key, value in (override or {}).items():
        setattr(source, key, value)
    return source


def planted_text(field_name: str, kind: str, spelled: str) -> str:
    """The free text a spelled value is planted in: a link field holds a link."""
    if field_name.endswith("url"):
        return spelled if kind == "url" else f"https://example.org/corpus/q/{spelled}"
    return f"Seen by {spelled}, who filmed it"


# ------------------------------------------------------------------------------ the batch


@dataclass
class PlantedCase:
    """One case as planted in the batch: where its rows are, and what identifies it."""

    spec: dict
    table: str
    record_id: str
    markers: list[str] = field(default_factory=list)  # raw texts that find its quarantined rows
    protected: ProtectedSource | None = None
    rows: list[dict[str, str]] = field(default_factory=list)  # the raw rows as planted
    needles: list[str] = field(default_factory=list)  # protected texts that must not leave restricted


@dataclass
class Batch:
    rows: dict[str, list[dict[str, str]]]
    cases: list[PlantedCase]


def _fill(template: dict[str, str], **names: str) -> dict[str, str]:
    return {key: value.format(**names) for key, value in template.items()}


def plan_batch(cases: dict[str, list[dict]]) -> Batch:
    """Every value and identity case as rows to append to the demo's raw tables."""
    rows: dict[str, list[dict[str, str]]] = {table: [] for table in TEMPLATES}
    counters: Counter[str] = Counter()
    planted: list[PlantedCase] = []
    support = 0

    def new_id(table: str) -> str:
        counters[table] += 1
        return ID_FORMATS[table].format(n=counters[table])

    def support_incident() -> str:
        nonlocal support
        support += 1
        code = SUPPORT_INCIDENT.format(n=support)
        rows["raw_incidents"].append(_fill(TEMPLATES["raw_incidents"], id=code))
        rows["raw_incident_belligerents"].append(_fill(TEMPLATES["raw_incident_belligerents"], incident=code))
        return code

    def base_row(table: str, record_id: str, first: bool = True) -> dict[str, str]:
        incident = record_id if table == "raw_incident_belligerents" else ""
        if table in ("raw_incident_assessments", "raw_belligerent_statements"):
            incident = support_incident()
        if table == "raw_incident_belligerents" and first:
            rows["raw_incidents"].append(_fill(TEMPLATES["raw_incidents"], id=record_id))
        return _fill(TEMPLATES[table], id=record_id, incident=incident)

    rows["raw_sources"].append(_fill(TEMPLATES["raw_sources"], id=BASE_SOURCE_ID))
    for spec in cases["value_cases"]:
        table = spec["table"]
        record_id = new_id(table)
        names = {"id": record_id, "id_lower": record_id.lower(), "n": str(counters[table])}
        case = PlantedCase(spec, table, record_id)
        for number, plant in enumerate(spec.get("rows") or [spec.get("plant") or {}]):
            row = base_row(table, record_id, first=number == 0)
            row.update({key: str(value).format(**names) for key, value in plant.items()})
            rows[table].append(row)
            case.rows.append(row)
            first_column = next(iter(TEMPLATES[table]))
            if row[first_column] != record_id:  # the case rewrites its own id
                case.record_id = row[first_column].strip().upper() if table != "raw_sources" else row[first_column]
                case.markers.append(row[first_column])
        planted.append(case)

    for number, spec in enumerate(cases["identity_cases"], start=1):
        table = spec["table"]
        source = protected_source(number, spec.get("protected"))
        protected_row = _fill(TEMPLATES["raw_sources"], id=source.source_id)
        protected_row.update(source_name=source.name, source_handle=source.handle, source_url=source.url,
                             source_type="witness or volunteer", is_protected="true")
        record_id = new_id(table)
        case = PlantedCase(spec, table, record_id, protected=source, needles=source.values())
        if spec.get("conflicting_protection"):
            unprotected = dict(protected_row, is_protected="false")
            rows["raw_sources"] += [unprotected, protected_row]
            case.record_id = source.source_id
            planted.append(case)
            continue
        rows["raw_sources"].append(protected_row)
        row = base_row(table, record_id)
        if "cite" in spec:
            row["source_id"] = CITATIONS[spec["cite"]](source.source_id)
            row["report_url"] = f"{source.url}/status/{record_id.lower()}"
            row["archive_url"] = f"https://archive.example.org/corpus/{source.handle.lstrip('@')}/{record_id.lower()}"
            case.needles += [row["report_url"], row["archive_url"]]
        else:
            spelled = SPELLINGS[spec["spelling"]](source.value(spec["value"]))
            row[spec["field"]] = planted_text(spec["field"], spec["value"], spelled)
        if spec.get("fate") == "quarantined":
            row.update(ROW_BREAKERS[table])
        rows[table].append(row)
        planted.append(case)
    return Batch(rows, planted)


def append_rows(folder: Path, rows: dict[str, list[dict[str, str]]]) -> None:
    """Append the corpus rows to the raw CSVs of `folder`, each in its header's order."""
    for table, table_rows in rows.items():
        if not table_rows:
            continue
        path = folder / f"{table}.csv"
        header = raw_header(table, folder)
        with open(path, "a", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n").writerows([row.get(c, "") for c in header] for row in table_rows)


# ------------------------------------------------------------------------------ the normal form (independent)

_ESCAPES = re.compile(r"\\u([0-9a-fA-F]{4})|\\(.)")


def _unescape_json(text: str) -> str:
    return _ESCAPES.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), text)


def corpus_normal_form(text: str) -> str:
    """How this suite looks for a protected value, written apart from civcas's own rule so that
    the two check each other: escapes undone (JSON, HTML, URL, until nothing changes), NFKC, case
    folded, format characters and tatweel removed, every space a space, runs collapsed."""
    previous = None
    while previous != text:
        previous = text
        text = urllib.parse.unquote(html.unescape(_unescape_json(text)))
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf" and ch != "\u0640")
    text = "".join(" " if ch.isspace() or unicodedata.category(ch) == "Zs" else ch for ch in text)
    return re.sub(" +", " ", text).strip()


def occurs(needle: str, text: str) -> bool:
    """`needle` in `text` (both in normal form) as whole words."""
    return re.search(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", text) is not None


# ------------------------------------------------------------------------------ file shapes

Transform = Callable[[Path, str], None]


def _rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _write_rows(path: Path, rows: Iterable[list[str]], terminator: str = "\n") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=terminator).writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))


def _text(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def _set_field(column: str, value: str, row: int = 1) -> Transform:
    def transform(path: Path, table: str) -> None:
        rows = _rows(path)
        index = rows[0].index(column)
        rows[row][index] = value
        _write_rows(path, rows)
    return transform


def _header(edit: Callable[[list[str]], list[str]]) -> Transform:
    def transform(path: Path, table: str) -> None:
        rows = _rows(path)
        rows[0] = edit(list(rows[0]))
        _write_rows(path, rows)
    return transform


def _swap_first_two(header: list[str]) -> list[str]:
    header[0], header[1] = header[1], header[0]
    return header


def _utf16(path: Path, table: str) -> None:
    path.write_bytes(_text(path).encode("utf-16"))


def _latin1(path: Path, table: str) -> None:
    rows = _rows(path)
    rows[2][rows[0].index("place_as_written")] = "Dayr az Zawr, café"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8", errors="replace").replace("café".encode(), "café".encode("latin-1")))


def _cp1252_quotes(path: Path, table: str) -> None:
    rows = _rows(path)
    rows[3][rows[0].index("assessor_note")] = "QUOTE"
    data = io.StringIO()
    csv.writer(data, lineterminator="\n").writerows(rows)
    path.write_bytes(data.getvalue().encode("utf-8").replace(b"QUOTE", b"\x93sources agree\x94"))


def _unterminated(last: bool) -> Transform:
    """A row whose last field opens a quote that nothing closes."""
    def transform(path: Path, table: str) -> None:
        rows = _rows(path)
        target = len(rows) - 1 if last else 5
        head = io.StringIO()
        csv.writer(head, lineterminator="").writerow(rows[target][:-1])
        opened = head.getvalue() + ',"' + rows[target][-1].replace('"', "")
        lines = _text(path).rstrip("\n").split("\n")
        lines[target] = opened  # the demo's rows hold no line break, so row n is line n + 1
        path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return transform


def _quote_then_text(path: Path, table: str) -> None:
    lines = _text(path).split("\n")
    cells = lines[4].split(",")
    cells[5] = '"Raqqa" city'
    lines[4] = ",".join(cells)
    path.write_bytes("\n".join(lines).encode("utf-8"))


def _delimiter(delimiter: str) -> Transform:
    def transform(path: Path, table: str) -> None:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(_rows(path))
        path.write_bytes(buffer.getvalue().encode("utf-8"))
    return transform


def _line_ends(ending: str, every_other: bool = False) -> Transform:
    def transform(path: Path, table: str) -> None:
        lines = _text(path).rstrip("\n").split("\n")
        if every_other:
            out = "".join(line + ("\r\n" if i % 2 else "\n") for i, line in enumerate(lines))
        else:
            out = ending.join(lines) + ending
        path.write_bytes(out.encode("utf-8"))
    return transform


def _ragged(extra: bool) -> Transform:
    def transform(path: Path, table: str) -> None:
        rows = _rows(path)
        rows[3] = rows[3] + ["surplus"] if extra else rows[3][:-1]
        _write_rows(path, rows)
    return transform


def _blank_line(path: Path, table: str) -> None:
    lines = _text(path).split("\n")
    lines.insert(4, "")
    path.write_bytes("\n".join(lines).encode("utf-8"))


def _gzip_as_csv(path: Path, table: str) -> None:
    path.write_bytes(gzip.compress(path.read_bytes()))


def _gzip_beside(path: Path, table: str) -> None:
    path.with_name(path.name + ".gz").write_bytes(gzip.compress(path.read_bytes()))
    path.unlink()


def _stray_file(path: Path, table: str) -> None:
    (path.parent / f"{table}_backup.csv").write_bytes(path.read_bytes())


def _append_row(edit: Callable[[list[str], list[str]], list[str]]) -> Transform:
    def transform(path: Path, table: str) -> None:
        rows = _rows(path)
        rows.append(edit(rows[0], list(rows[1])))
        _write_rows(path, rows)
    return transform


def _dataset_second_row(header: list[str], row: list[str]) -> list[str]:
    row[header.index("dataset_id")] = "another-dataset"
    return row


def _shift_dates_into_grade(path: Path, table: str) -> None:
    rows = _rows(path)
    grade, assessed_on = rows[0].index("grade"), rows[0].index("assessed_on")
    for row in rows[1:]:
        row[grade] = row[assessed_on]
    _write_rows(path, rows)


# Each shape damages (or reshapes) one raw file in place; `table` is the file's table.
FILE_SHAPES: dict[str, Transform] = {
    "latin1": _latin1,
    "cp1252_quotes": _cp1252_quotes,
    "utf16": _utf16,
    "utf16_le_no_bom": lambda path, table: path.write_bytes(_text(path).encode("utf-16-le")),
    "utf8_bom": lambda path, table: path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes()),
    "crlf": _line_ends("\r\n"),
    "cr_only": _line_ends("\r"),
    "mixed_line_ends": _line_ends("", every_other=True),
    "unterminated_quote": _unterminated(last=False),
    "unterminated_quote_last": _unterminated(last=True),
    "quote_then_text": _quote_then_text,
    "doubled_quotes": _set_field("assessor_note", 'The assessor wrote "likely" and "credible", quoted', 2),
    "semicolons": _delimiter(";"),
    "tabs": _delimiter("\t"),
    "empty": lambda path, table: path.write_bytes(b""),
    "whitespace_only": lambda path, table: path.write_bytes(b"  \n\n"),
    "header_only": lambda path, table: _write_rows(path, _rows(path)[:1]),
    "gzip_as_csv": _gzip_as_csv,
    "gzip_beside": _gzip_beside,
    "extra_field": _ragged(extra=True),
    "missing_field": _ragged(extra=False),
    "blank_line": _blank_line,
    "header_upper": _header(lambda h: [c.upper() if i == 0 else c for i, c in enumerate(h)]),
    "header_padded": _header(lambda h: [c + " " if i == 1 else c for i, c in enumerate(h)]),
    "header_swap": _header(_swap_first_two),
    "header_duplicate": _header(lambda h: h[:-1] + [h[0]]),
    "stray_file": _stray_file,
    "missing": lambda path, table: path.unlink(),
    "nul_in_place": _set_field("place_as_written", "Raq\x00qa", 3),
    "nul_in_release_text": _set_field("release_text", "Near Raqqa\x00, four strikes", 4),
    "soh_in_place": _set_field("place_as_written", "Al\x01 Bab", 2),
    "esc_in_note": _set_field("assessor_note", "Two sources \x1b[31mred\x1b[0m agree", 2),
    "backspace_in_name": _set_field("source_name", "Demo outlet\x08\x08\x08", 2),
    "c1_in_url": _set_field("statement_url", "https://example.org/\x9bstatement", 2),
    "long_note": _set_field("assessor_note", "A long but valid note. " * 8000, 2),
    "long_place": _set_field("place_as_written", "Raqqa " * 30000, 2),
    "dataset_two_rows": _append_row(_dataset_second_row),
    "dataset_synthetic_maybe": _set_field("is_synthetic", "maybe", 1),
    "dataset_id_empty": _set_field("dataset_id", "", 1),
    "shift_dates_into_grade": _shift_dates_into_grade,
}


# ------------------------------------------------------------------------------ classification


@dataclass
class Outcome:
    case: str
    table: str
    expected: str
    observed: str
    ok: bool
    detail: str = ""
    debatable: str = ""


# Every case's outcome in this pytest session, for the report.
OUTCOMES: dict[str, Outcome] = {}
REPORT_FILE = PROJECT_DIR / "reports" / "bad_input_corpus.txt"


def record(outcome: Outcome) -> Outcome:
    OUTCOMES[outcome.case] = outcome
    return outcome


@pytest.fixture(scope="session", autouse=True)
def corpus_report():
    """Writes the classification report after the session (conftest shows it in the summary)."""
    started = time.perf_counter()
    yield
    if OUTCOMES:
        REPORT_FILE.parent.mkdir(exist_ok=True)
        text = report(list(OUTCOMES.values()))
        REPORT_FILE.write_text(f"{text}\ncorpus tests took {time.perf_counter() - started:.0f} s\n",
                               encoding="utf-8")


def report(outcomes: list[Outcome]) -> str:
    """Counts per expected class and per observed outcome, then every failing case."""
    lines = ["bad-input corpus: cases per expected class"]
    by_class = Counter(o.expected for o in outcomes)
    lines += [f"  {name:<16} {by_class.get(name, 0):>4}" for name in (*CLASSES, "clean")]
    lines.append(f"  {'total':<16} {len(outcomes):>4}")
    lines.append("outcomes (expected -> observed: cases)")
    pairs = Counter((o.expected, o.observed, o.ok) for o in outcomes)
    for (expected, observed, ok), count in sorted(pairs.items()):
        lines.append(f"  {'ok  ' if ok else 'FAIL'} {expected:<16} -> {observed:<28} {count:>4}")
    tables = Counter(o.table for o in outcomes)
    lines.append("cases per raw table: " + ", ".join(f"{t} {n}" for t, n in sorted(tables.items())))
    failing = [o for o in outcomes if not o.ok]
    lines.append(f"failing cases: {len(failing)}")
    lines += [f"  {o.case}: expected {o.expected}, observed {o.observed}. {o.detail}".rstrip() for o in failing]
    return "\n".join(lines)


def mentions_column(reason: str, column: str | None) -> bool:
    if not column:
        return True
    reason = reason.lower()
    return any(form in reason for form in {column, column.replace("_", " "), column.replace(" ", "_")})


def values_match(actual, expected) -> bool:
    if hasattr(actual, "isoformat") and isinstance(expected, str):  # a date or timestamp read back
        return actual.isoformat()[: len(expected)] == expected and actual.isoformat()[10:].strip("T0:.") == ""
    if expected is None:
        return actual is None
    if getattr(actual, "ndim", 0) == 1:  # a list column (belligerent_ids) read back through pandas
        actual = actual.tolist()
    if isinstance(actual, (list, tuple)):
        return any(values_match(item, expected) for item in actual)
    if isinstance(expected, bool):
        return actual is expected or actual == expected
    if isinstance(expected, (int, float)):
        try:
            return abs(float(actual) - float(expected)) < 1e-6
        except (TypeError, ValueError):
            return False
    return str(actual) == str(expected)


def json_dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
