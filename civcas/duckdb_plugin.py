"""The dbt-duckdb plugin of civcas (profiles.yml, ``plugins: - module: civcas.duckdb_plugin``).

It does two things for every dbt process and connection:

- registers the SQL function ``civcas_normal_form``: the normal form of
  ``civcas.normal_form``, so that the dbt checks for protected values apply the same rule,
  from the same code, as the publish and release scans;
- lets ``dbt seed`` read long CSV fields. dbt reads a seed with agate, which uses Python's
  csv module and its default field limit of 131,072 characters: a longer field, valid CSV,
  would stop the build. ``civcas check-raw`` accepts fields of any length
  (civcas.raw_files), so the loader must too. ``initialize`` runs when dbt-duckdb opens its
  first connection, before any seed is read;
- creates the folder of the database file (``warehouse/`` in a fresh clone) before dbt-duckdb
  opens it: DuckDB creates the file, never its folder, and a plain ``dbt build`` in a fresh
  clone would otherwise stop with a traceback after the whole parse.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from civcas.normal_form import register_sql_function


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        csv.field_size_limit(sys.maxsize)

    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        create_database_folder(creds.path)

    def configure_connection(self, conn) -> None:
        register_sql_function(conn)


def create_database_folder(path: str | None) -> Path | None:
    """Create the folder of the DuckDB file at ``path`` when missing; return the folder created,
    or None (in memory, a MotherDuck or remote address, or the folder exists)."""
    if not path or path == ":memory:" or path.startswith(("md:", "motherduck:")) or "://" in path:
        return None
    folder = Path(path).expanduser().parent
    if folder.is_dir():
        return None
    folder.mkdir(parents=True, exist_ok=True)
    return folder
