{#- Great-circle distance in kilometres between two points given in decimal degrees
    (haversine, mean Earth radius 6,371 km). Portable SQL arithmetic. -#}
{% macro haversine_km(latitude_a, longitude_a, latitude_b, longitude_b) -%}
    2 * 6371 * asin(sqrt(
        power(sin(radians({{ latitude_b }} - {{ latitude_a }}) / 2), 2)
        + cos(radians({{ latitude_a }})) * cos(radians({{ latitude_b }}))
        * power(sin(radians({{ longitude_b }} - {{ longitude_a }}) / 2), 2)
    ))
{%- endmacro %}

{#- One row per day from start_expr to end_expr inclusive, used in a select list:
    select id, {{ day_series('first_day', 'last_day') }} as day from t -#}
{% macro day_series(start_expr, end_expr) -%}
    {{ return(adapter.dispatch('day_series', 'civcas')(start_expr, end_expr)) }}
{%- endmacro %}

{% macro default__day_series(start_expr, end_expr) -%}
    cast(unnest(generate_series(
        cast({{ start_expr }} as timestamp), cast({{ end_expr }} as timestamp), interval 1 day
    )) as date)
{%- endmacro %}

{#- Similarity of two place names in [0, 1] (Jaro-Winkler): transliterations of one name
    score high, different villages low. -#}
{% macro name_similarity(left_expr, right_expr) -%}
    {{ return(adapter.dispatch('name_similarity', 'civcas')(left_expr, right_expr)) }}
{%- endmacro %}

{% macro default__name_similarity(left_expr, right_expr) -%}
    jaro_winkler_similarity({{ left_expr }}, {{ right_expr }})
{%- endmacro %}
