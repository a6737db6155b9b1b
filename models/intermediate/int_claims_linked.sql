-- One row per clean claim: the incident it belongs to, and why.
-- A claim an assessor linked stays where the assessor put it. An unlinked claim is scored
-- against the registered incidents it meets in a block (macros/linking.sql: governorate,
-- place, place skeleton or grid cell, on the days a report of the incident may carry) by the
-- trained Fellegi-Sunter model (seeds/reference/ref_linking_levels.csv, made by Splink): it
-- joins the incident with the highest match weight, when its match probability reaches var
-- civcas_link_match_probability. The levels that decided it are kept, in words.
-- Incremental: a run recomputes the claims validated since its last refresh (the registers
-- a claim is matched against are fixed between full recomputes; macros/incremental_refresh.sql).
-- depends_on: {{ ref('int_claims_validated') }}
{{ config(
    materialized=claim_chain_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_claims_validated_since_refresh() }}",
) }}

with

-- Each reads int_linking_records itself, with the columns it needs: a CTE read twice is held
-- in memory whole (at 10M claims the 12.5M records were, and ran out of the pool); the
-- incidents' comparison columns are read from the table at each join.
claims as (

    select
        record_id,
        linked_incident_code
    from {{ ref('int_linking_records') }}
    where
        record_kind = 'claim'
        and {{ is_claim_validated_since_refresh('record_id') }}

),

unlinked_claims as (

    select * from {{ ref('int_linking_records') }}
    where
        record_kind = 'claim'
        and linked_incident_code is null
        and {{ is_claim_validated_since_refresh('record_id') }}

),

incident_block_columns as (

    select
        record_id,
        record_sort_key,
        record_date,
        record_date_last,
        is_month_only,
        place_key,
        place_container,
        place_skeleton,
        governorate_id,
        latitude,
        longitude
    from {{ ref('int_linking_records') }}
    where record_kind = 'incident'

),

-- the claims, fewer than the incidents, carry the widened days and the neighbouring cells
claim_keys as (

    {{ linking_block_keys('unlinked_claims', expand=true, reverse=true) }}

),

incident_keys as (

    {{ linking_block_keys('incident_block_columns') }}

),

-- each pair once, on its first meeting
candidate_pairs as (

    select
        claim_keys.record_id as claim_id,
        incident_keys.record_id as incident_code
    from claim_keys
    inner join incident_keys
        on
            claim_keys.block_key = incident_keys.block_key
            and claim_keys.match_day = incident_keys.match_day
            and {{ linking_first_meeting('claim_keys', 'incident_keys') }}

),

pairs as (

    select
        candidate_pairs.claim_id,
        candidate_pairs.incident_code,
        {{ linking_pair_columns('unlinked_claims', 'incidents') }}
    from candidate_pairs
    inner join unlinked_claims
        on candidate_pairs.claim_id = unlinked_claims.record_id
    inner join {{ ref('int_linking_records') }} as incidents
        on
            candidate_pairs.incident_code = incidents.record_id
            and incidents.record_kind = 'incident'

),

compared as (

    select
        pairs.*,
        {{ linking_levels() }}
    from pairs

),

scored as (

    {{ linking_scores('compared') }}

),

-- the best match: the highest weight, then the smallest code, in one aggregate over the
-- pairs that reach the threshold (one row per claim; a window would hold every pair at once)
{%- set match_order = ['-match_weight', 'incident_code'] %}

best as (

    select
        claim_id,
        {{ first_by('incident_code', match_order) }} as incident_code,
        {{ first_by('match_weight', match_order) }} as match_weight
    from scored
    where match_weight >= {{ link_weight_threshold() }}
    group by claim_id

),

-- the levels of the best pairs again, to word them: cheaper than keeping every pair's
best_compared as (

    select
        best.claim_id,
        best.incident_code,
        best.match_weight,
        {{ linking_pair_columns('unlinked_claims', 'incidents') }}
    from best
    inner join unlinked_claims
        on best.claim_id = unlinked_claims.record_id
    inner join {{ ref('int_linking_records') }} as incidents
        on
            best.incident_code = incidents.record_id
            and incidents.record_kind = 'incident'

),

best_match as (

    select
        claim_id,
        incident_code,
        match_weight,
        {{ linking_explanation() }} as link_explanation
    from (
        select
            best_compared.*,
            {{ linking_levels() }}
        from best_compared
    ) as best_levels

),

final as (

    select
        claims.record_id as claim_id,
        coalesce(claims.linked_incident_code, best_match.incident_code) as incident_code,
        case
            when claims.linked_incident_code is not null then 'assessor'
            when best_match.incident_code is not null then 'matched_by_model'
            else 'unmatched'
        end as link_rule,
        {{ match_probability('best_match.match_weight') }} as link_match_probability,
        best_match.link_explanation,
        {{ refresh_timestamp() }} as refreshed_at
    from claims
    left join best_match
        on claims.record_id = best_match.claim_id

)

select * from final
