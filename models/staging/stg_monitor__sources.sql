with

source as (

    select * from {{ raw_rows('raw_sources') }}

),

renamed as (

    select
        {{ raw_row_identity_columns('source') }},
        {{ clean_text('source.source_id') }} as source_id,
        {{ clean_text('source.source_name') }} as source_name,
        -- One outlet written several ways ("Step News" / "Step News Agency", handles with a
        -- stray leading apostrophe) shares one key: the stray apostrophe is dropped, and
        -- seeds/reference/ref_source_aliases.csv names the canonical form.
        {{ normalise_key(
            "coalesce(source_aliases.canonical_source_name, regexp_replace(source.source_name, '^''+', ''), source.source_id)"
        ) }} as canonical_source_key,
        {{ clean_text('source.source_handle') }} as source_handle,
        {{ clean_text('source.source_url') }} as source_url,
        -- as written too: a protected identity is looked for in both forms
        source.source_name as source_name_raw,
        source.source_handle as source_handle_raw,
        source.source_url as source_url_raw,
        {{ clean_text('source.source_type') }} as source_type_as_written,
        -- A source the registry does not type is typed from its platform where that is
        -- unambiguous (a Twitter or Facebook account is social media); otherwise null.
        coalesce(
            source_type_codes.code,
            case
                when nullif({{ trim_text('source.source_type') }}, '') is null
                    then platform_source_type_codes.code
            end
        ) as source_type_id,
        {{ clean_text('source.platform') }} as platform,
        {{ clean_text('source.language') }} as source_language,
        source.is_protected as is_protected_raw,
        -- Anything that is not a recognised "false" counts as protected: when in
        -- doubt, an identity stays internal.
        coalesce(
            protected_codes.code <> 'false', true
        ) as is_protected

    from source
    {{ alias_join('ref_source_aliases', 'canonical_source_name', "regexp_replace(source.source_name, '^''+', '')", 'source_aliases') }}
    {{ code_join('source_type', 'source.source_type', 'source_type_codes') }}
    {{ code_join('platform_source_type', 'source.platform', 'platform_source_type_codes') }}
    {{ code_join('boolean', 'source.is_protected', 'protected_codes') }}

)

select * from renamed
