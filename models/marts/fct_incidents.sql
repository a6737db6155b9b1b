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

incident_belligerents as (

    select * from {{ ref('int_incident_belligerents_combined') }}

),

statements as (

    select * from {{ ref('int_belligerent_statements_selected') }}

),

strike_matches as (

    select * from {{ ref('int_declared_strikes_matched') }}

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

blame as (

    select
        incident_code,
        count(*) as blamed_belligerent_count,
        {{ dbt.listagg('belligerent_id', "';'", 'order by belligerent_id') }} as belligerent_ids,
        min(attribution_basis) as attribution_basis
    from incident_belligerents
    group by incident_code

),

verdicts as (

    -- Only the coalition publishes verdicts in practice; when several belligerents did,
    -- the latest verdict is shown here and each one is in fct_incident_belligerents.
    select
        incident_code,
        {{ value_at_latest('verdict_id', 'statement_date') }} as belligerent_verdict_id,
        {{ value_at_latest('belligerent_id', 'statement_date') }} as verdict_belligerent_id,
        cast(sum(deaths_conceded_min) as {{ dbt.type_bigint() }}) as deaths_conceded_min,
        cast(sum(deaths_conceded_max) as {{ dbt.type_bigint() }}) as deaths_conceded_max
    from statements
    group by incident_code

),

strikes as (

    select
        incident_code,
        cast(sum(matched_strike_releases) as {{ dbt.type_bigint() }}) as declared_strike_releases_nearby,
        cast(sum(matched_strike_count) as {{ dbt.type_bigint() }}) as declared_strikes_nearby
    from strike_matches
    group by incident_code

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
        -- the machine's suggestion for an incident no assessor has graded; never a grade
        suggestions.suggested_grade_id,
        suggestions.suggestion_reason,
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
        blame.belligerent_ids,
        blame.blamed_belligerent_count,
        blame.attribution_basis,
        verdicts.belligerent_verdict_id,
        verdicts.verdict_belligerent_id,
        verdicts.deaths_conceded_min,
        verdicts.deaths_conceded_max,
        coalesce(strikes.declared_strike_releases_nearby, 0) as declared_strike_releases_nearby,
        coalesce(strikes.declared_strikes_nearby, 0) as declared_strikes_nearby,
        coalesce(grade_scale.counts_as_likely, false) as is_likely
    from incidents
    left join grades
        on incidents.incident_code = grades.incident_code
    left join claim_evidence
        on incidents.incident_code = claim_evidence.incident_code
    left join blame
        on incidents.incident_code = blame.incident_code
    left join verdicts
        on incidents.incident_code = verdicts.incident_code
    left join strikes
        on incidents.incident_code = strikes.incident_code
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
        ) as is_civilian_harm_reported,
        datasets.is_synthetic
    from joined
    cross join datasets

)

select * from final
