{#- Spark versions of macros/safe_casts.sql. Spark has no strptime: spark_strptime reads the
    formats the project uses as DuckDB's try_strptime reads them (the rule read off DuckDB; the demo's
    and the archive's dates are compared by make build-spark): %Y one to four digits, %m and %d one or two, %y two digits
    (00-68 are 2000-2068, 69-99 1969-1999), %b an English month abbreviation in any case,
    trailing whitespace allowed, nothing else; an impossible date (2017-02-31) is null. -#}

{% macro spark__safe_whole_number(expr) -%}
    case
        when {{ spark_regex_full_match(trim_text(expr), "'[+-]?[0-9]{1,9}'") }}
            then cast(trim(both {{ spark_space_separators() }} from {{ expr }}) as integer)
    end
{%- endmacro %}

{% macro spark__safe_decimal_degrees(expr) -%}
    case
        when {{ spark_regex_full_match(trim_text(expr), "'[+-]?[0-9]{1,4}(\\.[0-9]+)?'") }}
            then cast(trim(both {{ spark_space_separators() }} from {{ expr }}) as double)
    end
{%- endmacro %}

{% macro spark__safe_iso_date(expr) -%}
    {{ spark_strptime(trim_text(expr), '%Y-%m-%d') }}
{%- endmacro %}

{% macro spark__safe_iso_month(expr) -%}
    {{ spark_strptime(trim_text(expr), '%Y-%m') }}
{%- endmacro %}

{% macro spark__safe_date_formats(expr, formats) -%}
    coalesce(
        {%- for format in formats %}
        {{ spark_strptime(trim_text(expr), format) }}{% if not loop.last %},{% endif %}
        {%- endfor %}
        {%- if formats | length == 1 %}, null{% endif %}
    )
{%- endmacro %}

{% macro spark__safe_written_date(expr) -%}
    coalesce(
        {{ safe_iso_date(expr) }},
        {{ spark_strptime(
            "regexp_extract(" ~ expr ~ ", " ~ spark_regex("'([0-9]{4})\\s*$'") ~ ", 1)"
            ~ " || '-' || cast(element_at((select map_from_arrays(collect_list(" ~ normalise_key('month_names.month_name')
            ~ "), collect_list(month_names.month_number)) from " ~ ref('ref_month_names') ~ " as month_names where "
            ~ normalise_key('month_names.month_name') ~ " is not null), "
            ~ normalise_key("regexp_extract(" ~ expr ~ ", " ~ spark_regex("'^\\s*[0-9]{1,2}\\s+(.+?)\\s+[0-9]{4}\\s*$'") ~ ", 1)")
            ~ ") as string)"
            ~ " || '-' || regexp_extract(" ~ expr ~ ", " ~ spark_regex("'^\\s*([0-9]{1,2})\\s'") ~ ", 1)",
            '%Y-%m-%d'
        ) }}
    )
{%- endmacro %}

{% macro spark__safe_iso_timestamp(expr) -%}
    case
        when {{ spark_regex_full_match(trim_text(expr), iso_timestamp_pattern()) }}
            then try_to_timestamp({{ trim_text(expr) }}, 'yyyy-MM-dd HH:mm:ss')
    end
{%- endmacro %}

{#- The date in text `expr` read with strptime format `format`, as DuckDB's try_strptime
    reads it, or null. -#}
{% macro spark_strptime(expr, format) -%}
    {%- set parts = {'%Y': '([0-9]{1,4})', '%m': '([0-9]{1,2})', '%d': '([0-9]{1,2})',
                     '%y': '([0-9]{1,2})', '%b': '([A-Za-z]{3})'} -%}
    {%- set state = namespace(pattern='^', groups=[], rest=format) -%}
    {%- for _ in range(format | length) if state.rest -%}
        {%- if state.rest[:2] in parts -%}
            {%- set state.pattern = state.pattern ~ parts[state.rest[:2]] -%}
            {%- set state.groups = state.groups + [state.rest[:2]] -%}
            {%- set state.rest = state.rest[2:] -%}
        {%- elif state.rest[0] == '%' -%}
            {{ exceptions.raise_compiler_error("spark_strptime: format " ~ format ~ " is not supported") }}
        {%- else -%}
            {%- set state.pattern = state.pattern ~ modules.re.escape(state.rest[0]) -%}
            {%- set state.rest = state.rest[1:] -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set pattern = spark_string_literal(state.pattern ~ '[ \\t\\n\\x0B\\f\\r]*\\z') -%}
    {%- set fields = {} -%}
    {%- for group in state.groups -%}
        {%- set value = 'regexp_extract(' ~ expr ~ ', ' ~ pattern ~ ', ' ~ loop.index ~ ')' -%}
        {%- if group == '%Y' -%}
            {%- do fields.update({'year': 'cast(' ~ value ~ ' as int)'}) -%}
        {%- elif group == '%y' -%}
            {%- do fields.update({'year': 'cast(' ~ value ~ ' as int) + case when cast(' ~ value ~ ' as int) < 69 then 2000 else 1900 end'}) -%}
        {%- elif group == '%m' -%}
            {%- do fields.update({'month': 'cast(' ~ value ~ ' as int)'}) -%}
        {%- elif group == '%b' -%}
            {%- do fields.update({'month': "nullif(array_position(array('jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'), lower(" ~ value ~ ")), 0)"}) -%}
        {%- else -%}
            {%- do fields.update({'day': 'cast(' ~ value ~ ' as int)'}) -%}
        {%- endif -%}
    {%- endfor -%}
    case
        when {{ expr }} rlike {{ pattern }}
            then make_date({{ fields.get('year', '1') }}, {{ fields.get('month', '1') }}, {{ fields.get('day', '1') }})
    end
{%- endmacro %}
