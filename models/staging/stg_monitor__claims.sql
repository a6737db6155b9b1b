-- Claims as logged, typed. Incremental: a run stages only the raw rows it has not staged
-- before (a day's new claims): in files mode it reads only the raw files added since (by
-- name, raw_file), with the demo's seeds the rows whose key is new. It restages all of them
-- when the reference seeds, the registers or the linking vars changed
-- (macros/incremental_refresh.sql). Raw claims only grow: an edited or deleted raw row or file
-- stops the run and asks for --full-refresh.
{{ config(
    materialized=claim_chain_materialization(),
    unique_key='raw_row_key',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

{%- set files_to_stage = raw_files_to_stage(
    'raw_claims',
    claim_chain_inputs_fingerprint() ~ ' is distinct from (select max(inputs_fingerprint) from ' ~ this ~ ')',
) %}

with

raw_claims as {{ cte_not_materialized() }} (

    select * from {{ raw_rows('raw_claims', files=files_to_stage) }}

),

inputs as (

    select {{ claim_chain_inputs_fingerprint() }} as inputs_fingerprint

),

{%- if is_incremental() %}

staged as (

    select
        raw_row_key,
        raw_row_hash,
        inputs_fingerprint
    from {{ this }}

),

refresh as (

    select
        (select inputs.inputs_fingerprint from inputs) as inputs_fingerprint,
        (select count(*) from staged) as staged_rows,
        (select max(staged.inputs_fingerprint) from staged) as staged_inputs_fingerprint,
        {%- if files_to_stage is none %}
        -- every raw row is read: every staged row must still be among them
        (select count(*) from raw_claims where raw_row_key in (select staged.raw_row_key from staged)) as kept_rows,
        0 as repeated_rows
        {%- else %}
        -- only new files are read: a row of theirs may not repeat one staged before (its key
        -- would then depend on the older file)
        (select count(*) from staged) as kept_rows,
        (select count(*) from raw_claims where raw_row_hash in (select staged.raw_row_hash from staged)) as repeated_rows
        {%- endif %}

),

checked_refresh as (

    -- raw claims only grow between refreshes
    select
        inputs_fingerprint,
        inputs_fingerprint is distinct from staged_inputs_fingerprint as is_restaging_all,
        case
            when kept_rows < staged_rows
                then {{ fail_query("'raw_claims: ' || cast(staged_rows - kept_rows as " ~ dbt.type_string() ~ ") || ' staged claim rows are no longer in the raw claims (edited or deleted); an incremental refresh only adds rows: run dbt build --full-refresh'") }}
            when repeated_rows > 0
                then {{ fail_query("'raw_claims: ' || cast(repeated_rows as " ~ dbt.type_string() ~ ") || ' rows of the new raw files repeat a claim row staged before; run dbt build --full-refresh to number the copies'") }}
        end as refresh_failure
    from refresh

),
{%- endif %}

source as (

    -- the rows to stage, chosen on their key before any value is parsed: in a refresh, the
    -- rows not staged before (all of them when the inputs changed). Each text is cleaned
    -- here once (clean_text), and read clean by the look-ups below.
    select
        {{ raw_row_identity_columns('raw_claims') }},
        raw_claims.raw_file,
        raw_claims.raw_row_hash,
        {{ clean_text('raw_claims.claim_id') }} as claim_id,
        {{ clean_text('raw_claims.source_id') }} as source_id,
        {{ clean_text('raw_claims.incident_code') }} as incident_code,
        {{ clean_text('raw_claims.place_as_written') }} as place_as_written,
        {{ clean_text('raw_claims.governorate_as_written') }} as governorate_as_written,
        {{ clean_text('raw_claims.country_as_written') }} as country_as_written,
        {{ clean_text('raw_claims.geolocation_precision') }} as geolocation_precision,
        {{ clean_text('raw_claims.belligerents_as_written') }} as belligerents_as_written,
        {{ clean_text('raw_claims.report_url') }} as report_url,
        {{ clean_text('raw_claims.archive_url') }} as archive_url,
        raw_claims.date_reported,
        raw_claims.incident_date,
        raw_claims.incident_date_start,
        raw_claims.incident_date_end,
        raw_claims.latitude,
        raw_claims.longitude,
        raw_claims.civilians_killed_min,
        raw_claims.civilians_killed_max,
        raw_claims.civilians_injured_min,
        raw_claims.civilians_injured_max
    from raw_claims
    {%- if is_incremental() %}
    cross join checked_refresh
    where
        checked_refresh.refresh_failure is null
        and (
            checked_refresh.is_restaging_all
            or raw_claims.raw_row_key not in (select staged.raw_row_key from staged)
        )
    {%- endif %}

),

{{ place_and_governorate_key_ctes('source', is_clean=true) }},

renamed as (

    select
        {{ raw_row_identity_columns('source') }},
        -- the file the row came from, and its hash: what a refresh reads anew
        source.raw_file,
        source.raw_row_hash,

        -- ids
        source.claim_id,
        source.source_id,
        upper(source.incident_code) as incident_code,

        -- dates: typed, with the text as written kept beside them
        -- posts are dated YYYY-MM-DD, or written out in English or Arabic ("2 مارس 2026")
        {{ safe_written_date('source.date_reported') }} as date_reported,
        {{ safe_iso_date('source.incident_date') }} as incident_date_exact,
        {{ safe_iso_month('source.incident_date') }} as incident_month,
        {{ safe_iso_date('source.incident_date_start') }} as incident_date_start,
        {{ safe_iso_date('source.incident_date_end') }} as incident_date_end,
        source.date_reported as date_reported_raw,
        source.incident_date as incident_date_raw,
        source.incident_date_start as incident_date_start_raw,
        source.incident_date_end as incident_date_end_raw,

        -- place, resolved through the gazetteer seeds
        source.place_as_written,
        -- the gazetteer's spelling first, else its place by the core key (macros/place_keys.sql)
        coalesce(place_aliases.place_id, places_by_key.gazetteer_id) as place_id,
        {{ place_key_select_columns('place_keys') }},
        source.governorate_as_written,
        coalesce(governorate_aliases.governorate_id, governorates_by_key.gazetteer_id) as governorate_id,
        source.country_as_written,
        country_codes.code as country_id,
        {{ safe_decimal_degrees('source.latitude') }} as latitude,
        {{ safe_decimal_degrees('source.longitude') }} as longitude,
        source.latitude as latitude_raw,
        source.longitude as longitude_raw,
        source.geolocation_precision as geolocation_precision_as_written,
        geo_precision_codes.code as geo_precision_id,

        -- blame, as written; split and resolved in int_claim_belligerents_resolved
        source.belligerents_as_written,

        -- figures as reported
        {{ safe_whole_number('source.civilians_killed_min') }} as civilians_killed_min,
        {{ safe_whole_number('source.civilians_killed_max') }} as civilians_killed_max,
        {{ safe_whole_number('source.civilians_injured_min') }} as civilians_injured_min,
        {{ safe_whole_number('source.civilians_injured_max') }} as civilians_injured_max,
        source.civilians_killed_min as civilians_killed_min_raw,
        source.civilians_killed_max as civilians_killed_max_raw,
        source.civilians_injured_min as civilians_injured_min_raw,
        source.civilians_injured_max as civilians_injured_max_raw,

        -- links (internal when the source is protected)
        source.report_url,
        source.archive_url

    from source
    {{ alias_join('ref_place_aliases', 'place_id', 'source.place_as_written', 'place_aliases', is_clean=true) }}
    {{ alias_join('ref_governorate_aliases', 'governorate_id', 'source.governorate_as_written', 'governorate_aliases', is_clean=true) }}
    {{ place_key_joins('source', 'governorate_aliases', 'place_keys', 'places_by_key', 'governorate_keys', 'governorates_by_key', is_clean=true) }}
    {{ code_join('country', 'source.country_as_written', 'country_codes', is_clean=true) }}
    {{ code_join('geo_precision', 'source.geolocation_precision', 'geo_precision_codes', is_clean=true) }}

),

final as (

    select
        renamed.*,
        inputs.inputs_fingerprint,
        {{ refresh_timestamp() }} as staged_at
    from renamed
    cross join inputs

)

select * from final
