"""A dbt-duckdb plugin (profiles.yml ``plugins:``) that lets ``dbt seed`` read long CSV fields.

dbt reads a seed with agate, which uses Python's csv module and its default field limit of
131,072 characters: a longer field, valid CSV, would stop the build. ``civcas check-raw``
accepts fields of any length (civcas.raw_files), so the loader must too. The plugin is
imported in the dbt process when dbt-duckdb opens its first connection, before any seed is read.
"""

from __future__ import annotations

import csv
import sys
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        csv.field_size_limit(sys.maxsize)
