{#- Field-level issues: a broken rule that invalidates one field (or one min-max pair) of a
    row, not the row. The row stays clean; the field is set to null (unknown, never zero) or
    kept and flagged for review; every issue is recorded with the value as written, the rule
    and the reason (fct_field_issues), and the row carries needs_review and review_reasons
    into the marts. Row-level rules stay in macros/quarantine.sql.

    A field check is a dict:
      field     - the column, or the min-max pair (its prefix), the check judges
      rule      - short machine-readable rule name
      when      - SQL condition, true when the field breaks the rule
      raw_value - SQL text expression: the value as written
      reason    - SQL text expression a researcher can act on; it quotes typed numbers only
                  (the raw text, which may be anything, is in raw_value)
      action    - 'nulled': the field is unknown until corrected (its columns are set to null)
                  'flagged': the value is kept, visible, and held for review
      columns   - the typed columns set to null when action is 'nulled' -#}

{#- The review ceilings (dbt vars), by kind of magnitude. -#}
{% macro review_ceiling(kind) -%}
    {%- if kind == 'people' -%}
        {{ var('civcas_review_ceiling_people') }}
    {%- elif kind == 'strikes' -%}
        {{ var('civcas_review_ceiling_strikes') }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("review_ceiling: unknown kind '" ~ kind ~ "'; use people or strikes") }}
    {%- endif -%}
{%- endmacro %}

{#- True when a min-max pair (or a single count, pass the same column twice) is above the
    review ceiling of its kind. -#}
{% macro is_above_review_ceiling(min_column, max_column, kind) -%}
    coalesce(greatest({{ min_column }}, {{ max_column }}) > {{ review_ceiling(kind) }}, false)
{%- endmacro %}

{#- A figure as it counts in totals and derived ranges: a pair above the review ceiling
    counts as unknown (null) until reviewed, so that one typing slip cannot dominate a
    monthly total; the record itself keeps the value, flagged. -#}
{% macro counted_figure(column, min_column, max_column, kind) -%}
    case when not {{ is_above_review_ceiling(min_column, max_column, kind) }} then {{ column }} end
{%- endmacro %}

{#- The raw text of a min-max pair as one value, e.g. '3–2' ('' for an empty end). -#}
{% macro raw_pair_text(prefix) -%}
    coalesce(cast({{ prefix }}_min_raw as {{ dbt.type_string() }}), '') || '–'
    || coalesce(cast({{ prefix }}_max_raw as {{ dbt.type_string() }}), '')
{%- endmacro %}

{#- True when a pair's own checks null it (a broken end, or min above max). -#}
{% macro pair_is_broken(prefix) -%}
    (
        (nullif({{ trim_text(prefix ~ '_min_raw') }}, '') is not null and {{ prefix }}_min is null)
        or (nullif({{ trim_text(prefix ~ '_max_raw') }}, '') is not null and {{ prefix }}_max is null)
        or coalesce({{ prefix }}_min < 0, false)
        or coalesce({{ prefix }}_max < 0, false)
        or coalesce({{ prefix }}_min > {{ prefix }}_max, false)
    )
{%- endmacro %}

{#- Field checks for a reported min-max pair of counts of people:
    * an end that is not a whole number, or is negative, makes the pair unknown (nulled):
      a half pair would read as "at least N", which the source did not say;
    * a minimum above the maximum makes the pair unknown (nulled);
    * with total_prefix (a sub-range such as children_killed inside civilians_killed): a
      sub-range reaching above a sound total's maximum is nulled (children are civilians);
    * a sound pair above the review ceiling is kept and flagged. -#}
{% macro figure_pair_field_checks(prefix, total_prefix=none, kind='people') -%}
    {%- set columns = [prefix ~ '_min', prefix ~ '_max'] -%}
    {%- set checks = [] -%}
    {%- for bound in ['min', 'max'] -%}
        {%- set column = prefix ~ '_' ~ bound -%}
        {%- do checks.append({
            'field': column, 'rule': 'unparseable_number', 'action': 'nulled', 'columns': columns,
            'when': "nullif(" ~ trim_text(column ~ '_raw') ~ ", '') is not null and " ~ column ~ " is null",
            'raw_value': 'cast(' ~ column ~ '_raw as ' ~ dbt.type_string() ~ ')',
            'reason': "'" ~ column ~ " is not a whole number; " ~ prefix ~ " is unknown until it is written in digits (the value is in fct_field_issues)'"}) -%}
        {%- do checks.append({
            'field': column, 'rule': 'negative_number', 'action': 'nulled', 'columns': columns,
            'when': column ~ ' < 0',
            'raw_value': 'cast(' ~ column ~ '_raw as ' ~ dbt.type_string() ~ ')',
            'reason': "'" ~ column ~ " is negative (' || cast(" ~ column ~ " as " ~ dbt.type_string() ~ ") || '); counts of people cannot be below zero, so " ~ prefix ~ " is unknown until corrected'"}) -%}
    {%- endfor -%}
    {%- do checks.append({
        'field': prefix, 'rule': 'min_above_max', 'action': 'nulled', 'columns': columns,
        'when': prefix ~ '_min > ' ~ prefix ~ '_max',
        'raw_value': raw_pair_text(prefix),
        'reason': "'" ~ prefix ~ "_min (' || cast(" ~ prefix ~ "_min as " ~ dbt.type_string() ~ ") || ') is above " ~ prefix ~ "_max (' || cast(" ~ prefix ~ "_max as " ~ dbt.type_string() ~ ") || '); the range is unknown until corrected'"}) -%}
    {%- if total_prefix -%}
        {%- do checks.append({
            'field': prefix, 'rule': 'sub_range_above_total', 'action': 'nulled', 'columns': columns,
            'when': 'not ' ~ pair_is_broken(prefix) ~ ' and not ' ~ pair_is_broken(total_prefix)
                ~ ' and coalesce(' ~ prefix ~ '_max, ' ~ prefix ~ '_min) > ' ~ total_prefix ~ '_max',
            'raw_value': raw_pair_text(prefix),
            'reason': "'" ~ prefix ~ " (' || coalesce(cast(" ~ prefix ~ "_min as " ~ dbt.type_string() ~ "), '?') || '–' || coalesce(cast(" ~ prefix ~ "_max as " ~ dbt.type_string() ~ "), '?') || ') reaches above " ~ total_prefix ~ "_max (' || cast(" ~ total_prefix ~ "_max as " ~ dbt.type_string() ~ ") || '), of which it is a part; the sub-range is unknown until corrected'"}) -%}
    {%- endif -%}
    {%- do checks.append({
        'field': prefix, 'rule': 'above_review_ceiling', 'action': 'flagged', 'columns': columns,
        'when': 'not ' ~ pair_is_broken(prefix) ~ ' and ' ~ is_above_review_ceiling(prefix ~ '_min', prefix ~ '_max', kind),
        'raw_value': raw_pair_text(prefix),
        'reason': "'" ~ prefix ~ " (' || coalesce(cast(" ~ prefix ~ "_min as " ~ dbt.type_string() ~ "), '?') || '–' || coalesce(cast(" ~ prefix ~ "_max as " ~ dbt.type_string() ~ "), '?') || ') is above the review ceiling of " ~ review_ceiling(kind) ~ " (var civcas_review_ceiling_" ~ kind ~ "); kept for review, counted as unknown in totals until confirmed'"}) -%}
    {%- do return(checks) -%}
{%- endmacro %}

{#- Field checks for a single count (e.g. the strikes of one release line): not a whole
    number or negative makes it unknown (nulled); above the review ceiling is flagged. -#}
{% macro count_field_checks(column, kind) -%}
    {%- do return([
        {'field': column, 'rule': 'unparseable_number', 'action': 'nulled', 'columns': [column],
         'when': "nullif(" ~ trim_text(column ~ '_raw') ~ ", '') is not null and " ~ column ~ " is null",
         'raw_value': 'cast(' ~ column ~ '_raw as ' ~ dbt.type_string() ~ ')',
         'reason': "'" ~ column ~ " is not a whole number; it is unknown until it is written in digits (the value is in fct_field_issues)'"},
        {'field': column, 'rule': 'negative_number', 'action': 'nulled', 'columns': [column],
         'when': column ~ ' < 0',
         'raw_value': 'cast(' ~ column ~ '_raw as ' ~ dbt.type_string() ~ ')',
         'reason': "'" ~ column ~ " is negative (' || cast(" ~ column ~ " as " ~ dbt.type_string() ~ ") || '); it is unknown until corrected'"},
        {'field': column, 'rule': 'above_review_ceiling', 'action': 'flagged', 'columns': [column],
         'when': is_above_review_ceiling(column, column, kind),
         'raw_value': 'cast(' ~ column ~ '_raw as ' ~ dbt.type_string() ~ ')',
         'reason': "'" ~ column ~ " (' || cast(" ~ column ~ " as " ~ dbt.type_string() ~ ") || ') is above the review ceiling of " ~ review_ceiling(kind) ~ " (var civcas_review_ceiling_" ~ kind ~ "); kept for review, counted as unknown in totals until confirmed'"},
    ]) -%}
{%- endmacro %}

{#- Three select-list items from field checks: field_issues (every issue of the row, for
    fct_field_issues), needs_review and review_reasons (for the marts). -#}
{% macro field_issue_columns(checks) -%}
    {{ field_issue_list(checks) }} as field_issues,
    (
        {%- for check in checks %}
        coalesce({{ check.when }}, false){% if not loop.last %} or{% endif %}
        {%- endfor %}
    ) as needs_review,
    nullif(concat_ws(
        '; '
        {%- for check in checks %},
        case when {{ check.when }} then {{ check.reason }} end
        {%- endfor %}
    ), '') as review_reasons
{%- endmacro %}

{#- The issues of a row as a list of structs (field, raw_value, rule, action, reason). -#}
{% macro field_issue_list(checks) -%}
    {{ return(adapter.dispatch('field_issue_list', 'civcas')(checks)) }}
{%- endmacro %}

{% macro default__field_issue_list(checks) -%}
    list_filter([
        {%- for check in checks %}
        case when {{ check.when }} then {
            'field': '{{ check.field }}',
            'raw_value': {{ check.raw_value }},
            'rule': '{{ check.rule }}',
            'action': '{{ check.action }}',
            'reason': {{ check.reason }}
        } end{% if not loop.last %},{% endif %}
        {%- endfor %}
    ], field_issue -> field_issue is not null)
{%- endmacro %}

{#- Every column of `relation_alias`, with the columns of each 'nulled' check that fires set
    to null; a quarantined row's quarantine_reason also lists its field issues, so that one
    pass over the raw row fixes everything. -#}
{% macro columns_with_field_issues_applied(relation_alias, checks) -%}
    {%- set conditions = {} -%}
    {%- for check in checks if check.action == 'nulled' -%}
        {%- for column in check.columns -%}
            {%- do conditions.setdefault(column, []).append(check.when) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(adapter.dispatch('columns_with_field_issues_applied', 'civcas')(relation_alias, conditions)) }}
{%- endmacro %}

{% macro default__columns_with_field_issues_applied(relation_alias, conditions) -%}
    {{ relation_alias }}.* replace (
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
    )
{%- endmacro %}

{#- One row per field issue of the clean rows of a validated model: raw_table, raw_row_key,
    record_id, source_id, field, raw_value, rule, action, reason. -#}
{% macro field_issue_rows(raw_table, model, id_column, source_column) -%}
    {{ return(adapter.dispatch('field_issue_rows', 'civcas')(raw_table, model, id_column, source_column)) }}
{%- endmacro %}

{% macro default__field_issue_rows(raw_table, model, id_column, source_column) -%}
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
            {{ source_column if source_column else 'cast(null as ' ~ dbt.type_string() ~ ')' }} as source_id,
            unnest(field_issues) as field_issue
        from {{ ref(model) }}
        where not is_quarantined and needs_review
    ) as issues
{%- endmacro %}

{#- Two select-list items: a min-max pair as it counts in totals (counted_figure), under
    its own names. relation_alias qualifies the columns when given. -#}
{% macro counted_pair_columns(prefix, kind='people', relation_alias=none) -%}
    {%- set qualifier = relation_alias ~ '.' if relation_alias else '' -%}
    {{ counted_figure(qualifier ~ prefix ~ '_min', qualifier ~ prefix ~ '_min', qualifier ~ prefix ~ '_max', kind) }} as {{ prefix }}_min,
    {{ counted_figure(qualifier ~ prefix ~ '_max', qualifier ~ prefix ~ '_min', qualifier ~ prefix ~ '_max', kind) }} as {{ prefix }}_max
{%- endmacro %}
