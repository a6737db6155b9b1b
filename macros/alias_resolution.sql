{#- Alias resolution through the reference seeds. The alias seeds have a unique
    normalised alias (tested), so each look-up returns at most one id. -#}

{#- A look-up as a join, for a staging model's from clause: resolve `expr` through
    an alias seed with columns (alias, <target_column>), and select
    <join_alias>.<target_column>. A correlated subquery in the select list makes DuckDB copy
    every row (all its columns) once per look-up; a left join on the small seed streams. The
    seeds' normalised aliases are unique (tests/singular/assert_aliases_unique_after_normalisation.sql),
    so a join never adds a row. -#}
{% macro alias_join(alias_seed, target_column, expr, join_alias, is_clean=false) -%}
    left join (
        select
            {{ normalise_key('aliases.alias') }} as alias_key,
            aliases.{{ target_column }}
        from {{ ref(alias_seed) }} as aliases
    ) as {{ join_alias }}
        on {{ written_key(expr, is_clean) }} = {{ join_alias }}.alias_key
{%- endmacro %}

{#- The key a written value is looked up on: normalise_key, or only lower() when `expr` is
    already clean_text's (a staging model that cleans a text once, then looks it up). -#}
{% macro written_key(expr, is_clean=false) -%}
    {%- if is_clean -%}
    lower({{ expr }})
    {%- else -%}
    {{ normalise_key(expr) }}
    {%- endif -%}
{%- endmacro %}

{#- A controlled-vocabulary look-up through ref_code_aliases as a join (see alias_join);
    select <join_alias>.code. -#}
{% macro code_join(code_set, expr, join_alias, is_clean=false) -%}
    left join (
        select
            {{ normalise_key('code_aliases.alias') }} as alias_key,
            code_aliases.code
        from {{ ref('ref_code_aliases') }} as code_aliases
        where code_aliases.code_set = '{{ code_set }}'
    ) as {{ join_alias }}
        on {{ written_key(expr, is_clean) }} = {{ join_alias }}.alias_key
{%- endmacro %}

{#- Look-ups on the place key (macros/place_keys.sql), for a staging model of rows with
    place_as_written and governorate_as_written (`source_alias`). The keys are computed once
    per distinct name (place_key_columns), not once per row. A spelling that no alias matches
    exactly resolves through the core key of the gazetteer's names
    (stg_reference__gazetteer_keys), unless that key is shared by two places, or the name
    names an area: "Bab", "El-Bab", "AlBab" and "Al Bab" resolve to al_bab; "Idlib
    countryside" is not idlib_city. A governorate resolves on its match key, a spelling of
    the name itself ("Al Hassakah", "Hasakeh", "الحسكة" without an alias of their own);
    "Idlib countryside", "Idlib Province" or "Idlib, Hama" stay unresolved (and are
    quarantined as unknown_governorate). -#}
{% macro place_and_governorate_key_ctes(source_alias, is_clean=false) -%}
written_names as (

    select {{ cleaned_text(source_alias ~ '.place_as_written', is_clean) }} as name_as_written from {{ source_alias }}
    union
    select {{ cleaned_text(source_alias ~ '.governorate_as_written', is_clean) }} as name_as_written from {{ source_alias }}

),

name_keys as (

    {{ place_key_columns('written_names', 'name_as_written') }}

),

gazetteer_keys as (

    select distinct
        gazetteer_kind,
        lookup_key,
        gazetteer_id,
        governorate_id
    from {{ ref('stg_reference__gazetteer_keys') }}
    where lookup_key is not null and not is_lookup_key_ambiguous

)
{%- endmacro %}

{#- `expr` through clean_text, unless it is clean already. -#}
{% macro cleaned_text(expr, is_clean=false) -%}
    {%- if is_clean -%}{{ expr }}{%- else -%}{{ clean_text(expr) }}{%- endif -%}
{%- endmacro %}

{#- The joins of those look-ups (after place_and_governorate_key_ctes), for the from clause,
    after the exact alias join of the governorate (`governorate_aliases`). A place resolves on
    its key only within the row's governorate when the row names one: "al Ramadi" in a Syrian
    governorate is not Ramadi in Anbar. -#}
{% macro place_key_joins(source_alias, governorate_aliases, place_keys, places_by_key, governorate_keys, governorates_by_key, is_clean=false) -%}
    left join name_keys as {{ governorate_keys }}
        on {{ cleaned_text(source_alias ~ '.governorate_as_written', is_clean) }} = {{ governorate_keys }}.place_name
    left join gazetteer_keys as {{ governorates_by_key }}
        on
            {{ governorates_by_key }}.gazetteer_kind = 'governorate'
            and {{ governorate_keys }}.place_match_key = {{ governorates_by_key }}.lookup_key
    left join name_keys as {{ place_keys }}
        on {{ cleaned_text(source_alias ~ '.place_as_written', is_clean) }} = {{ place_keys }}.place_name
    -- Every condition an equality of the two sides, so that DuckDB joins on a hash rather than
    -- a nested loop: a place is listed once for its own governorate and once for any ('*'),
    -- which a row that names no governorate matches.
    left join (
        select
            lookup_key,
            gazetteer_id,
            governorate_id as governorate_scope
        from gazetteer_keys
        where gazetteer_kind = 'place'
        union all
        select
            lookup_key,
            gazetteer_id,
            '*' as governorate_scope
        from gazetteer_keys
        where gazetteer_kind = 'place'
    ) as {{ places_by_key }}
        on
            -- an area ("Idlib countryside") is not the town it is named after
            case
                when not {{ place_keys }}.place_is_area then {{ place_keys }}.place_core_match_key
            end = {{ places_by_key }}.lookup_key
            and coalesce({{ governorate_aliases }}.governorate_id, {{ governorates_by_key }}.gazetteer_id, '*')
            = {{ places_by_key }}.governorate_scope
{%- endmacro %}

{#- The place key columns of a row, from its place_key_columns() join. -#}
{% macro place_key_select_columns(place_keys) -%}
    {{ place_keys }}.place_match_key,
    {{ place_keys }}.place_core_match_key,
    {{ place_keys }}.place_container_match_key,
    {{ place_keys }}.place_skeleton_key,
    coalesce({{ place_keys }}.place_is_area, false) as place_is_area
{%- endmacro %}
