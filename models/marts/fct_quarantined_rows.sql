-- One row per raw row that was held back: its table, its raw values, the first rule it
-- broke and every reason, in words a researcher can act on. Nothing is dropped silently.
{%- set validated = [
    ('raw_claims', 'int_claims_validated', 'claim_id'),
    ('raw_sources', 'int_sources_validated', 'source_id'),
    ('raw_incidents', 'int_incidents_validated', 'incident_code'),
    ('raw_incident_belligerents', 'int_incident_belligerents_validated', 'incident_code'),
    ('raw_incident_assessments', 'int_incident_assessments_validated', 'assessment_id'),
    ('raw_belligerent_statements', 'int_belligerent_statements_validated', 'statement_id'),
    ('raw_declared_strikes', 'int_declared_strikes_validated', 'strike_release_id'),
] %}

with

datasets as (

    select * from {{ ref('dim_datasets') }}

),

quarantined as (

    {%- for raw_table, model, id_column in validated %}
        select
            '{{ raw_table }}' as raw_table,
            raw_row_key,
            {{ id_column }} as record_id,
            quarantine_rule,
            quarantine_reason,
            raw_record
        from {{ ref(model) }}
        where is_quarantined
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
        quarantined.raw_record,
        datasets.is_synthetic
    from quarantined
    cross join datasets

)

select * from final
