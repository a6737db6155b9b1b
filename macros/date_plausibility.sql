{#- Plausible dates (issue 12, part 3): the rules every int_*_validated model applies to
    every date of its raw table, defined once here.

    Bounds: a date lies between var civcas_earliest_plausible_date and the build's latest
    plausible date, which is the build's reference date (int_reference_date: var
    civcas_as_of_date, or the latest record logged that is not after the day the build
    runs) plus var civcas_date_tolerance_days. A date after the run date never counts
    towards the reference date, so an implausible date cannot raise its own bound.

    Formats: where a source writes dates its own way (CENTCOM M/D/YYYY, the Dutch D-Mon-YY),
    var civcas_date_formats says which rows (by id prefix) are read with which formats, so
    a day/month order is never guessed: every other row is read as ISO only. -#}

{#- The build's reference date and latest plausible date, as scalar SQL expressions. -#}
{% macro reference_date() -%}
    (select reference_dates.reference_date from {{ ref('int_reference_date') }} as reference_dates)
{%- endmacro %}

{% macro latest_plausible_date() -%}
    (select reference_dates.latest_plausible_date from {{ ref('int_reference_date') }} as reference_dates)
{%- endmacro %}

{#- The day the build takes as today: var civcas_run_date (reproducible builds, tests), or the
    machine's date. -#}
{% macro run_date() -%}
    {%- if var('civcas_run_date', none) -%}
    cast('{{ var("civcas_run_date") }}' as date)
    {%- else -%}
    current_date
    {%- endif -%}
{%- endmacro %}

{% macro earliest_plausible_date() -%}
    cast('{{ var("civcas_earliest_plausible_date") }}' as date)
{%- endmacro %}

{#- `expr` moved by the tolerance (days) of var civcas_date_tolerance_days; sign -1 moves it back. -#}
{% macro date_with_tolerance(expr, sign=1) -%}
    cast({{ dbt.dateadd('day', sign * (var('civcas_date_tolerance_days') | int), expr) }} as date)
{%- endmacro %}

{#- Why a parsed year may not be what was meant: a two-digit year (strptime reads 68 as
    2068 and 69 as 1969) or a year written with fewer than four digits. '' otherwise. -#}
{% macro short_year_note(typed_expr, raw_expr) -%}
    case
        when extract(year from {{ typed_expr }}) < 1000
            then ' (its year has fewer than four digits; write the year in full)'
        when position(cast(extract(year from {{ typed_expr }}) as {{ dbt.type_string() }}) in coalesce({{ raw_expr }}, '')) = 0
            then ' (a two-digit year, read as ' || cast(extract(year from {{ typed_expr }}) as {{ dbt.type_string() }}) || '; write the year in four digits)'
        else ''
    end
{%- endmacro %}

{#- The two bound checks of one date column: rule implausible_date, with a reason that
    names the column, the value as written, the bound and what to do. -#}
{% macro date_bound_checks(typed_expr, raw_expr, column_label) -%}
    {%- set value_read = "'" ~ column_label ~ " ' || " ~ quoted_value(raw_expr) ~ " || case when " ~ trim_text("coalesce(" ~ raw_expr ~ ", '')") ~ " = cast(" ~ typed_expr ~ " as " ~ dbt.type_string() ~ ") then '' else ' (read as ' || cast(" ~ typed_expr ~ " as " ~ dbt.type_string() ~ ") || ')' end" -%}
    {%- do return([
        {'rule': 'implausible_date',
         'when': typed_expr ~ ' < ' ~ earliest_plausible_date(),
         'reason': value_read ~ " || ' is before " ~ var('civcas_earliest_plausible_date') ~ " (var civcas_earliest_plausible_date)' || " ~ short_year_note(typed_expr, raw_expr) ~ " || '; it is a placeholder or a typo: enter the real date'"},
        {'rule': 'implausible_date',
         'when': typed_expr ~ ' > ' ~ latest_plausible_date(),
         'reason': value_read ~ " || ' is after ' || cast(" ~ latest_plausible_date() ~ " as " ~ dbt.type_string() ~ ") || ', the build''s reference date ' || cast(" ~ reference_date() ~ " as " ~ dbt.type_string() ~ ") || ' plus " ~ var('civcas_date_tolerance_days') ~ " day(s) (var civcas_date_tolerance_days)' || " ~ short_year_note(typed_expr, raw_expr) ~ " || '; a date in the future is a typo: correct it (or set var civcas_as_of_date when the data is newer than its latest record)'"},
    ]) -%}
{%- endmacro %}

{#- An event dated after the record that reports it (beyond the tolerance): the event
    date or the report date is wrong. -#}
{% macro event_after_report_check(event_expr, event_label, report_expr, report_label) -%}
    {%- do return({
        'rule': 'date_after_report',
        'when': event_expr ~ ' > ' ~ date_with_tolerance(report_expr),
        'reason': "'" ~ event_label ~ " ' || cast(" ~ event_expr ~ " as " ~ dbt.type_string() ~ ") || ' is after " ~ report_label ~ " ' || cast(" ~ report_expr ~ " as " ~ dbt.type_string() ~ ") || ' (more than " ~ var('civcas_date_tolerance_days') ~ " day(s), var civcas_date_tolerance_days): an event cannot be reported before it happens; one of the two dates is wrong, correct it'"}) -%}
{%- endmacro %}

{#- A record about an incident dated before the incident began (beyond the tolerance). -#}
{% macro record_before_incident_check(rule, record_expr, record_label) -%}
    {%- do return({
        'rule': rule,
        'when': record_expr ~ ' < ' ~ date_with_tolerance('linked_incident_date', -1),
        'reason': "'" ~ record_label ~ " ' || cast(" ~ record_expr ~ " as " ~ dbt.type_string() ~ ") || ' is before its incident ' || linked_incident_code || ' began (' || cast(linked_incident_date as " ~ dbt.type_string() ~ ") || '; more than " ~ var('civcas_date_tolerance_days') ~ " day(s), var civcas_date_tolerance_days): nothing can be decided about an incident before it happens; correct this date, or the incident''s date in raw_incidents'"}) -%}
{%- endmacro %}

{#- The first publication of an incident before the incident began (beyond the tolerance).
    A field-level issue (macros/field_issues.sql): on the real archive the publication date
    is the mistyped one (RS3317-RS3319, 2018-03-25, "first published" 2018-02-25, are in
    Airwars' published March 2018 count), so the incident is kept, first_published_on is
    nulled (a date known to be wrong is unknown, and no later reader may take it for the
    first publication), and the issue is recorded in fct_field_issues. -#}
{% macro publication_before_incident_check() -%}
    {%- do return({
        'rule': 'published_before_incident',
        'field': 'first_published',
        'action': 'nulled',
        'columns': ['first_published_on'],
        'raw_value': 'cast(first_published_raw as ' ~ dbt.type_string() ~ ')',
        'when': 'first_published_on < ' ~ date_with_tolerance('incident_date', -1),
        'reason': "'first_published ' || cast(first_published_on as " ~ dbt.type_string() ~ ") || ' is before the incident_date ' || cast(incident_date as " ~ dbt.type_string() ~ ") || ' (more than " ~ var('civcas_date_tolerance_days') ~ " day(s), var civcas_date_tolerance_days): an incident cannot be published before it happens; correct first_published (or incident_date)'"}) -%}
{%- endmacro %}

{#- ---------------------------------------------------------------- formats by source -#}

{#- The formats of `column_key` ('<raw table>.<column>') from var civcas_date_formats:
    [(id prefix, [strptime formats])], in reverse order of the prefixes (so a prefix comes
    before any shorter prefix of it), the '' entry (every row) last. A row is read with the formats of the longest prefix its id starts with plus
    the '' formats. -#}
{% macro source_date_formats(column_key) -%}
    {%- set by_prefix = var('civcas_date_formats')[column_key] -%}
    {%- set common = by_prefix.get('', []) -%}
    {%- set entries = [] -%}
    {%- for prefix in by_prefix.keys() | sort(reverse=true) if prefix != '' -%}
        {%- do entries.append((prefix, common + by_prefix[prefix])) -%}
    {%- endfor -%}
    {%- do entries.append(('', common)) -%}
    {%- do return(entries) -%}
{%- endmacro %}

{#- A strptime format as a person writes it: %Y-%m-%d is YYYY-MM-DD. -#}
{% macro format_as_written(strptime_format) -%}
    {{- strptime_format.replace('%Y', 'YYYY').replace('%y', 'YY').replace('%m', 'MM').replace('%d', 'DD').replace('%b', 'Mon') -}}
{%- endmacro %}

{#- The date in `raw_expr`, read only with the formats its source (the id prefix of
    `id_expr`) is known to use; null when it does not parse in them. -#}
{% macro source_date(column_key, raw_expr, id_expr) -%}
    {%- set entries = source_date_formats(column_key) -%}
    {%- if entries | length == 1 -%}
    {{ safe_date_formats(raw_expr, entries[0][1]) }}
    {%- else -%}
    case
        {%- for prefix, formats in entries %}
        {%- if prefix != '' %}
        when left(coalesce({{ id_expr }}, ''), {{ prefix | length }}) = '{{ prefix }}'
            then {{ safe_date_formats(raw_expr, formats) }}
        {%- else %}
        else {{ safe_date_formats(raw_expr, formats) }}
        {%- endif %}
        {%- endfor %}
    end
    {%- endif -%}
{%- endmacro %}

{#- The parse check of a source-formatted date: the reason names the formats that row's
    source is read with. -#}
{% macro source_date_parse_check(column_key, raw_expr, typed_expr, id_expr, column_label) -%}
    {%- set accepted -%}
    case
        {%- for prefix, formats in source_date_formats(column_key) %}
        {%- set written = [] %}{% for format in formats %}{% do written.append(format_as_written(format)) %}{% endfor %}
        {%- if prefix != '' %}
        when left(coalesce({{ id_expr }}, ''), {{ prefix | length }}) = '{{ prefix }}'
            then 'rows whose id starts {{ prefix }} are read as {{ written | join(" or ") }}'
        {%- else %}
        when true then '{{ "rows of other sources are read as " ~ (written | join(" or ")) ~ " only" if loop.length > 1 else "it is read as " ~ (written | join(" or ")) }}'
        {%- endif %}
        {%- endfor %}
    end
    {%- endset -%}
    {%- do return({
        'rule': 'unparseable_date',
        'when': raw_expr ~ ' is not null and ' ~ trim_text(raw_expr) ~ " <> '' and " ~ typed_expr ~ ' is null',
        'reason': "'" ~ column_label ~ " ' || " ~ quoted_value(raw_expr) ~ " || ' is not a date in its source''s format (' || " ~ accepted ~ " || ', day and month never guessed); write YYYY-MM-DD'"}) -%}
{%- endmacro %}

{#- Incremental models: a row checked against an older, lower latest plausible date
    (`bound_column`, kept on the row) that has a date past it may be plausible now. -#}
{% macro dates_past_bound_when_validated(bound_column, date_columns) -%}
    {{ bound_column }} < {{ latest_plausible_date() }}
    and (
        {%- for column in date_columns %}
        {{ 'or ' if not loop.first }}{{ column }} > {{ bound_column }}
        {%- endfor %}
    )
{%- endmacro %}
