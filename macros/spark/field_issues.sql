{#- Spark versions of macros/field_issues.sql. -#}

{% macro spark__field_issue_list(checks) -%}
    filter(array(
        {%- for check in checks %}
        case when {{ check.when }} then named_struct(
            'field', '{{ check.field }}',
            'raw_value', cast({{ check.raw_value }} as string),
            'rule', '{{ check.rule }}',
            'action', '{{ check.action }}',
            'reason', cast({{ check.reason }} as string)
        ) end{% if not loop.last %},{% endif %}
        {%- endfor %}
    ), field_issue -> field_issue is not null)
{%- endmacro %}

{#- Spark has `* except` but no `* replace`: the replaced columns come last. -#}
{% macro spark__columns_with_field_issues_applied(relation_alias, conditions) -%}
    {{ relation_alias }}.* except (
        {%- for column in conditions.keys() %}{{ column }}, {% endfor %}quarantine_reason
    ),
    {%- for column, whens in conditions.items() %}
    case
        when {% for when in whens %}coalesce({{ when }}, false){% if not loop.last %} or {% endif %}{% endfor %}
            then null
        else {{ relation_alias }}.{{ column }}
    end as {{ column }},
    {%- endfor %}
    case
        when {{ relation_alias }}.is_quarantined and {{ relation_alias }}.review_reasons is not null
            then {{ relation_alias }}.quarantine_reason || '; ' || {{ relation_alias }}.review_reasons
        else {{ relation_alias }}.quarantine_reason
    end as quarantine_reason
{%- endmacro %}

{% macro spark__field_issue_rows(raw_table, model, id_column, source_column) -%}
    select
        '{{ raw_table }}' as raw_table,
        issues.raw_row_key,
        issues.record_id,
        issues.source_id,
        issues.field_issue.field as field,
        issues.field_issue.raw_value as raw_value,
        issues.field_issue.rule as rule,
        issues.field_issue.action as action,
        issues.field_issue.reason as reason
    from (
        select
            raw_row_key,
            {{ id_column }} as record_id,
            {{ source_column if source_column else 'cast(null as string)' }} as source_id,
            explode(field_issues) as field_issue
        from {{ ref(model) }}
        where not is_quarantined and needs_review
    ) as issues
{%- endmacro %}
