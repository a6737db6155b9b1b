{#- PostgreSQL version of macros/coordinates.sql: the countries' boxes are looked up with a
    correlated exists (PostgreSQL cannot read the fields of a list of anonymous rows). -#}

{% macro postgres__coordinate_checks_cte(input_cte, countries_cte) -%}
boxed as (
    select
        {{ input_cte }}.*,
        {{ postgres_point_in_any_box(countries_cte, input_cte ~ '.resolved_country_id', input_cte ~ '.latitude', input_cte ~ '.longitude') }} as is_point_in_country,
        {{ postgres_point_in_any_box(countries_cte, input_cte ~ '.resolved_country_id', input_cte ~ '.longitude', input_cte ~ '.latitude') }} as is_swapped_point_in_country
    from {{ input_cte }}
),
{{ coordinate_checks_corrected() }}
{%- endmacro %}

{% macro postgres_point_in_any_box(countries_cte, country_expr, latitude, longitude) -%}
    coalesce(exists (
        select 1 from {{ countries_cte }} as country_box
        where
            (country_box.country_id = {{ country_expr }} or {{ country_expr }} is null)
            and {{ point_in_box(latitude, longitude, 'country_box') }}
    ), false)
{%- endmacro %}

{% macro postgres__point_in_any_box(boxes, country_expr, latitude, longitude) -%}
    {{ exceptions.raise_compiler_error("point_in_any_box: on PostgreSQL coordinate_checks_cte looks the boxes up (postgres_point_in_any_box)") }}
{%- endmacro %}
