-- Every raw assessment-log row, checked. A blank grade is legitimate: the assessor
-- recorded figures without grading, and the incident stays ungraded.
with

assessments as (

    select * from {{ ref('stg_monitor__incident_assessments') }}

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
        assessments.*,
        incident_codes.incident_code as linked_incident_code,
        incident_dates.incident_date as linked_incident_date,
        -- as of var civcas_as_of (macros/as_of.sql): known on its date, its incident registered
        {{ known_on('raw_incident_assessments', 'assessments') }} as known_on,
        incidents_after_as_of.code is not null as is_incident_known_after_as_of,
        {{ is_known_after_as_of(known_on('raw_incident_assessments', 'assessments'), 'incidents_after_as_of.code is not null') }}
            as is_known_after_as_of
    from assessments
    left join incident_codes
        on assessments.incident_code = incident_codes.code
    left join incidents_after_as_of
        on
            assessments.incident_code = incidents_after_as_of.code
            and incident_codes.incident_code is null
    left join incident_dates
        on incident_codes.incident_code = incident_dates.incident_code

),

{%- set checks = known_after_as_of_checks('assessed_on', 'is_incident_known_after_as_of')
  + id_checks('assessment_id', 'raw_incident_assessments') + [
    incident_link_check(),
    parse_check('unparseable_date', 'assessed_on_raw', 'assessed_on', 'assessed_on', "a date; write YYYY-MM-DD"),
    {'rule': 'missing_date',
     'when': 'assessed_on_raw is null',
     'reason': "'assessed_on is empty; every decision needs its date so the grade history can be ordered'"},
] + date_bound_checks('assessed_on', 'assessed_on_raw', 'assessed_on') + [
    record_before_incident_check('assessed_before_incident', 'assessed_on', 'assessed_on'),
    {'rule': 'unknown_grade',
     'when': 'grade_as_written is not null and grade_id is null',
     'reason': "'grade ' || " ~ quoted_value('grade_as_written') ~ " || ' is not a grade; use Confirmed, Fair, Weak, Contested or Discounted, or leave it empty when not graded'"},
    {'rule': 'unknown_strike_status',
     'when': 'strike_status_as_written is not null and strike_status_id is null',
     'reason': "'strike_status ' || " ~ quoted_value('strike_status_as_written') ~ " || ' is not a strike status; use declared strike, likely strike, contested strike or single source claim'"},
] %}

{#- Figures are judged field by field (macros/field_issues.sql): a broken pair is nulled,
    one above the review ceiling flagged; the assessment keeps its grade. -#}
{%- set field_checks = figure_pair_field_checks('civilians_killed') + figure_pair_field_checks('civilians_injured')
  + figure_pair_field_checks('children_killed', 'civilians_killed') + figure_pair_field_checks('women_killed', 'civilians_killed') %}

id_conflicts as (

    {{ id_conflicts('linked', 'assessment_id') }}

),

validated as (

    select
        linked.*,
        {{ quarantine_columns(checks) }},
        {{ field_issue_columns(field_checks) }}
    from linked
    left join id_conflicts
        on {{ null_safe_equals('linked.assessment_id', 'id_conflicts.checked_id') }}

),

fields_checked as (

    select {{ columns_with_field_issues_applied('validated', field_checks) }}
    from validated

)

select * from fields_checked
