-- The monthly comparison of the US-led coalition and Russia, as published: one row per
-- month and country scope (syria, iraq, unknown, or all). An incident blamed on both sides
-- counts for each (incidents_blamed_on_both).
{%- set columns = [
    'month', 'country_id',
    'coalition_alleged_incidents', 'coalition_alleged_killed_min', 'coalition_alleged_killed_max',
    'coalition_alleged_injured_min', 'coalition_alleged_injured_max',
    'coalition_likely_incidents', 'coalition_likely_killed_min', 'coalition_likely_killed_max',
    'coalition_contested_incidents', 'coalition_ungraded_incidents',
    'coalition_deaths_conceded_min', 'coalition_deaths_conceded_max',
    'coalition_cumulative_alleged_killed_max',
    'coalition_cumulative_likely_killed_min', 'coalition_cumulative_likely_killed_max',
    'coalition_cumulative_deaths_conceded_min', 'coalition_cumulative_deaths_conceded_max',
    'coalition_contested_share',
    'russia_alleged_incidents', 'russia_alleged_killed_min', 'russia_alleged_killed_max',
    'russia_alleged_injured_min', 'russia_alleged_injured_max',
    'russia_likely_incidents', 'russia_likely_killed_min', 'russia_likely_killed_max',
    'russia_contested_incidents', 'russia_ungraded_incidents',
    'russia_deaths_conceded_min', 'russia_deaths_conceded_max',
    'russia_cumulative_alleged_killed_max',
    'russia_cumulative_likely_killed_min', 'russia_cumulative_likely_killed_max',
    'russia_cumulative_deaths_conceded_min', 'russia_cumulative_deaths_conceded_max',
    'russia_contested_share',
    'incidents_blamed_on_both',
    'alleged_incidents_difference', 'alleged_killed_min_difference', 'alleged_killed_max_difference',
    'likely_killed_max_difference',
    'coalition_likely_minus_conceded_max', 'coalition_cumulative_likely_minus_conceded_max',
    'side_with_more_alleged_incidents', 'side_with_more_alleged_deaths',
    'is_synthetic',
] %}

with

comparison as (

    select * from {{ ref('monthly_coalition_vs_russia') }}

),

final as (

    select
        {%- for column in columns %}
            {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from comparison

)

select * from final
order by month, country_id
