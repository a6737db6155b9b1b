-- One row per raw row that was held back, with its whole raw record unmasked. The public
-- quarantine (main.fct_quarantined_rows) is built from this table with the identity of
-- protected sources withheld; nothing is dropped silently.
{%- set validated = validated_raw_tables() %}

with

sources as (

    select * from {{ ref('int_sources_validated') }}

),

datasets as (

    select * from {{ ref('dim_datasets') }}

),

protected_sources as (

    -- A source id is protected when any of its raw rows says so (a duplicate id may
    -- disagree with itself): when in doubt, an identity stays internal. Ids are compared in
    -- the normal form, so a claim citing ' src0155 ' is a claim of SRC0155.
    select distinct {{ source_id_match_key('source_id') }} as source_key
    from sources
    where is_protected and source_id is not null

),

quarantined as (

    {%- for raw_table, model, id_column, source_column in validated %}
        select
            '{{ raw_table }}' as raw_table,
            raw_row_key,
            {{ id_column }} as record_id,
            quarantine_rule,
            quarantine_reason,
            {{ source_column if source_column else 'cast(null as ' ~ dbt.type_string() ~ ')' }} as source_id,
            {{ 'is_protected' if raw_table == 'raw_sources' else 'false' }} as is_protected_source_row
        from {{ ref(model) }}
        where is_quarantined
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

raw_records as (

    -- the whole raw row as JSON, built for the quarantined rows only (macro raw_records_of)
    {%- for raw_table, model, id_column, source_column in validated %}
        select
            '{{ raw_table }}' as raw_table,
            recorded.raw_row_key,
            recorded.raw_record
        from ({{ raw_records_of(raw_table, "select raw_row_key from " ~ ref(model) ~ " where is_quarantined") }}) as recorded
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

final as (

    select
        quarantined.raw_table,
        quarantined.raw_row_key,
        quarantined.record_id,
        quarantined.quarantine_rule,
        quarantined.quarantine_reason,
        raw_records.raw_record,
        quarantined.source_id,
        (quarantined.is_protected_source_row or protected_sources.source_key is not null)
            as is_from_protected_source,
        datasets.is_synthetic
    from quarantined
    -- left: a row without its record fails the not-null test rather than vanish
    left join raw_records
        on
            quarantined.raw_table = raw_records.raw_table
            and quarantined.raw_row_key = raw_records.raw_row_key
    left join protected_sources
        on {{ source_id_match_key('quarantined.source_id') }} = protected_sources.source_key
    cross join datasets

)

select * from final
order by raw_table, raw_row_key
