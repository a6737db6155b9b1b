{#- PostgreSQL versions of macros/belligerent_lists.sql. -#}

{% macro postgres__blame_words(expr) -%}
    ' ' || {{ trim_text(postgres_regexp_replace_all(
        postgres_regexp_replace_all("' ' || translate(lower(" ~ expr ~ "), 'أإآةى', 'اااهي')", "' [وفب]?ال'", "' '"),
        "'[^\\pL\\pN]+'", "' '"
    )) }} || ' '
{%- endmacro %}

{% macro postgres__set_is_empty(expr) -%}
    coalesce(cardinality({{ expr }}) = 0, true)
{%- endmacro %}
