-- A suggested grade never sits beside an assessor's grade, and the monthly counts of
-- suggestions stay within the ungraded incidents they come from.
with

graded_with_suggestion as (

    select
        incident_code as failing_key,
        'graded incident has a suggested grade' as problem
    from {{ ref('fct_incidents') }}
    where grade_id is not null and (suggested_grade_id is not null or grade_basis <> 'assessed')

),

monthly_overcount as (

    select
        cast(month as {{ dbt.type_string() }}) || ' ' || belligerent_id || ' ' || country_id as failing_key,
        'more suggestions than ungraded incidents' as problem
    from {{ ref('fct_monthly_belligerent_summary') }}
    where
        {% for grade in suggestable_grade_ids() %}suggested_{{ grade }}_incidents{% if not loop.last %} + {% endif %}{% endfor %}
        > ungraded_incidents

)

select * from graded_with_suggestion
union all
select * from monthly_overcount
