{#- PostgreSQL versions of macros/ucdp.sql. The server cannot read the build machine's files:
    civcas postgres-load-raw --ucdp <file> loads the GED file into raw_files.raw_ucdp_ged_events
    (every column text, an empty field null, as DuckDB reads it), which this reads. -#}

{% macro postgres__ucdp_raw_events(path) -%}
    (
        select
            {%- for column in ucdp_raw_columns() %}
                ucdp_file.{{ adapter.quote(column) }} as {{ column }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from {{ adapter.quote('raw_files') }}.{{ adapter.quote('raw_ucdp_ged_events') }} as ucdp_file
    )
{%- endmacro %}
