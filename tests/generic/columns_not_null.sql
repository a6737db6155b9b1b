{#- Every column listed holds a value in every row: the not_null tests of one table in one
    scan (a test per column costs a query and a dbt node each). A failing row names the
    column and counts its nulls. -#}
{% test columns_not_null(model, columns) %}

with

null_counts as (

    select
        {%- for column in columns %}
        sum(case when {{ column }} is null then 1 else 0 end)
            as nulls_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}

),

failing_columns as (

    {%- for column in columns %}
    select
        '{{ column }}' as column_name,
        nulls_{{ loop.index }} as null_rows
    from null_counts
    where nulls_{{ loop.index }} > 0
    {{ 'union all' if not loop.last }}
    {%- endfor %}

)

select * from failing_columns

{% endtest %}
