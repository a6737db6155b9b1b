-- One row per candidate incident and belligerent its clean claims blame (resolved, unknown
-- included): the candidate's blame, read by its summary, its grade suggestion and the
-- activity evidence around it. A view: its readers filter it further.
{{ config(materialized='view') }}

with

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

final as (

    select distinct
        grouped_claims.candidate_incident_id,
        claim_belligerents.belligerent_id
    from grouped_claims
    inner join claims
        on grouped_claims.claim_id = claims.claim_id
    inner join claim_belligerents
        on claims.raw_row_key = claim_belligerents.raw_row_key

)

select * from final
