with

incidents as (

    select * from {{ ref('int_incidents_validated') }}
    where not is_quarantined

),

grades as (

    select * from {{ ref('int_incident_grades_selected') }}

),

claim_evidence as (

    select * from {{ ref('int_claims_aggregated_to_incidents') }}

),

evidence as (

    select * from {{ ref('int_incident_evidence_summarised') }}

),

suggestions as (

    select * from {{ ref('int_incident_grades_suggested') }}

),

grade_scale as (

    select * from {{ ref('ref_grades') }}

),

datasets as (

    select * from {{ ref('dim_datasets') }}

),

joined as (

    select
        incidents.incident_code,
        incidents.previous_codes,
        {{ code_prefix('incidents.incident_code') }} as campaign_code_prefix,
        incidents.incident_date,
        incidents.incident_date_last,
        incidents.date_precision,
        cast({{ dbt.date_trunc('month', 'incidents.incident_date') }} as date) as incident_month,
        incidents.place_as_written,
        incidents.place_id,
        incidents.resolved_governorate_id as governorate_id,
        incidents.resolved_country_id as country_id,
        incidents.corrected_latitude as latitude,
        incidents.corrected_longitude as longitude,
        incidents.geo_precision_id,
        incidents.are_coordinates_swapped,
        grades.grade_id,
        grades.previous_grade_id,
        grades.grade_id is not null as is_graded,
        -- the machine's suggestion (macros/grading.sql) for an incident no assessor has
        -- graded; never a grade, and not shown beside an assessor's grade
        case when grades.grade_id is null then suggestions.suggested_grade_id end as suggested_grade_id,
        case when grades.grade_id is null then suggestions.suggestion_reason end as suggestion_reason,
        case when grades.grade_id is null then suggestions.suggestion_rule end as suggestion_rule,
        case
            when grades.grade_id is not null then 'assessed'
            when suggestions.suggested_grade_id is not null then 'suggested'
            else 'none'
        end as grade_basis,
        grades.strike_status_id,
        grades.assessment_count,
        grades.last_assessed_on,
        -- The assessed range where there is one, otherwise what the claims reported.
        case
            when grades.assessed_killed_min is not null or grades.assessed_killed_max is not null
                then 'assessed'
            when claim_evidence.claimed_killed_min is not null or claim_evidence.claimed_killed_max is not null
                then 'claims'
            else 'unknown'
        end as killed_range_basis,
        case
            when grades.assessed_killed_min is not null or grades.assessed_killed_max is not null
                then grades.assessed_killed_min
            else claim_evidence.claimed_killed_min
        end as civilians_killed_min,
        case
            when grades.assessed_killed_min is not null or grades.assessed_killed_max is not null
                then grades.assessed_killed_max
            else claim_evidence.claimed_killed_max
        end as civilians_killed_max,
        case
            when grades.assessed_injured_min is not null or grades.assessed_injured_max is not null
                then grades.assessed_injured_min
            else claim_evidence.claimed_injured_min
        end as civilians_injured_min,
        case
            when grades.assessed_injured_min is not null or grades.assessed_injured_max is not null
                then grades.assessed_injured_max
            else claim_evidence.claimed_injured_max
        end as civilians_injured_max,
        grades.assessed_children_killed_min as children_killed_min,
        grades.assessed_children_killed_max as children_killed_max,
        grades.assessed_women_killed_min as women_killed_min,
        grades.assessed_women_killed_max as women_killed_max,
        incidents.is_civilian_harm_reported as is_civilian_harm_reported_as_written,
        coalesce(claim_evidence.claim_count, 0) as claim_count,
        coalesce(claim_evidence.source_count, 0) as source_count,
        {%- for source_type in source_type_ids() %}
            coalesce(claim_evidence.{{ source_type }}_source_count, 0) as {{ source_type }}_source_count,
        {%- endfor %}
        evidence.belligerent_ids,
        evidence.blamed_belligerent_count,
        evidence.attribution_basis,
        evidence.belligerent_verdict_id,
        evidence.verdict_belligerent_id,
        evidence.deaths_conceded_min,
        evidence.deaths_conceded_max,
        evidence.declared_strike_releases_nearby,
        evidence.declared_strikes_nearby,
        coalesce(grade_scale.counts_as_likely, false) as is_likely,
        -- a field issue or a figure above a review ceiling in its register row or any of
        -- its records (macros/field_issues.sql; each one is in fct_field_issues)
        (
            incidents.needs_review
            or coalesce(grades.assessments_needing_review, 0) > 0
            or coalesce(claim_evidence.claims_needing_review, 0) > 0
            or coalesce(evidence.statements_needing_review, 0) > 0
        ) as needs_review,
        coalesce(grades.has_harm_figure_under_review, false)
        or coalesce(claim_evidence.has_harm_figure_under_review, false) as has_harm_figure_under_review,
        nullif(concat_ws(
            '; ',
            case when incidents.needs_review then 'incident ' || incidents.incident_code || ': ' || incidents.review_reasons end,
            grades.assessment_review_reasons, claim_evidence.claim_review_reasons,
            evidence.statement_review_reasons
        ), '') as review_reasons
    from incidents
    left join grades
        on incidents.incident_code = grades.incident_code
    left join claim_evidence
        on incidents.incident_code = claim_evidence.incident_code
    left join evidence
        on incidents.incident_code = evidence.incident_code
    left join suggestions
        on incidents.incident_code = suggestions.incident_code
    left join grade_scale
        on grades.grade_id = grade_scale.grade_id

),

final as (

    select
        joined.*,
        -- Only incidents where civilian harm was reported count as alleged. The register
        -- says so explicitly; where it is silent, reported deaths or injuries decide.
        coalesce(
            joined.is_civilian_harm_reported_as_written,
            coalesce(joined.civilians_killed_max, joined.civilians_killed_min, 0) > 0
            or coalesce(joined.civilians_injured_max, joined.civilians_injured_min, 0) > 0
            -- a figure held for review (counted as unknown) still reports harm: the incident
            -- stays counted, with its size unknown, rather than vanish from the totals
            or joined.has_harm_figure_under_review
        ) as is_civilian_harm_reported,
        datasets.is_synthetic
    from joined
    cross join datasets

)

select * from final
