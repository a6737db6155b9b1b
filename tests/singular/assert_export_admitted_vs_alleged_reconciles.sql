-- export_admitted_vs_alleged adds up: for every belligerent and country scope, each
-- cumulative column equals the sum of its monthly column up to that month; the scope `all`
-- equals the sum of the countries; the gaps are the differences they claim to be; and the
-- last month's cumulative conceded and alleged deaths equal those summed from the incidents
-- themselves (fct_incident_belligerents, civilian harm reported, months in the build's period:
-- macros/release_period.sql).
{%- set running = [
    ('cumulative_alleged_killed_min', 'alleged_killed_min'),
    ('cumulative_alleged_killed_max', 'alleged_killed_max'),
    ('cumulative_likely_killed_min', 'likely_killed_min'),
    ('cumulative_likely_killed_max', 'likely_killed_max'),
    ('cumulative_deaths_conceded_min', 'deaths_conceded_min'),
    ('cumulative_deaths_conceded_max', 'deaths_conceded_max'),
] %}

with

admitted as (

    select * from {{ ref('export_admitted_vs_alleged') }}

),

incident_belligerents as (

    select * from {{ ref('fct_incident_belligerents') }}
    where is_civilian_harm_reported

),

months_in_range as (

    -- the build's period (macros/release_period.sql)
    select
        {{ release_period_first() }} as first_month,
        {{ release_period_last() }} as last_month

),

recomputed as (

    select
        month,
        belligerent_id,
        country_id,
        {%- for cumulative, monthly in running %}
            {{ cumulative }},
            sum({{ monthly }}) over (
                partition by belligerent_id, country_id
                order by month
                rows between unbounded preceding and current row
            ) as recomputed_{{ cumulative }},
        {%- endfor %}
        alleged_minus_conceded_max,
        alleged_killed_max - deaths_conceded_max as recomputed_alleged_minus_conceded_max,
        likely_minus_conceded_max,
        likely_killed_max - deaths_conceded_max as recomputed_likely_minus_conceded_max,
        cumulative_alleged_minus_conceded_max,
        cumulative_alleged_killed_max - cumulative_deaths_conceded_max
            as recomputed_cumulative_alleged_minus_conceded_max,
        cumulative_likely_minus_conceded_max,
        cumulative_likely_killed_max - cumulative_deaths_conceded_max
            as recomputed_cumulative_likely_minus_conceded_max
    from admitted

),

running_mismatches as (

    select
        'running total or gap does not add up' as problem,
        month,
        belligerent_id,
        country_id
    from recomputed
    where
        {%- for cumulative, monthly in running %}
            {{ cumulative }} <> recomputed_{{ cumulative }} or
        {%- endfor %}
        alleged_minus_conceded_max <> recomputed_alleged_minus_conceded_max
        or likely_minus_conceded_max <> recomputed_likely_minus_conceded_max
        or cumulative_alleged_minus_conceded_max <> recomputed_cumulative_alleged_minus_conceded_max
        or cumulative_likely_minus_conceded_max <> recomputed_cumulative_likely_minus_conceded_max

),

all_scope as (

    select * from admitted
    where country_id = 'all'

),

countries_summed as (

    select
        month,
        belligerent_id,
        {%- for cumulative, monthly in running %}
            sum({{ monthly }}) as {{ monthly }},
            sum({{ cumulative }}) as {{ cumulative }},
        {%- endfor %}
        sum(alleged_incidents) as alleged_incidents,
        sum(likely_incidents) as likely_incidents
    from admitted
    where country_id <> 'all'
    group by month, belligerent_id

),

scope_mismatches as (

    select
        'scope all is not the sum of the countries' as problem,
        coalesce(all_scope.month, countries_summed.month) as month,
        coalesce(all_scope.belligerent_id, countries_summed.belligerent_id) as belligerent_id,
        'all' as country_id
    from all_scope
    full outer join countries_summed
        on
            all_scope.month = countries_summed.month
            and all_scope.belligerent_id = countries_summed.belligerent_id
    where
        all_scope.month is null
        or countries_summed.month is null
        or all_scope.alleged_incidents <> countries_summed.alleged_incidents
        or all_scope.likely_incidents <> countries_summed.likely_incidents
        {%- for cumulative, monthly in running %}
            or all_scope.{{ monthly }} <> countries_summed.{{ monthly }}
            or all_scope.{{ cumulative }} <> countries_summed.{{ cumulative }}
        {%- endfor %}

),

from_incidents as (

    select
        incident_belligerents.belligerent_id,
        coalesce(sum(incident_belligerents.deaths_conceded_min), 0) as deaths_conceded_min,
        coalesce(sum(incident_belligerents.deaths_conceded_max), 0) as deaths_conceded_max,
        coalesce(sum(incident_belligerents.civilians_killed_min), 0) as alleged_killed_min,
        coalesce(sum(incident_belligerents.civilians_killed_max), 0) as alleged_killed_max
    from incident_belligerents
    where {{ in_release_period('incident_belligerents.incident_month') }}
    group by incident_belligerents.belligerent_id

),

final_totals as (

    select admitted.*
    from admitted
    inner join months_in_range
        on admitted.month = months_in_range.last_month
    where admitted.country_id = 'all'

),

total_mismatches as (

    select
        'last cumulative differs from the incidents' as problem,
        months_in_range.last_month as month,
        coalesce(final_totals.belligerent_id, from_incidents.belligerent_id) as belligerent_id,
        'all' as country_id
    from final_totals
    full outer join from_incidents
        on final_totals.belligerent_id = from_incidents.belligerent_id
    cross join months_in_range
    where
        final_totals.belligerent_id is null
        or final_totals.cumulative_deaths_conceded_min <> coalesce(from_incidents.deaths_conceded_min, 0)
        or final_totals.cumulative_deaths_conceded_max <> coalesce(from_incidents.deaths_conceded_max, 0)
        or final_totals.cumulative_alleged_killed_min <> coalesce(from_incidents.alleged_killed_min, 0)
        or final_totals.cumulative_alleged_killed_max <> coalesce(from_incidents.alleged_killed_max, 0)

)

select * from running_mismatches
union all
select * from scope_mismatches
union all
select * from total_mismatches
