{#- "As known on date X" (issue 16): var civcas_as_of builds every mart as it stood at the end
    of that date. This file is the one place of the cut-off rule.

    Where the cut-off goes: in the int_*_validated models, as their first quarantine rule,
    `known_after_as_of`. Staging stays rename/type only, and a row known only after the as-of
    date is not lost: it lands in fct_quarantined_rows with that rule and when it became known,
    so rows in = clean + quarantined still holds (assert_raw_tables_reconcile). The rule fires
    first and alone (`exclusive`): the row's other problems were not known on the as-of date
    either, so its reason quotes none of them, and it takes part in no duplicate-id check.

    When each raw row became known (`known_on`, a date; known by the end of that day):

    | raw table | known_on | when that date is missing or unreadable |
    |---|---|---|
    | raw_claims | date_reported | the claim's own incident date, its last day (a month's last day, a range's end): a report cannot come before the event, and the archive's claims mostly carry no date_reported |
    | raw_sources | the earliest known_on of the raw claims citing it (the registry carries no date) | a source no dated claim cites is not known |
    | raw_incidents | first_published | the incident's own date, its last day |
    | raw_incident_belligerents | its incident's known_on (the row carries no date) | - |
    | raw_incident_assessments | assessed_on, and not before its incident is known | not known |
    | raw_belligerent_statements | statement_date, and not before its incident is known | not known |
    | raw_declared_strikes | strike_date | not known |
    | raw_intake_batches | the day of accepted_at | not known |
    | raw_dataset | always known | - |

    "Not known": in an as-of build a row that no readable date places on or before the as-of
    date is counted as known after it: only what a date proves was known counts. A claim citing
    an incident registered after the as-of date is a clean, unlinked claim in that build (the
    link was not made yet). Without var civcas_as_of nothing is cut: a build is as of now. -#}

{#- Var civcas_as_of, checked: none when unset, else the date as text YYYY-MM-DD. A value that
    is not a day stops the build with a message that names the var and what to write; so does a
    misspelt var on the command line (check_cli_vars, macros/vars.sql: every build parses this). -#}
{% macro as_of_var() -%}
    {%- do check_cli_vars() -%}
    {%- if model is defined and model and model.resource_type == 'unit_test' -%}
        {#- a unit test checks logic on fixed rows: it is as of a day only when it says so -#}
        {%- set value = ((model.get('overrides') or {}).get('vars') or {}).get('civcas_as_of') -%}
    {%- else -%}
        {%- set value = var('civcas_as_of', none) -%}
    {%- endif -%}
    {%- if value is none or (value | string | trim) == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = value | string | trim -%}
    {%- set parts = modules.re.match('^([0-9]{4})-([0-9]{2})-([0-9]{2})$', text) -%}
    {%- set is_day = false -%}
    {%- if parts -%}
        {%- set year, month, day = parts.group(1) | int, parts.group(2) | int, parts.group(3) | int -%}
        {%- set is_leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 -%}
        {%- set month_days = [31, 29 if is_leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
        {%- set is_day = 1 <= month <= 12 and 1 <= day <= month_days[month - 1] -%}
    {%- endif -%}
    {%- if not is_day -%}
        {{ exceptions.raise_compiler_error("var civcas_as_of is '" ~ text ~ "', not a day; write it YYYY-MM-DD, e.g. --vars '{civcas_as_of: 2017-04-30}', or leave it unset to build as of now") }}
    {%- endif -%}
    {{ return(text) }}
{%- endmacro %}

{#- The as-of date as a SQL date literal (portable), or none when the build is as of now. -#}
{% macro as_of_date() -%}
    {%- set text = as_of_var() -%}
    {{ return(none if text is none else "cast('" ~ text ~ "' as date)") }}
{%- endmacro %}

{#- The date a row of `raw_table` became known, as a SQL expression over the columns of its
    staging model (aliased `relation`), per the table above. -#}
{% macro known_on(raw_table, relation) -%}
    {%- set r = relation ~ '.' -%}
    {%- set rules = {
        'raw_claims': 'coalesce(' ~ r ~ 'date_reported, ' ~ r ~ 'incident_date_exact, '
            ~ dbt.last_day(r ~ 'incident_month', 'month') ~ ', ' ~ r ~ 'incident_date_end, ' ~ r ~ 'incident_date_start)',
        'raw_sources': r ~ 'first_cited_on',
        'raw_incidents': 'coalesce(' ~ r ~ 'first_published_on, ' ~ r ~ 'incident_date_end, ' ~ r ~ 'incident_date_exact, '
            ~ dbt.last_day(r ~ 'incident_month', 'month') ~ ')',
        'raw_incident_belligerents': 'cast(null as date)',
        'raw_incident_assessments': r ~ 'assessed_on',
        'raw_belligerent_statements': r ~ 'statement_date',
        'raw_declared_strikes': r ~ 'strike_date',
        'raw_intake_batches': 'cast(' ~ r ~ 'accepted_at as date)',
    } -%}
    {%- if raw_table not in rules -%}
        {{ exceptions.raise_compiler_error("known_on: no as-of rule for " ~ raw_table ~ "; add it to macros/as_of.sql") }}
    {%- endif -%}
    {{ return('cast(' ~ rules[raw_table] ~ ' as date)') }}
{%- endmacro %}

{#- The registry carries no date, so a source is known from the first raw claim citing it:
    one row per source id cited, with first_cited_on. Claims are read only in an as-of build
    (no rows otherwise): a daily refresh that adds claims need not rebuild the registry. -#}
{% macro source_first_citations() -%}
    {%- if as_of_date() is not none -%}
    select
        claims.source_id,
        min({{ known_on('raw_claims', 'claims') }}) as first_cited_on
    from {{ ref('stg_monitor__claims') }} as claims
    group by claims.source_id
    {%- else -%}
    select
        cast(null as {{ dbt.type_string() }}) as source_id,
        cast(null as date) as first_cited_on
    where 1 = 0
    {%- endif -%}
{%- endmacro %}

{#- Whether a row is known only after the as-of date: its known_on is missing or later, or
    (`incident_after_expr`) the incident it belongs to was registered later. Always false
    without var civcas_as_of. -#}
{% macro is_known_after_as_of(known_on_expr, incident_after_expr=none, needs_own_date=true) -%}
    {%- set as_of = as_of_date() -%}
    {%- if as_of is none -%}
        {{ return('false') }}
    {%- endif -%}
    {%- set own = '(' ~ known_on_expr ~ ' is null or ' ~ known_on_expr ~ ' > ' ~ as_of ~ ')' if needs_own_date else 'false' -%}
    {{ return('(' ~ own ~ (' or ' ~ incident_after_expr if incident_after_expr else '') ~ ')') }}
{%- endmacro %}

{#- Codes (current and previous) of the incidents registered only after the as-of date: a
    row citing one (and no incident known by then) belongs to an incident not yet registered.
    The body of a CTE with one column, code; a model left-joins it (Spark takes no subquery
    in a select list). Empty without var civcas_as_of. -#}
{% macro incident_codes_known_after_as_of() -%}
    select distinct after_codes.code
    from (
        select after_incidents.incident_code as code
        from {{ ref('int_incidents_validated') }} as after_incidents
        where after_incidents.quarantine_rule = 'known_after_as_of'
        union all
        select {{ split_to_rows('after_incidents.previous_codes', "' '") }} as code
        from {{ ref('int_incidents_validated') }} as after_incidents
        where after_incidents.quarantine_rule = 'known_after_as_of' and after_incidents.previous_codes is not null
    ) as after_codes
    where after_codes.code is not null and after_codes.code <> ''
{%- endmacro %}

{#- The first quarantine check of every validated model, as a list: rule known_after_as_of,
    exclusive (its reason alone is given); empty without var civcas_as_of. `column_label` names
    the date column that places the row; `incident_flag`, a boolean column saying that the
    row's incident was registered after the as-of date. -#}
{% macro known_after_as_of_checks(column_label, incident_flag=none) -%}
    {%- set as_of = as_of_var() -%}
    {%- if as_of is none -%}
        {%- do return([]) -%}
    {%- endif -%}
    {%- set incident_case = (" when " ~ incident_flag ~ " then 'its incident ' || coalesce(incident_code, '') || ' was registered after it'") if incident_flag else '' -%}
    {%- do return([{
        'rule': 'known_after_as_of',
        'exclusive': true,
        'when': 'is_known_after_as_of',
        'reason': "'known only after the as-of date " ~ as_of ~ " (var civcas_as_of): ' || case" ~ incident_case
            ~ " when known_on is null then 'no readable " ~ column_label ~ " says when it became known'"
            ~ " else 'known on ' || cast(known_on as " ~ dbt.type_string() ~ ") || ' (" ~ column_label ~ ")' end"}]) -%}
{%- endmacro %}
