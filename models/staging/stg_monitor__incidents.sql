with

source as (

    -- each text cleaned here once (clean_text), and read clean by the look-ups below
    select
        {{ raw_row_identity_columns('identified_raw_rows') }},
        {{ clean_text('identified_raw_rows.incident_code') }} as incident_code,
        {{ clean_text('identified_raw_rows.previous_codes') }} as previous_codes,
        {{ clean_text('identified_raw_rows.date_precision') }} as date_precision,
        {{ clean_text('identified_raw_rows.place_as_written') }} as place_as_written,
        {{ clean_text('identified_raw_rows.governorate_as_written') }} as governorate_as_written,
        {{ clean_text('identified_raw_rows.country_as_written') }} as country_as_written,
        {{ clean_text('identified_raw_rows.geolocation_precision') }} as geolocation_precision,
        identified_raw_rows.incident_date,
        identified_raw_rows.incident_date_end,
        identified_raw_rows.latitude,
        identified_raw_rows.longitude,
        identified_raw_rows.first_published,
        identified_raw_rows.civilian_harm_reported
    from {{ raw_rows('raw_incidents') }}

),

{{ place_and_governorate_key_ctes('source', is_clean=true) }},

renamed as (

    select
        {{ raw_row_identity_columns('source') }},
        upper(source.incident_code) as incident_code,
        upper(source.previous_codes) as previous_codes,

        {{ safe_iso_date('source.incident_date') }} as incident_date_exact,
        {{ safe_iso_month('source.incident_date') }} as incident_month,
        {{ safe_iso_date('source.incident_date_end') }} as incident_date_end,
        source.incident_date as incident_date_raw,
        source.incident_date_end as incident_date_end_raw,
        source.date_precision as date_precision_as_written,
        date_precision_codes.code as date_precision_id,

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

        source.civilian_harm_reported as civilian_harm_reported_raw,
        cast(civilian_harm_codes.code as boolean)
            as is_civilian_harm_reported,
        {{ safe_iso_date('source.first_published') }} as first_published_on,
        source.first_published as first_published_raw

    from source
    {{ code_join('date_precision', 'source.date_precision', 'date_precision_codes', is_clean=true) }}
    {{ alias_join('ref_place_aliases', 'place_id', 'source.place_as_written', 'place_aliases', is_clean=true) }}
    {{ alias_join('ref_governorate_aliases', 'governorate_id', 'source.governorate_as_written', 'governorate_aliases', is_clean=true) }}
    {{ place_key_joins('source', 'governorate_aliases', 'place_keys', 'places_by_key', 'governorate_keys', 'governorates_by_key', is_clean=true) }}
    {{ code_join('country', 'source.country_as_written', 'country_codes', is_clean=true) }}
    {{ code_join('geo_precision', 'source.geolocation_precision', 'geo_precision_codes', is_clean=true) }}
    {{ code_join('boolean', 'source.civilian_harm_reported', 'civilian_harm_codes') }}

)

select * from renamed
