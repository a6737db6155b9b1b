-- Two independent monitors side by side: one row per month and side ('coalition', 'russia',
-- 'all_actors'). The warehouse's side is read from its own marts, never counted again: per
-- side, fct_monthly_belligerent_summary for Syria (alleged civilian-harm incidents, an
-- incident blamed on both sides counting for each); for all actors, fct_incidents in Syria
-- where civilian harm was reported. UCDP's side is its GED events attributed by headline
-- (int_ucdp_events_attributed; every event for all actors), bucketed by date_start. Months:
-- fct_monthly_belligerent_summary's, the build's period.
with

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

datasets as (

    select * from {{ ref('dim_datasets') }}

),

months as (

    select distinct month from belligerent_months

),

sides as (

    {%- for side in ucdp_sides() %}
        select '{{ side }}' as side
        union all
    {%- endfor %}
    select 'all_actors' as side

),

ucdp_coverage as (

    select
        min(event_month) as first_month,
        max(event_month) as last_month
    from ucdp_events

),

warehouse as (

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
        incident_month as month,
        'all_actors' as side,
        count(*) as incidents,
        sum(civilians_killed_min) as killed_min,
        sum(civilians_killed_max) as killed_max
    from incidents
    group by incident_month

),

ucdp as (

    {%- for side in ucdp_sides() + ['all_actors'] %}
        select
            event_month as month,
            '{{ side }}' as side,
            count(*) as events,
            sum(deaths_civilians) as civilian_deaths,
            sum(deaths_best) as best_deaths,
            sum(deaths_low) as low_deaths,
            sum(deaths_high) as high_deaths,
            sum(case when is_airwars_source then 1 else 0 end) as airwars_sourced_events
        from ucdp_events
        {%- if side != 'all_actors' %}
            where is_attributed_to_{{ side }}
        {%- endif %}
        group by event_month
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

joined as (

    select
        months.month,
        sides.side,
        cast(coalesce(warehouse.incidents, 0) as {{ civcas_type('integer') }}) as airwars_incidents,
        cast(coalesce(warehouse.killed_min, 0) as {{ civcas_type('integer') }}) as airwars_killed_min,
        cast(coalesce(warehouse.killed_max, 0) as {{ civcas_type('integer') }}) as airwars_killed_max,
        cast(coalesce(ucdp.events, 0) as {{ civcas_type('integer') }}) as ucdp_events,
        cast(coalesce(ucdp.civilian_deaths, 0) as {{ civcas_type('integer') }}) as ucdp_civilian_deaths,
        cast(coalesce(ucdp.best_deaths, 0) as {{ civcas_type('integer') }}) as ucdp_best_deaths,
        cast(coalesce(ucdp.low_deaths, 0) as {{ civcas_type('integer') }}) as ucdp_low_deaths,
        cast(coalesce(ucdp.high_deaths, 0) as {{ civcas_type('integer') }}) as ucdp_high_deaths,
        cast(coalesce(ucdp.airwars_sourced_events, 0) as {{ civcas_type('integer') }}) as ucdp_airwars_sourced_events,
        coalesce(months.month between ucdp_coverage.first_month and ucdp_coverage.last_month, false)
            as is_ucdp_covered
    from months
    cross join sides
    cross join ucdp_coverage
    left join warehouse
        on months.month = warehouse.month and sides.side = warehouse.side
    left join ucdp
        on months.month = ucdp.month and sides.side = ucdp.side

),

final as (

    select
        joined.month,
        joined.side,
        joined.airwars_incidents,
        joined.airwars_killed_min,
        joined.airwars_killed_max,
        joined.ucdp_events,
        joined.ucdp_civilian_deaths,
        joined.ucdp_best_deaths,
        case
            when joined.ucdp_civilian_deaths > 0
                then cast(joined.airwars_killed_min as {{ civcas_type('double') }}) / joined.ucdp_civilian_deaths
        end as killed_min_to_ucdp_ratio,
        case
            when joined.ucdp_civilian_deaths > 0
                then cast(joined.airwars_killed_max as {{ civcas_type('double') }}) / joined.ucdp_civilian_deaths
        end as killed_max_to_ucdp_ratio,
        case
            when joined.ucdp_events > 0
                then cast(joined.airwars_incidents as {{ civcas_type('double') }}) / joined.ucdp_events
        end as incidents_to_events_ratio,
        joined.is_ucdp_covered,
        datasets.is_synthetic,
        joined.ucdp_low_deaths,
        joined.ucdp_high_deaths,
        joined.ucdp_airwars_sourced_events
    from joined
    cross join datasets

)

select * from final
order by month, side
