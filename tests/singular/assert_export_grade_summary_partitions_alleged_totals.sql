-- The grade groups of export_grade_summary partition the alleged totals: every alleged
-- incident (civilian harm reported, one count per belligerent blamed) falls in exactly one
-- group - its grade, or ungraded, also when the evidence suggests a grade. For every month,
-- belligerent, country and group, the export equals a count made here from the incidents
-- themselves (fct_incident_belligerents); and the groups of each month, belligerent and
-- country add up to its alleged figures in export_monthly_belligerent_summary.
with

grade_summary as (

    select * from {{ ref('export_grade_summary') }}

),

monthly_summary as (

    select * from {{ ref('export_monthly_belligerent_summary') }}

),

incident_belligerents as (

    select * from {{ ref('fct_incident_belligerents') }}
    where is_civilian_harm_reported

),

months_in_range as (

    select distinct month from monthly_summary

),

counted_from_incidents as (

    select
        incident_belligerents.incident_month as month,
        incident_belligerents.belligerent_id,
        coalesce(incident_belligerents.country_id, 'unknown') as country_id,
        coalesce(incident_belligerents.grade_id, 'ungraded') as grade_group,
        count(*) as alleged_incidents,
        coalesce(sum(incident_belligerents.civilians_killed_min), 0) as alleged_killed_min,
        coalesce(sum(incident_belligerents.civilians_killed_max), 0) as alleged_killed_max
    from incident_belligerents
    inner join months_in_range
        on incident_belligerents.incident_month = months_in_range.month
    group by
        incident_belligerents.incident_month,
        incident_belligerents.belligerent_id,
        coalesce(incident_belligerents.country_id, 'unknown'),
        coalesce(incident_belligerents.grade_id, 'ungraded')

),

group_mismatches as (

    select
        'group differs from the incidents' as problem,
        coalesce(grade_summary.month, counted_from_incidents.month) as month,
        coalesce(grade_summary.belligerent_id, counted_from_incidents.belligerent_id) as belligerent_id,
        coalesce(grade_summary.country_id, counted_from_incidents.country_id) as country_id,
        coalesce(grade_summary.grade_group, counted_from_incidents.grade_group) as grade_group,
        grade_summary.alleged_incidents as exported_incidents,
        counted_from_incidents.alleged_incidents as counted_incidents
    from grade_summary
    full outer join counted_from_incidents
        on
            grade_summary.month = counted_from_incidents.month
            and grade_summary.belligerent_id = counted_from_incidents.belligerent_id
            and grade_summary.country_id = counted_from_incidents.country_id
            and grade_summary.grade_group = counted_from_incidents.grade_group
    where
        grade_summary.month is null
        or coalesce(counted_from_incidents.alleged_incidents, 0) <> grade_summary.alleged_incidents
        or coalesce(counted_from_incidents.alleged_killed_min, 0) <> grade_summary.alleged_killed_min
        or coalesce(counted_from_incidents.alleged_killed_max, 0) <> grade_summary.alleged_killed_max

),

summed_over_groups as (

    select
        month,
        belligerent_id,
        country_id,
        sum(alleged_incidents) as alleged_incidents,
        sum(alleged_killed_min) as alleged_killed_min,
        sum(alleged_killed_max) as alleged_killed_max,
        sum(alleged_injured_min) as alleged_injured_min,
        sum(alleged_injured_max) as alleged_injured_max
    from grade_summary
    group by month, belligerent_id, country_id

),

total_mismatches as (

    select
        'groups do not add up to the alleged total' as problem,
        coalesce(monthly_summary.month, summed_over_groups.month) as month,
        coalesce(monthly_summary.belligerent_id, summed_over_groups.belligerent_id) as belligerent_id,
        coalesce(monthly_summary.country_id, summed_over_groups.country_id) as country_id,
        cast(null as {{ dbt.type_string() }}) as grade_group,
        summed_over_groups.alleged_incidents as exported_incidents,
        monthly_summary.alleged_incidents as counted_incidents
    from monthly_summary
    full outer join summed_over_groups
        on
            monthly_summary.month = summed_over_groups.month
            and monthly_summary.belligerent_id = summed_over_groups.belligerent_id
            and monthly_summary.country_id = summed_over_groups.country_id
    where
        monthly_summary.month is null
        or summed_over_groups.month is null
        or monthly_summary.alleged_incidents <> summed_over_groups.alleged_incidents
        or monthly_summary.alleged_killed_min <> summed_over_groups.alleged_killed_min
        or monthly_summary.alleged_killed_max <> summed_over_groups.alleged_killed_max
        or monthly_summary.alleged_injured_min <> summed_over_groups.alleged_injured_min
        or monthly_summary.alleged_injured_max <> summed_over_groups.alleged_injured_max

)

select * from group_mismatches
union all
select * from total_mismatches
