-- One row per month and country scope: the US-led coalition and Russia side by side.
-- country_id is syria, iraq or unknown for one country, or 'all' for every country
-- together (the coalition struck Iraq and Syria, Russia only Syria, so a like-for-like
-- comparison filters country_id = 'syria'). An incident blamed on both sides counts for
-- each side (incidents_blamed_on_both says how many).
{%- set sides = ['coalition', 'russia'] %}
{%- set measures = [
    'alleged_incidents', 'alleged_killed_min', 'alleged_killed_max',
    'alleged_injured_min', 'alleged_injured_max',
    'likely_incidents', 'likely_killed_min', 'likely_killed_max',
    'contested_incidents', 'ungraded_incidents',
    'deaths_conceded_min', 'deaths_conceded_max',
    'cumulative_alleged_killed_max', 'cumulative_likely_killed_min', 'cumulative_likely_killed_max',
    'cumulative_deaths_conceded_min', 'cumulative_deaths_conceded_max',
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

scoped as (

    -- each country on its own, and all countries together
    select
        month,
        country_id,
        belligerent_id,
        {%- for measure in measures %}
            {{ measure }},
        {%- endfor %}
        is_synthetic
    from monthly
    union all
    select
        month,
        'all' as country_id,
        belligerent_id,
        {%- for measure in measures %}
            cast(sum({{ measure }}) as {{ dbt.type_bigint() }}) as {{ measure }},
        {%- endfor %}
        bool_or(is_synthetic) as is_synthetic
    from monthly
    group by month, belligerent_id

),

blamed_on_both as (

    select
        incident_code,
        incident_month as month,
        coalesce(country_id, 'unknown') as country_id
    from incident_belligerents
    group by incident_code, incident_month, coalesce(country_id, 'unknown')
    having count(distinct belligerent_id) = 2

),

blamed_on_both_counts as (

    select
        month,
        country_id,
        count(*) as incidents_blamed_on_both
    from blamed_on_both
    group by month, country_id
    union all
    select
        month,
        'all' as country_id,
        count(*) as incidents_blamed_on_both
    from blamed_on_both
    group by month

),

pivoted as (

    select
        month,
        country_id,
        {%- for side in sides %}
            {%- for measure in measures %}
                max(case when belligerent_id = '{{ side }}' then {{ measure }} end) as {{ side }}_{{ measure }},
            {%- endfor %}
        {%- endfor %}
        bool_or(is_synthetic) as is_synthetic
    from scoped
    group by month, country_id

),

final as (

    select
        pivoted.month,
        pivoted.country_id,
        {%- for side in sides %}
            {%- for measure in measures %}
                pivoted.{{ side }}_{{ measure }},
            {%- endfor %}
            case
                when pivoted.{{ side }}_alleged_incidents > 0
                    then cast(pivoted.{{ side }}_contested_incidents as {{ civcas_type('double') }}) / pivoted.{{ side }}_alleged_incidents
            end as {{ side }}_contested_share,
        {%- endfor %}
        cast(coalesce(blamed_on_both_counts.incidents_blamed_on_both, 0) as {{ dbt.type_bigint() }})
            as incidents_blamed_on_both,
        pivoted.coalition_alleged_incidents - pivoted.russia_alleged_incidents as alleged_incidents_difference,
        pivoted.coalition_alleged_killed_min - pivoted.russia_alleged_killed_min as alleged_killed_min_difference,
        pivoted.coalition_alleged_killed_max - pivoted.russia_alleged_killed_max as alleged_killed_max_difference,
        pivoted.coalition_likely_killed_max - pivoted.russia_likely_killed_max as likely_killed_max_difference,
        -- What the coalition admitted against what monitors judged likely, and the gap.
        pivoted.coalition_likely_killed_max - pivoted.coalition_deaths_conceded_max
            as coalition_likely_minus_conceded_max,
        pivoted.coalition_cumulative_likely_killed_max - pivoted.coalition_cumulative_deaths_conceded_max
            as coalition_cumulative_likely_minus_conceded_max,
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
    left join blamed_on_both_counts
        on
            pivoted.month = blamed_on_both_counts.month
            and pivoted.country_id = blamed_on_both_counts.country_id

)

select * from final
order by month, country_id
