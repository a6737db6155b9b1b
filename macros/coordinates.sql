{#- Coordinate checks shared by the claim and incident validation models.

    coordinate_checks_cte(input_cte, countries_cte) emits two CTEs ending in `checked`:
    it tests whether (latitude, longitude) falls inside the bounding box of the row's
    country (any known country when the country is unknown). When it does not, but the
    pair read the other way round does, the coordinates were swapped: they are put back
    in order (documented rule) and flagged in are_coordinates_swapped. -#}
{% macro coordinate_checks_cte(input_cte, countries_cte) -%}
boxed as (

    select
        {{ input_cte }}.*,
        exists (
            select 1
            from {{ countries_cte }}
            where
                ({{ countries_cte }}.country_id = {{ input_cte }}.resolved_country_id
                    or {{ input_cte }}.resolved_country_id is null)
                and {{ point_in_box(input_cte ~ '.latitude', input_cte ~ '.longitude', countries_cte) }}
        ) as is_point_in_country,
        exists (
            select 1
            from {{ countries_cte }}
            where
                ({{ countries_cte }}.country_id = {{ input_cte }}.resolved_country_id
                    or {{ input_cte }}.resolved_country_id is null)
                and {{ point_in_box(input_cte ~ '.longitude', input_cte ~ '.latitude', countries_cte) }}
        ) as is_swapped_point_in_country
    from {{ input_cte }}

),

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
         'when': "(nullif(trim(latitude_raw), '') is null) <> (nullif(trim(longitude_raw), '') is null)",
         'reason': "'only one of latitude and longitude is given; give both or neither'"},
        {'rule': 'coordinates_outside_country',
         'when': 'latitude is not null and longitude is not null and not is_point_in_country and not is_swapped_point_in_country',
         'reason': "'coordinates (' || cast(latitude as varchar) || ', ' || cast(longitude as varchar) || ') are outside ' || coalesce(resolved_country_id, 'Syria and Iraq') || ', even read the other way round; correct them or clear both'"},
    ]) -%}
{%- endmacro %}
