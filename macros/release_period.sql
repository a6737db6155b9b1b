{#- The period of a build: the months its monthly marts and exports cover, and so the period a
    release of it publishes. From var civcas_first_month to var civcas_last_month (each the first
    day of a month, 'YYYY-MM-01'); no last month means the month of the latest incident. One rule
    for every model and test that bounds months (an incident counts in a monthly figure exactly
    when its incident_month is in the period). -#}

{% macro release_period_month_var(name) -%}
    {%- set value = var(name) -%}
    {%- if value is none or (value | string | trim) == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = value | string | trim -%}
    {%- if not modules.re.match('^[0-9]{4}-(0[1-9]|1[0-2])-01$', text) -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " must be the first day of a month, YYYY-MM-01 (got '" ~ text ~ "'); "
            ~ "e.g. --vars '{civcas_first_month: 2017-01-01, civcas_last_month: 2017-12-01}'") }}
    {%- endif -%}
    {{ return(text) }}
{%- endmacro %}

{#- The first month of the period, as a SQL date. -#}
{% macro release_period_first() -%}
    {%- set first = release_period_month_var('civcas_first_month') -%}
    {%- if first is none -%}
        {{ exceptions.raise_compiler_error("var civcas_first_month must be set (YYYY-MM-01)") }}
    {%- endif -%}
    {%- set last = release_period_month_var('civcas_last_month') -%}
    {%- if last is not none and last < first -%}
        {{ exceptions.raise_compiler_error(
            "var civcas_last_month (" ~ last ~ ") is before civcas_first_month (" ~ first ~ "); swap them") }}
    {%- endif -%}
    cast('{{ first }}' as date)
{%- endmacro %}

{#- The last month of the period, as a SQL date: var civcas_last_month, else the latest incident month. -#}
{% macro release_period_last() -%}
    {%- set last = release_period_month_var('civcas_last_month') -%}
    {%- if last is none -%}
        (select max(incident_month) from {{ ref('fct_incidents') }})
    {%- else -%}
        cast('{{ last }}' as date)
    {%- endif -%}
{%- endmacro %}

{#- True when the month (a date, first day of its month) lies in the build's period. -#}
{% macro in_release_period(month_expr) -%}
    ({{ month_expr }} >= {{ release_period_first() }} and {{ month_expr }} <= {{ release_period_last() }})
{%- endmacro %}

{#- The countries in scope of the build, from the data: every country with a registered incident
    or a claim in the build (whatever its month), and 'unknown' when an incident or a claim has no
    country. Monthly marts and exports have rows for these countries only: a country the dataset
    never covers (Iraq in a Syria-only archive) would give nothing but zeros. -#}
{% macro countries_in_scope() -%}
    select coalesce(country_id, 'unknown') as country_id from {{ ref('fct_incidents') }}
    union
    select coalesce(country_id, 'unknown') as country_id from {{ ref('fct_claims') }}
{%- endmacro %}

{#- The vars given on the dbt command line (--vars), as JSON text with sorted keys: what the
    build ran with, recorded in the warehouse (dim_builds) so that a release states them as they
    were. A date a YAML var was read as is written as its text. -#}
{% macro command_line_vars_json() -%}
    {%- set cli_vars = invocation_args_dict.get('vars') or {} -%}
    {%- if cli_vars is string -%}
        {%- set cli_vars = fromyaml(cli_vars) or {} -%}
    {%- endif -%}
    {%- set plain = {} -%}
    {%- for name, value in cli_vars.items() -%}
        {%- if value is none or value is number or value is boolean or value is string or value is mapping
            or (value is iterable) -%}
            {%- do plain.update({name: value}) -%}
        {%- else -%}
            {%- do plain.update({name: value | string}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(tojson(plain, sort_keys=true)) }}
{%- endmacro %}
