with

source as (

    -- each text cleaned here once (clean_text), and read clean by the look-ups below
    select
        {{ raw_row_identity_columns('identified_raw_rows') }},
        {{ clean_text('identified_raw_rows.strike_release_id') }} as strike_release_id,
        {{ clean_text('identified_raw_rows.belligerent_as_written') }} as belligerent_as_written,
        {{ clean_text('identified_raw_rows.country_as_written') }} as country_as_written,
        {{ clean_text('identified_raw_rows.place_near') }} as place_near,
        {{ clean_text('identified_raw_rows.governorate_as_written') }} as governorate_as_written,
        {{ clean_text('identified_raw_rows.release_text') }} as release_text,
        identified_raw_rows.strike_date,
        identified_raw_rows.latitude,
        identified_raw_rows.longitude,
        identified_raw_rows.strike_count
    from {{ raw_rows('raw_declared_strikes') }}

),

renamed as (

    select
        {{ raw_row_identity_columns('source') }},
        source.strike_release_id,
        -- ISO dates; only CENTCOM's lines are read M/D/YYYY and the Dutch lines 7-Oct-14
        -- (var civcas_date_formats, by strike_release_id prefix): day/month never guessed
        {{ source_date('raw_declared_strikes.strike_date', 'source.strike_date', 'source.strike_release_id') }} as strike_date,
        source.strike_date as strike_date_raw,
        source.belligerent_as_written,
        belligerent_aliases.belligerent_id,
        source.country_as_written,
        country_codes.code as country_id,
        source.place_near,
        place_aliases.place_id,
        source.governorate_as_written,
        governorate_aliases.governorate_id,
        -- the Dutch data writes decimal commas: 36,74615732
        {{ safe_decimal_degrees("replace(source.latitude, ',', '.')") }} as latitude,
        {{ safe_decimal_degrees("replace(source.longitude, ',', '.')") }} as longitude,
        source.latitude as latitude_raw,
        source.longitude as longitude_raw,
        {{ safe_whole_number('source.strike_count') }} as strike_count,
        source.strike_count as strike_count_raw,
        source.release_text

    from source
    {{ alias_join('ref_belligerent_aliases', 'belligerent_id', 'source.belligerent_as_written', 'belligerent_aliases', is_clean=true) }}
    {{ code_join('country', 'source.country_as_written', 'country_codes', is_clean=true) }}
    {{ alias_join('ref_place_aliases', 'place_id', 'source.place_near', 'place_aliases', is_clean=true) }}
    {{ alias_join('ref_governorate_aliases', 'governorate_id', 'source.governorate_as_written', 'governorate_aliases', is_clean=true) }}

)

select * from renamed
