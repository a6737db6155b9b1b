-- Pairs of claims that no incident took (int_claims_linked says unmatched) and that belong
-- together under the same linking rules: dates within var civcas_link_window_days,
-- compatible belligerents, and places that agree (distance, then place name, then
-- governorate). No all-pairs join: one side is expanded to the days within the window and
-- meets the other on (block, day), the block being the governorate, or the place name when
-- either claim has no governorate; each pair appears once, left claim id first.
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
claim_blocks as (

    {{ linking_blocks('unmatched_claims') }}

),

claim_days as (

    select
        claim_blocks.*,
        {{ day_series(
            dbt.dateadd('day', -window_days, 'claim_blocks.incident_date'),
            dbt.dateadd('day', window_days, 'claim_blocks.incident_date')
        ) }} as match_day
    from claim_blocks

),

candidates as (

    select
        claim_days.claim_id as left_claim_id,
        claim_days.raw_row_key as left_raw_row_key,
        claim_blocks.claim_id as right_claim_id,
        claim_blocks.raw_row_key as right_raw_row_key,
        abs({{ dbt.datediff('claim_days.incident_date', 'claim_blocks.incident_date', 'day') }}) as day_gap,
        {{ point_distance_km('claim_days', 'claim_blocks') }} as distance_km,
        {{ place_rule('claim_days', 'claim_blocks') }} as place_rule,
        claim_days.place_key as left_place_key,
        claim_blocks.place_key as right_place_key
    from claim_days
    inner join claim_blocks
        on
            claim_days.block_key = claim_blocks.block_key
            and claim_days.match_day = claim_blocks.incident_date
            and claim_days.claim_id < claim_blocks.claim_id
    where {{ linking_block_applies('claim_days', 'claim_blocks') }}

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
        places_agree.distance_km
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
