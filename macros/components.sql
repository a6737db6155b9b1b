{#- Connected components of the claims of one day joined by same-day pairs (the day groups of
    int_candidate_incidents_grouped): CTEs ending in `day_groups` (claim_id, day_group_id), the
    smallest claim id of each claim's component. `claims` has claim_id and incident_date;
    `edges` has from_claim_id and to_claim_id, both ways, between claims of one date. -#}
{% macro day_group_ctes(claims, edges) -%}
    {{ return(adapter.dispatch('day_group_ctes', 'civcas')(claims, edges)) }}
{%- endmacro %}

{#- Recursive propagation of the smallest claim id (the model starts `with recursive`). -#}
{% macro default__day_group_ctes(claims, edges) -%}
-- each claim collects the smaller claim ids of its same-day component; only a smaller id
-- travels, so the recursion stops once every claim knows its component's smallest
component_labels (claim_id, label_claim_id) as (

    select
        claim_id,
        claim_id as label_claim_id
    from {{ claims }}
    union
    select
        {{ edges }}.to_claim_id as claim_id,
        component_labels.label_claim_id
    from component_labels
    inner join {{ edges }}
        on component_labels.claim_id = {{ edges }}.from_claim_id
    where component_labels.label_claim_id < {{ edges }}.to_claim_id

),

day_groups as (

    select
        claim_id,
        min(label_claim_id) as day_group_id
    from component_labels
    group by claim_id

)
{%- endmacro %}
