-- A suggested grade, with its reason in plain words, for every clean incident that no
-- assessor has graded (an assessor's grade always wins; graded incidents get none).
-- The rules of ../shared/DOMAIN.md, first that applies:
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
        case
            when conceding_belligerent_id is not null then 'confirmed'
            when known_belligerents >= 2 or is_ground_forces_blamed then 'contested'
            when
                source_count >= 2
                and (declared_strike_releases > 0 or strike_status_id in ('declared_strike', 'likely_strike'))
                then 'fair'
            when source_count = 1 then 'weak'
        end as suggested_grade_id,
        case
            when conceding_belligerent_id is not null
                then 'Confirmed: ' || conceding_belligerent_id || ' conceded the harm (its verdict is credible).'
            when is_ground_forces_blamed
                then 'Contested: ground forces may be responsible.'
            when known_belligerents >= 2
                then 'Contested: ' || cast(known_belligerents as varchar) || ' belligerents are blamed.'
            when source_count >= 2 and declared_strike_releases > 0
                then 'Fair: ' || cast(source_count as varchar)
                    || ' independent sources, and a declared strike by a blamed belligerent nearby.'
            when source_count >= 2 and strike_status_id in ('declared_strike', 'likely_strike')
                then 'Fair: ' || cast(source_count as varchar)
                    || ' independent sources, and the strike status is ' || strike_status_id || '.'
            when source_count = 1
                then 'Weak: a single source.'
            when source_count >= 2
                then 'No suggestion: ' || cast(source_count as varchar)
                    || ' sources but no declared or likely strike nearby; an assessor must decide.'
            else 'No suggestion: no source is linked to the incident.'
        end as suggestion_reason
    from evidence

),

final as (

    select * from suggested

)

select * from final
