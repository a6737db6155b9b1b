{#- Text normalisation shared by staging models. DuckDB syntax sits in the default__
    implementations; another adapter gets its own <adapter>__ version. -#}

{#- Trim, collapse inner whitespace, and turn an empty string into null. -#}
{% macro clean_text(expr) -%}
    {{ return(adapter.dispatch('clean_text', 'civcas')(expr)) }}
{%- endmacro %}

{% macro default__clean_text(expr) -%}
    nullif(trim(regexp_replace({{ expr }}, '\s+', ' ', 'g')), '')
{%- endmacro %}

{#- Matching key for alias look-ups: cleaned and lower-cased, so that
    "  RUSSIAN military" and "Russian Military" meet the same alias. -#}
{% macro normalise_key(expr) -%}
    lower({{ clean_text(expr) }})
{%- endmacro %}

{#- A raw value quoted for a quarantine reason, e.g. 'dozens'. -#}
{% macro quoted_value(expr) -%}
    '''' || coalesce({{ expr }}, '') || ''''
{%- endmacro %}

{#- One output row per element of a delimited list, used in a select list:
    select id, {{ split_to_rows('codes', "' '") }} as code from t -#}
{% macro split_to_rows(expr, delimiter) -%}
    {{ return(adapter.dispatch('split_to_rows', 'civcas')(expr, delimiter)) }}
{%- endmacro %}

{% macro default__split_to_rows(expr, delimiter) -%}
    unnest(string_split({{ expr }}, {{ delimiter }}))
{%- endmacro %}

{#- The campaign prefix of an incident code: the leading letters (CS, CI, RS, R, ...). -#}
{% macro code_prefix(expr) -%}
    {{ return(adapter.dispatch('code_prefix', 'civcas')(expr)) }}
{%- endmacro %}

{% macro default__code_prefix(expr) -%}
    nullif(regexp_extract({{ expr }}, '^[A-Z]+'), '')
{%- endmacro %}

{#- Like split_to_rows, splitting on a regular expression, e.g. '[;,]'. -#}
{% macro split_to_rows_regex(expr, pattern) -%}
    {{ return(adapter.dispatch('split_to_rows_regex', 'civcas')(expr, pattern)) }}
{%- endmacro %}

{% macro default__split_to_rows_regex(expr, pattern) -%}
    unnest(string_split_regex({{ expr }}, {{ pattern }}))
{%- endmacro %}
