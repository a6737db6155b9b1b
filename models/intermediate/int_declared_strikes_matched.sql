-- One row per incident and blamed belligerent: the strikes that belligerent declared in
-- the incident's governorate from the day before the incident to the day after it
-- (var civcas_strike_match_window_days). A declared strike nearby is the evidence that
-- separates Fair from Weak.
with

incidents as (

    select * from {{ ref('int_incidents_validated') }}
    where not is_quarantined

),

incident_belligerents as (

    select * from {{ ref('int_incident_belligerents_combined') }}

),

strikes as (

    select * from {{ ref('int_declared_strikes_validated') }}
    where not is_quarantined and resolved_governorate_id is not null

),

{% set window_days = var('civcas_strike_match_window_days') %}

windows as (

    select
        incident_belligerents.incident_code,
        incident_belligerents.belligerent_id,
        incidents.resolved_governorate_id as governorate_id,
        {{ dbt.dateadd('day', -window_days, 'incidents.incident_date') }} as window_start,
        {{ dbt.dateadd('day', window_days, 'incidents.incident_date_last') }} as window_end
    from incident_belligerents
    inner join incidents
        on incident_belligerents.incident_code = incidents.incident_code

),

final as (

    select
        windows.incident_code,
        windows.belligerent_id,
        count(strikes.strike_release_id) as matched_strike_releases,
        cast(coalesce(sum(strikes.strike_count), 0) as {{ dbt.type_bigint() }}) as matched_strike_count
    from windows
    left join strikes
        on
            windows.belligerent_id = strikes.belligerent_id
            and windows.governorate_id = strikes.resolved_governorate_id
            and strikes.strike_date between windows.window_start and windows.window_end
    group by windows.incident_code, windows.belligerent_id

)

select * from final
