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
    per claim and block. A block is an area and a class of place:
    * the area: claims meet within their governorate (claims in different governorates are
      different places); a side without a governorate meets the other on its place name;
    * the class, after place_rule(): two points meet in a grid cell (by distance), two sides
      naming the same place meet on that name (by place name), and two sides naming no place
      and giving no point meet in the area alone (by governorate). A side giving a point and
      naming a place is in both its cell and its name; a pair judged by distance is kept
      from the cell only (linking_block_applies), so each pair is met once.
    One side of the join is expanded to the 3 x 3 cells around its own (neighbours=true) and
    the other is not: two points within var civcas_link_distance_km of each other lie in
    neighbouring cells of the grid (linking_grid). Without the classes a governorate's busy
    day compared every claim in it with every other (18 million pairs at 1 million claims).
    The relation needs governorate_id, place_key, point_latitude and point_longitude; all its
    columns are kept, plus area_key, block_class (the rule the block is for) and block_key. grid names a one-row relation made by
    linking_grid(). -#}
{% macro linking_blocks(relation, grid, neighbours=false) -%}
    {%- set areas -%}
    (
        select
            {{ relation }}.*,
            'governorate:' || {{ relation }}.governorate_id as area_key
        from {{ relation }}
        where {{ relation }}.governorate_id is not null
        union all
        select
            {{ relation }}.*,
            'place:' || {{ relation }}.place_key as area_key
        from {{ relation }}
        where {{ relation }}.place_key is not null
    ) as areas
    {%- endset %}
    select
        areas.*,
        'place_name' as block_class,
        areas.area_key || '|name:' || areas.place_key as block_key
    from {{ areas }}
    where areas.place_key is not null
    union all
    select
        areas.*,
        'distance' as block_class,
        areas.area_key
        || '|cell:' || cast(cast(floor(areas.point_latitude / {{ grid }}.latitude_degrees) as bigint)
            + cell_offsets.latitude_offset as {{ dbt.type_string() }})
        || ':' || cast(cast(floor(areas.point_longitude / {{ grid }}.longitude_degrees) as bigint)
            + cell_offsets.longitude_offset as {{ dbt.type_string() }}) as block_key
    from {{ areas }}
    cross join {{ grid }}
    cross join (
        {%- if neighbours %}
        select latitude_offsets.offset_value as latitude_offset, longitude_offsets.offset_value as longitude_offset
        from (select -1 as offset_value union all select 0 union all select 1) as latitude_offsets
        cross join (select -1 as offset_value union all select 0 union all select 1) as longitude_offsets
        {%- else %}
        select 0 as latitude_offset, 0 as longitude_offset
        {%- endif %}
    ) as cell_offsets
    where areas.point_latitude is not null and areas.point_longitude is not null
    union all
    select
        areas.*,
        'governorate' as block_class,
        areas.area_key || '|none' as block_key
    from {{ areas }}
    where areas.place_key is null and areas.point_latitude is null
{%- endmacro %}

{#- The grid of linking_blocks(), one row: cells at least var civcas_link_distance_km tall and
    wide wherever the given relations put a point. A degree of latitude is 111.2 km (111.0 keeps
    a margin); a degree of longitude is 111.2 km x cos(latitude), so the cells are widened for
    the point farthest from the equator. A grid wider than needed gives the same pairs, only
    more candidates to reject, so each run may size its own. relations: relation names that
    carry point_latitude. -#}
{% macro linking_grid(relations) -%}
    {%- set distance_km = var('civcas_link_distance_km') %}
    select
        {{ distance_km }} / 111.0 as latitude_degrees,
        case
            when coalesce(max(abs(points.point_latitude)), 0) >= 89 then 360.0
            else {{ distance_km }} / 111.0 / cos(radians(coalesce(max(abs(points.point_latitude)), 0)))
        end as longitude_degrees
    from (
        {%- for relation in relations %}
        select {{ relation }}.point_latitude from {{ relation }}
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    ) as points
{%- endmacro %}

{#- A pair met in a place block counts only when one side has no governorate; two sides with
    governorates meet in their governorate block (once, and only when it is the same). -#}
{% macro linking_block_applies(left, right) -%}
    ({{ left }}.area_key like 'governorate:%' or {{ left }}.governorate_id is null or {{ right }}.governorate_id is null)
    -- a pair of two points is judged by distance: met in its cell, not again on its name
    and not (
        {{ left }}.block_class = 'place_name'
        and {{ left }}.point_latitude is not null and {{ left }}.point_longitude is not null
        and {{ right }}.point_latitude is not null and {{ right }}.point_longitude is not null
    )
{%- endmacro %}
