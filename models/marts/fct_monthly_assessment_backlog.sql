-- What waits for an assessor, per month (of the incident) and belligerent: how many
-- incidents, how many deaths they allege, and how long they have waited. Read per
-- belligerent, it shows what pausing that belligerent's assessments leaves unassessed.
-- An incident blamed on several belligerents counts for each of them.
with

backlog as (

    select * from {{ ref('fct_assessment_backlog') }}

),

blamed as (

    select
        backlog_incident_id,
        incident_kind,
        incident_month,
        civilians_killed_min,
        civilians_killed_max,
        days_waiting,
        is_synthetic,
        {{ list_to_rows("coalesce(belligerent_ids, " ~ single_item_set("'unknown'") ~ ")") }} as belligerent_id
    from backlog

),

final as (

    select
        incident_month as month,
        belligerent_id,
        count(*) as waiting_incidents,
        cast(sum(case when incident_kind = 'registered' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as waiting_registered_incidents,
        cast(sum(case when incident_kind = 'candidate' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as waiting_candidate_incidents,
        cast(coalesce(sum(civilians_killed_min), 0) as {{ dbt.type_bigint() }}) as alleged_killed_min,
        cast(coalesce(sum(civilians_killed_max), 0) as {{ dbt.type_bigint() }}) as alleged_killed_max,
        max(days_waiting) as max_days_waiting,
        cast(avg(days_waiting) as {{ civcas_type('double') }}) as mean_days_waiting,
        bool_or(is_synthetic) as is_synthetic
    from blamed
    group by incident_month, belligerent_id

)

select * from final
order by month, belligerent_id
