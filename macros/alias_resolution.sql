{#- Alias resolution through the reference seeds. The alias seeds have a unique
    normalised alias (tested), so each look-up returns at most one id. -#}

{#- Resolve `expr` through an alias seed with columns (alias, <id_column>). -#}
{% macro resolve_alias(alias_seed, id_column, expr) -%}
    {{ resolve_alias_to(alias_seed, id_column, expr) }}
{%- endmacro %}

{#- The same, for an alias seed whose target column is not an id (e.g. a canonical name). -#}
{% macro resolve_alias_to(alias_seed, target_column, expr) -%}
    (
        select aliases.{{ target_column }}
        from {{ ref(alias_seed) }} as aliases
        where {{ normalise_key('aliases.alias') }} = {{ normalise_key(expr) }}
    )
{%- endmacro %}

{#- Resolve a controlled-vocabulary value (grade, verdict, strike status, ...) through
    ref_code_aliases. -#}
{% macro resolve_code(code_set, expr) -%}
    (
        select code_aliases.code
        from {{ ref('ref_code_aliases') }} as code_aliases
        where
            code_aliases.code_set = '{{ code_set }}'
            and {{ normalise_key('code_aliases.alias') }} = {{ normalise_key(expr) }}
    )
{%- endmacro %}
