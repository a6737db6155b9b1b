{#- translate and replace are PostgreSQL's too, with the same rules (a character of the first
    list without a partner in the second is dropped). -#}
{% macro postgres__script_transliteration(expr) -%}
    {{ default__script_transliteration(expr) }}
{%- endmacro %}
