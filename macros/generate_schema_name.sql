{#- Custom schemas are used as-is (raw, reference, ...) rather than prefixed with the
    target schema, so analysts see short, stable names: raw.raw_claims, main.fct_incidents. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
