-- Which month had the most alleged incidents for each side, and how many alleged deaths
-- (sum of minimums to sum of maximums) it had. Compile with `dbt compile`, then run
-- target/compiled/civcas/analyses/record_month_per_side.sql read-only against the analysts'
-- published copy, never the build file: `duckdb -readonly warehouse/published/civcas.duckdb
-- < <that file>` (or archive.duckdb: the compiled SQL names no catalog).
with

monthly as (

    -- all countries together
    select
        belligerent_id,
        month,
        sum(alleged_incidents) as alleged_incidents,
        sum(alleged_killed_min) as alleged_killed_min,
        sum(alleged_killed_max) as alleged_killed_max,
        bool_or(is_synthetic) as is_synthetic
    from {{ ref('fct_monthly_belligerent_summary') }}
    where belligerent_id in ('coalition', 'russia')
    group by belligerent_id, month

),

ranked as (

    select
        belligerent_id,
        month,
        alleged_incidents,
        alleged_killed_min,
        alleged_killed_max,
        is_synthetic,
        row_number() over (
            partition by belligerent_id
            order by alleged_incidents desc, alleged_killed_max desc, month asc
        ) as incident_rank
    from monthly

),

final as (

    select
        belligerent_id,
        month as record_month,
        alleged_incidents,
        alleged_killed_min,
        alleged_killed_max,
        is_synthetic
    from ranked
    where incident_rank = 1

)

select * from final
order by belligerent_id
