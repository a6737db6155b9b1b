"""The raw-table contract: table names and their ordered columns.

seeds/raw/_raw__seeds.yml is the single source of truth; nothing else in the
package lists raw columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

RAW_CONTRACT_PATH = Path("seeds") / "raw" / "_raw__seeds.yml"
# Raw tables that civcas itself appends to (civcas intake), never an importer or a generator:
# a new raw folder holds them with no rows.
LEDGER_TABLES = ("raw_intake_batches",)


class ContractError(ValueError):
    """The contract file is missing or malformed."""


def load_raw_contract(project_dir: Path) -> dict[str, list[str]]:
    """Return raw table name -> column names, in the order the contract declares them."""
    path = Path(project_dir) / RAW_CONTRACT_PATH
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ContractError(f"{path}: raw contract file not found") from exc
    except yaml.YAMLError as exc:
        raise ContractError(f"{path}: not valid YAML ({exc})") from exc
    seeds = document.get("seeds") if isinstance(document, dict) else None
    if not isinstance(seeds, list) or not seeds:
        raise ContractError(f"{path}: expected a non-empty 'seeds:' list")
    contract: dict[str, list[str]] = {}
    for seed in seeds:
        name, columns = _seed_columns(path, seed)
        if name in contract:
            raise ContractError(f"{path}: seed {name} is declared twice")
        contract[name] = columns
    return contract


def _seed_columns(path: Path, seed: Any) -> tuple[str, list[str]]:
    """Validate one seed entry and return its name and column names."""
    name = seed.get("name") if isinstance(seed, dict) else None
    if not isinstance(name, str) or not name:
        raise ContractError(f"{path}: a seed entry has no name")
    columns = [c.get("name") if isinstance(c, dict) else None for c in seed.get("columns") or []]
    if not columns or not all(isinstance(c, str) and c for c in columns):
        raise ContractError(f"{path}: seed {name} must list named columns")
    if len(set(columns)) != len(columns):
        raise ContractError(f"{path}: seed {name} lists a column twice")
    return name, columns


def find_project_dir(start: Path | None = None) -> Path:
    """The nearest directory at or above ``start`` (default: cwd) holding the raw contract.

    Falls back to the checkout this package lives in, so the CLI works from anywhere
    in an editable install.
    """
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / RAW_CONTRACT_PATH).is_file():
            return candidate
    package_root = Path(__file__).resolve().parent.parent
    if (package_root / RAW_CONTRACT_PATH).is_file():
        return package_root
    raise ContractError(f"no {RAW_CONTRACT_PATH} found at or above {here}; pass --project-dir")
