{#- Spark versions of macros/geography.sql. name_similarity needs none: default__ calls
    jaro_winkler_similarity, which civcas spark-dbt registers (civcas.similarity). -#}

{#- sequence() refuses bounds in the wrong order, where DuckDB's generate_series is empty. -#}
{% macro spark__day_series(start_expr, end_expr) -%}
    explode(case
        when cast({{ start_expr }} as date) <= cast({{ end_expr }} as date)
            then sequence(cast({{ start_expr }} as date), cast({{ end_expr }} as date), interval 1 day)
    end)
{%- endmacro %}
