-- One row per clean claim. Links of protected sources are withheld: whether a source is
-- protected comes from restricted_sources, where any row of its id in any letter case or
-- spacing makes it so (a clean 'src0155' beside a protected 'SRC0155' is protected too).
with

claims as (

    select * from {{ ref('int_claims_validated') }}
    where not is_quarantined

),

sources as (

    -- the clean sources, with the protection rule of the restricted models
    select * from {{ ref('restricted_sources') }}

),

links as (

    select * from {{ ref('int_claims_linked') }}

),

candidates as (

    select * from {{ ref('int_candidate_incidents_grouped') }}

),

datasets as (

    select * from {{ ref('dim_datasets') }}

),

-- the claims' blame lists, each resolved once (macros/belligerent_lists.sql)
claim_lists as (

    select * from {{ ref('int_claim_belligerent_lists_resolved') }}

),

blame_lists as (

    select
        list_key,
        count(distinct belligerent_id) as blamed_belligerent_count,
        {{ sorted_id_list('belligerent_id') }} as belligerent_ids
    from claim_lists
    group by list_key

),

final as (

    select
        claims.claim_id,
        claims.source_id,
        claims.linked_incident_code as incident_code,
        -- in a build as of var civcas_as_of, a link to an incident registered later was not made yet
        case when not claims.is_link_known_after_as_of then claims.incident_code end as incident_code_as_written,
        {{ code_prefix('claims.linked_incident_code') }} as campaign_code_prefix,
        claims.linked_incident_code is not null as is_linked,
        -- the machine's suggestion for an unlinked claim; it never replaces an assessor's link
        case when links.link_rule <> 'assessor' then links.incident_code end as suggested_incident_code,
        links.link_rule,
        links.link_match_probability,
        links.link_explanation,
        candidates.candidate_incident_id,
        candidates.candidate_link_rule,
        candidates.is_day_slipped as is_candidate_day_slipped,
        claims.date_reported,
        claims.incident_date,
        claims.incident_date_last,
        claims.date_precision,
        claims.place_as_written,
        claims.place_id,
        claims.governorate_as_written,
        claims.resolved_governorate_id as governorate_id,
        claims.resolved_country_id as country_id,
        claims.corrected_latitude as latitude,
        claims.corrected_longitude as longitude,
        claims.geo_precision_id,
        claims.are_coordinates_swapped,
        claims.belligerents_as_written,
        blame_lists.belligerent_ids,
        blame_lists.blamed_belligerent_count,
        claims.civilians_killed_min,
        claims.civilians_killed_max,
        claims.civilians_injured_min,
        claims.civilians_injured_max,
        case when sources.is_protected then null else claims.report_url end as report_url,
        case when sources.is_protected then null else claims.archive_url end as archive_url,
        sources.is_protected as is_source_protected,
        -- field issues and figures above a review ceiling (macros/field_issues.sql)
        claims.needs_review,
        claims.review_reasons,
        datasets.is_synthetic
    from claims
    inner join sources
        on claims.source_id = sources.source_id
    left join blame_lists
        on {{ belligerent_list_key('claims.belligerents_as_written') }} = blame_lists.list_key
    left join links
        on claims.claim_id = links.claim_id
    left join candidates
        on claims.claim_id = candidates.claim_id
    cross join datasets

)

select * from final
