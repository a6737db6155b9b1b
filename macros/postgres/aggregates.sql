{#- PostgreSQL versions of macros/aggregates.sql. Lists are arrays of text. -#}

{#- DuckDB's arg_max skips rows whose value or order is null. -#}
{% macro postgres__value_at_latest(expr, order_expr, tie_breaker=none) -%}
    (array_agg({{ expr }} order by {{ order_expr }} desc{{ ', ' ~ tie_breaker ~ ' desc' if tie_breaker is not none }}) filter (where {{ expr }} is not null and {{ order_expr }} is not null))[1]
{%- endmacro %}

{% macro postgres__month_series(start_expr, end_expr) -%}
    select cast(series.generated_month as date) as month_start
    from generate_series(
        cast({{ dbt.date_trunc('month', start_expr) }} as timestamp),
        cast({{ dbt.date_trunc('month', end_expr) }} as timestamp),
        interval '1 month'
    ) as series (generated_month)
{%- endmacro %}

{#- Sorted, nulls last and once, as DuckDB's list_sort(list(distinct ...)). -#}
{% macro postgres__belligerent_set(expr) -%}
    array_agg(distinct cast({{ expr }} as text) order by cast({{ expr }} as text))
{%- endmacro %}

{% macro postgres__sets_overlap(left, right) -%}
    ({{ left }} && {{ right }})
{%- endmacro %}

{% macro postgres__first_by(value_expr, order_exprs) -%}
    (array_agg({{ value_expr }} order by {{ order_exprs | join(', ') }}))[1]
{%- endmacro %}

{% macro postgres__single_item_set(expr) -%}
    array[cast({{ expr }} as text)]
{%- endmacro %}

{#- Byte order (collation "C"), as DuckDB sorts text; null when no value, as array_agg. -#}
{% macro postgres__sorted_id_list(expr) -%}
    array_agg(distinct cast({{ expr }} as text) collate "C" order by cast({{ expr }} as text) collate "C")
        filter (where {{ expr }} is not null)
{%- endmacro %}

{% macro postgres__list_to_text(list_expr, delimiter_text) -%}
    array_to_string({{ list_expr }}, {{ delimiter_text }})
{%- endmacro %}

{#- unnest in a select list: one row per element (none for an empty or null array). -#}
{% macro postgres__list_to_rows(list_expr) -%}
    unnest({{ list_expr }})
{%- endmacro %}
