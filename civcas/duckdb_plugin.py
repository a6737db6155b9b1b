"""A dbt-duckdb plugin (profiles.yml, ``plugins: - module: civcas.duckdb_plugin``) that gives
every dbt connection the SQL function ``civcas_normal_form``: the normal form of
``civcas.normal_form``, so that the dbt checks for protected values apply the same rule,
from the same code, as the publish and release scans."""

from __future__ import annotations

from dbt.adapters.duckdb.plugins import BasePlugin

from civcas.normal_form import register_sql_function


class Plugin(BasePlugin):
    def configure_connection(self, conn) -> None:
        register_sql_function(conn)
