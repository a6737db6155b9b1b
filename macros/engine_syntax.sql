{#- What differs between engines in a model's own syntax or configuration. -#}

{#- The materialization of the claim chain's incremental models (macros/incremental_refresh.sql).
    Spark's Parquet tables cannot delete rows, which a refresh needs: there the chain is
    rebuilt in full on every run (a table), never appended to twice. -#}
{% macro claim_chain_materialization() -%}
    {{ return(adapter.dispatch('claim_chain_materialization', 'civcas')()) }}
{%- endmacro %}

{% macro default__claim_chain_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro spark__claim_chain_materialization() -%}
    {{ return('table') }}
{%- endmacro %}

{#- `not materialized` for a CTE read several times that DuckDB should not buffer; Spark's
    parser has no such hint (and plans CTEs itself). -#}
{% macro cte_not_materialized() -%}
    {{ return(adapter.dispatch('cte_not_materialized', 'civcas')()) }}
{%- endmacro %}

{% macro default__cte_not_materialized() -%}
    not materialized
{%- endmacro %}

{% macro spark__cte_not_materialized() -%}
{%- endmacro %}
