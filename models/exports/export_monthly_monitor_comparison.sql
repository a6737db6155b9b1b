-- The release file monthly_monitor_comparison: the warehouse's monthly alleged civilian-harm
-- incidents and deaths in Syria beside UCDP GED's events and civilian deaths, per side
-- ('coalition', 'russia', 'all_actors'). Grain: one row per month and side. The columns are
-- the interface agreed with the charts (README, "A second monitor: UCDP GED").
{%- set columns = [
    'month', 'side',
    'airwars_incidents', 'airwars_killed_min', 'airwars_killed_max',
    'ucdp_events', 'ucdp_civilian_deaths', 'ucdp_best_deaths',
    'killed_min_to_ucdp_ratio', 'killed_max_to_ucdp_ratio', 'incidents_to_events_ratio',
    'is_ucdp_covered', 'is_synthetic',
] %}

with

comparison as (

    select * from {{ ref('fct_monthly_monitor_comparison') }}

),

final as (

    select
        {%- for column in columns %}
            {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from comparison

)

select * from final
order by month, side
