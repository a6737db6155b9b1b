-- Discounted is never suggested (DOMAIN.md: only an assessor can discount an incident). Two
-- checks: no rule of the ordered list in macros/grading.sql names it, and no suggestion in
-- the models that carry one is Discounted.
with

rule_grades as (

    {%- for rule in grading_rules() %}
        select
            '{{ rule.name }}' as failing_key,
            '{{ rule.grade }}' as grade_id
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

discounting_rules as (

    select
        failing_key,
        'a grading rule suggests discounted' as problem
    from rule_grades
    where grade_id = 'discounted'

),

suggestions as (

    select
        incident_code as failing_key,
        suggested_grade_id
    from {{ ref('int_incident_grades_suggested') }}
    union all
    select
        candidate_incident_id as failing_key,
        suggested_grade_id
    from {{ ref('int_candidate_incidents_graded') }}
    union all
    select
        incident_code as failing_key,
        suggested_grade_id
    from {{ ref('fct_incidents') }}

),

discounted_suggestions as (

    select
        failing_key,
        'suggested discounted' as problem
    from suggestions
    where suggested_grade_id = 'discounted'

),

final as (

    select * from discounting_rules
    union all
    select * from discounted_suggestions

)

select * from final
