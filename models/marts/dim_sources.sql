-- Protected sources keep their id and type, but never their name, handle or link here:
-- this is restricted.restricted_sources with those fields withheld.
with

sources as (

    select * from {{ ref('restricted_sources') }}

),

final as (

    select
        source_id,
        case when is_protected then 'Protected source' else source_name end as source_name,
        -- the key reveals the name, so protected sources get their id instead
        case when is_protected then source_id else canonical_source_key end as canonical_source_key,
        case when is_protected then null else source_handle end as source_handle,
        case when is_protected then null else source_url end as source_url,
        source_type_id,
        source_type_name,
        platform,
        source_language,
        is_protected,
        is_synthetic
    from sources

)

select * from final
