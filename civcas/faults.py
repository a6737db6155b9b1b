"""Faults: what a killed run leaves behind, and the operational errors the CLI explains.

A run that writes a release or a published copy works in a *building folder* inside the
project's own folders (never the system temporary folder): mode 0700, a name ending in
``.not-a-release`` and a file ``NOT-A-RELEASE.txt`` saying so. Whatever it copies (the
warehouse snapshot, DuckDB's spill files, temporary files) stays inside it. A run killed
outright (``kill -9``, a power cut) leaves that folder; the next run into the same folder,
holding the same lock, removes it first.

Known operational errors (a file held by another process's lock, a full disk, a missing
file) are turned into one short paragraph by ``operational_message``; the CLI prints it and
exits 1, never a traceback.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# The environment variable that makes a run stop at a named stage until it is killed (the fault
# tests kill -9 it there); CIVCAS_PAUSE_FLAG names a file created when it gets there.
PAUSE_VARIABLE = "CIVCAS_PAUSE_AT"
PAUSE_FLAG_VARIABLE = "CIVCAS_PAUSE_FLAG"
BUILDING_SUFFIX = ".not-a-release"
BUILDING_MARKER = "NOT-A-RELEASE.txt"
_BUILDING_MARKER_TEXT = (
    "NOT A RELEASE. This folder belongs to a civcas run that was still writing it (process {pid}, "
    "started {started} UTC). Nothing in it has been checked for protected source values: do not "
    "open, copy or share it. If that run was killed, the next run into the same folder deletes it.\n"
)
_LOCK_ERROR = re.compile(r'Could not set lock on file "(?P<file>[^"]+)"(?:: Conflicting lock is held in '
                         r"(?P<program>.*?) \(PID (?P<pid>\d+)\))?")
_NO_SPACE = "No space left on device"


class OperationalError(Exception):
    """An operational fault the user can fix (exit 1); the message says what to do."""


def pause_point(stage: str) -> None:
    """Stop here until killed when CIVCAS_PAUSE_AT names this stage (fault tests only)."""
    if os.environ.get(PAUSE_VARIABLE) != stage:
        return
    flag = os.environ.get(PAUSE_FLAG_VARIABLE)
    if flag:
        Path(flag).write_text(f"{os.getpid()} {stage}\n")
    print(f"civcas: paused at {stage} ({PAUSE_VARIABLE}); kill this process to continue the test",
          file=sys.stderr, flush=True)
    while True:
        time.sleep(3600)


# --------------------------------------------------------------------------- building folders


def is_building_folder(path: Path) -> bool:
    return path.name.startswith(".") and path.name.endswith(BUILDING_SUFFIX) and path.is_dir()


def make_building_folder(parent: Path, what: str) -> Path:
    """A new hidden building folder in ``parent``, mode 0700, with its NOT-A-RELEASE marker."""
    parent.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    folder = parent / f".{what}-{stamp}-{os.getpid()}-{os.urandom(4).hex()}{BUILDING_SUFFIX}"
    folder.mkdir(mode=0o700)
    folder.chmod(0o700)  # whatever the umask
    (folder / BUILDING_MARKER).write_text(
        _BUILDING_MARKER_TEXT.format(pid=os.getpid(), started=time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())))
    return folder


def remove_leftovers(parent: Path, also: re.Pattern[str] | None = None) -> list[Path]:
    """Delete the building folders in ``parent`` (and the entries whose name matches ``also``).
    Call it only while holding the lock that every run into ``parent`` takes (``folder_lock``):
    then no live run owns them."""
    if not parent.is_dir():
        return []
    removed = []
    for entry in sorted(parent.iterdir()):
        if is_building_folder(entry) or (also is not None and also.match(entry.name)):
            remove_path(entry)
            removed.append(entry)
    return removed


def remove_path(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


@contextmanager
def folder_lock(lock_path: Path, busy_message: str) -> Iterator[None]:
    """An exclusive lock on ``lock_path`` for the whole run; the kernel releases it when the
    process dies, however it dies. Raises OperationalError(busy_message) when it is held."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OperationalError(busy_message) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --------------------------------------------------------------------------- operational errors


def is_disk_full(exc: BaseException) -> bool:
    return (isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)) or _NO_SPACE in str(exc)


def is_lock_conflict(exc: BaseException) -> bool:
    return _LOCK_ERROR.search(str(exc)) is not None


def lock_message(exc: BaseException) -> str:
    match = _LOCK_ERROR.search(str(exc))
    file = match.group("file") if match else "the DuckDB file"
    holder = (f"process {match.group('pid')} ({match.group('program')})" if match and match.group("pid")
              else "another process")
    return (f"Could not set lock on file {file}: {holder} holds it open. Close that connection (`ps -p "
            f"{match.group('pid') if match and match.group('pid') else '<PID>'}` shows it: a DuckDB CLI, a "
            "notebook, a GUI client or a dbt build still running), then run the command again. Analysts "
            "open warehouse/published/<name>.duckdb read-only, never the build file.")


def disk_message(exc: BaseException) -> str:
    where = getattr(exc, "filename", None)
    place = f" while writing {where}" if where else ""
    return (f"the disk is full{place} (No space left on device). Nothing was published and the "
            "unfinished files were removed. Free some space (or choose a folder on another disk) and "
            "run the command again.")


def missing_message(exc: BaseException) -> str:
    where = getattr(exc, "filename", None) or str(exc)
    return (f"{where} does not exist. Check the path (and the working directory), or build what "
            "it names first (`make build` writes the warehouse and target/), then run the command again.")


def operational_message(exc: BaseException) -> str | None:
    """One paragraph for a known operational error, or None for anything else."""
    if isinstance(exc, OperationalError):
        return str(exc)
    if is_lock_conflict(exc):
        return lock_message(exc)
    if is_disk_full(exc):
        return disk_message(exc)
    if isinstance(exc, FileNotFoundError):
        return missing_message(exc)
    return None


def check_lock(database: Path) -> None:
    """Raise OperationalError when another process holds ``database`` (a DuckDB file) so that a
    build could not open it for writing. A missing file is free. Opens and closes the file
    read-write, as dbt will: DuckDB's own lock decides, whatever its locking scheme."""
    import duckdb

    if not database.exists():
        return
    try:
        duckdb.connect(str(database)).close()
    except duckdb.Error as exc:
        if is_lock_conflict(exc):
            raise OperationalError(lock_message(exc)) from None
        raise
