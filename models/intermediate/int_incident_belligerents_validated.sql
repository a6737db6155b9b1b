-- Every raw attribution row (incident blamed on a belligerent), checked.
with

attributions as (

    select * from {{ ref('stg_monitor__incident_belligerents') }}

),

incident_codes as (

    select * from {{ ref('int_incident_codes_mapped') }}

),

linked as (

    select
        attributions.*,
        incident_codes.incident_code as linked_incident_code
    from attributions
    left join incident_codes
        on attributions.incident_code = incident_codes.code

),

{%- set checks = [
    {'rule': 'exact_duplicate',
     'when': 'raw_copy_number > 1',
     'reason': "'exact copy of another row of raw_incident_belligerents; the first copy is kept, delete this one'"},
    {'rule': 'missing_id',
     'when': 'incident_code is null',
     'reason': "'incident_code is empty; an attribution must name its incident'"},
    {'rule': 'unknown_incident_code',
     'when': 'incident_code is not null and linked_incident_code is null',
     'reason': "'incident_code ' || " ~ quoted_value('incident_code') ~ " || ' is not a current or previous code of any clean incident (raw_incidents)'"},
    {'rule': 'unknown_belligerent',
     'when': 'belligerent_id is null',
     'reason': "'belligerent ' || " ~ quoted_value('belligerent_as_written') ~ " || ' is not in seeds/reference/ref_belligerent_aliases.csv; add the alias, or write unknown'"},
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
