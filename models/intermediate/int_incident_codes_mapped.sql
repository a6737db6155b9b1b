-- Every code that names a clean incident: its current code, and each of its previous
-- codes (kept after merges, splits and renumbering). A previous code claimed by more
-- than one current incident is ambiguous and maps to none.
with

incidents as (

    select * from {{ ref('int_incidents_validated') }}
    where not is_quarantined

),

current_codes as (

    select
        incident_code as code,
        incident_code,
        'current' as code_kind
    from incidents

),

previous_codes_split as (

    select
        incident_code,
        {{ split_to_rows('previous_codes', "' '") }} as code
    from incidents
    where previous_codes is not null

),

previous_codes as (

    select
        code,
        min(incident_code) as incident_code,
        'previous' as code_kind
    from previous_codes_split
    where
        code <> ''
        and code not in (select current_codes.code from current_codes)
    group by code
    having count(distinct incident_code) = 1

),

final as (

    select * from current_codes
    union all
    select * from previous_codes

)

select * from final
