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
    spelling resolves, otherwise the spelling reduced by place_match_key(). -#}
{% macro place_name_key(place_id_expr, place_as_written_expr) -%}
    coalesce({{ place_id_expr }}, {{ place_match_key(place_as_written_expr) }})
{%- endmacro %}

{#- A place name reduced to what transliterations of it share: lower case, the Arabic article
    dropped wherever it starts a word ("Al-Bab", "al Bab", "El Bab" and "Bab" meet; likewise
    the assimilated "ash-", "ad-", "ar-", ...), punctuation read as a space. -#}
{% macro place_match_key(expr) -%}
    {{ return(adapter.dispatch('place_match_key', 'civcas')(expr)) }}
{%- endmacro %}

{% macro default__place_match_key(expr) -%}
    nullif(trim(regexp_replace(
        regexp_replace(
            regexp_replace(lower({{ expr }}), '\b(al|el)[\s\-‐‑]+', '', 'g'),
            '\b(a[dnrstz]|ash|ath|adh)[\-‐‑]', '', 'g'
        ),
        '[^\pL\pN]+', ' ', 'g'
    )), '')
{%- endmacro %}

{#- Similarity of two place names in [0, 1] (Jaro-Winkler): transliterations of one name
    score high, different villages low. -#}
{% macro name_similarity(left_expr, right_expr) -%}
    {{ return(adapter.dispatch('name_similarity', 'civcas')(left_expr, right_expr)) }}
{%- endmacro %}

{% macro default__name_similarity(left_expr, right_expr) -%}
    jaro_winkler_similarity({{ left_expr }}, {{ right_expr }})
{%- endmacro %}
