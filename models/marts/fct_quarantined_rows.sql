-- One row per raw row that was held back: its table, its raw values, the first rule it
-- broke and every reason, in words a researcher can act on. Nothing is dropped silently.
-- A protected source's identity never appears here: in the rows of a protected source
-- (its own raw_sources rows, and the claims it made) the identifying fields are withheld,
-- and a record or reason that still quotes a protected value is withheld whole. The
-- unmasked rows are in restricted.restricted_quarantined_rows.
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

still_revealing as (

    -- A protected value the field rules missed (e.g. quoted in a note or a reason).
    select
        fields_withheld.raw_table,
        fields_withheld.raw_row_key,
        bool_or({{ contains_text('fields_withheld.raw_record', 'protected_values.protected_value') }})
            as is_record_revealing,
        bool_or({{ contains_text('fields_withheld.quarantine_reason', 'protected_values.protected_value') }})
            as is_reason_revealing
    from fields_withheld
    inner join protected_values
        on
            {{ contains_text('fields_withheld.raw_record', 'protected_values.protected_value') }}
            or {{ contains_text('fields_withheld.quarantine_reason', 'protected_values.protected_value') }}
    group by fields_withheld.raw_table, fields_withheld.raw_row_key

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
