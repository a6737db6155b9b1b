{#- One row per row of `relation` and belligerent named in its `list_column`, resolved
    through seeds/reference/ref_belligerent_aliases.csv. Several belligerents are
    separated by ';' or ',' (the archive writes "Russian Military, U.S.-led Coalition");
    a blank list means the source did not say: unknown. An element that no alias matches
    keeps a null belligerent_id, so that validation can quarantine its row. Used by
    int_claim_belligerents_resolved and int_incident_belligerents_resolved. -#}
{% macro resolve_belligerent_list(relation, list_column, key_columns) %}
with

listed as (

    select * from {{ relation }}

),

belligerent_aliases as (

    select * from {{ ref('ref_belligerent_aliases') }}

),

split_names as (

    select
        {%- for key in key_columns %}
        {{ key }},
        {%- endfor %}
        {{ split_to_rows_regex("coalesce(" ~ list_column ~ ", 'unknown')", "'[;,]'") }} as name_as_written
    from listed

),

named as (

    select distinct
        {%- for key in key_columns %}
        {{ key }},
        {%- endfor %}
        {{ clean_text('name_as_written') }} as belligerent_as_written
    from split_names

),

final as (

    select
        {%- for key in key_columns %}
        named.{{ key }},
        {%- endfor %}
        named.belligerent_as_written,
        belligerent_aliases.belligerent_id
    from named
    left join belligerent_aliases
        on {{ normalise_key('belligerent_aliases.alias') }} = {{ normalise_key('named.belligerent_as_written') }}
    -- "Russia; ;Syrian regime" has an empty element: nothing was named there.
    where named.belligerent_as_written is not null

)

select * from final
{% endmacro %}
