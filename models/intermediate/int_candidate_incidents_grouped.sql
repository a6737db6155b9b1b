-- Candidate incidents: the claims no incident took (int_claims_linked says unmatched),
-- grouped in two steps over the pairs of int_claim_pairs_matched.
--   1. Day groups: claims of the same date joined by a chain of same-day pairs (connected
--      components labelled by their smallest claim id: macro day_group_ctes).
--   2. Day slips: a day group joins the largest day group it pairs with a day or more away
--      when it holds at most var civcas_link_day_slip_share of that group's claims (reports
--      with a slipped date are a minority of an incident's reports), and only when that
--      group does not itself join another. Two groups of similar size on consecutive days
--      stay two incidents: chaining day by day would merge a week of strikes on one town.
-- A candidate's id is CAND-<its first claim id> (earliest date, then claim id): derived
-- from content, so rebuilds keep it and a claim about something else never renumbers it.
-- Incremental: a run recomputes the claims within 4 pair gaps (link_pair_max_day_gap) of the claims validated
-- since its last refresh, from those within 8 (macros/incremental_refresh.sql says why).
{{ config(
    materialized=claim_chain_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_candidate_refresh_days() }}",
) }}
{%- set slip_share = var('civcas_link_day_slip_share') %}

with recursive

links as (

    select * from {{ ref('int_claims_linked') }}
    where link_rule = 'unmatched'

),

claims as (

    select * from {{ ref('int_claims_validated') }}
    where not is_quarantined

),

all_pairs as (

    select * from {{ ref('int_claim_pairs_matched') }}

),
{%- if is_incremental() %}

output_days as (

    {{ candidate_refresh_days(4) }}

),

input_days as (

    {{ candidate_refresh_days(8) }}

),
{%- endif %}

unmatched_claims as (

    select
        claims.claim_id,
        claims.incident_date
    from claims
    inner join links
        on claims.claim_id = links.claim_id
    {%- if is_incremental() %}
    where claims.incident_date in (select input_days.incident_date from input_days)
    {%- endif %}

),

pairs as (

    select all_pairs.*
    from all_pairs
    {%- if is_incremental() %}
    inner join unmatched_claims as left_claims
        on all_pairs.left_claim_id = left_claims.claim_id
    inner join unmatched_claims as right_claims
        on all_pairs.right_claim_id = right_claims.claim_id
    {%- endif %}

),

same_day_edges as (

    select
        left_claim_id as from_claim_id,
        right_claim_id as to_claim_id
    from pairs
    where day_gap = 0
    union all
    select
        right_claim_id as from_claim_id,
        left_claim_id as to_claim_id
    from pairs
    where day_gap = 0

),

{{ day_group_ctes('unmatched_claims', 'same_day_edges') }},

day_group_sizes as (

    select
        day_groups.day_group_id,
        count(*) as group_size,
        min(unmatched_claims.incident_date) as group_date
    from day_groups
    inner join unmatched_claims
        on day_groups.claim_id = unmatched_claims.claim_id
    group by day_groups.day_group_id

),

cross_day_pairs as (

    select
        left_groups.day_group_id as left_group_id,
        right_groups.day_group_id as right_group_id
    from pairs
    inner join day_groups as left_groups
        on pairs.left_claim_id = left_groups.claim_id
    inner join day_groups as right_groups
        on pairs.right_claim_id = right_groups.claim_id
    where pairs.day_gap > 0

),

group_neighbours as (

    select
        left_group_id as group_id,
        right_group_id as neighbour_group_id
    from cross_day_pairs
    union
    select
        right_group_id as group_id,
        left_group_id as neighbour_group_id
    from cross_day_pairs

),

ranked_neighbours as (

    select
        group_neighbours.group_id,
        group_neighbours.neighbour_group_id,
        group_sizes.group_size,
        neighbour_sizes.group_size as neighbour_size,
        row_number() over (
            partition by group_neighbours.group_id
            order by neighbour_sizes.group_size desc, neighbour_sizes.group_date asc, group_neighbours.neighbour_group_id asc
        ) as neighbour_rank
    from group_neighbours
    inner join day_group_sizes as group_sizes
        on group_neighbours.group_id = group_sizes.day_group_id
    inner join day_group_sizes as neighbour_sizes
        on group_neighbours.neighbour_group_id = neighbour_sizes.day_group_id

),

day_slips as (

    select
        group_id,
        neighbour_group_id
    from ranked_neighbours
    where neighbour_rank = 1 and group_size <= {{ slip_share }} * neighbour_size

),

joined_groups as (

    select
        day_slips.group_id,
        day_slips.neighbour_group_id
    from day_slips
    where day_slips.neighbour_group_id not in (select inner_slips.group_id from day_slips as inner_slips)

),

grouped as (

    select
        unmatched_claims.claim_id,
        unmatched_claims.incident_date,
        joined_groups.group_id is not null as is_day_slipped,
        coalesce(joined_groups.neighbour_group_id, day_groups.day_group_id) as cluster_key
    from unmatched_claims
    inner join day_groups
        on unmatched_claims.claim_id = day_groups.claim_id
    left join joined_groups
        on day_groups.day_group_id = joined_groups.group_id

),

-- the rule of each claim's strongest pair inside its candidate: same day first, then by
-- distance, place name, governorate
claim_pair_rules as (

    select
        pairs.left_claim_id as claim_id,
        pairs.right_claim_id as other_claim_id,
        pairs.pair_rule,
        pairs.day_gap
    from pairs
    union all
    select
        pairs.right_claim_id as claim_id,
        pairs.left_claim_id as other_claim_id,
        pairs.pair_rule,
        pairs.day_gap
    from pairs

),

strongest_rules as (

    select
        claim_pair_rules.claim_id,
        claim_pair_rules.pair_rule,
        row_number() over (
            partition by claim_pair_rules.claim_id
            order by
                claim_pair_rules.day_gap,
                claim_pair_rules.pair_rule
        ) as rule_rank
    from claim_pair_rules
    inner join grouped as this_claim
        on claim_pair_rules.claim_id = this_claim.claim_id
    inner join grouped as other_claim
        on
            claim_pair_rules.other_claim_id = other_claim.claim_id
            and this_claim.cluster_key = other_claim.cluster_key

),

first_claims as (

    select
        cluster_key,
        claim_id as first_claim_id,
        row_number() over (partition by cluster_key order by incident_date, claim_id) as claim_rank,
        count(*) over (partition by cluster_key) as candidate_claim_count
    from grouped

),

final as (

    select
        grouped.claim_id,
        'CAND-' || first_claims.first_claim_id as candidate_incident_id,
        first_claims.candidate_claim_count,
        coalesce(strongest_rules.pair_rule, 'single_claim') as candidate_link_rule,
        grouped.is_day_slipped,
        grouped.incident_date,
        {{ refresh_timestamp() }} as refreshed_at
    from grouped
    inner join first_claims
        on grouped.cluster_key = first_claims.cluster_key and first_claims.claim_rank = 1
    left join strongest_rules
        on grouped.claim_id = strongest_rules.claim_id and strongest_rules.rule_rank = 1
    {%- if is_incremental() %}
    where grouped.incident_date in (select output_days.incident_date from output_days)
    {%- endif %}

)

select * from final
