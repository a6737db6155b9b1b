"""Command line: ``civcas <subcommand>``.

Exit codes: 0 ok, 1 data problem, 2 usage. To add a subcommand, write an
``_add_<name>`` function that registers its parser (with ``handler=``) and a
``_cmd_<name>`` function taking the parsed arguments, then list the former in
``_SUBCOMMANDS``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from civcas import __version__
from civcas.generator import DEFAULT_CLAIMS, DEFAULT_SEED, generate_demo, stderr_progress
from civcas.raw_contract import RAW_CONTRACT_PATH, ContractError, find_project_dir, load_raw_contract
from civcas.raw_files import check_raw_folder, display, scan_raw_folder

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2

RAW_FOLDER = Path("seeds") / "raw"


# Below this the monthly shape and the dirty-row kinds cannot all be represented.
MIN_CLAIMS = 200


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
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})")
    parser.add_argument("--claims", type=_claims_count, default=DEFAULT_CLAIMS,
                        help=f"target number of claims, at least {MIN_CLAIMS} (default: {DEFAULT_CLAIMS}); "
                        "deliberate duplicate rows come on top")
    parser.set_defaults(handler=_cmd_generate_demo)


def _cmd_generate_demo(args: argparse.Namespace) -> int:
    project = _project_dir(args)
    out = args.out or project / RAW_FOLDER
    result = generate_demo(out, project, seed=args.seed, n_claims=args.claims, progress=stderr_progress)
    dirty = sum(n for per_table in result.dirty.values() for n in per_table.values())
    print(f"generate-demo: wrote {len(result.rows)} synthetic tables to {display(out)} "
          f"(seed {args.seed}, {result.rows.get('raw_claims', 0):,} claims, {dirty} deliberately dirty rows)")
    # Self-check: what we just wrote must pass the same gate the build uses.
    problems = check_raw_folder(out, load_raw_contract(project))
    for problem in problems:
        print(problem, file=sys.stderr)
    return EXIT_DATA if problems else EXIT_OK


# --------------------------------------------------------------------------- check-raw


def _add_check_raw(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check-raw",
        parents=[_common()],
        help="check the raw CSV files against the raw contract",
        description=f"Check each raw file named in {RAW_CONTRACT_PATH}: present, UTF-8, header as declared, "
        "every row as wide as the header, and no undeclared CSV files. Row contents are not checked "
        "(dbt quarantines bad rows). Exits 1 when any file is malformed.",
    )
    parser.add_argument("--folder", type=Path, help=f"raw folder to check (default: <project>/{RAW_FOLDER})")
    parser.set_defaults(handler=_cmd_check_raw)


def _cmd_check_raw(args: argparse.Namespace) -> int:
    project = _project_dir(args)
    folder = args.folder or project / RAW_FOLDER
    report = scan_raw_folder(folder, load_raw_contract(project))
    problems = report.all_problems
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"check-raw: {len(problems)} problem(s) in {display(folder)}", file=sys.stderr)
        return EXIT_DATA
    counts = ", ".join(f"{f.table} {f.rows:,}" for f in report.files)
    print(f"check-raw: OK, {len(report.files)} files in {display(folder)} ({counts})")
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


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
    return value


def _add_simulate_intake(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "simulate-intake",
        parents=[_common()],
        help="simulate unlinked intake claims from the real Airwars archive, with the truth kept apart",
        description="Turn every Airwars incident with parsed sources into intake claims (one per source, "
        "no incident code, with noisy dates, place spellings, coordinates, belligerents and figures) and "
        f"write <out>/raw/ (every table of {RAW_CONTRACT_PATH} as string-typed Parquet), "
        "<out>/truth.parquet (each claim's true incident and grade) and <out>/_simulation_manifest.json. "
        "The same seed writes identical Parquet files. The output folder is replaced only when the whole "
        "simulation succeeds; it holds real source names and links from the archive, which is not "
        "licensed for redistribution, so write it to a git-ignored folder.",
    )
    parser.add_argument("--archive", type=Path, required=True,
                        help="folder holding the Airwars Syria archive CSV files")
    parser.add_argument("--centcom", type=Path,
                        help="folder holding the CENTCOM strike releases (all-edited-refined.csv), "
                        "copied into raw_declared_strikes")
    parser.add_argument("--dutch", type=Path,
                        help="folder holding the Dutch strike database (nl_oir_airstrikes_20230330.csv), "
                        "copied into raw_declared_strikes")
    parser.add_argument("--out", type=Path, help=f"output folder (default: <project>/{SIMULATION_OUT})")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: 4)")
    parser.add_argument("--limit-incidents", type=_positive_int, metavar="N",
                        help="simulate only the first N incidents with sources, by airwars_id (for fast runs)")
    parser.set_defaults(handler=_cmd_simulate_intake)


def _cmd_simulate_intake(args: argparse.Namespace) -> int:
    # Imported here so that the other subcommands do not pay for pyarrow.
    from civcas.archive import ArchiveError
    from civcas.simulate import DEFAULT_SEED, SimulationError, simulate_intake

    project = _project_dir(args)
    out = args.out or project / SIMULATION_OUT
    seed = DEFAULT_SEED if args.seed is None else args.seed
    try:
        result = simulate_intake(args.archive, out, project, seed=seed, centcom=args.centcom, dutch=args.dutch,
                                 limit_incidents=args.limit_incidents, progress=stderr_progress)
    except (ArchiveError, SimulationError) as exc:
        print(f"civcas simulate-intake: {exc}", file=sys.stderr)
        print(f"civcas simulate-intake: nothing written; {display(out)} left as it was", file=sys.stderr)
        return EXIT_DATA
    print(f"simulate-intake: {result.claims:,} claims from {result.incidents:,} incidents (seed {seed}) "
          f"written to {display(result.out)} in {result.elapsed:.1f} s")
    width = max(len(table) for table in result.rows)
    print(f"  {'table':<{width}}  {'rows':>7}")
    for table, rows in result.rows.items():
        print(f"  {table:<{width}}  {rows:>7,}")
    print(f"  {'truth':<{width}}  {result.claims:>7,}")
    print("  noise: " + ", ".join(f"{name} {n:,}" for name, n in result.noise.items()))
    return EXIT_OK


# --------------------------------------------------------------------------- evaluate-linking

EVALUATION_DUCKDB = Path("warehouse") / "evaluation" / "civcas.duckdb"
EVALUATION_REPORT = Path("reports") / "linking_evaluation"


def _add_evaluate_linking(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate-linking",
        parents=[_common()],
        help="build the warehouse on simulated intake claims and score linking and suggested grades",
        description="Run the warehouse on the simulated intake claims of `civcas simulate-intake` (dbt build "
        "of the triage models, files mode, into its own DuckDB file) and score it against the truth: "
        "pairwise precision, recall and F1 of the claim linkage, incidents found against the true number, "
        "and the suggested grades against the archive's grades (confusion matrix, per-grade recall, "
        "Cohen's kappa), with the rules behind the disagreements and the time taken. Prints the report "
        "and writes it as <report>.json and <report>.txt.",
    )
    parser.add_argument("--simulation", type=Path,
                        help=f"folder written by simulate-intake (default: <project>/{SIMULATION_OUT})")
    parser.add_argument("--duckdb", type=Path,
                        help=f"the evaluation's DuckDB file (default: <project>/{EVALUATION_DUCKDB}); "
                        "it must be named civcas.duckdb, as the models' views name their database")
    parser.add_argument("--report", type=Path,
                        help=f"report path without suffix (default: <project>/{EVALUATION_REPORT})")
    parser.add_argument("--skip-build", action="store_true",
                        help="score the DuckDB file as it is, without running dbt")
    parser.set_defaults(handler=_cmd_evaluate_linking)


def _cmd_evaluate_linking(args: argparse.Namespace) -> int:
    from civcas.evaluation import format_report, write_report
    from civcas.linking_evaluation import EvaluationError, EvaluationPaths, evaluate_linking

    project = _project_dir(args).resolve()
    paths = EvaluationPaths(
        simulation=args.simulation or project / SIMULATION_OUT,
        duckdb_path=args.duckdb or project / EVALUATION_DUCKDB,
        report=args.report or project / EVALUATION_REPORT,
    )
    if paths.duckdb_path.name != "civcas.duckdb":
        print(f"civcas evaluate-linking: --duckdb must name a file called civcas.duckdb, not {paths.duckdb_path.name}",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        report = evaluate_linking(project, paths, skip_build=args.skip_build,
                                  say=lambda message: print(f"evaluate-linking: {message}", file=sys.stderr))
    except EvaluationError as exc:
        print(f"civcas evaluate-linking: {exc}", file=sys.stderr)
        return EXIT_DATA
    json_path, text_path = write_report(paths.report, report)
    print(format_report(report), end="")
    print(f"report written to {display(json_path)} and {display(text_path)}")
    return EXIT_OK


# --------------------------------------------------------------------------- main

_SUBCOMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    _add_generate_demo,
    _add_check_raw,
    _add_import_archive,
    _add_simulate_intake,
    _add_evaluate_linking,
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
    except (FileNotFoundError, ValueError, KeyError) as exc:
        # A missing or malformed reference file is a data problem, not a crash.
        print(f"civcas: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_DATA


if __name__ == "__main__":
    sys.exit(main())
