-- Protected sources keep their id and type, but never their name, handle or link here.
with

sources as (

    select * from {{ ref('int_sources_validated') }}
    where not is_quarantined

),

source_types as (

    select * from {{ ref('ref_source_types') }}

),

datasets as (

    select * from {{ ref('dim_datasets') }}

),

final as (

    select
        sources.source_id,
        case when sources.is_protected then 'Protected source' else sources.source_name end as source_name,
        -- the key reveals the name, so protected sources get their id instead
        case when sources.is_protected then sources.source_id else sources.canonical_source_key end
            as canonical_source_key,
        case when sources.is_protected then null else sources.source_handle end as source_handle,
        case when sources.is_protected then null else sources.source_url end as source_url,
        sources.source_type_id,
        source_types.source_type_name,
        sources.platform,
        sources.source_language,
        sources.is_protected,
        datasets.is_synthetic
    from sources
    left join source_types
        on sources.source_type_id = source_types.source_type_id
    cross join datasets

)

select * from final
