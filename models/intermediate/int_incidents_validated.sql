-- Every raw incident-register row, typed and checked. Clean rows get their date
-- precision, governorate and country filled from the gazetteer, and swapped
-- coordinates put back in order.
with

incidents as (

    select * from {{ ref('stg_monitor__incidents') }}

),

places as (

    select * from {{ ref('ref_places') }}

),

governorates as (

    select * from {{ ref('ref_governorates') }}

),

countries as (

    select * from {{ ref('ref_countries') }}

),

located as (

    select
        incidents.*,
        coalesce(incidents.governorate_id, places.governorate_id) as resolved_governorate_id,
        coalesce(incidents.country_id, governorates.country_id, places.country_id) as resolved_country_id,
        -- as of var civcas_as_of (macros/as_of.sql): first published, else its own date
        {{ known_on('raw_incidents', 'incidents') }} as known_on,
        {{ is_known_after_as_of(known_on('raw_incidents', 'incidents')) }} as is_known_after_as_of
    from incidents
    left join places
        on incidents.place_id = places.place_id
    left join governorates
        on coalesce(incidents.governorate_id, places.governorate_id) = governorates.governorate_id

),

dated as (

    select
        located.*,
        coalesce(located.incident_date_exact, located.incident_month) as incident_date,
        -- A range when the register says so (some ranges lack their end date) or when it
        -- gives an end date that differs from the start.
        case
            when located.incident_month is not null then 'month'
            when located.date_precision_id = 'range' and located.incident_date_exact is not null then 'range'
            when located.incident_date_end is not null
                and located.incident_date_end <> located.incident_date_exact then 'range'
            when located.incident_date_exact is not null then 'exact'
        end as date_precision,
        case
            when located.incident_month is not null
                then {{ dbt.last_day('located.incident_month', 'month') }}
            else coalesce(located.incident_date_end, located.incident_date_exact)
        end as incident_date_last
    from located

),

{{ coordinate_checks_cte('dated', 'countries') }},

{%- set checks = known_after_as_of_checks('first_published or incident date')
  + id_checks('incident_code', 'raw_incidents') + [
    parse_check('unparseable_date', 'incident_date_raw', 'incident_date', 'incident_date', "a date; write YYYY-MM-DD, or YYYY-MM when only the month is known"),
    parse_check('unparseable_date', 'incident_date_end_raw', 'incident_date_end', 'incident_date_end', "a date; write YYYY-MM-DD"),
    {'rule': 'missing_date',
     'when': 'incident_date is null and nullif(' ~ trim_text('incident_date_raw') ~ ', \'\') is null',
     'reason': "'incident_date is empty; an incident needs at least the month it happened'"},
] + date_bound_checks('incident_date', 'incident_date_raw', 'incident_date')
  + date_bound_checks('incident_date_end', 'incident_date_end_raw', 'incident_date_end')
  + date_bound_checks('first_published_on', 'first_published_raw', 'first_published') + [
    {'rule': 'date_range_inverted',
     'when': 'incident_date_end < incident_date',
     'reason': "'incident_date_end ' || cast(incident_date_end as " ~ dbt.type_string() ~ ") || ' is before incident_date ' || cast(incident_date as " ~ dbt.type_string() ~ ")"},
    {'rule': 'unknown_date_precision',
     'when': 'date_precision_as_written is not null and date_precision_id is null',
     'reason': "'date_precision ' || " ~ quoted_value('date_precision_as_written') ~ " || ' is not exact, range or month'"},
    {'rule': 'unparseable_boolean',
     'when': "nullif(" ~ trim_text('civilian_harm_reported_raw') ~ ", '') is not null and is_civilian_harm_reported is null",
     'reason': "'civilian_harm_reported ' || " ~ quoted_value('civilian_harm_reported_raw') ~ " || ' is not yes or no'"},
    parse_check('unparseable_date', 'first_published_raw', 'first_published_on', 'first_published', "a date; write YYYY-MM-DD"),
] + location_vocabulary_checks() + coordinate_checks() %}

{#- Field-level: a first publication before the incident nulls first_published and keeps
    the row (macros/date_plausibility.sql says why). -#}
{%- set field_checks = [publication_before_incident_check()] %}

id_conflicts as (

    {{ id_conflicts('checked', 'incident_code') }}

),

validated as (

    select
        checked.*,
        {{ quarantine_columns(checks) }},
        {{ field_issue_columns(field_checks) }}
    from checked
    left join id_conflicts
        on {{ null_safe_equals('checked.incident_code', 'id_conflicts.checked_id') }}

),

fields_checked as (

    select {{ columns_with_field_issues_applied('validated', field_checks) }}
    from validated

)

select * from fields_checked
