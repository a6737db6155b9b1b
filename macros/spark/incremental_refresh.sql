{#- Spark versions of macros/incremental_refresh.sql. -#}

{% macro spark__fail_query(message_expr) -%}
    raise_error({{ message_expr }})
{%- endmacro %}

{#- Spark's hash is 32-bit murmur3 of the row: another number than DuckDB's, the same use (a
    change in the relation changes it). -#}
{% macro spark__relation_fingerprint(relation) -%}
    (select cast(count(*) as string) || ':' || coalesce(cast(sum(cast(hash(struct(fingerprinted.*)) as bigint)) as string), '') from {{ relation }} as fingerprinted)
{%- endmacro %}
