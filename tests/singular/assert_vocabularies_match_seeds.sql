-- The fixed vocabularies that shape mart columns (macros/vocabularies.sql) match the
-- reference seeds: a new source type or grade must be added to both.
{%- set expected_source_types = source_type_ids() %}
{%- set expected_grades = grade_ids() %}

with

seeded as (

    select
        'source_type' as vocabulary,
        source_type_id as code
    from {{ ref('ref_source_types') }}
    union all
    select
        'grade' as vocabulary,
        grade_id as code
    from {{ ref('ref_grades') }}

),

declared as (

    {%- for code in expected_source_types %}
        select
            'source_type' as vocabulary,
            '{{ code }}' as code
        union all
    {%- endfor %}
    {%- for code in expected_grades %}
        select
            'grade' as vocabulary,
            '{{ code }}' as code
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

)

select
    coalesce(seeded.vocabulary, declared.vocabulary) as vocabulary,
    coalesce(seeded.code, declared.code) as code,
    case when seeded.code is null then 'in macro only' else 'in seed only' end as problem
from seeded
full outer join declared
    on seeded.vocabulary = declared.vocabulary and seeded.code = declared.code
where seeded.code is null or declared.code is null
