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

{#- True when the places agree under the rule place_rule() chose. By distance, the points must
    lie within var civcas_link_distance_km; and when both sides also name a place, the names
    must be alike (name_similarity at least var civcas_link_name_similarity): neighbouring
    villages a few km apart are different places, transliterations of one name are not. -#}
{% macro places_agree(rule_column, distance_column, left_place_key, right_place_key) -%}
    (
        (
            {{ rule_column }} = 'distance'
            and {{ distance_column }} <= {{ var('civcas_link_distance_km') }}
            and (
                {{ left_place_key }} is null or {{ right_place_key }} is null
                or {{ left_place_key }} = {{ right_place_key }}
                or {{ name_similarity(left_place_key, right_place_key) }} >= {{ var('civcas_link_name_similarity') }}
            )
        )
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

{#- Blocking for the linking joins, so that no claim is compared with every other: one row
    per claim and block. Claims meet within their governorate (claims in different
    governorates are different places); a side without a governorate meets the other on its
    place name instead. The relation needs governorate_id and place_key; all its columns are
    kept, plus block_key. -#}
{% macro linking_blocks(relation) -%}
    select
        {{ relation }}.*,
        'governorate:' || {{ relation }}.governorate_id as block_key
    from {{ relation }}
    where {{ relation }}.governorate_id is not null
    union all
    select
        {{ relation }}.*,
        'place:' || {{ relation }}.place_key as block_key
    from {{ relation }}
    where {{ relation }}.place_key is not null
{%- endmacro %}

{#- A pair met in a place block counts only when one side has no governorate; two sides with
    governorates meet in their governorate block (once, and only when it is the same). -#}
{% macro linking_block_applies(left, right) -%}
    ({{ left }}.block_key like 'governorate:%' or {{ left }}.governorate_id is null or {{ right }}.governorate_id is null)
{%- endmacro %}
