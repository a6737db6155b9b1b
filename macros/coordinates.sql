{#- Coordinate checks shared by the claim and incident validation models.

    coordinate_checks_cte(input_cte, countries_cte) emits two CTEs ending in `checked`:
    it tests whether (latitude, longitude) falls inside the bounding box of the row's
    country (any known country when the country is unknown). When it does not, but the
    pair read the other way round does, the coordinates were swapped: they are put back
    in order (documented rule) and flagged in are_coordinates_swapped. -#}
{% macro coordinate_checks_cte(input_cte, countries_cte) -%}
    {{ return(adapter.dispatch('coordinate_checks_cte', 'civcas')(input_cte, countries_cte)) }}
{%- endmacro %}

{% macro default__coordinate_checks_cte(input_cte, countries_cte) -%}
boxed as (

    -- Every country's box, as one list beside each row: a correlated exists() would
    -- make DuckDB copy every row (all its columns) twice.
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
        select array_agg({{ countries_cte }}) as boxes
        from {{ countries_cte }}
    ) as country_boxes

),

{{ coordinate_checks_corrected() }}
{%- endmacro %}

{#- The CTE `checked` after `boxed`: swapped coordinates put back in order. -#}
{% macro coordinate_checks_corrected() -%}
checked as (

    select
        boxed.*,
        coalesce(not boxed.is_point_in_country and boxed.is_swapped_point_in_country, false)
            as are_coordinates_swapped,
        case
            when not boxed.is_point_in_country and boxed.is_swapped_point_in_country
                then boxed.longitude
            else boxed.latitude
        end as corrected_latitude,
        case
            when not boxed.is_point_in_country and boxed.is_swapped_point_in_country
                then boxed.latitude
            else boxed.longitude
        end as corrected_longitude
    from boxed

)
{%- endmacro %}

{% macro coordinate_checks() -%}
    {%- do return([
        parse_check('unparseable_coordinates', 'latitude_raw', 'latitude', 'latitude', "a decimal number of degrees, e.g. 35.9528"),
        parse_check('unparseable_coordinates', 'longitude_raw', 'longitude', 'longitude', "a decimal number of degrees, e.g. 39.0079"),
        {'rule': 'incomplete_coordinates',
         'when': "(nullif(" ~ trim_text('latitude_raw') ~ ", '') is null) <> (nullif(" ~ trim_text('longitude_raw') ~ ", '') is null)",
         'reason': "'only one of latitude and longitude is given; give both or neither'"},
        {'rule': 'coordinates_outside_country',
         'when': 'latitude is not null and longitude is not null and not is_point_in_country and not is_swapped_point_in_country',
         'reason': "'coordinates (' || " ~ number_text('latitude') ~ " || ', ' || " ~ number_text('longitude') ~ " || ') are outside ' || coalesce(resolved_country_id, 'Syria and Iraq') || ', even read the other way round; correct them or clear both'"},
    ]) -%}
{%- endmacro %}

{#- True when (latitude, longitude) lies in the bounding box of a country in `boxes` (a list of
    rows of ref_countries): the country `country_expr`, or any when it is null. False, never
    null, when the point is incomplete or no box holds it. -#}
{% macro point_in_any_box(boxes, country_expr, latitude, longitude) -%}
    {{ return(adapter.dispatch('point_in_any_box', 'civcas')(boxes, country_expr, latitude, longitude)) }}
{%- endmacro %}

{% macro default__point_in_any_box(boxes, country_expr, latitude, longitude) -%}
    coalesce(len(list_filter({{ boxes }}, country_box -> (
        (country_box.country_id = {{ country_expr }} or {{ country_expr }} is null)
        and {{ point_in_box(latitude, longitude, 'country_box') }}
    ))) > 0, false)
{%- endmacro %}
