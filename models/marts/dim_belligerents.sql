with

belligerents as (

    select * from {{ ref('ref_belligerents') }}

),

aliases as (

    select * from {{ ref('ref_belligerent_aliases') }}

),

datasets as (

    select * from {{ ref('dim_datasets') }}

),

alias_lists as (

    select
        belligerent_id,
        count(*) as alias_count,
        {{ dbt.listagg('alias', "' | '", 'order by alias') }} as aliases
    from aliases
    group by belligerent_id

),

final as (

    select
        belligerents.belligerent_id,
        belligerents.belligerent_name,
        belligerents.belligerent_kind,
        belligerents.campaign_code_prefixes,
        belligerents.first_strike_date,
        belligerents.has_ever_conceded_civilian_harm,
        belligerents.description,
        coalesce(alias_lists.alias_count, 0) as alias_count,
        alias_lists.aliases,
        datasets.is_synthetic
    from belligerents
    left join alias_lists
        on belligerents.belligerent_id = alias_lists.belligerent_id
    cross join datasets

)

select * from final
