-- The monthly summary adds up to the incidents: per belligerent, the alleged and likely
-- totals over all months equal the sums over the alleged incidents of fct_incident_belligerents
-- whose month lies in the build's period (vars civcas_first_month..civcas_last_month, one rule:
-- macros/release_period.sql). An incident of the period missing from the summary (a country
-- left out of scope, a month left out of the spine) makes the sums differ.
with

from_incidents as (

    select
        belligerent_id,
        count(*) as alleged_incidents,
        coalesce(sum(civilians_killed_min), 0) as alleged_killed_min,
        coalesce(sum(civilians_killed_max), 0) as alleged_killed_max,
        coalesce(sum(civilians_injured_min), 0) as alleged_injured_min,
        coalesce(sum(civilians_injured_max), 0) as alleged_injured_max,
        sum(case when is_likely_for_belligerent then 1 else 0 end) as likely_incidents,
        coalesce(sum(case when is_likely_for_belligerent then civilians_killed_min end), 0) as likely_killed_min,
        coalesce(sum(case when is_likely_for_belligerent then civilians_killed_max end), 0) as likely_killed_max,
        coalesce(sum(deaths_conceded_max), 0) as deaths_conceded_max
    from {{ ref('fct_incident_belligerents') }}
    where is_civilian_harm_reported and {{ in_release_period('incident_month') }}
    group by belligerent_id

),

from_months as (

    select
        belligerent_id,
        sum(alleged_incidents) as alleged_incidents,
        sum(alleged_killed_min) as alleged_killed_min,
        sum(alleged_killed_max) as alleged_killed_max,
        sum(alleged_injured_min) as alleged_injured_min,
        sum(alleged_injured_max) as alleged_injured_max,
        sum(likely_incidents) as likely_incidents,
        sum(likely_killed_min) as likely_killed_min,
        sum(likely_killed_max) as likely_killed_max,
        sum(deaths_conceded_max) as deaths_conceded_max
    from {{ ref('fct_monthly_belligerent_summary') }}
    group by belligerent_id

)

select
    from_incidents.*,
    from_months.alleged_incidents as monthly_alleged_incidents,
    from_months.alleged_killed_max as monthly_alleged_killed_max
from from_incidents
left join from_months
    on from_incidents.belligerent_id = from_months.belligerent_id
where
    from_months.belligerent_id is null
    or from_incidents.alleged_incidents <> from_months.alleged_incidents
    or from_incidents.alleged_killed_min <> from_months.alleged_killed_min
    or from_incidents.alleged_killed_max <> from_months.alleged_killed_max
    or from_incidents.alleged_injured_min <> from_months.alleged_injured_min
    or from_incidents.alleged_injured_max <> from_months.alleged_injured_max
    or from_incidents.likely_incidents <> from_months.likely_incidents
    or from_incidents.likely_killed_min <> from_months.likely_killed_min
    or from_incidents.likely_killed_max <> from_months.likely_killed_max
    or from_incidents.deaths_conceded_max <> from_months.deaths_conceded_max
