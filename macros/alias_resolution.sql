{#- Alias resolution through the reference seeds. The alias seeds have a unique
    normalised alias (tested), so each look-up returns at most one id. -#}

{#- A look-up as a join, for a staging model's from clause: resolve `expr` through
    an alias seed with columns (alias, <target_column>), and select
    <join_alias>.<target_column>. A correlated subquery in the select list makes DuckDB copy
    every row (all its columns) once per look-up; a left join on the small seed streams. The
    seeds' normalised aliases are unique (tests/singular/assert_aliases_unique_after_normalisation.sql),
    so a join never adds a row. -#}
{% macro alias_join(alias_seed, target_column, expr, join_alias) -%}
    left join (
        select
            {{ normalise_key('aliases.alias') }} as alias_key,
            aliases.{{ target_column }}
        from {{ ref(alias_seed) }} as aliases
    ) as {{ join_alias }}
        on {{ normalise_key(expr) }} = {{ join_alias }}.alias_key
{%- endmacro %}

{#- A controlled-vocabulary look-up through ref_code_aliases as a join (see alias_join);
    select <join_alias>.code. -#}
{% macro code_join(code_set, expr, join_alias) -%}
    left join (
        select
            {{ normalise_key('code_aliases.alias') }} as alias_key,
            code_aliases.code
        from {{ ref('ref_code_aliases') }} as code_aliases
        where code_aliases.code_set = '{{ code_set }}'
    ) as {{ join_alias }}
        on {{ normalise_key(expr) }} = {{ join_alias }}.alias_key
{%- endmacro %}
