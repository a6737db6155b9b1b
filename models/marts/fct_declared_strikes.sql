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
        strikes.latitude,
        strikes.longitude,
        strikes.strike_count,
        strikes.release_text,
        datasets.is_synthetic
    from strikes
    cross join datasets

)

select * from final
