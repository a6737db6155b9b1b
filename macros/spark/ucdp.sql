{#- Spark versions of macros/ucdp.sql. Spark SQL reads a CSV with options only through a view:
    the staging model's pre-hook registers the GED file as the temporary view
    civcas_ucdp_ged_events (header, quotes doubled inside quoted fields, line breaks inside
    them), which lives as long as the session civcas spark-dbt runs dbt in. Every column is
    text (no schema is inferred), and an empty field is null, as DuckDB reads it. -#}

{% macro spark__ucdp_pre_hooks() -%}
    {%- if ucdp_is_configured() -%}
        {{ return([
            "create or replace temporary view civcas_ucdp_ged_events using csv options ("
            ~ "path " ~ spark_string_literal(var('civcas_ucdp_path'))
            ~ ", header 'true', quote '\"', escape '\"', multiLine 'true', encoding 'UTF-8', mode 'FAILFAST')"
        ]) }}
    {%- else -%}
        {{ return([]) }}
    {%- endif -%}
{%- endmacro %}

{% macro spark__ucdp_raw_events(path) -%}
    (
        select
            {%- for column in ucdp_raw_columns() %}
                ucdp_file.`{{ column }}` as {{ column }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from civcas_ucdp_ged_events as ucdp_file
    )
{%- endmacro %}
