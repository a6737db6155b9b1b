-- The public incident list: every registered incident (fct_incidents) of the build's period, with its grade and
-- whether an assessor gave it or the evidence only suggests one, its casualty ranges, the
-- belligerents blamed and their own verdicts, and where and when it happened. Candidate
-- incidents (claims the linking rules grouped, not yet registered by an assessor) are not
-- published: they wait in fct_assessment_backlog. Public columns only - no source, no link,
-- no assessor note, no suggestion reason, no review reason (review_reasons quotes raw values,
-- which may name a source; needs_review says a figure or date is held, fct_field_issues why).
with

incidents as (

    select * from {{ ref('fct_incidents') }}

),

final as (

    select
        incident_code,
        previous_codes,
        campaign_code_prefix,
        incident_date,
        incident_date_last,
        date_precision,
        incident_month,
        country_id,
        governorate_id,
        place_id,
        place_as_written,
        latitude,
        longitude,
        geo_precision_id,
        -- the release files' form of the list: ids joined by ';' (sorted: the list is)
        {{ release_list_text('belligerent_ids') }} as belligerent_ids,
        blamed_belligerent_count,
        grade_id,
        grade_basis,
        suggested_grade_id,
        previous_grade_id,
        strike_status_id,
        is_likely,
        is_civilian_harm_reported,
        killed_range_basis,
        civilians_killed_min,
        civilians_killed_max,
        civilians_injured_min,
        civilians_injured_max,
        children_killed_min,
        children_killed_max,
        women_killed_min,
        women_killed_max,
        source_count,
        belligerent_verdict_id,
        verdict_belligerent_id,
        deaths_conceded_min,
        deaths_conceded_max,
        needs_review,
        is_synthetic
    from incidents
    -- the incidents of the build's period (macros/release_period.sql)
    where {{ in_release_period('incident_month') }}

)

select * from final
order by incident_date, incident_code
