{#- Spark versions of macros/protected_sources.sql. -#}

{#- JSON null and an absent key are null. -#}
{% macro spark__json_text_field(json_expr, key) -%}
    get_json_object({{ json_expr }}, '$.{{ key }}')
{%- endmacro %}

{#- The raw record is an object of texts: read as a map (which keeps the keys' order), the
    key removed and added at the end with its new value, as json_merge_patch does. -#}
{% macro spark__json_with_field_replaced(json_expr, key, value_expr) -%}
    to_json(map_concat(
        map_filter(from_json({{ json_expr }}, 'map<string,string>'), (field_key, field_value) -> field_key <> '{{ key }}'),
        map('{{ key }}', cast({{ value_expr }} as string))
    ))
{%- endmacro %}

{% macro spark__match_normal_form(expr) -%}
    case
        when {{ spark_regex_full_match(expr, "'[\\x20-\\x24\\x27-\\x5b\\x5d-\\x7e]*'") }}
            then trim(both {{ spark_space_separators() }} from case when contains({{ expr }}, '  ') then regexp_replace(lower({{ expr }}), ' {2,}', ' ') else lower({{ expr }}) end)
        else civcas_normal_form({{ expr }})
    end
{%- endmacro %}

{#- range() of DuckDB is empty when its bounds are in the wrong order; sequence() is not. -#}
{% macro spark__gap_removal_masks(word_count_expr) -%}
    array_distinct(concat(
        case
            when cast(pow(2, least({{ word_count_expr }} - 1, {{ spaced_value_max_gaps() }})) as bigint) > 1
                then sequence(cast(1 as bigint), cast(pow(2, least({{ word_count_expr }} - 1, {{ spaced_value_max_gaps() }})) as bigint) - 1)
            else cast(array() as array<bigint>)
        end,
        array(cast(pow(2, {{ word_count_expr }} - 1) as bigint) - 1)
    ))
{%- endmacro %}

{% macro spark__words_joined_with_gaps_removed(words_expr, mask_expr) -%}
    array_join(transform({{ words_expr }}, (word, word_index) -> word || case
        when word_index < size({{ words_expr }}) - 1 and (shiftright({{ mask_expr }}, word_index) & 1) = 0 then ' '
        else ''
    end), '')
{%- endmacro %}

{% macro spark__word_token_list(expr) -%}
    split({{ expr }}, {{ spark_regex("'[^" ~ protected_word_characters() ~ "]+'") }}, -1)
{%- endmacro %}

{% macro spark__is_word_character(char_expr) -%}
    {{ spark_regex_full_match(char_expr, "'[" ~ protected_word_characters() ~ "]'") }}
{%- endmacro %}

{#- Two generators zipped (DuckDB's unnests of one select list run side by side; Spark's
    would multiply): arrays_zip pads the shorter list with null. -#}
{% macro spark__tokens_with_next(list_expr) -%}
    inline(arrays_zip({{ list_expr }}, slice({{ list_expr }}, 2, greatest(size({{ list_expr }}), 1)))) as (token, next_token)
{%- endmacro %}

{% macro spark__unnest_pair(first_expr, second_expr) -%}
    explode(array({{ first_expr }}, {{ second_expr }}))
{%- endmacro %}

{% macro spark__integer_series(start_expr, end_expr) -%}
    explode(case when ({{ start_expr }}) <= ({{ end_expr }}) then sequence({{ start_expr }}, {{ end_expr }}) end)
{%- endmacro %}

{#- DuckDB's arg_min skips rows whose value is null; min_by would return it. -#}
{% macro spark__arg_min_by(value_expr, order_exprs) -%}
    min_by({{ value_expr }}, struct({{ order_exprs | join(', ') }})) filter (where {{ value_expr }} is not null)
{%- endmacro %}

{% macro spark__list_rows(list_expr) -%}
    explode({{ list_expr }})
{%- endmacro %}
