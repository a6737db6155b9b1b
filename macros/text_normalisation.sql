{#- Text normalisation shared by staging models. DuckDB syntax sits in the default__
    implementations; another adapter gets its own <adapter>__ version. -#}

{#- Trim, collapse inner whitespace, and turn an empty string into null. -#}
{% macro clean_text(expr) -%}
    {{ return(adapter.dispatch('clean_text', 'civcas')(expr)) }}
{%- endmacro %}

{#- Most values have no run of whitespace and no tab or line break, and for them collapsing
    changes nothing: on a column, a cheap test first saves the regexp_replace that cost most
    of staging's time at scale (same result; checked on every pair of characters up to
    U+3000). Any other expression is not repeated, so it is computed once. -#}
{% macro default__clean_text(expr) -%}
    {%- if modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]*([.][A-Za-z_][A-Za-z0-9_]*)?', expr | trim) -%}
    case
        when regexp_matches({{ expr }}, '\s\s|[^\S ]')
            then nullif(trim(regexp_replace({{ expr }}, '\s+', ' ', 'g')), '')
        else nullif(trim({{ expr }}), '')
    end
    {%- else -%}
    nullif(trim(regexp_replace({{ expr }}, '\s+', ' ', 'g')), '')
    {%- endif -%}
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
