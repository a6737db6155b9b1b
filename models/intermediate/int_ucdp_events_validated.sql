-- Every raw row of the UCDP GED file, checked: one row per raw row (raw_row_key), clean or
-- quarantined with its first rule and every reason. The checks are the other raw tables'
-- (a missing id, an exact copy, one id on rows that differ) and the few a comparison needs:
-- a readable start and end date in order, readable death counts, and deaths that add up
-- (UCDP's best estimate is the sum of its four death counts).
with

events as (

    select * from {{ ref('stg_ucdp__events') }}

),

event_ids as (

    select
        event_id_raw,
        raw_record_hash,
        -- the GED file is a published release, not a record of the monitor's own intake:
        -- var civcas_as_of does not cut it
        false as is_known_after_as_of
    from events

),

{#- the id as written (text, as every raw table's id): a written id that is no whole number is
    unreadable_id -#}
{%- set checks = id_checks('event_id_raw', 'the UCDP GED file') + [
    {'rule': 'unreadable_id',
     'when': 'event_id is null',
     'reason': "'id ' || " ~ quoted_value('event_id_raw') ~ " || ' is not a whole number, as a UCDP event id is'"},
    {'rule': 'missing_date',
     'when': 'date_start is null or date_end is null',
     'reason': "'date_start ' || " ~ quoted_value('date_start_raw') ~ " || ' or date_end ' || " ~ quoted_value('date_end_raw') ~ " || ' is not a date YYYY-MM-DD; a UCDP event needs both'"},
    {'rule': 'date_end_before_start',
     'when': 'date_end < date_start',
     'reason': "'date_end ' || " ~ quoted_value('date_end_raw') ~ " || ' is before date_start ' || " ~ quoted_value('date_start_raw')},
    {'rule': 'unreadable_deaths',
     'when': 'deaths_civilians is null or deaths_best is null or deaths_civilians < 0 or deaths_best < 0',
     'reason': "'deaths_civilians ' || " ~ quoted_value('deaths_civilians_raw') ~ " || ' or best ' || " ~ quoted_value('deaths_best_raw') ~ " || ' is not a whole number of at least 0'"},
    {'rule': 'deaths_do_not_add_up',
     'when': 'deaths_best <> deaths_side_a + deaths_side_b + deaths_civilians + deaths_unknown',
     'reason': "'best ' || " ~ quoted_value('deaths_best_raw') ~ " || ' is not deaths_a + deaths_b + deaths_civilians + deaths_unknown, as GED 19.1 defines it'"},
] %}

id_conflicts as (

    {{ id_conflicts('event_ids', 'event_id_raw') }}

),

validated as (

    select
        events.*,
        {{ quarantine_columns(checks) }}
    from events
    left join id_conflicts
        on {{ null_safe_equals('events.event_id_raw', 'id_conflicts.checked_id') }}

)

select * from validated
