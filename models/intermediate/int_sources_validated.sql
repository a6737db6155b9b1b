-- Every raw source row, with the first rule it breaks (null when clean).
with

sources as (

    select * from {{ ref('stg_monitor__sources') }}

),

citations as (

    -- as of var civcas_as_of: when each source was first cited (macros/as_of.sql)
    {{ source_first_citations() }}

),

dated as (

    select
        sources.*,
        {{ known_on('raw_sources', 'citations') }} as known_on,
        {{ is_known_after_as_of(known_on('raw_sources', 'citations')) }} as is_known_after_as_of
    from sources
    left join citations
        on sources.source_id = citations.source_id

),

{%- set checks = known_after_as_of_checks('date of a claim citing it')
  + id_checks('source_id', 'raw_sources') + [
    {'rule': 'unknown_source_type',
     'when': 'source_type_as_written is not null and source_type_id is null',
     'reason': "'source_type ' || " ~ quoted_value('source_type_as_written') ~ " || ' is not a known source type; use one of the types in seeds/reference/ref_source_types.csv'"},
] %}

id_conflicts as (

    {{ id_conflicts('dated', 'source_id') }}

),

validated as (

    select
        dated.*,
        {{ quarantine_columns(checks) }}
    from dated
    left join id_conflicts
        on {{ null_safe_equals('dated.source_id', 'id_conflicts.checked_id') }}

)

select * from validated
