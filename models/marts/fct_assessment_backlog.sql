-- Everything that waits for an assessor, ranked: registered incidents no assessor has
-- graded, and candidate incidents (claims that no incident took, grouped). The rank
-- orders by alleged deaths (maximum), then sources, then days waiting, then whether a
-- declared strike matches, so the next hour of assessment goes to the top row.
with

incidents as (

    select * from {{ ref('fct_incidents') }}
    where not is_graded

),

candidates as (

    select * from {{ ref('int_candidate_incidents_summarised') }}

),

candidate_grades as (

    select * from {{ ref('int_candidate_incidents_graded') }}

),

claims as (

    select * from {{ ref('int_claims_validated') }}
    where not is_quarantined

),

datasets as (

    select * from {{ ref('dim_datasets') }}

),

as_of as (

    -- the build's reference date (int_reference_date): var civcas_as_of_date, or the
    -- latest record logged, the same date that bounds every raw date
    select reference_date as as_of_date from {{ ref('int_reference_date') }}

),

first_reports as (

    select
        linked_incident_code as incident_code,
        min(date_reported) as first_reported_on
    from claims
    where linked_incident_code is not null
    group by linked_incident_code

),

waiting as (

    select
        incidents.incident_code as backlog_incident_id,
        'registered' as incident_kind,
        incidents.incident_date,
        incidents.incident_month,
        incidents.country_id,
        incidents.governorate_id,
        incidents.belligerent_ids,
        incidents.civilians_killed_min,
        incidents.civilians_killed_max,
        incidents.source_count,
        incidents.claim_count,
        coalesce(first_reports.first_reported_on, incidents.incident_date) as waiting_since,
        incidents.declared_strike_releases_nearby > 0 as has_declared_strike_nearby,
        incidents.suggested_grade_id,
        incidents.suggestion_reason,
        incidents.needs_review,
        incidents.review_reasons
    from incidents
    left join first_reports
        on incidents.incident_code = first_reports.incident_code
    union all
    select
        candidates.candidate_incident_id as backlog_incident_id,
        'candidate' as incident_kind,
        candidates.incident_date,
        cast({{ dbt.date_trunc('month', 'candidates.incident_date') }} as date) as incident_month,
        candidates.country_id,
        candidates.governorate_id,
        candidates.belligerent_ids,
        candidates.civilians_killed_min,
        candidates.civilians_killed_max,
        candidates.source_count,
        candidates.claim_count,
        coalesce(candidates.first_reported_on, candidates.incident_date) as waiting_since,
        candidate_grades.declared_strike_releases_nearby > 0 as has_declared_strike_nearby,
        candidate_grades.suggested_grade_id,
        candidate_grades.suggestion_reason,
        candidates.needs_review,
        candidates.review_reasons
    from candidates
    inner join candidate_grades
        on candidates.candidate_incident_id = candidate_grades.candidate_incident_id

),

final as (

    select
        cast(row_number() over (
            order by
                waiting.civilians_killed_max desc nulls last,
                waiting.source_count desc,
                waiting.waiting_since asc,
                waiting.has_declared_strike_nearby desc,
                waiting.backlog_incident_id asc
        ) as {{ dbt.type_bigint() }}) as backlog_rank,
        waiting.*,
        cast({{ dbt.datediff('waiting.waiting_since', 'as_of.as_of_date', 'day') }} as bigint) as days_waiting,
        as_of.as_of_date,
        datasets.is_synthetic
    from waiting
    cross join as_of
    cross join datasets

)

select * from final
order by backlog_rank
