-- Every clean source with its identity: the name, handle and link that dim_sources
-- withholds for protected sources. Lives only in the `restricted` schema.
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
        sources.source_name,
        sources.canonical_source_key,
        sources.source_handle,
        sources.source_url,
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
order by source_id
