-- One row per belligerent, governorate and day, every day from its first activity there minus
-- var civcas_grade_activity_window_days to its last plus that window: the registered incidents
-- blamed on it that day and the strike releases it declared that day, and both summed over the
-- window either side of the day. The evidence of a likely strike (macros/grading.sql): a
-- belligerent active around a place and time probably struck there. "unknown" is no one.
-- The window is a frame over a dense calendar, so looking an incident up is an equality join.
{%- set window_days = var('civcas_grade_activity_window_days') %}

with

incidents as (

    select * from {{ ref('int_incidents_validated') }}
    where not is_quarantined

),

incident_belligerents as (

    select * from {{ ref('int_incident_belligerents_combined') }}
    where belligerent_id <> 'unknown'

),

strikes as (

    select * from {{ ref('int_declared_strikes_validated') }}
    where not is_quarantined

),

incident_days as (

    select
        incident_belligerents.belligerent_id,
        incidents.resolved_governorate_id as governorate_id,
        incidents.incident_date as activity_date,
        count(distinct incidents.incident_code) as incidents,
        0 as strike_releases
    from incident_belligerents
    inner join incidents
        on incident_belligerents.incident_code = incidents.incident_code
    where incidents.resolved_governorate_id is not null and incidents.incident_date is not null
    group by incident_belligerents.belligerent_id, incidents.resolved_governorate_id, incidents.incident_date

),

strike_days as (

    select
        belligerent_id,
        resolved_governorate_id as governorate_id,
        strike_date as activity_date,
        0 as incidents,
        count(strike_release_id) as strike_releases
    from strikes
    where resolved_governorate_id is not null and strike_date is not null and belligerent_id is not null
    group by belligerent_id, resolved_governorate_id, strike_date

),

active_days as (

    select
        belligerent_id,
        governorate_id,
        activity_date,
        sum(incidents) as incidents,
        sum(strike_releases) as strike_releases
    from (
        select * from incident_days
        union all
        select * from strike_days
    ) as unioned
    group by belligerent_id, governorate_id, activity_date

),

extents as (

    select
        belligerent_id,
        governorate_id,
        min(activity_date) as first_active_date,
        max(activity_date) as last_active_date
    from active_days
    group by belligerent_id, governorate_id

),

calendar as (

    select
        belligerent_id,
        governorate_id,
        {{ day_series(
            dbt.dateadd('day', -window_days, 'first_active_date'),
            dbt.dateadd('day', window_days, 'last_active_date'),
        ) }} as activity_date
    from extents

),

final as (

    select
        calendar.belligerent_id,
        calendar.governorate_id,
        calendar.activity_date,
        cast(coalesce(active_days.incidents, 0) as {{ dbt.type_bigint() }}) as incidents,
        cast(coalesce(active_days.strike_releases, 0) as {{ dbt.type_bigint() }}) as strike_releases,
        cast(sum(coalesce(active_days.incidents, 0)) over (
            partition by calendar.belligerent_id, calendar.governorate_id
            order by calendar.activity_date
            rows between {{ window_days }} preceding and {{ window_days }} following
        ) as {{ dbt.type_bigint() }}) as incidents_in_window,
        cast(sum(coalesce(active_days.strike_releases, 0)) over (
            partition by calendar.belligerent_id, calendar.governorate_id
            order by calendar.activity_date
            rows between {{ window_days }} preceding and {{ window_days }} following
        ) as {{ dbt.type_bigint() }}) as strike_releases_in_window
    from calendar
    left join active_days
        on
            calendar.belligerent_id = active_days.belligerent_id
            and calendar.governorate_id = active_days.governorate_id
            and calendar.activity_date = active_days.activity_date

)

select * from final
