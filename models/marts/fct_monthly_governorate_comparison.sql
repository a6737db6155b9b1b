-- All-actor civilian deaths by month and Syrian governorate, from two independent monitors:
-- the warehouse's incidents in Syria where civilian harm was reported (fct_incidents, against
-- anyone; summed min and max) beside UCDP's civilian deaths per adm_1, mapped onto the
-- warehouse's governorates through seeds/reference/ref_ucdp_governorates.csv. Grain: one
-- row per month and governorate_id, every Syrian governorate of ref_governorates and
-- 'unknown': the warehouse's incidents without a governorate, and the UCDP events whose adm_1
-- is empty or not mapped (counted apart, so nothing is lost). Months: the build's period
-- (fct_monthly_belligerent_summary's).
with

incidents as (

    select * from {{ ref('fct_incidents') }}
    where country_id = 'syria' and is_civilian_harm_reported

),

ucdp_events as (

    select * from {{ ref('int_ucdp_events_attributed') }}

),

governorates as (

    select * from {{ ref('ref_governorates') }}

),

datasets as (

    select * from {{ ref('dim_datasets') }}

),

months as (

    select distinct month from {{ ref('fct_monthly_belligerent_summary') }}

),

syrian_governorates as (

    select
        governorate_id,
        governorate_name
    from governorates
    where country_id = 'syria'
    union all
    select
        'unknown' as governorate_id,
        'Unknown or not mapped' as governorate_name

),

ucdp_coverage as (

    select
        min(event_month) as first_month,
        max(event_month) as last_month
    from ucdp_events

),

warehouse as (

    select
        incidents.incident_month as month,
        coalesce(syrian_governorates.governorate_id, 'unknown') as governorate_id,
        count(*) as incidents,
        sum(incidents.civilians_killed_min) as killed_min,
        sum(incidents.civilians_killed_max) as killed_max
    from incidents
    left join syrian_governorates
        on incidents.governorate_id = syrian_governorates.governorate_id
    group by incidents.incident_month, coalesce(syrian_governorates.governorate_id, 'unknown')

),

ucdp as (

    select
        ucdp_events.event_month as month,
        coalesce(syrian_governorates.governorate_id, 'unknown') as governorate_id,
        count(*) as events,
        sum(ucdp_events.deaths_civilians) as civilian_deaths,
        sum(ucdp_events.deaths_best) as best_deaths,
        sum(case when ucdp_events.adm_1 is null then 1 else 0 end) as events_without_adm_1,
        sum(case when ucdp_events.adm_1 is not null and syrian_governorates.governorate_id is null then 1 else 0 end)
            as events_with_unmapped_adm_1
    from ucdp_events
    left join syrian_governorates
        on ucdp_events.governorate_id = syrian_governorates.governorate_id
    group by ucdp_events.event_month, coalesce(syrian_governorates.governorate_id, 'unknown')

),

joined as (

    select
        months.month,
        syrian_governorates.governorate_id,
        syrian_governorates.governorate_name,
        cast(coalesce(warehouse.incidents, 0) as {{ civcas_type('integer') }}) as airwars_incidents,
        cast(coalesce(warehouse.killed_min, 0) as {{ civcas_type('integer') }}) as airwars_killed_min,
        cast(coalesce(warehouse.killed_max, 0) as {{ civcas_type('integer') }}) as airwars_killed_max,
        cast(coalesce(ucdp.events, 0) as {{ civcas_type('integer') }}) as ucdp_events,
        cast(coalesce(ucdp.civilian_deaths, 0) as {{ civcas_type('integer') }}) as ucdp_civilian_deaths,
        cast(coalesce(ucdp.best_deaths, 0) as {{ civcas_type('integer') }}) as ucdp_best_deaths,
        cast(coalesce(ucdp.events_without_adm_1, 0) as {{ civcas_type('integer') }}) as ucdp_events_without_adm_1,
        cast(coalesce(ucdp.events_with_unmapped_adm_1, 0) as {{ civcas_type('integer') }})
            as ucdp_events_with_unmapped_adm_1,
        coalesce(months.month between ucdp_coverage.first_month and ucdp_coverage.last_month, false)
            as is_ucdp_covered
    from months
    cross join syrian_governorates
    cross join ucdp_coverage
    left join warehouse
        on months.month = warehouse.month and syrian_governorates.governorate_id = warehouse.governorate_id
    left join ucdp
        on months.month = ucdp.month and syrian_governorates.governorate_id = ucdp.governorate_id

),

final as (

    select
        joined.month,
        joined.governorate_id,
        joined.governorate_name,
        joined.airwars_incidents,
        joined.airwars_killed_min,
        joined.airwars_killed_max,
        joined.ucdp_events,
        joined.ucdp_civilian_deaths,
        joined.ucdp_best_deaths,
        joined.ucdp_events_without_adm_1,
        joined.ucdp_events_with_unmapped_adm_1,
        case
            when joined.ucdp_civilian_deaths > 0
                then cast(joined.airwars_killed_min as {{ civcas_type('double') }}) / joined.ucdp_civilian_deaths
        end as killed_min_to_ucdp_ratio,
        case
            when joined.ucdp_civilian_deaths > 0
                then cast(joined.airwars_killed_max as {{ civcas_type('double') }}) / joined.ucdp_civilian_deaths
        end as killed_max_to_ucdp_ratio,
        joined.is_ucdp_covered,
        datasets.is_synthetic
    from joined
    cross join datasets

)

select * from final
order by month, governorate_id
