-- One row per month, belligerent, country and grade group (the five grades plus
-- ungraded), zeros where nothing happened. The grade groups partition the alleged totals of
-- fct_monthly_belligerent_summary exactly.
with

incident_belligerents as (

    select * from {{ ref('fct_incident_belligerents') }}
    where is_civilian_harm_reported

),

spine as (

    select
        month,
        belligerent_id,
        country_id,
        is_synthetic
    from {{ ref('fct_monthly_belligerent_summary') }}

),

grade_groups as (

    select
        grade_id as grade_group,
        grade_name as grade_group_name,
        sort_order
    from {{ ref('ref_grades') }}
    union all
    select
        'ungraded' as grade_group,
        'Ungraded' as grade_group_name,
        99 as sort_order

),

monthly as (

    select
        incident_month as month,
        belligerent_id,
        coalesce(country_id, 'unknown') as country_id,
        coalesce(grade_id, 'ungraded') as grade_group,
        count(*) as incidents,
        sum(civilians_killed_min) as killed_min,
        sum(civilians_killed_max) as killed_max,
        sum(civilians_injured_min) as injured_min,
        sum(civilians_injured_max) as injured_max
    from incident_belligerents
    group by incident_month, belligerent_id, coalesce(country_id, 'unknown'), coalesce(grade_id, 'ungraded')

),

final as (

    select
        spine.month,
        spine.belligerent_id,
        spine.country_id,
        grade_groups.grade_group,
        grade_groups.grade_group_name,
        grade_groups.sort_order as grade_group_sort_order,
        cast(coalesce(monthly.incidents, 0) as {{ dbt.type_bigint() }}) as alleged_incidents,
        cast(coalesce(monthly.killed_min, 0) as {{ dbt.type_bigint() }}) as alleged_killed_min,
        cast(coalesce(monthly.killed_max, 0) as {{ dbt.type_bigint() }}) as alleged_killed_max,
        cast(coalesce(monthly.injured_min, 0) as {{ dbt.type_bigint() }}) as alleged_injured_min,
        cast(coalesce(monthly.injured_max, 0) as {{ dbt.type_bigint() }}) as alleged_injured_max,
        spine.is_synthetic
    from spine
    cross join grade_groups
    left join monthly
        on
            spine.month = monthly.month
            and spine.belligerent_id = monthly.belligerent_id
            and spine.country_id = monthly.country_id
            and grade_groups.grade_group = monthly.grade_group

)

select * from final
order by month, belligerent_id, country_id, grade_group_sort_order
