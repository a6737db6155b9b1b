-- One row per incident and belligerent blamed. The assessor's attributions win: when an
-- incident has any, they are its belligerents. Otherwise the belligerents named by its
-- linked claims are used. A belligerent whose verdict in force is credible accepted the
-- harm, so it is blamed too, even when neither names it (an attribution row of the
-- assessor's may be quarantined). An incident with none of these is blamed on "unknown",
-- so that it still counts somewhere and is never lost from the per-belligerent summaries.
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

statements as (

    select * from {{ ref('int_belligerent_statements_selected') }}

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

assessor_attributed_incidents as (

    select distinct incident_code from assessor_attributed

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
        cast(null as {{ dbt.type_string() }}) as attribution_type,
        claim_blamed.claims_blaming_count
    from claim_blamed
    left join assessor_attributed_incidents
        on claim_blamed.incident_code = assessor_attributed_incidents.incident_code
    where assessor_attributed_incidents.incident_code is null

),

attributed as (

    select * from from_assessors
    union all
    select * from from_claims

),

from_concessions as (

    -- a belligerent that accepted the harm and that neither the assessor nor the claims blame
    select
        statements.incident_code,
        statements.belligerent_id,
        'concession' as attribution_basis,
        'known' as attribution_type,
        coalesce(claim_blamed.claims_blaming_count, 0) as claims_blaming_count
    from statements
    inner join incidents
        on statements.incident_code = incidents.incident_code
    left join attributed
        on
            statements.incident_code = attributed.incident_code
            and statements.belligerent_id = attributed.belligerent_id
    left join claim_blamed
        on
            statements.incident_code = claim_blamed.incident_code
            and statements.belligerent_id = claim_blamed.belligerent_id
    where statements.verdict_id = 'credible' and attributed.incident_code is null

),

blamed as (

    select * from attributed
    union all
    select * from from_concessions

),

blamed_incidents as (

    select distinct incident_code from blamed

),

unattributed as (

    select
        incidents.incident_code,
        'unknown' as belligerent_id,
        'none' as attribution_basis,
        cast(null as {{ dbt.type_string() }}) as attribution_type,
        0 as claims_blaming_count
    from incidents
    left join blamed_incidents
        on incidents.incident_code = blamed_incidents.incident_code
    where blamed_incidents.incident_code is null

),

unioned as (

    select * from blamed
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
