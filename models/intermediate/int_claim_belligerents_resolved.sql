-- One row per raw claim row and belligerent named in it. A claim may blame several
-- belligerents, separated by ';' or ',' (the archive writes "Russian Military,
-- U.S.-led Coalition"). A blank blame means the source did not say: unknown.
with

claims as (

    select * from {{ ref('stg_monitor__claims') }}

),

belligerent_aliases as (

    select * from {{ ref('ref_belligerent_aliases') }}

),

split_names as (

    select
        raw_row_key,
        claim_id,
        {{ split_to_rows_regex("coalesce(belligerents_as_written, 'unknown')", "'[;,]'") }} as name_as_written
    from claims

),

named as (

    select distinct
        raw_row_key,
        claim_id,
        {{ clean_text('name_as_written') }} as belligerent_as_written
    from split_names

),

resolved as (

    select
        named.raw_row_key,
        named.claim_id,
        named.belligerent_as_written,
        belligerent_aliases.belligerent_id
    from named
    left join belligerent_aliases
        on {{ normalise_key('belligerent_aliases.alias') }} = {{ normalise_key('named.belligerent_as_written') }}
    -- "Russia; ;Syrian regime" has an empty element: nothing was named there.
    where named.belligerent_as_written is not null

),

final as (

    select
        raw_row_key,
        claim_id,
        belligerent_as_written,
        belligerent_id
    from resolved

)

select * from final
