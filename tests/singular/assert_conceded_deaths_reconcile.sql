-- Conceded deaths in the marts equal those in the belligerents' verdicts in force (a pair
-- above the review ceiling counts as unknown in both, macros/field_issues.sql).
with

from_statements as (

    select
        -- as they count in totals: a pair above the review ceiling counts as unknown
        coalesce(sum({{ counted_figure('deaths_conceded_min', 'deaths_conceded_min', 'deaths_conceded_max', 'people') }}), 0)
            as conceded_min,
        coalesce(sum({{ counted_figure('deaths_conceded_max', 'deaths_conceded_min', 'deaths_conceded_max', 'people') }}), 0)
            as conceded_max
    from {{ ref('fct_belligerent_statements') }}
    where is_verdict_in_force

),

from_incident_belligerents as (

    select
        coalesce(sum(deaths_conceded_min), 0) as conceded_min,
        coalesce(sum(deaths_conceded_max), 0) as conceded_max
    from {{ ref('fct_incident_belligerents') }}

),

from_incidents as (

    select
        coalesce(sum(deaths_conceded_min), 0) as conceded_min,
        coalesce(sum(deaths_conceded_max), 0) as conceded_max
    from {{ ref('fct_incidents') }}

)

select
    from_statements.conceded_max as statements_max,
    from_incident_belligerents.conceded_max as incident_belligerents_max,
    from_incidents.conceded_max as incidents_max
from from_statements
cross join from_incident_belligerents
cross join from_incidents
where
    from_statements.conceded_min <> from_incident_belligerents.conceded_min
    or from_statements.conceded_max <> from_incident_belligerents.conceded_max
    or from_statements.conceded_min <> from_incidents.conceded_min
    or from_statements.conceded_max <> from_incidents.conceded_max
