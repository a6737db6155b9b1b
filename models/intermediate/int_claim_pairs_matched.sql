-- One row per pair of claims that no incident took (int_claims_linked says unmatched) and
-- that the trained linkage model links: they meet in a block (macros/linking.sql) and their
-- match probability reaches var civcas_link_match_probability. Each pair once, the smaller
-- claim id on the left; the model compares the later report (left of the comparison) with
-- the earlier one. These pairs are what candidate incidents are grouped from.
-- Incremental: a run recomputes the pairs of the claims validated since its last refresh
-- (macros/incremental_refresh.sql); the pairs between two other claims cannot have changed.
-- depends_on: {{ ref('int_claims_validated') }}
{{ config(
    materialized=claim_chain_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_claims_validated_since_refresh(['left_claim_id', 'right_claim_id']) }}",
) }}

with

links as (

    select * from {{ ref('int_claims_linked') }}
    where link_rule = 'unmatched'

),

records as (

    select * from {{ ref('int_linking_records') }}
    where record_kind = 'claim'

),

unmatched_claims as (

    select records.*
    from records
    inner join links
        on records.record_id = links.claim_id

),

-- the claims whose pairs are computed: all of them, or in an incremental run the ones
-- validated since the last refresh
refreshed_claims as (

    select * from unmatched_claims
    where {{ is_claim_validated_since_refresh('record_id') }}

),

refreshed_keys as (

    {{ linking_block_keys('refreshed_claims', expand=true) }}

),

claim_keys as (

    {{ linking_block_keys('unmatched_claims') }}

),

-- each pair once: on its first meeting, and in an incremental run a pair of two refreshed
-- claims is met from both sides and kept from the side of its smaller id
pair_keys as (

    select
        case
            when refreshed_keys.record_sort_key < claim_keys.record_sort_key then refreshed_keys.record_id
            else claim_keys.record_id
        end as later_claim_id,
        case
            when refreshed_keys.record_sort_key < claim_keys.record_sort_key then claim_keys.record_id
            else refreshed_keys.record_id
        end as earlier_claim_id
    from refreshed_keys
    inner join claim_keys
        on
            refreshed_keys.block_key = claim_keys.block_key
            and refreshed_keys.match_day = claim_keys.match_day
            and refreshed_keys.record_id <> claim_keys.record_id
            and {{ linking_first_meeting('refreshed_keys', 'claim_keys') }}
    where
        refreshed_keys.record_id < claim_keys.record_id
        or not {{ is_claim_validated_since_refresh('claim_keys.record_id') }}

),

-- the later report on the left of the comparison (linking_sort_key)
pairs as (

    select
        least(later.record_id, earlier.record_id) as left_claim_id,
        greatest(later.record_id, earlier.record_id) as right_claim_id,
        abs({{ dbt.datediff('later.record_date', 'earlier.record_date', 'day') }}) as day_gap,
        {{ linking_pair_columns('later', 'earlier') }}
    from pair_keys
    inner join unmatched_claims as later
        on pair_keys.later_claim_id = later.record_id
    inner join unmatched_claims as earlier
        on pair_keys.earlier_claim_id = earlier.record_id

),

compared as (

    select
        pairs.*,
        {{ linking_levels() }}
    from pairs

),

scored as (

    {{ linking_scores('compared') }}

),

final as (

    select
        left_claim_id,
        right_claim_id,
        'matched_by_model' as pair_rule,
        day_gap,
        {{ match_probability('match_weight') }} as match_probability,
        {{ linking_explanation() }} as link_explanation,
        {{ refresh_timestamp() }} as refreshed_at
    from scored
    where match_weight >= {{ link_weight_threshold() }}

)

select * from final
