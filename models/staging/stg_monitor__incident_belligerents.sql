with

source as (

    select * from {{ raw_rows('raw_incident_belligerents') }}

),

renamed as (

    select
        {{ raw_row_identity_columns('source') }},
        upper({{ clean_text('source.incident_code') }}) as incident_code,
        -- one belligerent, or a list ("Russian Military, U.S.-led Coalition"): split and
        -- resolved in int_incident_belligerents_resolved
        {{ clean_text('source.belligerent_as_written') }} as belligerent_as_written,
        {{ clean_text('source.attribution_type') }} as attribution_type_as_written,
        attribution_codes.code as attribution_type

    from source
    {{ code_join('attribution', 'source.attribution_type', 'attribution_codes') }}

)

select * from renamed
