{#- PostgreSQL versions of macros/geography.sql. jaro_winkler_similarity is the PL/Python
    function civcas postgres-setup creates from civcas/similarity.py (DuckDB's rule). -#}

{% macro postgres__day_series(start_expr, end_expr) -%}
    cast(generate_series(
        cast({{ start_expr }} as timestamp), cast({{ end_expr }} as timestamp), interval '1 day'
    ) as date)
{%- endmacro %}

{% macro postgres__name_similarity(left_expr, right_expr) -%}
    jaro_winkler_similarity({{ left_expr }}, {{ right_expr }})
{%- endmacro %}
