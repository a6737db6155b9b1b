-- One row per candidate incident (claims that no incident took, grouped): what its claims
-- say, summarised the way fct_incidents summarises registered incidents.
with

candidates as (

    select * from {{ ref('int_candidate_incidents_grouped') }}

),

claims as (

    select * from {{ ref('int_claims_validated') }}
    where not is_quarantined

),

sources as (

    select * from {{ ref('int_sources_validated') }}
    where not is_quarantined

),

candidate_belligerents as (

    select * from {{ ref('int_candidate_belligerents_resolved') }}

),

candidate_claims as (

    select
        candidates.candidate_incident_id,
        claims.claim_id,
        claims.incident_date,
        claims.incident_date_last,
        claims.date_reported,
        claims.resolved_governorate_id,
        claims.resolved_country_id,
        sources.canonical_source_key,
        -- a figure above the review ceiling counts as unknown until reviewed
        coalesce(
            {{ counted_figure('claims.civilians_killed_min', 'claims.civilians_killed_min', 'claims.civilians_killed_max', 'people') }},
            {{ counted_figure('claims.civilians_killed_max', 'claims.civilians_killed_min', 'claims.civilians_killed_max', 'people') }}
        ) as killed_low,
        coalesce(
            {{ counted_figure('claims.civilians_killed_max', 'claims.civilians_killed_min', 'claims.civilians_killed_max', 'people') }},
            {{ counted_figure('claims.civilians_killed_min', 'claims.civilians_killed_min', 'claims.civilians_killed_max', 'people') }}
        ) as killed_high,
        claims.needs_review,
        claims.review_reasons
    from candidates
    inner join claims
        on candidates.claim_id = claims.claim_id
    left join sources
        on claims.source_id = sources.source_id

),

blame as (

    select
        candidate_incident_id,
        {{ sorted_id_list('belligerent_id') }} as belligerent_ids
    from candidate_belligerents
    group by candidate_incident_id

),

summarised as (

    select
        candidate_incident_id,
        count(*) as claim_count,
        count(distinct canonical_source_key) as source_count,
        min(incident_date) as incident_date,
        max(incident_date_last) as incident_date_last,
        min(date_reported) as first_reported_on,
        min(resolved_governorate_id) as governorate_id,
        min(resolved_country_id) as country_id,
        min(killed_low) as civilians_killed_min,
        max(killed_high) as civilians_killed_max,
        sum(case when needs_review then 1 else 0 end) > 0 as needs_review,
        {{ dbt.listagg("case when needs_review then 'claim ' || claim_id || ': ' || review_reasons end", "'; '", 'order by claim_id') }}
            as review_reasons
    from candidate_claims
    group by candidate_incident_id

),

final as (

    select
        summarised.*,
        coalesce(blame.belligerent_ids, {{ single_item_set("'unknown'") }}) as belligerent_ids
    from summarised
    left join blame
        on summarised.candidate_incident_id = blame.candidate_incident_id

)

select * from final
