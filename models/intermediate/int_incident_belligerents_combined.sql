-- One row per incident and belligerent blamed. The assessor's attributions win: when an
-- incident has any, they are its belligerents. Otherwise the belligerents named by its
-- linked claims are used. An incident with neither is blamed on "unknown", so that it
-- still counts somewhere and is never lost from the per-belligerent summaries.
with

incidents as (

    select * from {{ ref('int_incidents_validated') }}
    where not is_quarantined

),

attributions as (

    select * from {{ ref('int_incident_belligerents_validated') }}
    where not is_quarantined

),

attributed_belligerents as (

    select * from {{ ref('int_incident_belligerents_resolved') }}

),

claims as (

    select * from {{ ref('int_claims_validated') }}
    where not is_quarantined and linked_incident_code is not null

),

claim_belligerents as (

    select * from {{ ref('int_claim_belligerents_resolved') }}

),

assessor_attributed as (

    select
        attributions.linked_incident_code as incident_code,
        attributed_belligerents.belligerent_id,
        -- "known" outranks "suspected" when two rows for one belligerent disagree
        min(coalesce(attributions.attribution_type, 'suspected')) as attribution_type
    from attributions
    inner join attributed_belligerents
        on attributions.raw_row_key = attributed_belligerents.raw_row_key
    group by attributions.linked_incident_code, attributed_belligerents.belligerent_id

),

claim_blamed as (

    select
        claims.linked_incident_code as incident_code,
        claim_belligerents.belligerent_id,
        count(distinct claims.claim_id) as claims_blaming_count
    from claims
    inner join claim_belligerents
        on claims.raw_row_key = claim_belligerents.raw_row_key
    group by claims.linked_incident_code, claim_belligerents.belligerent_id

),

from_assessors as (

    select
        assessor_attributed.incident_code,
        assessor_attributed.belligerent_id,
        'assessor' as attribution_basis,
        assessor_attributed.attribution_type,
        coalesce(claim_blamed.claims_blaming_count, 0) as claims_blaming_count
    from assessor_attributed
    left join claim_blamed
        on
            assessor_attributed.incident_code = claim_blamed.incident_code
            and assessor_attributed.belligerent_id = claim_blamed.belligerent_id

),

from_claims as (

    select
        claim_blamed.incident_code,
        claim_blamed.belligerent_id,
        'claims' as attribution_basis,
        cast(null as varchar) as attribution_type,
        claim_blamed.claims_blaming_count
    from claim_blamed
    where claim_blamed.incident_code not in (select assessor_attributed.incident_code from assessor_attributed)

),

unattributed as (

    select
        incidents.incident_code,
        'unknown' as belligerent_id,
        'none' as attribution_basis,
        cast(null as varchar) as attribution_type,
        0 as claims_blaming_count
    from incidents
    where
        incidents.incident_code not in (select assessor_attributed.incident_code from assessor_attributed)
        and incidents.incident_code not in (select claim_blamed.incident_code from claim_blamed)

),

unioned as (

    select * from from_assessors
    union all
    select * from from_claims
    union all
    select * from unattributed

),

final as (

    select
        unioned.*,
        count(*) over (partition by unioned.incident_code) as blamed_belligerent_count
    from unioned

)

select * from final
