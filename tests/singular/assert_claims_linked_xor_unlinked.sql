-- Every clean claim is either linked or unlinked, never both and never neither; the
-- linking rules never overrule an assessor; and every clean claim reaches fct_claims
-- exactly once.
with

clean_claims as (

    select claim_id from {{ ref('int_claims_validated') }}
    where not is_quarantined

),

claims as (

    select * from {{ ref('fct_claims') }}

),

inconsistent as (

    select
        claim_id,
        'linked flag disagrees with incident_code' as problem
    from claims
    where
        is_linked is null
        or (is_linked and incident_code is null)
        or (not is_linked and incident_code is not null)
        -- a machine suggestion exists only for a claim no assessor linked
        or (is_linked and suggested_incident_code is not null)
        or (is_linked and link_rule <> 'assessor')
        -- an unmatched claim always has a candidate incident, and only it
        or ((link_rule = 'unmatched') <> (candidate_incident_id is not null))

),

missing_or_repeated as (

    select
        clean_claims.claim_id,
        'clean claim appears ' || cast(count(claims.claim_id) as {{ dbt.type_string() }}) || ' times in fct_claims' as problem
    from clean_claims
    left join claims
        on clean_claims.claim_id = claims.claim_id
    group by clean_claims.claim_id
    having count(claims.claim_id) <> 1

)

select * from inconsistent
union all
select * from missing_or_repeated
