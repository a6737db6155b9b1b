-- Every raw source row, with the first rule it breaks (null when clean).
with

sources as (

    select * from {{ ref('stg_monitor__sources') }}

),

{%- set checks = id_checks('source_id', 'raw_sources') + [
    {'rule': 'unknown_source_type',
     'when': 'source_type_as_written is not null and source_type_id is null',
     'reason': "'source_type ' || " ~ quoted_value('source_type_as_written') ~ " || ' is not a known source type; use one of the types in seeds/reference/ref_source_types.csv'"},
] %}

id_conflicts as (

    {{ id_conflicts('sources', 'source_id') }}

),

validated as (

    select
        sources.*,
        {{ quarantine_columns(checks) }}
    from sources
    left join id_conflicts
        on {{ null_safe_equals('sources.source_id', 'id_conflicts.checked_id') }}

)

select * from validated
