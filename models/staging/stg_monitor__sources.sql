with

source as (

    select * from {{ raw_relation('raw_sources') }}

),

renamed as (

    select
        {{ raw_row_identity('source') }},
        {{ clean_text('source.source_id') }} as source_id,
        {{ clean_text('source.source_name') }} as source_name,
        {{ clean_text('source.source_handle') }} as source_handle,
        {{ clean_text('source.source_url') }} as source_url,
        {{ clean_text('source.source_type') }} as source_type_as_written,
        {{ resolve_code('source_type', 'source.source_type') }} as source_type_id,
        {{ clean_text('source.platform') }} as platform,
        {{ clean_text('source.language') }} as source_language,
        source.is_protected as is_protected_raw,
        -- Anything that is not a recognised "false" counts as protected: when in
        -- doubt, an identity stays internal.
        coalesce(
            {{ resolve_code('boolean', 'source.is_protected') }} <> 'false', true
        ) as is_protected

    from source

)

select * from renamed
