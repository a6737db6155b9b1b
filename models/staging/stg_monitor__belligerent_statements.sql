with

source as (

    select * from {{ raw_rows('raw_belligerent_statements') }}

),

renamed as (

    select
        {{ raw_row_identity_columns('source') }},
        {{ clean_text('source.statement_id') }} as statement_id,
        upper({{ clean_text('source.incident_code') }}) as incident_code,
        {{ clean_text('source.belligerent_as_written') }} as belligerent_as_written,
        belligerent_aliases.belligerent_id,
        {{ clean_text('source.verdict') }} as verdict_as_written,
        verdict_codes.code as verdict_id,
        {{ safe_whole_number('source.deaths_conceded_min') }} as deaths_conceded_min,
        {{ safe_whole_number('source.deaths_conceded_max') }} as deaths_conceded_max,
        {{ safe_whole_number('source.injuries_conceded_min') }} as injuries_conceded_min,
        {{ safe_whole_number('source.injuries_conceded_max') }} as injuries_conceded_max,
        source.deaths_conceded_min as deaths_conceded_min_raw,
        source.deaths_conceded_max as deaths_conceded_max_raw,
        source.injuries_conceded_min as injuries_conceded_min_raw,
        source.injuries_conceded_max as injuries_conceded_max_raw,
        -- Statement dates come as YYYY-MM-DD, or YYYYMMDD in the coalition's own reports
        -- (var civcas_date_formats).
        {{ source_date('raw_belligerent_statements.statement_date', 'source.statement_date', clean_text('source.statement_id')) }} as statement_date,
        source.statement_date as statement_date_raw,
        {{ clean_text('source.statement_url') }} as statement_url

    from source
    {{ alias_join('ref_belligerent_aliases', 'belligerent_id', 'source.belligerent_as_written', 'belligerent_aliases') }}
    {{ code_join('verdict', 'source.verdict', 'verdict_codes') }}

)

select * from renamed
