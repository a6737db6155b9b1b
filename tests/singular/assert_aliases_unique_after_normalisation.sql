-- Alias look-ups compare normalised text (trimmed, whitespace collapsed, lower case), so
-- two aliases that normalise alike would make a look-up ambiguous.
with

normalised as (

    select 'ref_belligerent_aliases' as seed, {{ normalise_key('alias') }} as alias_key
    from {{ ref('ref_belligerent_aliases') }}
    union all
    select 'ref_governorate_aliases' as seed, {{ normalise_key('alias') }} as alias_key
    from {{ ref('ref_governorate_aliases') }}
    union all
    select 'ref_place_aliases' as seed, {{ normalise_key('alias') }} as alias_key
    from {{ ref('ref_place_aliases') }}
    union all
    select 'ref_code_aliases:' || code_set as seed, {{ normalise_key('alias') }} as alias_key
    from {{ ref('ref_code_aliases') }}

)

select
    seed,
    alias_key,
    count(*) as occurrences
from normalised
group by seed, alias_key
having count(*) > 1
