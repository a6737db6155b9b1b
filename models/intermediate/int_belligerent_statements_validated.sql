-- Every raw belligerent statement (a military's own verdict), checked.
with

statements as (

    select * from {{ ref('stg_monitor__belligerent_statements') }}

),

incident_codes as (

    select * from {{ ref('int_incident_codes_mapped') }}

),

incidents_after_as_of as (

    {{ incident_codes_known_after_as_of() }}

),

incident_dates as (

    select * from {{ ref('int_incidents_validated') }}
    where not is_quarantined

),

linked as (

    select
        statements.*,
        incident_codes.incident_code as linked_incident_code,
        incident_dates.incident_date as linked_incident_date,
        -- as of var civcas_as_of (macros/as_of.sql): known on its date, its incident registered
        {{ known_on('raw_belligerent_statements', 'statements') }} as known_on,
        incidents_after_as_of.code is not null as is_incident_known_after_as_of,
        {{ is_known_after_as_of(known_on('raw_belligerent_statements', 'statements'), 'incidents_after_as_of.code is not null') }}
            as is_known_after_as_of
    from statements
    left join incident_codes
        on statements.incident_code = incident_codes.code
    left join incidents_after_as_of
        on
            statements.incident_code = incidents_after_as_of.code
            and incident_codes.incident_code is null
    left join incident_dates
        on incident_codes.incident_code = incident_dates.incident_code

),

{%- set checks = known_after_as_of_checks('statement_date', 'is_incident_known_after_as_of')
  + id_checks('statement_id', 'raw_belligerent_statements') + [
    incident_link_check(),
    {'rule': 'unknown_belligerent',
     'when': 'belligerent_id is null',
     'reason': "'belligerent ' || " ~ quoted_value('belligerent_as_written') ~ " || ' is not in seeds/reference/ref_belligerent_aliases.csv; add the alias'"},
    {'rule': 'unknown_verdict',
     'when': 'verdict_id is null',
     'reason': "'verdict ' || " ~ quoted_value('verdict_as_written') ~ " || ' is not a verdict; use credible, non-credible, duplicate or not yet assessed'"},
    source_date_parse_check('raw_belligerent_statements.statement_date', 'statement_date_raw', 'statement_date', 'statement_id', 'statement_date'),
] + date_bound_checks('statement_date', 'statement_date_raw', 'statement_date') + [
    record_before_incident_check('statement_before_incident', 'statement_date', 'statement_date'),
] %}

{#- Conceded figures are judged field by field (macros/field_issues.sql). -#}
{%- set field_checks = figure_pair_field_checks('deaths_conceded') + figure_pair_field_checks('injuries_conceded') %}

id_conflicts as (

    {{ id_conflicts('linked', 'statement_id') }}

),

validated as (

    select
        linked.*,
        {{ quarantine_columns(checks) }},
        {{ field_issue_columns(field_checks) }}
    from linked
    left join id_conflicts
        on {{ null_safe_equals('linked.statement_id', 'id_conflicts.checked_id') }}

),

fields_checked as (

    select {{ columns_with_field_issues_applied('validated', field_checks) }}
    from validated

)

select * from fields_checked
