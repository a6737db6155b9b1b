-- A suggested grade, with its reason in plain words, for every candidate incident (claims no
-- incident took, grouped), by the same rules as registered incidents (macros/grading.sql).
-- Blame comes from the candidate's claims; declared strikes match as for incidents: the
-- same belligerent, the candidate's governorate, within var civcas_strike_match_window_days
-- of its dates. A candidate has no incident code, so no statement can concede it yet and
-- it is never suggested Confirmed.
{%- set window_days = var('civcas_strike_match_window_days') %}

with

candidates as (

    select * from {{ ref('int_candidate_incidents_summarised') }}

),

grouped_claims as (

    select * from {{ ref('int_candidate_incidents_grouped') }}

),

claims as (

    select * from {{ ref('int_claims_validated') }}
    where not is_quarantined

),

claim_belligerents as (

    select * from {{ ref('int_claim_belligerents_resolved') }}
    where belligerent_id is not null

),

strikes as (

    select * from {{ ref('int_declared_strikes_validated') }}
    where not is_quarantined and resolved_governorate_id is not null

),

candidate_blame as (

    select distinct
        grouped_claims.candidate_incident_id,
        claim_belligerents.belligerent_id
    from grouped_claims
    inner join claims
        on grouped_claims.claim_id = claims.claim_id
    inner join claim_belligerents
        on claims.raw_row_key = claim_belligerents.raw_row_key

),

blame as (

    select
        candidate_incident_id,
        count(distinct case when belligerent_id <> 'unknown' then belligerent_id end) as known_belligerent_count,
        max(case when belligerent_id = 'ground_forces' then 1 else 0 end) = 1 as is_ground_forces_blamed
    from candidate_blame
    group by candidate_incident_id

),

strike_matches as (

    select
        candidate_blame.candidate_incident_id,
        count(strikes.strike_release_id) as declared_strike_releases_nearby,
        cast(coalesce(sum(
            {{ counted_figure('strikes.strike_count', 'strikes.strike_count', 'strikes.strike_count', 'strikes') }}
        ), 0) as {{ dbt.type_bigint() }}) as declared_strikes_nearby
    from candidate_blame
    inner join candidates
        on candidate_blame.candidate_incident_id = candidates.candidate_incident_id
    inner join strikes
        on
            candidate_blame.belligerent_id = strikes.belligerent_id
            and candidates.governorate_id = strikes.resolved_governorate_id
            and strikes.strike_date
            between {{ dbt.dateadd('day', -window_days, 'candidates.incident_date') }}
            and {{ dbt.dateadd('day', window_days, 'candidates.incident_date_last') }}
    group by candidate_blame.candidate_incident_id

),

evidence as (

    select
        candidates.candidate_incident_id,
        candidates.source_count,
        coalesce(blame.known_belligerent_count, 0) as known_belligerent_count,
        coalesce(blame.is_ground_forces_blamed, false) as is_ground_forces_blamed,
        coalesce(strike_matches.declared_strike_releases_nearby, 0) as declared_strike_releases_nearby,
        coalesce(strike_matches.declared_strikes_nearby, 0) as declared_strikes_nearby,
        cast(null as varchar) as conceding_belligerent_id,
        cast(null as varchar) as strike_status_id
    from candidates
    left join blame
        on candidates.candidate_incident_id = blame.candidate_incident_id
    left join strike_matches
        on candidates.candidate_incident_id = strike_matches.candidate_incident_id

),

final as (

    {%- set rule_args = [
        'conceding_belligerent_id', 'known_belligerent_count', 'is_ground_forces_blamed',
        'source_count', 'declared_strike_releases_nearby', 'strike_status_id',
    ] %}

    select
        candidate_incident_id,
        known_belligerent_count,
        is_ground_forces_blamed,
        declared_strike_releases_nearby,
        declared_strikes_nearby,
        {{ suggested_grade_id(*rule_args) }} as suggested_grade_id,
        {{ suggestion_reason(*rule_args) }} as suggestion_reason
    from evidence

)

select * from final
