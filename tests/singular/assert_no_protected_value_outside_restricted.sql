-- A protected source's identity never leaves the `restricted` schema: no value of
-- restricted.restricted_protected_values (names, handles and links of protected sources, and
-- the links of the claims they made) appears, in any letter case and as whole words (the
-- rule of macro protected_value_occurrences: '@demo_medic_92' is found in
-- 'see @demo_medic_92, ...', not in '@demo_medic_92_4'), inside any text column of any model
-- in the `main` or `exports` schemas. Each row returned names the model, the column and the
-- value found: withhold it in that model (see dim_sources, fct_claims and
-- fct_quarantined_rows for how). The search is a join on anchor tokens, so its time grows
-- with the size of the texts, not with texts times values.
--
-- The models to scan are read from the project graph, and their text columns from the
-- database. A new model in `main` or `exports` must be added to the list below; until it is,
-- dbt stops with "unable to infer all dependencies" and names the line to add.
-- depends_on: {{ ref('restricted_protected_values') }}
-- depends_on: {{ ref('dim_belligerents') }}
-- depends_on: {{ ref('dim_builds') }}
-- depends_on: {{ ref('dim_datasets') }}
-- depends_on: {{ ref('dim_sources') }}
-- depends_on: {{ ref('fct_assessment_backlog') }}
-- depends_on: {{ ref('fct_belligerent_statements') }}
-- depends_on: {{ ref('fct_claims') }}
-- depends_on: {{ ref('fct_declared_strikes') }}
-- depends_on: {{ ref('fct_field_issues') }}
-- depends_on: {{ ref('fct_incident_assessments') }}
-- depends_on: {{ ref('fct_incident_belligerents') }}
-- depends_on: {{ ref('fct_incidents') }}
-- depends_on: {{ ref('fct_intake_batches') }}
-- depends_on: {{ ref('fct_monthly_assessment_backlog') }}
-- depends_on: {{ ref('fct_monthly_belligerent_summary') }}
-- depends_on: {{ ref('fct_monthly_grade_summary') }}
-- depends_on: {{ ref('fct_quarantined_rows') }}
-- depends_on: {{ ref('monthly_coalition_vs_russia') }}
-- depends_on: {{ ref('export_admitted_vs_alleged') }}
-- depends_on: {{ ref('export_grade_summary') }}
-- depends_on: {{ ref('export_monthly_belligerent_summary') }}
-- depends_on: {{ ref('export_monthly_coalition_vs_russia') }}
-- depends_on: {{ ref('export_public_incidents') }}
{%- set text_columns = [] %}
{%- if execute %}
    {%- for node in graph.nodes.values() | sort(attribute='name') %}
        {%- if node.resource_type == 'model' and node.schema in [target.schema, 'exports'] %}
            {%- set relation = ref(node.name) %}
            {%- for column in adapter.get_columns_in_relation(relation) %}
                {%- if column.is_string() %}
                    {%- do text_columns.append({'model': node.name, 'relation': relation, 'column': column.name}) %}
                {%- endif %}
            {%- endfor %}
        {%- endif %}
    {%- endfor %}
{%- endif %}

with

protected_values as (

    select protected_value from {{ ref('restricted_protected_values') }}

),

scanned_columns as (

    -- the columns by number, so that the texts are deduplicated on a small key
    {%- for text_column in text_columns %}
        select
            {{ loop.index }} as column_number,
            '{{ text_column.model }}' as model_name,
            '{{ text_column.column }}' as column_name
        union all
    {%- endfor %}
    select
        0 as column_number,
        cast(null as {{ dbt.type_string() }}) as model_name,
        cast(null as {{ dbt.type_string() }}) as column_name
    where false

),

{#- every non-null text of the scanned columns, by column number (rendered twice below) -#}
{%- set text_cells -%}
    {%- for text_column in text_columns %}
        select
            {{ loop.index }} as column_number,
            cast({{ adapter.quote(text_column.column) }} as {{ dbt.type_string() }}) as text_value
        from {{ text_column.relation }}
        where {{ adapter.quote(text_column.column) }} is not null
        union all
    {%- endfor %}
    select
        0 as column_number,
        cast(null as {{ dbt.type_string() }}) as text_value
    where false
{%- endset %}

text_values as (

    -- each distinct text once, whatever column holds it, so that it is cut into tokens once
    -- (an id or code stands in several columns)
    select distinct cells.text_value
    from ({{ text_cells }}) as cells

),

occurrences as (

    {{ protected_value_occurrences(
        'text_values', 'text_value', ['text_value'], 'protected_values'
    ) | indent(4) }}

),

cells_with_value as (

    -- the columns that hold a text found: the cells read again, for those texts only
    select distinct
        cells.column_number,
        occurrences.text_value,
        occurrences.protected_value
    from ({{ text_cells }}) as cells
    inner join occurrences
        on cells.text_value = occurrences.text_value

),

found as (

    select
        scanned_columns.model_name,
        scanned_columns.column_name,
        occurrences.protected_value,
        count(*) as distinct_texts_with_value
    from cells_with_value as occurrences
    inner join scanned_columns
        on occurrences.column_number = scanned_columns.column_number
    group by scanned_columns.model_name, scanned_columns.column_name, occurrences.protected_value

)

select * from found
