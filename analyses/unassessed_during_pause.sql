-- What was left unassessed while one belligerent's assessments were paused? In March 2017
-- a monitor stopped grading Russian strikes to keep up with the coalition surge, while it
-- kept logging the claims. For each month of the pause (by incident date) and for the whole
-- pause: the belligerent's alleged incidents and how many are still ungraded, everything
-- still waiting for an assessor at the backlog's as-of date (registered incidents and
-- candidate incidents grouped from unlinked claims, with the deaths they allege and how long
-- they have waited), and how many assessor decisions were made in that month on incidents
-- blamed on the belligerent. An incident blamed on several belligerents counts for each.
-- Parameters (dbt vars): civcas_pause_belligerent_id (default russia),
-- civcas_pause_start_date (2017-03-01) and civcas_pause_end_date (2017-06-30), e.g.
--   dbt compile --select unassessed_during_pause
--     --vars '{civcas_pause_belligerent_id: coalition, civcas_pause_start_date: 2017-01-01}'
-- then run target/compiled/civcas/analyses/unassessed_during_pause.sql read-only against the
-- analysts' published copy, never the build file: `duckdb -readonly
-- warehouse/published/civcas.duckdb < <that file>` (or archive.duckdb: the compiled SQL names
-- no catalog).
{%- set belligerent_id = var('civcas_pause_belligerent_id') %}
{%- set start_date = var('civcas_pause_start_date') %}
{%- set end_date = var('civcas_pause_end_date') %}

with

monthly_summary as (

    select * from {{ ref('fct_monthly_belligerent_summary') }}
    where belligerent_id = '{{ belligerent_id }}'

),

backlog as (

    select * from {{ ref('fct_monthly_assessment_backlog') }}
    where belligerent_id = '{{ belligerent_id }}'

),

assessments as (

    select * from {{ ref('fct_incident_assessments') }}

),

incident_belligerents as (

    select * from {{ ref('fct_incident_belligerents') }}
    where belligerent_id = '{{ belligerent_id }}'

),

pause_months as (

    select distinct month
    from monthly_summary
    where
        month >= cast({{ dbt.date_trunc('month', "cast('" ~ start_date ~ "' as date)") }} as date)
        and month <= cast('{{ end_date }}' as date)

),

alleged as (

    select
        month,
        cast(sum(alleged_incidents) as {{ dbt.type_bigint() }}) as alleged_incidents,
        cast(sum(ungraded_incidents) as {{ dbt.type_bigint() }}) as ungraded_incidents,
        bool_or(is_synthetic) as is_synthetic
    from monthly_summary
    group by month

),

decisions as (

    select
        cast({{ dbt.date_trunc('month', 'assessments.assessed_on') }} as date) as month,
        count(*) as assessor_decisions
    from assessments
    inner join incident_belligerents
        on assessments.incident_code = incident_belligerents.incident_code
    group by cast({{ dbt.date_trunc('month', 'assessments.assessed_on') }} as date)

),

monthly as (

    select
        pause_months.month,
        coalesce(alleged.alleged_incidents, 0) as alleged_incidents,
        coalesce(alleged.ungraded_incidents, 0) as ungraded_alleged_incidents,
        coalesce(backlog.waiting_incidents, 0) as waiting_incidents,
        coalesce(backlog.waiting_registered_incidents, 0) as waiting_registered_incidents,
        coalesce(backlog.waiting_candidate_incidents, 0) as waiting_candidate_incidents,
        coalesce(backlog.alleged_killed_min, 0) as waiting_killed_min,
        coalesce(backlog.alleged_killed_max, 0) as waiting_killed_max,
        backlog.max_days_waiting,
        backlog.mean_days_waiting * backlog.waiting_incidents as total_days_waiting,
        coalesce(decisions.assessor_decisions, 0) as assessor_decisions,
        alleged.is_synthetic
    from pause_months
    left join alleged
        on pause_months.month = alleged.month
    left join backlog
        on pause_months.month = backlog.month
    left join decisions
        on pause_months.month = decisions.month

),

with_total as (

    select
        month as period_start,
        cast({{ dbt.last_day('month', 'month') }} as date) as period_end,
        false as is_whole_pause,
        alleged_incidents,
        ungraded_alleged_incidents,
        waiting_incidents,
        waiting_registered_incidents,
        waiting_candidate_incidents,
        waiting_killed_min,
        waiting_killed_max,
        max_days_waiting,
        total_days_waiting,
        assessor_decisions,
        is_synthetic
    from monthly
    union all
    select
        cast('{{ start_date }}' as date) as period_start,
        cast('{{ end_date }}' as date) as period_end,
        true as is_whole_pause,
        cast(sum(alleged_incidents) as {{ dbt.type_bigint() }}) as alleged_incidents,
        cast(sum(ungraded_alleged_incidents) as {{ dbt.type_bigint() }}) as ungraded_alleged_incidents,
        cast(sum(waiting_incidents) as {{ dbt.type_bigint() }}) as waiting_incidents,
        cast(sum(waiting_registered_incidents) as {{ dbt.type_bigint() }}) as waiting_registered_incidents,
        cast(sum(waiting_candidate_incidents) as {{ dbt.type_bigint() }}) as waiting_candidate_incidents,
        cast(sum(waiting_killed_min) as {{ dbt.type_bigint() }}) as waiting_killed_min,
        cast(sum(waiting_killed_max) as {{ dbt.type_bigint() }}) as waiting_killed_max,
        max(max_days_waiting) as max_days_waiting,
        sum(total_days_waiting) as total_days_waiting,
        cast(sum(assessor_decisions) as {{ dbt.type_bigint() }}) as assessor_decisions,
        bool_or(is_synthetic) as is_synthetic
    from monthly

),

final as (

    select
        '{{ belligerent_id }}' as belligerent_id,
        period_start,
        period_end,
        is_whole_pause,
        alleged_incidents,
        ungraded_alleged_incidents,
        waiting_incidents,
        waiting_registered_incidents,
        waiting_candidate_incidents,
        waiting_killed_min,
        waiting_killed_max,
        max_days_waiting,
        case when waiting_incidents > 0 then total_days_waiting / waiting_incidents end as mean_days_waiting,
        assessor_decisions,
        is_synthetic
    from with_total

)

select * from final
order by is_whole_pause, period_start
