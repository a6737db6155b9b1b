with

source as (

    select * from {{ raw_rows('raw_intake_batches') }}

),

renamed as (

    select
        {{ raw_row_identity_columns('source') }},
        {{ clean_text('source.batch_id') }} as batch_id,
        {{ safe_iso_timestamp('source.accepted_at') }} as accepted_at,
        {{ clean_text('source.accepted_by') }} as accepted_by,
        {{ clean_text('source.raw_table') }} as raw_table,
        {{ clean_text('source.batch_file') }} as batch_file,
        {{ clean_text('source.file_sha256') }} as file_sha256,
        {{ safe_whole_number('source.rows_handed_in') }} as rows_handed_in,
        {{ safe_whole_number('source.rows_quarantined_in_preview') }} as rows_quarantined_in_preview,
        {{ safe_whole_number('source.rows_flagged_in_preview') }} as rows_flagged_in_preview,
        {{ clean_text('source.raw_file_written') }} as raw_file_written
    from source

)

select * from renamed
