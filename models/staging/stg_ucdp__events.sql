{{ config(pre_hook=ucdp_pre_hooks()) }}
-- One row per raw row (line) of the UCDP GED file that var civcas_ucdp_path names: renamed,
-- typed and normalised, nothing judged (int_ucdp_events_validated quarantines). With no file
-- configured (the synthetic demo) it is empty, with its types. A row's identity is the hash of
-- its content and its copy number among identical lines, as for the other raw tables.
with

source as (

    select * from {{ ucdp_raw_events() }} as raw_events

),

identified as (

    select
        source.*,
        md5({{ ucdp_record_text('source') }}) as raw_record_hash
    from source

),

numbered as (

    select
        identified.*,
        row_number() over (
            partition by identified.raw_record_hash order by identified.raw_record_hash
        ) as raw_copy_number
    from identified

),

cleaned as (

    select
        numbered.raw_record_hash,
        numbered.raw_copy_number,
        {{ clean_text('numbered.id') }} as id,
        {{ clean_text('numbered.year') }} as year_text,
        {{ clean_text('numbered.type_of_violence') }} as type_of_violence,
        {{ clean_text('numbered.conflict_name') }} as conflict_name,
        {{ clean_text('numbered.dyad_name') }} as dyad_name,
        {{ clean_text('numbered.side_a') }} as side_a,
        {{ clean_text('numbered.side_b') }} as side_b,
        {{ clean_text('numbered.number_of_sources') }} as number_of_sources,
        {{ clean_text('numbered.source_office') }} as source_office,
        {{ clean_text('numbered.source_date') }} as source_date,
        {{ clean_text('numbered.source_headline') }} as source_headline,
        {{ clean_text('numbered.where_prec') }} as where_prec,
        {{ clean_text('numbered.where_coordinates') }} as where_coordinates,
        {{ clean_text('numbered.adm_1') }} as adm_1,
        {{ clean_text('numbered.adm_2') }} as adm_2,
        {{ clean_text('numbered.latitude') }} as latitude,
        {{ clean_text('numbered.longitude') }} as longitude,
        {{ clean_text('numbered.country') }} as country,
        {{ clean_text('numbered.event_clarity') }} as event_clarity,
        {{ clean_text('numbered.date_prec') }} as date_prec,
        {{ clean_text('numbered.date_start') }} as date_start,
        {{ clean_text('numbered.date_end') }} as date_end,
        {{ clean_text('numbered.deaths_a') }} as deaths_a,
        {{ clean_text('numbered.deaths_b') }} as deaths_b,
        {{ clean_text('numbered.deaths_civilians') }} as deaths_civilians,
        {{ clean_text('numbered.deaths_unknown') }} as deaths_unknown,
        {{ clean_text('numbered.low') }} as low,
        {{ clean_text('numbered.best') }} as best,
        {{ clean_text('numbered.high') }} as high
    from numbered

),

renamed as (

    select
        cleaned.raw_record_hash,
        cleaned.raw_copy_number,
        cleaned.raw_record_hash || '-' || cast(cleaned.raw_copy_number as {{ dbt.type_string() }}) as raw_row_key,
        {{ safe_whole_number('cleaned.id') }} as event_id,
        cleaned.id as event_id_raw,
        {{ safe_whole_number('cleaned.year_text') }} as event_year,
        {{ safe_whole_number('cleaned.type_of_violence') }} as type_of_violence,
        cleaned.conflict_name,
        cleaned.dyad_name,
        cleaned.side_a,
        cleaned.side_b,
        {{ safe_whole_number('cleaned.number_of_sources') }} as number_of_sources,
        cleaned.source_office,
        cleaned.source_date,
        cleaned.source_headline,
        {{ safe_whole_number('cleaned.where_prec') }} as where_precision,
        cleaned.where_coordinates,
        cleaned.adm_1,
        governorate_aliases.governorate_id,
        cleaned.adm_2,
        {{ safe_decimal_degrees('cleaned.latitude') }} as latitude,
        {{ safe_decimal_degrees('cleaned.longitude') }} as longitude,
        cleaned.country,
        {{ safe_whole_number('cleaned.event_clarity') }} as event_clarity,
        {{ safe_whole_number('cleaned.date_prec') }} as date_precision,
        {{ safe_iso_date('cleaned.date_start') }} as date_start,
        cleaned.date_start as date_start_raw,
        {{ safe_iso_date('cleaned.date_end') }} as date_end,
        cleaned.date_end as date_end_raw,
        {{ safe_whole_number('cleaned.deaths_a') }} as deaths_side_a,
        {{ safe_whole_number('cleaned.deaths_b') }} as deaths_side_b,
        {{ safe_whole_number('cleaned.deaths_civilians') }} as deaths_civilians,
        cleaned.deaths_civilians as deaths_civilians_raw,
        {{ safe_whole_number('cleaned.deaths_unknown') }} as deaths_unknown,
        {{ safe_whole_number('cleaned.low') }} as deaths_low,
        {{ safe_whole_number('cleaned.best') }} as deaths_best,
        cleaned.best as deaths_best_raw,
        {{ safe_whole_number('cleaned.high') }} as deaths_high
    from cleaned
    {{ alias_join('ref_ucdp_governorates', 'governorate_id', 'cleaned.adm_1', 'governorate_aliases', is_clean=true) }}

)

select * from renamed
