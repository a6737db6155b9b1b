{#- Seeds on Spark. dbt-spark's session method substitutes each seed value into the insert
    unquoted (`sql % bindings`), which breaks on any text: here each value is written as a
    literal, typed by the seed's column_types in Spark's words (civcas_typed_columns). The
    values are agate's, as dbt read the CSV: an empty field is null, as DuckDB's COPY reads it
    in the demo (whose files have no quoted empty field and no field spelt 'null', which agate
    alone would read as null). -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = civcas_typed_columns(model['config'].get('column_types', {})) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- do types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(500) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    cast({{ civcas_seed_literal(value) }} as {{ types[loop.index0] }}){%- if not loop.last %}, {% endif -%}
                {%- endfor -%}){%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}

{#- One agate value as a Spark SQL literal. -#}
{% macro civcas_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is sameas true -%}
        true
    {%- elif value is sameas false -%}
        false
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        {{ spark_string_literal(value | string) }}
    {%- endif -%}
{%- endmacro %}
