-- The evidence around each clean incident, summarised once for fct_incidents and for the
-- suggested grades: who is blamed, what the belligerents said, and the declared strikes
-- nearby.
with

incidents as (

    select * from {{ ref('int_incidents_validated') }}
    where not is_quarantined

),

incident_belligerents as (

    select * from {{ ref('int_incident_belligerents_combined') }}

),

statements as (

    select * from {{ ref('int_belligerent_statements_selected') }}

),

strike_matches as (

    select * from {{ ref('int_declared_strikes_matched') }}

),

blame as (

    select
        incident_code,
        count(*) as blamed_belligerent_count,
        count(distinct case when belligerent_id <> 'unknown' then belligerent_id end) as known_belligerent_count,
        max(case when belligerent_id = 'ground_forces' then 1 else 0 end) = 1 as is_ground_forces_blamed,
        {{ sorted_id_list('belligerent_id') }} as belligerent_ids,
        min(attribution_basis) as attribution_basis
    from incident_belligerents
    group by incident_code

),

verdicts as (

    -- Only the coalition publishes verdicts in practice; when several belligerents did,
    -- the latest verdict is shown and each one is in fct_incident_belligerents.
    select
        incident_code,
        {{ value_at_latest('verdict_id', 'statement_date', 'statement_id') }} as belligerent_verdict_id,
        {{ value_at_latest('belligerent_id', 'statement_date', 'statement_id') }} as verdict_belligerent_id,
        cast(sum(deaths_conceded_min) as {{ dbt.type_bigint() }}) as deaths_conceded_min,
        cast(sum(deaths_conceded_max) as {{ dbt.type_bigint() }}) as deaths_conceded_max,
        sum(case when needs_review then 1 else 0 end) as statements_needing_review,
        {{ dbt.listagg("case when needs_review then 'statement ' || statement_id || ': ' || review_reasons end", "'; '", 'order by statement_id') }}
            as statement_review_reasons
    from statements
    group by incident_code

),

conceded as (

    -- a blamed belligerent that accepted the harm (a credible verdict)
    select
        statements.incident_code,
        min(statements.belligerent_id) as conceding_belligerent_id
    from statements
    inner join incident_belligerents
        on
            statements.incident_code = incident_belligerents.incident_code
            and statements.belligerent_id = incident_belligerents.belligerent_id
    where statements.verdict_id = 'credible'
    group by statements.incident_code

),

strikes as (

    select
        incident_code,
        cast(sum(matched_strike_releases) as {{ dbt.type_bigint() }}) as declared_strike_releases_nearby,
        cast(sum(matched_strike_count) as {{ dbt.type_bigint() }}) as declared_strikes_nearby
    from strike_matches
    group by incident_code

),

final as (

    select
        incidents.incident_code,
        blame.blamed_belligerent_count,
        coalesce(blame.known_belligerent_count, 0) as known_belligerent_count,
        coalesce(blame.is_ground_forces_blamed, false) as is_ground_forces_blamed,
        blame.belligerent_ids,
        blame.attribution_basis,
        verdicts.belligerent_verdict_id,
        verdicts.verdict_belligerent_id,
        verdicts.deaths_conceded_min,
        verdicts.deaths_conceded_max,
        coalesce(verdicts.statements_needing_review, 0) as statements_needing_review,
        verdicts.statement_review_reasons,
        conceded.conceding_belligerent_id,
        coalesce(strikes.declared_strike_releases_nearby, 0) as declared_strike_releases_nearby,
        coalesce(strikes.declared_strikes_nearby, 0) as declared_strikes_nearby
    from incidents
    left join blame
        on incidents.incident_code = blame.incident_code
    left join verdicts
        on incidents.incident_code = verdicts.incident_code
    left join conceded
        on incidents.incident_code = conceded.incident_code
    left join strikes
        on incidents.incident_code = strikes.incident_code

)

select * from final
