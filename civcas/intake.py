"""A researcher's batch, read and checked before anything is written (``civcas intake``, issue 16).

A batch is one file per raw table in the raw contract (seeds/raw/_raw__seeds.yml): CSV, or
XLSX, the spreadsheet most monitors keep, or a folder of them. A workbook may also hold one
sheet per raw table, each sheet named after its table. A file is named after its table
(``raw_claims.csv``; anything after the first dot is free: ``raw_claims.monday.xlsx``).

Every cell is read as text, as the raw contract wants: a spreadsheet's typed cells are written
back as the text a researcher typed (a whole number without ``.0``, a date as YYYY-MM-DD), so the
same rows give the same batch from CSV or from XLSX. Shape problems name the file (and sheet),
the row and the column; a batch with any of them is refused whole.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civcas.raw_contract import LEDGER_TABLES
from civcas.raw_files import (
    MAX_ROW_PROBLEMS_PER_FILE,
    _control_character_problems,
    _header_problems,
    check_raw_file,
    display,
)

FILE_TYPES = (".csv", ".xlsx")


class BatchError(ValueError):
    """The batch cannot be read at all (no such path, no file of a known type)."""


@dataclass
class BatchTable:
    """The rows a batch brings for one raw table, as text, with where each row came from."""

    table: str
    source: str  # file, and sheet for a workbook: how messages name it
    sha256: str  # of the file handed in
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)  # line (CSV) or sheet row (XLSX) of each row


@dataclass
class Batch:
    """A batch as read: its tables, and every problem that refuses it."""

    tables: dict[str, BatchTable]
    problems: list[str]

    @property
    def batch_id(self) -> str:
        """The batch's identity: a hash of its rows by table, whatever files carried them. The same
        rows handed in again (as CSV or as XLSX, in any file order) have the same id."""
        content = {name: [table.header, table.rows] for name, table in sorted(self.tables.items())}
        digest = hashlib.sha256(json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode())
        return "b" + digest.hexdigest()[:15]

    @property
    def rows(self) -> int:
        return sum(len(table.rows) for table in self.tables.values())


def batch_files(path: Path) -> list[Path]:
    """The files of a batch: the file itself, or the CSV and XLSX files of a folder."""
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in FILE_TYPES
                       and not p.name.startswith(("~$", ".")))  # Excel's lock files, hidden files
        if files:
            return files
        raise BatchError(f"{display(path)}: the folder holds no .csv or .xlsx file; a batch is one file per raw table")
    raise BatchError(f"{display(path)}: no such file or folder")


def read_batch(path: Path, contract: Mapping[str, Sequence[str]]) -> Batch:
    """Read every file of the batch at `path` against the raw contract."""
    batch = Batch(tables={}, problems=[])
    for file in batch_files(path):
        if file.suffix.lower() not in FILE_TYPES:
            batch.problems.append(f"{display(file)}: a batch file is .csv or .xlsx")
            continue
        read = _read_csv if file.suffix.lower() == ".csv" else _read_workbook
        for table, problems in read(file, contract):
            batch.problems.extend(problems)
            if table is None:
                continue
            if table.table in batch.tables:
                batch.problems.append(f"{table.source}: {batch.tables[table.table].source} already brings rows for "
                                      f"{table.table}; hand in one file per raw table")
                continue
            batch.tables[table.table] = table
    if not batch.problems and not batch.rows:
        batch.problems.append(f"{display(path)}: the batch holds no rows")
    return batch


def _table_named(stem: str, contract: Mapping[str, Sequence[str]]) -> str | None:
    name = stem.split(".", 1)[0]
    return name if name in contract else None


def _unknown_table(source: str, contract: Mapping[str, Sequence[str]]) -> str:
    return (f"{source}: not a raw table; name the file (or sheet) after one of: {', '.join(contract)} "
            "(see seeds/raw/_raw__seeds.yml)")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- CSV


def _read_csv(file: Path, contract: Mapping[str, Sequence[str]]) -> Iterable[tuple[BatchTable | None, list[str]]]:
    table = _table_named(file.name, contract)
    if table is None:
        yield None, [_unknown_table(display(file), contract)]
        return
    # The checks of check-raw: encoding, byte-order mark, header, field counts, control characters.
    report = check_raw_file(file, table, list(contract[table]))
    if report.problems:
        yield None, report.problems
        return
    records = list(csv.reader(io.StringIO(file.read_text(encoding="utf-8"), newline="")))
    lines = _record_lines(file.read_text(encoding="utf-8"))
    read = BatchTable(table=table, source=display(file), sha256=_sha256(file), header=records[0])
    for line, record in zip(lines[1:], records[1:], strict=True):
        read.rows.append(record)
        read.row_numbers.append(line)
    yield read, []


def _record_lines(text: str) -> list[int]:
    """The line each CSV record starts on (a quoted value may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    lines, start = [], 1
    for _ in reader:
        lines.append(start)
        start = reader.line_num + 1
    return lines


# --------------------------------------------------------------------------- XLSX


def _read_workbook(file: Path, contract: Mapping[str, Sequence[str]]) -> Iterable[tuple[BatchTable | None, list[str]]]:
    from openpyxl import load_workbook

    try:
        # data_only: a formula cell gives the value Excel last computed, as the researcher saw it
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a file that is not a workbook
        yield None, [f"{display(file)}: cannot be read as an XLSX workbook ({exc}); save it again from the "
                     "spreadsheet as .xlsx"]
        return
    try:
        sheets = workbook.worksheets
        by_file_name = _table_named(file.name, contract)
        for sheet in sheets:
            source = f"{display(file)}, sheet {sheet.title!r}"
            table = sheet.title if sheet.title in contract else None
            if table is None and by_file_name is not None and len(sheets) == 1:
                table = by_file_name
            if table is None:
                yield None, [_unknown_table(source, contract)]
                continue
            yield _read_sheet(sheet, source, table, list(contract[table]), _sha256(file))
    finally:
        workbook.close()


def _read_sheet(sheet: Any, source: str, table: str, expected: list[str],
                sha256: str) -> tuple[BatchTable | None, list[str]]:
    problems: list[str] = []
    header: list[str] | None = None
    read: BatchTable | None = None
    text_rows: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        values = [_cell_text(cell, source, number, problems) for cell in cells]
        while values and values[-1] == "":
            values.pop()
        if not values:
            continue  # an empty row (a spreadsheet keeps formatted empty rows)
        if header is None:
            header = values
            header_problems = _header_problems(header, expected, source)
            if header_problems:
                return None, header_problems
            read = BatchTable(table=table, source=source, sha256=sha256, header=header)
            continue
        if len(values) > len(header):
            problems.append(f"{source} row {number}, column {len(header) + 1} (beyond the header): a value outside "
                            "the table's columns; delete it or move it into a column")
        values += [""] * (len(header) - len(values))
        text_rows.append((number, values))
    if header is None or read is None:
        return None, [f"{source}: the sheet is empty; expected a header row: {', '.join(expected)}"]
    problems += _control_character_problems(text_rows, header, source)
    read.rows = [values[: len(header)] for _, values in text_rows]
    read.row_numbers = [number for number, _ in text_rows]
    return (None if problems else read), problems[: MAX_ROW_PROBLEMS_PER_FILE * 2]


def _cell_text(cell: Any, source: str, row: int, problems: list[str]) -> str:
    """A cell as the text a researcher typed; an error cell (#N/A, #REF!) is a problem."""
    value = cell.value
    if getattr(cell, "data_type", None) == "e":
        problems.append(f"{source} row {row}, column {getattr(cell, 'column_letter', '?')}: the cell holds the "
                        f"spreadsheet error {value}; correct the formula or type the value")
        return ""
    return cell_text(value)


def cell_text(value: Any) -> str:
    """A spreadsheet value as raw text: empty for none, whole numbers without '.0', the shortest
    text of other numbers, dates as YYYY-MM-DD and times of day as YYYY-MM-DD HH:MM:SS."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------- preview, gate, write

LEDGER = "raw_intake_batches"
# Raw tables a batch may not bring: the dataset manifest (one row, written by an importer or the
# generator) and the ledgers civcas writes itself.
NOT_HANDED_IN = ("raw_dataset", *LEDGER_TABLES)


@dataclass(frozen=True)
class RowOutcome:
    """What the quarantine rules do to one row of the batch."""

    table: str
    source: str
    row_number: int
    outcome: str  # clean, flagged or quarantined
    rule: str = ""
    reason: str = ""

    def describe(self) -> str:
        why = f" ({self.rule}): {self.reason}" if self.rule else ""
        return f"{self.source} row {self.row_number}: {self.outcome}{why}"


@dataclass
class IntakeResult:
    batch_id: str
    status: str  # accepted, refused, already accepted, checked (--dry-run)
    messages: list[str] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def count(self, table: str, outcome: str) -> int:
        return len({(o.source, o.row_number) for o in self.outcomes if o.table == table and o.outcome == outcome})


@dataclass(frozen=True)
class RawFolder:
    """Where the warehouse reads its raw tables: the demo's CSV seeds, or a folder of Parquet files."""

    path: Path
    mode: str  # seeds or files

    def files_of(self, table: str) -> list[Path]:
        if self.mode == "seeds":
            return [self.path / f"{table}.csv"]
        return sorted(self.path.glob(f"{table}.*parquet"))


def researcher(given: str | None) -> str:
    """Who hands the batch in: --by, else CIVCAS_RESEARCHER, else the login name."""
    import getpass

    name = given or os.environ.get("CIVCAS_RESEARCHER")
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = ""
    if not name.strip():
        raise BatchError("say who hands the batch in: civcas intake --by NAME (or set CIVCAS_RESEARCHER)")
    return name.strip()


def ledger_entries(raw: RawFolder) -> list[dict[str, str]]:
    """The rows of the intake ledger, as text."""
    import duckdb

    files = [f for f in raw.files_of(LEDGER) if f.is_file()]
    if not files:
        return []
    with duckdb.connect() as connection:
        reads = [_read_text_table(f) for f in files]
        relation = connection.sql(" union all by name ".join(f"select * from {r}" for r in reads))
        return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]


def _read_text_table(path: Path) -> str:
    literal = "'" + str(path).replace("'", "''") + "'"
    if path.suffix == ".csv":
        return f"read_csv({literal}, all_varchar = true, header = true, delim = ',', quote = '\"', escape = '\"')"
    return f"read_parquet({literal})"


def _write_parquet(table: BatchTable, header: Sequence[str], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    # empty text becomes null, as the importers write it and as dbt loads an empty CSV value
    columns = {name: [row[i] if row[i] != "" else None for row in table.rows] for i, name in enumerate(header)}
    pq.write_table(pa.table({n: pa.array(v, type=pa.string()) for n, v in columns.items()}), path)


def _stage_folders(raw: RawFolder, batch: Batch, contract: Mapping[str, Sequence[str]], scratch: Path,
                   stamp: str) -> tuple[Path, Path]:
    """Two folders in the files layout: `gate/`, one <table>.parquet per table holding the raw rows
    and the batch's (what the raw gate reads), and `preview/`, the raw files as they are with the
    batch beside them as the files it will be written as (what the preview build reads)."""
    import duckdb

    gate, preview = scratch / "gate", scratch / "preview"
    gate.mkdir()
    preview.mkdir()
    with duckdb.connect() as connection:
        for table in contract:
            existing = [f for f in raw.files_of(table) if f.is_file()]
            if raw.mode == "files":
                for file in existing:
                    (preview / file.name).symlink_to(file.resolve())
            else:
                connection.execute(f"copy (select * from {_read_text_table(existing[0])}) "
                                   f"to '{preview / (table + '.parquet')}' (format parquet)")
            if table in batch.tables:
                _write_parquet(batch.tables[table], contract[table], preview / f"{table}.{stamp}.parquet")
            parts = [f"select * from read_parquet('{f}')" for f in sorted(preview.glob(f"{table}.*parquet"))]
            connection.execute(f"copy ({' union all by name '.join(parts)}) to '{gate / (table + '.parquet')}' "
                               "(format parquet)")
    return gate, preview


def _dbt(project: Path, scratch: Path, preview: Path, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    from civcas.benchmark import dbt_executable

    variables = {"civcas_raw_source": "files", "civcas_raw_path": str(preview)}
    command = [dbt_executable(), *args, "--profiles-dir", str(project), "--project-dir", str(project),
               "--vars", json.dumps(variables), "--target-path", str(scratch / "target"),
               "--log-path", str(scratch / "logs")]
    env = dict(os.environ, CIVCAS_DUCKDB_PATH=str(scratch / "preview.duckdb"), DO_NOT_TRACK="1",
               DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False)


# What the preview builds: the models that judge every raw row (clean, flagged or quarantined),
# and the tests whose every parent they hold. The rules are the models' own: nothing is restated.
PREVIEW_SELECTION = ["+fct_field_issues", "+restricted_quarantined_rows"]


def _preview_sql(batch: Batch, stamp: str) -> str:
    """Each batch row's key, its raw record, and what the rules did to it, from the preview build."""
    batch_rows = "\n union all\n".join(
        f"select '{table}' as raw_table, identified_raw_rows.raw_row_key, "
        f"{{{{ raw_record_json('identified_raw_rows.raw_row') }}}} as raw_record "
        f"from {{{{ raw_rows('{table}') }}}} where identified_raw_rows.raw_file = '{table}.{stamp}.parquet'"
        for table in sorted(batch.tables))
    return f"""
        with batch_rows as ({batch_rows})
        select
            batch_rows.raw_table, batch_rows.raw_row_key, batch_rows.raw_record,
            quarantined.quarantine_rule, quarantined.quarantine_reason,
            issues.field, issues.rule as issue_rule, issues.action, issues.reason as issue_reason
        from batch_rows
        left join {{{{ ref('restricted_quarantined_rows') }}}} as quarantined
            on batch_rows.raw_table = quarantined.raw_table and batch_rows.raw_row_key = quarantined.raw_row_key
        left join {{{{ ref('fct_field_issues') }}}} as issues
            on batch_rows.raw_table = issues.raw_table and batch_rows.raw_row_key = issues.raw_row_key
    """


def _dbt_failure(process: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in (process.stdout + process.stderr).splitlines()
             if any(word in line for word in ("ERROR", "FAIL", "Error", "error:"))]
    return "\n".join(f"  {line.strip()}" for line in lines[-15:]) or process.stdout[-2000:]


def preview(project: Path, batch: Batch, scratch: Path, preview_folder: Path, stamp: str) -> list[RowOutcome]:
    """Build the rules' models on the raw rows and the batch (a scratch warehouse), and say what they
    do to each batch row. Raises BatchError when the batch would break the build."""
    built = _dbt(project, scratch, preview_folder,
                 ["build", "--select", *PREVIEW_SELECTION, "--indirect-selection", "cautious",
                  "--exclude-resource-type", "unit_test", "--quiet"])
    if built.returncode != 0:
        raise BatchError("with this batch the warehouse does not build; nothing was written:\n" + _dbt_failure(built))
    shown = _dbt(project, scratch, preview_folder,
                 ["show", "--inline", _preview_sql(batch, stamp), "--output", "json", "--limit", "-1", "--quiet"])
    if shown.returncode != 0:
        raise BatchError("the preview could not be read back:\n" + _dbt_failure(shown))
    return outcomes(batch, json.loads(shown.stdout[shown.stdout.index("{"):])["show"])


def outcomes(batch: Batch, judged: Sequence[Mapping[str, Any]]) -> list[RowOutcome]:
    """Match the judged raw rows to the batch's rows by content (the same text, a blank as null)."""
    by_content: dict[tuple[str, tuple[str, ...]], list[Mapping[str, Any]]] = {}
    for row in judged:
        record = json.loads(row["raw_record"])
        content = tuple("" if record[c] is None else str(record[c]) for c in batch.tables[row["raw_table"]].header)
        by_content.setdefault((row["raw_table"], content), []).append(row)
    found: list[RowOutcome] = []
    for name, table in sorted(batch.tables.items()):
        for number, values in zip(table.row_numbers, table.rows, strict=True):
            rows = by_content.get((name, tuple(values)), [])
            keys = sorted({r["raw_row_key"] for r in rows})
            # identical rows of a batch share their content: each takes the judgement of one key
            mine = [r for r in rows if keys and r["raw_row_key"] == keys[0]]
            if keys:
                by_content[(name, tuple(values))] = [r for r in rows if r["raw_row_key"] != keys[0]]
            found.extend(_judgement(name, table.source, number, mine))
    return found


def _judgement(table: str, source: str, number: int, rows: Sequence[Mapping[str, Any]]) -> list[RowOutcome]:
    if not rows:
        return [RowOutcome(table, source, number, "unmatched", "preview", "the preview build did not see this row")]
    quarantined = [r for r in rows if r["quarantine_rule"]]
    if quarantined:
        first = quarantined[0]
        return [RowOutcome(table, source, number, "quarantined", first["quarantine_rule"], first["quarantine_reason"])]
    flagged = [r for r in rows if r["issue_rule"]]
    if flagged:
        return [RowOutcome(table, source, number, "flagged", r["issue_rule"], f"{r['field']}: {r['issue_reason']}")
                for r in flagged]
    return [RowOutcome(table, source, number, "clean")]


def intake(path: Path, project: Path, raw: RawFolder, *, by: str | None = None, dry_run: bool = False,
           now: dt.datetime | None = None) -> IntakeResult:
    """Read, check and preview the batch at `path`; unless `dry_run`, append it to `raw` and the ledger."""
    import tempfile
    import time

    from civcas.gates import GateFailure, validate_raw
    from civcas.raw_contract import load_raw_contract
    from civcas.raw_files import scan_raw_folder

    started = time.perf_counter()
    contract = load_raw_contract(project)
    who = researcher(by)
    batch = read_batch(path, contract)
    result = IntakeResult(batch_id=batch.batch_id, status="refused")
    banned = sorted(set(batch.tables) & set(NOT_HANDED_IN))
    result.messages += [f"{batch.tables[t].source}: {t} is not handed in by researchers; it is written by civcas"
                        for t in banned]
    result.messages += batch.problems
    folder_problems = scan_raw_folder(raw.path, contract, raw.mode).all_problems
    result.messages += [f"the raw folder {display(raw.path)} itself: {p}" for p in folder_problems]
    result.seconds["read"] = time.perf_counter() - started
    if result.messages:
        return result
    earlier = [e for e in ledger_entries(raw) if e["batch_id"] == batch.batch_id]
    if earlier:
        result.status = "already accepted"
        result.messages.append(f"batch {batch.batch_id} was accepted on {earlier[0]['accepted_at']} by "
                               f"{earlier[0]['accepted_by']}; nothing was written (a correction is a new batch)")
        return result
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    stamp = f"{now:%Y-%m-%d}-{batch.batch_id}"
    with tempfile.TemporaryDirectory(prefix="civcas-intake-") as scratch_name:
        scratch = Path(scratch_name)
        gate, preview_folder = _stage_folders(raw, batch, contract, scratch, stamp)
        try:
            validate_raw(gate, mode="files", project_dir=project)
        except GateFailure as failure:
            result.messages.append("the raw gate refuses the raw tables with this batch; nothing was written:\n"
                                   + str(failure).replace(str(gate) + "/", ""))
            return result
        result.seconds["gate"] = time.perf_counter() - started - sum(result.seconds.values())
        try:
            result.outcomes = preview(project, batch, scratch, preview_folder, stamp)
        except BatchError as error:
            result.messages.append(str(error))
            return result
        result.seconds["preview"] = time.perf_counter() - started - sum(result.seconds.values())
    if dry_run:
        result.status = "checked"
        return result
    result.written = _write(raw, batch, contract, result, who, now, stamp)
    result.status = "accepted"
    result.seconds["write"] = time.perf_counter() - started - sum(result.seconds.values())
    return result


def _ledger_rows(batch: Batch, result: IntakeResult, who: str, now: dt.datetime,
                 written: Mapping[str, str]) -> list[list[str]]:
    return [[batch.batch_id, f"{now:%Y-%m-%d %H:%M:%S}", who, name, table.source, table.sha256, str(len(table.rows)),
             str(result.count(name, "quarantined")), str(result.count(name, "flagged")), written[name]]
            for name, table in sorted(batch.tables.items())]


def _write(raw: RawFolder, batch: Batch, contract: Mapping[str, Sequence[str]], result: IntakeResult, who: str,
           now: dt.datetime, stamp: str) -> list[Path]:
    """Append the batch and its ledger rows: every file is written beside its target first and put in
    place only when all are written, so a failure leaves the raw folder as it was."""
    targets = {name: (raw.path / f"{name}.csv" if raw.mode == "seeds" else raw.path / f"{name}.{stamp}.parquet")
               for name in [*batch.tables, LEDGER]}
    ledger = BatchTable(table=LEDGER, source="ledger", sha256="", header=list(contract[LEDGER]))
    ledger.rows = _ledger_rows(batch, result, who, now, {n: targets[n].name for n in batch.tables})
    pending: list[tuple[Path, Path]] = []
    try:
        for name, target in targets.items():
            table = ledger if name == LEDGER else batch.tables[name]
            temporary = target.with_name(f".{target.name}.intake")
            if raw.mode == "seeds":
                _append_csv(target, temporary, table.rows)
            else:
                _write_parquet(table, contract[name], temporary)
            pending.append((temporary, target))
        for temporary, target in pending:
            os.replace(temporary, target)
    finally:
        for temporary, _ in pending:
            temporary.unlink(missing_ok=True)
    return [target for _, target in pending]


def _append_csv(target: Path, temporary: Path, rows: Sequence[Sequence[str]]) -> None:
    """The seed's text with the rows appended, as the demo's seeds are written (minimal quoting, '\\n')."""
    text = target.read_text(encoding="utf-8")
    if text and not text.endswith("\n"):
        text += "\n"
    sink = io.StringIO()
    csv.writer(sink, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerows(rows)
    temporary.write_text(text + sink.getvalue(), encoding="utf-8")
