-- Alleged incidents and casualties per month, belligerent, country and grade group: the
-- five grades, and ungraded. Every alleged incident falls in exactly one group, so the
-- groups add up to the alleged totals of export monthly_belligerent_summary. An ungraded
-- incident stays ungraded even when its evidence suggests a grade: a suggestion is never a
-- grade (the suggestions are counted in monthly_belligerent_summary, suggested_*_incidents).
with

grade_summary as (

    select * from {{ ref('fct_monthly_grade_summary') }}

),

final as (

    select
        month,
        belligerent_id,
        country_id,
        grade_group,
        grade_group_name,
        grade_group_sort_order,
        grade_group <> 'ungraded' as is_assessed_grade,
        alleged_incidents,
        alleged_killed_min,
        alleged_killed_max,
        alleged_injured_min,
        alleged_injured_max,
        is_synthetic
    from grade_summary

)

select * from final
order by month, belligerent_id, country_id, grade_group_sort_order, grade_group
