{#- Every data test of one table (or of its rows that `config: where:` keeps) in one query: a
    dbt node and a query per check cost more than the checks themselves (issue 14), so each
    table states its checks once, as one test. A failing row names the check, the columns and
    how many rows (or values) fail it; `dbt test --store-failures` keeps them.

      - table_checks:
          arguments:
            not_null: [claim_id, source_id]               # every row holds a value
            unique: [claim_id]                            # no non-null value twice
            unique_combination: [[incident_code, belligerent_id]]   # no combination twice
            accepted_values: {grade_id: [confirmed, fair]}          # null allowed
            relationships: [[belligerent_id, ref_belligerents.belligerent_id]]  # null allowed
            min_not_above_max: [[killed_min, killed_max]]
            not_negative: [killed_min]                    # null allowed: unknown is not zero
            value_between: {match_share: [0, 1]}
            date_not_after: [[incident_date, date_reported]]  # with civcas_date_tolerance_days
          config:
            where: not is_quarantined

    The row checks share one scan of the table; each key and each relationship is one more
    aggregate or anti-join over its own columns. -#}
{% test table_checks(model, not_null=[], unique=[], unique_combination=[], accepted_values={}, relationships=[],
    min_not_above_max=[], not_negative=[], value_between={}, date_not_after=[]) %}

{%- set row_checks = [] %}
{%- for column in not_null %}
    {%- do row_checks.append(('not_null', column, column ~ ' is null')) %}
{%- endfor %}
{%- for column, values in accepted_values.items() %}
    {%- set listed = [] %}
    {%- for value in values %}
        {%- do listed.append("'" ~ value ~ "'" if value is string else value) %}
    {%- endfor %}
    {%- do row_checks.append(('accepted_values', column ~ ' in (' ~ (listed | join(', ')) ~ ')',
        column ~ ' not in (' ~ (listed | join(', ')) ~ ')')) %}
{%- endfor %}
{%- for min_column, max_column in min_not_above_max %}
    {%- do row_checks.append(('min_not_above_max', min_column ~ ' <= ' ~ max_column, min_column ~ ' > ' ~ max_column)) %}
{%- endfor %}
{%- for column in not_negative %}
    {%- do row_checks.append(('not_negative', column, column ~ ' < 0')) %}
{%- endfor %}
{%- for column, bounds in value_between.items() %}
    {%- do row_checks.append(('value_between', column ~ ' between ' ~ bounds[0] ~ ' and ' ~ bounds[1],
        column ~ ' < ' ~ bounds[0] ~ ' or ' ~ column ~ ' > ' ~ bounds[1])) %}
{%- endfor %}
{%- for date_column, bound_column in date_not_after %}
    {%- do row_checks.append(('date_not_after', date_column ~ ' <= ' ~ bound_column,
        date_column ~ ' > ' ~ date_with_tolerance(bound_column))) %}
{%- endfor %}

with

row_failures as (

    select
        {%- for check_name, columns, failing in row_checks %}
        sum(case when {{ failing }} then 1 else 0 end) as failing_{{ loop.index }},
        {%- endfor %}
        count(*) as checked_rows
    from {{ model }}

),

failures as (

    {%- for check_name, columns, failing in row_checks %}
    select
        '{{ check_name }}' as check_name,
        '{{ columns | replace("'", "''") }}' as checked_columns,
        failing_{{ loop.index }} as failing_rows
    from row_failures
    where failing_{{ loop.index }} > 0
    union all
    {%- endfor %}
    {%- for column in unique %}
    select
        'unique' as check_name,
        '{{ column }}' as checked_columns,
        count(*) as failing_rows
    from (
        select {{ column }}
        from {{ model }}
        where {{ column }} is not null
        group by {{ column }}
        having count(*) > 1
    ) as repeated_values
    having count(*) > 0
    union all
    {%- endfor %}
    {%- for columns in unique_combination %}
    select
        'unique_combination' as check_name,
        '{{ columns | join(", ") }}' as checked_columns,
        count(*) as failing_rows
    from (
        select {{ columns | join(', ') }}
        from {{ model }}
        group by {{ columns | join(', ') }}
        having count(*) > 1
    ) as repeated_combinations
    having count(*) > 0
    union all
    {%- endfor %}
    {%- for column, target in relationships %}
        {%- set target_model, target_column = target.split('.') %}
    select
        'relationships' as check_name,
        '{{ column }} -> {{ target }}' as checked_columns,
        count(*) as failing_rows
    from (select {{ column }} from {{ model }}) as child
    where
        child.{{ column }} is not null
        and not exists (
            select 1 from {{ ref(target_model) }} as parent
            where parent.{{ target_column }} = child.{{ column }}
        )
    having count(*) > 0
    union all
    {%- endfor %}
    select
        'no rows' as check_name,
        '' as checked_columns,
        0 as failing_rows
    where false

)

select * from failures

{% endtest %}
