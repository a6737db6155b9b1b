with

datasets as (

    select * from {{ ref('stg_monitor__datasets') }}

),

final as (

    select
        dataset_id,
        dataset_name,
        is_synthetic,
        dataset_description,
        generated_by,
        generator_seed,
        source_reference,
        -- the day the build is as of (var civcas_as_of, macros/as_of.sql); null: as of the build
        {{ as_of_date() or 'cast(null as date)' }} as as_of_date,
        -- the terms and the credit line (civcas import-archive and generate-demo write them)
        licence,
        is_redistributable,
        credit
    from datasets
    where raw_copy_number = 1

)

select * from final
