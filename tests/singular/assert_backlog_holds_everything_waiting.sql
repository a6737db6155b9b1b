-- The backlog holds every incident that waits for an assessor, once: each ungraded
-- registered incident and each candidate incident; graded incidents never.
with

expected as (

    select incident_code as backlog_incident_id
    from {{ ref('fct_incidents') }}
    where not is_graded
    union all
    select distinct candidate_incident_id as backlog_incident_id
    from {{ ref('int_candidate_incidents_grouped') }}

),

actual as (

    select backlog_incident_id
    from {{ ref('fct_assessment_backlog') }}

),

missing as (

    select
        expected.backlog_incident_id,
        'waiting but not in the backlog' as problem
    from expected
    left join actual
        on expected.backlog_incident_id = actual.backlog_incident_id
    where actual.backlog_incident_id is null

),

extra as (

    select
        actual.backlog_incident_id,
        'in the backlog but not waiting' as problem
    from actual
    left join expected
        on actual.backlog_incident_id = expected.backlog_incident_id
    where expected.backlog_incident_id is null

)

select * from missing
union all
select * from extra
