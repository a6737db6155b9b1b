{#- Spark versions of macros/aggregates.sql (Spark SQL 4). -#}

{% macro spark__value_at_latest(expr, order_expr, tie_breaker=none) -%}
    {%- if tie_breaker is none -%}
    max_by({{ expr }}, {{ order_expr }}) filter (where {{ expr }} is not null)
    {%- else -%}
    max_by({{ expr }}, struct({{ order_expr }}, {{ tie_breaker }})) filter (where {{ expr }} is not null and {{ order_expr }} is not null)
    {%- endif -%}
{%- endmacro %}

{#- sequence() refuses bounds in the wrong order, where DuckDB's generate_series is empty. -#}
{% macro spark__month_series(start_expr, end_expr) -%}
    select series.month_start
    from (
        select explode(case
            when trunc(cast({{ start_expr }} as date), 'MM') <= trunc(cast({{ end_expr }} as date), 'MM')
                then sequence(
                    trunc(cast({{ start_expr }} as date), 'MM'),
                    trunc(cast({{ end_expr }} as date), 'MM'),
                    interval 1 month
                )
        end) as month_start
    ) as series
{%- endmacro %}

{#- DuckDB's list(distinct x) keeps a null (collect_list would drop it): the values travel in
    a struct; array_sort puts nulls last, as list_sort does. -#}
{% macro spark__belligerent_set(expr) -%}
    array_sort(array_distinct(transform(collect_list(struct({{ expr }} as set_item)), item -> item.set_item)))
{%- endmacro %}

{#- list_has_any: a shared element that is not null; null when either list is null. -#}
{% macro spark__sets_overlap(left, right) -%}
    case
        when {{ left }} is not null and {{ right }} is not null
            then exists({{ left }}, set_item -> set_item is not null and array_contains({{ right }}, set_item))
    end
{%- endmacro %}

{#- min_by keeps a null value, as arg_min_null does; the order is a struct of the expressions. -#}
{% macro spark__first_by(value_expr, order_exprs) -%}
    min_by({{ value_expr }}, struct({{ order_exprs | join(', ') }}))
{%- endmacro %}

{% macro spark__single_item_set(expr) -%}
    array({{ expr }})
{%- endmacro %}

{#- dbt-spark's listagg drops the order by: the values are sorted in a struct with their key,
    then joined (nulls skipped, null when there is no value, as string_agg). `order_by_clause`
    is 'order by <expression>', and the measure may start with 'distinct '. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error("listagg on Spark: limit_num is not supported") }}
    {%- endif -%}
    {%- set is_distinct = (measure | trim | lower).startswith('distinct ') -%}
    {%- set value = (measure | trim)[9:] if is_distinct else measure -%}
    {%- set order_key = modules.re.sub('^\\s*order\\s+by\\s+', '', order_by_clause, flags=modules.re.I) if order_by_clause else value -%}
    {%- if ',' in order_key or modules.re.search('\\s(asc|desc)\\s*$', order_key, flags=modules.re.I) -%}
        {{ exceptions.raise_compiler_error("listagg on Spark sorts by one ascending expression, not: " ~ order_by_clause) }}
    {%- endif -%}
    case
        when count({{ 'distinct ' if is_distinct }}{{ value }}) > 0
            then array_join(
                transform(
                    array_sort({{ 'array_distinct(' if is_distinct }}collect_list(
                        case when {{ value }} is not null then struct({{ order_key }} as sort_key, {{ value }} as item) end
                    ){{ ')' if is_distinct }}),
                    sorted -> sorted.item
                ),
                {{ delimiter_text }}
            )
    end
{%- endmacro %}

{#- collect_set drops nulls; an empty group gives null, as DuckDB's list() does. array_sort
    orders strings by their UTF-8 bytes, as DuckDB does. -#}
{% macro spark__sorted_id_list(expr) -%}
    case when count({{ expr }}) > 0 then array_sort(collect_set({{ expr }})) end
{%- endmacro %}

{% macro spark__list_to_text(list_expr, delimiter_text) -%}
    array_join({{ list_expr }}, {{ delimiter_text }})
{%- endmacro %}

{% macro spark__list_to_rows(list_expr) -%}
    explode({{ list_expr }})
{%- endmacro %}
