-- What share of each belligerent's alleged incidents is contested (responsibility disputed:
-- several belligerents blamed, or ground forces may be responsible)? Counted over every
-- alleged incident (civilian harm reported), all countries and months together; an incident
-- blamed on several belligerents counts for each. Ungraded incidents are counted apart and
-- left out of the share of graded incidents. Compile with `dbt compile`, then run
-- target/compiled/civcas/analyses/share_contested_per_belligerent.sql read-only against the analysts'
-- published copy, never the build file: `duckdb -readonly warehouse/published/civcas.duckdb
-- < <that file>` (or archive.duckdb: the compiled SQL names no catalog).
with

incident_belligerents as (

    select * from {{ ref('fct_incident_belligerents') }}
    where is_civilian_harm_reported

),

counted as (

    select
        belligerent_id,
        count(*) as alleged_incidents,
        cast(sum(case when is_graded then 1 else 0 end) as {{ dbt.type_bigint() }}) as graded_incidents,
        cast(sum(case when grade_id is null then 1 else 0 end) as {{ dbt.type_bigint() }}) as ungraded_incidents,
        cast(sum(case when grade_id = 'contested' then 1 else 0 end) as {{ dbt.type_bigint() }}) as contested_incidents,
        cast(
            sum(case when grade_id = 'contested' and is_shared_with_other_belligerents then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as contested_and_shared_incidents,
        bool_or(is_synthetic) as is_synthetic
    from incident_belligerents
    group by belligerent_id

),

final as (

    select
        belligerent_id,
        alleged_incidents,
        graded_incidents,
        ungraded_incidents,
        contested_incidents,
        contested_and_shared_incidents,
        cast(contested_incidents as double) / alleged_incidents as contested_share_of_alleged,
        case
            when graded_incidents > 0 then cast(contested_incidents as double) / graded_incidents
        end as contested_share_of_graded,
        is_synthetic
    from counted

)

select * from final
order by contested_share_of_alleged desc, belligerent_id asc
