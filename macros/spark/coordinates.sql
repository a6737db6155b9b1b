{#- Spark versions of macros/coordinates.sql. -#}

{% macro spark__point_in_any_box(boxes, country_expr, latitude, longitude) -%}
    coalesce(exists({{ boxes }}, country_box -> (
        (country_box.country_id = {{ country_expr }} or {{ country_expr }} is null)
        and {{ point_in_box(latitude, longitude, 'country_box') }}
    )), false)
{%- endmacro %}
