-- How far apart are the deaths each belligerent admitted and the deaths alleged against it,
-- year by year? Per belligerent and year of the incidents (all countries together): alleged
-- and likely deaths (sums of minimums and of maximums), the deaths the belligerent conceded in
-- its own verdicts, and the gaps (maximum minus conceded maximum), for the year and
-- cumulative to the year's last month. Belligerents with no alleged incident, and years
-- before a belligerent's first strike, are left out.
-- From exports.export_admitted_vs_alleged, the release file of the same figures. Compile with `dbt compile`, then run
-- target/compiled/civcas/analyses/admitted_vs_alleged_gap.sql read-only against the analysts'
-- published copy, never the build file: `duckdb -readonly warehouse/published/civcas.duckdb
-- < <that file>` (or archive.duckdb: the compiled SQL names no catalog).
with

admitted as (

    select * from {{ ref('export_admitted_vs_alleged') }}
    where country_id = 'all'

),

belligerents_alleged as (

    select belligerent_id
    from admitted
    group by belligerent_id
    having sum(alleged_incidents) > 0

),

yearly as (

    select
        admitted.belligerent_id,
        extract(year from admitted.month) as incident_year,
        max(admitted.month) as last_month,
        cast(sum(admitted.alleged_incidents) as {{ dbt.type_bigint() }}) as alleged_incidents,
        cast(sum(admitted.alleged_killed_min) as {{ dbt.type_bigint() }}) as alleged_killed_min,
        cast(sum(admitted.alleged_killed_max) as {{ dbt.type_bigint() }}) as alleged_killed_max,
        cast(sum(admitted.likely_killed_min) as {{ dbt.type_bigint() }}) as likely_killed_min,
        cast(sum(admitted.likely_killed_max) as {{ dbt.type_bigint() }}) as likely_killed_max,
        cast(sum(admitted.deaths_conceded_min) as {{ dbt.type_bigint() }}) as deaths_conceded_min,
        cast(sum(admitted.deaths_conceded_max) as {{ dbt.type_bigint() }}) as deaths_conceded_max,
        bool_or(admitted.is_synthetic) as is_synthetic
    from admitted
    inner join belligerents_alleged
        on admitted.belligerent_id = belligerents_alleged.belligerent_id
    group by admitted.belligerent_id, extract(year from admitted.month)
    having bool_or(admitted.is_within_campaign_period)

),

final as (

    select
        yearly.belligerent_id,
        yearly.incident_year,
        yearly.alleged_incidents,
        yearly.alleged_killed_min,
        yearly.alleged_killed_max,
        yearly.likely_killed_min,
        yearly.likely_killed_max,
        yearly.deaths_conceded_min,
        yearly.deaths_conceded_max,
        yearly.alleged_killed_max - yearly.deaths_conceded_max as alleged_minus_conceded_max,
        yearly.likely_killed_max - yearly.deaths_conceded_max as likely_minus_conceded_max,
        year_end.cumulative_deaths_conceded_max,
        year_end.cumulative_alleged_minus_conceded_max,
        year_end.cumulative_likely_minus_conceded_max,
        yearly.is_synthetic
    from yearly
    inner join admitted as year_end
        on
            yearly.belligerent_id = year_end.belligerent_id
            and yearly.last_month = year_end.month

)

select * from final
order by belligerent_id, incident_year
