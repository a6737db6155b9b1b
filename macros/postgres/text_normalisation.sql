{#- PostgreSQL versions of macros/text_normalisation.sql. -#}

{% macro postgres__clean_text(expr) -%}
    nullif({{ trim_text(postgres_regexp_replace_all(expr, "'\\s+'", "' '")) }}, '')
{%- endmacro %}

{#- string_split gives [''] for an empty text, where string_to_array gives no element. -#}
{% macro postgres__split_text(expr, delimiter) -%}
    case when {{ expr }} = '' then array[''] else string_to_array({{ expr }}, {{ delimiter }}) end
{%- endmacro %}

{% macro postgres__split_to_rows(expr, delimiter) -%}
    unnest({{ postgres__split_text(expr, delimiter) }})
{%- endmacro %}

{% macro postgres__code_prefix(expr) -%}
    nullif({{ postgres_regexp_extract(expr, "'^[A-Z]+'") }}, '')
{%- endmacro %}

{% macro postgres__split_to_rows_regex(expr, pattern) -%}
    regexp_split_to_table({{ expr }}, {{ postgres_regex(pattern) }})
{%- endmacro %}

{% macro postgres__text_matches(expr, pattern) -%}
    {{ postgres_regexp_matches(expr, pattern) }}
{%- endmacro %}

{% macro postgres__text_contains(expr, needle) -%}
    (strpos({{ expr }}, {{ needle }}) > 0)
{%- endmacro %}

{% macro postgres__list_length(expr) -%}
    cardinality({{ expr }})
{%- endmacro %}

{% macro postgres__number_text(expr) -%}
    case
        when {{ expr }} = trunc({{ expr }}) and abs({{ expr }}) < 1e15
            then cast({{ expr }} as varchar) || '.0'
        else cast({{ expr }} as varchar)
    end
{%- endmacro %}

{% macro postgres__rounded_text(expr, digits) -%}
    case
        when pg_typeof({{ expr }}) in ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype)
            then cast({{ expr }} as varchar)
        else {{ postgres__number_text(
            'sign(cast(' ~ expr ~ ' as double precision)) * floor(abs(cast(' ~ expr ~ ' as double precision)) * 1e'
            ~ digits ~ ' + 0.5) / 1e' ~ digits) }}
    end
{%- endmacro %}

{#- PostgreSQL's trim removes the space only; DuckDB's every character of Unicode's Zs (read off
    DuckDB: trim(chr(c)) = ''). -#}
{% macro postgres__trim_text(expr) -%}
    btrim({{ expr }}, U&' \00A0\1680\2000\2001\2002\2003\2004\2005\2006\2007\2008\2009\200A\202F\205F\3000')
{%- endmacro %}
