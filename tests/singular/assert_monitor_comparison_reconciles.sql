-- The monitor comparison reconciles with its inputs, month by month:
-- * the warehouse's side per belligerent equals fct_monthly_belligerent_summary for Syria,
--   and for all actors equals fct_incidents in Syria where civilian harm was reported;
-- * UCDP's side equals the clean UCDP events of the month (int_ucdp_events_attributed):
--   all of them for all_actors, those attributed to the side otherwise;
-- * the governorate comparison partitions the all_actors row: its governorates (unknown
--   among them) add up to it on both monitors' figures, so no adm_1 is lost.
-- Returns every month and side (or check) that differs.
with

comparison as (

    select * from {{ ref('fct_monthly_monitor_comparison') }}

),

governorate_comparison as (

    select * from {{ ref('fct_monthly_governorate_comparison') }}

),

belligerent_months as (

    select * from {{ ref('fct_monthly_belligerent_summary') }}
    where country_id = 'syria'

),

incidents as (

    select * from {{ ref('fct_incidents') }}
    where country_id = 'syria' and is_civilian_harm_reported

),

ucdp_events as (

    select * from {{ ref('int_ucdp_events_attributed') }}

),

expected_warehouse as (

    select
        month,
        belligerent_id as side,
        alleged_incidents as incidents,
        alleged_killed_min as killed_min,
        alleged_killed_max as killed_max
    from belligerent_months
    where belligerent_id in ({% for side in ucdp_sides() %}'{{ side }}'{% if not loop.last %}, {% endif %}{% endfor %})
    union all
    select
        belligerent_months.month,
        'all_actors' as side,
        count(incidents.incident_code) as incidents,
        coalesce(sum(incidents.civilians_killed_min), 0) as killed_min,
        coalesce(sum(incidents.civilians_killed_max), 0) as killed_max
    from (select distinct month from belligerent_months) as belligerent_months
    left join incidents
        on belligerent_months.month = incidents.incident_month
    group by belligerent_months.month

),

expected_ucdp as (

    {%- for side in ucdp_sides() + ['all_actors'] %}
        select
            months.month,
            '{{ side }}' as side,
            count(ucdp_events.event_id) as events,
            coalesce(sum(ucdp_events.deaths_civilians), 0) as civilian_deaths,
            coalesce(sum(ucdp_events.deaths_best), 0) as best_deaths
        from (select distinct month from comparison) as months
        left join ucdp_events
            on
                months.month = ucdp_events.event_month
                {%- if side != 'all_actors' %}
                    and ucdp_events.is_attributed_to_{{ side }}
                {%- endif %}
        group by months.month
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

governorate_totals as (

    select
        month,
        sum(airwars_incidents) as airwars_incidents,
        sum(airwars_killed_min) as airwars_killed_min,
        sum(airwars_killed_max) as airwars_killed_max,
        sum(ucdp_events) as ucdp_events,
        sum(ucdp_civilian_deaths) as ucdp_civilian_deaths
    from governorate_comparison
    group by month

),

differences as (

    select
        comparison.month,
        comparison.side,
        'warehouse' as checked_figures
    from comparison
    left join expected_warehouse
        on comparison.month = expected_warehouse.month and comparison.side = expected_warehouse.side
    where
        expected_warehouse.month is null
        or comparison.airwars_incidents <> expected_warehouse.incidents
        or comparison.airwars_killed_min <> expected_warehouse.killed_min
        or comparison.airwars_killed_max <> expected_warehouse.killed_max
    union all
    select
        comparison.month,
        comparison.side,
        'ucdp' as checked_figures
    from comparison
    left join expected_ucdp
        on comparison.month = expected_ucdp.month and comparison.side = expected_ucdp.side
    where
        expected_ucdp.month is null
        or comparison.ucdp_events <> expected_ucdp.events
        or comparison.ucdp_civilian_deaths <> expected_ucdp.civilian_deaths
        or comparison.ucdp_best_deaths <> expected_ucdp.best_deaths
    union all
    select
        comparison.month,
        comparison.side,
        'governorates' as checked_figures
    from comparison
    left join governorate_totals
        on comparison.month = governorate_totals.month
    where
        comparison.side = 'all_actors'
        and (
            governorate_totals.month is null
            or comparison.airwars_incidents <> governorate_totals.airwars_incidents
            or comparison.airwars_killed_min <> governorate_totals.airwars_killed_min
            or comparison.airwars_killed_max <> governorate_totals.airwars_killed_max
            or comparison.ucdp_events <> governorate_totals.ucdp_events
            or comparison.ucdp_civilian_deaths <> governorate_totals.ucdp_civilian_deaths
        )

)

select * from differences
