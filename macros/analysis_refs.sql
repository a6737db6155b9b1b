{#- `ref` as dbt's, except in a saved analysis (analyses/): there it renders schema.table,
    without the database. An analysis is run by hand against the analysts' published copy,
    whose catalog DuckDB names after the file opened (civcas for civcas.duckdb, archive for
    archive.duckdb), so a catalog compiled into the SQL would bind on one copy only. The
    schemas (main, exports, reference) are the same in the build and in every copy. -#}
{% macro ref() %}
    {%- set version = kwargs.get('version') or kwargs.get('v') -%}
    {%- if (varargs | length) == 1 -%}
        {%- set relation = builtins.ref(varargs[0], version=version) -%}
    {%- else -%}
        {%- set relation = builtins.ref(varargs[0], varargs[1], version=version) -%}
    {%- endif -%}
    {%- if model is defined and model is not none and model.get('resource_type') == 'analysis' -%}
        {{ return(relation.include(database=false)) }}
    {%- endif -%}
    {{ return(relation) }}
{% endmacro %}
