-- The build's reference date (grain: one row): what "today" is for the data. Var
-- civcas_as_of_date when set; else var civcas_as_of (a build as known on that day,
-- macros/as_of.sql: later records must not move its bounds); otherwise the latest record logged (a claim reported, an
-- incident first published, an assessment, a belligerent's statement) that is neither
-- before var civcas_earliest_plausible_date nor after the day the build runs, so a date
-- typed into the future never raises its own bound. Dates of every raw table must not be
-- later than latest_plausible_date (macros/date_plausibility.sql); the backlog counts
-- days waiting up to reference_date.
with

claims as (

    select date_reported as logged_on from {{ ref('stg_monitor__claims') }}

),

incidents as (

    select first_published_on as logged_on from {{ ref('stg_monitor__incidents') }}

),

assessments as (

    select assessed_on as logged_on from {{ ref('stg_monitor__incident_assessments') }}

),

statements as (

    select statement_date as logged_on from {{ ref('stg_monitor__belligerent_statements') }}

),

logged as (

    select logged_on from claims
    union all
    select logged_on from incidents
    union all
    select logged_on from assessments
    union all
    select logged_on from statements

),

latest_logged as (

    select
        max(logged_on) as latest_logged_on,
        {{ run_date() }} as run_date
    from logged
    where
        logged_on >= {{ earliest_plausible_date() }}
        and logged_on <= {{ run_date() }}

),

referenced as (

    select
        {%- if var('civcas_as_of_date', none) %}
            cast('{{ var("civcas_as_of_date") }}' as date) as reference_date,
            'var civcas_as_of_date' as reference_date_basis,
        {%- elif as_of_date() is not none %}
            {{ as_of_date() }} as reference_date,
            'var civcas_as_of' as reference_date_basis,
        {%- else %}
            -- no record at all (an empty intake): the run date
            coalesce(latest_logged_on, run_date) as reference_date,
            case
                when latest_logged_on is null then 'the run date (no record logged)'
                else 'the latest record logged'
            end as reference_date_basis,
        {%- endif %}
        latest_logged_on,
        run_date
    from latest_logged

),

final as (

    select
        reference_date,
        {{ date_with_tolerance('reference_date') }} as latest_plausible_date,
        {{ earliest_plausible_date() }} as earliest_plausible_date,
        reference_date_basis,
        latest_logged_on,
        run_date
    from referenced

)

select * from final
