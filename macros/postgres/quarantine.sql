{#- PostgreSQL versions of macros/quarantine.sql. -#}

{#- A hashable equality (coalesced to '') and a check that both or neither are null. -#}
{% macro postgres__null_safe_equals(left, right) -%}
    (coalesce({{ left }}, '') = coalesce({{ right }}, '') and ({{ left }} is null) = ({{ right }} is null))
{%- endmacro %}
