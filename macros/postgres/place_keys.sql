{#- PostgreSQL versions of macros/place_keys.sql. Patterns are RE2, translated (postgres_regex). -#}

{% macro postgres__key_regexp_replace(expr, pattern, replacement) -%}
    {{ postgres_regexp_replace_all(expr, pattern, replacement) }}
{%- endmacro %}

{% macro postgres__key_regexp_extract(expr, pattern) -%}
    {{ postgres_regexp_extract(expr, pattern, 1) }}
{%- endmacro %}

{#- DuckDB's strip_accents: decomposed, marks (\pM) removed, composed again. -#}
{% macro postgres__fold_diacritics(expr) -%}
    normalize({{ postgres_regexp_replace_all('normalize(' ~ expr ~ ', nfd)', "'\\pM'", "''") }}, nfc)
{%- endmacro %}

{#- A run of one character written once. -#}
{% macro postgres__collapse_repeated_letters(expr) -%}
    regexp_replace({{ expr }}, '(.)\1+', '\1', 'g')
{%- endmacro %}

{% macro postgres__place_is_area(expr) -%}
    {{ postgres_regexp_matches(expr, "'(countryside|counntryside|rural|governorate|province|region|ريف|محافظة|منطقة)'") }}
{%- endmacro %}
