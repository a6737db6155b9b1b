-- Monthly figures per belligerent and country, as published: every month in range, zeros
-- where nothing happened. An incident blamed on several belligerents counts for each.
{%- set columns = [
    'month', 'belligerent_id', 'country_id', 'is_within_campaign_period',
    'alleged_incidents', 'alleged_killed_min', 'alleged_killed_max',
    'alleged_injured_min', 'alleged_injured_max', 'alleged_incidents_with_unknown_killed',
    'likely_incidents', 'likely_killed_min', 'likely_killed_max',
    'likely_injured_min', 'likely_injured_max',
    'confirmed_incidents', 'fair_incidents', 'weak_incidents', 'contested_incidents',
    'discounted_incidents', 'ungraded_incidents',
    'suggested_confirmed_incidents', 'suggested_fair_incidents', 'suggested_weak_incidents',
    'suggested_contested_incidents',
    'shared_incidents', 'incidents_with_declared_strike_nearby',
    'deaths_conceded_min', 'deaths_conceded_max', 'contested_share',
    'cumulative_deaths_conceded_min', 'cumulative_deaths_conceded_max',
    'cumulative_likely_killed_min', 'cumulative_likely_killed_max',
    'cumulative_alleged_killed_min', 'cumulative_alleged_killed_max',
    'likely_minus_conceded_max',
    'is_synthetic',
] %}

with

summary as (

    select * from {{ ref('fct_monthly_belligerent_summary') }}

),

final as (

    select
        {%- for column in columns %}
            {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from summary

)

select * from final
order by month, belligerent_id, country_id
