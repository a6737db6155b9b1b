{#- The quarantine rule engine used by every int_*_validated model.

    `checks` is a list of dicts, in priority order:
      rule   - short machine-readable rule name, e.g. 'min_above_max'
      when   - SQL condition that is true when the row breaks the rule
      reason - SQL string expression a researcher can act on

    quarantine_rule is the first rule broken; quarantine_reason lists every rule broken,
    so one pass over the raw row fixes everything; is_quarantined says whether any was. -#}
{% macro quarantine_columns(checks) -%}
    {%- set first_rule_broken -%}
    case
        {%- for check in checks %}
        when {{ check.when }} then '{{ check.rule }}'
        {%- endfor %}
    end
    {%- endset -%}
    {{ first_rule_broken }} as quarantine_rule,
    {{ first_rule_broken }} is not null as is_quarantined,
    {#- an exclusive check (known_after_as_of, macros/as_of.sql) gives its reason alone -#}
    {%- set exclusive_checks = [] -%}
    {%- for check in checks if check.get('exclusive') -%}
        {%- do exclusive_checks.append(check) -%}
    {%- endfor %}
    {%- if exclusive_checks %}
    case
        {%- for check in exclusive_checks %}
        when {{ check.when }} then {{ check.reason }}
        {%- endfor %}
        else
    {%- endif %}
        nullif(concat_ws(
            '; '
            {%- for check in checks if not check.get('exclusive') %},
            case when {{ check.when }} then {{ check.reason }} end
            {%- endfor %}
        ), '')
    {%- if exclusive_checks %}
    end
    {%- endif %} as quarantine_reason
{%- endmacro %}

{#- Checks shared by every raw table with an id column: a missing id, an exact copy of
    another raw row (the first copy is kept), and one id used by rows that differ. The last
    reads is_id_shared_by_different_rows from id_conflicts() below, which the model joins. -#}
{% macro id_checks(id_column, table_name) -%}
    {%- do return([
        {'rule': 'missing_id',
         'when': id_column ~ ' is null',
         'reason': "'" ~ id_column ~ " is empty; every row of " ~ table_name ~ " needs an id'"},
        {'rule': 'exact_duplicate',
         'when': 'raw_copy_number > 1',
         'reason': "'exact copy of another row of " ~ table_name ~ " (" ~ id_column ~ " ' || " ~ quoted_value(id_column) ~ " || '); the first copy is kept, delete this one'"},
        {'rule': 'conflicting_duplicate_id',
         'when': 'is_id_shared_by_different_rows',
         'reason': "'" ~ id_column ~ " ' || " ~ quoted_value(id_column) ~ " || ' is used by rows with different content; give each row its own id or delete the wrong one'"},
    ]) -%}
{%- endmacro %}

{#- One row per id of `relation` (a CTE of the validated model, with is_known_after_as_of:
    rows known only after the as-of date share no id with the rows known by then)
    with whether rows of different content share it (null ids form one group, as in a window partition). The
    model joins it on null_safe_equals(<id_column>, 'id_conflicts.checked_id'): an
    aggregate and a join are far cheaper than a window over every wide row. -#}
{% macro id_conflicts(relation, id_column) -%}
    select
        {{ id_column }} as checked_id,
        min(raw_record_hash) <> max(raw_record_hash) as is_id_shared_by_different_rows
    from {{ relation }}
    where not is_known_after_as_of
    group by {{ id_column }}
{%- endmacro %}

{#- Two texts equal, or both null: a join condition (`is not distinct from`, which PostgreSQL
    cannot hash: it joined every row with every id). -#}
{% macro null_safe_equals(left, right) -%}
    {{ return(adapter.dispatch('null_safe_equals', 'civcas')(left, right)) }}
{%- endmacro %}

{% macro default__null_safe_equals(left, right) -%}
    {{ left }} is not distinct from {{ right }}
{%- endmacro %}

{#- Checks for a text value that must parse: a non-empty raw value whose typed twin is null. -#}
{% macro parse_check(rule, raw_expr, typed_expr, column_label, expected) -%}
    {%- do return({
        'rule': rule,
        'when': raw_expr ~ ' is not null and ' ~ trim_text(raw_expr) ~ " <> '' and " ~ typed_expr ~ ' is null',
        'reason': "'" ~ column_label ~ " ' || " ~ quoted_value(raw_expr) ~ " || ' is not " ~ expected ~ "'"}) -%}
{%- endmacro %}

{#- Checks that a gazetteer or vocabulary value written in the row resolved. -#}
{% macro location_vocabulary_checks() -%}
    {%- do return([
        {'rule': 'unknown_governorate',
         'when': 'governorate_as_written is not null and governorate_id is null',
         'reason': "'governorate ' || " ~ quoted_value('governorate_as_written') ~ " || ' is not in seeds/reference/ref_governorate_aliases.csv; add the spelling or correct it'"},
        {'rule': 'unknown_country',
         'when': 'country_as_written is not null and country_id is null',
         'reason': "'country ' || " ~ quoted_value('country_as_written') ~ " || ' is not a known country; see seeds/reference/ref_code_aliases.csv'"},
        {'rule': 'unknown_geo_precision',
         'when': 'geolocation_precision_as_written is not null and geo_precision_id is null',
         'reason': "'geolocation_precision ' || " ~ quoted_value('geolocation_precision_as_written') ~ " || ' is not a known precision; see seeds/reference/ref_geo_precisions.csv'"},
    ]) -%}
{%- endmacro %}

{#- The row cites an incident code that maps to no clean incident. -#}
{% macro incident_link_check() -%}
    {%- do return({
        'rule': 'unknown_incident_code',
        'when': 'linked_incident_code is null',
        'reason': "'incident_code ' || " ~ quoted_value('incident_code') ~ " || ' is not a current or previous code of any clean incident (raw_incidents)'"}) -%}
{%- endmacro %}

{#- Every validated model, one per raw table: (raw table, model, id column, source id column
    or none). With `with_field_checks`, only those that record field-level issues
    (macros/field_issues.sql). The quarantine and field-issue marts read this one list. -#}
{% macro validated_raw_tables(with_field_checks=false) -%}
    {%- set tables = [
        ('raw_claims', 'int_claims_validated', 'claim_id', 'source_id', true),
        ('raw_sources', 'int_sources_validated', 'source_id', 'source_id', false),
        ('raw_incidents', 'int_incidents_validated', 'incident_code', none, true),
        ('raw_incident_belligerents', 'int_incident_belligerents_validated', 'incident_code', none, false),
        ('raw_incident_assessments', 'int_incident_assessments_validated', 'assessment_id', none, true),
        ('raw_belligerent_statements', 'int_belligerent_statements_validated', 'statement_id', none, true),
        ('raw_declared_strikes', 'int_declared_strikes_validated', 'strike_release_id', none, true),
    ] -%}
    {%- set selected = [] -%}
    {%- for raw_table, model, id_column, source_column, has_field_checks in tables -%}
        {%- if has_field_checks or not with_field_checks -%}
            {%- do selected.append((raw_table, model, id_column, source_column)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do return(selected) -%}
{%- endmacro %}
