{#- Spark versions of macros/place_keys.sql: the same RE2 patterns, translated by spark_regex
    (macros/spark/regular_expressions.sql). Spark's regexp_replace replaces every match. -#}

{% macro spark__key_regexp_replace(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, {{ spark_regex(pattern) }}, {{ spark_regex_replacement(replacement) }})
{%- endmacro %}

{% macro spark__key_regexp_extract(expr, pattern) -%}
    regexp_extract({{ expr }}, {{ spark_regex(pattern) }}, 1)
{%- endmacro %}

{#- DuckDB's strip_accents, which Spark lacks: civcas_strip_accents (civcas.spark). -#}
{% macro spark__fold_diacritics(expr) -%}
    civcas_strip_accents({{ expr }})
{%- endmacro %}

{#- A character repeated: each run written once (any character, as the default__ compares
    every character with the one before it). -#}
{% macro spark__collapse_repeated_letters(expr) -%}
    regexp_replace({{ expr }}, '(?s)(.)\\1+', '$1')
{%- endmacro %}

{% macro spark__place_is_area(expr) -%}
    ({{ expr }} rlike {{ spark_regex("'(countryside|counntryside|rural|governorate|province|region|ريف|محافظة|منطقة)'") }})
{%- endmacro %}
