-- One row per clean claim: the incident it belongs to, and the rule that put it there.
-- A claim an assessor linked stays where the assessor put it. An unlinked claim is
-- matched to an existing incident when all of these hold:
--   * its date falls within the incident's dates +- var civcas_link_window_days;
--   * its belligerents are compatible (they share one, or either side names none);
--   * the places agree, judged in this order: by distance when both have a point finer
--     than town level (var civcas_link_distance_km; and when both also name a place,
--     the names must be alike, var civcas_link_name_similarity); else by place name
--     (gazetteer id, or the spelling without the Arabic article and punctuation) when
--     both name a place; else by governorate, only when neither names a place nor gives
--     a fine point.
-- Governorate-level or district-level points are centroids and never count as points.
-- No all-pairs join: each incident is expanded to the days a claim about it may carry,
-- and claims meet incidents on (block, day), the block being the governorate, or the
-- place name when either side has no governorate, narrowed to a grid cell, a place name,
-- or neither, as the place rule needs (macros/geography.sql).
-- Incremental: a run recomputes the claims validated since its last refresh (the registers
-- a claim is matched against are fixed between full recomputes; macros/incremental_refresh.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_claims_validated_since_refresh() }}",
) }}
{%- set window_days = var('civcas_link_window_days') %}

with

-- only the columns linking reads: this relation is read twice, and DuckDB keeps such a
-- CTE in memory (every column of ten million claims did not fit in 5 GB)
claims as (

    select
        claim_id,
        raw_row_key,
        linked_incident_code,
        incident_date,
        resolved_governorate_id,
        place_id,
        place_as_written,
        corrected_latitude,
        corrected_longitude,
        geo_precision_id
    from {{ ref('int_claims_validated') }}
    where not is_quarantined
    {%- if is_incremental() %}
        and claim_id in ({{ claim_ids_validated_since_refresh() }})
    {%- endif %}

),

claim_belligerents as (

    select * from {{ ref('int_claim_belligerents_resolved') }}
    where belligerent_id is not null and belligerent_id <> 'unknown'

),

incidents as (

    select * from {{ ref('int_incidents_validated') }}
    where not is_quarantined

),

incident_belligerents as (

    select * from {{ ref('int_incident_belligerents_combined') }}
    where belligerent_id <> 'unknown'

),

geo_precisions as (

    select * from {{ ref('ref_geo_precisions') }}

),

unlinked_claims as (

    select
        claims.claim_id,
        claims.raw_row_key,
        claims.incident_date,
        claims.resolved_governorate_id as governorate_id,
        {{ linking_place_columns('claims', 'geo_precisions') }}
    from claims
    left join geo_precisions
        on claims.geo_precision_id = geo_precisions.geo_precision_id
    where claims.linked_incident_code is null

),

incident_places as (

    select
        incidents.incident_code,
        incidents.incident_date,
        incidents.incident_date_last,
        incidents.resolved_governorate_id as governorate_id,
        {{ linking_place_columns('incidents', 'geo_precisions') }}
    from incidents
    left join geo_precisions
        on incidents.geo_precision_id = geo_precisions.geo_precision_id

),

linking_grid as (

    {{ linking_grid(['unlinked_claims', 'incident_places']) }}

),

-- blocks: claims meet incidents in their governorate, or on the place name when either
-- side has no governorate, and there in a grid cell, on a place name or on neither
-- (macros/geography.sql); claims are also in the cells around their own
claim_blocks as (

    {{ linking_blocks('unlinked_claims', 'linking_grid', neighbours=true) }}

),

incident_blocks as (

    {{ linking_blocks('incident_places', 'linking_grid') }}

),

-- the blame of the claims being linked only (not of every claim: at ten million claims that
-- table and the join on it filled the memory)
claim_blame as (

    select
        claim_belligerents.raw_row_key,
        {{ belligerent_set('claim_belligerents.belligerent_id') }} as belligerent_ids
    from claim_belligerents
    inner join unlinked_claims
        on claim_belligerents.raw_row_key = unlinked_claims.raw_row_key
    group by claim_belligerents.raw_row_key

),

incident_blame as (

    select
        incident_code,
        {{ belligerent_set('belligerent_id') }} as belligerent_ids
    from incident_belligerents
    group by incident_code

),

incident_days as (

    select
        incident_blocks.*,
        incident_blame.belligerent_ids,
        {{ day_series(
            dbt.dateadd('day', -window_days, 'incident_blocks.incident_date'),
            dbt.dateadd('day', window_days, 'incident_blocks.incident_date_last')
        ) }} as match_day
    from incident_blocks
    left join incident_blame
        on incident_blocks.incident_code = incident_blame.incident_code

),

-- Outside the grid cells, incidents that agree on block, day, first date, place, governorate
-- (or its absence), on giving a point or not, and on the belligerents are interchangeable
-- for every claim: each would match with the same rule and day gap, and the smallest code
-- wins the tie. Only that one is kept, so a busy place's claims are not compared with each
-- of its incidents (the candidates grew with the square of the claims: 5.2 million at 1
-- million claims, for 78 thousand unlinked claims).
incident_options as (

    select
        block_key,
        area_key,
        block_class,
        match_day,
        incident_date,
        governorate_id,
        place_key,
        belligerent_ids,
        min(point_latitude) as point_latitude,
        min(point_longitude) as point_longitude,
        min(incident_code) as incident_code
    from incident_days
    where block_class <> 'distance'
    group by
        block_key,
        area_key,
        block_class,
        match_day,
        incident_date,
        governorate_id,
        place_key,
        belligerent_ids,
        point_latitude is null,
        point_longitude is null
    union all
    select
        block_key,
        area_key,
        block_class,
        match_day,
        incident_date,
        governorate_id,
        place_key,
        belligerent_ids,
        point_latitude,
        point_longitude,
        incident_code
    from incident_days
    where block_class = 'distance'

),

candidates as (

    select
        claim_blocks.claim_id,
        claim_blocks.raw_row_key,
        incident_options.incident_code,
        incident_options.belligerent_ids as incident_belligerent_ids,
        abs({{ dbt.datediff('incident_options.incident_date', 'claim_blocks.incident_date', 'day') }}) as day_gap,
        {{ point_distance_km('claim_blocks', 'incident_options') }} as distance_km,
        {{ place_rule('claim_blocks', 'incident_options') }} as place_rule,
        claim_blocks.place_key as claim_place_key,
        incident_options.place_key as incident_place_key
    from claim_blocks
    inner join incident_options
        on
            claim_blocks.block_key = incident_options.block_key
            and claim_blocks.incident_date = incident_options.match_day
    where {{ linking_block_applies('claim_blocks', 'incident_options') }}

),

places_agree as (

    select *
    from candidates
    where {{ places_agree('place_rule', 'distance_km', 'claim_place_key', 'incident_place_key') }}

),

compatible as (

    -- compatible when they share a belligerent, or either side names none but unknown
    select places_agree.*
    from places_agree
    left join claim_blame
        on places_agree.raw_row_key = claim_blame.raw_row_key
    where
        claim_blame.raw_row_key is null
        or places_agree.incident_belligerent_ids is null
        or {{ sets_overlap('claim_blame.belligerent_ids', 'places_agree.incident_belligerent_ids') }}

),

-- the best match: distance before place name before governorate, then the nearest day,
-- then the nearest point (null only for rules without one), then the smallest code
{%- set match_order = [
    "case place_rule when 'distance' then 1 when 'place_name' then 2 else 3 end",
    'day_gap',
    'coalesce(distance_km, 0)',
    'incident_code',
] %}

best_match as (

    select
        claim_id,
        {{ first_by('incident_code', match_order) }} as incident_code,
        {{ first_by('place_rule', match_order) }} as place_rule,
        {{ first_by('day_gap', match_order) }} as day_gap,
        {{ first_by('distance_km', match_order) }} as distance_km
    from compatible
    group by claim_id

),

final as (

    select
        claims.claim_id,
        coalesce(claims.linked_incident_code, best_match.incident_code) as incident_code,
        case
            when claims.linked_incident_code is not null then 'assessor'
            when best_match.incident_code is not null then 'matched_by_' || best_match.place_rule
            else 'unmatched'
        end as link_rule,
        best_match.day_gap as link_day_gap,
        best_match.distance_km as link_distance_km,
        {{ refresh_timestamp() }} as refreshed_at
    from claims
    left join best_match
        on claims.claim_id = best_match.claim_id

)

select * from final
