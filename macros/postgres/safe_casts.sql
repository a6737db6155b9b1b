{#- PostgreSQL versions of macros/safe_casts.sql. Dates are read by civcas_try_strptime, the
    PL/Python function civcas postgres-setup creates from civcas/strptime.py: DuckDB's
    try_strptime rule (PostgreSQL's to_date reads 2017-02-31 as 3 March). -#}

{% macro postgres__safe_whole_number(expr) -%}
    case
        when {{ postgres_regexp_full_match(trim_text(expr), "'[+-]?[0-9]{1,9}'") }}
            then cast({{ trim_text(expr) }} as integer)
    end
{%- endmacro %}

{% macro postgres__safe_decimal_degrees(expr) -%}
    case
        when {{ postgres_regexp_full_match(trim_text(expr), "'[+-]?[0-9]{1,4}(\\.[0-9]+)?'") }}
            then cast({{ trim_text(expr) }} as double precision)
    end
{%- endmacro %}

{% macro postgres_try_strptime(expr, formats) -%}
    civcas_try_strptime({{ expr }}, array[
        {%- for format in formats %}'{{ format }}'{% if not loop.last %}, {% endif %}{% endfor -%}
    ]::text[])
{%- endmacro %}

{% macro postgres__safe_iso_date(expr) -%}
    {{ postgres_try_strptime(trim_text(expr), ['%Y-%m-%d']) }}
{%- endmacro %}

{% macro postgres__safe_iso_month(expr) -%}
    {{ postgres_try_strptime(trim_text(expr), ['%Y-%m']) }}
{%- endmacro %}

{% macro postgres__safe_date_formats(expr, formats) -%}
    {{ postgres_try_strptime(trim_text(expr), formats) }}
{%- endmacro %}

{% macro postgres__safe_written_date(expr) -%}
    coalesce(
        {{ safe_iso_date(expr) }},
        {{ postgres_try_strptime(
            postgres_regexp_extract(expr, "'([0-9]{4})\\s*$'", 1)
            ~ " || '-' || cast((select min(month_names.month_number) from " ~ ref('ref_month_names') ~ " as month_names"
            ~ " where " ~ normalise_key('month_names.month_name') ~ " = "
            ~ normalise_key(postgres_regexp_extract(expr, "'^\\s*[0-9]{1,2}\\s+(.+?)\\s+[0-9]{4}\\s*$'", 1))
            ~ ") as varchar) || '-' || "
            ~ postgres_regexp_extract(expr, "'^\\s*([0-9]{1,2})\\s'", 1),
            ['%Y-%m-%d']
        ) }}
    )
{%- endmacro %}

{% macro postgres__safe_iso_timestamp(expr) -%}
    case
        when {{ postgres_regexp_full_match(trim_text(expr), iso_timestamp_pattern()) }}
            then {{ postgres_try_strptime('left(' ~ trim_text(expr) ~ ', 10)', ['%Y-%m-%d']) }}
            + cast(substr({{ trim_text(expr) }}, 12) as time)
    end
{%- endmacro %}
