-- One row per month and belligerent, for every month in range, zeros where nothing
-- happened. Counts only incidents where civilian harm was reported. An incident blamed
-- on several belligerents counts for each of them. Totals are sums of minimums and sums
-- of maximums; an unknown figure adds nothing and is counted in *_unknown_killed.
with

incident_belligerents as (

    select * from {{ ref('fct_incident_belligerents') }}
    where is_civilian_harm_reported

),

belligerents as (

    select * from {{ ref('ref_belligerents') }}

),

datasets as (

    select * from {{ ref('dim_datasets') }}

),

months as (

    {{ month_series(
        "cast('" ~ var('civcas_first_month') ~ "' as date)",
        ("cast('" ~ var('civcas_last_month') ~ "' as date)") if var('civcas_last_month')
        else "(select max(incident_month) from " ~ ref('fct_incidents') ~ ")"
    ) }}

),

spine as (

    select
        months.month_start,
        belligerents.belligerent_id,
        months.month_start >= cast({{ dbt.date_trunc('month', 'belligerents.first_strike_date') }} as date)
            as is_within_campaign_period
    from months
    cross join belligerents

),

monthly as (

    select
        incident_month as month_start,
        belligerent_id,
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
        sum(case when is_shared_with_other_belligerents then 1 else 0 end) as shared_incidents,
        sum(case when declared_strike_releases_nearby > 0 then 1 else 0 end)
            as incidents_with_declared_strike_nearby,
        sum(deaths_conceded_min) as deaths_conceded_min,
        sum(deaths_conceded_max) as deaths_conceded_max
    from incident_belligerents
    group by incident_month, belligerent_id

),

final as (

    select
        spine.month_start,
        spine.belligerent_id,
        spine.is_within_campaign_period,
        cast(coalesce(monthly.alleged_incidents, 0) as {{ dbt.type_bigint() }}) as alleged_incidents,
        cast(coalesce(monthly.alleged_killed_min, 0) as {{ dbt.type_bigint() }}) as alleged_killed_min,
        cast(coalesce(monthly.alleged_killed_max, 0) as {{ dbt.type_bigint() }}) as alleged_killed_max,
        cast(coalesce(monthly.alleged_injured_min, 0) as {{ dbt.type_bigint() }}) as alleged_injured_min,
        cast(coalesce(monthly.alleged_injured_max, 0) as {{ dbt.type_bigint() }}) as alleged_injured_max,
        cast(coalesce(monthly.alleged_incidents_with_unknown_killed, 0) as {{ dbt.type_bigint() }}) as alleged_incidents_with_unknown_killed,
        cast(coalesce(monthly.likely_incidents, 0) as {{ dbt.type_bigint() }}) as likely_incidents,
        cast(coalesce(monthly.likely_killed_min, 0) as {{ dbt.type_bigint() }}) as likely_killed_min,
        cast(coalesce(monthly.likely_killed_max, 0) as {{ dbt.type_bigint() }}) as likely_killed_max,
        cast(coalesce(monthly.likely_injured_min, 0) as {{ dbt.type_bigint() }}) as likely_injured_min,
        cast(coalesce(monthly.likely_injured_max, 0) as {{ dbt.type_bigint() }}) as likely_injured_max,
        {%- for grade in grade_ids() %}
            cast(coalesce(monthly.{{ grade }}_incidents, 0) as {{ dbt.type_bigint() }}) as {{ grade }}_incidents,
        {%- endfor %}
        cast(coalesce(monthly.ungraded_incidents, 0) as {{ dbt.type_bigint() }}) as ungraded_incidents,
        case
            when coalesce(monthly.alleged_incidents, 0) > 0
                then cast(monthly.contested_incidents as double) / monthly.alleged_incidents
        end as contested_share,
        cast(coalesce(monthly.shared_incidents, 0) as {{ dbt.type_bigint() }}) as shared_incidents,
        cast(coalesce(monthly.incidents_with_declared_strike_nearby, 0) as {{ dbt.type_bigint() }}) as incidents_with_declared_strike_nearby,
        cast(coalesce(monthly.deaths_conceded_min, 0) as {{ dbt.type_bigint() }}) as deaths_conceded_min,
        cast(coalesce(monthly.deaths_conceded_max, 0) as {{ dbt.type_bigint() }}) as deaths_conceded_max,
        datasets.is_synthetic
    from spine
    left join monthly
        on
            spine.month_start = monthly.month_start
            and spine.belligerent_id = monthly.belligerent_id
    cross join datasets

)

select * from final
order by month_start, belligerent_id
