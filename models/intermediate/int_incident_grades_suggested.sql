-- A suggested grade, with its reason in plain words, for every clean incident that no
-- assessor has graded (an assessor's grade always wins; graded incidents get none).
-- The rules of ../shared/DOMAIN.md, first that applies (macros/grading.sql):
--   confirmed  a blamed belligerent conceded the harm (its verdict is credible);
--   contested  several belligerents are blamed, or ground forces;
--   fair       two or more independent sources (outlets, not reposts of one), and a
--              declared or likely strike by a blamed belligerent near it;
--   weak       a single source.
-- Discounted is never suggested. Several sources without strike evidence, or no
-- source at all, get no suggestion: that needs an assessor.
with

incidents as (

    select * from {{ ref('int_incidents_validated') }}
    where not is_quarantined

),

grades as (

    select * from {{ ref('int_incident_grades_selected') }}

),

claim_evidence as (

    select * from {{ ref('int_claims_aggregated_to_incidents') }}

),

incident_evidence as (

    select * from {{ ref('int_incident_evidence_summarised') }}

),

evidence as (

    select
        incidents.incident_code,
        coalesce(claim_evidence.source_count, 0) as source_count,
        incident_evidence.known_belligerent_count as known_belligerents,
        incident_evidence.is_ground_forces_blamed,
        incident_evidence.conceding_belligerent_id,
        incident_evidence.declared_strike_releases_nearby as declared_strike_releases,
        grades.strike_status_id
    from incidents
    left join grades
        on incidents.incident_code = grades.incident_code
    left join claim_evidence
        on incidents.incident_code = claim_evidence.incident_code
    left join incident_evidence
        on incidents.incident_code = incident_evidence.incident_code
    where grades.grade_id is null

),

suggested as (

    select
        incident_code,
        {{ suggested_grade_id('conceding_belligerent_id', 'known_belligerents', 'is_ground_forces_blamed', 'source_count', 'declared_strike_releases', 'strike_status_id') }} as suggested_grade_id,
        {{ suggestion_reason('conceding_belligerent_id', 'known_belligerents', 'is_ground_forces_blamed', 'source_count', 'declared_strike_releases', 'strike_status_id') }} as suggestion_reason
    from evidence

),

final as (

    select * from suggested

)

select * from final
