-- One row per raw row that was held back: its table, its raw values, the first rule it
-- broke and every reason, in words a researcher can act on. Nothing is dropped silently.
-- A protected source's identity never appears here: in the rows of a protected source
-- (its own raw_sources rows, and the claims it made) the identifying fields are withheld,
-- and a record or reason that still quotes a protected value (as whole words: see
-- protected_value_occurrences) is withheld whole. The unmasked rows are in
-- restricted.restricted_quarantined_rows.
{%- set protected_fields = protected_raw_fields() %}

with

quarantined as (

    select * from {{ ref('restricted_quarantined_rows') }}

),

protected_values as (

    select * from {{ ref('restricted_protected_values') }}

),

fields_withheld as (

    select
        raw_table,
        raw_row_key,
        record_id,
        quarantine_rule,
        quarantine_reason,
        case
            {%- for raw_table, fields in protected_fields.items() %}
                when is_from_protected_source and raw_table = '{{ raw_table }}'
                    then {{ json_fields_withheld('raw_record', fields) }}
            {%- endfor %}
            else raw_record
        end as raw_record,
        is_synthetic
    from quarantined

),

checked_texts as (

    -- the texts that may still quote a protected value the field rules missed (e.g. in a
    -- note or a reason)
    select
        raw_table,
        raw_row_key,
        'raw_record' as checked_field,
        raw_record as checked_text
    from fields_withheld
    union all
    select
        raw_table,
        raw_row_key,
        'quarantine_reason' as checked_field,
        quarantine_reason as checked_text
    from fields_withheld

),

-- whole-token occurrences (macros/protected_sources.sql), found by a join on anchor tokens
protected_value_occurrences as (

    {{ protected_value_occurrences(
        'checked_texts', 'checked_text', ['raw_table', 'raw_row_key', 'checked_field'], 'protected_values'
    ) | indent(4) }}

),

still_revealing as (

    select
        raw_table,
        raw_row_key,
        bool_or(checked_field = 'raw_record') as is_record_revealing,
        bool_or(checked_field = 'quarantine_reason') as is_reason_revealing
    from protected_value_occurrences
    group by raw_table, raw_row_key

),

final as (

    select
        fields_withheld.raw_table,
        fields_withheld.raw_row_key,
        fields_withheld.record_id,
        fields_withheld.quarantine_rule,
        case
            when still_revealing.is_reason_revealing
                then 'reason withheld: it quotes a protected source; see restricted.restricted_quarantined_rows'
            else fields_withheld.quarantine_reason
        end as quarantine_reason,
        case
            when still_revealing.is_record_revealing
                then '{"withheld": "the raw record quotes a protected source; see restricted.restricted_quarantined_rows"}'
            else fields_withheld.raw_record
        end as raw_record,
        fields_withheld.is_synthetic
    from fields_withheld
    left join still_revealing
        on
            fields_withheld.raw_table = still_revealing.raw_table
            and fields_withheld.raw_row_key = still_revealing.raw_row_key

)

select * from final
