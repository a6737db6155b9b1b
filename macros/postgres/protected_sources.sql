{#- PostgreSQL versions of macros/protected_sources.sql. civcas_normal_form is the PL/Python
    function civcas postgres-setup creates from civcas/normal_form.py (the same rule as the
    DuckDB plugin's); civcas_json_with_field_replaced writes JSON as DuckDB's json_merge_patch
    does (civcas/duckdb_hash.py). -#}

{% macro postgres__json_text_field(json_expr, key) -%}
    (cast({{ json_expr }} as json) ->> '{{ key }}')
{%- endmacro %}

{% macro postgres__json_with_field_replaced(json_expr, key, value_expr) -%}
    civcas_json_with_field_replaced({{ json_expr }}, '{{ key }}', {{ value_expr }})
{%- endmacro %}

{% macro postgres__match_normal_form(expr) -%}
    case
        when {{ postgres_regexp_full_match(expr, "'[\\x20-\\x24\\x27-\\x5b\\x5d-\\x7e]*'") }}
            then {{ trim_text("case when strpos(" ~ expr ~ ", '  ') > 0 then regexp_replace(lower(" ~ expr ~ "), ' {2,}', ' ', 'g') else lower(" ~ expr ~ ") end") }}
        else civcas_normal_form({{ expr }})
    end
{%- endmacro %}

{#- DuckDB's range(1, 2^k) (1 to 2^k - 1) and 2^(n-1) - 1, once each. -#}
{% macro postgres__gap_removal_masks(word_count_expr) -%}
    array(
        select generated_mask
        from generate_series(1, cast(pow(2, least({{ word_count_expr }} - 1, {{ spaced_value_max_gaps() }})) as bigint) - 1) as generated_mask
        union
        select cast(pow(2, {{ word_count_expr }} - 1) as bigint) - 1
    )
{%- endmacro %}

{% macro postgres__words_joined_with_gaps_removed(words_expr, mask_expr) -%}
    coalesce((
        select string_agg(
            ({{ words_expr }})[word_number] || case
                when word_number < cardinality({{ words_expr }}) and (({{ mask_expr }} >> (word_number - 1)) & 1) = 0 then ' '
                else ''
            end, '' order by word_number)
        from generate_series(1, cardinality({{ words_expr }})) as word_number
    ), '')
{%- endmacro %}

{% macro postgres__word_token_list(expr) -%}
    regexp_split_to_array({{ expr }}, {{ postgres_regex("'[^" ~ protected_word_characters() ~ "]+'") }})
{%- endmacro %}

{% macro postgres__is_word_character(char_expr) -%}
    {{ postgres_regexp_full_match(char_expr, "'[" ~ protected_word_characters() ~ "]'") }}
{%- endmacro %}

{#- Two set-returning functions in one select list run in step, the shorter padded with null,
    as DuckDB's two unnests. -#}
{% macro postgres__tokens_with_next(list_expr) -%}
    unnest({{ list_expr }}) as token,
    unnest(({{ list_expr }})[2:]) as next_token
{%- endmacro %}

{% macro postgres__unnest_pair(first_expr, second_expr) -%}
    unnest(array[{{ first_expr }}, {{ second_expr }}])
{%- endmacro %}

{% macro postgres__integer_series(start_expr, end_expr) -%}
    generate_series({{ start_expr }}, {{ end_expr }})
{%- endmacro %}

{#- DuckDB's arg_min skips the rows whose value is null. -#}
{% macro postgres__arg_min_by(value_expr, order_exprs) -%}
    (array_agg({{ value_expr }} order by {{ order_exprs | join(', ') }}) filter (where {{ value_expr }} is not null))[1]
{%- endmacro %}
