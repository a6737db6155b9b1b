-- Pairs of claims that no incident took (int_claims_linked says unmatched) and that belong
-- together under the same linking rules: dates within var civcas_link_window_days,
-- compatible belligerents, and places that agree (distance, then place name, then
-- governorate). No all-pairs join: one side is expanded to the days within the window and
-- meets the other on (block, day), the block being the governorate, or the place name when
-- either claim has no governorate, narrowed to a grid cell, a place name, or neither, as
-- the place rule needs (macros/geography.sql); each pair appears once, left claim id first.
-- Incremental: a run recomputes the pairs of the claims validated since its last refresh
-- (macros/incremental_refresh.sql); the pairs between two other claims cannot have changed.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_claims_validated_since_refresh(['left_claim_id', 'right_claim_id']) }}",
) }}
{%- set window_days = var('civcas_link_window_days') %}

with

links as (

    select * from {{ ref('int_claims_linked') }}
    where link_rule = 'unmatched'

),

claims as (

    select * from {{ ref('int_claims_validated') }}
    where not is_quarantined

),

claim_belligerents as (

    select * from {{ ref('int_claim_belligerents_resolved') }}
    where belligerent_id is not null and belligerent_id <> 'unknown'

),

geo_precisions as (

    select * from {{ ref('ref_geo_precisions') }}

),

unmatched_claims as (

    select
        claims.claim_id,
        claims.raw_row_key,
        claims.incident_date,
        claims.resolved_governorate_id as governorate_id,
        {{ linking_place_columns('claims', 'geo_precisions') }}
    from claims
    inner join links
        on claims.claim_id = links.claim_id
    left join geo_precisions
        on claims.geo_precision_id = geo_precisions.geo_precision_id

),

-- blocks: claims meet within their governorate; a claim without one meets the claims that
-- name the same place (its place block), so only claims naming nothing stay out
linking_grid as (

    {{ linking_grid(['unmatched_claims']) }}

),

claim_blocks as (

    {{ linking_blocks('unmatched_claims', 'linking_grid') }}

),

-- the same, with each point also in the cells around its own: the side expanded to days
claim_neighbour_blocks as (

    {{ linking_blocks('unmatched_claims', 'linking_grid', neighbours=true) }}

),

-- the claims whose pairs are computed: all of them, or in an incremental run the ones
-- validated since the last refresh
{%- if is_incremental() %}

refreshed_claim_ids as (

    {{ claim_ids_validated_since_refresh() }}

),
{%- endif %}

claim_days as (

    select
        claim_neighbour_blocks.*,
        {{ day_series(
            dbt.dateadd('day', -window_days, 'claim_neighbour_blocks.incident_date'),
            dbt.dateadd('day', window_days, 'claim_neighbour_blocks.incident_date')
        ) }} as match_day
    from claim_neighbour_blocks
    {%- if is_incremental() %}
    where claim_neighbour_blocks.claim_id in (select refreshed_claim_ids.claim_id from refreshed_claim_ids)
    {%- endif %}

),

-- each pair once, left claim id first; in an incremental run a pair of two refreshed claims
-- is met from both sides and kept from the side of its smaller id
pair_keys as (

    select
        least(claim_days.claim_id, claim_blocks.claim_id) as left_claim_id,
        greatest(claim_days.claim_id, claim_blocks.claim_id) as right_claim_id
    from claim_days
    inner join claim_blocks
        on
            claim_days.block_key = claim_blocks.block_key
            and claim_days.match_day = claim_blocks.incident_date
            and claim_days.claim_id <> claim_blocks.claim_id
    where
        {{ linking_block_applies('claim_days', 'claim_blocks') }}
        and (
            claim_days.claim_id < claim_blocks.claim_id
            {%- if is_incremental() %}
            or claim_blocks.claim_id not in (select refreshed_claim_ids.claim_id from refreshed_claim_ids)
            {%- endif %}
        )

),

candidates as (

    select
        pair_keys.left_claim_id,
        left_claims.raw_row_key as left_raw_row_key,
        pair_keys.right_claim_id,
        right_claims.raw_row_key as right_raw_row_key,
        abs({{ dbt.datediff('left_claims.incident_date', 'right_claims.incident_date', 'day') }}) as day_gap,
        {{ point_distance_km('left_claims', 'right_claims') }} as distance_km,
        {{ place_rule('left_claims', 'right_claims') }} as place_rule,
        left_claims.place_key as left_place_key,
        right_claims.place_key as right_place_key
    from pair_keys
    inner join unmatched_claims as left_claims
        on pair_keys.left_claim_id = left_claims.claim_id
    inner join unmatched_claims as right_claims
        on pair_keys.right_claim_id = right_claims.claim_id

),

places_agree as (

    select *
    from candidates
    where {{ places_agree('place_rule', 'distance_km', 'left_place_key', 'right_place_key') }}

),

claims_naming_a_belligerent as (

    select distinct raw_row_key from claim_belligerents

),

shared as (

    select
        places_agree.left_claim_id,
        places_agree.right_claim_id,
        count(*) as shared_belligerents
    from places_agree
    inner join claim_belligerents as left_belligerents
        on places_agree.left_raw_row_key = left_belligerents.raw_row_key
    inner join claim_belligerents as right_belligerents
        on
            places_agree.right_raw_row_key = right_belligerents.raw_row_key
            and left_belligerents.belligerent_id = right_belligerents.belligerent_id
    group by places_agree.left_claim_id, places_agree.right_claim_id

),

final as (

    -- compatible when they share a belligerent, or either side names none but unknown
    select
        places_agree.left_claim_id,
        places_agree.right_claim_id,
        'matched_by_' || places_agree.place_rule as pair_rule,
        places_agree.day_gap,
        places_agree.distance_km,
        {{ refresh_timestamp() }} as refreshed_at
    from places_agree
    left join shared
        on
            places_agree.left_claim_id = shared.left_claim_id
            and places_agree.right_claim_id = shared.right_claim_id
    where
        shared.shared_belligerents > 0
        or places_agree.left_raw_row_key not in (select claims_naming_a_belligerent.raw_row_key from claims_naming_a_belligerent)
        or places_agree.right_raw_row_key not in (select claims_naming_a_belligerent.raw_row_key from claims_naming_a_belligerent)

)

select * from final
