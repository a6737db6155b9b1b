-- One row per raw claim row and belligerent it blames (see macros/belligerent_lists.sql).
{{ resolve_belligerent_list(
    ref('stg_monitor__claims'), 'belligerents_as_written', ['raw_row_key', 'claim_id'],
    list_names=ref('int_claim_belligerent_lists_resolved'),
) }}
