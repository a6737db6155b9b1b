-- One row: the dbt invocation that built this warehouse, the vars it was given on its command
-- line and the period its monthly marts and exports cover (macros/release_period.sql). civcas
-- release checks that its dbt run results are of this very invocation, and states these vars
-- and this period, so a release never describes another command than the one that built it.
with

incidents as (

    select * from {{ ref('fct_incidents') }}

),

final as (

    select
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as invocation_id,
        cast('{{ dbt_version }}' as {{ dbt.type_string() }}) as dbt_version,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }}) as build_started_at,
        cast('{{ command_line_vars_json() | replace("'", "''") }}' as {{ dbt.type_string() }}) as command_line_vars,
        {{ release_period_first() }} as first_month,
        {{ release_period_last() }} as last_month,
        cast(min(incidents.incident_month) as date) as first_incident_month,
        cast(max(incidents.incident_month) as date) as last_incident_month
    from incidents

)

select * from final
