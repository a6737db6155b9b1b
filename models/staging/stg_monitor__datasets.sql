with

source as (

    select * from {{ raw_rows('raw_dataset') }}

),

renamed as (

    select
        {{ raw_row_identity_columns('source') }},
        {{ clean_text('source.dataset_id') }} as dataset_id,
        {{ clean_text('source.dataset_name') }} as dataset_name,
        -- Anything that is not a recognised "false" counts as synthetic: a demo
        -- number must never pass for a real one.
        coalesce(
            synthetic_codes.code <> 'false', true
        ) as is_synthetic,
        {{ clean_text('source.description') }} as dataset_description,
        {{ clean_text('source.generated_by') }} as generated_by,
        {{ clean_text('source.generator_seed') }} as generator_seed,
        {{ clean_text('source.source_reference') }} as source_reference,
        {{ clean_text('source.licence') }} as licence,
        -- Only a recognised "true" allows publishing the data again: unknown terms never do.
        coalesce(redistribute_codes.code = 'true', false) as is_redistributable,
        {{ clean_text('source.credit') }} as credit

    from source
    {{ code_join('boolean', 'source.is_synthetic', 'synthetic_codes') }}
    {{ code_join('boolean', 'source.may_redistribute', 'redistribute_codes') }}

)

select * from renamed
