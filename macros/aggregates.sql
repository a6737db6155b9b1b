{#- The value of `expr` on the row with the greatest `order_expr`, ignoring rows where
    `expr` or `order_expr` is null. DuckDB's arg_max; Spark has max_by. When `order_expr` can tie,
    `tie_breaker` (an expression unique in the group) chooses among the tied rows: the greatest
    wins (without it DuckDB picks one arbitrarily). -#}
{% macro value_at_latest(expr, order_expr, tie_breaker=none) -%}
    {{ return(adapter.dispatch('value_at_latest', 'civcas')(expr, order_expr, tie_breaker)) }}
{%- endmacro %}

{% macro default__value_at_latest(expr, order_expr, tie_breaker=none) -%}
    {%- if tie_breaker is none -%}
    arg_max({{ expr }}, {{ order_expr }}) filter (where {{ expr }} is not null)
    {%- else -%}
    arg_max({{ expr }}, row({{ order_expr }}, {{ tie_breaker }})) filter (where {{ expr }} is not null and {{ order_expr }} is not null)
    {%- endif -%}
{%- endmacro %}

{#- Is a point inside a bounding box? Coordinates and bounds are all degrees. -#}
{% macro point_in_box(latitude, longitude, box_alias) -%}
    (
        {{ latitude }} between {{ box_alias }}.min_latitude and {{ box_alias }}.max_latitude
        and {{ longitude }} between {{ box_alias }}.min_longitude and {{ box_alias }}.max_longitude
    )
{%- endmacro %}

{#- A select statement yielding one row per month, column month_start, from the month of
    start_expr to the month of end_expr inclusive. The bounds may be scalar subqueries. -#}
{% macro month_series(start_expr, end_expr) -%}
    {{ return(adapter.dispatch('month_series', 'civcas')(start_expr, end_expr)) }}
{%- endmacro %}

{% macro default__month_series(start_expr, end_expr) -%}
    select cast(series.generated_month as date) as month_start
    from generate_series(
        cast({{ dbt.date_trunc('month', start_expr) }} as timestamp),
        cast({{ dbt.date_trunc('month', end_expr) }} as timestamp),
        interval 1 month
    ) as series (generated_month)
{%- endmacro %}

{#- The distinct values of `expr` in a group, as a sorted list (DuckDB): equal sets are equal
    lists, so a set can be grouped on; for sets_overlap(). -#}
{% macro belligerent_set(expr) -%}
    {{ return(adapter.dispatch('belligerent_set', 'civcas')(expr)) }}
{%- endmacro %}

{% macro default__belligerent_set(expr) -%}
    list_sort(list(distinct {{ expr }}))
{%- endmacro %}

{#- True when two lists share an element. -#}
{% macro sets_overlap(left, right) -%}
    {{ return(adapter.dispatch('sets_overlap', 'civcas')(left, right)) }}
{%- endmacro %}

{% macro default__sets_overlap(left, right) -%}
    list_has_any({{ left }}, {{ right }})
{%- endmacro %}

{#- Per group, the value of `value_expr` on the row that sorts first by `order_exprs` (a list
    of expressions, none of them null, together unique in the group). An aggregate: a window
    (row_number() ... = 1) would hold every row of every group at once; this keeps one per
    group. A null value is returned as null (DuckDB's arg_min would skip it). -#}
{% macro first_by(value_expr, order_exprs) -%}
    {{ return(adapter.dispatch('first_by', 'civcas')(value_expr, order_exprs)) }}
{%- endmacro %}

{% macro default__first_by(value_expr, order_exprs) -%}
    arg_min_null({{ value_expr }}, row({{ order_exprs | join(', ') }}))
{%- endmacro %}

{#- A set (list) of one element, comparable with belligerent_set() lists by sets_overlap(). -#}
{% macro single_item_set(expr) -%}
    {{ return(adapter.dispatch('single_item_set', 'civcas')(expr)) }}
{%- endmacro %}

{% macro default__single_item_set(expr) -%}
    list_value({{ expr }})
{%- endmacro %}

{#- The distinct values of `expr` in a group that are not null, as a list sorted in byte
    order (the list type: civcas_type('varchar[]')); null when there is none, as listagg.
    belligerent_ids in the marts. -#}
{% macro sorted_id_list(expr) -%}
    {{ return(adapter.dispatch('sorted_id_list', 'civcas')(expr)) }}
{%- endmacro %}

{% macro default__sorted_id_list(expr) -%}
    list_sort(list(distinct {{ expr }}) filter (where {{ expr }} is not null))
{%- endmacro %}

{#- A list as one text, its elements in list order separated by `delimiter_text` (a SQL
    literal); nulls skipped; null for a null list. The release files' form of a list
    (export_public_incidents.belligerent_ids). -#}
{% macro list_to_text(list_expr, delimiter_text) -%}
    {{ return(adapter.dispatch('list_to_text', 'civcas')(list_expr, delimiter_text)) }}
{%- endmacro %}

{% macro default__list_to_text(list_expr, delimiter_text) -%}
    array_to_string({{ list_expr }}, {{ delimiter_text }})
{%- endmacro %}

{#- One output row per element of a list, used in a select list:
    select id, {{ list_to_rows('belligerent_ids') }} as belligerent_id from t -#}
{% macro list_to_rows(list_expr) -%}
    {{ return(adapter.dispatch('list_to_rows', 'civcas')(list_expr)) }}
{%- endmacro %}

{% macro default__list_to_rows(list_expr) -%}
    unnest({{ list_expr }})
{%- endmacro %}

{#- The release files' form of a list column (export_public_incidents.belligerent_ids): its
    elements joined by ';', in the list's (sorted) order; null for a null list. One place: the
    export and the test that compares it with its mart (assert_exports_agree_with_marts) use it. -#}
{% macro release_list_text(list_expr) -%}
    {{ list_to_text(list_expr, "';'") }}
{%- endmacro %}

{#- Is a column type, as the adapter reports it (lower case), a list: DuckDB varchar[],
    PostgreSQL ARRAY / text[], Spark array<string>? -#}
{% macro is_list_type(data_type) -%}
    {{ return(data_type.endswith('[]') or data_type.startswith('array')) }}
{%- endmacro %}
