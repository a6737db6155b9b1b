-- The grade groups (five grades plus ungraded) partition the alleged totals exactly:
-- for every month, belligerent and country, incident counts, minimums and maximums add up.
with

by_grade as (

    select
        month,
        belligerent_id,
        country_id,
        sum(alleged_incidents) as alleged_incidents,
        sum(alleged_killed_min) as alleged_killed_min,
        sum(alleged_killed_max) as alleged_killed_max,
        sum(alleged_injured_min) as alleged_injured_min,
        sum(alleged_injured_max) as alleged_injured_max
    from {{ ref('fct_monthly_grade_summary') }}
    group by month, belligerent_id, country_id

),

totals as (

    select * from {{ ref('fct_monthly_belligerent_summary') }}

),

grade_columns as (

    -- The per-grade counts carried on the summary itself must partition it too.
    select
        month,
        belligerent_id,
        country_id,
        confirmed_incidents + fair_incidents + weak_incidents + contested_incidents
        + discounted_incidents + ungraded_incidents as incidents_over_grades
    from totals

)

select
    totals.month,
    totals.belligerent_id,
    totals.country_id,
    totals.alleged_incidents,
    by_grade.alleged_incidents as incidents_over_grade_rows,
    grade_columns.incidents_over_grades,
    totals.alleged_killed_min,
    by_grade.alleged_killed_min as killed_min_over_grades,
    totals.alleged_killed_max,
    by_grade.alleged_killed_max as killed_max_over_grades
from totals
full outer join by_grade
    on
        totals.month = by_grade.month
        and totals.belligerent_id = by_grade.belligerent_id
        and totals.country_id = by_grade.country_id
left join grade_columns
    on
        totals.month = grade_columns.month
        and totals.belligerent_id = grade_columns.belligerent_id
        and totals.country_id = grade_columns.country_id
where
    by_grade.month is null
    or totals.month is null
    or totals.alleged_incidents <> by_grade.alleged_incidents
    or totals.alleged_incidents <> grade_columns.incidents_over_grades
    or totals.alleged_killed_min <> by_grade.alleged_killed_min
    or totals.alleged_killed_max <> by_grade.alleged_killed_max
    or totals.alleged_injured_min <> by_grade.alleged_injured_min
    or totals.alleged_injured_max <> by_grade.alleged_injured_max
