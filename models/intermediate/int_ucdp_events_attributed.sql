-- One row per clean UCDP event (int_ucdp_events_validated, not quarantined), with its month
-- and the sides its source_headline blames (the attribution rule, macros/ucdp.sql:
-- ucdp_side_rules). An event whose headline blames both sides is attributed to each, as the
-- warehouse counts an incident blamed on both for each (DOMAIN.md); attributed_sides says
-- 'both' for them. An event is bucketed in the month of its date_start.
with

events as (

    select * from {{ ref('int_ucdp_events_validated') }}
    where not is_quarantined

),

worded as (

    select
        events.*,
        {{ ucdp_headline_words('events.source_headline') }} as headline_words
    from events

),

attributed as (

    select
        worded.event_id,
        cast({{ dbt.date_trunc('month', 'worded.date_start') }} as date) as event_month,
        worded.date_start,
        worded.date_end,
        worded.date_precision,
        cast({{ dbt.date_trunc('month', 'worded.date_start') }} as date)
        <> cast({{ dbt.date_trunc('month', 'worded.date_end') }} as date) as is_spanning_months,
        worded.type_of_violence,
        worded.dyad_name,
        worded.side_a,
        worded.side_b,
        worded.source_office,
        worded.source_headline,
        {{ ucdp_is_airwars_source('worded.source_office') }} as is_airwars_source,
        worded.adm_1,
        worded.governorate_id,
        worded.deaths_civilians,
        worded.deaths_best,
        worded.deaths_low,
        worded.deaths_high,
        {%- for side in ucdp_sides() %}
            coalesce({{ ucdp_headline_mentions_side('worded.headline_words', side) }}, false)
                as mentions_{{ side }},
            coalesce({{ ucdp_headline_names_side('worded.headline_words', side) }}, false)
                as is_attributed_to_{{ side }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from worded

),

final as (

    select
        attributed.*,
        case
            when attributed.is_attributed_to_coalition and attributed.is_attributed_to_russia then 'both'
            when attributed.is_attributed_to_coalition then 'coalition'
            when attributed.is_attributed_to_russia then 'russia'
            else 'neither'
        end as attributed_sides
    from attributed

)

select * from final
