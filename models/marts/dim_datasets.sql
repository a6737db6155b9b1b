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
        source_reference
    from datasets
    where raw_copy_number = 1

)

select * from final
