-- Every clean source with its identity: the name, handle and link that dim_sources
-- withholds for protected sources. Lives only in the `restricted` schema. A source is
-- protected when any raw row of its id says so, the id compared in the normal form (so a
-- second row ' src0155 ' cannot make SRC0155's namesake public).
with

all_sources as (

    select * from {{ ref('int_sources_validated') }}

),

sources as (

    select * from all_sources
    where not is_quarantined

),

protected_sources as (

    select distinct {{ source_id_match_key('source_id') }} as source_key
    from all_sources
    where is_protected and source_id is not null

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
        (sources.is_protected or protected_sources.source_key is not null) as is_protected,
        datasets.is_synthetic
    from sources
    left join source_types
        on sources.source_type_id = source_types.source_type_id
    left join protected_sources
        on {{ source_id_match_key('sources.source_id') }} = protected_sources.source_key
    cross join datasets

)

select * from final
order by source_id
