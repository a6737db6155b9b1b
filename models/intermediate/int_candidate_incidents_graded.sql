-- A suggested grade, with its reason in plain words, for every candidate incident (claims no
-- incident took, grouped), by the same rules as registered incidents (macros/grading.sql).
-- Blame comes from the candidate's claims; declared strikes match as for incidents: the
-- same belligerent, the candidate's governorate, within var civcas_strike_match_window_days
-- of its dates. A candidate has no incident code, so no statement can concede it yet and
-- it is never suggested Confirmed. The likely-strike and co-belligerent evidence comes from
-- int_grading_activity_nearby (the registered incidents and strike releases around it).
{%- set window_days = var('civcas_strike_match_window_days') %}

with

candidates as (

    select * from {{ ref('int_candidate_incidents_summarised') }}

),

strikes as (

    select * from {{ ref('int_declared_strikes_validated') }}
    where not is_quarantined and resolved_governorate_id is not null

),

candidate_blame as (

    select * from {{ ref('int_candidate_belligerents_resolved') }}

),

blame as (

    select
        candidate_incident_id,
        count(distinct case when belligerent_id <> 'unknown' then belligerent_id end) as known_belligerent_count,
        max(case when belligerent_id = 'ground_forces' then 1 else 0 end) = 1 as is_ground_forces_blamed,
        max(case when belligerent_id = 'unknown' then 1 else 0 end) = 1 as is_unknown_blamed
    from candidate_blame
    group by candidate_incident_id

),

strike_matches as (

    select
        candidate_blame.candidate_incident_id,
        count(strikes.strike_release_id) as declared_strike_releases_nearby,
        cast(coalesce(sum(
            {{ counted_figure('strikes.strike_count', 'strikes.strike_count', 'strikes.strike_count', 'strikes') }}
        ), 0) as {{ dbt.type_bigint() }}) as declared_strikes_nearby
    from candidate_blame
    inner join candidates
        on candidate_blame.candidate_incident_id = candidates.candidate_incident_id
    inner join strikes
        on
            candidate_blame.belligerent_id = strikes.belligerent_id
            and candidates.governorate_id = strikes.resolved_governorate_id
            and strikes.strike_date
            between {{ dbt.dateadd('day', -window_days, 'candidates.incident_date') }}
            and {{ dbt.dateadd('day', window_days, 'candidates.incident_date_last') }}
    group by candidate_blame.candidate_incident_id

),

activity as (

    select * from {{ ref('int_grading_activity_nearby') }}
    where subject_kind = 'candidate'

),

evidence as (

    select
        candidates.candidate_incident_id,
        candidates.governorate_id,
        candidates.source_count,
        coalesce(blame.known_belligerent_count, 0) as known_belligerent_count,
        coalesce(blame.is_ground_forces_blamed, false) as is_ground_forces_blamed,
        coalesce(blame.is_unknown_blamed, false) as is_unknown_blamed,
        coalesce(strike_matches.declared_strike_releases_nearby, 0) as declared_strike_releases_nearby,
        coalesce(strike_matches.declared_strikes_nearby, 0) as declared_strikes_nearby,
        cast(null as {{ dbt.type_string() }}) as conceding_belligerent_id,
        activity.likely_strike_belligerent_id,
        coalesce(activity.other_incidents_nearby, 0) as other_incidents_nearby,
        coalesce(activity.strike_releases_in_window, 0) as strike_releases_in_window,
        activity.co_belligerent_id,
        coalesce(activity.co_belligerent_incidents_nearby, 0) as co_belligerent_incidents_nearby
    from candidates
    left join blame
        on candidates.candidate_incident_id = blame.candidate_incident_id
    left join strike_matches
        on candidates.candidate_incident_id = strike_matches.candidate_incident_id
    left join activity
        on candidates.candidate_incident_id = activity.subject_id

),

final as (

    select
        candidate_incident_id,
        known_belligerent_count,
        is_ground_forces_blamed,
        is_unknown_blamed,
        declared_strike_releases_nearby,
        declared_strikes_nearby,
        likely_strike_belligerent_id,
        other_incidents_nearby,
        strike_releases_in_window,
        co_belligerent_id,
        co_belligerent_incidents_nearby,
        {{ suggested_grade_id() }} as suggested_grade_id,
        {{ suggestion_rule() }} as suggestion_rule,
        {{ suggestion_reason() }} as suggestion_reason
    from evidence

)

select * from final
