-- One row per distinct blame list written in a claim and belligerent name in it, resolved
-- (macros/belligerent_lists.sql): a list is resolved once here, and every claim that
-- writes it reads the result (int_claim_belligerents_resolved per claim row, fct_claims
-- as its list of belligerent ids).
{{ resolve_belligerent_lists(ref('stg_monitor__claims'), 'belligerents_as_written') }}
