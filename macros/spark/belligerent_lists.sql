{#- Spark versions of macros/belligerent_lists.sql. -#}

{% macro spark__blame_words(expr) -%}
    ' ' || trim(both {{ spark_space_separators() }} from regexp_replace(
        regexp_replace(' ' || translate(lower({{ expr }}), 'أإآةى', 'اااهي'), {{ spark_regex("' [وفب]?ال'") }}, ' '),
        {{ spark_regex("'[^\\pL\\pN]+'") }}, ' '
    )) || ' '
{%- endmacro %}

{#- size(null) is -1 unless ANSI mode is on: test null apart. -#}
{% macro spark__set_is_empty(expr) -%}
    ({{ expr }} is null or size({{ expr }}) = 0)
{%- endmacro %}
