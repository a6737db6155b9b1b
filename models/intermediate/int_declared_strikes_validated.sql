-- Every raw declared-strike line, checked. A place or governorate the gazetteer does
-- not know is not an error: the line stays clean, and just cannot be matched to a
-- governorate. Coordinates get the claims' checks (macros/coordinates.sql): unparseable,
-- incomplete or outside the country quarantines the line; swapped ones are put back.
with

strikes as (

    select * from {{ ref('stg_monitor__declared_strikes') }}

),

places as (

    select * from {{ ref('ref_places') }}

),

countries as (

    select * from {{ ref('ref_countries') }}

),

located as (

    select
        strikes.*,
        coalesce(strikes.governorate_id, places.governorate_id) as resolved_governorate_id,
        coalesce(strikes.country_id, places.country_id) as resolved_country_id,
        -- as of var civcas_as_of (macros/as_of.sql)
        {{ known_on('raw_declared_strikes', 'strikes') }} as known_on,
        {{ is_known_after_as_of(known_on('raw_declared_strikes', 'strikes')) }} as is_known_after_as_of
    from strikes
    left join places
        on strikes.place_id = places.place_id

),

{{ coordinate_checks_cte('located', 'countries') }},

{%- set checks = known_after_as_of_checks('strike_date')
  + id_checks('strike_release_id', 'raw_declared_strikes') + [
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
] + coordinate_checks() %}

{#- The strike count is judged as a field (macros/field_issues.sql): a release that cannot
    be counted still declares a strike on its date and place. -#}
{%- set field_checks = count_field_checks('strike_count', 'strikes') %}

id_conflicts as (

    {{ id_conflicts('checked', 'strike_release_id') }}

),

validated as (

    select
        checked.*,
        {{ quarantine_columns(checks) }},
        {{ field_issue_columns(field_checks) }}
    from checked
    left join id_conflicts
        on {{ null_safe_equals('checked.strike_release_id', 'id_conflicts.checked_id') }}

),

fields_checked as (

    select {{ columns_with_field_issues_applied('validated', field_checks) }}
    from validated

)

select * from fields_checked
