{#- One row per row of `relation` and belligerent named in its `list_column`. Several
    belligerents are separated by ';' or ',' (the archive writes "Russian Military, U.S.-led
    Coalition"); a blank list means the source did not say: unknown. Each name resolves
    through seeds/reference/ref_belligerent_aliases.csv (exact, case and spacing aside), else
    through the keyword rules of seeds/reference/ref_belligerent_keywords.csv (blame_keyword_
    matches: "Russian jets" -> russia, "طيران مجهول الهوية" -> unknown). A name neither
    resolves keeps a null belligerent_id, so that validation can quarantine its row.
    A list is split and resolved once per distinct text (resolve_belligerent_lists), not once
    per row: a million claims write a few hundred lists. `list_names` is a relation that
    already holds them (int_claim_belligerent_lists_resolved); without it they are resolved
    here. Used by int_claim_belligerents_resolved and int_incident_belligerents_resolved. -#}
{% macro resolve_belligerent_list(relation, list_column, key_columns, list_names=none) %}
with

listed as (

    select * from {{ relation }}

),

list_names as (

    {%- if list_names is not none %}
    select * from {{ list_names }}
    {%- else %}
    {{ resolve_belligerent_lists(relation, list_column) }}
    {%- endif %}

),

final as (

    select
        {%- for key in key_columns %}
        listed.{{ key }},
        {%- endfor %}
        list_names.belligerent_as_written,
        list_names.belligerent_id,
        list_names.belligerent_resolved_by,
        list_names.matched_keyword
    from listed
    inner join list_names
        on {{ belligerent_list_key('listed.' ~ list_column) }} = list_names.list_key

)

select * from final
{% endmacro %}

{#- A select statement: one row per distinct blame list of `relation`'s `list_column`
    (list_key, belligerent_list_key) and distinct belligerent name in it, resolved. -#}
{% macro resolve_belligerent_lists(relation, list_column) %}
with

distinct_lists as (

    select distinct {{ belligerent_list_key(list_column) }} as list_key
    from {{ relation }}

),

belligerent_aliases as (

    select * from {{ ref('ref_belligerent_aliases') }}

),

belligerent_keywords as (

    select * from {{ ref('ref_belligerent_keywords') }}

),

{{ belligerent_list_names_ctes('distinct_lists', 'list_key', 'belligerent_aliases', 'belligerent_keywords') }}

select * from list_names
{% endmacro %}

{#- The key a blame list is resolved by: the text as written; a blank list (the source did not
    say) is 'unknown'. -#}
{% macro belligerent_list_key(list_column) -%}
    coalesce({{ list_column }}, 'unknown')
{%- endmacro %}

{#- CTEs (split_names, list_names, ending without a comma) that turn the distinct lists of
    relation `lists` (column `key_column`, belligerent_list_key) into list_names: one row per
    list and distinct belligerent name in it, resolved (blame_keyword_resolution). Empty
    elements ("Russia; ;Syrian regime") name nothing and are dropped. -#}
{% macro belligerent_list_names_ctes(lists, key_column, aliases, keywords) -%}
split_names as (

    select
        {{ key_column }} as list_key,
        {{ split_to_rows_regex(key_column, "'[;,]'") }} as name_as_written
    from {{ lists }}

),

named as (

    select distinct
        list_key,
        {{ clean_text('name_as_written') }} as belligerent_as_written
    from split_names

),

distinct_names as (

    select distinct belligerent_as_written
    from named
    where belligerent_as_written is not null

),

resolved_names as (

    {{ blame_keyword_resolution('distinct_names', 'belligerent_as_written', aliases, keywords) }}

),

list_names as (

    select
        named.list_key,
        named.belligerent_as_written,
        resolved_names.belligerent_id,
        resolved_names.belligerent_resolved_by,
        resolved_names.matched_keyword
    from named
    left join resolved_names
        on named.belligerent_as_written = resolved_names.belligerent_as_written
    where named.belligerent_as_written is not null

)
{%- endmacro %}

{#- A select statement: for each distinct `name_column` of `names`, the belligerent it
    blames: by exact alias (belligerent_resolved_by 'alias'), else by the best keyword rule
    ('keyword', with matched_keyword), else none (null). The best keyword: a belligerent before
    unknown, then the longest keyword, then the belligerent id. -#}
{% macro blame_keyword_resolution(names, name_column, aliases, keywords) -%}
    select
        words.{{ name_column }},
        coalesce(alias_matches.belligerent_id, best_keywords.belligerent_id) as belligerent_id,
        case
            when alias_matches.belligerent_id is not null then 'alias'
            when best_keywords.belligerent_id is not null then 'keyword'
        end as belligerent_resolved_by,
        case when alias_matches.belligerent_id is null then best_keywords.keyword end as matched_keyword
    from (
        select
            {{ names }}.{{ name_column }},
            {{ blame_words(names ~ '.' ~ name_column) }} as name_words
        from {{ names }}
    ) as words
    left join {{ aliases }} as alias_matches
        on {{ normalise_key('alias_matches.alias') }} = {{ normalise_key('words.' ~ name_column) }}
    left join (
        select
            ranked.{{ name_column }},
            ranked.belligerent_id,
            ranked.keyword
        from (
            select
                keyword_words.{{ name_column }},
                keyword_rules.belligerent_id,
                keyword_rules.keyword,
                row_number() over (
                    partition by keyword_words.{{ name_column }}
                    order by
                        case when keyword_rules.belligerent_id = 'unknown' then 1 else 0 end,
                        length(keyword_rules.keyword_words) desc,
                        keyword_rules.belligerent_id
                ) as keyword_rank
            from (
                select
                    {{ names }}.{{ name_column }},
                    {{ blame_words(names ~ '.' ~ name_column) }} as name_words
                from {{ names }}
            ) as keyword_words
            inner join (
                select
                    {{ keywords }}.keyword,
                    {{ keywords }}.belligerent_id,
                    {{ keywords }}.matches,
                    {{ blame_words(keywords ~ '.keyword') }} as keyword_words
                from {{ keywords }}
            ) as keyword_rules
                on {{ blame_keyword_matches('keyword_words.name_words', 'keyword_rules.keyword_words', 'keyword_rules.matches') }}
        ) as ranked
        where ranked.keyword_rank = 1
    ) as best_keywords
        on words.{{ name_column }} = best_keywords.{{ name_column }}
{%- endmacro %}

{#- A belligerent name or keyword as words: lower case, the Arabic alef, ta marbuta and alef
    maksura variants unified, the article ال (with a leading و, ف or ب) dropped at word starts,
    anything not a letter or digit a space; padded with one space at each end. -#}
{% macro blame_words(expr) -%}
    {{ return(adapter.dispatch('blame_words', 'civcas')(expr)) }}
{%- endmacro %}

{% macro default__blame_words(expr) -%}
    ' ' || trim(regexp_replace(
        regexp_replace(' ' || translate(lower({{ expr }}), 'أإآةى', 'اااهي'), ' [وفب]?ال', ' ', 'g'),
        '[^\pL\pN]+', ' ', 'g'
    )) || ' '
{%- endmacro %}

{#- Does a keyword rule match a name (both as blame_words)? word_start: a word of the name
    starts with the keyword; whole_name: the name is the keyword. -#}
{% macro blame_keyword_matches(name_words, keyword_words, matches) -%}
    case
        when {{ matches }} = 'whole_name' then {{ name_words }} = {{ keyword_words }}
        else position(rtrim({{ keyword_words }}) in {{ name_words }}) > 0
    end
{%- endmacro %}

{#- How two blame sets agree, for linking and grading: 'unknown' when either side blames no
    known belligerent (null or empty), 'shared' when they blame one belligerent in common,
    'co_belligerent' when one blames a co-belligerent of the other
    (seeds/reference/ref_co_belligerents.csv; the *_co_ids lists are the co-belligerents of
    each side's belligerents), else 'conflict'. The lists are belligerent_set() lists. -#}
{% macro belligerent_compatibility(left_ids, right_ids, left_co_ids, right_co_ids) -%}
    case
        when {{ set_is_empty(left_ids) }} or {{ set_is_empty(right_ids) }} then 'unknown'
        -- most pairs blame the same list: equal lists share, without a set operation
        when {{ left_ids }} = {{ right_ids }} then 'shared'
        when {{ sets_overlap(left_ids, right_ids) }} then 'shared'
        when coalesce({{ sets_overlap(left_ids, right_co_ids) }}, false)
            or coalesce({{ sets_overlap(left_co_ids, right_ids) }}, false) then 'co_belligerent'
        else 'conflict'
    end
{%- endmacro %}

{#- True when a belligerent_set() list is null or has no element. -#}
{% macro set_is_empty(expr) -%}
    {{ return(adapter.dispatch('set_is_empty', 'civcas')(expr)) }}
{%- endmacro %}

{% macro default__set_is_empty(expr) -%}
    coalesce(len({{ expr }}) = 0, true)
{%- endmacro %}
