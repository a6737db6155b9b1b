-- One row per raw table of an accepted intake batch (the intake ledger): who handed the
-- rows in, when, from which file, and what the preview found. A ledger row copied by hand
-- (raw_copy_number > 1) counts once. In a build as of var civcas_as_of only the batches accepted
-- by the end of that day count (macros/as_of.sql); the others are counted apart by the
-- reconciliation test.
with

ledger as (

    select * from {{ ref('stg_monitor__intake_batches') }}

),

datasets as (

    select * from {{ ref('dim_datasets') }}

),

final as (

    select
        ledger.batch_id,
        ledger.raw_table,
        ledger.accepted_at,
        cast(ledger.accepted_at as date) as accepted_on,
        ledger.accepted_by,
        ledger.batch_file,
        ledger.file_sha256,
        ledger.rows_handed_in,
        ledger.rows_quarantined_in_preview,
        ledger.rows_flagged_in_preview,
        ledger.raw_file_written,
        datasets.is_synthetic
    from ledger
    cross join datasets
    where
        ledger.raw_copy_number = 1
        and not {{ is_known_after_as_of(known_on('raw_intake_batches', 'ledger')) }}

)

select * from final
