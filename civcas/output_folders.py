"""Writing an output folder atomically, shared by the importer, the simulator, the generator
(generate-scale) and the release command.

Each builds its output in a staging folder beside the destination and, only when all of
it is written, swaps it into place: a reader sees the old folder or the new one, never a
half-written one. Outputs inside the checkout must be git-ignored, because some of them
derive from data that is not licensed for redistribution and all of them are build output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path


def git_ignores(path: Path, project_dir: Path, probe_name: str) -> bool | None:
    """Whether git ignores the file `probe_name` inside `path` (in the project's checkout);
    None when `path` is outside the checkout or git cannot tell."""
    try:
        relative = path.resolve().relative_to(project_dir.resolve())
    except ValueError:
        return None
    try:
        done = subprocess.run(["git", "-C", str(project_dir), "check-ignore", "-q", str(relative / probe_name)],
                              capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return {0: True, 1: False}.get(done.returncode)


def folder_mode() -> int:
    """The mode a new folder gets under the current umask (mkdtemp makes staging folders
    private; the finished output should look like any other folder)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o777 & ~mask


def swap_into_place(staging: Path, out: Path) -> None:
    """Rename the finished staging folder to `out`, replacing a previous output; on failure
    the previous output is put back."""
    if not out.exists():
        staging.rename(out)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.replaced-", dir=out.parent))
    retired.rmdir()
    out.rename(retired)
    try:
        staging.rename(out)
    except BaseException:
        retired.rename(out)
        raise
    shutil.rmtree(retired, ignore_errors=True)
