-- One row per pair of a clean claim and another record (claim or registered incident) that
-- meet in a block of the linking model (macros/linking.sql, linking_block_keys): the pairs
-- the model may compare. A view, read by `civcas evaluate-linking` to report the pairs
-- compared and the true pairs that blocking loses; the linking models block with the same
-- macro on the claims they link. Each claim pair once, the smaller claim id on the left.
{{ config(materialized='view') }}

with

records as (

    select * from {{ ref('int_linking_records') }}

),

claims as (

    select * from records
    where record_kind = 'claim'

),

claim_keys as (

    {{ linking_block_keys('claims') }}

),

record_keys as (

    {{ linking_block_keys('records', expand=true) }}

),

met as (

    select
        claim_keys.record_id as claim_id,
        record_keys.record_sort_key as other_sort_key
    from claim_keys
    inner join record_keys
        on
            claim_keys.block_key = record_keys.block_key
            and claim_keys.match_day = record_keys.match_day
            and claim_keys.record_sort_key <> record_keys.record_sort_key
            and {{ linking_first_meeting('claim_keys', 'record_keys') }}

),

final as (

    select distinct
        records.record_kind as other_record_kind,
        case
            when records.record_kind = 'incident' or met.claim_id < records.record_id then met.claim_id
            else records.record_id
        end as claim_id,
        case
            when records.record_kind = 'incident' or met.claim_id < records.record_id then records.record_id
            else met.claim_id
        end as other_record_id
    from met
    inner join records
        on met.other_sort_key = records.record_sort_key

)

select * from final
