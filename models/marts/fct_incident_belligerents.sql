-- An incident blamed on several belligerents has one row for each: in per-belligerent
-- comparisons it counts for every one of them.
with

incident_belligerents as (

    select * from {{ ref('int_incident_belligerents_combined') }}

),

incidents as (

    select * from {{ ref('fct_incidents') }}

),

statements as (

    select * from {{ ref('int_belligerent_statements_selected') }}

),

strike_matches as (

    select * from {{ ref('int_declared_strikes_matched') }}

),

belligerents as (

    select * from {{ ref('ref_belligerents') }}

),

final as (

    select
        incident_belligerents.incident_code,
        incident_belligerents.belligerent_id,
        incidents.campaign_code_prefix,
        incidents.country_id,
        incidents.incident_date,
        incidents.incident_month,
        incident_belligerents.attribution_basis,
        incident_belligerents.attribution_type,
        incident_belligerents.claims_blaming_count,
        incident_belligerents.blamed_belligerent_count,
        incident_belligerents.blamed_belligerent_count > 1 as is_shared_with_other_belligerents,
        incidents.grade_id,
        incidents.is_graded,
        incidents.suggested_grade_id,
        incidents.is_civilian_harm_reported,
        incidents.civilians_killed_min,
        incidents.civilians_killed_max,
        incidents.civilians_injured_min,
        incidents.civilians_injured_max,
        -- Likely = Fair, or Confirmed by this belligerent's own acceptance. A belligerent
        -- that has never conceded civilian harm (Russia) has no Confirmed incidents of its
        -- own, so for it likely means Fair only.
        coalesce(
            incidents.grade_id = 'fair'
            or (
                incidents.grade_id = 'confirmed'
                and belligerents.has_ever_conceded_civilian_harm
                and (statements.verdict_id = 'credible' or incident_belligerents.blamed_belligerent_count = 1)
            ),
            false
        ) as is_likely_for_belligerent,
        statements.verdict_id,
        statements.statement_date,
        statements.deaths_conceded_min,
        statements.deaths_conceded_max,
        statements.injuries_conceded_min,
        statements.injuries_conceded_max,
        coalesce(strike_matches.matched_strike_releases, 0) as declared_strike_releases_nearby,
        coalesce(strike_matches.matched_strike_count, 0) as declared_strikes_nearby,
        incidents.needs_review,
        incidents.review_reasons,
        incidents.is_synthetic
    from incident_belligerents
    inner join incidents
        on incident_belligerents.incident_code = incidents.incident_code
    left join statements
        on
            incident_belligerents.incident_code = statements.incident_code
            and incident_belligerents.belligerent_id = statements.belligerent_id
    left join strike_matches
        on
            incident_belligerents.incident_code = strike_matches.incident_code
            and incident_belligerents.belligerent_id = strike_matches.belligerent_id
    left join belligerents
        on incident_belligerents.belligerent_id = belligerents.belligerent_id

)

select * from final
