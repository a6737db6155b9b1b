-- The gazetteer's names with their place keys (macros/place_keys.sql), for look-ups on the
-- key: every alias and canonical name of a place (ref_place_aliases, ref_places) and of a
-- governorate (ref_governorate_aliases, ref_governorates). A place is looked up on its core
-- key (qualifiers dropped), a governorate on its match key (a spelling of the name itself:
-- "Idlib Province" or "Idlib countryside" is not a spelling of Idlib governorate). A lookup
-- key shared by names of two different places (or governorates) is ambiguous: a look-up on
-- it would merge them, so it resolves nothing (is_lookup_key_ambiguous).
-- Grain: one row per gazetteer kind, name and id.
with

place_aliases as (

    select * from {{ ref('ref_place_aliases') }}

),

places as (

    select * from {{ ref('ref_places') }}

),

governorate_aliases as (

    select * from {{ ref('ref_governorate_aliases') }}

),

governorates as (

    select * from {{ ref('ref_governorates') }}

),

gazetteer_names as (

    select
        'place' as gazetteer_kind,
        {{ clean_text('place_aliases.alias') }} as name_as_written,
        place_aliases.place_id as gazetteer_id,
        false as is_canonical_name
    from place_aliases
    union all
    select
        'place' as gazetteer_kind,
        {{ clean_text('places.place_name') }} as name_as_written,
        places.place_id as gazetteer_id,
        true as is_canonical_name
    from places
    union all
    select
        'governorate' as gazetteer_kind,
        {{ clean_text('governorate_aliases.alias') }} as name_as_written,
        governorate_aliases.governorate_id as gazetteer_id,
        false as is_canonical_name
    from governorate_aliases
    union all
    select
        'governorate' as gazetteer_kind,
        {{ clean_text('governorates.governorate_name') }} as name_as_written,
        governorates.governorate_id as gazetteer_id,
        true as is_canonical_name
    from governorates

),

distinct_names as (

    select
        gazetteer_kind,
        name_as_written,
        gazetteer_id,
        max(case when is_canonical_name then 1 else 0 end) = 1 as is_canonical_name
    from gazetteer_names
    group by gazetteer_kind, name_as_written, gazetteer_id

),

name_keys as (

    {{ place_key_columns('distinct_names', 'name_as_written') }}

),

keyed as (

    select
        distinct_names.gazetteer_kind,
        distinct_names.name_as_written,
        distinct_names.gazetteer_id,
        case
            when distinct_names.gazetteer_kind = 'place' then places.governorate_id
            else distinct_names.gazetteer_id
        end as governorate_id,
        distinct_names.is_canonical_name,
        name_keys.place_match_key,
        name_keys.place_core_match_key,
        name_keys.place_skeleton_key,
        case
            when distinct_names.gazetteer_kind = 'place' then name_keys.place_core_match_key
            else name_keys.place_match_key
        end as lookup_key
    from distinct_names
    inner join name_keys
        on distinct_names.name_as_written = name_keys.place_name
    left join places
        on
            distinct_names.gazetteer_kind = 'place'
            and distinct_names.gazetteer_id = places.place_id

),

key_owners as (

    select
        gazetteer_kind,
        lookup_key,
        count(distinct gazetteer_id) as ids_sharing_lookup_key
    from keyed
    where lookup_key is not null
    group by gazetteer_kind, lookup_key

),

final as (

    select
        keyed.*,
        coalesce(key_owners.ids_sharing_lookup_key, 0) as ids_sharing_lookup_key,
        coalesce(key_owners.ids_sharing_lookup_key > 1, false) as is_lookup_key_ambiguous
    from keyed
    left join key_owners
        on
            keyed.gazetteer_kind = key_owners.gazetteer_kind
            and keyed.lookup_key = key_owners.lookup_key

)

select * from final
