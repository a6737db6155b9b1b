{#- PostgreSQL versions of macros/field_issues.sql. A row's field issues are an array of JSON
    objects (jsonb) with the keys of DuckDB's structs. -#}

{% macro postgres__field_issue_list(checks) -%}
    array_remove(array[
        {%- for check in checks %}
        case when {{ check.when }} then jsonb_build_object(
            'field', '{{ check.field }}',
            'raw_value', {{ check.raw_value }},
            'rule', '{{ check.rule }}',
            'action', '{{ check.action }}',
            'reason', {{ check.reason }}
        ) end{% if not loop.last %},{% endif %}
        {%- endfor %}
    ]::jsonb[], null)
{%- endmacro %}

{#- PostgreSQL has no `* replace`: the columns are the model's own, as documented in its YAML
    (every built column is: tests/python/test_warehouse.py), so the macro must make the
    model's final select. -#}
{% macro postgres__columns_with_field_issues_applied(relation_alias, conditions) -%}
    {%- if not execute -%}
        {{ return(relation_alias ~ '.*') }}
    {%- endif -%}
    {%- if not model.columns -%}
        {{ exceptions.raise_compiler_error("columns_with_field_issues_applied: " ~ model.name ~ " documents no columns; on PostgreSQL the macro lists the model's documented columns") }}
    {%- endif -%}
    {%- for column in model.columns -%}
        {%- if column in conditions %}
        case
            when {% for when in conditions[column] %}coalesce({{ when }}, false){% if not loop.last %} or {% endif %}{% endfor %}
                then null
            else {{ relation_alias }}.{{ column }}
        end as {{ column }}
        {%- elif column == 'quarantine_reason' %}
        case
            when {{ relation_alias }}.is_quarantined and {{ relation_alias }}.review_reasons is not null
                then {{ relation_alias }}.quarantine_reason || '; ' || {{ relation_alias }}.review_reasons
            else {{ relation_alias }}.quarantine_reason
        end as quarantine_reason
        {%- else %}
        {{ relation_alias }}.{{ column }}
        {%- endif -%}
        {{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro postgres__field_issue_rows(raw_table, model, id_column, source_column) -%}
    select
        '{{ raw_table }}' as raw_table,
        issues.raw_row_key,
        issues.record_id,
        issues.source_id,
        issues.field_issue ->> 'field' as field,
        issues.field_issue ->> 'raw_value' as raw_value,
        issues.field_issue ->> 'rule' as rule,
        issues.field_issue ->> 'action' as action,
        issues.field_issue ->> 'reason' as reason
    from (
        select
            raw_row_key,
            {{ id_column }} as record_id,
            {{ source_column if source_column else 'cast(null as ' ~ dbt.type_string() ~ ')' }} as source_id,
            unnest(field_issues) as field_issue
        from {{ ref(model) }}
        where not is_quarantined and needs_review
    ) as issues
{%- endmacro %}
