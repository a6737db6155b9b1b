-- Nothing of the UCDP GED file is lost: every raw row (line) is in stg_ucdp__events and
-- int_ucdp_events_validated once, and is either a clean event (int_ucdp_events_attributed)
-- or quarantined with a reason. Returns the counts that disagree.
with

counts as (

    select
        (select count(*) from {{ ucdp_raw_events() }} as raw_events) as raw_rows,
        (select count(*) from {{ ref('stg_ucdp__events') }}) as staged_rows,
        (select count(*) from {{ ref('int_ucdp_events_validated') }}) as validated_rows,
        (select count(*) from {{ ref('int_ucdp_events_attributed') }}) as clean_rows,
        (
            select count(*) from {{ ref('int_ucdp_events_validated') }}
            where is_quarantined and quarantine_reason is not null
        ) as quarantined_rows

)

select *
from counts
where
    raw_rows <> staged_rows
    or raw_rows <> validated_rows
    or raw_rows <> clean_rows + quarantined_rows
