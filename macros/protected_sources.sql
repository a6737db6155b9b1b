{#- Protected sources: people whose identity must never be published. Their names, handles
    and links live only in the `restricted` schema (models/restricted); everything else
    shows a marker in their place. -#}

{#- The text that stands in for a withheld value. -#}
{% macro withheld_marker() -%}
    '[withheld: protected source]'
{%- endmacro %}

{#- The raw fields that identify a source or lead to it, per raw table. A quarantined row of
    a protected source has these withheld outside the `restricted` schema. -#}
{% macro protected_raw_fields() -%}
    {%- do return({
        'raw_sources': ['source_name', 'source_handle', 'source_url'],
        'raw_claims': ['report_url', 'archive_url'],
    }) -%}
{%- endmacro %}

{#- One field of a JSON object (JSON text) as text; null when the key is absent or null. -#}
{% macro json_text_field(json_expr, key) -%}
    {{ return(adapter.dispatch('json_text_field', 'civcas')(json_expr, key)) }}
{%- endmacro %}

{% macro default__json_text_field(json_expr, key) -%}
    json_extract_string({{ json_expr }}, '$.{{ key }}')
{%- endmacro %}

{#- `json_expr` (JSON text of an object) with the value of each key in `keys` replaced by
    the withheld marker. A key that is absent or null stays as it is, so the record still
    shows which fields were empty. -#}
{% macro json_fields_withheld(json_expr, keys) -%}
    {%- set masked = namespace(expr=json_expr) -%}
    {%- for key in keys -%}
        {%- set masked.expr -%}
            case
                when {{ json_text_field(masked.expr, key) }} is null then {{ masked.expr }}
                else {{ json_with_field_replaced(masked.expr, key, withheld_marker()) }}
            end
        {%- endset -%}
    {%- endfor -%}
    {{ masked.expr }}
{%- endmacro %}

{#- `json_expr` with the value of `key` set to the text `value_expr`. DuckDB's
    json_merge_patch (RFC 7396); the replaced key moves to the end of the object. -#}
{% macro json_with_field_replaced(json_expr, key, value_expr) -%}
    {{ return(adapter.dispatch('json_with_field_replaced', 'civcas')(json_expr, key, value_expr)) }}
{%- endmacro %}

{% macro default__json_with_field_replaced(json_expr, key, value_expr) -%}
    cast(json_merge_patch({{ json_expr }}, json_object('{{ key }}', {{ value_expr }})) as varchar)
{%- endmacro %}

{#- Whole-token matching of protected values (doc block `protected_value_match`).

    Values and texts are compared in one normal form (macro match_normal_form). A word
    character is a Unicode letter, combining mark or number, or `_`; anything else
    (space, punctuation, `@`, `/`, `?`, `.`, Arabic punctuation, ...) separates words. A
    protected value occurs in a text where the text contains it and the match does not cut
    a word: when the value begins with a word character, the character before the match
    is not one (or the text starts there); when it ends with one, the character after is
    not one (or the text ends there). So '@demo_medic_92' occurs in 'see @demo_medic_92, ...'
    and in 'https://x.example/@demo_medic_92/status/1', but not in '@demo_medic_92_4';
    'https://x.example/a' occurs before '/status/1' or '?q=1', not in 'https://x.example/ab'.
    A value that begins or ends with a separator ('@jane', 'https://x.example/') is not
    bounded on that side. A value without any letter or number identifies no one and is not
    searched.

    The search is a join, not a comparison of every text with every value (which grows with
    texts times values): each value is cut into word tokens and gets one anchor, the token or
    pair of adjacent tokens that the fewest values share (then the longest); each text is cut
    into tokens the same way; texts and values meet on the anchor (a hash join), and only
    those few pairs are checked for a bounded occurrence, at every place the value starts in
    the text (so an occurrence that overlaps another is not missed). At a bounded occurrence
    every token of the value is a whole token of the text, so the join loses none.
    civcas/protection.py applies the same rule to release files and the published database. -#}

{#- The word characters, as the inside of a regular-expression character class. -#}
{% macro protected_word_characters() -%}
    \pL\pM\pN_
{%- endmacro %}

{#- `expr` in the normal form in which protected values and texts are compared (doc block
    `protected_value_match`). The rule is one Python function, civcas.normal_form.normal_form:
    escapes undone (HTML, JSON, URL), NFKC and case folding, invisible characters removed
    (format characters, tatweel, ...), look-alike letters of other scripts read as the ASCII
    they imitate (Cyrillic 'а', Greek 'ο'; never Arabic), every Unicode space one space,
    trimmed. dbt calls it as
    the DuckDB function civcas_normal_form, which the dbt-duckdb plugin civcas.duckdb_plugin
    registers (profiles.yml). Plain printable ASCII without '%', '&' or '\' (most texts) takes
    a fast path in SQL with the same result: lower case, runs of spaces collapsed, trimmed
    (the look-alike step changes only non-ASCII characters; tests/python/test_protection.py
    compares the two). -#}
{% macro match_normal_form(expr) -%}
    {{ return(adapter.dispatch('match_normal_form', 'civcas')(expr)) }}
{%- endmacro %}

{% macro default__match_normal_form(expr) -%}
    case
        when regexp_full_match({{ expr }}, '[\x20-\x24\x27-\x5b\x5d-\x7e]*')
            then trim(case when contains({{ expr }}, '  ') then regexp_replace(lower({{ expr }}), ' {2,}', ' ', 'g') else lower({{ expr }}) end)
        else civcas_normal_form({{ expr }})
    end
{%- endmacro %}

{#- The key on which source ids are compared when deciding whether a row belongs to a
    protected source: the normal form, so that ' src0155 ' and 'SRC0155' are one source. -#}
{% macro source_id_match_key(expr) -%}
    {{ match_normal_form(expr) }}
{%- endmacro %}

{#- A protected value of several words is also looked for with some of its spaces removed,
    since an invisible character may stand where any one space was ("Jane Mary<zero-width
    space>Doe" reads as "jane marydoe"): every choice of the gaps between its words, for the
    first max_gaps() gaps (2^n - 1 spellings), and all of them removed for a longer value. -#}
{% macro spaced_value_max_gaps() -%}
    6
{%- endmacro %}

{#- The gap choices of a value of `word_count_expr` words, as a list of bit masks (bit i set:
    the space after word i + 1 is removed). -#}
{% macro gap_removal_masks(word_count_expr) -%}
    {{ return(adapter.dispatch('gap_removal_masks', 'civcas')(word_count_expr)) }}
{%- endmacro %}

{% macro default__gap_removal_masks(word_count_expr) -%}
    list_distinct(list_concat(
        range(1, cast(pow(2, least({{ word_count_expr }} - 1, {{ spaced_value_max_gaps() }})) as bigint)),
        [cast(pow(2, {{ word_count_expr }} - 1) as bigint) - 1]
    ))
{%- endmacro %}

{#- The words of the list `words_expr` joined by single spaces, except at the gaps whose bit is
    set in `mask_expr` (macro gap_removal_masks), where they are joined with nothing. -#}
{% macro words_joined_with_gaps_removed(words_expr, mask_expr) -%}
    {{ return(adapter.dispatch('words_joined_with_gaps_removed', 'civcas')(words_expr, mask_expr)) }}
{%- endmacro %}

{% macro default__words_joined_with_gaps_removed(words_expr, mask_expr) -%}
    array_to_string(list_transform(
        range(1, len({{ words_expr }}) + 1),
        word_number -> {{ words_expr }}[word_number] || case
            when word_number < len({{ words_expr }}) and (({{ mask_expr }} >> (word_number - 1)) & 1) = 0 then ' '
            else ''
        end
    ), '')
{%- endmacro %}

{#- The words of `expr` as a list, cut at every run of non-word characters (the first or
    last item is '' when the text starts or ends with a separator). -#}
{% macro word_token_list(expr) -%}
    {{ return(adapter.dispatch('word_token_list', 'civcas')(expr)) }}
{%- endmacro %}

{% macro default__word_token_list(expr) -%}
    string_split_regex({{ expr }}, '[^{{ protected_word_characters() }}]+')
{%- endmacro %}

{#- True when `char_expr` is one word character (false for ''). -#}
{% macro is_word_character(char_expr) -%}
    {{ return(adapter.dispatch('is_word_character', 'civcas')(char_expr)) }}
{%- endmacro %}

{% macro default__is_word_character(char_expr) -%}
    regexp_full_match({{ char_expr }}, '[{{ protected_word_characters() }}]')
{%- endmacro %}

{#- Two select-list items: one row per item of the list column `list_expr` as `token`,
    with the item after it as `next_token` (null for the last). Give a column, not an
    expression: it is written twice. -#}
{% macro tokens_with_next(list_expr) -%}
    {{ return(adapter.dispatch('tokens_with_next', 'civcas')(list_expr)) }}
{%- endmacro %}

{% macro default__tokens_with_next(list_expr) -%}
    unnest({{ list_expr }}) as token,
    unnest(({{ list_expr }})[2:]) as next_token
{%- endmacro %}

{#- A select-list item: one row for each of the two expressions, as one column. -#}
{% macro unnest_pair(first_expr, second_expr) -%}
    {{ return(adapter.dispatch('unnest_pair', 'civcas')(first_expr, second_expr)) }}
{%- endmacro %}

{% macro default__unnest_pair(first_expr, second_expr) -%}
    unnest([{{ first_expr }}, {{ second_expr }}])
{%- endmacro %}

{#- A select-list item: one row per integer from `start_expr` to `end_expr` inclusive. -#}
{% macro integer_series(start_expr, end_expr) -%}
    {{ return(adapter.dispatch('integer_series', 'civcas')(start_expr, end_expr)) }}
{%- endmacro %}

{% macro default__integer_series(start_expr, end_expr) -%}
    unnest(range({{ start_expr }}, {{ end_expr }} + 1))
{%- endmacro %}

{#- An aggregate: the `value_expr` of the row with the smallest `order_exprs` (a list of
    expressions, compared in order). -#}
{% macro arg_min_by(value_expr, order_exprs) -%}
    {{ return(adapter.dispatch('arg_min_by', 'civcas')(value_expr, order_exprs)) }}
{%- endmacro %}

{% macro default__arg_min_by(value_expr, order_exprs) -%}
    arg_min({{ value_expr }}, row({{ order_exprs | join(', ') }}))
{%- endmacro %}

{#- A select statement (for a CTE body): one row per text of `texts` and protected value of
    `protected_values` (a relation with a `protected_value` column) that occurs in it as
    whole tokens. `text_column` is the column of `texts` searched; the result has the
    columns `key_columns` of `texts` (which name the text) and `protected_value`. Cut each
    text once: give one relation (e.g. `select distinct ...` over a union), so that the
    tokenising expression runs in one pipeline. -#}
{% macro protected_value_occurrences(texts, text_column, key_columns, protected_values) -%}
    {%- set keys = key_columns | join(', ') -%}
    with

    protected_needles as (

        select distinct
            protected_value,
            {{ match_normal_form('protected_value') }} as needle
        from {{ protected_values }}
        where protected_value is not null

    ),

    needle_tokens as (

        select
            needle,
            token,
            next_token
        from (
            select
                needle,
                {{ tokens_with_next('needle_token_list') | indent(16) }}
            from (
                select
                    needle,
                    {{ word_token_list('needle') }} as needle_token_list
                from (select distinct needle from protected_needles) as distinct_needles
            ) as listed
        ) as cut
        where token <> ''

    ),

    needle_keys as (

        -- every token of a value, and every pair of adjacent tokens, as a candidate anchor
        select
            needle,
            token as anchor_token,
            cast(null as {{ dbt.type_string() }}) as anchor_next_token,
            token as anchor_key,
            1 as key_tokens,
            length(token) as key_length
        from needle_tokens
        union all
        select
            needle,
            token as anchor_token,
            next_token as anchor_next_token,
            token || ' ' || next_token as anchor_key,
            2 as key_tokens,
            length(token) + length(next_token) as key_length
        from needle_tokens
        where next_token <> ''

    ),

    key_spread as (

        select
            anchor_key,
            count(distinct needle) as needles_sharing_key
        from needle_keys
        group by anchor_key

    ),

    anchors as (

        -- per value, the key the fewest values share; then a pair before a single token, the
        -- longer, and the first in order (the choice changes the speed, never the result)
        {%- set anchor_order = [
            'key_spread.needles_sharing_key',
            '-needle_keys.key_tokens',
            '-needle_keys.key_length',
            'needle_keys.anchor_key',
        ] %}
        select
            needle_keys.needle,
            {{ arg_min_by('needle_keys.anchor_token', anchor_order) }} as anchor_token,
            {{ arg_min_by('needle_keys.anchor_next_token', anchor_order) }} as anchor_next_token
        from needle_keys
        inner join key_spread
            on needle_keys.anchor_key = key_spread.anchor_key
        group by needle_keys.needle

    ),

    single_token_anchors as (

        select
            needle,
            anchor_token
        from anchors
        where anchor_next_token is null

    ),

    token_pair_anchors as (

        select
            needle,
            anchor_token,
            anchor_next_token
        from anchors
        where anchor_next_token is not null

    ),

    text_tokens as (

        select
            {{ keys }},
            matched_text,
            {{ tokens_with_next('text_token_list') | indent(12) }}
        from (
            select
                {{ keys }},
                matched_text,
                {{ word_token_list('matched_text') }} as text_token_list
            from (
                select
                    {{ keys }},
                    {{ match_normal_form(text_column) }} as matched_text
                from {{ texts }}
                where {{ text_column }} is not null
            ) as normalised
        ) as cut

    ),

    anchored_tokens as (

        -- each token of a text meets the anchors that are that token, or that token and the
        -- next (two joins in one pass over the tokens)
        select
            {% for key in key_columns -%}
                text_tokens.{{ key }},
            {% endfor -%}
            text_tokens.matched_text,
            single_token_anchors.needle as single_token_needle,
            token_pair_anchors.needle as token_pair_needle
        from text_tokens
        left join single_token_anchors
            on text_tokens.token = single_token_anchors.anchor_token
        left join token_pair_anchors
            on
                text_tokens.token = token_pair_anchors.anchor_token
                and text_tokens.next_token = token_pair_anchors.anchor_next_token
        where
            text_tokens.token <> ''
            and (single_token_anchors.needle is not null or token_pair_anchors.needle is not null)

    ),

    text_needles as (

        select
            {{ keys }},
            matched_text,
            {{ unnest_pair('single_token_needle', 'token_pair_needle') }} as needle
        from anchored_tokens

    ),

    candidates as (

        select distinct
            {{ keys }},
            matched_text,
            needle
        from text_needles
        where needle is not null

    ),

    containing as (

        select
            {{ keys }},
            matched_text,
            needle
        from candidates
        where {{ dbt.position('needle', 'matched_text') }} > 0

    ),

    starts as (

        -- every place the value may start (occurrences may overlap)
        select
            {{ keys }},
            matched_text,
            needle,
            {{ integer_series('1', 'length(matched_text) - length(needle) + 1') }} as start_position
        from containing

    ),

    occurrences as (

        select distinct
            {{ keys }},
            needle
        from starts
        where
            substr(matched_text, start_position, length(needle)) = needle
            and (
                start_position = 1
                or not {{ is_word_character('left(needle, 1)') }}
                or not {{ is_word_character('substr(matched_text, start_position - 1, 1)') }}
            )
            and not (
                {{ is_word_character('right(needle, 1)') }}
                and {{ is_word_character('substr(matched_text, start_position + length(needle), 1)') }}
            )

    )

    select
        {% for key in key_columns -%}
            occurrences.{{ key }},
        {% endfor -%}
        protected_needles.protected_value
    from occurrences
    inner join protected_needles
        on occurrences.needle = protected_needles.needle
{%- endmacro %}

{#- A select-list item: one row per element of the list `list_expr`. -#}
{% macro list_rows(list_expr) -%}
    {{ return(adapter.dispatch('list_rows', 'civcas')(list_expr)) }}
{%- endmacro %}

{% macro default__list_rows(list_expr) -%}
    unnest({{ list_expr }})
{%- endmacro %}
