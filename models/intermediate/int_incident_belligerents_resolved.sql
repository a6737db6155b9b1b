-- One row per raw attribution row and belligerent it names (see macros/belligerent_lists.sql).
{{ resolve_belligerent_list(ref('stg_monitor__incident_belligerents'), 'belligerent_as_written', ['raw_row_key', 'incident_code']) }}
