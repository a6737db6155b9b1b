with

statements as (

    select * from {{ ref('int_belligerent_statements_validated') }}
    where not is_quarantined

),

selected as (

    select * from {{ ref('int_belligerent_statements_selected') }}

),

datasets as (

    select * from {{ ref('dim_datasets') }}

),

final as (

    select
        statements.statement_id,
        statements.linked_incident_code as incident_code,
        statements.belligerent_id,
        statements.verdict_id,
        statements.verdict_as_written,
        statements.deaths_conceded_min,
        statements.deaths_conceded_max,
        statements.injuries_conceded_min,
        statements.injuries_conceded_max,
        statements.statement_date,
        statements.statement_url,
        selected.statement_id is not null as is_verdict_in_force,
        -- field issues and figures above a review ceiling (macros/field_issues.sql)
        statements.needs_review,
        statements.review_reasons,
        datasets.is_synthetic
    from statements
    left join selected
        on statements.statement_id = selected.statement_id
    cross join datasets

)

select * from final
