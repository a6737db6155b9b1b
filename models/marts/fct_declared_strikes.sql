with

strikes as (

    select * from {{ ref('int_declared_strikes_validated') }}
    where not is_quarantined

),

datasets as (

    select * from {{ ref('dim_datasets') }}

),

final as (

    select
        strikes.strike_release_id,
        strikes.strike_date,
        strikes.belligerent_id,
        strikes.resolved_country_id as country_id,
        strikes.place_near,
        strikes.place_id,
        strikes.resolved_governorate_id as governorate_id,
        -- swapped coordinates put back in order, as for claims (macros/coordinates.sql)
        strikes.corrected_latitude as latitude,
        strikes.corrected_longitude as longitude,
        strikes.are_coordinates_swapped,
        strikes.strike_count,
        strikes.release_text,
        -- field issues and figures above a review ceiling (macros/field_issues.sql)
        strikes.needs_review,
        strikes.review_reasons,
        datasets.is_synthetic
    from strikes
    cross join datasets

)

select * from final
