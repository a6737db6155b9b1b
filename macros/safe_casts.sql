{#- Safe casts: an unparseable value becomes null (the raw text is kept beside it, so
    the validation models can quarantine the row with the value that failed). -#}

{#- Whole numbers only: '12.5' or '1e3' are not silently rounded. -#}
{% macro safe_whole_number(expr) -%}
    {{ return(adapter.dispatch('safe_whole_number', 'civcas')(expr)) }}
{%- endmacro %}

{% macro default__safe_whole_number(expr) -%}
    case
        when regexp_full_match(trim({{ expr }}), '[+-]?[0-9]{1,9}')
            then cast(trim({{ expr }}) as integer)
    end
{%- endmacro %}

{% macro safe_decimal_degrees(expr) -%}
    {{ return(adapter.dispatch('safe_decimal_degrees', 'civcas')(expr)) }}
{%- endmacro %}

{% macro default__safe_decimal_degrees(expr) -%}
    case
        when regexp_full_match(trim({{ expr }}), '[+-]?[0-9]{1,4}(\.[0-9]+)?')
            then cast(trim({{ expr }}) as double)
    end
{%- endmacro %}

{#- An ISO date, YYYY-MM-DD. Impossible dates such as 2017-02-31 become null. -#}
{% macro safe_iso_date(expr) -%}
    {{ return(adapter.dispatch('safe_iso_date', 'civcas')(expr)) }}
{%- endmacro %}

{% macro default__safe_iso_date(expr) -%}
    cast(try_strptime(trim({{ expr }}), '%Y-%m-%d') as date)
{%- endmacro %}

{#- A month given as YYYY-MM, returned as the first day of that month. -#}
{% macro safe_iso_month(expr) -%}
    {{ return(adapter.dispatch('safe_iso_month', 'civcas')(expr)) }}
{%- endmacro %}

{% macro default__safe_iso_month(expr) -%}
    cast(try_strptime(trim({{ expr }}), '%Y-%m') as date)
{%- endmacro %}

{#- A date in any of several strptime formats, the first that parses. Used where a
    source has its own documented format, e.g. CENTCOM's M/D/YYYY or the Dutch 7-Oct-14. -#}
{% macro safe_date_formats(expr, formats) -%}
    {{ return(adapter.dispatch('safe_date_formats', 'civcas')(expr, formats)) }}
{%- endmacro %}

{% macro default__safe_date_formats(expr, formats) -%}
    cast(try_strptime(trim({{ expr }}), [
        {%- for format in formats %}'{{ format }}'{% if not loop.last %}, {% endif %}{% endfor -%}
    ]) as date)
{%- endmacro %}

{#- A date written out as "<day> <month name> <year>", in English or Arabic
    (e.g. "2 مارس 2026", "3 March 2017"), or as YYYY-MM-DD. Month names come from
    seeds/reference/ref_month_names.csv. -#}
{% macro safe_written_date(expr) -%}
    {{ return(adapter.dispatch('safe_written_date', 'civcas')(expr)) }}
{%- endmacro %}

{% macro default__safe_written_date(expr) -%}
    coalesce(
        {{ safe_iso_date(expr) }},
        cast(try_strptime(
            regexp_extract({{ expr }}, '([0-9]{4})\s*$', 1)
            || '-'
            || cast(map_extract_value(
                -- every month name at once (an uncorrelated subquery, run once): a subquery
                -- correlated with the row would make DuckDB copy every row to look it up
                (
                    select map(list({{ normalise_key('month_names.month_name') }}), list(month_names.month_number))
                    from {{ ref('ref_month_names') }} as month_names
                    where {{ normalise_key('month_names.month_name') }} is not null
                ),
                {{ normalise_key(
                    "regexp_extract(" ~ expr ~ ", '^\\s*[0-9]{1,2}\\s+(.+?)\\s+[0-9]{4}\\s*$', 1)"
                ) }}
            ) as varchar)
            || '-'
            || regexp_extract({{ expr }}, '^\s*([0-9]{1,2})\s', 1),
            '%Y-%m-%d'
        ) as date)
    )
{%- endmacro %}

{#- A UTC time written as YYYY-MM-DD HH:MM:SS (as civcas writes its ledgers). -#}
{% macro safe_iso_timestamp(expr) -%}
    {{ return(adapter.dispatch('safe_iso_timestamp', 'civcas')(expr)) }}
{%- endmacro %}

{#- The one shape every engine accepts; the date itself is then checked by each engine's reader. -#}
{% macro iso_timestamp_pattern() -%}
    '[0-9]{4}-[0-9]{2}-[0-9]{2} ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]'
{%- endmacro %}

{% macro default__safe_iso_timestamp(expr) -%}
    case
        when regexp_full_match({{ trim_text(expr) }}, {{ iso_timestamp_pattern() }})
            then try_strptime({{ trim_text(expr) }}, '%Y-%m-%d %H:%M:%S')
    end
{%- endmacro %}
