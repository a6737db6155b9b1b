with

source as (

    select * from {{ raw_rows('raw_incident_assessments') }}

),

renamed as (

    select
        {{ raw_row_identity_columns('source') }},
        {{ clean_text('source.assessment_id') }} as assessment_id,
        upper({{ clean_text('source.incident_code') }}) as incident_code,
        {{ safe_iso_date('source.assessed_on') }} as assessed_on,
        source.assessed_on as assessed_on_raw,

        -- "Disproved"/"Disproven" resolve to discounted through ref_code_aliases.
        {{ clean_text('source.grade') }} as grade_as_written,
        grade_codes.code as grade_id,
        {{ clean_text('source.strike_status') }} as strike_status_as_written,
        strike_status_codes.code as strike_status_id,

        {{ safe_whole_number('source.civilians_killed_min') }} as civilians_killed_min,
        {{ safe_whole_number('source.civilians_killed_max') }} as civilians_killed_max,
        {{ safe_whole_number('source.civilians_injured_min') }} as civilians_injured_min,
        {{ safe_whole_number('source.civilians_injured_max') }} as civilians_injured_max,
        {{ safe_whole_number('source.children_killed_min') }} as children_killed_min,
        {{ safe_whole_number('source.children_killed_max') }} as children_killed_max,
        {{ safe_whole_number('source.women_killed_min') }} as women_killed_min,
        {{ safe_whole_number('source.women_killed_max') }} as women_killed_max,
        source.civilians_killed_min as civilians_killed_min_raw,
        source.civilians_killed_max as civilians_killed_max_raw,
        source.civilians_injured_min as civilians_injured_min_raw,
        source.civilians_injured_max as civilians_injured_max_raw,
        source.children_killed_min as children_killed_min_raw,
        source.children_killed_max as children_killed_max_raw,
        source.women_killed_min as women_killed_min_raw,
        source.women_killed_max as women_killed_max_raw,

        {{ clean_text('source.assessor_note') }} as assessor_note

    from source
    {{ code_join('grade', 'source.grade', 'grade_codes') }}
    {{ code_join('strike_status', 'source.strike_status', 'strike_status_codes') }}

)

select * from renamed
