{#- Protected sources: people whose identity must never be published. Their names, handles
    and links live only in the `restricted` schema (models/restricted); everything else
    shows a marker in their place. -#}

{#- The text that stands in for a withheld value. -#}
{% macro withheld_marker() -%}
    '[withheld: protected source]'
{%- endmacro %}

{#- The raw fields that identify a source or lead to it, per raw table. A quarantined row of
    a protected source has these withheld outside the `restricted` schema. -#}
{% macro protected_raw_fields() -%}
    {%- do return({
        'raw_sources': ['source_name', 'source_handle', 'source_url'],
        'raw_claims': ['report_url', 'archive_url'],
    }) -%}
{%- endmacro %}

{#- One field of a JSON object (JSON text) as text; null when the key is absent or null. -#}
{% macro json_text_field(json_expr, key) -%}
    {{ return(adapter.dispatch('json_text_field', 'civcas')(json_expr, key)) }}
{%- endmacro %}

{% macro default__json_text_field(json_expr, key) -%}
    json_extract_string({{ json_expr }}, '$.{{ key }}')
{%- endmacro %}

{#- `json_expr` (JSON text of an object) with the value of each key in `keys` replaced by
    the withheld marker. A key that is absent or null stays as it is, so the record still
    shows which fields were empty. -#}
{% macro json_fields_withheld(json_expr, keys) -%}
    {%- set masked = namespace(expr=json_expr) -%}
    {%- for key in keys -%}
        {%- set masked.expr -%}
            case
                when {{ json_text_field(masked.expr, key) }} is null then {{ masked.expr }}
                else {{ json_with_field_replaced(masked.expr, key, withheld_marker()) }}
            end
        {%- endset -%}
    {%- endfor -%}
    {{ masked.expr }}
{%- endmacro %}

{#- `json_expr` with the value of `key` set to the text `value_expr`. DuckDB's
    json_merge_patch (RFC 7396); the replaced key moves to the end of the object. -#}
{% macro json_with_field_replaced(json_expr, key, value_expr) -%}
    {{ return(adapter.dispatch('json_with_field_replaced', 'civcas')(json_expr, key, value_expr)) }}
{%- endmacro %}

{% macro default__json_with_field_replaced(json_expr, key, value_expr) -%}
    cast(json_merge_patch({{ json_expr }}, json_object('{{ key }}', {{ value_expr }})) as varchar)
{%- endmacro %}

{#- True when `text_expr` contains `value_expr`, ignoring case: the test for a protected
    value appearing in a text. -#}
{% macro contains_text(text_expr, value_expr) -%}
    ({{ dbt.position('lower(' ~ value_expr ~ ')', 'lower(' ~ text_expr ~ ')') }} > 0)
{%- endmacro %}
