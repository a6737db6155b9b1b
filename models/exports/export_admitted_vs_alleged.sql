-- What each belligerent admitted against what monitors counted: per month, belligerent and
-- country scope (syria, iraq, unknown, or all countries together), the civilian deaths the
-- belligerent conceded in its own verdicts beside the alleged and the likely deaths, each
-- for the month and cumulative from the first month in range, and the gaps between them.
-- The figures come from fct_monthly_belligerent_summary; the `all` scope adds up the
-- countries (the summary has every month for every country, so running totals add up too).
-- An incident blamed on several belligerents counts for each.
{%- set measures = [
    'alleged_incidents', 'alleged_killed_min', 'alleged_killed_max',
    'likely_incidents', 'likely_killed_min', 'likely_killed_max',
    'deaths_conceded_min', 'deaths_conceded_max',
    'cumulative_alleged_killed_min', 'cumulative_alleged_killed_max',
    'cumulative_likely_killed_min', 'cumulative_likely_killed_max',
    'cumulative_deaths_conceded_min', 'cumulative_deaths_conceded_max',
] %}

with

summary as (

    select * from {{ ref('fct_monthly_belligerent_summary') }}

),

scoped as (

    -- each country on its own, and all countries together
    select
        month,
        belligerent_id,
        country_id,
        is_within_campaign_period,
        {%- for measure in measures %}
            {{ measure }},
        {%- endfor %}
        is_synthetic
    from summary
    union all
    select
        month,
        belligerent_id,
        'all' as country_id,
        bool_or(is_within_campaign_period) as is_within_campaign_period,
        {%- for measure in measures %}
            cast(sum({{ measure }}) as {{ dbt.type_bigint() }}) as {{ measure }},
        {%- endfor %}
        bool_or(is_synthetic) as is_synthetic
    from summary
    group by month, belligerent_id

),

final as (

    select
        month,
        belligerent_id,
        country_id,
        is_within_campaign_period,
        alleged_incidents,
        alleged_killed_min,
        alleged_killed_max,
        likely_incidents,
        likely_killed_min,
        likely_killed_max,
        deaths_conceded_min,
        deaths_conceded_max,
        alleged_killed_max - deaths_conceded_max as alleged_minus_conceded_max,
        likely_killed_max - deaths_conceded_max as likely_minus_conceded_max,
        cumulative_alleged_killed_min,
        cumulative_alleged_killed_max,
        cumulative_likely_killed_min,
        cumulative_likely_killed_max,
        cumulative_deaths_conceded_min,
        cumulative_deaths_conceded_max,
        cumulative_alleged_killed_max - cumulative_deaths_conceded_max as cumulative_alleged_minus_conceded_max,
        cumulative_likely_killed_max - cumulative_deaths_conceded_max as cumulative_likely_minus_conceded_max,
        is_synthetic
    from scoped

)

select * from final
order by month, belligerent_id, country_id
