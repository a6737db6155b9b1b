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

{#- A text cut at every `delimiter`, as a list ('' gives ['']). -#}
{% macro split_text(expr, delimiter) -%}
    {{ return(adapter.dispatch('split_text', 'civcas')(expr, delimiter)) }}
{%- endmacro %}

{% macro default__split_text(expr, delimiter) -%}
    string_split({{ expr }}, {{ delimiter }})
{%- endmacro %}

{#- Does some part of a text match a regular expression (RE2, a string literal)? -#}
{% macro text_matches(expr, pattern) -%}
    {{ return(adapter.dispatch('text_matches', 'civcas')(expr, pattern)) }}
{%- endmacro %}

{% macro default__text_matches(expr, pattern) -%}
    regexp_matches({{ expr }}, {{ pattern }})
{%- endmacro %}

{#- Does a text contain another? -#}
{% macro text_contains(expr, needle) -%}
    {{ return(adapter.dispatch('text_contains', 'civcas')(expr, needle)) }}
{%- endmacro %}

{% macro default__text_contains(expr, needle) -%}
    contains({{ expr }}, {{ needle }})
{%- endmacro %}

{#- The number of elements of a list. -#}
{% macro list_length(expr) -%}
    {{ return(adapter.dispatch('list_length', 'civcas')(expr)) }}
{%- endmacro %}

{% macro default__list_length(expr) -%}
    len({{ expr }})
{%- endmacro %}

{#- A number rounded to `digits` decimals, as text: DuckDB's round (half away from zero) and its
    text of the result (a whole double keeps '.0'; an integer stays whole). -#}
{% macro rounded_text(expr, digits) -%}
    {{ return(adapter.dispatch('rounded_text', 'civcas')(expr, digits)) }}
{%- endmacro %}

{% macro default__rounded_text(expr, digits) -%}
    cast(round({{ expr }}, {{ digits }}) as {{ dbt.type_string() }})
{%- endmacro %}

{#- A double as text, as DuckDB writes it (35.0, 0.96). -#}
{% macro number_text(expr) -%}
    {{ return(adapter.dispatch('number_text', 'civcas')(expr)) }}
{%- endmacro %}

{% macro default__number_text(expr) -%}
    cast({{ expr }} as {{ dbt.type_string() }})
{%- endmacro %}

{#- `expr` without the leading `characters` (a string literal of the characters to remove).
    Spark's ltrim(a, b) reads its arguments the other way round. -#}
{% macro trim_leading(expr, characters) -%}
    {{ return(adapter.dispatch('trim_leading', 'civcas')(expr, characters)) }}
{%- endmacro %}

{% macro default__trim_leading(expr, characters) -%}
    ltrim({{ expr }}, {{ characters }})
{%- endmacro %}

{#- A text without the spaces at its ends: DuckDB's trim, which removes the space and the other
    Unicode space separators (no-break, em, ideographic, ...), not tabs or line breaks. -#}
{% macro trim_text(expr) -%}
    {{ return(adapter.dispatch('trim_text', 'civcas')(expr)) }}
{%- endmacro %}

{% macro default__trim_text(expr) -%}
    trim({{ expr }})
{%- endmacro %}
