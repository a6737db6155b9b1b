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

{#- The key on which two places are compared by name: the gazetteer's place id when the
    spelling resolves, otherwise the normalised spelling itself. -#}
{% macro place_name_key(place_id_expr, place_as_written_expr) -%}
    coalesce({{ place_id_expr }}, {{ normalise_key(place_as_written_expr) }})
{%- endmacro %}

{#- The linking rules' place comparison between two sides that each carry point_latitude,
    point_longitude (null unless finer than town level) and place_key. Judged in order:
    distance when both give a point; else place name when both name a place; else the
    governorate, only when neither names a place nor gives a point. -#}
{% macro place_rule(left, right) -%}
    case
        when {{ left }}.point_latitude is not null and {{ right }}.point_latitude is not null
            then 'distance'
        when {{ left }}.place_key is not null and {{ right }}.place_key is not null
            then 'place_name'
        when
            {{ left }}.place_key is null and {{ right }}.place_key is null
            and {{ left }}.point_latitude is null and {{ right }}.point_latitude is null
            then 'governorate'
    end
{%- endmacro %}

{% macro point_distance_km(left, right) -%}
    case
        when {{ left }}.point_latitude is not null and {{ right }}.point_latitude is not null
            then {{ haversine_km(
                left ~ '.point_latitude', left ~ '.point_longitude',
                right ~ '.point_latitude', right ~ '.point_longitude'
            ) }}
    end
{%- endmacro %}

{#- True when the places agree under the rule place_rule() chose. -#}
{% macro places_agree(rule_column, distance_column, left_place_key, right_place_key) -%}
    (
        ({{ rule_column }} = 'distance' and {{ distance_column }} <= {{ var('civcas_link_distance_km') }})
        or ({{ rule_column }} = 'place_name' and {{ left_place_key }} = {{ right_place_key }})
        or {{ rule_column }} = 'governorate'
    )
{%- endmacro %}

{#- Columns that place a clean claim or incident for the linking rules: its place key,
    and its point only when finer than town level (a centroid is not a location). -#}
{% macro linking_place_columns(relation_alias, precision_alias) -%}
    {{ place_name_key(relation_alias ~ '.place_id', relation_alias ~ '.place_as_written') }} as place_key,
    case when {{ precision_alias }}.is_finer_than_town then {{ relation_alias }}.corrected_latitude end
        as point_latitude,
    case when {{ precision_alias }}.is_finer_than_town then {{ relation_alias }}.corrected_longitude end
        as point_longitude
{%- endmacro %}
