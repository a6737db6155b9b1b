{#- Spark refuses a recursive CTE with UNION. A component never spans two dates, so each
    date's claims are labelled in one fold over that date's edges (aggregate): every claim
    starts with its own id, and an edge between two labels relabels both to the smaller, so
    each claim ends with the smallest claim id of its component, as the default__ version
    gives (make build-spark-demo compares the candidates of fct_claims with DuckDB's). No recursion, no fixed number of
    rounds; the work per date is its edges times its claims. -#}
{% macro spark__day_group_ctes(claims, edges) -%}
day_claims as (

    select
        incident_date,
        map_from_arrays(collect_list(claim_id), collect_list(claim_id)) as labels
    from {{ claims }}
    group by incident_date

),

day_edges as (

    select
        edge_claims.incident_date,
        collect_list(struct({{ edges }}.from_claim_id, {{ edges }}.to_claim_id)) as edge_list
    from {{ edges }}
    inner join {{ claims }} as edge_claims
        on {{ edges }}.from_claim_id = edge_claims.claim_id
    group by edge_claims.incident_date

),

day_groups as (

    select
        labelled.claim_id,
        labelled.day_group_id
    from (
        select
            explode(case
                when day_edges.edge_list is null then day_claims.labels
                else aggregate(
                    day_edges.edge_list,
                    day_claims.labels,
                    (labels, edge) -> case
                        when labels[edge.from_claim_id] = labels[edge.to_claim_id] then labels
                        else transform_values(labels, (labelled_claim, label) -> case
                            when label in (labels[edge.from_claim_id], labels[edge.to_claim_id])
                                then least(labels[edge.from_claim_id], labels[edge.to_claim_id])
                            else label
                        end)
                    end
                )
            end) as (claim_id, day_group_id)
        from day_claims
        left join day_edges
            on day_claims.incident_date <=> day_edges.incident_date
    ) as labelled

)
{%- endmacro %}
