-- One row per field issue of a clean raw row: the raw table, the row, the field (a column,
-- or a min-max pair by its prefix), the value as written, the rule broken, what was done
-- (nulled: the field is unknown until corrected; flagged: kept and held for review) and the
-- reason. The row itself is clean and in its mart with needs_review; rows in = clean +
-- quarantined still holds. A value or reason that quotes a protected source (as whole
-- words, macros/protected_sources.sql) is withheld, as in fct_quarantined_rows.
{%- set validated = validated_raw_tables(with_field_checks=true) %}

with

protected_values as (

    select * from {{ ref('restricted_protected_values') }}

),

datasets as (

    select * from {{ ref('dim_datasets') }}

),

issues as (

    {%- for raw_table, model, id_column, source_column in validated %}
        {{ field_issue_rows(raw_table, model, id_column, source_column) | indent(4) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

checked_texts as (

    select
        raw_table,
        raw_row_key,
        field,
        rule,
        'raw_value' as checked_field,
        raw_value as checked_text
    from issues
    where raw_value is not null
    union all
    select
        raw_table,
        raw_row_key,
        field,
        rule,
        'reason' as checked_field,
        reason as checked_text
    from issues

),

-- whole-token occurrences (macros/protected_sources.sql), found by a join on anchor tokens
protected_value_occurrences as (

    {{ protected_value_occurrences(
        'checked_texts', 'checked_text', ['raw_table', 'raw_row_key', 'field', 'rule', 'checked_field'], 'protected_values'
    ) | indent(4) }}

),

still_revealing as (

    select
        raw_table,
        raw_row_key,
        field,
        rule,
        max(case when checked_field = 'raw_value' then 1 else 0 end) = 1 as is_value_revealing,
        max(case when checked_field = 'reason' then 1 else 0 end) = 1 as is_reason_revealing
    from protected_value_occurrences
    group by raw_table, raw_row_key, field, rule

),

final as (

    select
        issues.raw_table,
        issues.raw_row_key,
        issues.record_id,
        issues.field,
        case
            when still_revealing.is_value_revealing then {{ withheld_marker() }}
            else issues.raw_value
        end as raw_value,
        issues.rule,
        issues.action,
        case
            when still_revealing.is_reason_revealing then {{ withheld_marker() }}
            else issues.reason
        end as reason,
        datasets.is_synthetic
    from issues
    left join still_revealing
        on
            issues.raw_table = still_revealing.raw_table
            and issues.raw_row_key = still_revealing.raw_row_key
            and issues.field = still_revealing.field
            and issues.rule = still_revealing.rule
    cross join datasets

)

select * from final
order by raw_table, raw_row_key, field, rule
