with

assessments as (

    select * from {{ ref('int_incident_assessments_validated') }}
    where not is_quarantined

),

datasets as (

    select * from {{ ref('dim_datasets') }}

),

sequenced as (

    select
        assessments.*,
        cast(row_number() over (
            partition by assessments.linked_incident_code
            order by assessments.assessed_on, assessments.assessment_id
        ) as {{ dbt.type_bigint() }}) as decision_sequence,
        count(*) over (partition by assessments.linked_incident_code) as decision_count
    from assessments

),

final as (

    select
        sequenced.assessment_id,
        sequenced.linked_incident_code as incident_code,
        sequenced.incident_code as incident_code_as_written,
        sequenced.assessed_on,
        sequenced.decision_sequence,
        sequenced.decision_sequence = sequenced.decision_count as is_latest_decision,
        sequenced.grade_id,
        sequenced.grade_as_written,
        sequenced.strike_status_id,
        sequenced.civilians_killed_min,
        sequenced.civilians_killed_max,
        sequenced.civilians_injured_min,
        sequenced.civilians_injured_max,
        sequenced.children_killed_min,
        sequenced.children_killed_max,
        sequenced.women_killed_min,
        sequenced.women_killed_max,
        sequenced.assessor_note,
        -- field issues and figures above a review ceiling (macros/field_issues.sql)
        sequenced.needs_review,
        sequenced.review_reasons,
        datasets.is_synthetic
    from sequenced
    cross join datasets

)

select * from final
