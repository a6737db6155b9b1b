-- One row per month: the US-led coalition and Russia side by side. An incident blamed on
-- both counts for each side (incidents_blamed_on_both says how many).
{%- set sides = ['coalition', 'russia'] %}
{%- set measures = [
    'alleged_incidents', 'alleged_killed_min', 'alleged_killed_max',
    'alleged_injured_min', 'alleged_injured_max',
    'likely_incidents', 'likely_killed_min', 'likely_killed_max',
    'contested_incidents', 'ungraded_incidents', 'contested_share',
    'deaths_conceded_min', 'deaths_conceded_max',
] %}

with

monthly as (

    select * from {{ ref('fct_monthly_belligerent_summary') }}
    where belligerent_id in ('coalition', 'russia')

),

incident_belligerents as (

    select * from {{ ref('fct_incident_belligerents') }}
    where is_civilian_harm_reported and belligerent_id in ('coalition', 'russia')

),

blamed_on_both as (

    select
        incident_month as month_start,
        count(*) as incidents_blamed_on_both
    from (
        select
            incident_code,
            incident_month
        from incident_belligerents
        group by incident_code, incident_month
        having count(distinct belligerent_id) = 2
    ) as both_sides
    group by incident_month

),

pivoted as (

    select
        month_start,
        {%- for side in sides %}
            {%- for measure in measures %}
                max(case when belligerent_id = '{{ side }}' then {{ measure }} end) as {{ side }}_{{ measure }},
            {%- endfor %}
        {%- endfor %}
        bool_or(is_synthetic) as is_synthetic
    from monthly
    group by month_start

),

final as (

    select
        pivoted.month_start,
        {%- for side in sides %}
            {%- for measure in measures %}
                pivoted.{{ side }}_{{ measure }},
            {%- endfor %}
        {%- endfor %}
        coalesce(blamed_on_both.incidents_blamed_on_both, 0) as incidents_blamed_on_both,
        pivoted.coalition_alleged_incidents - pivoted.russia_alleged_incidents as alleged_incidents_difference,
        pivoted.coalition_alleged_killed_min - pivoted.russia_alleged_killed_min as alleged_killed_min_difference,
        pivoted.coalition_alleged_killed_max - pivoted.russia_alleged_killed_max as alleged_killed_max_difference,
        pivoted.coalition_likely_killed_max - pivoted.russia_likely_killed_max as likely_killed_max_difference,
        case
            when pivoted.coalition_alleged_incidents > pivoted.russia_alleged_incidents then 'coalition'
            when pivoted.coalition_alleged_incidents < pivoted.russia_alleged_incidents then 'russia'
            else 'equal'
        end as side_with_more_alleged_incidents,
        -- Deaths compare on the maximum, then the minimum when the maximums tie.
        case
            when pivoted.coalition_alleged_killed_max > pivoted.russia_alleged_killed_max then 'coalition'
            when pivoted.coalition_alleged_killed_max < pivoted.russia_alleged_killed_max then 'russia'
            when pivoted.coalition_alleged_killed_min > pivoted.russia_alleged_killed_min then 'coalition'
            when pivoted.coalition_alleged_killed_min < pivoted.russia_alleged_killed_min then 'russia'
            else 'equal'
        end as side_with_more_alleged_deaths,
        pivoted.is_synthetic
    from pivoted
    left join blamed_on_both
        on pivoted.month_start = blamed_on_both.month_start

)

select * from final
order by month_start
