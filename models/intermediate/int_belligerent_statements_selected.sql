-- One row per incident and belligerent that gave a verdict: the latest clean statement
-- (by statement date, then id), which is the verdict in force. Its conceded figures are
-- as they count in totals: a pair above the review ceiling counts as unknown until reviewed.
with

statements as (

    select * from {{ ref('int_belligerent_statements_validated') }}
    where not is_quarantined

),

ranked as (

    select
        linked_incident_code as incident_code,
        belligerent_id,
        statement_id,
        verdict_id,
        {{ counted_pair_columns('deaths_conceded') }},
        {{ counted_pair_columns('injuries_conceded') }},
        statement_date,
        statement_url,
        needs_review,
        review_reasons,
        count(*) over (partition by linked_incident_code, belligerent_id) as statement_count,
        row_number() over (
            partition by linked_incident_code, belligerent_id
            order by statement_date desc nulls last, statement_id desc
        ) as recency_rank
    from statements

),

final as (

    select
        incident_code,
        belligerent_id,
        statement_id,
        verdict_id,
        deaths_conceded_min,
        deaths_conceded_max,
        injuries_conceded_min,
        injuries_conceded_max,
        statement_date,
        statement_url,
        statement_count,
        needs_review,
        review_reasons
    from ranked
    where recency_rank = 1

)

select * from final
