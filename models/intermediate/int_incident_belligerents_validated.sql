-- Every raw attribution row (an incident blamed on one belligerent or a list of them), checked.
with

attributions as (

    select * from {{ ref('stg_monitor__incident_belligerents') }}

),

incident_codes as (

    select * from {{ ref('int_incident_codes_mapped') }}

),

incidents_after_as_of as (

    {{ incident_codes_known_after_as_of() }}

),

named_belligerents as (

    select * from {{ ref('int_incident_belligerents_resolved') }}

),

unresolved_belligerents as (

    select
        raw_row_key,
        {{ dbt.listagg('belligerent_as_written', "', '", 'order by belligerent_as_written') }}
            as unresolved_belligerent_names
    from named_belligerents
    where belligerent_id is null
    group by raw_row_key

),

linked as (

    select
        attributions.*,
        incident_codes.incident_code as linked_incident_code,
        unresolved_belligerents.unresolved_belligerent_names,
        -- as of var civcas_as_of (macros/as_of.sql): no date of its own; known with its incident
        {{ known_on('raw_incident_belligerents', 'attributions') }} as known_on,
        incidents_after_as_of.code is not null as is_incident_known_after_as_of,
        {{ is_known_after_as_of(known_on('raw_incident_belligerents', 'attributions'), 'incidents_after_as_of.code is not null', needs_own_date=false) }}
            as is_known_after_as_of
    from attributions
    left join incident_codes
        on attributions.incident_code = incident_codes.code
    left join incidents_after_as_of
        on
            attributions.incident_code = incidents_after_as_of.code
            and incident_codes.incident_code is null
    left join unresolved_belligerents
        on attributions.raw_row_key = unresolved_belligerents.raw_row_key

),

{%- set checks = known_after_as_of_checks('incident', 'is_incident_known_after_as_of') + [
    {'rule': 'exact_duplicate',
     'when': 'raw_copy_number > 1',
     'reason': "'exact copy of another row of raw_incident_belligerents; the first copy is kept, delete this one'"},
    {'rule': 'missing_id',
     'when': 'incident_code is null',
     'reason': "'incident_code is empty; an attribution must name its incident'"},
    {'rule': 'unknown_incident_code',
     'when': 'incident_code is not null and linked_incident_code is null',
     'reason': "'incident_code ' || " ~ quoted_value('incident_code') ~ " || ' is not a current or previous code of any clean incident (raw_incidents)'"},
    {'rule': 'missing_belligerent',
     'when': 'belligerent_as_written is null',
     'reason': "'belligerent_as_written is empty; an attribution names the belligerent blamed (write unknown when the sources do not say)'"},
    {'rule': 'unknown_belligerent',
     'when': 'unresolved_belligerent_names is not null',
     'reason': "'belligerent ' || " ~ quoted_value('unresolved_belligerent_names') ~ " || ' matches no alias (seeds/reference/ref_belligerent_aliases.csv) and no keyword (seeds/reference/ref_belligerent_keywords.csv); add the alias or keyword, or write unknown'"},
    {'rule': 'unknown_attribution_type',
     'when': 'attribution_type_as_written is not null and attribution_type is null',
     'reason': "'attribution_type ' || " ~ quoted_value('attribution_type_as_written') ~ " || ' is not known or suspected'"},
] %}

validated as (

    select
        linked.*,
        {{ quarantine_columns(checks) }}
    from linked

)

select * from validated
