with

source as (

    select * from {{ raw_relation('raw_incident_belligerents') }}

),

renamed as (

    select
        {{ raw_row_identity('source') }},
        upper({{ clean_text('source.incident_code') }}) as incident_code,
        {{ clean_text('source.belligerent_as_written') }} as belligerent_as_written,
        {{ resolve_alias('ref_belligerent_aliases', 'belligerent_id', 'source.belligerent_as_written') }}
            as belligerent_id,
        {{ clean_text('source.attribution_type') }} as attribution_type_as_written,
        {{ resolve_code('attribution', 'source.attribution_type') }} as attribution_type

    from source

)

select * from renamed
