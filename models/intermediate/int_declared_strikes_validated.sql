-- Every raw declared-strike line, checked. A place or governorate the gazetteer does
-- not know is not an error: the line stays clean, and just cannot be matched to a
-- governorate. Unparseable coordinates are quarantined like any unparseable value.
with

strikes as (

    select * from {{ ref('stg_monitor__declared_strikes') }}

),

places as (

    select * from {{ ref('ref_places') }}

),

located as (

    select
        strikes.*,
        coalesce(strikes.governorate_id, places.governorate_id) as resolved_governorate_id,
        coalesce(strikes.country_id, places.country_id) as resolved_country_id
    from strikes
    left join places
        on strikes.place_id = places.place_id

),

{%- set checks = id_checks('strike_release_id', 'raw_declared_strikes') + [
    source_date_parse_check('raw_declared_strikes.strike_date', 'strike_date_raw', 'strike_date', 'strike_release_id', 'strike_date'),
    {'rule': 'missing_date',
     'when': 'strike_date_raw is null',
     'reason': "'strike_date is empty; a declared strike needs its date'"},
] + date_bound_checks('strike_date', 'strike_date_raw', 'strike_date') + [
    {'rule': 'unknown_belligerent',
     'when': 'belligerent_id is null',
     'reason': "'belligerent ' || " ~ quoted_value('belligerent_as_written') ~ " || ' is not in seeds/reference/ref_belligerent_aliases.csv; add the alias'"},
    {'rule': 'unknown_country',
     'when': 'country_as_written is not null and country_id is null',
     'reason': "'country ' || " ~ quoted_value('country_as_written') ~ " || ' is not a known country; see seeds/reference/ref_code_aliases.csv'"},
    parse_check('unparseable_number', 'strike_count_raw', 'strike_count', 'strike_count', "a whole number of strikes"),
    parse_check('unparseable_coordinates', 'latitude_raw', 'latitude', 'latitude', "a decimal number of degrees"),
    parse_check('unparseable_coordinates', 'longitude_raw', 'longitude', 'longitude', "a decimal number of degrees"),
    {'rule': 'negative_number',
     'when': 'strike_count < 0',
     'reason': "'strike_count is negative (' || cast(strike_count as varchar) || ')'"},
] %}

id_conflicts as (

    {{ id_conflicts('located', 'strike_release_id') }}

),

validated as (

    select
        located.*,
        {{ quarantine_columns(checks) }}
    from located
    left join id_conflicts
        on located.strike_release_id is not distinct from id_conflicts.checked_id

)

select * from validated
