{#- The project's column types, one place. Seeds (column_types), contracts (data_type) and the
    models' casts name a type as DuckDB does: varchar, double, bigint, integer, boolean, date,
    timestamp. `civcas_type` gives the same type in the engine's words: PostgreSQL has no
    `double`, Spark no `varchar` without a length. dbt's own macros that write a declared
    type into SQL (cast in a contract check, a contracted table's DDL, a seed's create table)
    are overridden below for PostgreSQL and Spark to pass it through `civcas_type`. -#}

{% macro civcas_type(type_name) -%}
    {{ return(adapter.dispatch('civcas_type')(type_name)) }}
{%- endmacro %}

{% macro default__civcas_type(type_name) -%}
    {{ return(type_name) }}
{%- endmacro %}

{% macro postgres__civcas_type(type_name) -%}
    {%- set words = {'double': 'double precision', 'varchar[]': 'text[]', 'double[]': 'double precision[]'} -%}
    {{ return(words.get(type_name | trim | lower, type_name)) }}
{%- endmacro %}

{% macro spark__civcas_type(type_name) -%}
    {%- set words = {
        'varchar': 'string', 'text': 'string', 'varchar[]': 'array<string>',
        'bigint[]': 'array<bigint>', 'integer[]': 'array<int>', 'double[]': 'array<double>'} -%}
    {{ return(words.get(type_name | trim | lower, type_name)) }}
{%- endmacro %}

{#- The declared types of a node's columns (model['columns'] or a seed's column_types), in
    the engine's words. -#}
{% macro civcas_typed_columns(columns) -%}
    {%- set typed = {} -%}
    {%- for name, column in columns.items() -%}
        {%- if column is mapping -%}
            {%- set copy = {} -%}
            {%- do copy.update(column) -%}
            {%- if column.get('data_type') -%}
                {%- do copy.update({'data_type': civcas_type(column['data_type'])}) -%}
            {%- endif -%}
            {%- do typed.update({name: copy}) -%}
        {%- else -%}
            {%- do typed.update({name: civcas_type(column)}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(typed) }}
{%- endmacro %}

{#- dbt's cast, which the contract check uses on each declared type. -#}
{% macro postgres__cast(field, type) -%}
    cast({{ field }} as {{ civcas_type(type) }})
{%- endmacro %}

{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ civcas_type(type) }})
{%- endmacro %}

{#- A contracted table's DDL on PostgreSQL (dbt writes the declared types as they are). -#}
{% macro postgres__get_table_columns_and_constraints() -%}
    {%- set raw_column_constraints = adapter.render_raw_columns_constraints(
        raw_columns=civcas_typed_columns(model['columns'])) -%}
    {%- set raw_model_constraints = adapter.render_raw_model_constraints(raw_constraints=model['constraints']) -%}
    (
    {% for c in raw_column_constraints -%}
        {{ c }}{{ "," if not loop.last or raw_model_constraints }}
    {% endfor %}
    {% for c in raw_model_constraints -%}
        {{ c }}{{ "," if not loop.last }}
    {% endfor -%}
    )
{%- endmacro %}

{#- A seed's table, with its column_types in the engine's words. -#}
{% macro civcas_seed_model(model) -%}
    {%- set config = {} -%}
    {%- do config.update(model['config']) -%}
    {%- do config.update({'column_types': civcas_typed_columns(model['config'].get('column_types', {}))}) -%}
    {{ return({'config': config}) }}
{%- endmacro %}

{% macro postgres__create_csv_table(model, agate_table) -%}
    {{ return(dbt.default__create_csv_table(civcas_seed_model(model), agate_table)) }}
{%- endmacro %}

{% macro spark__create_csv_table(model, agate_table) -%}
    {{ return(dbt.spark__create_csv_table(civcas_seed_model(model), agate_table)) }}
{%- endmacro %}
