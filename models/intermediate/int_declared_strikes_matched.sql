-- One row per incident and blamed belligerent: the strikes that belligerent declared in
-- the incident's governorate from the day before the incident to the day after it
-- (var civcas_strike_match_window_days). A declared strike nearby is the evidence that
-- separates Fair from Weak.
-- Strikes are counted per belligerent, governorate and day first, and each incident's
-- window is expanded to its days: the match is an equality join, never a range join that
-- compares every incident with every strike of its governorate.
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

window_days as (

    select
        windows.incident_code,
        windows.belligerent_id,
        windows.governorate_id,
        {{ day_series('windows.window_start', 'windows.window_end') }} as strike_date
    from windows
    where windows.governorate_id is not null

),

daily_strikes as (

    select
        belligerent_id,
        resolved_governorate_id as governorate_id,
        strike_date,
        count(strike_release_id) as strike_releases,
        -- a count above the review ceiling counts as unknown until reviewed
        sum({{ counted_figure('strike_count', 'strike_count', 'strike_count', 'strikes') }}) as strike_count
    from strikes
    where strike_date is not null
    group by belligerent_id, resolved_governorate_id, strike_date

),

matched as (

    select
        window_days.incident_code,
        window_days.belligerent_id,
        sum(daily_strikes.strike_releases) as matched_strike_releases,
        sum(daily_strikes.strike_count) as matched_strike_count
    from window_days
    inner join daily_strikes
        on
            window_days.belligerent_id = daily_strikes.belligerent_id
            and window_days.governorate_id = daily_strikes.governorate_id
            and window_days.strike_date = daily_strikes.strike_date
    group by window_days.incident_code, window_days.belligerent_id

),

final as (

    select
        windows.incident_code,
        windows.belligerent_id,
        cast(coalesce(matched.matched_strike_releases, 0) as {{ dbt.type_bigint() }}) as matched_strike_releases,
        cast(coalesce(matched.matched_strike_count, 0) as {{ dbt.type_bigint() }}) as matched_strike_count
    from windows
    left join matched
        on
            windows.incident_code = matched.incident_code
            and windows.belligerent_id = matched.belligerent_id

)

select * from final
