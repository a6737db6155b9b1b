-- One row per clean incident: the grade the rules suggest, with the rule and its reason in
-- plain words, for EVERY incident, graded or not, so that suggestions can be compared with
-- assessors' grades (`civcas evaluate-grades`). It never reads an assessor's grade or strike
-- status; fct_incidents shows the suggestion only where no assessor has graded the incident.
-- The rules are one ordered list, first that applies (macros/grading.sql): confirmed when a
-- blamed belligerent conceded; weak with fewer than civcas_grade_fair_min_sources sources;
-- contested when ground forces or several belligerents are blamed (or, when the var is set,
-- the blame is open - "unknown" is blamed too - and a co-belligerent is active nearby); fair with a declared strike nearby or a likely strike
-- (the blamed belligerent's other incidents and strike releases nearby). Never Discounted.
with

incidents as (

    select * from {{ ref('int_incidents_validated') }}
    where not is_quarantined

),

claim_evidence as (

    select * from {{ ref('int_claims_aggregated_to_incidents') }}

),

incident_evidence as (

    select * from {{ ref('int_incident_evidence_summarised') }}

),

activity as (

    select * from {{ ref('int_grading_activity_nearby') }}
    where subject_kind = 'incident'

),

evidence as (

    select
        incidents.incident_code,
        incidents.resolved_governorate_id as governorate_id,
        coalesce(claim_evidence.source_count, 0) as source_count,
        coalesce(incident_evidence.known_belligerent_count, 0) as known_belligerent_count,
        coalesce(incident_evidence.is_ground_forces_blamed, false) as is_ground_forces_blamed,
        -- "unknown" counts as blamed but not as known
        coalesce(incident_evidence.blamed_belligerent_count > incident_evidence.known_belligerent_count, false)
            as is_unknown_blamed,
        incident_evidence.conceding_belligerent_id,
        coalesce(incident_evidence.declared_strike_releases_nearby, 0) as declared_strike_releases_nearby,
        activity.likely_strike_belligerent_id,
        coalesce(activity.other_incidents_nearby, 0) as other_incidents_nearby,
        coalesce(activity.strike_releases_in_window, 0) as strike_releases_in_window,
        activity.co_belligerent_id,
        coalesce(activity.co_belligerent_incidents_nearby, 0) as co_belligerent_incidents_nearby
    from incidents
    left join claim_evidence
        on incidents.incident_code = claim_evidence.incident_code
    left join incident_evidence
        on incidents.incident_code = incident_evidence.incident_code
    left join activity
        on incidents.incident_code = activity.subject_id

),

final as (

    select
        evidence.*,
        {{ suggested_grade_id() }} as suggested_grade_id,
        {{ suggestion_rule() }} as suggestion_rule,
        {{ suggestion_reason() }} as suggestion_reason
    from evidence

)

select * from final
