-- One row per month, belligerent and country, for every month of the build's period and
-- every country in scope of the build (macros/release_period.sql), zeros where nothing
-- happened. Counts only incidents where civilian harm was reported. An incident
-- blamed on several belligerents counts for each of them. Totals are sums of minimums and
-- sums of maximums; an unknown figure adds nothing and is counted in *_unknown_killed.
with

incident_belligerents as (

    select * from {{ ref('fct_incident_belligerents') }}
    where is_civilian_harm_reported

),

belligerents as (

    select * from {{ ref('ref_belligerents') }}

),

countries as (

    -- the countries in scope of the build (macros/release_period.sql): a country with an
    -- incident or a claim; incidents whose country could not be resolved count under "unknown"
    {{ countries_in_scope() }}

),

datasets as (

    select * from {{ ref('dim_datasets') }}

),

months as (

    -- the build's period (macros/release_period.sql)
    {{ month_series(release_period_first(), release_period_last()) }}

),

spine as (

    select
        months.month_start as month,
        belligerents.belligerent_id,
        countries.country_id,
        months.month_start >= cast({{ dbt.date_trunc('month', 'belligerents.first_strike_date') }} as date)
            as is_within_campaign_period
    from months
    cross join belligerents
    cross join countries

),

monthly as (

    select
        incident_month as month,
        belligerent_id,
        coalesce(country_id, 'unknown') as country_id,
        count(*) as alleged_incidents,
        sum(civilians_killed_min) as alleged_killed_min,
        sum(civilians_killed_max) as alleged_killed_max,
        sum(civilians_injured_min) as alleged_injured_min,
        sum(civilians_injured_max) as alleged_injured_max,
        sum(case when civilians_killed_min is null and civilians_killed_max is null then 1 else 0 end)
            as alleged_incidents_with_unknown_killed,
        sum(case when is_likely_for_belligerent then 1 else 0 end) as likely_incidents,
        sum(case when is_likely_for_belligerent then civilians_killed_min end) as likely_killed_min,
        sum(case when is_likely_for_belligerent then civilians_killed_max end) as likely_killed_max,
        sum(case when is_likely_for_belligerent then civilians_injured_min end) as likely_injured_min,
        sum(case when is_likely_for_belligerent then civilians_injured_max end) as likely_injured_max,
        {%- for grade in grade_ids() %}
            sum(case when grade_id = '{{ grade }}' then 1 else 0 end) as {{ grade }}_incidents,
        {%- endfor %}
        sum(case when grade_id is null then 1 else 0 end) as ungraded_incidents,
        -- suggestions are counted apart from grades, among the ungraded incidents only
        {%- for grade in suggestable_grade_ids() %}
            sum(case when grade_id is null and suggested_grade_id = '{{ grade }}' then 1 else 0 end)
                as suggested_{{ grade }}_incidents,
        {%- endfor %}
        sum(case when is_shared_with_other_belligerents then 1 else 0 end) as shared_incidents,
        sum(case when declared_strike_releases_nearby > 0 then 1 else 0 end)
            as incidents_with_declared_strike_nearby,
        sum(deaths_conceded_min) as deaths_conceded_min,
        sum(deaths_conceded_max) as deaths_conceded_max
    from incident_belligerents
    group by incident_month, belligerent_id, coalesce(country_id, 'unknown')

),

filled as (

    select
        spine.month,
        spine.belligerent_id,
        spine.country_id,
        spine.is_within_campaign_period,
        {%- for measure in monthly_summary_measures() %}
            cast(coalesce(monthly.{{ measure }}, 0) as {{ dbt.type_bigint() }}) as {{ measure }},
        {%- endfor %}
        case
            when coalesce(monthly.alleged_incidents, 0) > 0
                then cast(monthly.contested_incidents as {{ civcas_type('double') }}) / monthly.alleged_incidents
        end as contested_share
    from spine
    left join monthly
        on
            spine.month = monthly.month
            and spine.belligerent_id = monthly.belligerent_id
            and spine.country_id = monthly.country_id

),

final as (

    select
        filled.*,
        {%- for measure in ['deaths_conceded_min', 'deaths_conceded_max', 'likely_killed_min', 'likely_killed_max', 'alleged_killed_min', 'alleged_killed_max'] %}
            cast(sum(filled.{{ measure }}) over (
                partition by filled.belligerent_id, filled.country_id
                order by filled.month
                rows between unbounded preceding and current row
            ) as {{ dbt.type_bigint() }}) as cumulative_{{ measure }},
        {%- endfor %}
        -- The gap between what the belligerent admitted and what monitors judged likely.
        filled.likely_killed_max - filled.deaths_conceded_max as likely_minus_conceded_max,
        datasets.is_synthetic
    from filled
    cross join datasets

)

select * from final
order by month, belligerent_id, country_id
