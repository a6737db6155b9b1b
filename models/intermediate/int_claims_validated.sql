-- Every raw claim row, typed and checked. Clean rows get their incident date and its
-- precision, governorate and country filled from the gazetteer, swapped coordinates put
-- back in order, and their incident code mapped to the incident's current code.
-- Incremental: a run checks the rows staged since its last refresh, and again every row
-- that shares a claim id with one of them (a new row can make an old one a duplicate).
{{ config(
    materialized=claim_chain_materialization(),
    unique_key='raw_row_key',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

with

staged_claims as (

    select * from {{ ref('stg_monitor__claims') }}

),

{%- if is_incremental() %}

newly_staged as (

    select claim_id from staged_claims
    where staged_at > {{ refresh_watermark('validated_at') }}

),
{%- endif %}

{%- if is_incremental() %}

past_the_old_bound as (

    -- claims checked against a lower latest plausible date, with a date past it: the
    -- reference date has grown since, so they are checked again (macros/date_plausibility.sql)
    select claim_id from {{ this }}
    where {{ dates_past_bound_when_validated('latest_plausible_date_when_validated', [
        'date_reported', 'incident_date_exact', 'incident_month', 'incident_date_start', 'incident_date_end',
    ]) }}

),
{%- endif %}

claims as (

    select * from staged_claims
    {%- if is_incremental() %}
    -- every row of a claim id seen anew, the rows without an id included (they share the
    -- duplicate-id check's group)
    where
        coalesce(claim_id, '') in (select coalesce(newly_staged.claim_id, '') from newly_staged)
        or coalesce(claim_id, '') in (select coalesce(past_the_old_bound.claim_id, '') from past_the_old_bound)
    {%- endif %}

),

claim_belligerents as (

    select * from {{ ref('int_claim_belligerents_resolved') }}

),

sources as (

    select * from {{ ref('int_sources_validated') }}
    where not is_quarantined

),

incident_codes as (

    select * from {{ ref('int_incident_codes_mapped') }}

),

registered_codes as (

    -- every code in the raw register, clean or not, to tell "quarantined" from "unknown"
    -- (the validated table holds every staged row: read it, not the staging view again)
    select distinct incident_code from {{ ref('int_incidents_validated') }}

),

incidents_after_as_of as (

    {{ incident_codes_known_after_as_of() }}

),

registered_sources as (

    select distinct source_id from {{ ref('int_sources_validated') }}

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

unresolved_belligerents as (

    select
        raw_row_key,
        {{ dbt.listagg('belligerent_as_written', "', '", 'order by belligerent_as_written') }} as unresolved_belligerent_names
    from claim_belligerents
    where belligerent_id is null
    group by raw_row_key

),

located as (

    select
        claims.*,
        coalesce(claims.governorate_id, places.governorate_id) as resolved_governorate_id,
        coalesce(claims.country_id, governorates.country_id, places.country_id) as resolved_country_id,
        unresolved_belligerents.unresolved_belligerent_names,
        incident_codes.incident_code as linked_incident_code,
        sources.source_id as registered_source_id,
        registered_codes.incident_code is not null as is_cited_code_in_register,
        registered_sources.source_id is not null as is_source_in_registry,
        -- as of var civcas_as_of (macros/as_of.sql): known on its report date, else its incident
        -- date; a claim citing an incident registered after the as-of date is unlinked then
        {{ known_on('raw_claims', 'claims') }} as known_on,
        {{ is_known_after_as_of(known_on('raw_claims', 'claims')) }} as is_known_after_as_of,
        incidents_after_as_of.code is not null as is_link_known_after_as_of
    from claims
    left join places
        on claims.place_id = places.place_id
    left join governorates
        on coalesce(claims.governorate_id, places.governorate_id) = governorates.governorate_id
    left join unresolved_belligerents
        on claims.raw_row_key = unresolved_belligerents.raw_row_key
    left join incident_codes
        on claims.incident_code = incident_codes.code
    left join sources
        on claims.source_id = sources.source_id
    left join registered_codes
        on claims.incident_code = registered_codes.incident_code
    left join registered_sources
        on claims.source_id = registered_sources.source_id
    left join incidents_after_as_of
        on
            claims.incident_code = incidents_after_as_of.code
            and incident_codes.incident_code is null

),

dated as (

    -- The incident date, most precise first: an exact date, a month, the start of a
    -- range, and as a last resort the date the report was posted.
    select
        located.*,
        coalesce(
            located.incident_date_exact,
            located.incident_month,
            located.incident_date_start,
            located.date_reported
        ) as incident_date,
        case
            when located.incident_date_exact is not null then 'exact'
            when located.incident_month is not null then 'month'
            when located.incident_date_start = located.incident_date_end then 'exact'
            when located.incident_date_start is not null then 'range'
            when located.date_reported is not null then 'reported'
        end as date_precision,
        case
            when located.incident_date_exact is not null then located.incident_date_exact
            when located.incident_month is not null
                then {{ dbt.last_day('located.incident_month', 'month') }}
            when located.incident_date_start is not null
                then coalesce(located.incident_date_end, located.incident_date_start)
            else located.date_reported
        end as incident_date_last
    from located

),

{{ coordinate_checks_cte('dated', 'countries') }},

{%- set checks = known_after_as_of_checks('date_reported or incident date')
  + id_checks('claim_id', 'raw_claims') + [
    parse_check('unparseable_date', 'date_reported_raw', 'date_reported', 'date_reported', "a date; write YYYY-MM-DD"),
    {'rule': 'unparseable_date',
     'when': "nullif(" ~ trim_text('incident_date_raw') ~ ", '') is not null and incident_date_exact is null and incident_month is null",
     'reason': "'incident_date ' || " ~ quoted_value('incident_date_raw') ~ " || ' is not a date; write YYYY-MM-DD, or YYYY-MM when only the month is known'"},
    parse_check('unparseable_date', 'incident_date_start_raw', 'incident_date_start', 'incident_date_start', "a date; write YYYY-MM-DD"),
    parse_check('unparseable_date', 'incident_date_end_raw', 'incident_date_end', 'incident_date_end', "a date; write YYYY-MM-DD"),
    {'rule': 'missing_date',
     'when': 'incident_date is null and date_reported_raw is null and incident_date_raw is null and incident_date_start_raw is null',
     'reason': "'the claim has no incident date and no date reported; add at least the date the report was posted'"},
    {'rule': 'date_range_inverted',
     'when': 'incident_date_end < incident_date_start',
     'reason': "'incident_date_end ' || cast(incident_date_end as " ~ dbt.type_string() ~ ") || ' is before incident_date_start ' || cast(incident_date_start as " ~ dbt.type_string() ~ ")"},
] + date_bound_checks('date_reported', 'date_reported_raw', 'date_reported')
  + date_bound_checks('coalesce(incident_date_exact, incident_month)', 'incident_date_raw', 'incident_date')
  + date_bound_checks('incident_date_start', 'incident_date_start_raw', 'incident_date_start')
  + date_bound_checks('incident_date_end', 'incident_date_end_raw', 'incident_date_end') + [
    event_after_report_check('incident_date', 'incident date', 'date_reported', 'the date the claim was reported'),
    event_after_report_check('incident_date_end', 'incident_date_end', 'date_reported', 'the date the claim was reported'),
] + [
    {'rule': 'unknown_belligerent',
     'when': 'unresolved_belligerent_names is not null',
     'reason': "'belligerent ' || " ~ quoted_value('unresolved_belligerent_names') ~ " || ' matches no alias (seeds/reference/ref_belligerent_aliases.csv) and no keyword (seeds/reference/ref_belligerent_keywords.csv); add the alias or keyword, or write unknown when the source does not say'"},
] + location_vocabulary_checks() + coordinate_checks() + [
    {'rule': 'unknown_source',
     'when': 'registered_source_id is null',
     'reason': "'source_id ' || " ~ quoted_value('source_id') ~ " || case when is_source_in_registry then ' is itself quarantined in raw_sources (see fct_quarantined_rows); fix that source row first' else ' is not in the source registry (raw_sources); register the source or fix the id' end"},
    {'rule': 'unknown_incident_code',
     'when': 'incident_code is not null and linked_incident_code is null and not is_link_known_after_as_of',
     'reason': "'incident_code ' || " ~ quoted_value('incident_code') ~ " || case when is_cited_code_in_register then ' names an incident that is itself quarantined in raw_incidents (see fct_quarantined_rows); fix that incident first' else ' is not a current or previous code of any incident (raw_incidents); fix the code or clear it to leave the claim unlinked' end"},
] %}

{#- Figures are judged field by field (macros/field_issues.sql): a broken pair is nulled,
    one above the review ceiling flagged; the claim stays. -#}
{%- set field_checks = figure_pair_field_checks('civilians_killed') + figure_pair_field_checks('civilians_injured') %}

id_conflicts as (

    {{ id_conflicts('checked', 'claim_id') }}

),

validated as (

    select
        checked.*,
        {{ quarantine_columns(checks) }},
        {{ field_issue_columns(field_checks) }},
        {{ latest_plausible_date() }} as latest_plausible_date_when_validated,
        {{ refresh_timestamp() }} as validated_at
    from checked
    left join id_conflicts
        on {{ null_safe_equals('checked.claim_id', 'id_conflicts.checked_id') }}

),

fields_checked as (

    select {{ columns_with_field_issues_applied('validated', field_checks) }}
    from validated

)

select * from fields_checked
