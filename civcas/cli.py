"""Command line: ``civcas <subcommand>``.

Exit codes: 0 ok, 1 data problem or operational fault, 2 usage. Known operational faults (a
file held by another process's DuckDB lock, a full disk, a missing file) are explained in one
paragraph by ``main`` (``civcas.faults.operational_message``), never with a traceback. To add a
subcommand, write an
``_add_<name>`` function that registers its parser (with ``handler=``) and a
``_cmd_<name>`` function taking the parsed arguments, then list the former in
``_SUBCOMMANDS``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from civcas import __version__
from civcas.faults import check_lock, operational_message
from civcas.raw_contract import RAW_CONTRACT_PATH, ContractError, find_project_dir, load_raw_contract
from civcas.raw_files import check_raw_folder, display, scan_raw_folder

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2

RAW_FOLDER = Path("seeds") / "raw"


# Below this the monthly shape and the dirty-row kinds cannot all be represented.
MIN_CLAIMS = 200


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _claims_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < MIN_CLAIMS:
        raise argparse.ArgumentTypeError(f"must be at least {MIN_CLAIMS}: {text}")
    return value


def _common() -> argparse.ArgumentParser:
    """Options every subcommand takes."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--project-dir", type=Path,
                        help="project root holding seeds/ (default: the nearest one at or above the working directory)")
    return parent


def _project_dir(args: argparse.Namespace) -> Path:
    return Path(args.project_dir) if args.project_dir else find_project_dir()


# --------------------------------------------------------------------------- generate-demo


def _add_generate_demo(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "generate-demo",
        parents=[_common()],
        help="write the synthetic demo dataset into the raw seed folder",
        description="Write every raw table of the contract as a deterministic, clearly synthetic CSV. "
        "The same seed always writes byte-identical files.",
    )
    parser.add_argument("--out", type=Path, help=f"output folder (default: <project>/{RAW_FOLDER})")
    # Defaults resolved when the command runs, so that the other subcommands do not load the generator.
    parser.add_argument("--seed", type=int, help="random seed (default: the demo's)")
    parser.add_argument("--claims", type=_claims_count,
                        help=f"target number of claims, at least {MIN_CLAIMS} (default: the demo's size); "
                        "deliberate duplicate rows come on top")
    parser.set_defaults(handler=_cmd_generate_demo)


def _cmd_generate_demo(args: argparse.Namespace) -> int:
    # Imported here so that the other subcommands do not pay for numpy and pyarrow.
    from civcas.generator import DEFAULT_CLAIMS, DEFAULT_SEED, generate_demo

    project = _project_dir(args)
    out = args.out or project / RAW_FOLDER
    args.seed = DEFAULT_SEED if args.seed is None else args.seed
    result = generate_demo(out, project, seed=args.seed, n_claims=args.claims or DEFAULT_CLAIMS, progress=stderr_progress)
    dirty = sum(n for per_table in result.dirty.values() for n in per_table.values())
    print(f"generate-demo: wrote {len(result.rows)} synthetic tables to {display(out)} "
          f"(seed {args.seed}, {result.rows.get('raw_claims', 0):,} claims, {dirty} deliberately dirty rows)")
    # Self-check: what we just wrote must pass the same gate the build uses.
    problems = check_raw_folder(out, load_raw_contract(project))
    for problem in problems:
        print(problem, file=sys.stderr)
    return EXIT_DATA if problems else EXIT_OK


# --------------------------------------------------------------------------- generate-scale

SCALE_OUT = Path("data") / "scale"


def _scale_claims(text: str) -> int:
    from civcas.generator import MAX_CLAIMS

    value = _claims_count(text.replace(",", ""))
    if value > MAX_CLAIMS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_CLAIMS:_}: {text}")
    return value


def _add_generate_scale(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "generate-scale",
        parents=[_common()],
        help="write N synthetic claims (up to 10 million) and their tables as raw Parquet files",
        description="Write every table of the raw contract as Parquet (every column a string, as import-archive "
        "writes) for N synthetic claims in the demo's shape: sources, incidents, attributions, assessment "
        "logs, statements, declared strikes and their share of dirty rows, plus _scale_manifest.json. "
        "The same N and seed write byte-identical files, whatever --workers. Memory stays bounded "
        "(blocks of about 59,000 claims). The output folder is replaced only when everything is written. "
        "Build it with: make build-scale N=<N>.",
    )
    parser.add_argument("--claims", type=_scale_claims, required=True, metavar="N",
                        help=f"number of claims, {MIN_CLAIMS} to 10_000_000 (deliberate duplicate rows come on top)")
    parser.add_argument("--out", type=Path, help=f"output folder (default: <project>/{SCALE_OUT}/<N>/raw)")
    parser.add_argument("--seed", type=int, help="random seed (default: the demo's)")
    parser.add_argument("--workers", type=_positive_int, help="worker processes (default: 2, or 1 on one core)")
    parser.set_defaults(handler=_cmd_generate_scale)


def _cmd_generate_scale(args: argparse.Namespace) -> int:
    # Imported here so that the other subcommands do not pay for numpy and pyarrow.
    from civcas.generator import DEFAULT_SEED, GeneratorError, default_workers, generate_scale

    args.seed = DEFAULT_SEED if args.seed is None else args.seed
    project = _project_dir(args)
    out = args.out or project / SCALE_OUT / str(args.claims) / "raw"
    try:
        result = generate_scale(out, project, args.claims, seed=args.seed,
                                workers=args.workers or default_workers(), progress=stderr_progress)
    except GeneratorError as exc:
        print(f"civcas generate-scale: {exc}", file=sys.stderr)
        print(f"civcas generate-scale: nothing written; {display(out)} left as it was", file=sys.stderr)
        return EXIT_DATA
    dirty = sum(n for per_table in result.dirty.values() for n in per_table.values())
    width = max(len(table) for table in result.rows)
    print(f"generate-scale: wrote {len(result.rows)} synthetic tables to {display(result.out)} "
          f"in {result.elapsed:.1f} s (seed {args.seed}, {dirty:,} deliberately dirty rows)")
    print(f"  {'table':<{width}}  {'rows':>11}")
    for table, rows in result.rows.items():
        print(f"  {table:<{width}}  {rows:>11,}")
    return EXIT_OK


# --------------------------------------------------------------------------- check-lock


def _add_check_lock(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check-lock",
        parents=[_common()],
        help="stop early when another process holds the build file dbt is about to write",
        description="Open the DuckDB build file read-write and close it at once, as dbt will: exits 1, "
        "naming the process that holds it, when another process (a DuckDB CLI, a notebook, a GUI, a build "
        "still running) has it open. `make build` runs it before the raw gates, so a held file stops the "
        "build in a second, not after the gates. A file that does not exist yet is free.",
    )
    parser.add_argument("--warehouse", type=Path,
                        help=f"the DuckDB file dbt writes (default: $CIVCAS_DUCKDB_PATH, else <project>/{BUILD_FILE})")
    parser.set_defaults(handler=_cmd_check_lock)


def _cmd_check_lock(args: argparse.Namespace) -> int:
    environment_path = os.environ.get("CIVCAS_DUCKDB_PATH")
    warehouse = args.warehouse or (Path(environment_path) if environment_path else _project_dir(args) / BUILD_FILE)
    check_lock(warehouse)  # raises OperationalError, which main explains
    print(f"check-lock: {display(warehouse)} is free" + ("" if warehouse.exists() else " (not built yet)"))
    return EXIT_OK


# --------------------------------------------------------------------------- check-raw


def _add_check_raw(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check-raw",
        parents=[_common()],
        help="check the raw CSV files against the raw contract",
        description=f"Check each raw file named in {RAW_CONTRACT_PATH}: present, UTF-8, header as declared, "
        "every row as wide as the header, no unterminated quote, no control character (NUL and the other "
        "C0 and C1 controls but tab, CR and LF) in any value, and no undeclared CSV files. Fields may be "
        "of any length. Other row contents are not checked (dbt quarantines bad rows). With --mode files, "
        "checks the Parquet files instead: present, the contract's columns, no control character. "
        "Exits 1 when any file is malformed, naming the file, the line (row) and the column.",
    )
    parser.add_argument("--folder", type=Path, help=f"raw folder to check (default: <project>/{RAW_FOLDER})")
    parser.add_argument("--mode", choices=("seeds", "files"), default="seeds",
                        help="seeds: <table>.csv files (the demo, default); files: <table>.parquet files "
                        "(civcas import-archive, civcas simulate-intake)")
    parser.set_defaults(handler=_cmd_check_raw)


def _cmd_check_raw(args: argparse.Namespace) -> int:
    project = _project_dir(args)
    folder = args.folder or project / RAW_FOLDER
    report = scan_raw_folder(folder, load_raw_contract(project), mode=args.mode)
    problems = report.all_problems
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"check-raw: {len(problems)} problem(s) in {display(folder)}", file=sys.stderr)
        return EXIT_DATA
    counts = ", ".join(f"{f.table} {f.rows:,}" for f in report.files)
    print(f"check-raw: OK, {len(report.files)} files in {display(folder)} ({counts})")
    return EXIT_OK


# --------------------------------------------------------------------------- validate-raw / validate-release


def _add_validate_raw(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate-raw",
        parents=[_common()],
        help="run the Great Expectations raw gate on a raw folder before dbt",
        description="Validate every raw table of the contract with Great Expectations: present with exactly "
        "its columns, raw_dataset one row saying whether the data is synthetic, claims not empty, and each "
        "column's values mostly in the format staging reads. Single bad rows pass (dbt quarantines them); "
        "exits 1 when a whole table is unusable, naming the table, the column and what to fix.",
    )
    parser.add_argument("--folder", type=Path, help=f"raw folder to validate (default: <project>/{RAW_FOLDER})")
    parser.add_argument("--mode", choices=("seeds", "files"), default="seeds",
                        help="seeds: <table>.csv files (the demo, default); files: <table>.parquet files "
                        "(civcas import-archive, civcas simulate-intake)")
    parser.add_argument("--data-docs", type=Path, metavar="DIR",
                        help="also write the Great Expectations Data Docs HTML into DIR")
    parser.set_defaults(handler=_cmd_validate_raw)


def _cmd_validate_raw(args: argparse.Namespace) -> int:
    project = _project_dir(args)
    folder = args.folder or project / RAW_FOLDER
    print(f"validate-raw: validating {display(folder)} with Great Expectations ...", file=sys.stderr)
    # Imported here: Great Expectations takes seconds to import, the other subcommands need none of it.
    from civcas.gates import GateFailure, validate_raw

    try:
        report = validate_raw(folder, mode=args.mode, data_docs_dir=args.data_docs, project_dir=project)
    except GateFailure as exc:
        print(exc, file=sys.stderr)
        return EXIT_DATA
    print(report.summary())
    if report.data_docs_index:
        print(f"  Data Docs: {display(report.data_docs_index)}")
    return EXIT_OK


def _add_validate_release(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate-release",
        parents=[_common()],
        help="run the Great Expectations release gate on a release folder's CSV files",
        description="Validate <release>/csv/<file>.csv against the export contracts "
        "(models/exports/_exports__models.yml): header, types, keys unique and filled, min <= max, grades "
        "in the grade vocabulary, months on the first day, counts not negative, one is_synthetic value. "
        "Writes the Data Docs HTML, also on failure; exits 1 when any file fails.",
    )
    parser.add_argument("--release", type=Path, required=True, help="release folder holding csv/<file>.csv")
    parser.add_argument("--data-docs", type=Path, metavar="DIR",
                        help="where to write the Data Docs HTML (default: <release>/data_docs)")
    parser.set_defaults(handler=_cmd_validate_release)


def _cmd_validate_release(args: argparse.Namespace) -> int:
    if not args.release.is_dir():
        print(f"civcas validate-release: {display(args.release)} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    project = _project_dir(args)
    data_docs = args.data_docs or args.release / "data_docs"
    print(f"validate-release: validating {display(args.release)} with Great Expectations ...", file=sys.stderr)
    from civcas.gates import GateFailure, validate_release_files

    try:
        report = validate_release_files(args.release, data_docs, project_dir=project)
    except GateFailure as exc:
        print(exc, file=sys.stderr)
        return EXIT_DATA
    print(report.summary())
    print(f"  Data Docs: {display(report.data_docs_index or data_docs)}")
    return EXIT_OK


# --------------------------------------------------------------------------- import-archive

ARCHIVE_OUT = Path("data") / "archive" / "raw"


def _add_import_archive(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import-archive",
        parents=[_common()],
        help="import the real Airwars Syria archive into raw Parquet tables",
        description="Read the Airwars Syria archive (incidents.csv, belligerent_assessments.csv, sources.csv) "
        "and, optionally, the CENTCOM and Dutch strike releases, and write one Parquet file per raw table "
        f"of {RAW_CONTRACT_PATH} (every column a string, values copied as written) plus "
        "_import_manifest.json. The output folder is replaced only when the whole import succeeds. "
        "The archive is not licensed for redistribution: write it to a git-ignored folder.",
    )
    parser.add_argument("--archive", type=Path, required=True,
                        help="folder holding the Airwars Syria archive CSV files")
    parser.add_argument("--centcom", type=Path,
                        help="folder holding the CENTCOM strike releases (all-edited-refined.csv)")
    parser.add_argument("--dutch", type=Path,
                        help="folder holding the Dutch strike database (nl_oir_airstrikes_20230330.csv)")
    parser.add_argument("--out", type=Path, help=f"output folder (default: <project>/{ARCHIVE_OUT})")
    parser.set_defaults(handler=_cmd_import_archive)


def _cmd_import_archive(args: argparse.Namespace) -> int:
    # Imported here so that the other subcommands do not pay for pyarrow.
    from civcas.archive import ArchiveError, import_archive

    project = _project_dir(args)
    out = args.out or project / ARCHIVE_OUT
    try:
        result = import_archive(args.archive, out, project, centcom=args.centcom, dutch=args.dutch,
                                progress=stderr_progress)
    except ArchiveError as exc:
        print(f"civcas import-archive: {exc}", file=sys.stderr)
        print(f"civcas import-archive: nothing written; {display(out)} left as it was", file=sys.stderr)
        return EXIT_DATA
    width = max(len(table) for table in result.rows)
    print(f"import-archive: wrote {len(result.rows)} raw tables to {display(result.out)} "
          f"in {result.elapsed:.1f} s")
    print(f"  {'table':<{width}}  {'rows':>7}")
    for table, rows in result.rows.items():
        print(f"  {table:<{width}}  {rows:>7,}")
    return EXIT_OK


# --------------------------------------------------------------------------- simulate-intake

SIMULATION_OUT = Path("data") / "simulation"
DEFAULT_ARCHIVE = Path("..") / "shared" / "data" / "external" / "airwars-syria-archive"


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
    return value


def _add_simulate_intake(subparsers: argparse._SubParsersAction) -> None:
    from civcas.intake_noise import LEVELS

    parser = subparsers.add_parser(
        "simulate-intake",
        parents=[_common()],
        help="simulate intake claims from the real Airwars archive, at a noise level, with the truth kept apart",
        description="Turn real Airwars incidents (whole days of them) into intake claims with the error classes "
        "of real intake (civcas/intake_noise.py) at one level, add hard negatives, register about half the "
        "incidents (half of those with an assessor's link on their earliest claims), and write <out>/raw/ "
        f"(every table of {RAW_CONTRACT_PATH} as string-typed Parquet), <out>/truth.parquet (each claim's true "
        "incident, registration, noise classes and hard-negative flag) and <out>/_simulation_manifest.json. "
        "The same seed writes identical Parquet files, and the levels of one seed differ only in noise. The "
        "output folder is replaced only when the whole simulation succeeds; it holds real source names and "
        "links from the archive, which is not licensed for redistribution, so write it to a git-ignored folder.",
    )
    parser.add_argument("--archive", type=Path,
                        help=f"folder holding the Airwars Syria archive CSV files (default: <project>/{DEFAULT_ARCHIVE})")
    parser.add_argument("--level", choices=LEVELS, default="realistic", help="noise level (default: realistic)")
    parser.add_argument("--incidents", type=_positive_int, default=None, metavar="N",
                        help="archive incidents to draw, whole days at a time (default: 1000)")
    parser.add_argument("--centcom", type=Path,
                        help="folder holding the CENTCOM strike releases (all-edited-refined.csv), "
                        "copied into raw_declared_strikes")
    parser.add_argument("--dutch", type=Path,
                        help="folder holding the Dutch strike database (nl_oir_airstrikes_20230330.csv), "
                        "copied into raw_declared_strikes")
    parser.add_argument("--out", type=Path, help=f"output folder (default: <project>/{SIMULATION_OUT}/<level>)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: 4)")
    parser.set_defaults(handler=_cmd_simulate_intake)


def _cmd_simulate_intake(args: argparse.Namespace) -> int:
    # Imported here so that the other subcommands do not pay for pyarrow.
    from civcas.archive import ArchiveError
    from civcas.simulate import DEFAULT_INCIDENTS, DEFAULT_SEED, SimulationError, simulate_intake

    project = _project_dir(args)
    out = args.out or project / SIMULATION_OUT / args.level
    seed = DEFAULT_SEED if args.seed is None else args.seed
    try:
        result = simulate_intake(args.archive or project / DEFAULT_ARCHIVE, out, project, level=args.level,
                                 seed=seed, incidents=args.incidents or DEFAULT_INCIDENTS, centcom=args.centcom,
                                 dutch=args.dutch, progress=stderr_progress)
    except (ArchiveError, SimulationError) as exc:
        print(f"civcas simulate-intake: {exc}", file=sys.stderr)
        print(f"civcas simulate-intake: nothing written; {display(out)} left as it was", file=sys.stderr)
        return EXIT_DATA
    print(f"simulate-intake: level {result.level}: {result.claims:,} claims from {result.incidents:,} incidents "
          f"(seed {seed}) written to {display(result.out)} in {result.elapsed:.1f} s")
    width = max(len(table) for table in result.rows)
    print(f"  {'table':<{width}}  {'rows':>7}")
    for table, rows in result.rows.items():
        print(f"  {table:<{width}}  {rows:>7,}")
    print(f"  {'truth':<{width}}  {result.claims:>7,}")
    print("  facts: " + ", ".join(f"{name} {n:,}" for name, n in result.facts.items()))
    print("  noise: " + (", ".join(f"{name} {n:,}" for name, n in result.noise.items()) or "none"))
    return EXIT_OK


# --------------------------------------------------------------------------- evaluate-linking

# the linking model trains on a simulation of its own (seed 5), not on the one it is scored on (seed 4)
TRAINING_DUCKDB = Path("warehouse") / "training" / "realistic" / "civcas.duckdb"
EVALUATION_WAREHOUSES = Path("warehouse") / "evaluation"
EVALUATION_REPORT = Path("reports") / "linking_evaluation"


def _add_evaluate_linking(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate-linking",
        parents=[_common()],
        help="simulate intake at each noise level, build the claim chain on it and score the linking",
        description="For each level: simulate the intake (civcas simulate-intake, into <simulations>/<level>), "
        "dbt build +fct_claims in files mode into <warehouses>/<level>/civcas.duckdb, and score fct_claims "
        "against the truth: pairwise precision, recall and F1, incidents recovered exactly, for claims of "
        "registered incidents the share put in the right incident, in none or in a wrong one, the share of "
        "each noise class among the missed and the false pairs, the hard negatives merged, and the claims "
        "quarantined (counted as misses) by rule. Prints markdown tables and writes <report>.json and <report>.md.",
    )
    parser.add_argument("--levels", default="none,easy,realistic,hard",
                        help="comma-separated levels (default: none,easy,realistic,hard)")
    parser.add_argument("--archive", type=Path,
                        help=f"folder holding the Airwars Syria archive CSV files (default: <project>/{DEFAULT_ARCHIVE})")
    parser.add_argument("--incidents", type=_positive_int, default=None, metavar="N",
                        help="archive incidents per level (default: 1000)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: 4)")
    parser.add_argument("--simulations", type=Path,
                        help=f"folder of the levels' simulations (default: <project>/{SIMULATION_OUT})")
    parser.add_argument("--warehouses", type=Path,
                        help=f"folder of the levels' DuckDB files (default: <project>/{EVALUATION_WAREHOUSES}); "
                        "each is <level>/civcas.duckdb, as the models' views name their database")
    parser.add_argument("--report", type=Path,
                        help=f"report path without suffix (default: <project>/{EVALUATION_REPORT})")
    parser.add_argument("--skip-simulate", action="store_true",
                        help="use the simulations already in <simulations>/<level>")
    parser.add_argument("--skip-build", action="store_true",
                        help="score the DuckDB files as they are, without running dbt")
    parser.set_defaults(handler=_cmd_evaluate_linking)


def _cmd_evaluate_linking(args: argparse.Namespace) -> int:
    from civcas.archive import ArchiveError
    from civcas.linking_evaluation import EvaluationError, evaluate_linking, format_markdown, parse_levels, write_report
    from civcas.simulate import DEFAULT_INCIDENTS, DEFAULT_SEED, SimulationError

    project = _project_dir(args).resolve()
    try:
        levels = parse_levels(args.levels)
    except EvaluationError as exc:
        print(f"civcas evaluate-linking: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        report = evaluate_linking(
            project, levels, archive=args.archive or project / DEFAULT_ARCHIVE,
            simulations=args.simulations or project / SIMULATION_OUT,
            warehouses=args.warehouses or project / EVALUATION_WAREHOUSES,
            seed=DEFAULT_SEED if args.seed is None else args.seed,
            incidents=args.incidents or DEFAULT_INCIDENTS, skip_simulate=args.skip_simulate,
            skip_build=args.skip_build, say=lambda message: print(f"evaluate-linking: {message}", file=sys.stderr))
    except (EvaluationError, ArchiveError, SimulationError) as exc:
        print(f"civcas evaluate-linking: {exc}", file=sys.stderr)
        return EXIT_DATA
    json_path, markdown_path = write_report(args.report or project / EVALUATION_REPORT, report)
    print(format_markdown(report), end="")
    print(f"report written to {display(json_path)} and {display(markdown_path)}")
    return EXIT_OK


# --------------------------------------------------------------------------- evaluate-grades

GRADE_EVALUATION_DUCKDB = Path("warehouse") / "evaluation" / "grades" / "civcas.duckdb"
GRADE_EVALUATION_REPORT = Path("reports") / "grade_evaluation"
ARCHIVE_RAW = Path("data") / "archive" / "raw"


def _add_evaluate_grades(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate-grades",
        parents=[_common()],
        help="compare the suggested grades with the real archive's assessors (kappa, confusion matrix)",
        description="Build the grading models on the real archive (files mode, the Parquet files of "
        "`civcas import-archive`, into a DuckDB file of its own) and compare each incident's suggested grade "
        "with its assessor's grade: confusion matrix, per-grade recall, Cohen's kappa, agreement and the share "
        "left without a suggestion, for incidents dated up to 2018 (calibration) and from 2019 (report). "
        "Prints the report and writes it as <report>.json and <report>.txt. With --calibrate, searches the "
        "grid of grading thresholds on the incidents up to 2018 and prints the best.",
    )
    parser.add_argument("--raw", type=Path,
                        help=f"the archive's raw Parquet folder (default: <project>/{ARCHIVE_RAW}, "
                        "written by `make import-archive`)")
    parser.add_argument("--duckdb", type=Path,
                        help=f"the evaluation's DuckDB file (default: <project>/{GRADE_EVALUATION_DUCKDB}); "
                        "it must be named civcas.duckdb, as the models' views name their database")
    parser.add_argument("--report", type=Path,
                        help=f"report path without suffix (default: <project>/{GRADE_EVALUATION_REPORT})")
    parser.add_argument("--skip-build", action="store_true",
                        help="score the DuckDB file as it is, without running dbt")
    parser.add_argument("--calibrate", action="store_true",
                        help="also search the grid of thresholds on incidents dated up to 2018 and print the best")
    parser.set_defaults(handler=_cmd_evaluate_grades)


def _cmd_evaluate_grades(args: argparse.Namespace) -> int:
    from civcas.grade_evaluation import (
        GradeEvaluationError,
        GradeEvaluationPaths,
        calibrate,
        evaluate_grades,
        format_calibration,
        format_report,
        write_report,
    )

    project = _project_dir(args).resolve()
    paths = GradeEvaluationPaths(
        raw=args.raw or project / ARCHIVE_RAW,
        duckdb_path=args.duckdb or project / GRADE_EVALUATION_DUCKDB,
        report=args.report or project / GRADE_EVALUATION_REPORT,
    )
    if paths.duckdb_path.name != "civcas.duckdb":
        print(f"civcas evaluate-grades: --duckdb must name a file called civcas.duckdb, not {paths.duckdb_path.name}",
              file=sys.stderr)
        return EXIT_USAGE

    def say(message: str) -> None:
        print(f"evaluate-grades: {message}", file=sys.stderr)

    try:
        report = evaluate_grades(project, paths, skip_build=args.skip_build, say=say)
        if args.calibrate:
            results = calibrate(project, paths, say=say)
            report["calibration"] = results
    except GradeEvaluationError as exc:
        print(f"civcas evaluate-grades: {exc}", file=sys.stderr)
        return EXIT_DATA
    json_path, text_path = write_report(paths.report, report)
    print(format_report(report), end="")
    if args.calibrate:
        print()
        print(format_calibration(report["calibration"]), end="")
    print(f"report written to {display(json_path)} and {display(text_path)}")
    return EXIT_OK


# --------------------------------------------------------------------------- train-linking

def _add_train_linking(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train-linking",
        parents=[_common()],
        help="retrain the linkage model (Splink) on a built warehouse's records",
        description="Train the Fellegi-Sunter linkage model with Splink on the clean claims and registered "
        "incidents of a built warehouse (int_linking_records), with the comparisons of macros/linking.sql, "
        "and write linking/splink_model.json and seeds/reference/ref_linking_levels.csv. m probabilities come "
        "from the pairs of records the assessors put in one incident (claims linked by an assessor, and the "
        "incidents), by EM without labels when there are too few; u by random sampling. `make train-linking` "
        "first simulates realistic intake with seed 5 (the evaluation uses seed 4) and builds it. "
        "Rebuild afterwards (dbt build --full-refresh) so that every claim is scored with the new model.",
    )
    parser.add_argument("--warehouse", type=Path,
                        help=f"the DuckDB file to train on (default: <project>/{TRAINING_DUCKDB}, made by "
                        "`make train-linking`: simulated intake at the realistic level, seed 5)")
    parser.set_defaults(handler=_cmd_train_linking)


def _cmd_train_linking(args: argparse.Namespace) -> int:
    from civcas.linking_model import TrainingError, train

    project = _project_dir(args).resolve()
    warehouse = args.warehouse or project / TRAINING_DUCKDB
    try:
        train(project, warehouse, say=lambda message: print(f"train-linking: {message}", file=sys.stderr))
    except TrainingError as exc:
        print(f"civcas train-linking: {exc}", file=sys.stderr)
        return EXIT_DATA
    return EXIT_OK


# --------------------------------------------------------------------------- publish

BUILD_FILE = Path("warehouse") / "civcas.duckdb"
PUBLISHED_DIR = Path("warehouse") / "published"


def _add_publish(subparsers: argparse._SubParsersAction) -> None:
    # Stated here rather than imported from civcas.publish, so that the other subcommands do
    # not pay for importing duckdb; civcas.publish.PUBLISHED_SCHEMAS and DEFAULT_KEEP rule.
    parser = subparsers.add_parser(
        "publish",
        parents=[_common()],
        help="publish the built warehouse as the analysts' read-only database",
        description="Copy the schemas main, exports and reference of the build file "
        "(opened read-only) into a new file <to>/<name>-<UTC time>-<id>/<name>.duckdb (the analysts' copy), "
        "and the same plus restricted into <to>/internal/<name>-<UTC time>-<id>/<name>.duckdb (the internal "
        "copy, mode 0400 in folders of mode 0700), every view materialised as a table; verify every row "
        "count and that no protected source value appears outside the restricted schema; then switch "
        "<to>/internal/<name>.duckdb and the analysts' path <to>/<name>.duckdb (symbolic links) to the new "
        "files, each in one atomic rename, and delete older copies. Analysts holding the old copy open "
        "keep reading it until they reconnect and never block a publish. Exits 1, leaving both paths as "
        "they were, when the build cannot be published.",
    )
    parser.add_argument("--from", dest="build_file", type=Path,
                        help="the build file dbt wrote "
                        f"(default: $CIVCAS_DUCKDB_PATH, else <project>/{BUILD_FILE})")
    parser.add_argument("--to", dest="published_dir", type=Path,
                        help=f"folder of the published copies (default: <project>/{PUBLISHED_DIR})")
    parser.add_argument("--name",
                        help="name of the analysts' file, <to>/<name>.duckdb (default: the build file's name, "
                        "e.g. civcas or archive)")
    parser.add_argument("--keep", type=_positive_int,
                        help="published copies to keep, the current one included (default: 2: "
                        "the current and the last good one)")
    parser.add_argument("--run-results", type=Path,
                        help="dbt's run_results.json of the build; publishing is refused when any node did not "
                        "pass, and its invocation id is recorded in main._publication")
    parser.set_defaults(handler=_cmd_publish)


def _cmd_publish(args: argparse.Namespace) -> int:
    from civcas.publish import DEFAULT_KEEP, PublishError, publish

    project = _project_dir(args)
    environment_path = os.environ.get("CIVCAS_DUCKDB_PATH")
    build_file = args.build_file or (Path(environment_path) if environment_path else project / BUILD_FILE)
    published_dir = args.published_dir or project / PUBLISHED_DIR
    try:
        publication = publish(build_file, published_dir, name=args.name, keep=args.keep or DEFAULT_KEEP,
                              run_results=args.run_results, progress=stderr_progress)
    except PublishError as exc:
        print(f"civcas publish: {exc}", file=sys.stderr)
        return EXIT_DATA
    size = publication.path.stat().st_size / 1_000_000
    target = f"{publication.path.parent.name}/{publication.path.name}"
    print(f"publish: {display(publication.link)} -> {target} ({len(publication.tables)} tables, "
          f"{publication.rows:,} rows, {size:.1f} MB) in {publication.elapsed:.1f} s; analysts open it "
          "read-only")
    if publication.internal_link is not None:
        print(f"publish: {display(publication.internal_link)}: the internal copy with schema restricted "
              "(protected sources), readable by its owner alone")
    if publication.removed:
        print(f"  removed older copies: {', '.join(path.name for path in publication.removed)}")
    return EXIT_OK


# --------------------------------------------------------------------------- release

RELEASES_DIR = Path("releases")


def _add_release(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "release",
        parents=[_common()],
        help="write a release folder (CSV, Parquet, data dictionary, charts, docs) from the built warehouse",
        description="Write a release of the built warehouse: csv/ and parquet/ for every export the dbt "
        "project declares (exposures with meta.release_file), data_dictionary.csv/.md, charts/ (PNG + SVG), "
        "docs/ (dbt docs), data_docs/ (the Great Expectations release gate), README.txt, manifest.json and "
        "SHA256SUMS. The warehouse is only read (from a snapshot); the folder is written atomically. Every "
        "file is scanned for protected source values first. Exits 1 when the release cannot be published "
        "(missing export, failed build or gate, protected value found), 2 on a usage problem. "
        "With --verify FOLDER, re-checks a release's checksums instead.",
    )
    parser.add_argument("--warehouse", type=Path,
                        help=f"the DuckDB file dbt built (default: $CIVCAS_DUCKDB_PATH, else <project>/{BUILD_FILE})")
    parser.add_argument("--dbt-target", type=Path,
                        help="dbt's target folder of that build, with manifest.json and run_results.json "
                        "(default: <project>/target)")
    parser.add_argument("--out", type=Path,
                        help=f"release folder (default: <project>/{RELEASES_DIR}/civcas-<dataset id>-<build date>)")
    parser.add_argument("--force", action="store_true", help="replace a previous release in --out")
    parser.add_argument("--from-month", metavar="YYYY-MM",
                        help="release only a build whose period starts in this month (var civcas_first_month); "
                        "refuse another build, saying what to run")
    parser.add_argument("--to-month", metavar="YYYY-MM",
                        help="release only a build whose period ends in this month (var civcas_last_month)")
    parser.add_argument("--verify", type=Path, metavar="FOLDER",
                        help="re-check every file of the release in FOLDER against its SHA256SUMS and manifest.json; "
                        "exit 1 on any mismatch")
    parser.set_defaults(handler=_cmd_release)


def _cmd_release(args: argparse.Namespace) -> int:
    # Imported here so that the other subcommands do not pay for duckdb, pyarrow and matplotlib.
    from civcas.release import ReleaseError, ReleaseUsageError, build_release, parse_month, verify_release

    if args.verify is not None:
        if any(v is not None for v in (args.warehouse, args.dbt_target, args.out, args.from_month,
                                       args.to_month)) or args.force:
            print("civcas release: --verify takes only the release folder", file=sys.stderr)
            return EXIT_USAGE
        try:
            checked, problems = verify_release(args.verify)
        except ReleaseUsageError as exc:
            print(f"civcas release: {exc}", file=sys.stderr)
            return EXIT_USAGE
        for problem in problems:
            print(f"civcas release: {problem}", file=sys.stderr)
        if problems:
            print(f"civcas release: {display(args.verify)}: {len(problems)} problem(s) in {checked} files",
                  file=sys.stderr)
            return EXIT_DATA
        print(f"release: {display(args.verify)}: OK, {checked} files match SHA256SUMS")
        return EXIT_OK

    project = _project_dir(args)
    environment_path = os.environ.get("CIVCAS_DUCKDB_PATH")
    warehouse = args.warehouse or (Path(environment_path) if environment_path else project / BUILD_FILE)
    dbt_target = args.dbt_target or project / "target"
    # The effective command, defaults resolved, as the release manifest records it.
    command_line = ["civcas", "release", "--warehouse", str(warehouse), "--dbt-target", str(dbt_target)]
    command_line += ["--out", str(args.out)] if args.out else []
    command_line += ["--force"] if args.force else []
    command_line += ["--from-month", args.from_month] if args.from_month else []
    command_line += ["--to-month", args.to_month] if args.to_month else []
    try:
        period = (parse_month(args.from_month, "--from-month") if args.from_month else None,
                  parse_month(args.to_month, "--to-month") if args.to_month else None)
        result = build_release(warehouse, dbt_target, args.out, project, force=args.force,
                               command_line=command_line, progress=stderr_progress, period=period)
    except ReleaseUsageError as exc:
        print(f"civcas release: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ReleaseError as exc:
        print(f"civcas release: {exc}", file=sys.stderr)
        if "nothing was published" not in str(exc).lower():
            print("civcas release: nothing was published", file=sys.stderr)
        return EXIT_DATA
    synthetic = " (SYNTHETIC demo data)" if result.is_synthetic else ""
    print(f"release: wrote {display(result.out)}{synthetic}: {len(result.files) + 2} files, "
          f"{sum(result.exports.values()):,} rows in {len(result.exports)} exports, in {result.elapsed:.1f} s")
    for file, rows in result.exports.items():
        print(f"  csv/{file}.csv  {rows:,} rows")
    return EXIT_OK


# --------------------------------------------------------------------------- revisions


def _add_revisions(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "revisions",
        help="revisions_by_month: how each month's alleged and likely figures moved between two as-of builds",
        description="Compare two builds' monthly figures per belligerent and country (alleged and likely "
        "incidents and deaths, min and max): FROM, what was published (a release folder, e.g. one built with "
        "dbt var civcas_as_of), and TO, a later release or a built warehouse file. Writes revisions_by_month.csv "
        "(each figure on both sides and its change) and prints the rows that moved. Exits 1 when a side "
        "cannot be read.",
    )
    parser.add_argument("--from", dest="earlier", type=Path, required=True, metavar="RELEASE_OR_WAREHOUSE",
                        help="the earlier build: a release folder or a DuckDB warehouse file")
    parser.add_argument("--to", dest="later", type=Path, required=True, metavar="RELEASE_OR_WAREHOUSE",
                        help="the later build: a release folder or a DuckDB warehouse file")
    parser.add_argument("--out", type=Path, default=Path("revisions_by_month.csv"),
                        help="the CSV to write (default: revisions_by_month.csv)")
    parser.add_argument("--country", default="syria",
                        help="the country scope of the rows printed (the CSV holds every country; default: syria)")
    parser.set_defaults(handler=_cmd_revisions)


def _cmd_revisions(args: argparse.Namespace) -> int:
    from civcas.revisions import FIGURES, RevisionsError, changed_rows, read_side, revisions_by_month, write_csv

    try:
        earlier, later = read_side(args.earlier), read_side(args.later)
    except RevisionsError as exc:
        print(f"civcas revisions: {exc}", file=sys.stderr)
        return EXIT_DATA
    rows = revisions_by_month(earlier, later)
    write_csv(rows, args.out)
    moved = [row for row in changed_rows(rows) if row["country_id"] == args.country]
    synthetic = " (SYNTHETIC demo data)" if earlier.is_synthetic or later.is_synthetic else ""
    print(f"revisions: {earlier.as_of or 'as of its build'} -> {later.as_of or 'as of its build'}{synthetic}: "
          f"wrote {display(args.out)} ({len(rows):,} rows); {len(moved)} row(s) in {args.country} moved")
    for row in moved:
        changes = ", ".join(f"{f} {row[f + '_from']}->{row[f + '_to']}" for f in FIGURES
                            if row[f"{f}_change"] not in (None, 0))
        print(f"  {row['month']} {row['belligerent_id']}: {changes}")
    return EXIT_OK


# --------------------------------------------------------------------------- split-days, add-day


def _iso_date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def _add_split_days(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "split-days",
        parents=[_common()],
        help="hold out days of a raw folder, to replay them as daily increments",
        description="Write <out>/base/<table>.parquet (every raw row but the held-out days') and "
        "<out>/days/<YYYY-MM-DD>/<table>.parquet (each held-out day's new claims by date_reported, "
        "assessments by assessed_on, statements by statement_date, strike releases by strike_date). "
        "Registers stay in the base. Build the base, then add a day with `civcas add-day` and run "
        "`dbt build` for an incremental refresh. Exits 1 when the folder cannot be split.",
    )
    parser.add_argument("--raw", type=Path, required=True, help="a raw folder in the files layout (<table>.parquet)")
    parser.add_argument("--out", type=Path, required=True, help="folder for base/ and days/ (replaced)")
    parser.add_argument("--days", type=_positive_int, default=1, help="days to hold out (default: 1)")
    parser.add_argument("--first-day", type=_iso_date,
                        help="first held-out day, YYYY-MM-DD (default: the last --days days of claims)")
    parser.set_defaults(handler=_cmd_split_days)


def _cmd_split_days(args: argparse.Namespace) -> int:
    from civcas.increments import IncrementError, split_last_days

    try:
        day_dirs = split_last_days(args.raw, args.out, args.days, first_day=args.first_day)
    except IncrementError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_DATA
    print(f"base: {args.out / 'base'}")
    for day_dir in day_dirs:
        print(f"day:  {day_dir}")
    return EXIT_OK


def _add_add_day(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "add-day",
        parents=[_common()],
        help="add a held-out day to a raw folder, as <table>.<YYYY-MM-DD>.parquet",
        description="Copy a day folder written by `civcas split-days` into a raw folder beside its base "
        "files; the dbt source raw_files reads <table>.*parquet, so the next `dbt build` takes the day's "
        "rows as new. Exits 1 when the day was already added or the folder has no base file.",
    )
    parser.add_argument("--day", type=Path, required=True, help="a day folder, <out>/days/<YYYY-MM-DD>")
    parser.add_argument("--raw", type=Path, required=True, help="the raw folder dbt reads (civcas_raw_path)")
    parser.set_defaults(handler=_cmd_add_day)


def _cmd_add_day(args: argparse.Namespace) -> int:
    from civcas.increments import IncrementError, apply_day

    try:
        added = apply_day(args.day, args.raw)
    except IncrementError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_DATA
    for path in added:
        print(f"added {path}")
    return EXIT_OK


# --------------------------------------------------------------------------- refresh


def _add_refresh(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "refresh",
        parents=[_common()],
        help="the daily refresh of a warehouse built from a raw folder: build only what the new files reach",
        description="Compare the raw folder with the last refresh (kept beside the warehouse as "
        "<warehouse>.refresh.json) and run dbt build on the nodes downstream of the tables that got new files "
        "(<table>.<day>.parquet); the claim chain reads only the new files. Every node and test runs (a full "
        "check) with --full-check, when the last full check is older than --full-check-days, or when the "
        "project, its seeds or the vars changed. Prints the new rows and how many were quarantined, by rule. "
        "Exits 1 when dbt fails or a file seen before is gone or changed.",
    )
    parser.add_argument("--raw", type=Path, required=True, help="the raw folder dbt reads (civcas_raw_path)")
    parser.add_argument("--warehouse", type=Path,
                        help=f"the DuckDB file (default: $CIVCAS_DUCKDB_PATH, else <project>/{BUILD_FILE})")
    parser.add_argument("--full-check", action="store_true", help="run every node and every test on whole tables")
    parser.add_argument("--full-check-days", type=float, default=7.0,
                        help="run a full check when the last one is this many days old (default: 7)")
    parser.add_argument("--full-refresh", action="store_true",
                        help="rebuild everything from the raw files (after a raw file was edited or removed)")
    parser.set_defaults(handler=_cmd_refresh)


def _cmd_refresh(args: argparse.Namespace) -> int:
    from civcas.refresh import RefreshError, refresh

    project = _project_dir(args)
    environment_path = os.environ.get("CIVCAS_DUCKDB_PATH")
    warehouse = args.warehouse or (Path(environment_path) if environment_path else project / BUILD_FILE)
    check_lock(warehouse)
    try:
        code = refresh(project, args.raw, warehouse, full_check=args.full_check,
                       full_check_days=args.full_check_days, full_refresh=args.full_refresh)
    except RefreshError as error:
        print(f"civcas refresh: {error}", file=sys.stderr)
        return EXIT_DATA
    return EXIT_OK if code == 0 else EXIT_DATA


def _add_build_report(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "build-report",
        parents=[_common()],
        help="after a build: how many of the rows it had not seen were quarantined or flagged, and why",
        description="With --before (run just before dbt build), note the rows the warehouse has quarantined "
        "(fct_quarantined_rows) or flagged (fct_field_issues) so far, beside the warehouse file; without it (run "
        "after the build), print the rows the build newly quarantined or flagged, by table and rule, with a "
        "reason for each.",
    )
    parser.add_argument("--warehouse", type=Path,
                        help=f"the DuckDB file (default: $CIVCAS_DUCKDB_PATH, else <project>/{BUILD_FILE})")
    parser.add_argument("--before", action="store_true", help="take the snapshot before the build")
    parser.set_defaults(handler=_cmd_build_report)


def _cmd_build_report(args: argparse.Namespace) -> int:
    from civcas.build_report import report, take_snapshot

    project = _project_dir(args)
    environment_path = os.environ.get("CIVCAS_DUCKDB_PATH")
    warehouse = args.warehouse or (Path(environment_path) if environment_path else project / BUILD_FILE)
    if args.before:
        take_snapshot(warehouse)
        return EXIT_OK
    if not warehouse.exists():
        print(f"civcas build-report: {warehouse}: no warehouse; build it first (make build)", file=sys.stderr)
        return EXIT_DATA
    for line in report(warehouse):
        print(f"==> {line}")
    return EXIT_OK


# --------------------------------------------------------------------------- intake


def _add_intake(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "intake",
        parents=[_common()],
        help="hand in a researcher's batch (CSV, XLSX or a folder of them): check it, preview it, append it",
        description="Read a batch, one file per raw table in the raw contract (CSV; XLSX, a file per table or a "
        "sheet per table; or a folder of them), and check it before anything is written: the file shape "
        "(as check-raw), the raw gate on the raw tables with the batch, and a preview build that says what the "
        "quarantine rules do to each row (clean, flagged or quarantined, with the reason). A malformed batch is "
        "refused and nothing is written. An accepted batch is appended (the demo's CSV seeds, or with --raw a "
        "new Parquet file per table) and recorded in the intake ledger (raw_intake_batches). The same batch "
        "twice is a no-op. Exits 0 when accepted, checked (--dry-run) or already accepted; 1 when refused.",
    )
    parser.add_argument("batch", type=Path, help="a batch file (.csv or .xlsx) or a folder of them")
    parser.add_argument("--raw", type=Path,
                        help="files mode: the raw folder of Parquet files dbt reads (civcas_raw_path); "
                        "default: the demo's seeds/raw")
    parser.add_argument("--by", help="who hands the batch in (default: $CIVCAS_RESEARCHER, else the login name)")
    parser.add_argument("--dry-run", action="store_true", help="check and preview only; write nothing")
    parser.set_defaults(handler=_cmd_intake)


def _cmd_intake(args: argparse.Namespace) -> int:
    from civcas.intake import BatchError, RawFolder, intake

    project = _project_dir(args)
    raw = RawFolder(args.raw, "files") if args.raw else RawFolder(project / "seeds" / "raw", "seeds")
    try:
        result = intake(args.batch, project, raw, by=args.by, dry_run=args.dry_run)
    except BatchError as error:
        print(f"civcas intake: {error}", file=sys.stderr)
        return EXIT_DATA
    print(f"civcas intake: batch {result.batch_id}: {result.status}")
    for message in result.messages:
        print(f"civcas intake: {message}", file=sys.stderr if result.status == "refused" else sys.stdout)
    if result.status == "refused":
        return EXIT_DATA
    for table in sorted({o.table for o in result.outcomes}):
        rows = len({(o.source, o.row_number) for o in result.outcomes if o.table == table})
        print(f"  {table}: {rows} row{'s' if rows != 1 else ''}: {result.count(table, 'clean')} clean, "
              f"{result.count(table, 'flagged')} "
              f"flagged for review, {result.count(table, 'quarantined')} quarantined")
    for outcome in result.outcomes:
        if outcome.outcome != "clean":
            print(f"    {outcome.describe()}")
    for path in result.written:
        print(f"  wrote {path}")
    if result.status == "accepted":
        then = (f"civcas refresh --raw {args.raw} --warehouse <your warehouse>" if args.raw else "make build")
        print(f"civcas intake: next, refresh the warehouse: {then}. A correction is a new batch.")
    return EXIT_OK


# --------------------------------------------------------------------------- benchmark

BENCHMARK_DATA = Path("data") / "scale"
BENCHMARK_WORK = Path("warehouse") / "benchmark"
BENCHMARK_OUT = Path("reports")


def _add_benchmark(subparsers: argparse._SubParsersAction) -> None:
    from civcas.benchmark import DEFAULT_MEMORY_LIMIT, DEFAULT_THREADS

    parser = subparsers.add_parser(
        "benchmark",
        parents=[_common()],
        help="measure full builds, incremental refreshes and the DuckDB floor at 100k, 1M and 10M claims",
        description="For each size: generate the scale data once (cached in --data-dir), hold out its last day, "
        "dbt build --full-refresh in files mode (wall time, peak RSS, five slowest nodes), run the same compiled "
        "SQL in DuckDB alone (the floor, and dbt's ratio to it), add the held-out day and dbt build again "
        "(the incremental refresh), then compare the sizes' times. Prints a table with issue 14's targets "
        "(met or missed) and writes it to <out>/benchmark.txt and benchmark.json. Exits 0 when it ran, "
        "targets missed or not; 1 when a build fails (naming the node); 2 on bad options.",
    )
    parser.add_argument("--sizes", default="100k,1m,10m",
                        help="comma-separated claim counts, e.g. 100000,1m,10m (default: 100k,1m,10m)")
    parser.add_argument("--memory-limit", default=DEFAULT_MEMORY_LIMIT,
                        help=f"DuckDB memory_limit, for dbt and the floor (default: {DEFAULT_MEMORY_LIMIT})")
    parser.add_argument("--threads", type=_positive_int, default=DEFAULT_THREADS,
                        help=f"DuckDB threads, for dbt and the floor (default: {DEFAULT_THREADS})")
    parser.add_argument("--dbt-threads", type=_positive_int, default=DEFAULT_THREADS,
                        help=f"dbt threads: nodes built at once (default: {DEFAULT_THREADS})")
    parser.add_argument("--data-dir", type=Path,
                        help=f"where the generated data is kept, <dir>/<N>/raw (default: <project>/{BENCHMARK_DATA})")
    parser.add_argument("--work-dir", type=Path,
                        help=f"working folders, emptied on each run (default: <project>/{BENCHMARK_WORK})")
    parser.add_argument("--out", type=Path,
                        help=f"folder for benchmark.txt and benchmark.json (default: <project>/{BENCHMARK_OUT})")
    parser.add_argument("--seed", type=int, help="generator seed (default: generate-scale's)")
    parser.add_argument("--days", type=_positive_int, default=1,
                        help="days held out for the incremental refresh (default: 1)")
    parser.add_argument("--select", help="build only these dbt nodes (quick runs; the targets are then "
                        "not comparable)")
    parser.add_argument("--exclude", help="leave these dbt nodes out of every build and of the floor (the "
                        "targets are then not comparable)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the DuckDB files and the raw copy of each size in --work-dir")
    parser.set_defaults(handler=_cmd_benchmark)


def _cmd_benchmark(args: argparse.Namespace) -> int:
    from civcas.benchmark import (
        BenchmarkError,
        BenchmarkUsageError,
        Options,
        Settings,
        check_memory_limit,
        format_report,
        parse_sizes,
        run_benchmark,
        write_report,
    )

    project = _project_dir(args).resolve()
    try:
        options = Options(
            project_dir=project, sizes=parse_sizes(args.sizes),
            data_dir=args.data_dir.resolve() if args.data_dir else None,
            work_dir=args.work_dir.resolve() if args.work_dir else None,
            out_dir=args.out, seed=args.seed, days=args.days, select=args.select, exclude=args.exclude,
            keep=args.keep,
            settings=Settings(check_memory_limit(args.memory_limit), args.threads, args.dbt_threads),
        )
        report = run_benchmark(options, stderr_progress)
    except BenchmarkUsageError as exc:
        print(f"civcas benchmark: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BenchmarkError as exc:
        print(f"civcas benchmark: {exc}", file=sys.stderr)
        return EXIT_DATA
    failure = report.get("failure")
    if failure and not report["sizes"]:
        print(f"civcas benchmark: {failure['message']}", file=sys.stderr)
        return EXIT_DATA
    # Sizes measured before a failed build are reported all the same.
    text_path, json_path = write_report(report, args.out or project / BENCHMARK_OUT)
    print(format_report(report), end="")
    print(f"report written to {display(text_path)} and {display(json_path)}")
    if failure:
        print(f"civcas benchmark: {failure['claims']:,} claims: {failure['message']}", file=sys.stderr)
        return EXIT_DATA
    return EXIT_OK


# --------------------------------------------------------------------------- benchmark-engines


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"not a positive number of seconds: {text!r}")
    return value


def _add_benchmark_engines(subparsers: argparse._SubParsersAction) -> None:
    from civcas.engine_benchmark import DEFAULT_DATABASE, DEFAULT_SIZES, DEFAULT_TIMEOUT_SECONDS, ENGINES

    parser = subparsers.add_parser(
        "benchmark-engines",
        parents=[_common()],
        help="one full build per engine (DuckDB, PostgreSQL, Spark) and size: wall time, CPU, peak memory",
        description="For each size (the demo, or N generated claims in files mode) and each engine: one full "
        "dbt build (unit tests excluded, data tests run), measured: wall seconds, CPU seconds of the client "
        "(dbt) and of the server (PostgreSQL's processes for the database, or Spark's JVM), peak memory (RSS "
        "and PSS, client and server), rows of claims, and whether it passed. PostgreSQL's raw load is "
        "measured apart. Writes <out>/benchmark-engines.md and benchmark-engines.json after every build. "
        "Exits 0 when every build passed, 1 when one failed or timed out, 2 on bad options.",
    )
    parser.add_argument("--sizes", default=DEFAULT_SIZES,
                        help=f"comma-separated: demo and/or claim counts such as 100k, 1m (default: {DEFAULT_SIZES})")
    parser.add_argument("--engines", default=",".join(ENGINES),
                        help=f"comma-separated engines (default: {','.join(ENGINES)})")
    parser.add_argument("--data-dir", type=Path,
                        help="generated data, <dir>/<N>/raw or <dir>/<N>, made with generate-scale when missing "
                        f"(default: <project>/{BENCHMARK_DATA})")
    parser.add_argument("--work-dir", type=Path,
                        help="working folders, emptied on each run (default: <project>/warehouse/benchmark-engines)")
    parser.add_argument("--out", type=Path, help=f"folder for the reports (default: <project>/{BENCHMARK_OUT})")
    parser.add_argument("--database", default=DEFAULT_DATABASE,
                        help=f"the PostgreSQL database, made afresh by the build (default: {DEFAULT_DATABASE})")
    parser.add_argument("--timeout", type=_positive_seconds, default=DEFAULT_TIMEOUT_SECONDS,
                        help="seconds after which a build (or load) is stopped and reported as timed out "
                        f"(default: {DEFAULT_TIMEOUT_SECONDS:.0f})")
    parser.add_argument("--keep", action="store_true", help="keep each build's warehouse in --work-dir")
    parser.set_defaults(handler=_cmd_benchmark_engines)


def _cmd_benchmark_engines(args: argparse.Namespace) -> int:
    from civcas.engine_benchmark import (
        EngineBenchmarkError,
        Options,
        format_report,
        parse_engines,
        parse_sizes,
        run,
        write_report,
    )

    project = _project_dir(args).resolve()
    out = (args.out or project / BENCHMARK_OUT).resolve()
    try:
        options = Options(project_dir=project, sizes=parse_sizes(args.sizes), engines=parse_engines(args.engines),
                          data_dir=args.data_dir.resolve() if args.data_dir else None,
                          work_dir=args.work_dir.resolve() if args.work_dir else None, out_dir=out,
                          database=args.database, timeout_seconds=args.timeout, keep=args.keep)
        report = run(options, stderr_progress, write=lambda partial: write_report(partial, out))
    except EngineBenchmarkError as exc:
        print(f"civcas benchmark-engines: {exc}", file=sys.stderr)
        return EXIT_USAGE
    text_path, json_path = write_report(report, out)
    print(format_report(report), end="")
    print(f"report written to {display(text_path)} and {display(json_path)}")
    return EXIT_OK if all(result["passed"] for result in report["runs"]) else EXIT_DATA


# --------------------------------------------------------------------------- spark-dbt


def _add_spark_dbt(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "spark-dbt",
        parents=[_common()],
        help="run dbt on the spark target: start the local Spark session, register civcas's functions, run dbt",
        description="Start the Spark session of profiles.yml's spark target (dbt-spark, method session; tables "
        "and metastore under warehouse/spark), register the project's Python functions as Spark SQL functions "
        "(civcas.spark.SQL_FUNCTIONS), then run dbt in this process with the given arguments and --target spark, "
        "e.g. civcas spark-dbt build --select +fct_claims. Exits with dbt's code; 1 without Java.",
    )
    parser.add_argument("dbt_args", nargs=argparse.REMAINDER, help="arguments for dbt (build, run, test, ...)")
    parser.set_defaults(handler=_cmd_spark_dbt)


def _cmd_spark_dbt(args: argparse.Namespace) -> int:
    from civcas.spark import run_dbt

    if not args.dbt_args:
        print("civcas spark-dbt: give dbt's arguments, e.g. civcas spark-dbt build", file=sys.stderr)
        return EXIT_USAGE
    return run_dbt(_project_dir(args).resolve(), args.dbt_args)


def _add_compare_spark(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare-spark",
        parents=[_common()],
        help="compare the tables the spark target wrote with a DuckDB build, row for row",
        description="Read the marts, exports and restricted tables of a DuckDB file and the same tables the spark "
        "target wrote (Parquet under its warehouse folder, read without a JVM), and compare them row for row "
        "on a canonical order (civcas.engines). Exits 0 when equal, 1 with a report when not.",
    )
    parser.add_argument("--duckdb", type=Path, required=True, help="the DuckDB build to compare with")
    parser.add_argument("--spark-dir", type=Path, required=True,
                        help="the spark target's table folder (spark.sql.warehouse.dir), e.g. warehouse/spark/demo/tables")
    parser.add_argument("--tables", help="only these tables, comma-separated schema.table (default: every table)")
    parser.set_defaults(handler=_cmd_compare_spark)


def _cmd_compare_spark(args: argparse.Namespace) -> int:
    from civcas.engines import compare, duckdb_tables
    from civcas.spark import spark_tables

    for path in (args.duckdb, args.spark_dir):
        if not path.exists():
            print(f"civcas compare-spark: {path} does not exist; build it first (make build-spark)", file=sys.stderr)
            return EXIT_DATA
    left = duckdb_tables(args.duckdb)
    right = spark_tables(args.spark_dir)
    if args.tables:
        wanted = {name.strip() for name in args.tables.split(",")}
        left = {name: frame for name, frame in left.items() if name in wanted}
        right = {name: frame for name, frame in right.items() if name in wanted}
        missing = wanted - set(left) - set(right)
        if missing:
            print(f"civcas compare-spark: no such table: {', '.join(sorted(missing))}", file=sys.stderr)
            return EXIT_DATA
    result = compare(left, right, "duckdb", "spark")
    print(result.report())
    return EXIT_OK if result.equal else EXIT_DATA


# --------------------------------------------------------------------------- main

# --------------------------------------------------------------------------- PostgreSQL (issue 15)


def _add_postgres_setup(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "postgres-setup",
        parents=[_common()],
        help="start or reuse a PostgreSQL server and create the database, roles and functions dbt needs",
        description="Prepare the server of the profile's postgres target (CIVCAS_PG_HOST, CIVCAS_PG_PORT, "
        "CIVCAS_PG_USER, CIVCAS_PG_DATABASE): start a local server that is down (pg_ctlcluster), create the "
        "roles civcas_analyst and civcas_internal, the database (collation C), the schemas they read, and the "
        "PL/Python functions the models call (civcas.postgres). Passwords are generated into "
        "warehouse/postgres/pgpass (PGPASSFILE) unless CIVCAS_PG_PASSWORD is set.",
    )
    parser.add_argument("--database", help="the database (default: $CIVCAS_PG_DATABASE, else civcas)")
    parser.set_defaults(handler=_cmd_postgres_setup)


def _cmd_postgres_setup(args: argparse.Namespace) -> int:
    from civcas.postgres import Settings, describe, setup

    print(describe(setup(_project_dir(args), Settings.from_environment(args.database))))
    return EXIT_OK


def _add_postgres_load_raw(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "postgres-load-raw",
        parents=[_common()],
        help="load a folder of raw Parquet files (files mode) into the PostgreSQL schema raw_files",
        description="Each raw table's files (<table>.*parquet) become raw_files.<table>_by_file (every row "
        "with its file's name) and the view raw_files.<table> (the contract's columns), which the raw_files "
        "source reads when dbt runs with --target postgres and var civcas_raw_source: files.",
    )
    parser.add_argument("--folder", type=Path, required=True, help="the raw folder (e.g. data/archive/raw)")
    parser.add_argument("--database", help="the database (default: $CIVCAS_PG_DATABASE, else civcas)")
    parser.set_defaults(handler=_cmd_postgres_load_raw)


def _cmd_postgres_load_raw(args: argparse.Namespace) -> int:
    from civcas.postgres import Settings, load_raw

    tables = load_raw_contract(_project_dir(args))
    loaded = load_raw(args.folder, tables, Settings.from_environment(args.database))
    for table, rows in loaded.items():
        print(f"postgres-load-raw: raw_files.{table}: {rows:,} rows")
    return EXIT_OK


_SUBCOMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    _add_generate_demo,
    _add_generate_scale,
    _add_check_lock,
    _add_check_raw,
    _add_validate_raw,
    _add_validate_release,
    _add_import_archive,
    _add_simulate_intake,
    _add_evaluate_linking,
    _add_evaluate_grades,
    _add_train_linking,
    _add_publish,
    _add_release,
    _add_split_days,
    _add_add_day,
    _add_refresh,
    _add_build_report,
    _add_intake,
    _add_benchmark,
    _add_benchmark_engines,
    _add_postgres_setup,
    _add_postgres_load_raw,
    _add_spark_dbt,
    _add_compare_spark,
    _add_revisions,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="civcas",
        description="civcas: civilian-harm monitoring warehouse tools (dbt + DuckDB).",
    )
    parser.add_argument("--version", action="version", version=f"civcas {__version__}")
    subparsers = parser.add_subparsers(title="subcommands", metavar="<subcommand>")
    for register in _SUBCOMMANDS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return handler(args)
    except ContractError as exc:
        print(f"civcas: {exc}", file=sys.stderr)
        return EXIT_DATA
    except Exception as exc:
        # One place for the operational faults any subcommand can meet: a held lock, a full disk,
        # a missing file (civcas.faults). Anything else is a bug and keeps its traceback.
        message = operational_message(exc)
        if message is None and isinstance(exc, (ValueError, KeyError)):
            # A missing or malformed reference file is a data problem, not a crash.
            message = f"{type(exc).__name__}: {exc}"
        if message is None:
            raise
        print(f"civcas: {message}", file=sys.stderr)
        return EXIT_DATA


if __name__ == "__main__":
    sys.exit(main())
