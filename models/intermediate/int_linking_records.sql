-- One row per clean claim and per clean registered incident: what the linking comparisons
-- read of it (macros/linking.sql), in the columns Splink trains on (`civcas train-linking`)
-- and the linking models score with. A table, not a view: two linking models and three data
-- tests read it, and as a view each of them re-ran it (at 1M claims about 2.5 s each).
-- An incident's outlets and death figures are those of the claims linked to it.

with

claims as (

    select * from {{ ref('int_claims_validated') }}
    where not is_quarantined

),

incidents as (

    select * from {{ ref('int_incidents_validated') }}
    where not is_quarantined

),

blame_list_belligerents as (

    -- one row per distinct blame list and name: a list's blame is the same for every claim
    select * from {{ ref('int_claim_belligerent_lists_resolved') }}
    where belligerent_id is not null and belligerent_id <> 'unknown'

),

incident_belligerents as (

    select * from {{ ref('int_incident_belligerents_combined') }}
    where belligerent_id <> 'unknown'

),

co_belligerents as (

    select * from {{ ref('ref_co_belligerents') }}

),

geo_precisions as (

    select * from {{ ref('ref_geo_precisions') }}

),

gazetteer_keys as (

    select * from {{ ref('stg_reference__gazetteer_keys') }}

),

governorate_keys as (

    {{ linking_governorate_keys('gazetteer_keys') }}

),

container_places as (

    -- the gazetteer's places by core key, for the place a name says it lies in
    select distinct
        lookup_key,
        gazetteer_id
    from gazetteer_keys
    where gazetteer_kind = 'place' and not is_lookup_key_ambiguous

),

claim_blame as (

    select
        blame_list_belligerents.list_key,
        {{ belligerent_set('blame_list_belligerents.belligerent_id') }} as belligerent_ids,
        {{ belligerent_set('co_belligerents.co_belligerent_id') }} as co_belligerent_ids
    from blame_list_belligerents
    left join co_belligerents
        on blame_list_belligerents.belligerent_id = co_belligerents.belligerent_id
    group by blame_list_belligerents.list_key

),

incident_blame as (

    select
        incident_belligerents.incident_code,
        {{ belligerent_set('incident_belligerents.belligerent_id') }} as belligerent_ids,
        {{ belligerent_set('co_belligerents.co_belligerent_id') }} as co_belligerent_ids
    from incident_belligerents
    left join co_belligerents
        on incident_belligerents.belligerent_id = co_belligerents.belligerent_id
    group by incident_belligerents.incident_code

),

incident_claims as (

    select
        linked_incident_code as incident_code,
        {{ belligerent_set('source_id') }} as source_ids,
        min(civilians_killed_min) as killed_low,
        max(civilians_killed_max) as killed_high
    from claims
    where linked_incident_code is not null
    group by linked_incident_code

),

claim_records as (

    select
        'claim' as record_kind,
        claims.claim_id as record_id,
        claims.raw_row_key,
        claims.linked_incident_code,
        {{ linking_sort_key('claims.incident_date', 'c', 'claims.claim_id') }} as record_sort_key,
        {{ linking_place_and_date_columns('claims', 'geo_precisions', 'governorate_keys', 'container_places') }},
        claim_blame.belligerent_ids,
        claim_blame.co_belligerent_ids,
        {{ single_item_set('claims.source_id') }} as source_ids,
        claims.civilians_killed_min as killed_low,
        claims.civilians_killed_max as killed_high
    from claims
    left join geo_precisions
        on claims.geo_precision_id = geo_precisions.geo_precision_id
    left join governorate_keys
        on claims.resolved_governorate_id = governorate_keys.governorate_id
    left join container_places
        on claims.place_container_match_key = container_places.lookup_key
    left join claim_blame
        on {{ belligerent_list_key('claims.belligerents_as_written') }} = claim_blame.list_key

),

incident_records as (

    select
        'incident' as record_kind,
        incidents.incident_code as record_id,
        incidents.raw_row_key,
        incidents.incident_code as linked_incident_code,
        {{ linking_sort_key('incidents.incident_date', 'i', 'incidents.incident_code') }} as record_sort_key,
        {{ linking_place_and_date_columns('incidents', 'geo_precisions', 'governorate_keys', 'container_places') }},
        incident_blame.belligerent_ids,
        incident_blame.co_belligerent_ids,
        incident_claims.source_ids,
        incident_claims.killed_low,
        incident_claims.killed_high
    from incidents
    left join geo_precisions
        on incidents.geo_precision_id = geo_precisions.geo_precision_id
    left join governorate_keys
        on incidents.resolved_governorate_id = governorate_keys.governorate_id
    left join container_places
        on incidents.place_container_match_key = container_places.lookup_key
    left join incident_blame
        on incidents.incident_code = incident_blame.incident_code
    left join incident_claims
        on incidents.incident_code = incident_claims.incident_code

),

final as (

    select * from claim_records
    union all
    select * from incident_records

)

select * from final
