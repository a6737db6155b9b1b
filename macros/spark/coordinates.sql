{#- Spark versions of macros/coordinates.sql. -#}

{% macro spark__point_in_any_box(boxes, country_expr, latitude, longitude) -%}
    coalesce(exists({{ boxes }}, country_box -> (
        (country_box.country_id = {{ country_expr }} or {{ country_expr }} is null)
        and {{ point_in_box(latitude, longitude, 'country_box') }}
    )), false)
{%- endmacro %}

{#- The countries' rows as one list of structs beside each row (collect_list of struct(*)). -#}
{% macro spark__coordinate_checks_cte(input_cte, countries_cte) -%}
boxed as (

    select
        {{ input_cte }}.*,
        {{ point_in_any_box(
            'country_boxes.boxes', input_cte ~ '.resolved_country_id',
            input_cte ~ '.latitude', input_cte ~ '.longitude'
        ) }} as is_point_in_country,
        {{ point_in_any_box(
            'country_boxes.boxes', input_cte ~ '.resolved_country_id',
            input_cte ~ '.longitude', input_cte ~ '.latitude'
        ) }} as is_swapped_point_in_country
    from {{ input_cte }}
    cross join (
        select collect_list(struct({{ countries_cte }}.*)) as boxes
        from {{ countries_cte }}
    ) as country_boxes

),

{{ coordinate_checks_corrected() }}
{%- endmacro %}
