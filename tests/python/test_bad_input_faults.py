"""The bad-input corpus, fault part (tests/corpus/cases.yml, fault_cases): build, publish and
release killed with SIGKILL at several points, a held lock, a full disk (a small tmpfs, where
the machine lets this suite mount one) and a missing file. Slow (each release takes tens of
seconds), so it runs in CI only: CI=true (set by .ci/run) or CIVCAS_FAULT_TESTS=1.

Every command runs as a subprocess in its own process group, with TMPDIR pointing at a folder
of its own, so that a snapshot left in the system temporary folder is seen."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from bad_input_corpus import (  # noqa: F401 - corpus_report is a fixture
    OUTCOMES,
    PROJECT_DIR,
    Outcome,
    corpus_normal_form,
    corpus_report,
    load_cases,
    occurs,
    record,
)
from conftest import run_dbt

pytestmark = pytest.mark.skipif(
    os.environ.get("CI") != "true" and os.environ.get("CIVCAS_FAULT_TESTS") != "1",
    reason="fault tests (kill -9, lock, full disk) run in CI only: set CI=true or CIVCAS_FAULT_TESTS=1",
)

FAULTS = load_cases()["fault_cases"]
TIMEOUT = 900


def _by_name(name: str) -> dict:
    return next(case for case in FAULTS if case["case"] == name)


def _cases(command: str, **kinds) -> list[dict]:
    return [c for c in FAULTS if c["command"] == command and all(bool(c.get(k)) == v for k, v in kinds.items())]


def _env(tmpdir: Path, warehouse: Path | None = None) -> dict[str, str]:
    env = dict(os.environ, TMPDIR=str(tmpdir), DO_NOT_TRACK="1", DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    if warehouse is not None:
        env["CIVCAS_DUCKDB_PATH"] = str(warehouse)
    return env


def _civcas(*args: str) -> list[str]:
    return [sys.executable, "-m", "civcas", *args, "--project-dir", str(PROJECT_DIR)]


def _dbt(*args: str, project: Path) -> list[str]:
    return [str(Path(sys.executable).with_name("dbt")), *args, "--profiles-dir", str(project),
            "--project-dir", str(project)]


def _run(command: list[str], env: dict[str, str], *, kill_on: str | None = None,
         kill_after: float | None = None, cwd: Path = PROJECT_DIR) -> tuple[int, str, bool]:
    """Run `command`; kill its process group with SIGKILL when a line of its output matches
    `kill_on` or `kill_after` seconds have passed. Returns (exit code, output, killed)."""
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, errors="replace", start_new_session=True)
    killed = threading.Event()

    def kill() -> None:
        if process.poll() is None:
            killed.set()
            os.killpg(process.pid, signal.SIGKILL)

    timer = threading.Timer(kill_after, kill) if kill_after is not None else None
    if timer:
        timer.start()
    watchdog = threading.Timer(TIMEOUT, kill)
    watchdog.start()
    lines = []
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        if kill_on and not killed.is_set() and re.search(kill_on, line):
            kill()
    code = process.wait()
    for t in (timer, watchdog):
        if t:
            t.cancel()
    return code, "".join(lines), killed.is_set()


def _snapshots_outside(tmpdir: Path) -> list[str]:
    return sorted(p.name for p in tmpdir.iterdir()) if tmpdir.exists() else []


def _protected_needles(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        values = connection.execute(
            "select distinct protected_value from restricted.restricted_protected_values "
            "where length(trim(protected_value)) >= 4").fetchall()
    return [corpus_normal_form(v) for (v,) in values]


def _leaks_in_folder(folder: Path, needles: list[str]) -> list[str]:
    """Protected values in any text file under `folder` (Parquet read through DuckDB), by this
    suite's own normal form."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            with duckdb.connect() as connection:
                text = " ".join(str(row) for row in connection.execute(
                    f"select * from read_parquet('{path}')").fetchall())
        else:
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
        folded = corpus_normal_form(text)
        found += [f"{path.relative_to(folder)}" for n in needles if n in folded and occurs(n, folded)]
    return sorted(set(found))


def _leaks_in_database(database: Path, needles: list[str]) -> list[str]:
    found = []
    with duckdb.connect(str(database), read_only=True) as connection:
        schemas = [s for (s,) in connection.execute(
            "select distinct table_schema from information_schema.tables").fetchall()]
        if "restricted" in schemas:
            found.append("schema restricted is in the analysts' copy")
        for schema, table, column in connection.execute(
                "select table_schema, table_name, column_name from information_schema.columns "
                "where data_type = 'VARCHAR' and table_schema <> 'restricted'").fetchall():
            for (cell,) in connection.execute(f'select distinct "{column}" from {schema}."{table}" '
                                              f'where "{column}" is not null').fetchall():
                folded = corpus_normal_form(cell)
                found += [f"{schema}.{table}.{column}" for n in needles if n in folded and occurs(n, folded)]
    return sorted(set(found))


def _outcome(spec: dict, observed: str, detail: str) -> Outcome:
    return record(Outcome(spec["case"], spec["table"], spec["expect"], observed, observed == spec["expect"],
                           detail[-600:]))


@pytest.fixture(scope="module")
def clean_build(demo_build, tmp_path_factory: pytest.TempPathFactory):
    """The session's demo build; when it failed (say, on a unit test, which other tests report),
    a build of the demo without unit tests, so that the faults are still tried."""
    result, warehouse = demo_build
    if result.success:
        return warehouse, warehouse.parent / "target"
    workdir = tmp_path_factory.mktemp("fault_build")
    warehouse = workdir / "civcas.duckdb"
    own = run_dbt(["build", "--exclude-resource-type", "unit_test"], PROJECT_DIR, warehouse, workdir / "target")
    if not own.success:
        pytest.fail(f"the demo build failed, so no fault can be tried on it: {own.exception}")
    return warehouse, workdir / "target"


# ------------------------------------------------------------------------------ release


def test_release_killed_at_any_point_leaves_nothing_and_the_next_run_cleans_up(clean_build, tmp_path: Path):
    warehouse, target = clean_build
    out = tmp_path / "releases" / "corpus-release"
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    command = _civcas("release", "--warehouse", str(warehouse), "--dbt-target", str(target), "--out", str(out))
    problems: dict[str, str] = {}
    for spec in _cases("release", hold_lock=False, disk_mb=False, missing=False, missing_target=False):
        code, output, killed = _run(command, _env(tmpdir, warehouse), kill_on=spec.get("kill_on"),
                                    kill_after=spec.get("kill_after"))
        left = [p.name for p in out.parent.iterdir()] if out.parent.exists() else []
        issues = []
        if not killed:
            issues.append(f"the kill point was not reached (exit {code})")
        if out.exists():
            issues.append(f"{out.name} exists after the kill")
        if _snapshots_outside(tmpdir):
            issues.append(f"left in the temporary folder: {_snapshots_outside(tmpdir)}")
        visible = [name for name in left if not name.startswith(".") and "lock" not in name]
        if visible:
            issues.append(f"visible leftovers beside the release: {visible}")
        if "Traceback" in output and not killed:
            issues.append("traceback")
        problems[spec["case"]] = "; ".join(issues)
        shutil.rmtree(tmpdir)
        tmpdir.mkdir()
    # The next run completes and removes what the killed ones left.
    code, output, _ = _run(command, _env(tmpdir, warehouse))
    # A lock file is no release content; anything else beside the release is a leftover.
    after = [p.name for p in out.parent.iterdir() if p.name != out.name and "lock" not in p.name]
    rerun_issues = []
    if code != 0:
        rerun_issues.append(f"the next release failed (exit {code}): {output[-800:]}")
    if after:
        rerun_issues.append(f"leftovers not removed by the next run: {after}")
    if _snapshots_outside(tmpdir):
        rerun_issues.append(f"left in the temporary folder: {_snapshots_outside(tmpdir)}")
    if "Traceback" in output:
        rerun_issues.append("traceback in the next run")
    if code == 0:
        leaks = _leaks_in_folder(out, _protected_needles(warehouse))
        if leaks:
            rerun_issues.append(f"protected values in the release: {leaks}")
    for spec in _cases("release", hold_lock=False, disk_mb=False, missing=False, missing_target=False):
        issues = "; ".join(i for i in [problems[spec["case"]], *rerun_issues] if i)
        _outcome(spec, "documented_rule" if not issues else "leftovers_or_failure", issues)
    failing = {c: o.detail for c, o in OUTCOMES.items() if c.startswith("fault.release.kill") and not o.ok}
    assert not failing, failing


# ------------------------------------------------------------------------------ publish


def test_publish_killed_at_any_point_keeps_the_last_copy_and_the_next_run_cleans_up(clean_build, tmp_path: Path):
    warehouse, _ = clean_build
    published = tmp_path / "published"
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    command = _civcas("publish", "--from", str(warehouse), "--to", str(published))
    code, output, _ = _run(command, _env(tmpdir, warehouse))
    assert code == 0, output
    link = published / f"{warehouse.stem}.duckdb"
    first = link.resolve()
    specs = _cases("publish", hold_lock=False, disk_mb=False, missing=False)
    problems: dict[str, str] = {}
    for spec in specs:
        code, output, killed = _run(command, _env(tmpdir, warehouse), kill_on=spec.get("kill_on"),
                                    kill_after=spec.get("kill_after"))
        issues = []
        if not killed:
            issues.append(f"the kill point was not reached (exit {code})")
        if link.resolve() != first:
            issues.append("the analysts' link moved to a copy that was never completed")
        try:
            with duckdb.connect(str(link), read_only=True) as connection:
                connection.execute("select count(*) from main._publication").fetchone()
        except duckdb.Error as exc:
            issues.append(f"the analysts' copy does not open: {exc}")
        if _snapshots_outside(tmpdir):
            issues.append(f"left in the temporary folder: {_snapshots_outside(tmpdir)}")
        problems[spec["case"]] = "; ".join(issues)
    code, output, _ = _run(command, _env(tmpdir, warehouse))
    rerun_issues = []
    if code != 0 or "Traceback" in output:
        rerun_issues.append(f"the next publish failed (exit {code}): {output[-800:]}")
    names = sorted(p.name for p in published.iterdir())
    partial = [n for n in names if re.search(r"partial|tmp|building|\.wal$", n)]
    if partial:
        rerun_issues.append(f"leftovers not removed by the next publish: {partial}")
    if code == 0:
        leaks = _leaks_in_database(link, _protected_needles(warehouse))
        if leaks:
            rerun_issues.append(f"the analysts' copy holds protected values: {leaks}")
    for spec in specs:
        issues = "; ".join(i for i in [problems[spec["case"]], *rerun_issues] if i)
        _outcome(spec, "documented_rule" if not issues else "leftovers_or_failure", issues)
    failing = {c: o.detail for c, o in OUTCOMES.items() if c.startswith("fault.publish.kill") and not o.ok}
    assert not failing, failing


# ------------------------------------------------------------------------------ build


def test_build_killed_at_any_point_builds_again(tmp_path: Path):
    project = tmp_path / "project"
    project.mkdir()
    for name in ["dbt_project.yml", "profiles.yml"]:
        shutil.copy(PROJECT_DIR / name, project / name)
    for name in ["models", "macros", "seeds", "tests", "analyses"]:
        shutil.copytree(PROJECT_DIR / name, project / name, ignore=shutil.ignore_patterns("python", "corpus"))
    warehouse = tmp_path / "warehouse" / "civcas.duckdb"
    warehouse.parent.mkdir()
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    build = _dbt("build", "--full-refresh", "--exclude-resource-type", "unit_test", project=project)
    specs = _cases("build")
    problems = {}
    for spec in specs:
        code, output, killed = _run(build, _env(tmpdir, warehouse), kill_on=spec.get("kill_on"), cwd=project)
        problems[spec["case"]] = "" if killed else f"the kill point was not reached (exit {code})"
    code, output, _ = _run(build, _env(tmpdir, warehouse), cwd=project)
    rerun = "" if code == 0 and "Traceback" not in output else f"the next build failed (exit {code}): {output[-800:]}"
    for spec in specs:
        issues = "; ".join(i for i in [problems[spec["case"]], rerun] if i)
        _outcome(spec, "documented_rule" if not issues else "leftovers_or_failure", issues)
    failing = {c: o.detail for c, o in OUTCOMES.items() if c.startswith("fault.build") and not o.ok}
    assert not failing, failing


# ------------------------------------------------------------------------------ operational errors


def _clear_error(spec: dict, code: int, output: str, seconds: float, limit: float = 120) -> Outcome:
    lowered = output.lower()
    if "Traceback" in output:
        observed = "traceback"
    elif code != 1:
        observed = f"exit_{code}"
    elif not any(word.lower() in lowered for word in spec.get("names_any", [])):
        observed = "message_not_naming_the_cause"
    elif seconds > limit:
        observed = "too_slow"
    else:
        observed = "clear_error"
    return _outcome(spec, observed, f"{seconds:.0f} s: {output.strip()[-400:]!r}")


def _holding_lock(warehouse: Path) -> subprocess.Popen:
    """Another process holding the build file open for writing, as an analyst's tool would."""
    holder = subprocess.Popen(
        [sys.executable, "-c", ("import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                                "print('ready', flush=True); time.sleep(600)"), str(warehouse)],
                               stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    return holder


@pytest.mark.parametrize("spec", [c for c in FAULTS if c.get("hold_lock")], ids=lambda c: c["case"])
def test_a_held_lock_is_one_clear_message(spec: dict, clean_build, tmp_path: Path):
    built, target = clean_build
    # A copy: a process killed while holding the file must not touch the session's build.
    warehouse = tmp_path / "lock" / built.name
    warehouse.parent.mkdir()
    shutil.copy(built, warehouse)
    command = (_civcas("publish", "--from", str(warehouse), "--to", str(tmp_path / "published"))
               if spec["command"] == "publish" else
               _civcas("release", "--warehouse", str(warehouse), "--dbt-target", str(target),
                       "--out", str(tmp_path / "release")))
    holder = _holding_lock(warehouse)
    try:
        started = time.perf_counter()
        code, output, _ = _run(command, _env(tmp_path, warehouse))
        outcome = _clear_error(spec, code, output, time.perf_counter() - started, limit=60)
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    assert outcome.ok, f"{outcome.observed}: {outcome.detail}"


@pytest.fixture()
def small_disk(tmp_path: Path, request):
    mount = tmp_path / "small_disk"
    mount.mkdir()
    size = request.param
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}m", "tmpfs", str(mount)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a {size} MB tmpfs here ({result.stderr.strip()}); the full-disk case needs root")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.parametrize(("spec", "small_disk"), [(c, c["disk_mb"]) for c in FAULTS if c.get("disk_mb")],
                         ids=[c["case"] for c in FAULTS if c.get("disk_mb")], indirect=["small_disk"])
def test_a_full_disk_is_one_clear_message_and_leaves_nothing(spec: dict, small_disk: Path, clean_build,
                                                             tmp_path: Path):
    warehouse, target = clean_build
    out = small_disk / "out"
    command = (_civcas("publish", "--from", str(warehouse), "--to", str(out))
               if spec["command"] == "publish" else
               _civcas("release", "--warehouse", str(warehouse), "--dbt-target", str(target), "--out", str(out)))
    tmpdir = small_disk / "tmp"
    tmpdir.mkdir()
    started = time.perf_counter()
    code, output, _ = _run(command, _env(tmpdir, warehouse))
    outcome = _clear_error(spec, code, output, time.perf_counter() - started, limit=600)
    left = sorted(str(p.relative_to(small_disk)) for p in small_disk.rglob("*")
                  if p.is_file() and "lock" not in p.name)
    if outcome.ok and left:
        outcome = _outcome(spec, "leftovers", f"left on the full disk: {left[:10]}")
    assert outcome.ok, f"{outcome.observed}: {outcome.detail}"


@pytest.mark.parametrize("spec", [c for c in FAULTS if c.get("missing") or c.get("missing_target")],
                         ids=lambda c: c["case"])
def test_a_missing_file_is_one_clear_message(spec: dict, clean_build, tmp_path: Path):
    warehouse, target = clean_build
    missing = tmp_path / "missing.duckdb"
    if spec["command"] == "publish":
        command = _civcas("publish", "--from", str(missing), "--to", str(tmp_path / "published"))
    elif spec.get("missing_target"):
        command = _civcas("release", "--warehouse", str(warehouse), "--dbt-target", str(tmp_path / "target"),
                          "--out", str(tmp_path / "release"))
    else:
        command = _civcas("release", "--warehouse", str(missing), "--dbt-target", str(target),
                          "--out", str(tmp_path / "release"))
    started = time.perf_counter()
    code, output, _ = _run(command, _env(tmp_path))
    outcome = _clear_error(spec, code, output, time.perf_counter() - started)
    assert outcome.ok, f"{outcome.observed}: {outcome.detail}"
