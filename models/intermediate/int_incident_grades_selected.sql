-- One row per incident with at least one clean assessment: the grade, strike status and
-- assessed ranges in force now, chosen from the append-only assessment log.
--   * Decisions are ordered by date, then assessment id (two decisions on one day).
--   * Each field takes its value from the latest decision that gave it: a later
--     decision that leaves the grade blank does not erase an earlier grade.
--   * The previous grade is the latest grade that differs from the current one, so an
--     incident that went Fair -> Confirmed keeps Fair beside it.
--   * A pair nulled as a field issue, or above the review ceiling (counted as unknown until
--     reviewed, macros/field_issues.sql), gives no figures: the latest sound pair is in force,
--     and the incident says it needs review.
with

assessments as (

    select * from {{ ref('int_incident_assessments_validated') }}
    where not is_quarantined

),

sequenced as (

    select
        linked_incident_code as incident_code,
        assessment_id,
        assessed_on,
        grade_id,
        strike_status_id,
        {{ counted_pair_columns('civilians_killed') }},
        {{ counted_pair_columns('civilians_injured') }},
        {{ counted_pair_columns('children_killed') }},
        {{ counted_pair_columns('women_killed') }},
        needs_review,
        review_reasons,
        -- a killed or injured figure held for review still reports civilian harm
        (
            {{ is_above_review_ceiling('civilians_killed_min', 'civilians_killed_max', 'people') }}
            or {{ is_above_review_ceiling('civilians_injured_min', 'civilians_injured_max', 'people') }}
        ) as has_harm_figure_under_review,
        row_number() over (
            partition by linked_incident_code
            order by assessed_on, assessment_id
        ) as decision_sequence
    from assessments

),

latest as (

    select
        incident_code,
        count(*) as assessment_count,
        min(assessed_on) as first_assessed_on,
        max(assessed_on) as last_assessed_on,
        {{ value_at_latest('grade_id', 'decision_sequence') }} as grade_id,
        max(case when grade_id is not null then decision_sequence end) as grade_decision_sequence,
        {{ value_at_latest('strike_status_id', 'decision_sequence') }} as strike_status_id,
        -- The assessed range comes from the latest decision that gave figures, as a pair.
        max(
            case
                when civilians_killed_min is not null or civilians_killed_max is not null
                    then decision_sequence
            end
        ) as killed_decision_sequence,
        max(
            case
                when civilians_injured_min is not null or civilians_injured_max is not null
                    then decision_sequence
            end
        ) as injured_decision_sequence,
        max(
            case
                when children_killed_min is not null or children_killed_max is not null
                    then decision_sequence
            end
        ) as children_decision_sequence,
        max(
            case
                when women_killed_min is not null or women_killed_max is not null
                    then decision_sequence
            end
        ) as women_decision_sequence,
        sum(case when needs_review then 1 else 0 end) as assessments_needing_review,
        max(case when has_harm_figure_under_review then 1 else 0 end) = 1 as has_harm_figure_under_review,
        {{ dbt.listagg("case when needs_review then 'assessment ' || assessment_id || ': ' || review_reasons end", "'; '", 'order by decision_sequence') }}
            as assessment_review_reasons
    from sequenced
    group by incident_code

),

previous_grade as (

    select
        sequenced.incident_code,
        {{ value_at_latest('sequenced.grade_id', 'sequenced.decision_sequence') }} as previous_grade_id
    from sequenced
    inner join latest
        on sequenced.incident_code = latest.incident_code
    where
        sequenced.grade_id <> latest.grade_id
        and sequenced.decision_sequence < latest.grade_decision_sequence
    group by sequenced.incident_code

),

final as (

    select
        latest.incident_code,
        latest.assessment_count,
        latest.first_assessed_on,
        latest.last_assessed_on,
        latest.assessments_needing_review,
        latest.assessment_review_reasons,
        latest.has_harm_figure_under_review,
        latest.grade_id,
        previous_grade.previous_grade_id,
        latest.strike_status_id,
        killed.civilians_killed_min as assessed_killed_min,
        killed.civilians_killed_max as assessed_killed_max,
        injured.civilians_injured_min as assessed_injured_min,
        injured.civilians_injured_max as assessed_injured_max,
        children.children_killed_min as assessed_children_killed_min,
        children.children_killed_max as assessed_children_killed_max,
        women.women_killed_min as assessed_women_killed_min,
        women.women_killed_max as assessed_women_killed_max
    from latest
    left join previous_grade
        on latest.incident_code = previous_grade.incident_code
    left join sequenced as killed
        on
            latest.incident_code = killed.incident_code
            and latest.killed_decision_sequence = killed.decision_sequence
    left join sequenced as injured
        on
            latest.incident_code = injured.incident_code
            and latest.injured_decision_sequence = injured.decision_sequence
    left join sequenced as children
        on
            latest.incident_code = children.incident_code
            and latest.children_decision_sequence = children.decision_sequence
    left join sequenced as women
        on
            latest.incident_code = women.incident_code
            and latest.women_decision_sequence = women.decision_sequence

)

select * from final
