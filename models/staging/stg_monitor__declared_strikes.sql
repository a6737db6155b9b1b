with

source as (

    select * from {{ raw_rows('raw_declared_strikes') }}

),

renamed as (

    select
        {{ raw_row_identity_columns('source') }},
        {{ clean_text('source.strike_release_id') }} as strike_release_id,
        -- ISO dates; only CENTCOM's lines are read M/D/YYYY and the Dutch lines 7-Oct-14
        -- (var civcas_date_formats, by strike_release_id prefix): day/month never guessed
        {{ source_date('raw_declared_strikes.strike_date', 'source.strike_date', clean_text('source.strike_release_id')) }} as strike_date,
        source.strike_date as strike_date_raw,
        {{ clean_text('source.belligerent_as_written') }} as belligerent_as_written,
        belligerent_aliases.belligerent_id,
        {{ clean_text('source.country_as_written') }} as country_as_written,
        country_codes.code as country_id,
        {{ clean_text('source.place_near') }} as place_near,
        place_aliases.place_id,
        {{ clean_text('source.governorate_as_written') }} as governorate_as_written,
        governorate_aliases.governorate_id,
        -- the Dutch data writes decimal commas: 36,74615732
        {{ safe_decimal_degrees("replace(source.latitude, ',', '.')") }} as latitude,
        {{ safe_decimal_degrees("replace(source.longitude, ',', '.')") }} as longitude,
        source.latitude as latitude_raw,
        source.longitude as longitude_raw,
        {{ safe_whole_number('source.strike_count') }} as strike_count,
        source.strike_count as strike_count_raw,
        {{ clean_text('source.release_text') }} as release_text

    from source
    {{ alias_join('ref_belligerent_aliases', 'belligerent_id', 'source.belligerent_as_written', 'belligerent_aliases') }}
    {{ code_join('country', 'source.country_as_written', 'country_codes') }}
    {{ alias_join('ref_place_aliases', 'place_id', 'source.place_near', 'place_aliases') }}
    {{ alias_join('ref_governorate_aliases', 'governorate_id', 'source.governorate_as_written', 'governorate_aliases') }}

)

select * from renamed
