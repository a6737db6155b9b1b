-- One row per incident with at least one clean linked claim: how many claims and
-- distinct sources back it, by source type, and the range of figures they report.
-- The claimed range runs from the lowest figure any claim reported to the highest:
-- "at least 12" (min only) contributes 12 to both ends; unknown contributes nothing, and
-- so does a pair above the review ceiling until it is reviewed (macros/field_issues.sql).
with

claims as (

    select * from {{ ref('int_claims_validated') }}
    where not is_quarantined and linked_incident_code is not null

),

counted_claims as (

    select
        linked_incident_code,
        claim_id,
        source_id,
        date_reported,
        needs_review,
        review_reasons,
        -- a killed or injured figure held for review still reports civilian harm
        (
            {{ is_above_review_ceiling('civilians_killed_min', 'civilians_killed_max', 'people') }}
            or {{ is_above_review_ceiling('civilians_injured_min', 'civilians_injured_max', 'people') }}
        ) as has_harm_figure_under_review,
        {{ counted_pair_columns('civilians_killed') }},
        {{ counted_pair_columns('civilians_injured') }}
    from claims

),

sources as (

    select * from {{ ref('int_sources_validated') }}
    where not is_quarantined

),

claims_with_sources as (

    select
        claims.linked_incident_code as incident_code,
        claims.claim_id,
        claims.source_id,
        sources.canonical_source_key,
        claims.date_reported,
        sources.source_type_id,
        coalesce(claims.civilians_killed_min, claims.civilians_killed_max) as killed_low,
        coalesce(claims.civilians_killed_max, claims.civilians_killed_min) as killed_high,
        coalesce(claims.civilians_injured_min, claims.civilians_injured_max) as injured_low,
        coalesce(claims.civilians_injured_max, claims.civilians_injured_min) as injured_high,
        claims.needs_review,
        claims.review_reasons,
        claims.has_harm_figure_under_review
    from counted_claims as claims
    inner join sources
        on claims.source_id = sources.source_id

),

final as (

    select
        incident_code,
        count(*) as claim_count,
        -- distinct outlets: two spellings of one outlet count once
        count(distinct canonical_source_key) as source_count,
        {%- for source_type in source_type_ids() %}
            count(distinct case when source_type_id = '{{ source_type }}' then canonical_source_key end)
                as {{ source_type }}_source_count,
        {%- endfor %}
        min(date_reported) as first_reported_on,
        min(killed_low) as claimed_killed_min,
        max(killed_high) as claimed_killed_max,
        min(injured_low) as claimed_injured_min,
        max(injured_high) as claimed_injured_max,
        sum(case when needs_review then 1 else 0 end) as claims_needing_review,
        max(case when has_harm_figure_under_review then 1 else 0 end) = 1 as has_harm_figure_under_review,
        {{ dbt.listagg("case when needs_review then 'claim ' || claim_id || ': ' || review_reasons end", "'; '", 'order by claim_id') }}
            as claim_review_reasons
    from claims_with_sources
    group by incident_code

)

select * from final
