{#- Spark versions of macros/text_normalisation.sql. The patterns are the default__ versions'
    RE2 patterns, translated by spark_regex (macros/spark/regular_expressions.sql). -#}

{% macro spark__clean_text(expr) -%}
    {%- if modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]*([.][A-Za-z_][A-Za-z0-9_]*)?', expr | trim) -%}
    case
        when {{ expr }} rlike {{ spark_regex("'\\s\\s|[^\\S ]'") }}
            then nullif(trim(both {{ spark_space_separators() }} from regexp_replace({{ expr }}, {{ spark_regex("'\\s+'") }}, ' ')), '')
        else nullif(trim(both {{ spark_space_separators() }} from {{ expr }}), '')
    end
    {%- else -%}
    nullif(trim(both {{ spark_space_separators() }} from regexp_replace({{ expr }}, {{ spark_regex("'\\s+'") }}, ' ')), '')
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

{% macro spark__split_text(expr, delimiter) -%}
    split({{ expr }}, {{ spark_string_literal(modules.re.escape(spark_literal_text(delimiter))) }}, -1)
{%- endmacro %}

{% macro spark__text_matches(expr, pattern) -%}
    ({{ expr }} rlike {{ spark_regex(pattern) }})
{%- endmacro %}

{% macro spark__text_contains(expr, needle) -%}
    contains({{ expr }}, {{ needle }})
{%- endmacro %}

{#- size(null) is -1 unless ANSI mode is on. -#}
{% macro spark__list_length(expr) -%}
    case when {{ expr }} is not null then size({{ expr }}) end
{%- endmacro %}

{#- DuckDB's round (half away from zero), then its text; an integer stays whole. -#}
{% macro spark__rounded_text(expr, digits) -%}
    case
        when typeof({{ expr }}) in ('tinyint', 'smallint', 'int', 'bigint')
            then cast({{ expr }} as string)
        else {{ spark__number_text(
            'sign(cast(' ~ expr ~ ' as double)) * floor(abs(cast(' ~ expr ~ ' as double)) * 1e'
            ~ digits ~ ' + 0.5) / 1e' ~ digits) }}
    end
{%- endmacro %}

{#- A double as DuckDB writes it (Python's repr: 35.0, 0.0001, 1e+20), which Spark's cast
    does not (1.0E-4): civcas_double_text (civcas.spark). -#}
{% macro spark__number_text(expr) -%}
    civcas_double_text(cast({{ expr }} as double))
{%- endmacro %}

{% macro spark__trim_leading(expr, characters) -%}
    trim(leading {{ characters }} from {{ expr }})
{%- endmacro %}

{#- DuckDB's trim removes the space and the other Unicode space separators; Spark's only the
    space: the characters are named. -#}
{% macro spark__trim_text(expr) -%}
    trim(both {{ spark_space_separators() }} from {{ expr }})
{%- endmacro %}

{#- The characters DuckDB's trim removes (macro trim_text), as a Spark literal. -#}
{% macro spark_space_separators() -%}
    ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000'
{%- endmacro %}
