{#- Spark versions of macros/text_normalisation.sql. The patterns are the default__ versions'
    RE2 patterns, translated by spark_regex (macros/spark/regular_expressions.sql). -#}

{% macro spark__clean_text(expr) -%}
    {%- if modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]*([.][A-Za-z_][A-Za-z0-9_]*)?', expr | trim) -%}
    case
        when {{ expr }} rlike {{ spark_regex("'\\s\\s|[^\\S ]'") }}
            then nullif(trim(regexp_replace({{ expr }}, {{ spark_regex("'\\s+'") }}, ' ')), '')
        else nullif(trim({{ expr }}), '')
    end
    {%- else -%}
    nullif(trim(regexp_replace({{ expr }}, {{ spark_regex("'\\s+'") }}, ' ')), '')
    {%- endif -%}
{%- endmacro %}

{#- string_split splits on the delimiter as text; Spark's split takes a pattern. -#}
{% macro spark__split_to_rows(expr, delimiter) -%}
    explode(split({{ expr }}, {{ spark_string_literal(modules.re.escape(spark_literal_text(delimiter))) }}, -1))
{%- endmacro %}

{#- regexp_extract's group is 0 here (Spark's default is 1). -#}
{% macro spark__code_prefix(expr) -%}
    nullif(regexp_extract({{ expr }}, {{ spark_regex("'^[A-Z]+'") }}, 0), '')
{%- endmacro %}

{% macro spark__split_to_rows_regex(expr, pattern) -%}
    explode(split({{ expr }}, {{ spark_regex(pattern) }}, -1))
{%- endmacro %}
