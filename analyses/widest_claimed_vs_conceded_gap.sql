-- Which incidents show the widest gap between the deaths claimed and the deaths the
-- accused belligerent conceded? Among incidents on which a belligerent gave a final verdict
-- (credible, or non-credible: it admitted none), the highest death toll any linked claim
-- reported ("at least N" counts N) against the deaths conceded in the verdicts in force (none
-- conceded counts as zero). Duplicate verdicts (assessed under another report) and incidents
-- not yet assessed are left out: they have conceded nothing yet, or elsewhere. The 20 widest gaps,
-- ties broken by incident code, with the incident's own assessed or claimed range beside
-- them. Compile with `dbt compile`, then run
-- target/compiled/civcas/analyses/widest_claimed_vs_conceded_gap.sql read-only against the analysts'
-- published copy, never the build file: `duckdb -readonly warehouse/published/civcas.duckdb
-- < <that file>` (or archive.duckdb: the compiled SQL names no catalog).
{%- set top_n = var('civcas_widest_gap_top_n') %}

with

incidents as (

    select * from {{ ref('fct_incidents') }}
    where belligerent_verdict_id in ('credible', 'non_credible')

),

claims as (

    select * from {{ ref('fct_claims') }}
    where is_linked

),

claimed as (

    select
        incident_code,
        max(coalesce(civilians_killed_max, civilians_killed_min)) as claimed_killed_max
    from claims
    group by incident_code

),

gaps as (

    select
        incidents.incident_code,
        incidents.incident_date,
        incidents.country_id,
        incidents.belligerent_ids,
        incidents.grade_id,
        incidents.verdict_belligerent_id,
        incidents.belligerent_verdict_id,
        claimed.claimed_killed_max,
        incidents.civilians_killed_min,
        incidents.civilians_killed_max,
        incidents.deaths_conceded_min,
        incidents.deaths_conceded_max,
        claimed.claimed_killed_max - coalesce(incidents.deaths_conceded_max, 0) as claimed_minus_conceded_max,
        incidents.is_synthetic
    from incidents
    inner join claimed
        on incidents.incident_code = claimed.incident_code
    where claimed.claimed_killed_max is not null

),

ranked as (

    select
        row_number() over (order by gaps.claimed_minus_conceded_max desc, gaps.incident_code asc) as gap_rank,
        gaps.*
    from gaps

),

final as (

    select * from ranked
    where gap_rank <= {{ top_n }}

)

select * from final
order by gap_rank
