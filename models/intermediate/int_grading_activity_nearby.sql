-- One row per registered incident and per candidate incident (subject_kind, subject_id) with a
-- known blamed belligerent, a governorate and a date: the evidence around it that the grading
-- rules read (macros/grading.sql), from int_belligerent_activity_daily.
--   likely strike   the blamed belligerent most active in the same governorate within
--                   ±civcas_grade_activity_window_days of the (first) date: its OTHER
--                   incidents there (a registered incident does not count itself) and its
--                   declared strike releases;
--   co-belligerent  the most active co-belligerent of a blamed belligerent
--                   (ref_co_belligerents), not itself blamed, in the same governorate and window.
-- It never reads an assessor's grade or strike status.
with

incidents as (

    select * from {{ ref('int_incidents_validated') }}
    where not is_quarantined

),

incident_belligerents as (

    select * from {{ ref('int_incident_belligerents_combined') }}

),

candidates as (

    select * from {{ ref('int_candidate_incidents_summarised') }}

),

candidate_belligerents as (

    select * from {{ ref('int_candidate_belligerents_resolved') }}

),

activity as (

    select * from {{ ref('int_belligerent_activity_daily') }}

),

co_belligerents as (

    select * from {{ ref('ref_co_belligerents') }}

),

subject_belligerents as (

    -- a registered incident is counted in its own belligerents' activity: 1 to take away
    select distinct
        'incident' as subject_kind,
        incidents.incident_code as subject_id,
        incident_belligerents.belligerent_id,
        incidents.resolved_governorate_id as governorate_id,
        incidents.incident_date as subject_date,
        1 as counted_in_activity
    from incidents
    inner join incident_belligerents
        on incidents.incident_code = incident_belligerents.incident_code
    where incidents.resolved_governorate_id is not null and incidents.incident_date is not null

    union all

    select
        'candidate' as subject_kind,
        candidates.candidate_incident_id as subject_id,
        candidate_belligerents.belligerent_id,
        candidates.governorate_id,
        candidates.incident_date as subject_date,
        0 as counted_in_activity
    from candidates
    inner join candidate_belligerents
        on candidates.candidate_incident_id = candidate_belligerents.candidate_incident_id
    where candidates.governorate_id is not null and candidates.incident_date is not null

),

own_activity as (

    select
        subject_belligerents.subject_kind,
        subject_belligerents.subject_id,
        subject_belligerents.belligerent_id,
        subject_belligerents.governorate_id,
        activity.incidents_in_window - subject_belligerents.counted_in_activity as other_incidents_nearby,
        activity.strike_releases_in_window,
        row_number() over (
            partition by subject_belligerents.subject_kind, subject_belligerents.subject_id
            order by
                activity.incidents_in_window - subject_belligerents.counted_in_activity
                + activity.strike_releases_in_window desc,
                subject_belligerents.belligerent_id asc
        ) as activity_rank
    from subject_belligerents
    inner join activity
        on
            subject_belligerents.belligerent_id = activity.belligerent_id
            and subject_belligerents.governorate_id = activity.governorate_id
            and subject_belligerents.subject_date = activity.activity_date
    where subject_belligerents.belligerent_id <> 'unknown'

),

co_activity as (

    select
        subject_belligerents.subject_kind,
        subject_belligerents.subject_id,
        co_belligerents.co_belligerent_id,
        activity.incidents_in_window as co_belligerent_incidents_nearby,
        row_number() over (
            partition by subject_belligerents.subject_kind, subject_belligerents.subject_id
            order by activity.incidents_in_window desc, co_belligerents.co_belligerent_id asc
        ) as activity_rank
    from subject_belligerents
    inner join co_belligerents
        on subject_belligerents.belligerent_id = co_belligerents.belligerent_id
    inner join activity
        on
            co_belligerents.co_belligerent_id = activity.belligerent_id
            and subject_belligerents.governorate_id = activity.governorate_id
            and subject_belligerents.subject_date = activity.activity_date
    left join subject_belligerents as also_blamed
        on
            subject_belligerents.subject_kind = also_blamed.subject_kind
            and subject_belligerents.subject_id = also_blamed.subject_id
            and co_belligerents.co_belligerent_id = also_blamed.belligerent_id
    where also_blamed.subject_id is null and activity.incidents_in_window > 0

),

final as (

    select
        own_activity.subject_kind,
        own_activity.subject_id,
        own_activity.governorate_id,
        own_activity.belligerent_id as likely_strike_belligerent_id,
        own_activity.other_incidents_nearby,
        own_activity.strike_releases_in_window,
        co_activity.co_belligerent_id,
        coalesce(co_activity.co_belligerent_incidents_nearby, 0) as co_belligerent_incidents_nearby
    from own_activity
    left join co_activity
        on
            own_activity.subject_kind = co_activity.subject_kind
            and own_activity.subject_id = co_activity.subject_id
            and co_activity.activity_rank = 1
    where own_activity.activity_rank = 1

)

select * from final
