{#- PostgreSQL versions of macros/incremental_refresh.sql. civcas_fail raises its message (a
    PL/pgSQL function civcas postgres-setup creates). -#}

{% macro postgres__fail_query(message_expr) -%}
    civcas_fail({{ message_expr }})
{%- endmacro %}

{% macro postgres__relation_fingerprint(relation) -%}
    (
        select cast(count(*) as varchar) || ':' || coalesce(md5(string_agg(row_hash, '' order by row_hash)), '')
        from (select md5(cast(fingerprinted as text)) as row_hash from {{ relation }} as fingerprinted) as hashed
    )
{%- endmacro %}
